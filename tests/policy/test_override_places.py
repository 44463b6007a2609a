"""Findings about a value that comes from a master.cf ``-o`` point at that ``-o`` line."""

from __future__ import annotations

from pathlib import Path

from tests.policy._helpers import only, run_lint, write_tree

MAIN = (
    "compatibility_level = 3.6\n"
    "smtpd_tls_cert_file = /etc/ssl/certs/mail.pem\n"
    "smtpd_tls_key_file = /etc/ssl/private/mail.key\n"
    "smtpd_tls_security_level = may\n"
    "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
)


def _places(tmp_path: Path, master: str, main: str = MAIN, rule: str = "TLS105") -> list[tuple[str, int, int]]:
    host = write_tree(tmp_path / "etc", {"postfix/main.cf": main, "postfix/master.cf": master})
    result = run_lint([host], select=[rule])
    return [(Path(f.path).name, f.line, f.column) for f in only(result, rule)]


def test_tls105_points_at_the_o_that_empties_the_certificate(tmp_path: Path) -> None:
    master = (
        "smtp      inet  n       -       y       -       -       smtpd\n"  # 1
        "  -o smtpd_tls_cert_file=\n"  # 2
        "  -o smtpd_tls_key_file=\n"  # 3
    )
    assert _places(tmp_path, master) == [("master.cf", 2, 3)]


def test_tls105_wrapper_mode_points_at_the_emptying_o(tmp_path: Path) -> None:
    master = (
        "smtp      inet  n       -       y       -       -       smtpd\n"  # 1
        "smtps     inet  n       -       y       -       -       smtpd\n"  # 2
        "  -o smtpd_tls_wrappermode=yes\n"  # 3
        "  -o { smtpd_tls_chain_files = }\n"  # 4
        "  -o { smtpd_tls_cert_file = }\n"  # 5
    )
    host_places = _places(tmp_path, master)
    assert host_places == [("master.cf", 5, 3)]


def test_tls105_without_certificate_anywhere_points_at_the_o_turning_tls_on(tmp_path: Path) -> None:
    main = "compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
    master = (
        "smtp      inet  n       -       y       -       -       smtpd\n"  # 1
        "submission inet n       -       y       -       -       smtpd\n"  # 2
        "  -o syslog_name=postfix/submission\n"  # 3
        "  -o smtpd_tls_security_level=encrypt\n"  # 4
    )
    assert _places(tmp_path, master, main) == [("master.cf", 4, 3)]


def test_tls105_from_main_cf_points_at_main_cf(tmp_path: Path) -> None:
    main = (
        "compatibility_level = 3.6\n"
        "smtpd_tls_security_level = may\n"  # 2
        "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
    )
    master = "smtp      inet  n       -       y       -       -       smtpd\n"
    assert _places(tmp_path, master, main) == [("main.cf", 2, 1)]


def test_tls101_expanded_override_points_at_the_o(tmp_path: Path) -> None:
    main = MAIN + "mua_tls = may\n"
    master = (
        "smtp      inet  n       -       y       -       -       smtpd\n"  # 1
        "submission inet n       -       y       -       -       smtpd\n"  # 2
        "  -o smtpd_tls_security_level=$mua_tls\n"  # 3
    )
    assert _places(tmp_path, master, main, rule="TLS101") == [("master.cf", 3, 3)]
