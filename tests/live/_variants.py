"""The configurations the live suite starts, and which weakness each rule's evidence looks for.

``secure`` is the fixed side of every pair. Each ``weak-*`` variant opens several weaknesses at
once, chosen so that they do not hide one another (different ports, or different daemons), which
keeps the number of daemon starts small.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.live._configs import build, dovecot_series
from tests.live._servers import Config

CRAM = "plain login cram-md5"
NO_GUARD = {
    "smtpd_client_restrictions": None,
    "smtpd_relay_restrictions": "permit_sasl_authenticated",
    "smtpd_recipient_restrictions": "permit_sasl_authenticated",
    "smtpd_sasl_auth_enable": "no",
}


def trusted_clear(series: str) -> dict[str, str | None]:
    """Dovecot 2.4 requires TLS from login_trusted_networks too when ssl = required (2.4.0 NEWS):
    there the trusted network logs in in clear only with ssl = yes."""
    return {"ssl": "yes"} if series == "2.4" else {}


def variants(series: str | None = None) -> dict[str, Config]:
    """Every configuration, in the form of Dovecot ``series`` (default: the installed one)."""
    series = series or dovecot_series()
    return {
        "secure": build("secure", series=series),
        # TLS103 (25 without STARTTLS), TLS101 + AUTH103 (587: TLS optional, AUTH before it),
        # TLS102 (465 without wrapper mode), TLS106 (Postfix's default protocols: TLSv1 and TLSv1.1 too);
        # Dovecot TLS201 (ssl = yes, CRAM-MD5 works without TLS).
        "weak-tls": build(
            "weak-tls",
            series=series,
            main={
                "smtpd_tls_security_level": "none",
                "smtpd_tls_protocols": None,
                "smtpd_tls_mandatory_protocols": None,
            },
            submission={"smtpd_tls_security_level": "may", "smtpd_tls_auth_only": "no"},
            smtps={"smtpd_tls_wrappermode": None},
            dovecot={"ssl": "yes", "auth_mechanisms": CRAM},
        ),
        # RELAY103 (mynetworks = the world, seen on 25), AUTH102 (587 accepts local mail without AUTH),
        # AUTH101 (465 without SASL); Dovecot AUTH201 (plaintext passwords allowed before TLS).
        "weak-auth": build(
            "weak-auth",
            series=series,
            main={"mynetworks": "0.0.0.0/0"},
            submission={
                "smtpd_client_restrictions": None,
                "smtpd_relay_restrictions": "permit_sasl_authenticated,reject_unauth_destination",
                "smtpd_recipient_restrictions": "permit_sasl_authenticated,reject_unauth_destination",
            },
            smtps={"smtpd_sasl_auth_enable": "no"},
            dovecot={"ssl": "yes", "disable_plaintext_auth": "no"},
        ),
        # RELAY102 (25: a client lookup that says OK before the guard), AUTH105 (SMTP AUTH on 25),
        # RELAY101 (465: no guard at all); Dovecot TLS202 (ssl = yes for pop3 only, with CRAM-MD5).
        "weak-relay": build(
            "weak-relay",
            series=series,
            main={
                "smtpd_relay_restrictions": "permit_mynetworks, check_client_access inline:{127.0.0.2=OK}, "
                "permit_sasl_authenticated, reject_unauth_destination",
                "smtpd_sasl_auth_enable": "yes",
            },
            smtps=NO_GUARD,
            dovecot={"auth_mechanisms": CRAM},
            dovecot_extra="protocol pop3 {\n  ssl = yes\n}\n",
        ),
        # XREF301 (smtpd_sasl_path names no Dovecot listener), TLS105 (25: TLS without a certificate);
        # Dovecot TLS203 (TLSv1 allowed; OpenSSL 3 also needs the security level lowered to speak it).
        "weak-sasl-path": build(
            "weak-sasl-path",
            series=series,
            main={"smtpd_sasl_path": "private/auth-missing"},
            smtp={"smtpd_tls_cert_file": "", "smtpd_tls_key_file": ""},
            dovecot={"ssl_min_protocol": "TLSv1", "ssl_cipher_list": "DEFAULT:@SECLEVEL=0"},
        ),
        # XREF302 (the listener exists but Postfix may not connect to it), TLS104 (25 requires TLS),
        # CERT103 (a certificate that expires in 10 days); Dovecot AUTH202 (the client's address is a
        # trusted network).
        "weak-sasl-mode": build(
            "weak-sasl-mode",
            series=series,
            auth_listener={"@AUTH_MODE@": "0600", "@AUTH_USER@": "dovecot", "@AUTH_GROUP@": "dovecot"},
            smtp={"smtpd_tls_security_level": "encrypt"},
            dovecot={"login_trusted_networks": "127.0.0.2/32", **trusted_clear(series)},
            cert_days=10,
        ),
    }


VARIANTS: dict[str, Config] = variants()


@dataclass(frozen=True)
class Evidence:
    """Rule ``rule``: variant ``weak`` (with ``change``) shows the weakness as one of the probe
    findings ``seen`` on ``service``; ``fact`` names what to quote from the probe's observations."""

    rule: str
    weak: str
    change: str
    service: str
    seen: frozenset[str]
    fact: str


def _e(rule: str, weak: str, change: str, service: str, seen: str, fact: str) -> Evidence:
    return Evidence(rule, weak, change, service, frozenset(seen.split()), fact)


EVIDENCE: tuple[Evidence, ...] = (
    _e("TLS101", "weak-tls", "submission: `-o smtpd_tls_security_level=may`", "submission", "TLS101",
       "mail_before_tls"),
    _e("TLS102", "weak-tls", "smtps (465): no `-o smtpd_tls_wrappermode=yes`", "smtps", "TLS102", "tls_at_once"),
    _e("TLS103", "weak-tls", "main.cf: `smtpd_tls_security_level = none`", "smtp", "TLS103", "starttls"),
    _e("TLS104", "weak-sasl-mode", "smtp (25): `-o smtpd_tls_security_level=encrypt`", "smtp", "TLS104",
       "mail_before_tls"),
    _e("TLS105", "weak-sasl-path", "smtp (25): `-o smtpd_tls_cert_file= -o smtpd_tls_key_file=`", "smtp",
       "TLS103 TLS105", "starttls"),
    _e("TLS106", "weak-tls", "main.cf: no `smtpd_tls_protocols`/`smtpd_tls_mandatory_protocols` (defaults)",
       "submission", "TLS106", "old_versions"),
    _e("TLS201", "weak-tls", "dovecot: `ssl = yes`, `auth_mechanisms = plain login cram-md5`", "imap", "TLS201",
       "auth_before_tls"),
    _e("TLS202", "weak-relay", "dovecot: `ssl = required`, `protocol pop3 { ssl = yes }`, cram-md5", "pop3",
       "TLS201", "auth_before_tls"),
    _e("TLS203", "weak-sasl-path", "dovecot: `ssl_min_protocol = TLSv1`, `ssl_cipher_list = DEFAULT:@SECLEVEL=0`",
       "imaps", "TLS203", "old_versions"),
    _e("AUTH101", "weak-auth", "smtps (465): `-o smtpd_sasl_auth_enable=no`", "smtps", "AUTH101",
       "auth_after_tls"),
    _e("AUTH102", "weak-auth",
       "submission: `-o smtpd_recipient_restrictions=permit_sasl_authenticated,reject_unauth_destination`",
       "submission", "AUTH102", "local_without_auth"),
    _e("AUTH103", "weak-tls", "submission: `-o smtpd_tls_security_level=may -o smtpd_tls_auth_only=no`",
       "submission", "AUTH103", "auth_before_tls"),
    _e("AUTH105", "weak-relay", "main.cf: `smtpd_sasl_auth_enable = yes`", "smtp", "AUTH105", "auth_after_tls"),
    _e("AUTH201", "weak-auth", "dovecot: `ssl = yes`, `disable_plaintext_auth = no`", "imap", "AUTH201",
       "login_before_tls"),
    _e("AUTH202", "weak-sasl-mode",
       "dovecot: `login_trusted_networks = 127.0.0.2/32`" + ", `ssl = yes`" * bool(trusted_clear(dovecot_series())),
       "imap", "AUTH201", "login_before_tls"),
    _e("AUTH203", "weak-tls", "dovecot: `auth_mechanisms = plain login cram-md5`", "imap", "AUTH203",
       "auth_after_tls"),
    _e("CERT103", "weak-sasl-mode", "a certificate valid for 10 days", "imaps", "CERT103", "cert"),
    _e("RELAY101", "weak-relay",
       "smtps (465): `-o smtpd_relay_restrictions=permit_sasl_authenticated "
       "-o smtpd_recipient_restrictions=permit_sasl_authenticated`",
       "smtps", "RELAY101 PRB002 PRB003", "relay_without_auth"),
    _e("RELAY102", "weak-relay",
       "main.cf: `smtpd_relay_restrictions = permit_mynetworks, check_client_access inline:{127.0.0.2=OK}, "
       "permit_sasl_authenticated, reject_unauth_destination`",
       "smtp", "RELAY101", "relay_without_auth"),
    _e("RELAY103", "weak-auth", "main.cf: `mynetworks = 0.0.0.0/0`", "smtp", "RELAY101", "relay_without_auth"),
    _e("XREF301", "weak-sasl-path", "main.cf: `smtpd_sasl_path = private/auth-missing`", "submission",
       "AUTH101 PRB002 PRB005", "login"),
    _e("XREF302", "weak-sasl-mode", "dovecot: auth listener `mode = 0600`, `user = dovecot`", "submission",
       "AUTH101 PRB002 PRB005", "login"),
)  # fmt: skip

# What the daemon itself logs on the weak side (and never on the fixed side).
DAEMON_LOG: dict[str, str] = {
    "TLS105": "No server certs available. TLS won't be enabled",
    "RELAY101": "specify at least one working instance of: reject_unauth_destination",
    "XREF301": "SASL: Connect to Dovecot auth socket 'private/auth-missing' failed: No such file or directory",
    "XREF302": "SASL: Connect to Dovecot auth socket 'private/auth' failed: Permission denied",
}
