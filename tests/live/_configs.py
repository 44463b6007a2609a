"""Configurations under test: a secure baseline and variants that each open known weaknesses.

``build(name, main=..., smtp=..., submission=..., smtps=..., dovecot=...)`` starts from the
secure baseline and changes only what is given: main.cf parameters (None deletes one), ``-o``
overrides per master.cf service (None deletes one), and Dovecot lines appended or replaced.

Dovecot settings are given by their 2.3 names; on Dovecot 2.4 (chosen from ``dovecot --version``)
``build`` writes the same configuration in 2.4's form: the two version settings first, the renamed
settings (``ssl_server_cert_file``, ``auth_allow_cleartext``, ``mail_driver``/``mail_path``) and
named ``passdb``/``userdb`` sections with 2.4's settings.
"""

from __future__ import annotations

import functools
import subprocess

from tests.live._servers import PORTS, Config

BASE_MAIN: dict[str, str] = {
    "compatibility_level": "3.6",
    "queue_directory": "@QUEUE@",
    "data_directory": "@DATA@",
    "mail_owner": "postfix",
    "myhostname": "mail.example.test",
    "mydomain": "example.test",
    "myorigin": "$myhostname",
    "mydestination": "$myhostname, localhost",
    "inet_interfaces": "loopback-only",
    "inet_protocols": "ipv4",
    "mynetworks": "127.0.0.1/32",
    "maillog_file": "@MAILLOG@",
    "default_transport": "discard:the mailconf live tests never deliver",
    "relay_transport": "discard:the mailconf live tests never deliver",
    "local_transport": "discard:the mailconf live tests never deliver",
    "local_recipient_maps": "",
    "alias_maps": "",
    "alias_database": "",
    "notify_classes": "",
    "biff": "no",
    "smtpd_banner": "$myhostname ESMTP",
    "smtpd_tls_cert_file": "@CERT@",
    "smtpd_tls_key_file": "@KEY@",
    "smtpd_tls_security_level": "may",
    "smtpd_tls_auth_only": "yes",
    "smtpd_tls_protocols": ">=TLSv1.2",
    "smtpd_tls_mandatory_protocols": ">=TLSv1.2",
    "smtp_tls_security_level": "may",
    "smtpd_sasl_type": "dovecot",
    "smtpd_sasl_path": "private/auth",
    "smtpd_sasl_auth_enable": "no",
    "smtpd_sasl_security_options": "noanonymous",
    "smtpd_relay_restrictions": "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination",
}

BASE_SERVICES: dict[str, dict[str, str]] = {
    "smtp": {},
    "submission": {
        "syslog_name": "postfix/submission",
        "smtpd_tls_security_level": "encrypt",
        "smtpd_sasl_auth_enable": "yes",
        "smtpd_tls_auth_only": "yes",
        "smtpd_client_restrictions": "permit_sasl_authenticated,reject",
        "smtpd_relay_restrictions": "permit_sasl_authenticated,reject",
        "smtpd_recipient_restrictions": "permit_sasl_authenticated,reject",
    },
    "smtps": {
        "syslog_name": "postfix/smtps",
        "smtpd_tls_wrappermode": "yes",
        "smtpd_sasl_auth_enable": "yes",
        "smtpd_client_restrictions": "permit_sasl_authenticated,reject",
        "smtpd_relay_restrictions": "permit_sasl_authenticated,reject",
        "smtpd_recipient_restrictions": "permit_sasl_authenticated,reject",
    },
}

INTERNAL_SERVICES = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

BASE_DOVECOT: dict[str, str] = {
    "base_dir": "@BASE@/run",
    "state_dir": "@BASE@/state",
    "log_path": "@BASE@/dovecot.log",
    "listen": "127.0.0.1",
    "protocols": "imap pop3",
    "ssl": "required",
    "ssl_cert": "<@CERT@",
    "ssl_key": "<@KEY@",
    "ssl_min_protocol": "TLSv1.2",
    "disable_plaintext_auth": "yes",
    "auth_mechanisms": "plain login",
    "mail_location": "maildir:~/Maildir",
    "first_valid_uid": "1",
    "default_internal_user": "dovecot",
    "default_login_user": "dovenull",
    "auth_failure_delay": "0",
}

DOVECOT_SECTIONS = """\
passdb {
  driver = passwd-file
  args = @BASE@/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=@BASE@/home/%u
}
service imap-login {
  inet_listener imap {
    port = @PORT_imap@
  }
  inet_listener imaps {
    port = @PORT_imaps@
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = @PORT_pop3@
  }
  inet_listener pop3s {
    port = @PORT_pop3s@
    ssl = yes
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  unix_listener @AUTH_SOCKET@ {
    mode = @AUTH_MODE@
    user = @AUTH_USER@
    group = @AUTH_GROUP@
  }
}
"""

DOVECOT_SECTIONS_24 = DOVECOT_SECTIONS.replace(
    """passdb {
  driver = passwd-file
  args = @BASE@/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=@BASE@/home/%u
}
""",
    """passdb passwd-file {
  passwd_file_path = @BASE@/passwd
}
userdb static {
  fields {
    uid = nobody
    gid = nogroup
    home = @BASE@/home/%{user}
  }
}
""",
)

YES_NO = {"yes": "no", "no": "yes"}

AUTH_LISTENER = {"@AUTH_SOCKET@": "@QUEUE@/private/auth", "@AUTH_MODE@": "0660"}
AUTH_LISTENER |= {"@AUTH_USER@": "postfix", "@AUTH_GROUP@": "postfix"}


@functools.cache
def dovecot_version() -> str:
    """The installed Dovecot's version ("2.4.1" of "2.4.1-4 (7d8c0e5759)"); "" when there is none."""
    try:
        done = subprocess.run(["dovecot", "--version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return ""
    return done.stdout.split("-")[0].split(" ")[0].strip()


def dovecot_series() -> str:
    """Return "2.4" when the installed Dovecot is 2.4, else "2.3" (also when none is installed)."""
    return "2.4" if dovecot_version().startswith("2.4.") else "2.3"


def settings_24(settings: dict[str, str], version: str = "2.4.1") -> dict[str, str]:
    """The same settings under Dovecot 2.4's names (2.3 names as keys, in the same order), after the
    two version settings: the installed version, so that no default of a newer 2.4 changes back."""
    out = {"dovecot_config_version": version, "dovecot_storage_version": version}
    for name, value in settings.items():
        if name in ("ssl_cert", "ssl_key"):
            out[f"ssl_server_{name[4:]}_file"] = value.removeprefix("<")
        elif name == "disable_plaintext_auth":
            out["auth_allow_cleartext"] = YES_NO[value]
        elif name == "mail_location":
            driver, _, path = value.partition(":")
            out["mail_driver"], out["mail_path"] = driver, path
        else:
            out[name] = value
    return out


def _main_cf(params: dict[str, str]) -> str:
    return "".join(f"{name} = {value}\n" for name, value in params.items())


def _master_cf(services: dict[str, dict[str, str]]) -> str:
    lines = []
    for service, overrides in services.items():
        lines.append(f"127.0.0.1:{PORTS[service]} inet n - n - - smtpd")
        for name, value in overrides.items():
            if " " in value:
                lines.append(f"  -o {{ {name} = {value} }}")
            else:
                lines.append(f"  -o {name}={value}")
    return "\n".join(lines) + "\n" + INTERNAL_SERVICES


def build(
    name: str,
    *,
    main: dict[str, str | None] | None = None,
    smtp: dict[str, str | None] | None = None,
    submission: dict[str, str | None] | None = None,
    smtps: dict[str, str | None] | None = None,
    dovecot: dict[str, str | None] | None = None,
    dovecot_extra: str = "",
    auth_listener: dict[str, str] | None = None,
    cert_days: int | None = None,
    series: str | None = None,
) -> Config:
    params: dict[str, str] = dict(BASE_MAIN)
    for key, value in (main or {}).items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    services = {k: dict(v) for k, v in BASE_SERVICES.items()}
    for service, changes in (("smtp", smtp), ("submission", submission), ("smtps", smtps)):
        for key, value in (changes or {}).items():
            if value is None:
                services[service].pop(key, None)
            else:
                services[service][key] = value
    settings: dict[str, str] = dict(BASE_DOVECOT)
    for key, value in (dovecot or {}).items():
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    sections = DOVECOT_SECTIONS
    if (series or dovecot_series()) == "2.4":
        version = dovecot_version() if dovecot_series() == "2.4" else "2.4.1"
        settings, sections = settings_24(settings, version), DOVECOT_SECTIONS_24
    for service, port in PORTS.items():
        sections = sections.replace(f"@PORT_{service}@", str(port))
    for placeholder, value in (AUTH_LISTENER | (auth_listener or {})).items():
        sections = sections.replace(placeholder, value)
    dovecot_conf = "".join(f"{k} = {v}\n" for k, v in settings.items()) + sections + dovecot_extra
    notes = {"cert_days": str(cert_days)} if cert_days is not None else {}
    return Config(name, _main_cf(params), _master_cf(services), dovecot_conf, notes)
