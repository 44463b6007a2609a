"""RELAY101 describes what Postfix does without a relay guard: smtpd refuses to run (a dead
service), it is not an open relay; the guard must come before any ``permit``."""

from __future__ import annotations

from pathlib import Path

from tests.policy._helpers import only, run_lint, write_tree

MASTER = "smtp      inet  n       -       y       -       -       smtpd\n"


def _lint(tmp_path: Path, main: str, **options: object) -> list[str]:
    host = write_tree(tmp_path / "etc", {"postfix/main.cf": main, "postfix/master.cf": MASTER})
    return [f.message for f in only(run_lint([host], select=["RELAY101"], **options), "RELAY101")]


def test_message_says_dead_service_not_open_relay(tmp_path: Path) -> None:
    (message,) = _lint(
        tmp_path,
        "compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated\n",
    )
    assert "open relay" not in message
    assert "refuses to run" in message and "no mail is received" in message


def test_permit_before_the_guard_leaves_no_guard(tmp_path: Path) -> None:
    # smtpd looks for a guard up to the first 'permit' only.
    assert _lint(
        tmp_path,
        "compatibility_level = 3.6\nsmtpd_relay_restrictions = permit, reject_unauth_destination\n"
        "smtpd_recipient_restrictions = permit\n",
    )


def test_warn_if_reject_guard_is_no_guard(tmp_path: Path) -> None:
    assert _lint(
        tmp_path,
        "compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, warn_if_reject "
        "reject_unauth_destination\nsmtpd_recipient_restrictions =\n",
    )


def test_guard_present_is_clean(tmp_path: Path) -> None:
    assert not _lint(
        tmp_path,
        "compatibility_level = 3.6\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n",
    )


def test_before_210_only_recipient_restrictions_count(tmp_path: Path) -> None:
    main = (
        "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
        "smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated\n"
    )
    (message,) = _lint(tmp_path, main, postfix_version=(2, 6))
    assert "smtpd_recipient_restrictions" in message and "smtpd_relay_restrictions" not in message
    assert not _lint(tmp_path / "new", "compatibility_level = 3.6\n" + main, postfix_version=(3, 7))


def test_check_relay_domains_guards_before_30_only(tmp_path: Path) -> None:
    main = "smtpd_recipient_restrictions = permit_mynetworks, check_relay_domains\n"
    assert not _lint(tmp_path, main, postfix_version=(2, 6))
    assert _lint(
        tmp_path / "new",
        "compatibility_level = 3.6\nsmtpd_relay_restrictions =\n" + main,
        postfix_version=(3, 7),
    )
