"""TLS: transport encryption (1xx Postfix, 2xx Dovecot)."""

from __future__ import annotations

from collections.abc import Sequence

from mailconf._lazyre import Lazy
from mailconf.policy.engine import Context
from mailconf.policy.registry import rule
from mailconf.policy.rules._postfix import Eff, PostfixView, Svc, view

PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
_PROTO_INDEX = {p.lower(): i for i, p in enumerate(PROTOCOLS)}
_PROTO_PARAM = Lazy(r"^(smtpd|smtp|lmtp|tlsproxy|postscreen|tls)_tls_(mandatory_)?protocols$")
_PROTOCOL_SPLIT = Lazy(r"[\s,:]+")
_CIPHER_SPLIT = Lazy(r"[\s:,]+")


def admitted(value: str) -> set[str]:
    """The protocol versions a Postfix protocol list allows (``!X`` exclusions, ``>=X``/``<=X``)."""
    tokens = [t for t in _PROTOCOL_SPLIT.split(value.strip()) if t]
    include: set[int] = set()
    exclude: set[int] = set()
    low, high = 0, len(PROTOCOLS) - 1
    for token in tokens:
        if token.startswith("!"):
            if token[1:].lower() in _PROTO_INDEX:
                exclude.add(_PROTO_INDEX[token[1:].lower()])
        elif token.startswith(">="):
            low = max(low, _PROTO_INDEX.get(token[2:].lower(), 0))
        elif token.startswith("<="):
            high = min(high, _PROTO_INDEX.get(token[2:].lower(), len(PROTOCOLS) - 1))
        elif token.lower() in _PROTO_INDEX:
            include.add(_PROTO_INDEX[token.lower()])
    base = include or set(range(len(PROTOCOLS)))
    return {PROTOCOLS[i] for i in base if low <= i <= high and i not in exclude}


def modern_protocols(ctx: Context) -> str:
    return ">=TLSv1.2" if ctx.postfix_at_least((3, 6)) else "!SSLv2, !SSLv3, !TLSv1, !TLSv1.1"


def tls_level(pv: PostfixView, svc: Svc | None) -> tuple[str, Eff]:
    """The effective smtpd TLS level of a service, legacy smtpd_use_tls/smtpd_enforce_tls included."""
    eff = pv.value("smtpd_tls_security_level", svc)
    level = eff.value.lower()
    if not level:
        if pv.flag("smtpd_enforce_tls", svc):
            return "encrypt", pv.value("smtpd_enforce_tls", svc)
        if pv.flag("smtpd_use_tls", svc):
            return "may", pv.value("smtpd_use_tls", svc)
    return level, eff


def uses_tls(pv: PostfixView, svc: Svc) -> bool:
    level, _ = tls_level(pv, svc)
    return level not in ("", "none") or pv.flag("smtpd_tls_wrappermode", svc)


def _mandatory(pv: PostfixView, svc: Svc) -> bool:
    level, _ = tls_level(pv, svc)
    return level == "encrypt" or pv.flag("smtpd_tls_wrappermode", svc)


@rule("TLS101", "error", "submission (587) service does not require TLS", needs=("postfix",))
def tls101(ctx: Context) -> None:
    pv = view(ctx)
    for svc in pv.smtpd_services():
        if svc.kind != "submission":
            continue
        level, eff = tls_level(pv, svc)
        if level == "encrypt" or pv.flag("smtpd_tls_wrappermode", svc):
            continue
        path, line, column = pv.where(eff, svc)
        shown = f"{eff.name} = {eff.value}" if eff.value else f"{eff.name} is empty"
        ctx.report(
            f"{svc.label}: TLS is optional ({shown}, from {eff.origin}), so clients may send mail "
            "and passwords in clear; add '-o smtpd_tls_security_level=encrypt' to this service",
            path=path,
            line=line,
            column=column,
            fix="-o smtpd_tls_security_level=encrypt",
        )


@rule("TLS102", "error", "smtps/submissions (465) service without smtpd_tls_wrappermode=yes", needs=("postfix",))
def tls102(ctx: Context) -> None:
    pv = view(ctx)
    for svc in pv.smtpd_services():
        if svc.kind != "smtps" or svc.service is None:
            continue
        eff = pv.value("smtpd_tls_wrappermode", svc)
        if eff.value.lower() == "yes":
            continue
        path, line, column = pv.where(eff, svc)
        ctx.report(
            f"{svc.label} is on the implicit-TLS port 465 but smtpd_tls_wrappermode is "
            f"'{eff.value or 'no'}': clients speak TLS to a plaintext server; "
            "add '-o smtpd_tls_wrappermode=yes' to this service",
            path=path,
            line=line,
            column=column,
            fix="-o smtpd_tls_wrappermode=yes",
        )


@rule("TLS103", "warning", "port 25 smtpd offers no STARTTLS", needs=("postfix",))
def tls103(ctx: Context) -> None:
    pv = view(ctx)
    for svc in pv.smtpd_services():
        if svc.kind != "smtp":
            continue
        level, eff = tls_level(pv, svc)
        if level not in ("", "none"):
            continue
        path, line, column = pv.where(eff, svc)
        ctx.report(
            f"{svc.label}: smtpd_tls_security_level is '{level or ''}' so other servers cannot use STARTTLS; "
            "write smtpd_tls_security_level = may (with a certificate and key)",
            path=path,
            line=line,
            column=column,
            fix="smtpd_tls_security_level = may",
        )


@rule("TLS104", "warning", "port 25 smtpd requires TLS (level encrypt)", needs=("postfix",))
def tls104(ctx: Context) -> None:
    pv = view(ctx)
    for svc in pv.smtpd_services():
        if svc.kind != "smtp":
            continue
        level, eff = tls_level(pv, svc)
        if level != "encrypt":
            continue
        path, line, column = pv.where(eff, svc)
        ctx.report(
            f"{svc.label} is a public MX and requires TLS ({eff.name} = {eff.value}): mail from servers "
            "without STARTTLS bounces (RFC 3207); write smtpd_tls_security_level = may for port 25 and "
            "require TLS on submission only",
            path=path,
            line=line,
            column=column,
            fix="smtpd_tls_security_level = may",
        )


CERT_PARAMS = ("smtpd_tls_cert_file", "smtpd_tls_eccert_file", "smtpd_tls_dcert_file", "smtpd_tls_chain_files")


@rule("TLS105", "error", "smtpd can use TLS but no certificate/key is configured", needs=("postfix",))
def tls105(ctx: Context) -> None:
    pv = view(ctx)
    for svc in pv.smtpd_services():
        if not uses_tls(pv, svc):
            continue
        certs = [pv.value(name, svc) for name in CERT_PARAMS]
        if any(cert.value for cert in certs):
            continue
        wrapper = pv.flag("smtpd_tls_wrappermode", svc)
        # The place: a master.cf "-o smtpd_tls_cert_file=" that empties the certificate of this
        # service; else the -o (or main.cf line) that turns TLS on; else the service line.
        emptied = [cert for cert in certs if cert.source == "master"]
        if emptied:
            # The -o that removed a certificate main.cf names, else the last emptying -o.
            removed = [cert for cert in emptied if pv.value(cert.name).value]
            eff = max(removed or emptied, key=lambda cert: cert.line)
        elif wrapper:
            eff = pv.value("smtpd_tls_wrappermode", svc)
        else:
            _, eff = tls_level(pv, svc)
        path, line, column = pv.where(eff, svc)
        effect = (
            "clients of this wrapper-mode port cannot establish TLS, so the service is unusable"
            if wrapper
            else "STARTTLS answers 454 and TLS is silently off"
        )
        ctx.report(
            f"{svc.label} offers TLS but smtpd_tls_cert_file, smtpd_tls_eccert_file, smtpd_tls_dcert_file and "
            f"smtpd_tls_chain_files are all empty{' (emptied by -o ' + eff.name + '=)' if emptied else ''}: "
            f"{effect}; set smtpd_tls_chain_files (3.4+) or smtpd_tls_cert_file and smtpd_tls_key_file",
            path=path,
            line=line,
            column=column,
            fix="smtpd_tls_cert_file = /etc/ssl/certs/mail.pem\nsmtpd_tls_key_file = /etc/ssl/private/mail.key",
        )


def _proto_report(ctx: Context, pv: PostfixView, eff: Eff, svc: Svc | None, bad: Sequence[str], severity: str) -> None:
    path, line, column = pv.where(eff, svc)
    where = f"{svc.label}: " if svc is not None and eff.source != "main" else ""
    opportunistic = "mandatory" not in eff.name and not (svc is not None and svc.kind in ("submission", "smtps"))
    if opportunistic and not ctx.option("tls12_everywhere"):
        good = ">=TLSv1" if ctx.postfix_at_least((3, 6)) else "!SSLv2, !SSLv3"
    else:
        good = modern_protocols(ctx)
    ctx.report(
        f"{where}{eff.name} = {eff.value or '(empty)'} admits {', '.join(bad)}; write {eff.name} = {good}",
        path=path,
        line=line,
        column=column,
        fix=f"{eff.name} = {good}",
        severity=severity,
    )


@rule("TLS106", "error", "Postfix TLS protocols admit SSLv2/SSLv3 (or TLSv1/1.1 on submission)", needs=("postfix",))
def tls106(ctx: Context) -> None:
    pv = view(ctx)
    seen: set[tuple[str, int, str]] = set()
    candidates: list[tuple[Eff, Svc | None]] = []
    for name in sorted(set(pv.main_values) | _override_names(pv)):
        if name.endswith("protocols") and _PROTO_PARAM.match(name):
            for eff in pv.set_anywhere(name):
                candidates.append((eff, None))
    for svc in pv.smtpd_services():
        if uses_tls(pv, svc):
            name = "smtpd_tls_mandatory_protocols" if _mandatory(pv, svc) else "smtpd_tls_protocols"
            candidates.append((pv.value(name, svc), svc))
    for eff, where in candidates:
        key = (eff.path, eff.line, eff.name)
        bad = [p for p in ("SSLv2", "SSLv3") if p in admitted(eff.value)]
        if bad and key not in seen:
            seen.add(key)
            _proto_report(ctx, pv, eff, where, bad, "error")
    everywhere = bool(ctx.option("tls12_everywhere"))
    for svc in pv.smtpd_services():
        if not uses_tls(pv, svc) or (svc.kind not in ("submission", "smtps") and not everywhere):
            continue
        name = "smtpd_tls_mandatory_protocols" if _mandatory(pv, svc) else "smtpd_tls_protocols"
        eff = pv.value(name, svc)
        key = (eff.path, eff.line, eff.name)
        old = [p for p in ("TLSv1", "TLSv1.1") if p in admitted(eff.value)]
        if old and key not in seen and not any(p in admitted(eff.value) for p in ("SSLv2", "SSLv3")):
            seen.add(key)
            _proto_report(ctx, pv, eff, svc, old, "error" if everywhere else "warning")


def _override_names(pv: PostfixView) -> set[str]:
    if pv.master is None:
        return set()
    return {o.name for s in pv.master.services for o in s.overrides}


_WEAK_GRADES = {"export", "low", "null"}
_CIPHER_PARAM = Lazy(r"^(smtpd|smtp|lmtp|tlsproxy|postscreen)_tls_(mandatory_)?ciphers$")
_CIPHERLIST = Lazy(r"^tls_(high|medium|low|export|null)_cipherlist$")
WEAK_CIPHERS = ("eNULL", "NULL", "EXPORT", "EXP", "aNULL", "ADH", "RC4", "3DES", "DES", "LOW", "MD5")


def weak_ciphers(value: str, weak: tuple[str, ...] = WEAK_CIPHERS) -> list[str]:
    """Weak OpenSSL cipher-string elements that a list enables (``!X`` and ``-X`` remove them)."""
    enabled: dict[str, bool] = {}
    for token in _CIPHER_SPLIT.split(value.strip()):
        if not token:
            continue
        prefix, name = (token[0], token[1:]) if token[0] in "!-+" else ("", token)
        for part in name.split("+"):
            key = next((w for w in weak if w.lower() == part.lower()), None)
            if key is None:
                continue
            if prefix in ("!", "-"):
                enabled[key] = False
            elif prefix == "" and enabled.get(key) is not False:
                enabled[key] = True
    return sorted(k for k, v in enabled.items() if v)


@rule("TLS107", "error", "weak TLS cipher grade or cipher list", needs=("postfix",))
def tls107(ctx: Context) -> None:
    pv = view(ctx)
    names = sorted(set(pv.main_values) | _override_names(pv))
    for name in names:
        if name.endswith("ciphers") and _CIPHER_PARAM.match(name):
            for eff in pv.set_anywhere(name):
                if eff.value.lower() in _WEAK_GRADES:
                    ctx.report(
                        f"{name} = {eff.value} allows {eff.value}-grade ciphers; write {name} = medium (or high)",
                        path=eff.path,
                        line=eff.line,
                        column=eff.column,
                        fix=f"{name} = medium",
                    )
        if name.endswith("cipherlist") and _CIPHERLIST.match(name):
            for eff in pv.set_anywhere(name):
                weak = weak_ciphers(eff.value)
                if weak and name not in ("tls_export_cipherlist", "tls_null_cipherlist", "tls_low_cipherlist"):
                    ctx.report(
                        f"{name} enables {', '.join(sorted(set(weak)))}; remove them or delete {name} to use "
                        "Postfix's built-in list",
                        path=eff.path,
                        line=eff.line,
                        column=eff.column,
                        fix=f"delete {name}",
                    )
                else:
                    ctx.report(
                        f"{name} is overridden: Postfix's built-in cipher lists follow OpenSSL's updates, an "
                        "override does not; delete it unless you must",
                        path=eff.path,
                        line=eff.line,
                        column=eff.column,
                        fix=f"delete {name}",
                        severity="info",
                    )


@rule("TLS108", "warning", "outbound SMTP does not use STARTTLS", needs=("postfix",))
def tls108(ctx: Context) -> None:
    pv = view(ctx)
    eff = pv.value("smtp_tls_security_level")
    if eff.value.lower() not in ("", "none"):
        return
    if not eff.value and (pv.flag("smtp_use_tls") or pv.flag("smtp_enforce_tls")):
        return
    ctx.report(
        f"smtp_tls_security_level is '{eff.value}' so mail to other domains is never encrypted; "
        "write smtp_tls_security_level = may (opportunistic STARTTLS)",
        path=eff.path,
        line=eff.line,
        column=eff.column,
        fix="smtp_tls_security_level = may",
    )


@rule("TLS109", "error", "smtpd_tls_wrappermode=yes in main.cf", needs=("postfix",))
def tls109(ctx: Context) -> None:
    pv = view(ctx)
    if pv.main_values.get("smtpd_tls_wrappermode", "").strip().lower() != "yes":
        return
    eff = pv.value("smtpd_tls_wrappermode")
    ctx.report(
        "smtpd_tls_wrappermode = yes in main.cf applies to port 25 too, where other servers expect plain SMTP "
        "with STARTTLS; delete it here and set '-o smtpd_tls_wrappermode=yes' on the smtps service only",
        path=eff.path,
        line=eff.line,
        column=eff.column,
        fix="delete this line; master.cf smtps: -o smtpd_tls_wrappermode=yes",
    )


# -- Dovecot ----------------------------------------------------------------------------------

_SSL_RANK = {"no": 0, "yes": 1, "required": 2}


def _ssl_consequence(ssl: str, plaintext_ok: bool, v24: bool = False) -> str:
    if ssl == "no":
        return "TLS is off: passwords and mail cross the network in clear"
    setting = "auth_allow_cleartext" if v24 else "disable_plaintext_auth"
    if plaintext_ok:
        return (
            f"TLS is optional and {setting} is {'yes' if v24 else 'no'}: PLAIN/LOGIN passwords, and mail, may "
            "cross the network in clear"
        )
    return (
        f"TLS is optional: {setting} keeps PLAIN/LOGIN passwords off the wire, but any other "
        "mechanism (CRAM-MD5, ...) logs in without TLS and the mail is then read in clear"
    )


def _is24(dv: object) -> bool:
    from mailconf.policy.rules._dovecot import DovecotView

    assert isinstance(dv, DovecotView)
    return dv.ctx.dovecot_at_least((2, 4), unknown=False)


def _plaintext_allowed(dv: object, scope: object | None = None) -> bool:
    from mailconf.policy.rules._dovecot import DovecotView

    assert isinstance(dv, DovecotView)
    if dv.ctx.dovecot_at_least((2, 4), unknown=False):
        return dv.value("auth_allow_cleartext").value == "yes"
    return dv.value("disable_plaintext_auth").value == "no"


@rule("TLS201", "error", "Dovecot ssl is not 'required'", needs=("dovecot",))
def tls201(ctx: Context) -> None:
    from mailconf.policy.rules._dovecot import view as dview

    dv = dview(ctx)
    eff = dv.value("ssl")
    ssl = eff.value or "yes"
    if ssl == "required":
        return
    ctx.report(
        f"ssl = {ssl}{'' if eff.explicit else ' (the default)'}: "
        f"{_ssl_consequence(ssl, _plaintext_allowed(dv), _is24(dv))}; "
        "write ssl = required",
        path=eff.path,
        line=eff.line,
        column=eff.column,
        fix="ssl = required",
    )


@rule("TLS202", "error", "a Dovecot filter sets ssl weaker than the global value", needs=("dovecot",))
def tls202(ctx: Context) -> None:
    from mailconf.policy.rules._dovecot import view as dview

    dv = dview(ctx)
    global_ssl = dv.value("ssl").value or "yes"
    for scope in dv.filters():
        v = scope.values.get("ssl")
        if v is None or _SSL_RANK.get(v.value, 2) >= _SSL_RANK.get(global_ssl, 2):
            continue
        where = " ".join(scope.header_lines())
        ctx.report(
            f"'{where}' sets ssl = {v.value}, weaker than the global ssl = {global_ssl}: for this "
            f"{'protocol' if scope.protocol else 'network'} "
            f"{_ssl_consequence(v.value, _plaintext_allowed(dv), _is24(dv))}; "
            "remove the override",
            path=v.path or scope.path,
            line=v.line or scope.line or 1,
            column=v.column or 1,
            fix="remove this ssl line",
        )


_TLS_NAMES = ("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")


@rule("TLS203", "warning", "Dovecot admits TLS protocols older than TLSv1.2", needs=("dovecot",))
def tls203(ctx: Context) -> None:
    from mailconf.policy.rules._dovecot import view as dview

    dv = dview(ctx)
    if dv.value("ssl").value == "no":
        return
    if ctx.dovecot_at_least((2, 3), unknown=True):
        key = "ssl_min_protocol"
        eff = dv.value(key)
        if not eff.explicit and ctx.dovecot_at_least((2, 3, 15), unknown=True):
            return  # the default is TLSv1.2 from 2.3.15 on
        value = eff.value or "TLSv1"
        if value in _TLS_NAMES and _TLS_NAMES.index(value) >= _TLS_NAMES.index("TLSv1.2"):
            return
        if value in ("ANY",) or value in _TLS_NAMES:
            ctx.report(
                f"ssl_min_protocol = {value}{'' if eff.explicit else ' (the default of this version)'} "
                "admits protocols older than TLS 1.2; write ssl_min_protocol = TLSv1.2",
                path=eff.path,
                line=eff.line,
                column=eff.column,
                fix="ssl_min_protocol = TLSv1.2",
                severity="error" if value in ("ANY", "SSLv3") else None,
            )
        return
    # Dovecot 2.1-2.2: ssl_protocols
    for path, number, text in dv.content_lines():
        stripped = text.strip()
        if not stripped.startswith("ssl_protocols"):
            continue
        _, _, value = stripped.partition("=")
        allowed = admitted(value.replace(" ", ","))
        if "SSLv3" in allowed or "SSLv2" in allowed:
            ctx.report(
                f"ssl_protocols = {value.strip()} admits SSLv3; write ssl_protocols = !SSLv2 !SSLv3",
                path=path,
                line=number,
                column=1,
                fix="ssl_protocols = !SSLv2 !SSLv3 !TLSv1 !TLSv1.1",
                severity="error",
            )


_DOVECOT_WEAK = ("RC4", "3DES", "DES", "EXPORT", "EXP", "LOW", "aNULL", "eNULL", "NULL")


@rule("TLS204", "warning", "Dovecot ssl_cipher_list enables weak ciphers", needs=("dovecot",))
def tls204(ctx: Context) -> None:
    from mailconf.policy.rules._dovecot import view as dview

    dv = dview(ctx)
    eff = dv.value("ssl_cipher_list")
    if not eff.explicit:
        return
    weak = weak_ciphers(eff.value, _DOVECOT_WEAK)
    if weak:
        ctx.report(
            f"ssl_cipher_list enables {', '.join(weak)}; remove them (or delete ssl_cipher_list to use "
            "Dovecot's default)",
            path=eff.path,
            line=eff.line,
            column=eff.column,
            fix="delete ssl_cipher_list",
        )


PLAINTEXT_LISTENERS = {"imap-login": ("imap", "143", "imap"), "pop3-login": ("pop3", "110", "pop3")}


@rule("TLS205", "info", "plaintext-capable IMAP/POP3 listener open", needs=("dovecot",))
def tls205(ctx: Context) -> None:
    from mailconf.policy.rules._dovecot import place
    from mailconf.policy.rules._dovecot import view as dview

    dv = dview(ctx)
    protocols = dv.protocols()
    for service in dv.services():
        spec = PLAINTEXT_LISTENERS.get(service.name)
        if spec is None or spec[2] not in protocols:
            continue
        for listener in service.children("inet_listener"):
            port = listener.get("port")
            if port in ("0", "") or listener.get("ssl") == "yes":
                continue
            path, line, column = place(listener, "port")
            if path is None:
                path, line, column = place(service)
            if path is None or path not in dv.own_files():
                eff = dv.value("protocols")
                path, line, column = eff.path, eff.line, eff.column
                if path not in dv.own_files():
                    path, line, column = dv.top, 1, 1
            ctx.report(
                f"{service.name} listener '{listener.name}' on port {port} accepts unencrypted connections "
                f"(with ssl = required only STARTTLS works there); to close it write port = 0 in inet_listener "
                f"{listener.name}, clients then use {'993' if spec[0] == 'imap' else '995'}",
                path=path,
                line=line,
                column=column,
                fix=f"service {service.name} {{ inet_listener {listener.name} {{ port = 0 }} }}",
            )
