"""Reading single Dovecot files: round trip and doveconf's line rules."""

from __future__ import annotations

import pytest

from mailconf.dovecot import DovecotParseError, Statement, parse


def stmts(text: str, version: str | None = None) -> list[Statement]:
    return parse(text.encode("latin-1"), "t.conf", version=version).statements()


def test_round_trip_keeps_every_byte() -> None:
    data = b"# c\r\nkey = v \\\n  w # x\n\xff\xfe = 1\nservice imap {\n}\n\nno_newline = 1"
    assert parse(data).to_bytes() == data


def test_setting_value_unquoted_and_unescaped() -> None:
    (st,) = stmts('login_greeting = "a \\"b\\" # c"\n')
    assert st.kind == "setting"
    assert (st.key, st.value, st.quoted) == ("login_greeting", 'a "b" # c', True)
    assert st.raw == '"a \\"b\\" # c"'


def test_sections_and_close() -> None:
    sts = stmts('service imap-login {\n  inet_listener "imap" {\n    port = 0\n  }\n}\n')
    assert [(s.kind, s.section_type, s.section_name) for s in sts] == [
        ("open", "service", "imap-login"),
        ("open", "inet_listener", "imap"),
        ("setting", None, None),
        ("close", None, None),
        ("close", None, None),
    ]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("= value\n", "Missing key name ('=' at the beginning of line)", 1),
        ("service imap {\n}\n}\n", "Unexpected '}'", 3),
        ("service imap foo {\n}\n", "Expecting '{'", 1),
        ("service imap { port = 1 }\n", "Garbage after '{'", 1),
        ("service imap{\n}\n", "Expecting '{'", 1),
        ("a = b\nlogin_greeting\n", "Expecting '{'", 2),
    ],
)
def test_syntax_errors(text: str, message: str, line: int) -> None:
    with pytest.raises(DovecotParseError) as info:
        parse(text.encode(), "t.conf")
    assert info.value.message == message
    assert info.value.line == line
    assert info.value.doveconf == f"Error in configuration file t.conf line {line}: {message}"


def test_missing_close() -> None:
    with pytest.raises(DovecotParseError) as info:
        parse(b"a = 1\nservice imap {\n", "t.conf")
    assert info.value.doveconf == "Error in configuration file t.conf: Missing '}' (section started at t.conf:2)"


def test_include_keyword_glued_to_equals_is_a_setting() -> None:
    """doveconf 2.3: "!include=x" is the (unknown) setting "!include"; "!include = x" includes "= x"."""
    (glued,) = parse(b"!include=x\n").statements()
    assert (glued.kind, glued.key, glued.value) == ("setting", "!include", "x")
    (spaced,) = parse(b"!include = x\n").statements()
    assert (spaced.kind, spaced.pattern) == ("include", "= x")
