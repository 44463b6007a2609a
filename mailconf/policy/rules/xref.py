"""XREF: Postfix and Dovecot of the same host, read together."""

from __future__ import annotations

import posixpath

from mailconf._record import Record
from mailconf.policy.engine import Context
from mailconf.policy.registry import rule
from mailconf.policy.rules._dovecot import DovecotView, place
from mailconf.policy.rules._dovecot import view as dview
from mailconf.policy.rules._postfix import PostfixView, Svc, is_loopback
from mailconf.policy.rules._postfix import view as pview

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Listener(Record):
    __slots__ = ("path", "section", "service", "type")

    def __init__(
        self,
        service: str,
        type: str,  # unix_listener, inet_listener, fifo_listener
        path: str,  # absolute socket path, or "host:port" for inet
        section: Any,
    ) -> None:
        self.service = service
        self.type = type
        self.path = path
        self.section = section


def _listeners(dv: DovecotView, service_name: str) -> list[Listener]:
    base = dv.value("base_dir").value or "/var/run/dovecot"
    out: list[Listener] = []
    service = dv.service(service_name)
    if service is None:
        return out
    for ltype in ("unix_listener", "fifo_listener"):
        for section in service.children(ltype):
            name = section.get("path") or section.name
            full = name if name.startswith("/") else posixpath.join(base, name)
            out.append(Listener(service_name, ltype, posixpath.normpath(full), section))
    for section in service.children("inet_listener"):
        port = section.get("port")
        if port and port != "0":
            out.append(Listener(service_name, "inet_listener", f"{section.get('address') or '*'}:{port}", section))
    return out


def _queue_dir(pv: PostfixView) -> str:
    return pv.value("queue_directory").value or "/var/spool/postfix"


def _socket(pv: PostfixView, value: str) -> tuple[str, str]:
    """(kind, target) of a Postfix socket reference: ("unix", absolute path) or ("inet", "host:port")."""
    text = value.strip()
    if text.startswith("inet:"):
        return "inet", text[5:]
    if text.startswith("unix:"):
        text = text[5:]
    full = text if text.startswith("/") else posixpath.join(_queue_dir(pv), text)
    return "unix", posixpath.normpath(full)


def _inet_match(target: str, listeners: list[Listener]) -> Listener | None:
    host, _, port = target.rpartition(":")
    host = host.strip("[]")
    for listener in listeners:
        if listener.type != "inet_listener":
            continue
        laddr, _, lport = listener.path.rpartition(":")
        if lport == port and (
            laddr in ("*", "", "::", "0.0.0.0") or laddr == host or is_loopback(laddr) == is_loopback(host)
        ):
            return listener
    return None


def _sasl_services(pv: PostfixView) -> list[tuple[Svc, str]]:
    out = []
    for svc in pv.smtpd_services():
        if not pv.flag("smtpd_sasl_auth_enable", svc):
            continue
        if pv.value("smtpd_sasl_type", svc).value.lower() != "dovecot":
            continue
        out.append((svc, pv.value("smtpd_sasl_path", svc).value))
    return out


@rule("XREF301", "error", "Postfix SASL path matches no Dovecot auth listener", needs=("cross",))
def xref301(ctx: Context) -> None:
    pv, dv = pview(ctx), dview(ctx)
    listeners = _listeners(dv, "auth")
    seen: set[str] = set()
    for svc, sasl_path in _sasl_services(pv):
        kind, target = _socket(pv, sasl_path)
        if target in seen:
            continue
        seen.add(target)
        if kind == "unix" and any(item.path == target for item in listeners if item.type != "inet_listener"):
            continue
        if kind == "inet" and _inet_match(target, listeners) is not None:
            continue
        eff = pv.value("smtpd_sasl_path", svc)
        path, line, column = pv.where(eff, svc)
        have = ", ".join(item.path for item in listeners) or "none"
        ctx.report(
            f"smtpd_sasl_path = {sasl_path} ({target}) but Dovecot's service auth has no such listener "
            f"(it has: {have}): SMTP AUTH fails and nobody can send; add to Dovecot "
            f"'service auth {{ unix_listener {target} {{ mode = 0660 user = postfix group = postfix }} }}'",
            path=path,
            line=line,
            column=column,
            fix=f"service auth {{ unix_listener {target} {{ mode = 0660; user = postfix; group = postfix }} }}",
        )


def _mode(text: str) -> int | None:
    try:
        return int(text, 8)
    except ValueError:
        return None


@rule("XREF302", "error", "Dovecot auth socket permissions do not let Postfix connect", needs=("cross",))
def xref302(ctx: Context) -> None:
    pv, dv = pview(ctx), dview(ctx)
    owner = pv.value("mail_owner").value or "postfix"
    listeners = {item.path: item for item in _listeners(dv, "auth") if item.type == "unix_listener"}
    seen: set[str] = set()
    for _svc, sasl_path in _sasl_services(pv):
        kind, target = _socket(pv, sasl_path)
        listener = listeners.get(target) if kind == "unix" else None
        if listener is None or target in seen:
            continue
        seen.add(target)
        section = listener.section
        mode = _mode(section.get("mode") or "0600")
        user = section.get("user")
        group = section.get("group")
        path, line, column = place(section, "mode")
        if path is None:
            path, line, column = place(section)
        if mode is None or path is None:
            continue
        if mode & 0o006 == 0o006:
            ctx.report(
                f"the auth socket {target} has mode {mode:04o}: every local user can query Dovecot's "
                f"authentication; write mode = 0660 with user = {owner} and group = {owner}",
                path=path,
                line=line,
                column=column,
                fix="mode = 0660",
                severity="warning",
            )
            continue
        if (user == owner and mode & 0o600 == 0o600) or (group == owner and mode & 0o060 == 0o060):
            continue
        ctx.report(
            f"the auth socket {target} (mode {mode:04o}, user '{user}', group '{group}') cannot be opened by "
            f"Postfix, which runs as {owner}: SMTP AUTH fails; write mode = 0660, user = {owner}, group = {owner}",
            path=path,
            line=line,
            column=column,
            fix=f"mode = 0660\nuser = {owner}\ngroup = {owner}",
        )


def _chrooted(pv: PostfixView, svc: Svc) -> bool:
    if svc.service is None:
        return False
    value = str(svc.service.chroot)
    if value == "-":
        level = pv.value("compatibility_level").value or "0"
        return level in ("0", "")
    return value == "y"


@rule("XREF303", "warning", "chrooted smtpd with a SASL socket outside the queue directory", needs=("cross",))
def xref303(ctx: Context) -> None:
    pv = pview(ctx)
    queue = posixpath.normpath(_queue_dir(pv))
    for svc, sasl_path in _sasl_services(pv):
        kind, target = _socket(pv, sasl_path)
        if kind != "unix" or not _chrooted(pv, svc):
            continue
        if target == queue or target.startswith(queue + "/"):
            continue
        ctx.report(
            f"{svc.label} runs chrooted in {queue} but smtpd_sasl_path = {sasl_path} is outside it: the socket "
            "cannot be reached; put the Dovecot listener in the queue directory (private/auth) or set chroot n",
            path=svc.path,
            line=svc.line,
            column=1,
            fix="smtpd_sasl_path = private/auth",
        )


_DELIVERY = ("mailbox_transport", "virtual_transport", "local_transport", "fallback_transport")


def _lmtp_target(value: str) -> str | None:
    text = value.strip()
    if not text.startswith("lmtp:"):
        return None
    return text[5:]


@rule("XREF304", "error", "Postfix delivers to Dovecot LMTP that Dovecot does not offer", needs=("cross",))
def xref304(ctx: Context) -> None:
    pv, dv = pview(ctx), dview(ctx)
    protocols = dv.protocols()
    listeners = _listeners(dv, "lmtp")
    for name in _DELIVERY:
        eff = pv.value(name)
        if not eff.explicit:
            continue
        target = _lmtp_target(eff.value)
        if target is None:
            continue
        problems = []
        if "lmtp" not in protocols:
            problems.append("'lmtp' is not in Dovecot's protocols")
        if target.startswith("unix:") or (not target.startswith(("inet:", "[")) and "/" in target):
            _kind, sock = _socket(pv, target)
            if not any(item.path == sock for item in listeners if item.type == "unix_listener"):
                problems.append(f"Dovecot's service lmtp has no unix_listener {sock}")
        else:
            host_port = target[5:] if target.startswith("inet:") else target
            if _inet_match(host_port, listeners) is None:
                problems.append(f"Dovecot's service lmtp has no inet_listener for {host_port}")
        if problems:
            ctx.report(
                f"{name} = {eff.value} but {' and '.join(problems)}: mail is deferred; add the listener "
                "(service lmtp { unix_listener /var/spool/postfix/private/dovecot-lmtp { ... } }) "
                "and lmtp to protocols",
                path=eff.path,
                line=eff.line,
                column=eff.column,
                fix="protocols = imap pop3 lmtp",
            )
