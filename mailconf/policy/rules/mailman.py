"""MM: Mailman with Postfix (rules.md MM301-MM304; MM305 for Debian's postfix-to-mailman.py pipe;
MM306 for Mailman 3 path settings that Mailman ignores).

The rules read Mailman's files through :mod:`mailconf.mailman.config` (effective settings with
Mailman's defaults) and Postfix's effective values; each finding points at the main.cf or
master.cf line that causes it (line 1 of main.cf when the value is Postfix's default), or at
the Mailman setting when Mailman's side is what has to change. Background: docs/mailman.md.
"""

from __future__ import annotations

import functools
import ipaddress
import posixpath
import sys
from collections.abc import Callable, Iterator

from mailconf import _paths
from mailconf._lazyre import Lazy
from mailconf._record import Record
from mailconf.policy.registry import rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from typing import Any

    from mailconf.policy.engine import Context

# Postfix defaults of the parameters these rules read (Postfix 3.x, compatibility_level >= 2
# where it matters; used only when the Postfix layer does not provide an effective value).
_DEFAULTS = {
    "transport_maps": "",
    "local_recipient_maps": "proxy:unix:passwd.byname $alias_maps",
    "alias_maps": "hash:/etc/aliases, nis:mail.aliases",
    "virtual_alias_maps": "$virtual_maps",
    "virtual_maps": "",
    "relay_domains": "",
    "mydestination": "$myhostname, localhost.$mydomain, localhost",
    "recipient_delimiter": "",
    "owner_request_special": "yes",
    "unknown_local_recipient_reject_code": "550",
    "default_database_type": "hash",
    "lmtp_host_lookup": "dns",
    "inet_interfaces": "all",
    "default_destination_recipient_limit": "50",
    "myhostname": "",
    "mydomain": "",
}
_SERVICE_PORTS = {"smtp": 25, "submission": 587, "smtps": 465, "submissions": 465}


class _Val(Record):
    __slots__ = ("column", "line", "name", "path", "source", "value")

    def __init__(
        self,
        name: str,
        value: str,  # expanded
        source: str,  # "main", "master", "default"
        path: str | None,
        line: int,
        column: int,
    ) -> None:
        self.name = name
        self.value = value
        self.source = source
        self.path = path
        self.line = line
        self.column = column


_RANK = {"info": 0, "warning": 1, "error": 2}


class _OnePerPlace:
    """Stands in for the Context while a rule runs and merges what it reports at one place.

    Several Postfix defaults all point at line 1 of main.cf; the engine keeps every distinct
    message, so their messages are joined here into one finding per rule and place instead of
    one line each.
    """

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._found: dict[tuple[str, int, int], list[tuple[str, str | None, str | None]]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)

    def report(
        self,
        message: str,
        *,
        path: str | None,
        line: int = 1,
        column: int = 1,
        fix: str | None = None,
        severity: str | None = None,
    ) -> None:
        where = (str(path) if path is not None else self._ctx.cs.name, line, column)
        items = self._found.setdefault(where, [])
        if all(m != message for m, _, _ in items):
            items.append((message, fix, severity))

    def flush(self) -> None:
        default = self._ctx.rule.severity if self._ctx.rule is not None else "error"
        for (path, line, column), items in self._found.items():
            severities = [sev or default for _, _, sev in items]
            severity = max(severities, key=lambda s: _RANK.get(s, 2))
            fixes = [fix for _, fix, _ in items if fix]
            self._ctx.report(
                "; ".join(m for m, _, _ in items),
                path=path,
                line=line,
                column=column,
                fix="; ".join(dict.fromkeys(fixes)) or None,
                severity=None if severity == default else severity,
            )


_LIST_SPLIT = Lazy(r"[\s,]+")
_LMTP_INET = Lazy(r"lmtp:(?:inet:)?\[?([^\]]+?)\]?:(\d+)")


def _one_per_place(func: Callable[[Context], None]) -> Callable[[Context], None]:
    @functools.wraps(func)
    def run(ctx: Context) -> None:
        buffer = _OnePerPlace(ctx)
        func(buffer)  # type: ignore[arg-type]  # a Context stand-in
        buffer.flush()

    return run


def _main_path(ctx: Context) -> str:
    pf = ctx.postfix
    main = getattr(pf, "main", None)
    if main is not None and getattr(main, "filename", None) is not None:
        return _paths.norm(main.filename)
    return _paths.join(pf.directory_name, "main.cf")


def _raw_main(ctx: Context) -> dict[str, str]:
    main = getattr(ctx.postfix, "main", None)
    return dict(main.values()) if main is not None else {}


_MACRO = Lazy(r"\$(?:\{([A-Za-z0-9_]+)\}|\(([A-Za-z0-9_]+)\)|([A-Za-z0-9_]+))")


def _expand(text: str, raw: dict[str, str], depth: int = 0) -> str:
    if depth > 20 or "$" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(3)
        value = raw.get(name, _DEFAULTS.get(name, ""))
        return _expand(value, raw, depth + 1)

    return _MACRO.sub(one, text)


def _value(ctx: Context, name: str) -> _Val:
    """The effective main.cf-level value of ``name``: the Postfix layer's when it has one,
    else main.cf (last wins) or Postfix's default, ``$name``-expanded."""
    effective = getattr(ctx.postfix, "effective", None)
    if callable(effective):
        try:
            v = effective(name)
        except (KeyError, LookupError, ValueError):
            v = None
        if v is not None:
            return _Val(name, str(v.expanded), str(v.source), v.path or _main_path(ctx), v.line or 1, v.column or 1)
    raw = _raw_main(ctx)
    main = getattr(ctx.postfix, "main", None)
    param = main.get(name) if main is not None else None
    if param is not None:
        return _Val(name, _expand(param.value, raw), "main", _main_path(ctx), param.line, 1)
    if name.endswith("_destination_recipient_limit") and name not in _DEFAULTS:
        default = "$default_destination_recipient_limit"
    else:
        default = _DEFAULTS.get(name, "")
    return _Val(name, _expand(default, raw), "default", _main_path(ctx), 1, 1)


def _items(value: str) -> list[str]:
    return [w for w in _LIST_SPLIT.split(value.replace("{", " ").replace("}", " ")) if w]


def _maps(value: str) -> list[tuple[str, str]]:
    """``(type, name)`` of each table in a map list (``proxy:`` unwrapped)."""
    out: list[tuple[str, str]] = []
    for word in _items(value):
        if ":" not in word:
            continue
        kind, _, name = word.partition(":")
        if kind == "proxy" and ":" in name:
            kind, _, name = name.partition(":")
        out.append((kind.lower(), name))
    return out


def _same_file(a: str, b: str) -> bool:
    return posixpath.normpath(a) == posixpath.normpath(b)


def _root(ctx: Context) -> str | None:
    if ctx.root_name is not None:
        return ctx.root_name
    if ctx.cs.live:
        return None
    base = ctx.cs.name
    return _paths.parent(base) if _paths.name(base) == "etc" else base


def _mailman3(ctx: Context) -> list[Any]:
    def build() -> list[Any]:
        if not ctx.mailman:  # no Mailman files: do not import the Mailman layer at all
            return []
        from mailconf.mailman import Mailman3Document
        from mailconf.mailman.config import Mailman3Config, load_mailman3

        out = []
        for doc in ctx.mailman:
            name = doc.filename if isinstance(doc, Mailman3Document) else None
            if name is None or _paths.name(_paths.norm(name)) != "mailman.cfg":
                continue
            try:
                out.append(load_mailman3(name, root=_root(ctx)))
            except Exception:  # the engine already reported the unreadable file (SYN001)
                out.append(Mailman3Config([doc], root=_root(ctx)))
        return out

    result: list[Any] = ctx.cached("mailman3", build)
    return result


def _mailman2(ctx: Context) -> list[Any]:
    def build() -> list[Any]:
        if not ctx.mailman:  # no Mailman files: do not import the Mailman layer at all
            return []
        # mm_cfg.py documents exist only once their module (which imports ast) is loaded
        if "mailconf.mailman._mmcfg" not in sys.modules:
            return []
        from mailconf.mailman import Mailman2Document
        from mailconf.mailman.config import Mailman2Config, system_path_of

        out = []
        for doc in ctx.mailman:
            if isinstance(doc, Mailman2Document):
                system = system_path_of(doc.filename, _root(ctx)) if doc.filename is not None else None
                out.append(Mailman2Config(doc, system))
        return out

    result: list[Any] = ctx.cached("mailman2", build)
    return result


def _report_at(ctx: Context, val: _Val, message: str, fix: str) -> None:
    ctx.report(message, path=val.path, line=val.line, column=val.column, fix=fix)


def _where(val: _Val) -> str:
    return "Postfix's default" if val.source == "default" else f"{val.name} = {val.value}"


# -- MM301 ---------------------------------------------------------------------------------------


def _map_types(ctx: Context, mailman_type: str | None) -> set[str] | None:
    if mailman_type == "hash":
        return {"hash", _value(ctx, "default_database_type").value.strip() or "hash"}
    if mailman_type == "regexp":
        return {"regexp", "pcre"}
    return None


def _check_map(ctx: Context, param: str, basename: str, expected: str | None, types: set[str] | None, mm: Any) -> bool:
    """Report when ``param`` does not name Mailman's ``basename`` map; True when it does."""
    val = _value(ctx, param)
    refs = [(t, n) for t, n in _maps(val.value) if posixpath.basename(n.removesuffix(".db")) == basename]
    want_type = mm.postfix_map_type or "hash"
    wanted = f"{want_type}:{expected}" if expected else f"{want_type}:<data_dir>/{basename}"
    if not refs:
        _report_at(
            ctx,
            val,
            f"{param} does not include Mailman's {basename} map ({_where(val)}); Mailman 3 "
            f"({mm.filename}) delivers list mail through it: add {wanted}",
            f"add {wanted} to {param}",
        )
        return False
    for kind, name in refs:
        if expected and not _same_file(name, expected):
            _report_at(
                ctx,
                val,
                f"{param} uses {kind}:{name} but Mailman writes {expected} (data_dir of {mm.filename})",
                f"write {wanted}",
            )
        elif types and kind not in types:
            _report_at(
                ctx,
                val,
                f"{param} reads {name} as a {kind}: table but Mailman writes it as "
                f"{'an indexed (postmap) table' if 'hash' in types else 'a regexp table'}",
                f"write {wanted}",
            )
    return True


def _generated_domains(mm: Any) -> list[str] | None:
    if mm.postfix_domains is None:
        return None
    text = mm.read_generated(mm.postfix_domains)
    if text is None:
        return None
    domains = []
    for line in text.splitlines():
        words = line.split()
        if words and not words[0].startswith("#"):
            domains.append(words[-1].lower())
    return domains


@rule(
    "MM301",
    "error",
    "Mailman 3 LMTP maps missing from transport_maps/local_recipient_maps/relay_domains",
    needs=("mailman", "postfix"),
)
@_one_per_place
def mm301(ctx: Context) -> None:
    for mm in _mailman3(ctx):
        if not mm.uses_postfix_lmtp:
            continue
        types = _map_types(ctx, mm.postfix_map_type)
        _check_map(ctx, "transport_maps", "postfix_lmtp", mm.postfix_lmtp, types, mm)
        domains = _generated_domains(mm)
        local_domains = {d.lower().rstrip(".") for d in _items(_value(ctx, "mydestination").value)}
        outside = [d for d in domains if d not in local_domains] if domains is not None else []
        local = _value(ctx, "local_recipient_maps")
        # local_recipient_maps applies to mydestination domains only: skip it when Mailman's own
        # domain list shows that no list lives there.
        some_local = domains is None or len(outside) < len(domains)
        if local.value.strip() and some_local:
            _check_map(ctx, "local_recipient_maps", "postfix_lmtp", mm.postfix_lmtp, types, mm)
        relay = _value(ctx, "relay_domains")
        has_domains = any(posixpath.basename(n.removesuffix(".db")) == "postfix_domains" for _, n in _maps(relay.value))
        if domains is not None:
            if outside and not has_domains:
                _report_at(
                    ctx,
                    relay,
                    f"relay_domains does not include Mailman's postfix_domains map, and list domain(s) "
                    f"{', '.join(outside)} are not in mydestination: Postfix rejects their mail "
                    "(Relay access denied)",
                    f"add {mm.postfix_map_type or 'hash'}:{mm.postfix_domains} to relay_domains",
                )
            elif has_domains:
                _check_map(ctx, "relay_domains", "postfix_domains", mm.postfix_domains, types, mm)
        elif not has_domains:
            where = mm.postfix_domains or "<data_dir>/postfix_domains"
            ctx.report(
                f"relay_domains does not include Mailman's postfix_domains map ({_where(relay)}): list domains "
                "outside mydestination are refused; the map could not be read to tell whether there are any",
                path=relay.path,
                line=relay.line,
                column=relay.column,
                severity="warning",
                fix=f"add {mm.postfix_map_type or 'hash'}:{where} to relay_domains",
            )
        else:
            _check_map(ctx, "relay_domains", "postfix_domains", mm.postfix_domains, types, mm)
        vmap = mm.postfix_vmap
        if vmap is not None and mm.read_generated(vmap) is not None:
            _check_map(ctx, "virtual_alias_maps", "postfix_vmap", vmap, types, mm)


# -- MM302 ---------------------------------------------------------------------------------------


def _inet_port(name: str) -> tuple[str | None, int | None]:
    """``[host:]port`` of an inet service name (service names like ``submission`` resolved)."""
    host: str | None = None
    port = name
    if name.startswith("["):
        end = name.find("]")
        host, port = name[1:end], name[end + 2 :]
    elif ":" in name:
        host, port = name.rsplit(":", 1)
    if port.isdigit():
        return host, int(port)
    return host, _SERVICE_PORTS.get(port)


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _services(ctx: Context) -> list[Any]:
    master = getattr(ctx.postfix, "master", None)
    return list(master.services) if master is not None else []


def _master_path(ctx: Context) -> str:
    master = getattr(ctx.postfix, "master", None)
    if master is not None and getattr(master, "filename", None) is not None:
        return _paths.norm(master.filename)
    return _paths.join(ctx.postfix.directory_name, "master.cf")


def _override(service: Any, name: str) -> str | None:
    found = None
    for o in service.overrides:
        if o.name == name:
            found = o.value
    return found


def _command(service: Any) -> str:
    return str(posixpath.basename(service.command))


def _lmtp_hops(text: str) -> set[tuple[str, int]]:
    hops: set[tuple[str, int]] = set()
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and not words[0].startswith("#"):
            match = _LMTP_INET.fullmatch(words[-1])
            if match:
                hops.add((match.group(1), int(match.group(2))))
    return hops


def _service_value(ctx: Context, service: Any, name: str) -> str:
    """The value ``service`` uses for ``name`` (its -o override, else main.cf, else the default)."""
    effective = getattr(ctx.postfix, "effective", None)
    if callable(effective):
        try:
            return str(effective(name, service).expanded)
        except (KeyError, LookupError, ValueError):
            pass
    override = _override(service, name)
    return _expand(override, _raw_main(ctx)) if override is not None else _value(ctx, name).value


def _requires_auth(ctx: Context, service: Any) -> bool:
    """Whether the service rejects clients that do not authenticate (SMTP AUTH)."""
    for name in (
        "smtpd_client_restrictions",
        "smtpd_helo_restrictions",
        "smtpd_sender_restrictions",
        "smtpd_relay_restrictions",
        "smtpd_recipient_restrictions",
    ):
        words = _items(_service_value(ctx, service, name))
        if "permit_sasl_authenticated" in words and "reject" in words:
            before = words[: words.index("reject")]
            if not any(w.startswith("permit") and w != "permit_sasl_authenticated" for w in before):
                return True
    return False


@rule("MM302", "error", "Mailman 3 lmtp/smtp host and port do not match Postfix", needs=("mailman", "postfix"))
@_one_per_place
def mm302(ctx: Context) -> None:
    services = _services(ctx)
    for mm in _mailman3(ctx):
        host = mm.lmtp_host.value.strip()
        port = mm.port(mm.lmtp_port)
        if mm.uses_postfix_lmtp:
            if services and not any(s.type == "unix" and _command(s) == "lmtp" and s.name == "lmtp" for s in services):
                ctx.report(
                    "master.cf has no 'lmtp unix ... lmtp' service, but Mailman's postfix_lmtp map sends list "
                    "mail to the lmtp transport: it stays deferred",
                    path=_master_path(ctx),
                    line=1,
                    fix="add: lmtp      unix  -       -       y       -       -       lmtp",
                )
            if host.lower() in ("localhost", "localhost.localdomain"):
                lookup = _value(ctx, "lmtp_host_lookup")
                if "native" not in _items(lookup.value):
                    ctx.report(
                        f"Mailman lmtp_host is {host!r}; Postfix looks up LMTP next hops in DNS only "
                        f"(lmtp_host_lookup = {lookup.value or 'dns'}), where {host} usually does not resolve: "
                        "use 127.0.0.1 (Mailman's documentation says the same)",
                        path=mm.lmtp_host.path,
                        line=mm.lmtp_host.line,
                        column=mm.lmtp_host.column,
                        severity="warning",
                        fix="lmtp_host: 127.0.0.1",
                    )
            if mm.postfix_lmtp is not None and port is not None:
                text = mm.read_generated(mm.postfix_lmtp)
                hops = _lmtp_hops(text) if text is not None else set()
                stale = sorted(h for h in hops if h != (host, port))
                if stale:
                    ctx.report(
                        f"{mm.postfix_lmtp} sends list mail to lmtp:[{stale[0][0]}]:{stale[0][1]} but Mailman "
                        f"listens on {host}:{port}: the map is stale",
                        path=mm.lmtp_port.path,
                        line=mm.lmtp_port.line,
                        column=mm.lmtp_port.column,
                        fix="run 'mailman aliases' to regenerate the maps, then reload Postfix",
                    )
        _check_smtp(ctx, mm, services)


def _check_smtp(ctx: Context, mm: Any, services: list[Any]) -> None:
    if not services:
        return
    smtp_host = mm.smtp_host.value.strip()
    smtp_port = mm.port(mm.smtp_port)
    where = {"path": mm.smtp_port.path, "line": mm.smtp_port.line, "column": mm.smtp_port.column}
    if smtp_port is None:
        ctx.report(f"Mailman smtp_port {mm.smtp_port.value!r} is not a port number", fix="smtp_port: 25", **where)
        return
    listeners = []
    for s in services:
        if s.type != "inet" or _command(s) not in ("smtpd", "postscreen"):
            continue
        shost, sport = _inet_port(s.name)
        if sport != smtp_port:
            continue
        if shost and smtp_host and _is_ip(shost) and _is_ip(smtp_host) and shost != smtp_host:
            continue
        if shost and _is_loopback(shost) != _is_loopback(smtp_host) and (_is_ip(smtp_host) or smtp_host == "localhost"):
            continue
        listeners.append(s)
    if not listeners:
        ctx.report(
            f"Mailman sends list mail to {smtp_host}:{smtp_port} (smtp_host/smtp_port) but master.cf has no "
            "smtpd listener there: outgoing list mail fails",
            fix="point smtp_port at the smtp (25) service, or add an smtpd listener for Mailman",
            **where,
        )
        return
    if _is_loopback(smtp_host):
        interfaces = _value(ctx, "inet_interfaces")
        words = [w.lower() for w in _items(interfaces.value)]
        if words and not any(w in ("all", "loopback-only", "localhost") or _is_loopback(w) for w in words):
            _report_at(
                ctx,
                interfaces,
                f"Mailman sends list mail to {smtp_host}:{smtp_port} but Postfix does not listen on the loopback "
                f"interface (inet_interfaces = {interfaces.value})",
                "add 127.0.0.1 (or loopback-only) to inet_interfaces, or set Mailman's smtp_host",
            )
    _check_smtp_tls(ctx, mm, listeners)
    if not mm.smtp_user.value.strip() and all(_requires_auth(ctx, s) for s in listeners):
        service = listeners[0]
        ctx.report(
            f"the {service.name} service requires SMTP AUTH but Mailman has no smtp_user/smtp_pass: "
            "Postfix refuses Mailman's outgoing list mail",
            path=_master_path(ctx),
            line=service.line,
            fix="send Mailman's mail to port 25 (smtp_port: 25), or set smtp_user/smtp_pass in [mta]",
        )


def _check_smtp_tls(ctx: Context, mm: Any, listeners: list[Any]) -> None:
    """Mailman's smtp_secure_mode against the listener: implicit TLS (wrappermode) needs
    ``smtps``; a listener that requires STARTTLS needs ``starttls`` (or ``smtps``)."""
    mode = mm.smtp_secure_mode.value.strip().lower() or "smtp"
    problems = []
    for service in listeners:
        wrapper = _service_value(ctx, service, "smtpd_tls_wrappermode").strip().lower() == "yes"
        level = _service_value(ctx, service, "smtpd_tls_security_level").strip().lower()
        enforce = _service_value(ctx, service, "smtpd_enforce_tls").strip().lower() == "yes"
        if wrapper and mode != "smtps":
            problems.append(
                (
                    service,
                    f"the {service.name} service speaks TLS from the first byte "
                    f"(smtpd_tls_wrappermode = yes) but Mailman's smtp_secure_mode is {mode!r}",
                    "smtp_secure_mode: smtps",
                )
            )
        elif not wrapper and mode == "smtps":
            problems.append(
                (
                    service,
                    f"Mailman's smtp_secure_mode is 'smtps' but the {service.name} service "
                    "expects plain SMTP with STARTTLS",
                    "smtp_secure_mode: starttls",
                )
            )
        elif not wrapper and mode == "smtp" and (level == "encrypt" or enforce):
            problems.append(
                (
                    service,
                    f"the {service.name} service requires STARTTLS (smtpd_tls_security_level "
                    "= encrypt) but Mailman's smtp_secure_mode is 'smtp': Postfix answers "
                    "'530 Must issue a STARTTLS command first'",
                    "smtp_secure_mode: starttls",
                )
            )
        else:
            return  # one usable listener is enough
    _service, message, fix = problems[0]
    setting = mm.smtp_secure_mode
    # The setting to write is Mailman's: point at it (line 1 of mailman.cfg when it is not set).
    ctx.report(message, path=setting.path, line=setting.line, column=setting.column, fix=fix)


# -- MM303 ---------------------------------------------------------------------------------------


def _uses_mailman_with_postfix(ctx: Context) -> Iterator[tuple[str, str]]:
    """(path, VERP delimiter) of each Mailman configuration that hands list mail to this Postfix."""
    for mm in _mailman3(ctx):
        if mm.uses_postfix_lmtp:
            yield str(mm.filename), mm.verp_delimiter.value.strip() or "+"
    for mm2 in _mailman2(ctx):
        if mm2.uses_postfix or _pipe_services(ctx):
            yield str(mm2.filename), "+"


@rule(
    "MM303",
    "warning",
    "Postfix settings Mailman needs: recipient_delimiter, owner_request_special, unknown_local_recipient_reject_code",
    needs=("mailman", "postfix"),
)
@_one_per_place
def mm303(ctx: Context) -> None:
    users = list(_uses_mailman_with_postfix(ctx))
    if not users:
        return
    path, delimiter = users[0]
    val = _value(ctx, "recipient_delimiter")
    if delimiter not in val.value:
        _report_at(
            ctx,
            val,
            f"recipient_delimiter does not contain Mailman's VERP delimiter {delimiter!r} ({_where(val)}): "
            f"bounces to list-bounces{delimiter}... addresses of {path} are rejected",
            f"recipient_delimiter = {delimiter}",
        )
    val = _value(ctx, "owner_request_special")
    if val.value.strip().lower() != "no":
        _report_at(
            ctx,
            val,
            f"owner_request_special is not 'no' ({_where(val)}): Postfix treats owner-LIST and LIST-request "
            "specially instead of delivering them to Mailman",
            "owner_request_special = no",
        )
    val = _value(ctx, "unknown_local_recipient_reject_code")
    if val.value.strip() != "550":
        _report_at(
            ctx,
            val,
            f"unknown_local_recipient_reject_code is {val.value.strip() or 'empty'}, not 550: mail to unknown list "
            "addresses is deferred and retried instead of bounced",
            "unknown_local_recipient_reject_code = 550",
        )


# -- MM304 ---------------------------------------------------------------------------------------


def _is_mailman_map(name: str, candidates: tuple[str, ...], basename: str) -> bool:
    plain = name.removesuffix(".db")
    if any(_same_file(plain, c) for c in candidates):
        return True
    return posixpath.basename(plain) == basename and "mailman" in plain.lower()


@rule(
    "MM304",
    "error",
    "Mailman 2 with MTA='Postfix': Mailman's alias maps or list domains missing from Postfix",
    needs=("mailman", "postfix"),
)
@_one_per_place
def mm304(ctx: Context) -> None:
    for mm in _mailman2(ctx):
        if not mm.uses_postfix:
            continue
        aliases = _value(ctx, "alias_maps")
        if not any(_is_mailman_map(n, mm.aliases_maps, "aliases") for _, n in _maps(aliases.value)):
            _report_at(
                ctx,
                aliases,
                f"{mm.filename} sets MTA = 'Postfix' but alias_maps does not include Mailman's aliases map "
                f"({_where(aliases)}): list addresses are unknown to Postfix",
                f"alias_maps = hash:/etc/aliases, hash:{mm.aliases_maps[0]}",
            )
        virtual_domains = mm.postfix_style_virtual_domains
        _check_local_list_domains(ctx, mm, {d.lower() for d in virtual_domains or []})
        if virtual_domains:
            virtual = _value(ctx, "virtual_alias_maps")
            if not any(_is_mailman_map(n, mm.virtual_maps, "virtual-mailman") for _, n in _maps(virtual.value)):
                _report_at(
                    ctx,
                    virtual,
                    f"{mm.filename} lists POSTFIX_STYLE_VIRTUAL_DOMAINS ({', '.join(virtual_domains)}) but "
                    f"virtual_alias_maps does not include {mm.virtual_maps[0]} ({_where(virtual)})",
                    f"add hash:{mm.virtual_maps[0]} to virtual_alias_maps",
                )


def _check_local_list_domains(ctx: Context, mm: Any, virtual: set[str]) -> None:
    """Mailman 2's aliases apply to local domains only: a list domain that is not one of
    POSTFIX_STYLE_VIRTUAL_DOMAINS must be in mydestination."""
    mydestination = _value(ctx, "mydestination")
    items = [w.lower().rstrip(".") for w in _items(mydestination.value)]
    if any(":" in w or "/" in w for w in items):
        return  # a table or file lists more domains: cannot tell
    for domain, line in mm.list_domains:
        if domain in virtual or domain in items:
            continue
        _report_at(
            ctx,
            mydestination,
            f"list domain {domain} ({mm.filename}, line {line}) is not in mydestination ({_where(mydestination)}) "
            "nor in POSTFIX_STYLE_VIRTUAL_DOMAINS: Postfix does not look up Mailman's aliases for it",
            f"add {domain} to mydestination, or to POSTFIX_STYLE_VIRTUAL_DOMAINS with the virtual-mailman map",
        )


# -- MM305 ---------------------------------------------------------------------------------------


def _pipe_services(ctx: Context) -> list[Any]:
    return [s for s in _services(ctx) if _command(s) == "pipe" and any("postfix-to-mailman" in a for a in s.args)]


def _transport_used(ctx: Context, name: str) -> bool:
    """Whether main.cf routes mail to transport ``name`` (a *_transport value or a map argument)."""
    for key, raw in _raw_main(ctx).items():
        words = _items(raw)
        if key.endswith("_transport") and any(w == name or w.startswith(name + ":") for w in words):
            return True
    return False


@rule(
    "MM305",
    "error",
    "Debian postfix-to-mailman.py pipe without <transport>_destination_recipient_limit = 1",
    needs=("postfix",),
)
@_one_per_place
def mm305(ctx: Context) -> None:
    pipes = _pipe_services(ctx)
    if not pipes:
        return
    in_use = bool(_mailman2(ctx))
    for service in pipes:
        if not in_use and not _transport_used(ctx, service.name):
            continue  # Debian's stock master.cf defines the pipe; nothing sends mail to it
        param = f"{service.name}_destination_recipient_limit"
        val = _value(ctx, param)
        if val.value.strip() == "1":
            continue
        if val.source == "default":
            ctx.report(
                f"the {service.name} pipe runs postfix-to-mailman.py, which takes one recipient per call, but "
                f"{param} is not set (default {val.value or '50'}): mail to several list addresses at once fails",
                path=_master_path(ctx),
                line=service.line,
                fix=f"add '{param} = 1' to main.cf",
            )
        else:
            _report_at(
                ctx,
                val,
                f"{param} is {val.value}, but postfix-to-mailman.py takes one recipient per call",
                f"{param} = 1",
            )


# -- MM306 ---------------------------------------------------------------------------------------

_PATH_KEYS = frozenset(
    (
        "var_dir",
        "queue_dir",
        "bin_dir",
        "list_data_dir",
        "log_dir",
        "lock_dir",
        "data_dir",
        "cache_dir",
        "etc_dir",
        "messages_dir",
        "archive_dir",
        "template_dir",
        "pid_file",
        "lock_file",
    )
)


@rule(
    "MM306",
    "warning",
    "Mailman 3 path settings that Mailman ignores: outside [paths.<layout>], or the layout is missing",
    needs=("mailman",),
)
@_one_per_place
def mm306(ctx: Context) -> None:
    for mm in _mailman3(ctx):
        doc = mm.document
        layout = mm.layout.value.strip()
        wanted = f"paths.{layout}"
        for option in doc.options:
            if option.name in _PATH_KEYS and not option.section.startswith("paths."):
                ctx.report(
                    f"{option.name} in [{option.section}] is ignored: Mailman reads paths only from "
                    f"[{wanted}] (the section [mailman] layout selects)",
                    path=mm.filename,
                    line=option.line,
                    column=option.column,
                    fix=f"move '{option.key.strip()}: {option.value}' into a [{wanted}] section",
                )
        others = []
        for section in doc.sections:
            if not section.name.startswith("paths.") or not section.options or section.name == wanted:
                continue
            if section.name.endswith((".master", ".template", ".optional")):
                ctx.report(
                    f"[{section.name}] is ignored: Mailman's configuration loader treats .master sections as "
                    f"schema templates; never applied: {', '.join(o.name for o in section.options)}",
                    path=mm.filename,
                    line=section.line,
                    column=section.column,
                    fix=f"put these settings in [{wanted}]",
                )
            else:
                others.append(section)
        # Several alternative layouts next to the selected one are a choice; a single other one
        # while the selected layout is not defined here usually means a forgotten 'layout:'.
        names = {s.name for s in others}
        if len(names) == 1 and wanted not in doc.section_names():
            section = others[0]
            ctx.report(
                f"[{section.name}] is not used: [mailman] layout is {layout!r}, so Mailman reads [{wanted}]",
                path=mm.filename,
                line=section.line,
                column=section.column,
                fix=f"set 'layout: {section.name.removeprefix('paths.')}' in [mailman]",
            )
        for problem in mm.problems:
            if problem.startswith("no path configuration found"):
                where = mm.layout
                ctx.report(
                    f"[mailman] layout is {layout!r} but no [{wanted}] section exists: Mailman exits at start "
                    "(No path configuration found)",
                    path=where.path or mm.filename,
                    line=where.line,
                    column=where.column,
                    severity="error",
                    fix=f"add a [{wanted}] section with var_dir, or use a built-in layout (fhs, here, local, dev)",
                )
