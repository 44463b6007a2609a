"""Every rule: a configuration that triggers it, and the fixed configuration that does not.

Each case starts from examples/office (which lints clean), applies edits that introduce the
mistake, and checks the rule fires; then applies the fix and checks it does not.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mailconf.policy.engine import LintResult
from mailconf.policy.registry import load_rules
from tests.policy._helpers import ROOT, only, run_lint

OFFICE = ROOT / "examples" / "office"
MAIN = "postfix/main.cf"
MASTER = "postfix/master.cf"
SSL = "dovecot/conf.d/10-ssl.conf"
AUTH = "dovecot/conf.d/10-auth.conf"
DMASTER = "dovecot/conf.d/10-master.conf"
DMAIL = "dovecot/conf.d/10-mail.conf"

Edit = tuple[str, str | None, str]  # (file, old text or None to append, new text)


@dataclass
class Case:
    rule: str
    bad: list[Edit]
    good: list[Edit] = field(default_factory=list)  # applied instead of ``bad`` (empty: the office base)
    options: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None
    where: tuple[str, int] | None = None  # (file, line) of the finding

    @property
    def id(self) -> str:
        return self.rule


def apply(base: Path, edits: list[Edit]) -> None:
    for rel, old, new in edits:
        target = base / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        text = target.read_text(encoding="latin-1") if target.exists() else ""
        if old is None:
            text = text + new
        else:
            assert old in text, f"{old!r} not in {rel}"
            text = text.replace(old, new, 1)
        target.write_text(text, encoding="latin-1")


def lint_with(tmp_path: Path, edits: list[Edit], **options: Any) -> LintResult:
    base = tmp_path / "office"
    if base.exists():
        shutil.rmtree(base)
    shutil.copytree(OFFICE, base)
    apply(base, edits)
    return run_lint([base], **options)


CASES = [
    Case("SYN001", [(MAIN, "smtpd_tls_security_level = may", "smtpd_tls_security_level may")]),
    Case(
        "SYN001",
        [(MAIN, None, "smtpd_banner = ${myhostname?ESMTP\n")],
        [(MAIN, None, "smtpd_banner = ${myhostname?ESMTP}\n")],
    ),
    Case("SYN002", [(MAIN, "# Office mail server", "  indented = yes\n# Office mail server")]),
    Case("SYN003", [(MAIN, None, "biff = yes\n")], [(MAIN, None, "biff = no\n")]),
    Case("SYN003", [(SSL, None, "ssl = yes\n")], [(SSL, None, "ssl = required\n")]),
    Case(
        "SYN004", [(MAIN, None, "smtpd_tls_securty_level = may\n")], [(MAIN, None, "smtpd_tls_security_level = may\n")]
    ),
    Case("SYN005", [(MAIN, None, "myorigin = $no_such_parameter\n")], [(MAIN, None, "myorigin = $mydomain\n")]),
    Case("SYN006", [(MAIN, None, "message_size_limit = 50M\n")], [(MAIN, None, "message_size_limit = 52428800\n")]),
    Case(
        "SYN007",
        [(MAIN, "smtpd_tls_security_level = may", "# mailconf: disable=TLS103\nsmtpd_tls_security_level = may")],
        [(MAIN, "smtpd_tls_security_level = may", "# mailconf: disable=TLS103\nsmtpd_tls_security_level = none")],
    ),
    Case(
        "SYN101",
        [
            (
                MASTER,
                "  -o syslog_name=postfix/submission",
                "  -o syslog_name=postfix/submission\n  -o smtpd_helo_required = yes",
            )
        ],
        [
            (
                MASTER,
                "  -o syslog_name=postfix/submission",
                "  -o syslog_name=postfix/submission\n  -o smtpd_helo_required=yes",
            )
        ],
    ),
    Case("SYN102", [(MASTER, None, "smtp      inet  n       -       y       -       -       smtpd\n")]),
    Case(
        "SYN201",
        [(DMAIL, "mail_privileged_group = mail", "mail_privileged_group = mail#group")],
        [(DMAIL, "mail_privileged_group = mail", "mail_privileged_group = mail # group")],
    ),
    Case(
        "SYN202",
        [(DMAIL, None, "mail_plugins = quota \\\n# acl\n  acl\n")],
        [(DMAIL, None, "mail_plugins = quota \\\n  acl\n")],
    ),
    Case("SYN203", [(DMASTER, "mode = 0600", "mode = 600")]),
    Case("SYN204", [(DMAIL, None, "login_greeting {\n}\n")], [(DMAIL, None, "login_greeting = Mail\n")]),
    Case("SYN205", [(SSL, None, "ssl_server_cert_file = /etc/ssl/certs/x.pem\n")]),
    Case("TLS101", [(MASTER, "smtpd_tls_security_level=encrypt", "smtpd_tls_security_level=may")]),
    Case("TLS102", [(MASTER, "  -o smtpd_tls_wrappermode=yes\n", "")]),
    Case("TLS103", [(MAIN, "smtpd_tls_security_level = may", "smtpd_tls_security_level = none")]),
    Case("TLS104", [(MAIN, "smtpd_tls_security_level = may", "smtpd_tls_security_level = encrypt")]),
    Case("TLS105", [(MAIN, "smtpd_tls_chain_files =", "#smtpd_tls_chain_files =")]),
    Case(
        "TLS106",
        [(MAIN, "smtpd_tls_mandatory_protocols = >=TLSv1.2", "smtpd_tls_mandatory_protocols = SSLv3, TLSv1")],
        severity="error",
    ),
    Case(
        "TLS106",
        [(MAIN, "smtpd_tls_mandatory_protocols = >=TLSv1.2", "smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3")],
        severity="warning",
    ),
    Case("TLS107", [(MAIN, None, "smtpd_tls_ciphers = export\n")], [(MAIN, None, "smtpd_tls_ciphers = medium\n")]),
    Case("TLS107", [(MAIN, None, "tls_high_cipherlist = HIGH:!aNULL\n")], severity="info"),
    Case("TLS108", [(MAIN, "smtp_tls_security_level = may", "smtp_tls_security_level = none")]),
    Case("TLS109", [(MAIN, None, "smtpd_tls_wrappermode = yes\n")], [(MAIN, None, "smtpd_tls_wrappermode = no\n")]),
    Case("TLS201", [(SSL, "ssl = required", "ssl = yes")], where=(SSL, 2)),
    Case(
        "TLS201",
        [("dovecot/conf.d/99-local.conf", None, "# local\nssl = yes\n")],
        where=("dovecot/conf.d/99-local.conf", 2),
    ),
    Case(
        "TLS202",
        [(SSL, None, "protocol pop3 {\n  ssl = yes\n}\n")],
        [(SSL, None, "protocol pop3 {\n  ssl = required\n}\n")],
    ),
    Case("TLS203", [(SSL, "ssl_min_protocol = TLSv1.2", "ssl_min_protocol = TLSv1")]),
    Case("TLS204", [(SSL, None, "ssl_cipher_list = ALL:RC4\n")], [(SSL, None, "ssl_cipher_list = HIGH:!aNULL:!RC4\n")]),
    Case("TLS205", [(DMASTER, "port = 0", "port = 143")], severity="info"),
    Case("TLS205", [(DMASTER, "port = 0", "port = 143")], options={"profile": "strict"}, severity="error"),
    Case("CERT201", [(SSL, "ssl_cert = </etc", "ssl_cert = /etc")]),
    Case("CERT202", [(SSL, "ssl_cert = </etc/ssl/certs/mail.example.org.pem\n", "")]),
    Case(
        "AUTH101",
        [
            (
                MASTER,
                "  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_client_restrictions=$mua_client_restrictions\nsmtps",
                "  -o smtpd_client_restrictions=$mua_client_restrictions\nsmtps",
            )
        ],
    ),
    Case("AUTH102", [(MASTER, "  -o smtpd_client_restrictions=$mua_client_restrictions\nsmtps", "smtps")]),
    Case(
        "AUTH102",
        [
            (MAIN, "mynetworks = 127.0.0.0/8 [::1]/128", "mynetworks = 127.0.0.0/8 [::1]/128 192.168.1.0/24"),
            (MAIN, "mua_client_restrictions = permit_sasl", "mua_client_restrictions = permit_mynetworks, permit_sasl"),
        ],
        [(MAIN, "mua_client_restrictions = permit_sasl", "mua_client_restrictions = permit_mynetworks, permit_sasl")],
    ),
    Case(
        "AUTH103",
        [
            (MAIN, "smtpd_tls_auth_only = yes", "smtpd_tls_auth_only = no"),
            (MAIN, "noanonymous, noplaintext", "noanonymous"),
            (MAIN, "smtpd_sasl_auth_enable = no", "smtpd_sasl_auth_enable = yes"),
        ],
        [
            (MAIN, "noanonymous, noplaintext", "noanonymous"),
            (MAIN, "smtpd_sasl_auth_enable = no", "smtpd_sasl_auth_enable = yes"),
        ],
    ),
    Case(
        "AUTH104",
        [(MAIN, "smtpd_sasl_security_options = noanonymous, noplaintext", "smtpd_sasl_security_options = noplaintext")],
    ),
    Case("AUTH105", [(MAIN, "smtpd_sasl_auth_enable = no", "smtpd_sasl_auth_enable = yes")]),
    Case(
        "AUTH106",
        [(MAIN, "smtpd_sasl_path = private/auth", "smtpd_sasl_path = inet:10.0.0.5:12345")],
        [(MAIN, "smtpd_sasl_path = private/auth", "smtpd_sasl_path = inet:127.0.0.1:12345")],
    ),
    Case(
        "AUTH107",
        [
            (
                MAIN,
                "smtpd_recipient_restrictions = permit_mynetworks,",
                "smtpd_recipient_restrictions = check_client_access hash:/etc/postfix/pop-before-smtp, "
                "permit_mynetworks,",
            )
        ],
        [
            (
                MAIN,
                "smtpd_recipient_restrictions = permit_mynetworks,",
                "smtpd_recipient_restrictions = check_client_access hash:/etc/postfix/client_checks, "
                "permit_mynetworks,",
            )
        ],
    ),
    Case("AUTH201", [(AUTH, "disable_plaintext_auth = yes", "disable_plaintext_auth = no")]),
    Case("AUTH202", [(AUTH, None, "login_trusted_networks = 10.0.0.0/8\n")], severity="error"),
    Case("AUTH202", [(AUTH, None, "login_trusted_networks = 192.0.2.10\n")], severity="warning"),
    Case("AUTH203", [(AUTH, "auth_mechanisms = plain login", "auth_mechanisms = plain login cram-md5")]),
    Case(
        "RELAY101",
        [
            (MAIN, "permit_sasl_authenticated, reject_unauth_destination\n", "permit_sasl_authenticated\n"),
            (
                MAIN,
                "smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, "
                "reject_unauth_destination,",
                "smtpd_recipient_restrictions =",
            ),
        ],
    ),
    Case(
        "RELAY102",
        [
            (
                MAIN,
                "smtpd_relay_restrictions = permit_mynetworks,",
                "smtpd_relay_restrictions = check_sender_access hash:/etc/postfix/ok, permit_mynetworks,",
            )
        ],
        [
            (
                MAIN,
                "reject_unauth_destination\n",
                "reject_unauth_destination, check_sender_access hash:/etc/postfix/ok\n",
            )
        ],
    ),
    Case("RELAY103", [(MAIN, "mynetworks = 127.0.0.0/8 [::1]/128", "mynetworks = 0.0.0.0/0")], severity="error"),
    Case(
        "RELAY103",
        [(MAIN, "mynetworks = 127.0.0.0/8 [::1]/128", "mynetworks = 127.0.0.0/8 198.51.0.0/16")],
        severity="error",
    ),
    Case(
        "RELAY103",
        [(MAIN, "mynetworks = 127.0.0.0/8 [::1]/128", "mynetworks_style = subnet")],
        [(MAIN, "mynetworks = 127.0.0.0/8 [::1]/128", "mynetworks_style = host")],
        severity="warning",
    ),
    Case("RELAY104", [(MAIN, "compatibility_level = 3.6", "")], options={"postfix_version": (3, 7)}),
    Case(
        "XREF301",
        [(DMASTER, "/var/spool/postfix/private/auth {", "/var/spool/postfix/private/auth-other {")],
    ),
    Case(
        "XREF302",
        [
            (
                DMASTER,
                "mode = 0660\n    user = postfix\n    group = postfix",
                "mode = 0660\n    user = dovecot\n    group = dovecot",
            )
        ],
        severity="error",
    ),
    Case("XREF302", [(DMASTER, "mode = 0660", "mode = 0666")], severity="warning"),
    Case(
        "XREF303",
        [
            (MAIN, "smtpd_sasl_path = private/auth", "smtpd_sasl_path = /var/run/dovecot/auth-postfix"),
            (DMASTER, "/var/spool/postfix/private/auth {", "/var/run/dovecot/auth-postfix {"),
        ],
    ),
    Case("XREF304", [("dovecot/dovecot.conf", "protocols = imap pop3 lmtp", "protocols = imap pop3")]),
    Case("LEG101", [(MAIN, None, "smtpd_use_tls = yes\n")]),
    Case(
        "LEG102",
        [],
        [
            (MAIN, "compatibility_level = 3.6\n", ""),
            (
                MAIN,
                "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n",
                "",
            ),
            (
                MAIN,
                "smtpd_tls_chain_files = /etc/ssl/private/mail.example.org.key, /etc/ssl/certs/mail.example.org.pem",
                "smtpd_tls_cert_file = /etc/ssl/certs/mail.example.org.pem\n"
                "smtpd_tls_key_file = /etc/ssl/private/mail.example.org.key",
            ),
            (MAIN, "smtpd_tls_protocols = >=TLSv1", "smtpd_tls_protocols = !SSLv2, !SSLv3"),
            (
                MAIN,
                "smtpd_tls_mandatory_protocols = >=TLSv1.2",
                "smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1",
            ),
        ],
        options={"postfix_version": (2, 6)},
    ),
    Case("LEG201", [(SSL, None, "ssl_cert_file = /etc/ssl/certs/x.pem\n")]),
]


def test_office_example_is_clean() -> None:
    result = run_lint([OFFICE])
    assert result.findings == [] and not result.failed


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{i}" for i, c in enumerate(CASES)])
def test_rule_triggers_and_fix_clears(case: Case, tmp_path: Path) -> None:
    bad = lint_with(tmp_path, case.bad, **case.options)
    found = only(bad, case.rule)
    assert found, f"{case.rule} not reported; got {[(f.rule, f.message) for f in bad.findings]}"
    if case.severity is not None:
        assert case.severity in {f.severity for f in found}, [(f.severity, f.message) for f in found]
    if case.where is not None:
        rel, line = case.where
        assert any(f.path.endswith(rel) and f.line == line for f in found), [(f.path, f.line) for f in found]
    for finding in found:
        assert finding.message and finding.line >= 1 and finding.column >= 1
    good = lint_with(tmp_path, case.good, **case.options)
    assert only(good, case.rule) == [], [(f.rule, f.message) for f in good.findings]


def test_every_non_mailman_rule_has_a_case() -> None:
    covered = {c.rule for c in CASES}
    missing = {r for r in load_rules() if not r.startswith("MM")} - covered - {"CERT101", "CERT102", "CERT103"}
    assert missing == set()
