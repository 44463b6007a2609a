"""Each of doveconf's reading rules, one example at a time, checked with the real doveconf."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf.dovecot import DovecotParseError, load, parse
from mailconf.dovecot.config24 import Doveconf24Error, load_config24
from tests.dovecot import doveconf, printed, scoped_values
from tests.support import dovecot24_header, installed_doveconf_generation

# For a 2.4 doveconf the main file starts with its version lines, and the free keys go in
# import_environment (2.4 has no plugin section and refuses unknown settings elsewhere)
V24 = installed_doveconf_generation() == "2.4"
HEAD = (dovecot24_header() if V24 else "").encode() + b"protocols = imap\n"
SHIFT = HEAD.count(b"\n") - 1  # line numbers below are for the 2.3 file, whose HEAD is one line
SECTION = b"import_environment" if V24 else b"plugin"
PLUGIN = ((SECTION.decode(), None),)
FIRST_24 = "The first setting must be dovecot_config_version"


def plugin(tmp_path: Path, body: bytes, *, eol: bytes = b"\n") -> Path:
    config = tmp_path / "dovecot.conf"
    config.write_bytes(HEAD.replace(b"\n", eol) + SECTION + b" {" + eol + body + b"}" + eol)
    (tmp_path / "value.txt").write_bytes(b"secret\n")
    return config


def mine(config: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for where, st in load(config).scoped():
        if st.kind == "setting" and where == PLUGIN:
            out[st.key] = "<" + st.value if st.file_ref is not None else st.value
    return out


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'  k = "a # b"\n', {"k": "a # b"}),  # '#' inside quotes is data
        (b"  k = a#b\n", {"k": "a"}),  # glued '#' is a comment too (with a warning)
        (b"  k = a # b\n", {"k": "a"}),
        (b'  k = "a # b\n', {"k": '"a # b'}),  # an open quote hides the comment
        (b"  k = 'a # b' # c\n", {"k": "a # b"}),
        (b"  k = a \\\n    b\n", {"k": "a b"}),  # continuation joined with one space
        (b"  k = a\\\n  b \\\n c\n", {"k": "a b c"}),
        (b"  k = a \\\n\n  j = 1\n", {"j": "1"}),  # a blank line drops the continuation
        (b"  k = a \\\n  # c\n  j = 1\n", {"j": "1"}),  # so does a comment line
        (b"  k = a \\ # c\n    b\n", {"k": "a b"}),  # the comment goes first, then the '\\'
        (b'  k = "a\\"b\\\\c"\n', {"k": 'a"b\\c'}),  # escapes in double quotes
        (b"  k = 'it\\'s'\n", {"k": "it's"}),  # and in single quotes
        (b'  k = "x\\ny"\n', {"k": "xny"}),  # \\n is just n
        (b'  k = "a" b"\n', {"k": 'a" b'}),  # the first and last character decide
        (b'  k = "\n', {"k": ""}),  # a lone quote is both ends
        (b'  k =\n  j = ""\n  i=\n', {"k": "", "j": "", "i": ""}),  # empty values
        (b"  k=v\n  j =v\n  i= v\n", {"k": "v", "j": "v", "i": "v"}),
        (b"  k = <value.txt\n  j = <  value.txt\n", {"k": "<value.txt", "j": "<value.txt"}),
        (b"  k = $protocols x\n", {"k": "$protocols x"}),  # not expanded by doveconf -n
        (b"  k = %{user}@%d x\n", {"k": "%{user}@%d x"}),
        (b"  k = caf\xe9 \xff\xfe\n", {"k": "caf\xe9 \xff\xfe"}),  # any bytes
        (b"\tk\t=\tv w\t\n", {"k": "v w"}),
        (b"  k = v\r\n", {"k": "v"}),  # CR before the newline is dropped
        (b"  k = a\rb\n", {"k": "a\rb"}),  # elsewhere it is data (2.3)
        (b"  k = 1\n  k = 2\n", {"k": "2"}),  # last wins
        (b"  k = a\0b\n", {"k": "a"}),  # a NUL ends the line
    ],
)
def test_reading_rule(tmp_path: Path, body: bytes, expected: dict[str, str]) -> None:
    config = plugin(tmp_path, body)
    assert mine(config) == expected
    real = doveconf(config)
    assert real.fatal is None, real.stderr
    shown = {k[1]: v for k, v in scoped_values(real.stdout).items() if k[0] == PLUGIN and not (V24 and k[1].isupper())}
    assert shown == {k: printed(v) for k, v in expected.items()}


def test_ambiguous_hash_warning(tmp_path: Path) -> None:
    config = plugin(tmp_path, b'  k = a#b\n  j = "x"#y\n')
    tree = load(config)
    ours = [w.doveconf for w in tree.warnings]
    assert ours == [
        f"Configuration file {config} line {3 + SHIFT}: Ambiguous '#' character in line, treating it as comment. "
        "Add a space before it to remove this warning.",
        f"Configuration file {config} line {4 + SHIFT}: Ambiguous '#' character in line, treating it as comment. "
        "Add a space before it to remove this warning.",
    ]
    assert set(doveconf(config).warnings) == set(ours)


def test_crlf_file(tmp_path: Path) -> None:
    config = plugin(tmp_path, b"  k = a \\\r\n  b\r\n", eol=b"\r\n")
    assert mine(config) == {"k": "a b"}
    assert load(config).main.to_bytes() == config.read_bytes()


def test_sections_with_and_without_names(tmp_path: Path) -> None:
    config = tmp_path / "dovecot.conf"
    config.write_bytes(
        (
            HEAD
            + b'protocol "imap" {\n  plugin {\n    k = 1\n  }\n}\n'
            + b"local 10.0.0.1 {\n  protocol !imap {\n    plugin {\n      k = 2\n    }\n  }\n}\n"
            + b"remote 192.168.0.0/16 {\n  plugin {\n    k = 3\n  }\n}\n"
            + b"local_name mail.example.com {\n  plugin {\n    k = 4\n  }\n}\n"
            + b'namespace "in box" {\n  separator = /\n}\n'
        ).replace(b"plugin {", SECTION + b" {")
    )
    tree = load(config)
    opens = [(st.section_type, st.section_name, st.quoted) for st in tree.walk() if st.kind == "open"]
    assert opens == [
        ("protocol", "imap", True),
        (SECTION.decode(), None, False),
        ("local", "10.0.0.1", False),
        ("protocol", "!imap", False),
        (SECTION.decode(), None, False),
        ("remote", "192.168.0.0/16", False),
        (SECTION.decode(), None, False),
        ("local_name", "mail.example.com", False),
        (SECTION.decode(), None, False),
        ("namespace", "in box", True),
    ]
    real = scoped_values(doveconf(config).stdout)
    for where, st in tree.scoped():
        if st.kind == "setting" and st.key == "k":
            assert real[(where, "k")] == st.value


def test_bom_is_part_of_the_first_key(tmp_path: Path) -> None:
    config = tmp_path / "dovecot.conf"
    config.write_bytes(b"\xef\xbb\xbf" + HEAD)
    statements = list(load(config).walk())
    assert len(statements) == HEAD.count(b"\n")
    first = statements[0]
    if not V24:
        assert first.key == "\xef\xbb\xbfprotocols"
        fatal = doveconf(config).fatal
        assert fatal is not None and fatal.encode("latin-1").endswith(b"Unknown setting: \xef\xbb\xbfprotocols")
    else:  # so 2.4 does not see its version setting first
        assert first.key == "\xef\xbb\xbfdovecot_config_version"
        assert doveconf(config).fatal == f"Error in configuration file {config} line 1: {FIRST_24}"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (b"= value\n", "Missing key name ('=' at the beginning of line)", 2),
        (b"  =value\n", "Missing key name ('=' at the beginning of line)", 2),
        (b"service imap {\n}\n}\n", "Unexpected '}'", 4),
        (b"service imap foo {\n}\n", "Expecting '{'", 2),
        (b"service imap { port = 1 }\n", "Garbage after '{'", 2),
        (b"service imap {}\n", "Garbage after '{'", 2),
        (b"service imap{\n}\n", "Expecting '{'", 2),
        (b"login_greeting\n", "Expecting '{'", 2),
        (b'service "imap {\n}\n', "Expecting '{'", 2),
        (b'service "imap" x {\n}\n', "Expecting '{'", 2),
        (b"service \\\n  imap \\\n foo {\n", "Expecting '{'", 4),
        (b"{\n", "Expecting '{'", 2),
        (b"} x\n", "Expecting '{'", 2),
    ],
)
def test_syntax_errors_as_doveconf(tmp_path: Path, text: bytes, message: str, line: int) -> None:
    config = tmp_path / "dovecot.conf"
    config.write_bytes(HEAD + text)
    with pytest.raises(DovecotParseError) as info:
        parse(config.read_bytes(), str(config))
    assert (info.value.message, info.value.line) == (message, line + SHIFT)
    assert doveconf(config).fatal == doveconf_wording(config, info.value)


def doveconf_wording(config: Path, error: DovecotParseError) -> str:
    """What the installed doveconf should say of a file the reader refuses with ``error``: the reader's
    wording for 2.3; for 2.4, the 2.4 stand-in's (which words some errors differently: "= v" is the
    unknown setting "" there)."""
    if not V24:
        return error.doveconf
    with pytest.raises((DovecotParseError, Doveconf24Error)) as in24:
        load_config24(config)
    refused = in24.value
    assert isinstance(refused, (DovecotParseError, Doveconf24Error))
    return refused.doveconf


def test_missing_close_has_no_line_number(tmp_path: Path) -> None:
    config = tmp_path / "dovecot.conf"
    config.write_bytes(HEAD + b"service imap {\n  process_limit = 1\n")
    with pytest.raises(DovecotParseError) as info:
        parse(config.read_bytes(), str(config))
    start = f"{config}:{2 + SHIFT}"
    assert info.value.doveconf == f"Error in configuration file {config}: Missing '}}' (section started at {start})"
    assert doveconf(config).fatal == info.value.doveconf


def test_warnings_for_hidden_comments_and_dropped_continuations() -> None:
    doc = parse(b'k = "a # b\nj = a \\\n\nm = 1\\\n')
    assert [(w.code, w.line, w.column) for w in doc.warnings] == [
        ("unbalanced-quote", 1, 5),
        ("dropped-continuation", 3, 1),
        ("unterminated-continuation", 4, 1),
    ]
