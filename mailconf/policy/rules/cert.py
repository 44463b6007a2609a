"""CERT: certificates and keys (1xx files named by Postfix or Dovecot, 2xx Dovecot syntax).

The file checks (CERT101-103) only run when the files are on this machine: linting the live
/etc, or a copy of a host's files with ``--root DIR`` (DIR stands for ``/``). A configuration
repository without ``--root`` names paths of another machine, so they are not looked at.
"""

from __future__ import annotations

import os
import stat

from mailconf import _paths
from mailconf._record import Record
from mailconf.policy.engine import Context
from mailconf.policy.registry import rule
from mailconf.policy.rules._postfix import split_list
from mailconf.policy.rules._postfix import view as pview

POSTFIX_CERTS = (
    ("smtpd_tls_cert_file", "cert"),
    ("smtpd_tls_key_file", "key"),
    ("smtpd_tls_eccert_file", "cert"),
    ("smtpd_tls_eckey_file", "key"),
    ("smtpd_tls_dcert_file", "cert"),
    ("smtpd_tls_dkey_file", "key"),
    ("smtp_tls_cert_file", "cert"),
    ("smtp_tls_key_file", "key"),
)


class Named(Record):
    """A certificate or key file named in a configuration, with the place that names it."""

    __slots__ = ("column", "kind", "line", "path", "setting", "system_path")

    def __init__(
        self,
        setting: str,
        kind: str,  # cert, key, chain (key and certs in one file list)
        system_path: str,
        path: str,
        line: int,
        column: int,
    ) -> None:
        self.setting = setting
        self.kind = kind
        self.system_path = system_path
        self.path = path
        self.line = line
        self.column = column


def files_on_this_machine(ctx: Context) -> bool:
    return ctx.root_name is not None or ctx.cs.live


def local_path(ctx: Context, system_path: str) -> str:
    """Where a file of the target system is here (below ``--root``), normalised as ``str(Path(...))``."""
    if ctx.root_name is not None:
        return _paths.join(ctx.root_name, system_path.lstrip("/"))
    return _paths.norm(system_path)


def named_files(ctx: Context) -> list[Named]:
    out: list[Named] = []
    if ctx.postfix is not None:
        pv = pview(ctx)
        seen: set[tuple[str, str]] = set()
        for name, kind in POSTFIX_CERTS:
            for eff in [pv.value(name), *pv.set_anywhere(name)]:
                if not eff.value or (name, eff.value) in seen:
                    continue
                seen.add((name, eff.value))
                if kind == "key" and eff.value == pv.value(name.replace("key", "cert")).value:
                    kind = "chain"  # key and certificate in one file
                out.append(Named(name, kind, eff.value, eff.path, eff.line, eff.column))
        for name in ("smtpd_tls_chain_files", "smtp_tls_chain_files"):
            for eff in pv.set_anywhere(name):
                for item in split_list(eff.value):
                    out.append(Named(name, "chain", item, eff.path, eff.line, eff.column))
    if ctx.dovecot is not None:
        from mailconf.policy.rules._dovecot import view as dview

        dv = dview(ctx)
        for key, kind in (("ssl_cert", "cert"), ("ssl_key", "key")):
            dval = dv.value(key)
            if dval.explicit and dval.value.startswith("<"):
                out.append(Named(key, kind, dval.value[1:].strip(), dval.path, dval.line, dval.column))
    return out


@rule("CERT101", "warning", "certificate or key file missing or unreadable", needs=())
def cert101(ctx: Context) -> None:
    if not files_on_this_machine(ctx):
        return
    for named in named_files(ctx):
        target = local_path(ctx, named.system_path)
        try:
            with open(target, "rb"):
                pass
        except OSError as error:
            ctx.report(
                f"{named.setting} names {named.system_path}, which cannot be read here ({error.strerror}): "
                "TLS fails at run time; install the file or correct the path",
                path=named.path,
                line=named.line,
                column=named.column,
                fix=f"make {named.system_path} exist and be readable by the daemon",
            )


@rule("CERT102", "error", "private key file readable by other users", needs=())
def cert102(ctx: Context) -> None:
    if not files_on_this_machine(ctx):
        return
    for named in named_files(ctx):
        if named.kind not in ("key", "chain"):
            continue
        target = local_path(ctx, named.system_path)
        try:
            mode = os.stat(target).st_mode
        except OSError:
            continue
        if named.kind == "chain" and "PRIVATE KEY" not in _head(target):
            continue
        if mode & stat.S_IROTH:
            ctx.report(
                f"{named.setting}: the private key {named.system_path} is readable by every user "
                f"(mode {stat.S_IMODE(mode):04o}); write chmod 0600 (or 0640 with group ssl-cert)",
                path=named.path,
                line=named.line,
                column=named.column,
                fix=f"chmod 0600 {named.system_path}",
            )


def _head(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(1 << 20).decode("latin-1")
    except OSError:
        return ""


def _openssl(args: list[str], data: bytes) -> str | None:
    import shutil
    import subprocess

    exe = shutil.which("openssl")
    if exe is None:
        return None
    try:
        proc = subprocess.run([exe, *args], input=data, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.decode("latin-1") if proc.returncode == 0 else None


@rule("CERT103", "warning", "certificate expired, expiring soon, or not matching its key", needs=())
def cert103(ctx: Context) -> None:
    if not files_on_this_machine(ctx):
        return
    import time

    days = int(ctx.option("cert_expiry_days"))
    named = named_files(ctx)
    keys = {n.setting.replace("key", "cert"): n for n in named if n.kind == "key"}
    for item in named:
        if item.kind not in ("cert", "chain"):
            continue
        text = _head(local_path(ctx, item.system_path))
        if "BEGIN CERTIFICATE" not in text:
            continue
        pem = text[text.index("-----BEGIN CERTIFICATE") :].encode("latin-1")
        end = _openssl(["x509", "-noout", "-enddate"], pem)
        if end and "=" in end:
            when = end.split("=", 1)[1].strip()
            try:
                expires = time.mktime(time.strptime(when.replace(" GMT", ""), "%b %d %H:%M:%S %Y")) - time.timezone
            except ValueError:
                expires = None
            if expires is not None:
                left = (expires - time.time()) / 86400
                if left < days:
                    state = "expired" if left < 0 else f"expires in {int(left)} days"
                    ctx.report(
                        f"{item.setting}: the certificate {item.system_path} {state} ({when}); renew it",
                        path=item.path,
                        line=item.line,
                        column=item.column,
                        fix="renew the certificate",
                    )
        key = keys.get(item.setting)
        key_text = "" if key is None else _head(local_path(ctx, key.system_path))
        if key is not None and "PRIVATE KEY" in key_text:
            cert_pub = _openssl(["x509", "-noout", "-pubkey"], pem)
            key_pub = _openssl(["pkey", "-pubout"], key_text.encode("latin-1"))
            if cert_pub and key_pub and cert_pub.strip() != key_pub.strip():
                ctx.report(
                    f"{item.setting} {item.system_path} does not match the private key {key.system_path} "
                    f"({key.setting}): TLS handshakes fail; pair the certificate with its own key",
                    path=item.path,
                    line=item.line,
                    column=item.column,
                    fix="use the key the certificate was issued for",
                )


_PEM_SETTINGS = ("ssl_cert", "ssl_key", "ssl_ca", "ssl_dh", "ssl_alt_cert", "ssl_alt_key", "ssl_client_cert")
_FILE_SETTINGS_24 = (
    "ssl_server_cert_file",
    "ssl_server_key_file",
    "ssl_server_ca_file",
    "ssl_server_dh_file",
    "ssl_client_ca_file",
)


@rule("CERT201", "error", "Dovecot certificate setting without '<' (2.3) or with '<' (2.4)", needs=("dovecot-text",))
def cert201(ctx: Context) -> None:
    from mailconf.policy.rules._dovecot import view as dview

    dv = dview(ctx)
    v24 = ctx.dovecot_at_least((2, 4), unknown=False)
    for path, number, text in dv.content_lines():
        stripped = text.strip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key, _, value = stripped.partition("=")
        key, value = key.strip(), value.strip().strip('"')
        column = text.index(key) + 1 if key in text else 1
        if not v24 and key in _PEM_SETTINGS and value and not value.startswith("<") and "-----BEGIN" not in value:
            ctx.report(
                f"{key} = {value}: without '<' Dovecot takes the path itself as the PEM data "
                f'("There is no valid PEM certificate"); write {key} = <{value}',
                path=path,
                line=number,
                column=column,
                fix=f"{key} = <{value}",
            )
        elif v24 and key in _FILE_SETTINGS_24 and value.startswith("<"):
            ctx.report(
                f"{key} = {value}: Dovecot 2.4 *_file settings take a plain path; write {key} = {value[1:].strip()}",
                path=path,
                line=number,
                column=column,
                fix=f"{key} = {value[1:].strip()}",
            )


@rule("CERT202", "error", "Dovecot ssl enabled without a global certificate or key", needs=("dovecot",))
def cert202(ctx: Context) -> None:
    from mailconf.policy.rules._dovecot import view as dview

    dv = dview(ctx)
    ssl = dv.value("ssl")
    if ssl.value == "no":
        return
    v24 = ctx.dovecot_at_least((2, 4), unknown=False)
    cert_key, key_key = ("ssl_server_cert_file", "ssl_server_key_file") if v24 else ("ssl_cert", "ssl_key")
    missing = [k for k in (cert_key, key_key) if not dv.value(k).value.strip()]
    if not missing:
        return
    where = dv.value(missing[0])
    ctx.report(
        f"ssl = {ssl.value or 'yes'} but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set "
        f"globally: Dovecot will not listen with TLS; write {cert_key} = "
        f"{'' if v24 else '<'}/etc/ssl/certs/mail.pem and {key_key} = {'' if v24 else '<'}/etc/ssl/private/mail.key",
        path=where.path,
        line=where.line,
        column=where.column,
        fix=f"{cert_key} = {'' if v24 else '<'}/etc/ssl/certs/mail.pem",
    )
