"""Generated Dovecot trees: byte-exact round trip, and walk() reads what the real doveconf reads.

The trees use ``plugin { ... }`` settings (free-form names doveconf accepts without a catalogue),
inside ``protocol`` filters too, with includes (also inside sections), quoting styles, ``\\``
continuations, glued and trailing comments, dropped continuations, CRLF and latin-1 bytes. The
expected values come from ``DovecotTree.walk()`` (last wins per section path and key) and are
compared with what ``doveconf -n plugin`` prints; errors are compared message for message.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mailconf.dovecot import DovecotParseError, load, parse
from tests.dovecot import doveconf, printed, scoped_values
from tests.support import require_tool

KEYS = ["pa", "pb", "pc", "p_d"]
VALUE_CHARS = "abxy09 #\"'\\{}%=.:/\t\xe9"


SYNTAX_MESSAGES = (
    "Expecting '{'",
    "Expecting group name",
    "Garbage after '{'",
    "Unexpected '}'",
    "Missing '}'",
    "Missing key name",
    "No matches",
    "Recursive include file",
    "Couldn't open include file",
)


def _syntax_error(fatal: str) -> bool:
    return any(m in fatal for m in SYNTAX_MESSAGES)


@dataclass
class Gen:
    files: dict[str, str]


def _value_text() -> st.SearchStrategy[str]:
    return st.text(alphabet=VALUE_CHARS, max_size=12)


@st.composite
def setting_line(draw: st.DrawFn, indent: str, eol: str) -> str:
    key = draw(st.sampled_from(KEYS))
    sep = draw(st.sampled_from([" = ", "=", " =", "= ", "  =\t"]))
    style = draw(st.sampled_from(["bare", "double", "single", "continued", "dropped"]))
    value = draw(_value_text())
    if style == "double":
        value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif style == "single":
        value = "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    elif style == "continued":
        second = draw(_value_text())
        value = value + draw(st.sampled_from([" \\", "\\", "\t\\ "])) + eol + indent + "  " + second
    elif style == "dropped":
        return f"{indent}{key}{sep}{value} \\{eol}{eol}"
    trailer = draw(st.sampled_from(["", " ", " # note", "#glued", "\t# tab"]))
    if value.endswith("\\") and trailer in ("", " "):
        trailer = " # keep"  # a final backslash would continue the line: covered by "continued"
    return f"{indent}{key}{sep}{value}{trailer}{eol}"


BAD_LINES = ["x y z {", "x {}", "}", "= v", "!include nomatch*.conf", "name {x", 'named "open {']
SCOPES = [
    [],
    [("protocol", "imap")],
    [("protocol", "!imap")],
    [("local", "10.0.0.1")],
    [("remote", "192.168.0.0/16")],
    [("local_name", "mail.example.com")],
    [("local", "10.0.0.0/8"), ("protocol", "pop3")],
    [("remote", '"10.1.0.0/16"')],
]


@st.composite
def block(draw: st.DrawFn, files: dict[str, str], indent: str, eol: str, depth: int) -> str:
    """Lines that stand inside a ``plugin`` section (or an included file read there)."""
    out: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(
            st.sampled_from(["setting", "setting", "setting", "comment", "blank", "include", "try", "file", "bad"])
        )
        if kind == "setting":
            out.append(draw(setting_line(indent, eol)))
        elif kind == "comment":
            out.append(f"{indent}# a comment \xe9{eol}")
        elif kind == "blank":
            out.append(draw(st.sampled_from([eol, " " + eol, "\t" + eol])))
        elif kind == "include" and depth < 2:
            name = f"inc{len(files)}.conf"
            files[name] = ""  # reserve the name
            files[name] = draw(block(files, "", eol, depth + 1))
            out.append(f"{indent}!include {name}{eol}")
        elif kind == "try":
            out.append(f"{indent}!include_try missing-{len(out)}.conf{eol}")
        elif kind == "file":
            files.setdefault("value.txt", "secret\n")
            out.append(f"{indent}{draw(st.sampled_from(KEYS))} = <{draw(st.sampled_from(['', ' ']))}value.txt{eol}")
        elif kind == "bad" and draw(st.integers(0, 3)) == 0:
            out.append(f"{indent}{draw(st.sampled_from(BAD_LINES))}{eol}")
    return "".join(out)


@st.composite
def tree(draw: st.DrawFn) -> Gen:
    files: dict[str, str] = {}
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    parts = [f"protocols = imap pop3{eol}"]
    for _ in range(draw(st.integers(1, 4))):
        scope = draw(st.sampled_from(SCOPES))
        indent = "  " * (len(scope) + 1)
        body = draw(block(files, indent, eol, 0))
        text = f"{'  ' * len(scope)}plugin {{{eol}{body}{'  ' * len(scope)}}}{eol}"
        for level in range(len(scope) - 1, -1, -1):
            typ, name = scope[level]
            text = f"{'  ' * level}{typ} {name} {{{eol}{text}{'  ' * level}}}{eol}"
        parts.append(text)
    files["dovecot.conf"] = "".join(parts)
    return Gen(files)


def _write(directory: Path, gen: Gen) -> Path:
    for name, text in gen.files.items():
        (directory / name).write_bytes(text.encode("latin-1"))
    return directory / "dovecot.conf"


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(tree())
def test_generated_trees_round_trip(gen: Gen) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        main = _write(Path(tmp), gen)
        for name, text in gen.files.items():
            data = text.encode("latin-1")
            assert parse(data, Path(tmp) / name, strict=False).to_bytes() == data
        try:
            loaded = load(main)
        except DovecotParseError:
            return
        for name, text in gen.files.items():
            doc = loaded.documents.get(str(Path(tmp) / name))
            if doc is not None:
                assert doc.to_bytes() == text.encode("latin-1")


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(tree())
def test_generated_trees_read_as_doveconf_reads_them(gen: Gen) -> None:
    require_tool("doveconf")
    with tempfile.TemporaryDirectory() as tmp:
        main = _write(Path(tmp), gen)
        real = doveconf(main)
        try:
            loaded = load(main)
        except DovecotParseError as exc:
            event(f"mailconf error: {exc.message[:20]}")
            if real.fatal is not None and not _syntax_error(real.fatal):
                return  # a semantic error doveconf meets first (the semantics layer's job)
            assert real.fatal == exc.doveconf
            return
        if real.fatal is not None:
            event("doveconf semantic error")
            assert not _syntax_error(real.fatal), real.fatal
            return
        event("both read it")
        expected: dict[tuple[tuple[tuple[str, str | None], ...], str], str] = {}
        for where, stmt in loaded.scoped():
            if stmt.kind == "setting" and where and where[-1] == ("plugin", None):
                value = "<" + stmt.value if stmt.file_ref is not None else stmt.value
                expected[(where, stmt.key)] = printed(value)
        shown = {k: v for k, v in scoped_values(real.stdout).items() if k[0] and k[0][-1] == ("plugin", None)}
        assert shown == expected
        ambiguous = sorted({w.doveconf for w in loaded.warnings if w.code == "ambiguous-hash"})
        assert sorted({w for w in real.warnings if "Ambiguous" in w}) == ambiguous
