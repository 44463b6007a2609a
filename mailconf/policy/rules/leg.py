"""LEG: legacy and version (1xx Postfix, 2xx Dovecot)."""

from __future__ import annotations

from mailconf._lazyre import Lazy
from mailconf.policy.engine import Context
from mailconf.policy.registry import format_version, rule
from mailconf.policy.rules._postfix import Eff, PostfixView, view

OBSOLETE_TLS = {
    "smtpd_use_tls": "smtpd_tls_security_level = may",
    "smtpd_enforce_tls": "smtpd_tls_security_level = encrypt",
    "smtp_use_tls": "smtp_tls_security_level = may",
    "smtp_enforce_tls": "smtp_tls_security_level = encrypt",
    "smtp_tls_enforce_peername": "smtp_tls_security_level = verify (or secure)",
}


@rule("LEG101", "warning", "obsolete Postfix TLS parameter (smtpd_use_tls, ...)", needs=("postfix",))
def leg101(ctx: Context) -> None:
    pv = view(ctx)
    for name, modern in OBSOLETE_TLS.items():
        for eff in pv.set_anywhere(name):
            ctx.report(
                f"{name} is obsolete since Postfix 2.3; write {modern} instead (the newer parameter wins "
                "when both are set)",
                path=eff.path,
                line=eff.line,
                column=eff.column,
                fix=modern,
            )


# First Postfix version of parameters people use with older targets (from the Postfix release
# notes; the postconf(5) "available in" notes often describe a later feature of a parameter).
SINCE: dict[str, tuple[int, ...]] = {
    "smtpd_relay_restrictions": (2, 10),
    "smtpd_relay_before_recipient_restrictions": (3, 6),
    "compatibility_level": (3, 0),
    "smtputf8_enable": (3, 0),
    "meta_directory": (3, 0),
    "shlib_directory": (3, 0),
    "smtp_tls_wrappermode": (3, 0),
    "smtpd_tls_chain_files": (3, 4),
    "smtp_tls_chain_files": (3, 4),
    "lmtp_tls_chain_files": (3, 4),
    "tls_server_sni_maps": (3, 4),
    "smtp_tls_connection_reuse": (3, 4),
    "maillog_file": (3, 4),
    "info_log_address_format": (3, 5),
    "respectful_logging": (3, 6),
    "smtpd_tls_fingerprint_digest": (2, 5),
    "smtpd_tls_eccert_file": (2, 6),
    "smtpd_tls_eckey_file": (2, 6),
    "smtpd_tls_eecdh_grade": (2, 6),
    "smtpd_tls_protocols": (2, 6),
    "smtp_tls_protocols": (2, 6),
    "lmtp_tls_protocols": (2, 6),
    "tls_eecdh_strong_curve": (2, 6),
    "tls_eecdh_ultra_curve": (2, 6),
    "tls_preempt_cipherlist": (2, 8),
    "postscreen_access_list": (2, 8),
    "postscreen_dnsbl_sites": (2, 8),
    "postscreen_greet_action": (2, 8),
    "smtpd_reject_footer": (2, 8),
    "tls_disable_workarounds": (2, 11),
    "tls_ssl_options": (3, 4),
    "smtp_dns_support_level": (2, 11),
    "smtpd_upstream_proxy_protocol": (2, 10),
    "smtpd_log_access_permit_actions": (2, 10),
    "enable_long_queue_ids": (2, 9),
    "smtpd_client_auth_rate_limit": (3, 1),
    "postscreen_dnsbl_allowlist_threshold": (3, 6),
    "postscreen_allowlist_interfaces": (3, 6),
    "smtpd_tls_dh1024_param_file": (2, 2),
    "tls_dane_trust_anchor_digest_enable": (2, 11),
    "smtp_tls_policy_maps": (2, 3),
    "smtpd_sasl_service": (2, 11),
    "smtpd_sasl_type": (2, 3),
    "smtpd_sasl_path": (2, 3),
}

_GROUPING = Lazy(r"(?:^|[\s,]|inline:)\{\s")
_GREATER = Lazy(r"[<>]=\s*TLSv")


def _newer(ctx: Context, eff: Eff, since: tuple[int, ...], what: str, fix: str) -> None:
    ctx.report(
        f"{what} needs Postfix {format_version(since)} or later, but the target is Postfix "
        f"{format_version(ctx.postfix_version)}: {fix}",
        path=eff.path,
        line=eff.line,
        column=eff.column,
        fix=fix,
    )


def _since(pv: PostfixView, name: str) -> tuple[int, ...] | None:
    """The release that introduced ``name``: the catalogue's (from each release's postconf(5)),
    else the table above (names the catalogue no longer lists)."""
    entry = pv.params.get(name)
    if entry is not None and entry[2]:
        return tuple(int(part) for part in str(entry[2]).split(".")[:2])
    return SINCE.get(name)


@rule("LEG102", "error", "setting or syntax newer than the target Postfix version", needs=("postfix",))
def leg102(ctx: Context) -> None:
    target = ctx.postfix_version
    if target is None:
        return
    pv = view(ctx)
    names = set(pv.main_values)
    if pv.master is not None:
        names |= {o.name for s in pv.master.services for o in s.overrides if o.active}
    for name in sorted(names):
        since = _since(pv, name)
        for eff in pv.set_anywhere(name):
            if since is not None and since > target:
                _newer(ctx, eff, since, f"{name}", f"delete {name} or use what Postfix {format_version(target)} has")
                continue
            if name.endswith("_protocols") and _GREATER.search(eff.raw) and target < (3, 6):
                _newer(
                    ctx,
                    eff,
                    (3, 6),
                    f"the '>=TLSv1.2' form in {name}",
                    f"write {name} = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1",
                )
            elif _GROUPING.search(eff.raw) and target < (3, 0):
                _newer(ctx, eff, (3, 0), f"'{{ }}' grouping in {name}", "write the list without braces")
    if pv.master is not None and target < (3, 0):
        for s in pv.master.services:
            for override in s.overrides:
                if override.braced and override.active:
                    ctx.report(
                        f"'-o {{ {override.name} = ... }}' needs Postfix 3.0 or later, but the target is Postfix "
                        f"{format_version(target)}: write -o {override.name}=value without spaces",
                        path=pv.master_path,
                        line=override.line,
                        column=override.column,
                        fix=f"-o {override.name}=value",
                    )


# -- Dovecot ----------------------------------------------------------------------------------

_SETTING_OR_SECTION = Lazy(r"^\s*([A-Za-z0-9_]+)\s*(=|\{)\s*(.*)$")
OBSOLETE_DOVECOT = {
    "ssl_cert_file": "ssl_cert = </path/to/cert.pem",
    "ssl_key_file": "ssl_key = </path/to/key.pem",
    "ssl_ca_file": "ssl_ca = </path/to/ca.pem",
    "ssl_disable": "ssl = no|yes|required",
    "ssl_parameters_regenerate": "ssl_dh = </etc/dovecot/dh.pem",
    "ssl_dh_parameters_length": "ssl_dh = </etc/dovecot/dh.pem",
    "login_dir": "nothing (removed)",
    "auth_executable": "nothing (service auth { executable })",
    "login_executable": "nothing (service imap-login { executable })",
    "mail_executable": "nothing (service imap { executable })",
    "ssl_listen": "inet_listener address in service imap-login",
    "imap_listen": "inet_listener address in service imap-login",
    "mail_extra_groups": "mail_access_groups",
}
_OLD_PROTOCOLS = {"imaps", "pop3s"}


@rule("LEG201", "warning", "Dovecot obsolete or 1.x setting", needs=("dovecot-text",))
def leg201(ctx: Context) -> None:
    from mailconf.policy.rules._dovecot import view as dview

    for path, number, text in dview(ctx).content_lines():
        if "=" not in text and "{" not in text:
            continue
        m = _SETTING_OR_SECTION.match(text)
        if not m:
            continue
        key, sign, value = m.group(1), m.group(2), m.group(3).split("#", 1)[0].strip()
        if sign == "=" and key in OBSOLETE_DOVECOT:
            ctx.report(
                f"{key} is a Dovecot 1.x setting (converted with a warning, or refused): write {OBSOLETE_DOVECOT[key]}",
                path=path,
                line=number,
                column=m.start(1) + 1,
                fix=OBSOLETE_DOVECOT[key],
            )
        elif sign == "=" and key == "protocols" and _OLD_PROTOCOLS & set(value.split()):
            modern = " ".join(dict.fromkeys(p.rstrip("s") if p in _OLD_PROTOCOLS else p for p in value.split()))
            ctx.report(
                f"protocols = {value}: imaps/pop3s are 1.x protocol names; write protocols = {modern} "
                "(TLS ports are inet_listener imaps/pop3s in 10-master.conf)",
                path=path,
                line=number,
                column=m.start(1) + 1,
                fix=f"protocols = {modern}",
            )
        elif sign == "{" and key == "auth" and value.startswith("default"):
            ctx.report(
                "'auth default { }' is Dovecot 1.x syntax: write the mechanisms as auth_mechanisms and the "
                "databases as passdb { } / userdb { } at top level",
                path=path,
                line=number,
                column=m.start(1) + 1,
                fix="auth_mechanisms = plain login",
            )
