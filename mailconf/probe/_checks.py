"""The checks run against each named service, and the findings they give.

Rules of conduct: connect only to the ports named; bound every wait; never send DATA (envelope
tests end with RSET and QUIT); never send a password before TLS; never print a password.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from mailconf.probe._model import PROBE_RULES, ProbeReport, ServiceReport
from mailconf.probe._net import Conn, Endpoint, ProbeError, client_context
from mailconf.probe._protocols import (
    Credentials,
    Imap,
    Pop3,
    Reply,
    Smtp,
    StartTlsRefused,
    auth_mechanisms,
    imap_mechanisms,
    pop3_mechanisms,
    shorten,
)

SERVICES: dict[str, tuple[str, int]] = {
    "smtp": ("smtp", 25),
    "submission": ("smtp", 587),
    "smtps": ("smtps", 465),
    "pop3": ("pop", 110),
    "pop3s": ("pops", 995),
    "imap": ("imap", 143),
    "imaps": ("imaps", 993),
}
PLAINTEXT_MECHANISMS = frozenset({"PLAIN", "LOGIN"})
WEAK_MECHANISMS = frozenset({"CRAM-MD5", "DIGEST-MD5", "NTLM", "RPA", "APOP", "ANONYMOUS"})
OUTSIDE_RECIPIENT = "probe@example.com"
LOCAL_PART = "postmaster"
PROBE_USER = "mailconf-probe"
OLD_VERSIONS = (("TLSv1", ssl.TLSVersion.TLSv1), ("TLSv1.1", ssl.TLSVersion.TLSv1_1))
EXPIRY_WARNING_DAYS = 30

_ERROR_RULES = {"connect": "PRB001", "protocol": "PRB002", "tls": "PRB003", "verify": "PRB003"}

S = TypeVar("S", Smtp, Pop3, Imap)


@dataclass(frozen=True)
class ProbeOptions:
    """What to probe. ``ports`` maps service names (keys of :data:`SERVICES`) to port numbers."""

    host: str
    ports: dict[str, int]
    timeout: float = 10.0
    source_address: str | None = None
    credentials: Credentials | None = None
    ca_file: str | None = None
    tls_versions: bool = True
    extra: dict[str, str] = field(default_factory=dict)


def service_url(service: str, host: str, port: int) -> str:
    scheme = SERVICES[service][0]
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


def run_probe(options: ProbeOptions) -> ProbeReport:
    """Probe every named service in turn; never raises for network or protocol trouble."""
    unknown = set(options.ports) - set(SERVICES)
    if unknown:
        raise ValueError(f"unknown service(s): {', '.join(sorted(unknown))}")
    reports = []
    for service in SERVICES:
        if service not in options.ports:
            continue
        port = options.ports[service]
        report = ServiceReport(service, service_url(service, options.host, port), port)
        _ServiceProbe(options, report).run()
        reports.append(report)
    return ProbeReport(options.host, options.source_address, reports)


def _opened(session: S, setup: Callable[[S], object]) -> S:
    """Run ``setup`` on a fresh session; close its connection if setup fails."""
    try:
        setup(session)
    except BaseException:
        session.conn.close()
        raise
    return session


class _ServiceProbe:
    def __init__(self, options: ProbeOptions, report: ServiceReport) -> None:
        self.options = options
        self.report = report
        self.endpoint = Endpoint(options.host, report.port, options.timeout, options.source_address)

    # -- plumbing -----------------------------------------------------------------------------

    def add(self, rule: str, message: str, fix: str | None = None, severity: str | None = None) -> None:
        fix = fix or _FIXES.get(rule)
        if severity is None:
            severity = PROBE_RULES[rule][0] if rule in PROBE_RULES else _SEVERITY.get(rule, "error")
        self.report.add(rule, severity, message, fix)

    def run(self) -> None:
        check = getattr(self, f"check_{self.report.service}")
        try:
            check()
        except StartTlsRefused as exc:
            self.add("TLS105", f"the server offers STARTTLS but refuses it ({shorten(exc.answer)})")
        except ProbeError as exc:
            self.add(_ERROR_RULES.get(exc.kind, "PRB002"), exc.message)
        except Exception as exc:  # never a traceback for what a server does
            self.add("PRB002", f"unexpected failure talking to the server: {type(exc).__name__}: {exc}")

    def connect(self, tls: ssl.SSLContext | None = None) -> Conn:
        conn = Conn(self.endpoint, tls)
        self.report.reachable = True
        if "same_address" not in self.report.checks and self.report.service in ("pop3", "imap"):
            with contextlib.suppress(OSError):
                local, peer = conn.sock.getsockname()[0], conn.sock.getpeername()[0]
                if local == peer:
                    self.report.checks["same_address"] = (
                        f"client and server are both {peer}: Dovecot treats such connections as secure "
                        "and may allow what a remote client cannot do; use --source-address"
                    )
        return conn

    def tls_session(self, opener: Callable[[ssl.SSLContext], S]) -> S:
        """A TLS session through ``opener``: verified if possible, else unverified with a finding."""
        verify_error = None
        try:
            session = opener(client_context(verify=True, ca_file=self.options.ca_file, host=self.options.host))
        except ProbeError as exc:
            if exc.kind != "verify":
                raise
            verify_error = exc.message
            session = opener(client_context(verify=False))
        info = session.conn.tls_info
        if info is not None and info.certificate is not None:
            cert = info.certificate
            if verify_error is not None:
                cert.verified = False
                cert.verify_error = verify_error
                self.add("PRB004", f"certificate not verified: {verify_error} (subject {cert.subject})")
            if cert.days_left < 0:
                self.add("CERT103", f"the certificate expired on {cert.not_after}")
            elif cert.days_left < EXPIRY_WARNING_DAYS:
                self.add("CERT103", f"the certificate expires in {cert.days_left} days ({cert.not_after})")
        self.report.tls = info
        return session

    def old_versions(self, opener: Callable[[ssl.SSLContext], S], rule: str | None) -> None:
        """Try TLSv1 and TLSv1.1 alone; record which the server accepts."""
        info = self.report.tls
        if not self.options.tls_versions or info is None:
            return
        for name, version in OLD_VERSIONS:
            try:
                ctx = client_context(verify=False, version=version)
            except (ValueError, ssl.SSLError):
                continue
            try:
                with opener(ctx) as session:
                    session.quit()
            except ProbeError as exc:
                if exc.kind == "tls":
                    info.old_versions_refused.append(name)
                continue
            info.old_versions_accepted.append(name)
        if rule and info.old_versions_accepted:
            self.add(rule, f"the server accepts {' and '.join(info.old_versions_accepted)}")

    # -- SMTP -----------------------------------------------------------------------------------

    def smtp_plain(self) -> Smtp:
        def setup(s: Smtp) -> None:
            self.report.greeting = str(s.greet())
            s.ehlo()

        return _opened(Smtp(self.connect()), setup)

    def smtp_starttls(self, ctx: ssl.SSLContext) -> Smtp:
        def setup(s: Smtp) -> None:
            s.greet()
            s.ehlo()
            s.starttls(ctx)
            s.ehlo()

        return _opened(Smtp(self.connect()), setup)

    def smtp_wrapped(self, ctx: ssl.SSLContext) -> Smtp:
        def setup(s: Smtp) -> None:
            self.report.greeting = str(s.greet())
            s.ehlo()

        return _opened(Smtp(self.connect(ctx)), setup)

    def envelope(self, s: Smtp, *recipients: str) -> list[Reply] | None:
        """MAIL FROM:<> and RCPT TO each recipient, then RSET; None if MAIL was refused."""
        mail = s.command("MAIL FROM:<>")
        if not mail.ok:
            self.report.checks["mail"] = str(mail)
            return None
        answers = [s.command(f"RCPT TO:<{rcpt}>") for rcpt in recipients]
        s.command("RSET")
        return answers

    def local_recipient(self) -> str:
        """postmaster at the name the server greets with (bare ``postmaster`` is always accepted)."""
        words = (self.report.greeting or "").split()
        name = words[1] if len(words) > 1 else ""
        if "." in name and all(part.replace("-", "").isalnum() for part in name.split(".")):
            return f"{LOCAL_PART}@{name}"
        host = self.options.host
        return f"{LOCAL_PART}@[{'IPv6:' + host if ':' in host else host}]"

    def relay_check(self, s: Smtp) -> None:
        answers = self.envelope(s, OUTSIDE_RECIPIENT)
        if answers is None:
            return
        (rcpt,) = answers
        self.report.checks["relay_without_auth"] = f"RCPT TO:<{OUTSIDE_RECIPIENT}>: {rcpt}"
        source = f" from {self.options.source_address}" if self.options.source_address else ""
        if rcpt.ok:
            self.add(
                "RELAY101",
                f"relay to an outside domain accepted without AUTH{source}: "
                f"RCPT TO:<{OUTSIDE_RECIPIENT}> answered '{rcpt}'",
                "end smtpd_relay_restrictions with reject_unauth_destination",
            )
        elif "4.3.5" in rcpt.text:
            self.add(
                "RELAY101",
                f"RCPT answered '{rcpt}': Postfix says this when no relay guard "
                "(reject_unauth_destination, ...) is configured",
            )

    def check_smtp(self) -> None:
        with self.smtp_plain() as s:
            self.report.starttls_offered = "STARTTLS" in s.exts
            self.report.auth_before_tls = auth_mechanisms(s.exts)
            if self.report.auth_before_tls:
                self.add("AUTH103", f"AUTH offered before STARTTLS ({' '.join(self.report.auth_before_tls)})")
                self.add("AUTH105", "SMTP AUTH is offered on port 25")
            if not self.report.starttls_offered:
                self.add("TLS103", "no STARTTLS offered on port 25: other servers send mail in clear")
                self.relay_check(s)
                s.quit()
                return
            mail = s.command("MAIL FROM:<>")
            self.report.checks["mail_before_tls"] = str(mail)
            if mail.code == 530 or (not mail.ok and "STARTTLS" in mail.text.upper()):
                self.add("TLS104", f"port 25 requires TLS ('{mail}'): mail from servers without TLS bounces")
            s.quit()
        try:
            session = self.tls_session(self.smtp_starttls)
        except StartTlsRefused as exc:
            self.add("TLS105", f"the server offers STARTTLS but refuses it ({shorten(exc.answer)})")
            with self.smtp_plain() as s:
                self.relay_check(s)
                s.quit()
            return
        with session as s:
            self.report.auth_after_tls = auth_mechanisms(s.exts)
            if self.report.auth_after_tls:
                self.add("AUTH105", "SMTP AUTH is offered on port 25")
            self.relay_check(s)
            s.quit()
        self.old_versions(self.smtp_starttls, None)

    def check_submission(self) -> None:
        with self.smtp_plain() as s:
            self.report.starttls_offered = "STARTTLS" in s.exts
            self.report.auth_before_tls = auth_mechanisms(s.exts)
            if self.report.auth_before_tls:
                self.add("AUTH103", f"AUTH offered before STARTTLS ({' '.join(self.report.auth_before_tls)})")
            mail = s.command("MAIL FROM:<>")
            self.report.checks["mail_before_tls"] = str(mail)
            if mail.ok:
                self.add("TLS101", f"submission accepts MAIL before STARTTLS ('{mail}')")
            s.quit()
        if not self.report.starttls_offered:
            self.add("TLS101", "submission offers no STARTTLS")
            return
        with self.tls_session(self.smtp_starttls) as s:
            self.submission_checks(s)
        self.old_versions(self.smtp_starttls, "TLS106")

    def check_smtps(self) -> None:
        try:
            session = self.tls_session(self.smtp_wrapped)
        except ProbeError as exc:
            if exc.kind != "tls" or not self.plaintext_smtp():
                raise
            return
        self.report.tls_at_once = True
        with session as s:
            self.submission_checks(s)
        self.old_versions(self.smtp_wrapped, "TLS106")

    def plaintext_smtp(self) -> bool:
        """After a failed handshake on 465: does the port speak plaintext SMTP?"""
        try:
            with self.smtp_plain() as s:
                self.report.tls_at_once = False
                self.report.auth_before_tls = auth_mechanisms(s.exts)
                self.add("TLS102", f"port {self.report.port} speaks plaintext SMTP ('{self.report.greeting}')")
                if self.report.auth_before_tls:
                    self.add("AUTH103", f"AUTH offered without TLS ({' '.join(self.report.auth_before_tls)})")
                s.quit()
        except ProbeError:
            return False
        return True

    def submission_checks(self, s: Smtp) -> None:
        mechanisms = auth_mechanisms(s.exts)
        self.report.auth_after_tls = mechanisms
        if not mechanisms:
            self.add("AUTH101", "no AUTH offered after TLS: users cannot authenticate")
        local_rcpt = self.local_recipient()
        answers = self.envelope(s, local_rcpt, OUTSIDE_RECIPIENT)
        if answers is not None:
            local, outside = answers
            self.report.checks["local_without_auth"] = f"RCPT TO:<{local_rcpt}>: {local}"
            self.report.checks["relay_without_auth"] = f"RCPT TO:<{OUTSIDE_RECIPIENT}>: {outside}"
            for rcpt, answer in ((local_rcpt, local), (OUTSIDE_RECIPIENT, outside)):
                if answer.ok:
                    self.add("AUTH102", f"mail accepted without AUTH: RCPT TO:<{rcpt}> answered '{answer}'")
            if outside.ok:
                self.add("RELAY101", f"relay to an outside domain accepted without AUTH ('{outside}')")
        creds = self.options.credentials
        if creds is not None:
            if not mechanisms:
                self.report.checks["login"] = "not tried: no AUTH offered"
            else:
                answer = s.login(creds, mechanisms)
                self.report.checks["login"] = str(answer)
                if answer.code == 235:
                    relayed = self.envelope(s, OUTSIDE_RECIPIENT)
                    if relayed is not None:
                        self.report.checks["relay_after_auth"] = f"RCPT TO:<{OUTSIDE_RECIPIENT}>: {relayed[0]}"
                else:
                    self.add("PRB005", f"login as {creds.user!r} failed: {answer}")
        s.quit()

    # -- POP3 -----------------------------------------------------------------------------------

    def pop3_plain(self) -> Pop3:
        def setup(p: Pop3) -> None:
            self.report.greeting = shorten(p.greet(), 120)
            p.capa()

        return _opened(Pop3(self.connect()), setup)

    def pop3_stls(self, ctx: ssl.SSLContext) -> Pop3:
        def setup(p: Pop3) -> None:
            p.greet()
            p.starttls(ctx)
            p.capa()

        return _opened(Pop3(self.connect()), setup)

    def pop3_wrapped(self, ctx: ssl.SSLContext) -> Pop3:
        return _opened(Pop3(self.connect(ctx)), self._pop3_greet_capa)

    def _pop3_greet_capa(self, p: Pop3) -> None:
        self.report.greeting = shorten(p.greet(), 120)
        p.capa()

    def plaintext_findings(self, starttls: bool, mechanisms: list[str], plain_login: bool, how: str) -> None:
        plaintext = plain_login or bool(PLAINTEXT_MECHANISMS & set(mechanisms))
        others = [m for m in mechanisms if m not in PLAINTEXT_MECHANISMS]
        command = "STLS" if self.report.service == "pop3" else "STARTTLS"
        if plaintext:
            self.add("AUTH201", f"cleartext passwords accepted before {command} ({how})")
        if not starttls:
            self.add("TLS201", f"no {command} offered: everything crosses the network in clear")
        elif plaintext or others:
            shown = " ".join(others) if others else how
            self.add("TLS201", f"TLS is not required: authentication possible before {command} ({shown})")

    def check_pop3(self) -> None:
        with self.pop3_plain() as p:
            caps = [c.upper() for c in p.caps]
            self.report.starttls_offered = "STLS" in caps
            self.report.auth_before_tls = pop3_mechanisms(p.caps)
            ok, text = p.command(f"USER {PROBE_USER}")
            self.report.checks["user_before_tls"] = f"{'+OK' if ok else '-ERR'} {shorten(text)}"
            self.plaintext_findings(self.report.starttls_offered, self.report.auth_before_tls, ok, "USER answered +OK")
            p.quit()
        if self.report.starttls_offered:
            with self.tls_session(self.pop3_stls) as p:
                self.mailbox_login(p, pop3_mechanisms(p.caps))
            self.old_versions(self.pop3_stls, "TLS203")

    def check_pop3s(self) -> None:
        try:
            session = self.tls_session(self.pop3_wrapped)
        except ProbeError as exc:
            if exc.kind != "tls" or not self.plaintext_mailbox(Pop3):
                raise
            return
        self.report.tls_at_once = True
        with session as p:
            self.mailbox_login(p, pop3_mechanisms(p.caps))
        self.old_versions(self.pop3_wrapped, "TLS203")

    def plaintext_mailbox(self, kind: type[Pop3] | type[Imap]) -> bool:
        try:
            with kind(self.connect()) as session:
                self.report.greeting = shorten(session.greet(), 120)
                self.report.tls_at_once = False
                self.add("PRB006", f"port {self.report.port} speaks plaintext ('{self.report.greeting}')")
                session.quit()
        except ProbeError:
            return False
        return True

    def mailbox_login(self, session: Pop3 | Imap, mechanisms: list[str]) -> None:
        self.report.auth_after_tls = mechanisms
        weak = [m for m in (self.report.auth_before_tls or []) + mechanisms if m in WEAK_MECHANISMS]
        if weak:
            shown = " ".join(dict.fromkeys(weak))
            self.add(
                "AUTH203",
                f"mechanisms offered that need plaintext-equivalent passwords or allow anonymous login: {shown}",
            )
        creds = self.options.credentials
        if creds is not None:
            ok, text = session.login(creds)
            self.report.checks["login"] = shorten(text, 120)
            if not ok:
                self.add("PRB005", f"login as {creds.user!r} failed: {shorten(text)}")
        session.quit()

    # -- IMAP -----------------------------------------------------------------------------------

    def imap_plain(self) -> Imap:
        def setup(i: Imap) -> None:
            self.report.greeting = shorten(i.greet(), 120)
            i.capability()

        return _opened(Imap(self.connect()), setup)

    def imap_starttls(self, ctx: ssl.SSLContext) -> Imap:
        def setup(i: Imap) -> None:
            i.greet()
            i.starttls(ctx)
            i.capability()

        return _opened(Imap(self.connect()), setup)

    def imap_wrapped(self, ctx: ssl.SSLContext) -> Imap:
        def setup(i: Imap) -> None:
            self.report.greeting = shorten(i.greet(), 120)
            i.capability()

        return _opened(Imap(self.connect(ctx)), setup)

    def check_imap(self) -> None:
        with self.imap_plain() as i:
            self.report.starttls_offered = "STARTTLS" in i.caps
            self.report.auth_before_tls = imap_mechanisms(i.caps)
            login_ok = "LOGINDISABLED" not in i.caps
            self.report.checks["login_before_tls"] = "allowed" if login_ok else "LOGINDISABLED"
            self.plaintext_findings(
                self.report.starttls_offered, self.report.auth_before_tls, login_ok, "no LOGINDISABLED"
            )
            i.quit()
        if self.report.starttls_offered:
            with self.tls_session(self.imap_starttls) as i:
                self.mailbox_login(i, imap_mechanisms(i.caps))
            self.old_versions(self.imap_starttls, "TLS203")

    def check_imaps(self) -> None:
        try:
            session = self.tls_session(self.imap_wrapped)
        except ProbeError as exc:
            if exc.kind != "tls" or not self.plaintext_mailbox(Imap):
                raise
            return
        self.report.tls_at_once = True
        with session as i:
            self.mailbox_login(i, imap_mechanisms(i.caps))
        self.old_versions(self.imap_wrapped, "TLS203")


_SEVERITY = {
    "TLS101": "error",
    "TLS102": "error",
    "TLS103": "warning",
    "TLS104": "warning",
    "TLS105": "error",
    "TLS106": "warning",
    "TLS201": "error",
    "TLS203": "warning",
    "CERT103": "warning",
    "AUTH101": "error",
    "AUTH102": "error",
    "AUTH103": "error",
    "AUTH105": "warning",
    "AUTH201": "error",
    "AUTH203": "warning",
    "RELAY101": "error",
}

_FIXES = {
    "TLS101": "master.cf submission: -o smtpd_tls_security_level=encrypt",
    "TLS102": "master.cf smtps/submissions: -o smtpd_tls_wrappermode=yes",
    "TLS103": "main.cf: smtpd_tls_security_level = may, with smtpd_tls_cert_file and smtpd_tls_key_file",
    "TLS105": "configure a certificate and key (smtpd_tls_cert_file/smtpd_tls_key_file, or ssl_cert/ssl_key)",
    "TLS106": "smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2",
    "TLS201": "dovecot: ssl = required",
    "TLS203": "dovecot: ssl_min_protocol = TLSv1.2",
    "AUTH101": "master.cf: -o smtpd_sasl_auth_enable=yes",
    "AUTH102": "master.cf: -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject",
    "AUTH103": "smtpd_tls_auth_only = yes (or smtpd_tls_security_level=encrypt on that service)",
    "AUTH105": "main.cf: smtpd_sasl_auth_enable = no (enable it on submission/smtps only)",
    "AUTH201": "dovecot 2.3: disable_plaintext_auth = yes (2.4: auth_allow_cleartext = no)",
    "AUTH203": "dovecot: auth_mechanisms = plain login (over TLS)",
    "TLS104": "port 25: smtpd_tls_security_level = may (keep encrypt for submission)",
    "CERT103": "renew the certificate",
    "PRB004": "use a certificate from a CA the clients trust (or pass --ca-file for a private CA)",
    "PRB006": "dovecot: ssl = yes on the pop3s/imaps inet_listener",
}
