"""AUTH: authentication (1xx Postfix SMTP AUTH, 2xx Dovecot)."""

from __future__ import annotations

from mailconf._lazyre import IGNORECASE, Lazy
from mailconf.policy.engine import Context
from mailconf.policy.registry import rule
from mailconf.policy.rules._postfix import PostfixView, Svc, is_loopback, restriction_steps, split_list, view
from mailconf.policy.rules.tls import tls_level

RESTRICTION_LISTS = (
    "smtpd_client_restrictions",
    "smtpd_helo_restrictions",
    "smtpd_sender_restrictions",
    "smtpd_relay_restrictions",
    "smtpd_recipient_restrictions",
)
PERMISSIVE_PREFIXES = ("permit", "check_")


def auth_enabled(pv: PostfixView, svc: Svc) -> bool:
    return pv.flag("smtpd_sasl_auth_enable", svc)


@rule("AUTH101", "error", "submission/smtps service without smtpd_sasl_auth_enable=yes", needs=("postfix",))
def auth101(ctx: Context) -> None:
    pv = view(ctx)
    for svc in pv.smtpd_services():
        if svc.kind not in ("submission", "smtps") or svc.service is None:
            continue
        eff = pv.value("smtpd_sasl_auth_enable", svc)
        if eff.value.lower() == "yes":
            continue
        path, line, column = pv.where(eff, svc)
        ctx.report(
            f"{svc.label}: smtpd_sasl_auth_enable is '{eff.value or 'no'}', so users cannot authenticate and "
            "the service is useless or open; add '-o smtpd_sasl_auth_enable=yes' to this service",
            path=path,
            line=line,
            column=column,
            fix="-o smtpd_sasl_auth_enable=yes",
        )


def _mynetworks_is_loopback(pv: PostfixView) -> bool:
    from mailconf.policy.engine import is_loopback_network

    value = pv.value("mynetworks").value
    items = split_list(value)
    if not items:
        return pv.value("mynetworks_style").value.lower() == "host"
    return all(is_loopback_network(item) for item in items)


def _list_guards_auth(ctx: Context, pv: PostfixView, value: str) -> bool:
    """True when the list ends ``permit_sasl_authenticated, reject`` with nothing permissive before."""
    steps = [s for s, _ in restriction_steps(value)]
    if "permit_sasl_authenticated" not in steps:
        return False
    i = steps.index("permit_sasl_authenticated")
    if i + 1 >= len(steps) or steps[i + 1] not in ("reject", "defer"):
        return False
    allow = str(ctx.option("submission_permit_mynetworks"))
    for step in steps[:i]:
        if step == "permit_mynetworks":
            if allow == "always" or (allow == "loopback" and _mynetworks_is_loopback(pv)):
                continue
            return False
        if step.startswith(PERMISSIVE_PREFIXES):
            return False
    return True


@rule("AUTH102", "error", "submission/smtps service accepts mail without authentication", needs=("postfix",))
def auth102(ctx: Context) -> None:
    pv = view(ctx)
    for svc in pv.smtpd_services():
        if svc.kind not in ("submission", "smtps") or svc.service is None:
            continue
        if any(_list_guards_auth(ctx, pv, pv.value(name, svc).value) for name in RESTRICTION_LISTS):
            continue
        relay = pv.value("smtpd_relay_restrictions", svc)
        recipient = pv.value("smtpd_recipient_restrictions", svc)
        eff = relay if relay.explicit or not recipient.explicit else recipient
        path, line, column = (svc.path, svc.line, 1) if eff.source != "master" else (eff.path, eff.line, eff.column)
        ctx.report(
            f"{svc.label} accepts mail without SMTP AUTH: no restriction list ends with "
            "'permit_sasl_authenticated, reject' (with nothing permissive before it); add "
            "'-o smtpd_client_restrictions=permit_sasl_authenticated,reject' to this service",
            path=path,
            line=line,
            column=column,
            fix="-o smtpd_client_restrictions=permit_sasl_authenticated,reject",
        )


@rule("AUTH103", "error", "SMTP AUTH offered before TLS", needs=("postfix",))
def auth103(ctx: Context) -> None:
    pv = view(ctx)
    for svc in pv.smtpd_services():
        if not auth_enabled(pv, svc) or svc.loopback:
            continue
        level, _ = tls_level(pv, svc)
        if level == "encrypt" or pv.flag("smtpd_tls_wrappermode", svc) or pv.flag("smtpd_tls_auth_only", svc):
            continue
        if "noplaintext" in pv.value("smtpd_sasl_security_options", svc).value.lower():
            continue
        eff = pv.value("smtpd_tls_auth_only", svc)
        path, line, column = pv.where(pv.value("smtpd_sasl_auth_enable", svc), svc)
        ctx.report(
            f"{svc.label} offers SMTP AUTH while TLS is optional there and smtpd_tls_auth_only is "
            f"'{eff.value or 'no'}': passwords can be sent before STARTTLS; write smtpd_tls_auth_only = yes",
            path=path,
            line=line,
            column=column,
            fix="smtpd_tls_auth_only = yes",
        )


@rule("AUTH104", "error", "smtpd_sasl_security_options lacks noanonymous", needs=("postfix",))
def auth104(ctx: Context) -> None:
    pv = view(ctx)
    seen: set[tuple[str, int]] = set()
    for svc in pv.smtpd_services():
        if not auth_enabled(pv, svc):
            continue
        for name in ("smtpd_sasl_security_options", "smtpd_sasl_tls_security_options"):
            eff = pv.value(name, svc)
            options = [o.lower() for o in split_list(eff.value)]
            if "noanonymous" in options:
                continue
            path, line, column = pv.where(eff, svc)
            if (path, line) in seen:
                continue
            seen.add((path, line))
            fixed = ", ".join(["noanonymous", *[o for o in options if o]])
            ctx.report(
                f"{name} = {eff.value or '(empty)'} allows anonymous SMTP AUTH; write {name} = {fixed}",
                path=path,
                line=line,
                column=column,
                fix=f"{name} = {fixed}",
            )


@rule("AUTH105", "warning", "SMTP AUTH enabled on port 25", needs=("postfix",))
def auth105(ctx: Context) -> None:
    pv = view(ctx)
    others = bool(ctx.option("auth_only_submission"))
    for svc in pv.smtpd_services():
        if not auth_enabled(pv, svc):
            continue
        if svc.kind != "smtp" and not (others and svc.kind == "other" and not svc.loopback):
            continue
        eff = pv.value("smtpd_sasl_auth_enable", svc)
        where = "port 25" if svc.kind == "smtp" else "not 587/465"
        path, line, column = pv.where(eff, svc)
        ctx.report(
            f"{svc.label} ({where}) offers SMTP AUTH (smtpd_sasl_auth_enable = yes from {eff.origin}): client "
            "authentication belongs on submission (587) or smtps (465); write smtpd_sasl_auth_enable = no in "
            "main.cf and '-o smtpd_sasl_auth_enable=yes' on those services",
            path=path,
            line=line,
            column=column,
            fix="smtpd_sasl_auth_enable = no",
        )


@rule("AUTH106", "warning", "smtpd_sasl_path is inet: to a non-loopback host", needs=("postfix",))
def auth106(ctx: Context) -> None:
    pv = view(ctx)
    seen: set[tuple[str, int]] = set()
    for svc in pv.smtpd_services():
        if not auth_enabled(pv, svc):
            continue
        eff = pv.value("smtpd_sasl_path", svc)
        value = eff.value.strip()
        if not value.lower().startswith("inet:"):
            continue
        host = value[5:]
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if is_loopback(host):
            continue
        path, line, column = pv.where(eff, svc)
        if (path, line) in seen:
            continue
        seen.add((path, line))
        ctx.report(
            f"smtpd_sasl_path = {value} sends every SMTP AUTH password in clear to {host} over the network; "
            "use a unix socket (private/auth) or a loopback address",
            path=path,
            line=line,
            column=column,
            fix="smtpd_sasl_path = private/auth",
        )


_POP_BEFORE = Lazy(r"pop-?before-?smtp|popbsmtp|pop_before_smtp|drac|relay-?ctrl|poprelay|tracker", IGNORECASE)


@rule("AUTH107", "warning", "POP-before-SMTP / DRAC relay permission", needs=("postfix",))
def auth107(ctx: Context) -> None:
    pv = view(ctx)
    seen: set[tuple[str, int]] = set()
    for name in sorted(
        set(pv.main_values) | {o.name for s in (pv.master.services if pv.master else []) for o in s.overrides}
    ):
        if not name.endswith("_restrictions"):
            continue
        for eff in pv.set_anywhere(name):
            for step, arg in restriction_steps(eff.value):
                if (step.startswith("check_") and arg and _POP_BEFORE.search(arg)) or _POP_BEFORE.search(step):
                    if (eff.path, eff.line) in seen:
                        continue
                    seen.add((eff.path, eff.line))
                    ctx.report(
                        f"{name} grants relay by a recent POP/IMAP login ({step} {arg or ''}".rstrip()
                        + "): that is spoofable and weak; remove it and require SMTP AUTH on submission",
                        path=eff.path,
                        line=eff.line,
                        column=eff.column,
                        fix=f"remove '{step} {arg or ''}'".rstrip() + "'",
                    )


# -- Dovecot ----------------------------------------------------------------------------------


@rule("AUTH201", "error", "Dovecot allows cleartext authentication without TLS", needs=("dovecot",))
def auth201(ctx: Context) -> None:
    from mailconf.policy.rules._dovecot import view as dview

    dv = dview(ctx)
    v24 = ctx.dovecot_at_least((2, 4), unknown=False)
    key, bad = ("auth_allow_cleartext", "yes") if v24 else ("disable_plaintext_auth", "no")
    good = "no" if v24 else "yes"
    eff = dv.value(key)
    if eff.value == bad:
        ctx.report(
            f"{key} = {bad}: PLAIN/LOGIN passwords are accepted on connections without TLS; write {key} = {good}",
            path=eff.path,
            line=eff.line,
            column=eff.column,
            fix=f"{key} = {good}",
        )
    for scope in dv.filters():
        v = scope.values.get(key)
        if v is not None and v.value == bad:
            ctx.report(
                f"'{' '.join(scope.header_lines())}' sets {key} = {bad}: cleartext passwords without TLS there; "
                "remove the override",
                path=v.path or scope.path,
                line=v.line or 1,
                column=v.column or 1,
                fix="remove this line",
            )


@rule("AUTH202", "warning", "Dovecot login_trusted_networks exempts networks from TLS", needs=("dovecot",))
def auth202(ctx: Context) -> None:
    import ipaddress

    from mailconf.policy.rules._dovecot import view as dview

    dv = dview(ctx)
    eff = dv.value("login_trusted_networks")
    if not eff.explicit or not eff.value.strip():
        return
    v24 = dv.ctx.dovecot_at_least((2, 4), unknown=False)
    if v24 and (dv.value("ssl").value or "yes") == "required":
        return  # 2.4: with ssl = required, trusted networks must use TLS too (seen live)
    wide = []
    for item in eff.value.split():
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            continue
        if network.prefixlen < (16 if network.version == 4 else 48):
            wide.append(item)
    ctx.report(
        f"login_trusted_networks = {eff.value}: "
        + (
            "clients from there count as secured and, with ssl other than required, may log in in clear"
            if v24
            else "clients from there skip ssl = required and may log in in clear"
        )
        + (f"; {', '.join(wide)} is wider than /16" if wide else "")
        + "; list only the proxies that need it (or remove the setting)",
        path=eff.path,
        line=eff.line,
        column=eff.column,
        fix="remove login_trusted_networks",
        severity="error" if wide else None,
    )


WEAK_MECHANISMS = ("cram-md5", "digest-md5", "ntlm", "rpa", "apop", "anonymous")


@rule("AUTH203", "warning", "Dovecot auth_mechanisms with weak or anonymous mechanisms", needs=("dovecot",))
def auth203(ctx: Context) -> None:
    from mailconf.policy.rules._dovecot import view as dview

    dv = dview(ctx)
    eff = dv.value("auth_mechanisms")
    mechanisms = [m.lower() for m in eff.value.split()]
    weak = [m for m in mechanisms if m in WEAK_MECHANISMS]
    if not weak:
        return
    rest = " ".join(m for m in mechanisms if m not in WEAK_MECHANISMS) or "plain login"
    ctx.report(
        f"auth_mechanisms has {', '.join(weak)}: "
        + ("anonymous logins; " if "anonymous" in weak else "")
        + "these need plaintext-equivalent password storage; over TLS PLAIN is safe: write auth_mechanisms = "
        + rest,
        path=eff.path,
        line=eff.line,
        column=eff.column,
        fix=f"auth_mechanisms = {rest}",
    )
