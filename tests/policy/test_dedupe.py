"""The engine drops only identical findings: a rule's different messages at one place stay."""

from __future__ import annotations

from pathlib import Path

from mailconf.policy._finding import Finding
from mailconf.policy.engine import _dedupe
from tests.policy._helpers import run_lint, write_tree


def test_identical_findings_are_reported_once() -> None:
    a = Finding("TLS101", "warning", "no STARTTLS", "main.cf", 3, 1)
    b = Finding("TLS101", "warning", "no STARTTLS", "main.cf", 3, 1)
    assert _dedupe([a, b]) == [a]


def test_different_messages_of_one_rule_at_one_place_are_kept() -> None:
    a = Finding("TLS101", "warning", "smtpd_tls_security_level is none", "main.cf", 1, 1)
    b = Finding("TLS101", "warning", "smtpd_tls_cert_file is missing", "main.cf", 1, 1)
    c = Finding("TLS102", "warning", "smtpd_tls_security_level is none", "main.cf", 1, 1)
    d = Finding("TLS101", "warning", "smtpd_tls_security_level is none", "main.cf", 2, 1)
    assert _dedupe([a, b, c, d, a]) == [a, b, c, d]


def test_mailman_rules_still_merge_their_messages_per_place(tmp_path: Path) -> None:
    # MM rules join what they report at one place into one finding themselves: MM301's missing
    # transport_maps and local_recipient_maps (both defaults, both at main.cf line 1) are one finding.
    host = write_tree(
        tmp_path / "etc",
        {
            "postfix/main.cf": "compatibility_level = 3.6\nmydestination = localhost\n",
            "postfix/master.cf": "smtp      inet  n       -       y       -       -       smtpd\n",
            "mailman3/mailman.cfg": "[mta]\nincoming: mailman.mta.postfix.LMTP\n",
        },
    )
    result = run_lint([host], select=["MM"])
    places = [(f.rule, f.path, f.line, f.column) for f in result.findings]
    assert len(places) == len(set(places)), result.findings
    mm301 = [f for f in result.findings if f.rule == "MM301" and f.line == 1]
    assert len(mm301) == 1
    assert "transport_maps" in mm301[0].message and "local_recipient_maps" in mm301[0].message
