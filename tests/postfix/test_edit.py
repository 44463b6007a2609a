"""Edits of main.cf and master.cf: only the bytes that must change change; layouts are kept."""

from __future__ import annotations

import pytest

from mailconf.errors import EditError
from mailconf.postfix import parse_main, parse_master


def edited_main(data: bytes, op: str, *args: str, **kwargs: str) -> bytes:
    doc = parse_main(data)
    getattr(doc, op)(*args, **kwargs)
    return doc.to_bytes()


# -- main.cf: set --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "name", "value", "after"),
    [
        (b"a = 1\nb = 2\n", "a", "x", b"a = x\nb = 2\n"),
        (b"a=1\nb=2\n", "b", "x y", b"a=1\nb=x y\n"),
        (b"a\t=\t1\t\t\n", "a", "2", b"a\t=\t2\t\t\n"),  # separator and trailing blanks kept
        (b"a = 1\r\nb = 2\r\n", "a", "3", b"a = 3\r\nb = 2\r\n"),  # CRLF kept
        (b"a = 1", "a", "2", b"a = 2"),  # no final newline kept
        (b"a = 1\n  2\n# c\n  3\nb = 4\n", "a", "z", b"a = z\n# c\nb = 4\n"),  # comment inside stays
        (b"a =\n", "a", "v", b"a = v\n"),
        (b"a=\n", "a", "v", b"a=v\n"),
        (b"a = 1\n", "a", "", b"a =\n"),
        (b"a = 1\na = 2\n", "a", "3", b"a = 1\na = 3\n"),  # the winning (last) entry
        (b"a =\n    x,\n    y\n", "a", "p,\nq,\nr", b"a =\n    p,\n    q,\n    r\n"),
        (b"a = 1\n", "a", "p,\nq", b"a = p,\n    q\n"),  # default indentation
        (b"a = 1\nb =\n\tx\n", "a", "p,\nq", b"a = p,\n\tq\nb =\n\tx\n"),  # the file's indentation
    ],
)
def test_set_replaces_only_the_value(before: bytes, name: str, value: str, after: bytes) -> None:
    assert edited_main(before, "set", name, value) == after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"a = 1\nb = 2\n", b"a = 1\nb = 2\nnew = v\n"),
        (b"a=1\nb=2\n", b"a=1\nb=2\nnew=v\n"),  # house style without blanks
        (b"a = 1\n# trailing comment\n\n", b"a = 1\nnew = v\n# trailing comment\n\n"),  # after the last entry
        (b"a = 1", b"a = 1\nnew = v"),  # no final newline: the old last line gains one, the file still ends without
        (b"a = 1\r\n", b"a = 1\r\nnew = v\r\n"),
        (b"", b"new = v\n"),
        (b"# only a comment\n", b"# only a comment\nnew = v\n"),
    ],
)
def test_set_appends_new_entries_in_house_style(before: bytes, after: bytes) -> None:
    assert edited_main(before, "set", "new", "v") == after


def test_set_rejects_bad_names_and_comment_lines() -> None:
    doc = parse_main(b"a = 1\n")
    for name in ("", "a b", "a=b", "#a"):
        with pytest.raises(EditError):
            doc.set(name, "x")
    with pytest.raises(EditError):
        doc.set("a", "x\n# not a value line")
    assert doc.to_bytes() == b"a = 1\n"


def test_set_value_is_what_postfix_reads() -> None:
    doc = parse_main(b"a = 1\n")
    doc.set("a", "  spaced value  ")
    param = doc.get("a")
    assert param is not None and param.value == "spaced value"


# -- main.cf: remove, comment out ------------------------------------------------------------------


def test_remove_every_entry_keeps_comments_inside() -> None:
    data = b"a = 1\nb = 2\n  # inside\n  more\nb = 3\nc = 4"
    doc = parse_main(data)
    assert doc.remove("b") == 2
    assert doc.to_bytes() == b"a = 1\n  # inside\nc = 4"
    assert doc.remove("nothing") == 0


def test_remove_last_entry_of_file_without_final_newline_leaves_the_line_before_alone() -> None:
    assert edited_main(b"a = 1\nb = 2", "remove", "b") == b"a = 1\n"


def test_comment_out_prefixes_each_entry_line() -> None:
    data = b"a = 1\nb = 2\n\n  3\nc = 4\n"
    assert edited_main(data, "comment_out", "b") == b"a = 1\n#b = 2\n\n#  3\nc = 4\n"


# -- main.cf: list items ---------------------------------------------------------------------------

ONE_PER_LINE = b"""smtpd_relay_restrictions =
    permit_mynetworks,
    permit_sasl_authenticated,
    defer_unauth_destination
"""


@pytest.mark.parametrize(
    ("before", "item", "kwargs", "after"),
    [
        (
            ONE_PER_LINE,
            "reject_unauth_destination",
            {},
            b"smtpd_relay_restrictions =\n    permit_mynetworks,\n    permit_sasl_authenticated,\n"
            b"    defer_unauth_destination,\n    reject_unauth_destination\n",
        ),
        (
            ONE_PER_LINE,
            "reject_unauth_destination",
            {"after": "permit_mynetworks"},
            b"smtpd_relay_restrictions =\n    permit_mynetworks,\n    reject_unauth_destination,\n"
            b"    permit_sasl_authenticated,\n    defer_unauth_destination\n",
        ),
        (
            ONE_PER_LINE,
            "reject_unauth_destination",
            {"before": "defer_unauth_destination"},
            b"smtpd_relay_restrictions =\n    permit_mynetworks,\n    permit_sasl_authenticated,\n"
            b"    reject_unauth_destination,\n    defer_unauth_destination\n",
        ),
        (b"r = a, b\n", "c", {}, b"r = a, b, c\n"),
        (b"r = a,b\n", "c", {}, b"r = a,b,c\n"),
        (b"r = a b\n", "c", {"before": "b"}, b"r = a c b\n"),
        (b"r = a, b\n", "c", {"before": "a"}, b"r = c, a, b\n"),
        (b"r = x,\n\ta,\n\tb,\n", "c", {}, b"r = x,\n\ta,\n\tb,\n\tc,\n"),  # trailing-comma style
        (b"r = x\n  a\n  b\n", "c", {}, b"r = x\n  a\n  b\n  c\n"),  # blanks only, one per line
        (b"r = a\n    , b\n", "c", {}, b"r = a\n    , b\n    , c\n"),  # leading-comma style
        (b"r = a, b,\n  c, d\n", "e", {}, b"r = a, b,\n  c, d, e\n"),  # several per line: same line
        (
            b"r = permit_mynetworks, reject\n",
            "check_client_access hash:/etc/postfix/access",
            {"after": "permit_mynetworks"},
            b"r = permit_mynetworks, check_client_access hash:/etc/postfix/access, reject\n",
        ),
        (b"r =\n", "a", {}, b"r = a\n"),
        (b"r = a, b\r\n", "c", {}, b"r = a, b, c\r\n"),
    ],
)
def test_add_list_item_keeps_the_layout(before: bytes, item: str, kwargs: dict[str, str], after: bytes) -> None:
    assert (
        edited_main(
            before, "add_list_item", "r" if before.startswith(b"r") else "smtpd_relay_restrictions", item, **kwargs
        )
        == after
    )


def test_add_list_item_present_or_absent() -> None:
    doc = parse_main(b"r = a, b\n")
    assert doc.add_list_item("r", "a") is False
    with pytest.raises(EditError):
        doc.add_list_item("r", "c", after="missing")
    with pytest.raises(EditError):
        doc.add_list_item("absent", "c")  # the document does not know the default
    assert doc.add_list_item("absent", "c", default="a, b") is True
    assert doc.to_bytes() == b"r = a, b\nabsent = a, b, c\n"


@pytest.mark.parametrize(
    ("before", "item", "after"),
    [
        (
            ONE_PER_LINE,
            "defer_unauth_destination",
            b"smtpd_relay_restrictions =\n    permit_mynetworks,\n    permit_sasl_authenticated\n",
        ),
        (
            ONE_PER_LINE,
            "permit_sasl_authenticated",
            b"smtpd_relay_restrictions =\n    permit_mynetworks,\n    defer_unauth_destination\n",
        ),
        (b"r = a, b, c\n", "b", b"r = a, c\n"),
        (b"r = a, b, c\n", "a", b"r = b, c\n"),
        (b"r = a, b, c\n", "c", b"r = a, b\n"),
        (b"r = a b a\n", "a", b"r = b\n"),
        (b"r = a,\n  b\n", "a", b"r =\n  b\n"),
        (b"r = a, check_client_access hash:/x, b\n", "check_client_access hash:/x", b"r = a, b\n"),
        (b"r = x,\n\ta,\n\tb,\n", "b", b"r = x,\n\ta,\n"),
    ],
)
def test_remove_list_item_keeps_the_layout(before: bytes, item: str, after: bytes) -> None:
    name = "r" if before.startswith(b"r") else "smtpd_relay_restrictions"
    assert edited_main(before, "remove_list_item", name, item) == after


def test_list_edit_meaning() -> None:
    doc = parse_main(ONE_PER_LINE)
    doc.add_list_item("smtpd_relay_restrictions", "reject_unauth_destination", after="permit_sasl_authenticated")
    doc.remove_list_item("smtpd_relay_restrictions", "defer_unauth_destination")
    param = doc.get("smtpd_relay_restrictions")
    assert param is not None
    items = param.value.replace(",", " ").split()
    assert items == ["permit_mynetworks", "permit_sasl_authenticated", "reject_unauth_destination"]


# -- master.cf ------------------------------------------------------------------------------------

DEBIAN = b"""# ==========================================================================
# service type  private unpriv  chroot  wakeup  maxproc command + args
# ==========================================================================
smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
#  -o smtpd_sasl_auth_enable=yes
  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }
pickup    unix  n       -       y       60      1       pickup
maildrop  unix  -       n       n       -       -       pipe
  flags=DRXhu user=vmail argv=/usr/bin/maildrop -d ${recipient}
"""


def lines_of(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def test_set_override_in_place_keeps_braces_and_layout() -> None:
    doc = parse_master(DEBIAN)
    doc.set_override("submission", "inet", "smtpd_tls_security_level", "may")
    doc.set_override("submission", "inet", "smtpd_client_restrictions", "permit_sasl_authenticated, defer")
    out = doc.to_bytes()
    expected = DEBIAN.replace(b"level=encrypt", b"level=may").replace(
        b"authenticated, reject }", b"authenticated, defer }"
    )
    assert out == expected


def test_set_override_adds_a_line_like_the_others() -> None:
    doc = parse_master(DEBIAN)
    doc.set_override("submission", "inet", "smtpd_sasl_auth_enable", "yes")
    assert doc.to_bytes() == DEBIAN.replace(b"reject }\n", b"reject }\n  -o smtpd_sasl_auth_enable=yes\n")
    svc = doc.get("submission", "inet")
    assert svc is not None and svc.override("smtpd_sasl_auth_enable") is not None


def test_set_override_without_options_goes_before_the_arguments() -> None:
    doc = parse_master(DEBIAN)
    doc.set_override("smtp", "inet", "smtpd_upstream_proxy_protocol", "haproxy")
    doc.set_override("maildrop", "unix", "x", "y z")
    out = doc.to_bytes()
    assert b"smtpd\n  -o smtpd_upstream_proxy_protocol=haproxy\nsubmission" in out
    assert b"pipe\n  -o { x = y z }\n  flags=DRXhu" in out
    svc = doc.get("maildrop", "unix")
    assert svc is not None
    override = svc.override("x")
    assert override is not None and override.value == "y z"


def test_set_override_inline_options_stay_inline() -> None:
    doc = parse_master(b"a unix - - n - - smtpd -o x=1\n")
    doc.set_override("a", "unix", "y", "2")
    doc.set_override("a", "unix", "x", "3")
    assert doc.to_bytes() == b"a unix - - n - - smtpd -o x=3 -o y=2\n"


def test_remove_override() -> None:
    doc = parse_master(DEBIAN)
    assert doc.remove_override("submission", "inet", "syslog_name") == 1
    assert doc.remove_override("submission", "inet", "smtpd_client_restrictions") == 1
    assert doc.remove_override("submission", "inet", "absent") == 0
    out = doc.to_bytes()
    assert out == DEBIAN.replace(b"  -o syslog_name=postfix/submission\n", b"").replace(
        b"  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n", b""
    )
    inline = parse_master(b"a unix - - n - - smtpd -o x=1 -o y=2 -v\n")
    inline.remove_override("a", "unix", "x")
    assert inline.to_bytes() == b"a unix - - n - - smtpd -o y=2 -v\n"


def test_overrides_after_a_non_option_are_inactive() -> None:
    doc = parse_master(b"a unix - - n - - pipe flags=x -o a=b\n")
    svc = doc.get("a", "unix")
    assert svc is not None
    assert svc.override("a") is None and not svc.overrides[0].active
    doc.set_override("a", "unix", "a", "c")
    assert doc.to_bytes() == b"a unix - - n - - pipe -o a=c flags=x -o a=b\n"


def test_set_field_keeps_columns() -> None:
    doc = parse_master(DEBIAN)
    doc.set_field("pickup", "unix", "wakeup", "3600")
    doc.set_field("smtp", "inet", "chroot", "n")
    out = doc.to_bytes()
    assert b"pickup    unix  n       -       y       3600    1       pickup\n" in out
    assert b"smtp      inet  n       -       n       -       -       smtpd\n" in out
    changed = [a for a, b in zip(lines_of(DEBIAN), lines_of(out), strict=True) if a != b]
    assert len(changed) == 2
    with pytest.raises(EditError):
        doc.set_field("smtp", "inet", "wakeup", "soon")
    with pytest.raises(EditError):
        doc.set_field("smtp", "inet", "nosuch", "1")
    with pytest.raises(EditError):
        doc.set_field("nosuch", "inet", "chroot", "y")


def test_set_field_command_replaces_command_and_arguments() -> None:
    doc = parse_master(DEBIAN)
    doc.set_field("maildrop", "unix", "command", "pipe flags=R argv=/bin/true")
    svc = doc.get("maildrop", "unix")
    assert svc is not None and svc.command == "pipe" and svc.args == ["flags=R", "argv=/bin/true"]


def test_add_service_aligned_like_neighbours() -> None:
    doc = parse_master(DEBIAN)
    doc.add_service(
        "submissions",
        "inet",
        "n",
        "-",
        "y",
        "-",
        "-",
        "smtpd",
        overrides={"syslog_name": "postfix/submissions", "smtpd_tls_wrappermode": "yes"},
    )
    out = doc.to_bytes()
    assert out.startswith(DEBIAN)
    assert out[len(DEBIAN) :] == (
        b"submissions inet n      -       y       -       -       smtpd\n"
        b"  -o syslog_name=postfix/submissions\n"
        b"  -o smtpd_tls_wrappermode=yes\n"
    )
    with pytest.raises(EditError):
        doc.add_service("smtp", "inet", command="smtpd")


def test_add_service_single_blank_style() -> None:
    doc = parse_master(b"smtp inet n - y - - smtpd\n")
    doc.add_service("relay", "unix", "-", "-", "n", "-", "-", "smtp", ["-v"])
    assert doc.to_bytes() == b"smtp inet n - y - - smtpd\nrelay unix - - n - - smtp -v\n"


def test_set_service_replaces_in_place_and_drops_duplicates() -> None:
    doc = parse_master(b"a unix - - n - - x\nb unix - - n - - y\na unix - - n - - z\n")
    doc.set_service("a unix - - y - - w")
    assert doc.to_bytes() == b"a unix - - y - - w\nb unix - - n - - y\n"
    with pytest.raises(EditError):
        doc.set_service("a tcp - - y - - w")
    with pytest.raises(EditError):
        doc.set_service("a unix -")


def test_remove_and_comment_out_service() -> None:
    doc = parse_master(DEBIAN)
    assert doc.remove_service("submission", "inet") == 1
    assert doc.to_bytes() == DEBIAN.replace(
        b"submission inet n       -       y       -       -       smtpd\n"
        b"  -o syslog_name=postfix/submission\n"
        b"  -o smtpd_tls_security_level=encrypt\n",
        b"",
    ).replace(b"  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n", b"")
    doc = parse_master(DEBIAN)
    assert doc.comment_out_service("maildrop", "unix") == 1
    assert doc.to_bytes().endswith(
        b"#maildrop  unix  -       n       n       -       -       pipe\n"
        b"#  flags=DRXhu user=vmail argv=/usr/bin/maildrop -d ${recipient}\n"
    )
    assert doc.get("maildrop", "unix") is None
    assert doc.remove_service("nosuch", "unix") == 0


@pytest.mark.parametrize(
    "data",
    [b"{ inet y y y - - smtpd\n", b"a{ inet y y y - - smtpd}\n", b"smtp inet y y {y - -} smtpd x\n"],
)
def test_master_fields_are_split_with_braces_like_postfix(data: bytes) -> None:
    from mailconf.errors import ParseError

    with pytest.raises(ParseError, match="bad field count"):
        parse_master(data)


def test_braced_command_is_one_field() -> None:
    svc = parse_master(b"smtp inet y y y - - {smtpd x} a\n").get("smtp", "inet")
    assert svc is not None and svc.command == "{smtpd x}" and svc.args == ["a"]
