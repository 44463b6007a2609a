"""RELAY: relay control (Postfix)."""

from __future__ import annotations

from mailconf.policy.engine import Context
from mailconf.policy.registry import rule
from mailconf.policy.rules._postfix import GUARDS, Eff, PostfixView, Svc, restriction_steps, split_list, view

PERMISSIVE = {
    "permit",
    "permit_dnswl_client",
    "permit_rhswl_client",
    "permit_mx_backup",
    "permit_tls_all_clientcerts",
    "check_policy_service",
}


def relay_lists(ctx: Context, pv: PostfixView, svc: Svc) -> list[Eff]:
    """The lists that can hold the relay guard, in evaluation order."""
    lists = []
    if ctx.postfix_at_least((2, 10)):
        lists.append(pv.value("smtpd_relay_restrictions", svc))
    lists.append(pv.value("smtpd_recipient_restrictions", svc))
    return lists


def _has_guard(ctx: Context, eff: Eff) -> bool:
    """Whether a restriction list holds a relay guard before any ``permit`` (as smtpd checks it
    at start-up; ``check_relay_domains`` counted until Postfix 3.0 removed it)."""
    guards = GUARDS | {"check_relay_domains"} if not ctx.postfix_at_least((3, 0), unknown=True) else GUARDS
    skip = False
    for step, arg in restriction_steps(eff.value):
        if skip:  # the restriction after warn_if_reject only logs: not a guard
            skip = False
            continue
        if step == "warn_if_reject":
            skip = True
            continue
        if step in guards or (step == "check_relay_domains" and arg in guards):
            return True
        if step == "permit":
            return False
    return False


@rule("RELAY101", "error", "no relay guard in the smtpd restrictions of a service", needs=("postfix",))
def relay101(ctx: Context) -> None:
    pv = view(ctx)
    for svc in pv.smtpd_services():
        lists = relay_lists(ctx, pv, svc)
        if any(_has_guard(ctx, eff) for eff in lists):
            continue
        names = " or ".join(e.name for e in lists)
        eff = next((e for e in lists if e.explicit), lists[0])
        path, line, column = pv.where(eff, svc)
        ctx.report(
            f"{svc.label}: neither {names} holds reject_unauth_destination (or defer_unauth_destination, reject, "
            "defer, defer_if_permit): smtpd refuses to run without a relay guard ('fatal: ... specify at least one "
            "working instance of: reject_unauth_destination, ...') and master throttles the service, so the port "
            "accepts connections and then stalls: no mail is received on it; end the list with "
            "reject_unauth_destination",
            path=path,
            line=line,
            column=column,
            fix="smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination",
        )


@rule("RELAY102", "error", "a permissive restriction before the relay guard", needs=("postfix",))
def relay102(ctx: Context) -> None:
    pv = view(ctx)
    seen: set[tuple[str, int, str]] = set()
    for svc in pv.smtpd_services():
        for eff in relay_lists(ctx, pv, svc):
            steps = restriction_steps(eff.value)
            if not any(step in GUARDS for step, _ in steps):
                continue
            for step, arg in steps:
                if step in GUARDS:
                    break
                if step in PERMISSIVE or step.startswith("check_"):
                    shown = f"{step} {arg}" if arg else step
                    path, line, column = pv.where(eff, svc)
                    key = (path, line, shown)
                    if key in seen:
                        continue
                    seen.add(key)
                    ctx.report(
                        f"{eff.name}: '{shown}' comes before the relay guard, so a lookup result or a "
                        "client-chosen value can grant relay; move it after reject_unauth_destination",
                        path=path,
                        line=line,
                        column=column,
                        fix=f"move '{shown}' after reject_unauth_destination",
                    )
            break  # the first list with a guard decides


TYPE_CHECKING = False
if TYPE_CHECKING:
    import ipaddress


def _wide_public(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    if network.prefixlen == 0:
        return True
    if network.is_private or network.is_loopback or network.is_link_local:
        return False
    limit = 24 if network.version == 4 else 48
    return network.prefixlen < limit


@rule("RELAY103", "error", "mynetworks too wide", needs=("postfix",))
def relay103(ctx: Context) -> None:
    import ipaddress

    pv = view(ctx)
    eff = pv.value("mynetworks")
    if eff.explicit:
        for item in split_list(eff.value):
            text = item.strip().replace("[", "").replace("]", "")
            if text.startswith("!") or (":" in text and "/" not in text and not _is_ip(text)):
                continue
            try:
                network = ipaddress.ip_network(text, strict=False)
            except ValueError:
                continue
            if _wide_public(network):
                ctx.report(
                    f"mynetworks contains {item}: "
                    + ("the whole Internet" if network.prefixlen == 0 else "a public network wider than /24 (/48)")
                    + " may relay through this server; list only your own hosts and LAN",
                    path=eff.path,
                    line=eff.line,
                    column=eff.column,
                    fix="mynetworks = 127.0.0.0/8 [::1]/128",
                )
        return
    style = pv.value("mynetworks_style")
    if style.value.lower() in ("class", "subnet"):
        ctx.report(
            f"mynetworks is unset and mynetworks_style is '{style.value}' ({style.source}): every host in this "
            "server's "
            + ("class A/B/C network" if style.value.lower() == "class" else "IP subnet")
            + " may relay; write mynetworks = 127.0.0.0/8 [::1]/128 (plus your LAN)",
            path=style.path,
            line=style.line,
            column=style.column,
            fix="mynetworks = 127.0.0.0/8 [::1]/128",
            severity="warning",
        )


def _is_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


@rule("RELAY104", "warning", "compatibility_level unset or below 2 on Postfix 3.x", needs=("postfix",), postfix=">=3.0")
def relay104(ctx: Context) -> None:
    pv = view(ctx)
    eff = pv.value("compatibility_level")
    level = eff.value.strip() if eff.explicit else ""
    try:
        number = tuple(int(p) for p in level.split(".")) if level else (0,)
    except ValueError:
        return  # SYN006 reports the malformed value
    if number >= (2,):
        return
    shown = f"is {level}" if level else "is not set"
    ctx.report(
        f"compatibility_level {shown}: Postfix 3.x keeps legacy defaults (mynetworks_style = subnet, relay_domains "
        "= $mydestination, ...); review them and write compatibility_level = 3.6 (or the level of your version)",
        path=eff.path,
        line=eff.line,
        column=eff.column,
        fix="compatibility_level = 3.6" if ctx.postfix_at_least((3, 6)) else "compatibility_level = 2",
    )
