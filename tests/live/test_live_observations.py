"""What the real daemons do with the secure configuration, seen through ``mailconf probe``.

The client connects from 127.0.0.2: outside mynetworks, and not Dovecot's own address (which
Dovecot would treat as secure).
"""

from __future__ import annotations

import pytest

from mailconf.probe import ProbeReport, ServiceReport
from tests.live._configs import dovecot_series
from tests.live._run import LiveRuns, VariantRun
from tests.live._servers import PASSWORD, PORTS

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def secure(live: LiveRuns) -> VariantRun:
    return live.get("secure")


@pytest.fixture(scope="module")
def report(secure: VariantRun) -> ProbeReport:
    return secure.probe


def svc(report: ProbeReport, name: str) -> ServiceReport:
    return report.service(name)


def test_secure_configuration_is_clean(report: ProbeReport) -> None:
    assert report.findings == []
    assert report.exit_status() == 0
    assert all(s.reachable for s in report.services)


def test_starttls_offered_on_25(report: ProbeReport) -> None:
    smtp = svc(report, "smtp")
    assert smtp.starttls_offered is True
    assert smtp.tls is not None and smtp.tls.version in ("TLSv1.2", "TLSv1.3")


def test_no_auth_before_starttls_on_587(report: ProbeReport) -> None:
    submission = svc(report, "submission")
    assert submission.starttls_offered is True
    assert submission.auth_before_tls == []
    assert submission.checks["mail_before_tls"].startswith("530")
    assert submission.auth_after_tls is not None and "PLAIN" in submission.auth_after_tls


def test_auth_succeeds_after_starttls(report: ProbeReport) -> None:
    for name in ("submission", "smtps"):
        assert svc(report, name).checks["login"].startswith("235"), name


def test_auth_fails_with_a_wrong_password(secure: VariantRun) -> None:
    wrong: ProbeReport = secure.extra["wrong_password"]
    for name in ("submission", "smtps", "pop3", "imap"):
        s = svc(wrong, name)
        assert "PRB005" in s.rules(), (name, s.findings)
        assert "login" in s.checks
    assert svc(wrong, "submission").checks["login"].startswith("535")
    assert wrong.exit_status() == 1


def test_mail_without_auth_refused_on_587_and_465(report: ProbeReport) -> None:
    for name in ("submission", "smtps"):
        checks = svc(report, name).checks
        assert checks["local_without_auth"].split(": ", 1)[1][:1] in ("4", "5"), checks
        assert checks["relay_without_auth"].split(": ", 1)[1][:1] in ("4", "5"), checks


def test_relay_refused_on_25_from_outside_mynetworks(report: ProbeReport) -> None:
    answer = svc(report, "smtp").checks["relay_without_auth"]
    assert "554 5.7.1" in answer and "Relay access denied" in answer


def test_relay_allowed_after_auth_on_587(report: ProbeReport) -> None:
    answer = svc(report, "submission").checks["relay_after_auth"]
    assert answer.endswith("250 2.1.5 Ok")


def test_465_speaks_tls_at_once(report: ProbeReport) -> None:
    smtps = svc(report, "smtps")
    assert smtps.tls_at_once is True
    assert smtps.greeting is not None and smtps.greeting.startswith("220")


def test_pop3_and_imap_refuse_plaintext_login_before_tls(report: ProbeReport) -> None:
    pop3, imap = svc(report, "pop3"), svc(report, "imap")
    assert pop3.checks["user_before_tls"].startswith("-ERR")
    # Dovecot 2.4 says "Cleartext" where 2.3 said "Plaintext"
    word = "Cleartext" if dovecot_series() == "2.4" else "Plaintext"
    assert f"{word} authentication disallowed" in pop3.checks["user_before_tls"]
    assert pop3.auth_before_tls == [] and pop3.starttls_offered
    assert imap.checks["login_before_tls"] == "LOGINDISABLED"
    assert imap.auth_before_tls == [] and imap.starttls_offered
    for s in (pop3, imap):
        assert s.checks["login"], s.service


def test_995_and_993_speak_tls_at_once(report: ProbeReport) -> None:
    for name in ("pop3s", "imaps"):
        s = svc(report, name)
        assert s.tls_at_once is True
        assert s.greeting is not None and s.greeting.startswith(("+OK", "* OK"))
        assert "login" in s.checks and "PRB005" not in s.rules()


def test_postfix_reaches_dovecot_sasl_socket(secure: VariantRun) -> None:
    assert svc(secure.probe, "submission").checks["login"].startswith("235")
    assert "SASL: Connect to" not in secure.maillog
    assert "method=PLAIN" in secure.dovecot_log or "Login: user=<probeuser>" in secure.dovecot_log
    assert "sasl_username=probeuser" in secure.maillog


def test_certificate_seen_and_verified(report: ProbeReport) -> None:
    for s in report.services:
        assert s.tls is not None, s.service
        cert = s.tls.certificate
        assert cert is not None
        assert cert.subject == "CN=mail.example.test" and cert.self_signed
        assert cert.verified and cert.days_left > 300
        assert s.tls.old_versions_accepted == [], s.service


def test_probe_command_json(secure: VariantRun) -> None:
    status, data, output = secure.extra["cli"]
    assert status == 0, output
    assert PASSWORD not in output
    assert data["findings"] == []
    assert [s["port"] for s in data["services"]] == list(PORTS.values())
    assert data["summary"]["exit_code"] == 0


def test_nothing_left_the_machine(secure: VariantRun) -> None:
    # the queue saw no message (no DATA was ever sent) and no smtp client ran; Postfix 3.10's
    # cleanup logs each transaction the probe opened and abandoned ("removed (canceled)")
    assert "postfix/smtp[" not in secure.maillog
    cleanup = [line for line in secure.maillog.splitlines() if "postfix/cleanup" in line]
    assert [line for line in cleanup if not line.endswith(": removed (canceled)")] == []
    assert "postfix/qmgr" not in secure.maillog
