"""Dovecot 2.4 syntax (no 2.4 doveconf here: the rules follow the 2.4 config parser and docs)."""

from __future__ import annotations

import pytest

from mailconf.dovecot import DovecotParseError, Statement, parse

V24 = b"dovecot_config_version = 2.4.1\ndovecot_storage_version = 2.4.1\n"


def sts(body: bytes, version: str | None = None) -> list[Statement]:
    return parse(V24 + body, version=version).statements()[2:]


def test_first_setting_selects_the_24_rules() -> None:
    assert parse(V24).version == "2.4"
    assert parse(b"# comment\n\n" + V24).version == "2.4"
    assert parse(b"protocols = imap\n" + V24).version == "2.3"


def test_boolean_list_blocks_and_named_list_filters() -> None:
    got = [
        (s.kind, s.section_type, s.section_name, s.key, s.value)
        for s in sts(
            b"mail_plugins {\n  quota = yes\n  acl = no\n}\npassdb static {\n  password = foo\n}\n"
            b'namespace inbox {\n  mailbox "Sent Messages" {\n    special_use = \\\\Sent\n  }\n}\n'
        )
    ]
    assert got == [
        ("open", "mail_plugins", None, "mail_plugins", ""),
        ("setting", None, None, "quota", "yes"),
        ("setting", None, None, "acl", "no"),
        ("close", None, None, "}", ""),
        ("open", "passdb", "static", "passdb", ""),
        ("setting", None, None, "password", "foo"),
        ("close", None, None, "}", ""),
        ("open", "namespace", "inbox", "namespace", ""),
        ("open", "mailbox", "Sent Messages", "mailbox", ""),
        ("setting", None, None, "special_use", "\\\\Sent"),
        ("close", None, None, "}", ""),
        ("close", None, None, "}", ""),
    ]


def test_groups() -> None:
    (opened, _setting, _closed, use) = sts(b"group @mailboxes english {\n  x = y\n}\n@mailboxes = english\n")
    assert (opened.kind, opened.section_type, opened.label, opened.section_name) == (
        "open",
        "group",
        "@mailboxes",
        "english",
    )
    assert (use.kind, use.key, use.value) == ("setting", "@mailboxes", "english")
    with pytest.raises(DovecotParseError, match="Expecting group name"):
        parse(V24 + b"group @x\n")
    with pytest.raises(DovecotParseError, match=r"Expecting '\{'"):
        parse(V24 + b"group @x name\n")
    with pytest.raises(DovecotParseError, match="Garbage after"):
        parse(V24 + b"group @x name { y\n")


def test_quoted_keys_and_variables() -> None:
    quoted, ref, literal, plain = sts(b'"my key" = 1\nuser = $SET:default_internal_user\nk = "$SET:x"\nm = a$b\n')
    assert (quoted.key, quoted.value) == ("my key", "1")
    assert (ref.value, ref.variable) == ("$SET:default_internal_user", True)
    assert (literal.value, literal.variable, literal.quoted) == ("$SET:x", False, True)
    assert plain.variable  # 2.4 expands "$" anywhere in an unquoted value
    (old,) = parse(b"m = a$b\n").statements()
    assert not old.variable  # 2.3 only at the start


def test_any_isspace_byte_is_blank_in_24() -> None:
    (setting,) = sts(b"k\v=\fv\r\r\n")
    assert (setting.key, setting.value) == ("k", "v")
    (setting23,) = parse(b"k = v\f\n").statements()
    assert setting23.value == "v\f"


def test_round_trip() -> None:
    data = V24 + b'group @x y {\n}\n"k k" = v # c\r\nmail_plugins {\n\tquota = yes\n}\n'
    assert parse(data).to_bytes() == data
