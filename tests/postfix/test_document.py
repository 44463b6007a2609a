"""main.cf and master.cf documents: exact round trip, values as Postfix reads them, errors."""

from __future__ import annotations

import pytest

import mailconf
from mailconf.errors import ParseError
from mailconf.postfix import parse_main, parse_master

MAIN_QUIRKS = [
    b"",
    b"a = 1",  # no final newline
    b"a = 1\r\nb = 2\r\n",  # CRLF
    b"\xef\xbb\xbfa = 1\n",  # BOM
    b"  indented = 1\nb = 2\n",  # indented first line
    b"a = 1\n\n# comment\n   \n  more\n",  # skipped lines inside a continuation
    b"mynetworks = 127.0.0.0/8 # lo\n",  # '#' inside a value
    b"a\t=\tb\t\t\n",  # tabs, trailing blanks
    b"a=b\nempty =\nempty2=\n",
    b"a = 1\na = 2\n",  # duplicates
    b"# \xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf (EUC-JP)\n# \x82\xb1\x82\xf1 (Shift_JIS)\na = \xff\n",
    b"a = " + b"x" * 400_000 + b"\n",
    b"foo\n  = bar\n",  # '=' on a continuation line
    b"a = b = c\n",
    b"\n\n\n",
    b"   \n",
    b"# only a comment",
    b"a = 1\n  ",
    b"a = 1\n\x0b\x0c\n  b\n",
]


@pytest.mark.parametrize("data", MAIN_QUIRKS)
def test_main_round_trip(data: bytes) -> None:
    assert parse_main(data).to_bytes() == data


@pytest.mark.parametrize(
    ("data", "name", "value"),
    [
        (b"a = 1\n\n# comment\n  more\n", "a", "1  more"),
        (b"mynetworks = 127.0.0.0/8 # lo\n", "mynetworks", "127.0.0.0/8 # lo"),
        (b"a\t=\tb\t\t\n", "a", "b"),
        (b"a=b=c\n", "a", "b=c"),
        (b"a =\n", "a", ""),
        (b"foo\n  = bar\n", "foo", "bar"),
        (b"a = 1\r\n", "a", "1"),
        (b"a = 1 \\\n  b\n", "a", "1 \\  b"),
        (b"\xef\xbb\xbfa = 1\n", "\xef\xbb\xbfa", "1"),
    ],
)
def test_main_values_as_postfix_reads_them(data: bytes, name: str, value: str) -> None:
    param = parse_main(data).get(name)
    assert param is not None
    assert param.value == value


def test_last_duplicate_wins_and_all_are_kept() -> None:
    doc = parse_main(b"a = 1\nb = x\na = 2\n")
    assert [p.value for p in doc.parameters if p.name == "a"] == ["1", "2"]
    param = doc.get("a")
    assert param is not None and param.value == "2" and param.line == 3
    assert doc.values() == {"a": "2", "b": "x"}


def test_indented_first_line_is_an_orphan_not_a_parameter() -> None:
    doc = parse_main(b"  indented = 1\n  still\nb = 2\n")
    assert [p.name for p in doc.parameters] == ["b"]
    assert len(doc.orphans) == 1 and doc.orphans[0].logical == "  indented = 1  still"


def test_positions() -> None:
    doc = parse_main(b"# c\nalpha =\n\n  beta\n")
    param = doc.get("alpha")
    assert param is not None
    assert (param.line, param.column, param.end_line) == (2, 1, 4)
    assert (param.value_line, param.value_column) == (4, 3)


@pytest.mark.parametrize(
    ("data", "message", "line", "column"),
    [
        (b"a = 1\nfoo bar\n", "missing '=' after attribute name: \"foo bar\"", 2, 4),
        (b"= value\n", 'missing attribute name: "= value"', 1, 1),
        (b"\n\nfoo\n  bar\n\n", "missing '=' after attribute name: \"foo  bar\"", 3, 4),
        (b"foo\n", "missing '=' after attribute name: \"foo\"", 1, 4),
    ],
)
def test_main_errors_name_file_line_column(data: bytes, message: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        parse_main(data, path="/x/main.cf")
    err = info.value
    assert (err.message, err.line, err.column, err.path) == (message, line, column, "/x/main.cf")
    assert str(err) == f"/x/main.cf:{line}:{column}: {message}"


MASTER_QUIRKS = [
    b"smtp inet n - y - - smtpd\n",
    b"[::1]:10025 inet n - n - - smtpd -o a=b\n",
    b"127.0.0.1:2525 inet n - n - - smtpd\n  -o { smtpd_client_restrictions = permit_mynetworks, reject }\n",
    b"x unix - n n - - pipe flags=R user=list argv=/a/b ${nexthop} ${user} + * ? ' | $ { }\n",
    b"smtp inet n - y - - smtpd\n# c\n\n  -o a=b\r\n",
    b"smtp inet n - y - - smtpd",
    b"  orphan inet n - y - - smtpd\n",
    b"smtp\tinet\tn\t-\ty\t-\t-\tsmtpd   \n",
]


@pytest.mark.parametrize("data", MASTER_QUIRKS)
def test_master_round_trip(data: bytes) -> None:
    assert parse_master(data).to_bytes() == data


def test_master_fields_overrides_and_braces() -> None:
    doc = parse_master(
        b"submission inet n - y - - smtpd\n"
        b"  -o syslog_name=postfix/submission\n"
        b"  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n"
        b"  -o smtpd_tls_security_level=encrypt\n"
        b"  {a b} -oglued=1 -o spaced = x -o bare\n"
    )
    svc = doc.get("submission", "inet")
    assert svc is not None
    assert (svc.private, svc.unpriv, svc.chroot, svc.wakeup, svc.maxproc, svc.command) == (
        "n",
        "-",
        "y",
        "-",
        "-",
        "smtpd",
    )
    assert "a b" in svc.args
    by_name = {o.name: o for o in svc.overrides}
    assert by_name["smtpd_client_restrictions"].value == "permit_sasl_authenticated, reject"
    assert by_name["smtpd_client_restrictions"].braced
    assert by_name["smtpd_tls_security_level"].value == "encrypt"
    assert (by_name["smtpd_tls_security_level"].line, by_name["smtpd_tls_security_level"].column) == (4, 3)
    assert by_name["glued"].glued and by_name["glued"].value == "1"
    assert by_name["spaced"].value is None and by_name["spaced"].spaced
    assert by_name["bare"].value is None and not by_name["bare"].spaced


def test_services_are_identified_by_name_and_type() -> None:
    doc = parse_master(b"smtp inet n - y - - smtpd\nsmtp unix - - y - - smtp\n")
    inet, unix = doc.get("smtp", "inet"), doc.get("smtp", "unix")
    assert inet is not None and unix is not None
    assert inet.command == "smtpd" and unix.command == "smtp"


def test_malformed_brace_groups_warn_like_postconf() -> None:
    svc = parse_master(b"smtp inet n - y - - smtpd {a}b {c\n").services[0]
    assert svc.args == ["a", "c"]
    assert svc.warnings == ["syntax error after '}' in \"{a}b\"", "missing '}' in \"{c\""]


@pytest.mark.parametrize(
    ("data", "message", "line", "column"),
    [
        (b"smtp inet n - y -\n", "bad field count", 1, 1),
        (b"\n\nx inet\n  n\n\n  n\n", "bad field count", 3, 1),
        (b"smtp tcp n - y - - smtpd\n", 'invalid type field "tcp" in "smtp tcp n - y - - smtpd"', 1, 6),
        (b"smtp inet x - y - - smtpd\n", 'invalid private field "x" in "smtp inet x - y - - smtpd"', 1, 11),
        (b"smtp inet n x y - - smtpd\n", 'invalid unprivileged field "x" in "smtp inet n x y - - smtpd"', 1, 13),
        (b"smtp inet n - x - - smtpd\n", 'invalid chroot field "x" in "smtp inet n - x - - smtpd"', 1, 15),
        (b"smtp inet n - - 1x - smtpd\n", 'invalid wakeup field "1x" in "smtp inet n - - 1x - smtpd"', 1, 17),
        (
            b"smtp inet n - y 10? z smtpd\n",
            'invalid process_limit field "z" in "smtp inet n - y 10? z smtpd"',
            1,
            21,
        ),
        (
            b"smtp   tcp  n -\ty - - smtpd\n  -o a=b\n",
            'invalid type field "tcp" in "smtp   tcp  n -?y - - smtpd  -o a=b"',
            1,
            8,
        ),
    ],
)
def test_master_errors(data: bytes, message: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        parse_master(data, path="master.cf")
    assert (info.value.message, info.value.line, info.value.column) == (message, line, column)


@pytest.mark.parametrize("wakeup", ["-", "0", "60", "60?", "?"])
def test_wakeup_values_postconf_accepts(wakeup: str) -> None:
    parse_master(f"pickup unix n - y {wakeup} 1 pickup\n".encode())


def test_parse_file_detects_kind(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    base = Path(str(tmp_path))
    (base / "main.cf").write_bytes(b"a = 1\n")
    (base / "master.cf").write_bytes(b"smtp inet n - y - - smtpd\n")
    main = mailconf.parse_file(base / "main.cf")
    master = mailconf.parse_file(base / "master.cf")
    assert main.kind == "postfix-main" and master.kind == "postfix-master"
    assert main.to_bytes() == b"a = 1\n"
