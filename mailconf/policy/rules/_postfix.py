"""Shared reading of a Postfix configuration for the rules: effective values per service.

``PostfixView(ctx)`` wraps the loaded :class:`mailconf.postfix.config.PostfixConfig`. Its
``value(name, svc)`` is the effective value a daemon uses: the service's ``-o`` override, else
main.cf, else the version default at the configured compatibility_level, with ``$name`` expansion.
It asks the semantic layer (``PostfixConfig.effective``) when that is available and otherwise
computes the same thing from the documents and the parameter catalogue.
"""

from __future__ import annotations

import os
from functools import lru_cache

from mailconf import _paths
from mailconf._lazyre import Lazy
from mailconf._record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from typing import Any

    from mailconf.policy.engine import Context

PORT_KINDS = {
    "smtp": "smtp",
    "25": "smtp",
    "submission": "submission",
    "587": "submission",
    "smtps": "smtps",
    "submissions": "smtps",
    "465": "smtps",
}
MAX_EXPANSION = 1 << 20
GUARDS = {"reject_unauth_destination", "defer_unauth_destination", "reject", "defer", "defer_if_permit"}
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "[::1]", "localhost", "localhost.localdomain", "ip6-localhost"}


# Defaults of older versions where they matter to the rules: (first version without it, value).
OLD_DEFAULTS: dict[str, list[tuple[tuple[int, ...], str]]] = {
    "smtpd_tls_mandatory_protocols": [((2, 11), "SSLv3, TLSv1"), ((3, 6), "!SSLv2, !SSLv3")],
    "smtpd_tls_protocols": [((2, 11), ""), ((3, 6), "!SSLv2, !SSLv3")],
    "smtp_tls_mandatory_protocols": [((2, 11), "SSLv3, TLSv1"), ((3, 6), "!SSLv2, !SSLv3")],
    "smtp_tls_protocols": [((2, 11), "!SSLv2"), ((3, 6), "!SSLv2, !SSLv3")],
    "smtpd_recipient_restrictions": [((2, 10), "permit_mynetworks, reject_unauth_destination")],
    "smtpd_tls_ciphers": [((2, 8), "export")],
    "smtp_tls_ciphers": [((2, 8), "export")],
}


class Eff(Record):
    """An effective value: raw, expanded, where it came from (``master``/``main``/``default``)."""

    __slots__ = ("column", "line", "name", "path", "raw", "source", "value")

    def __init__(
        self,
        name: str,
        raw: str,
        value: str,
        source: str,
        path: str,
        line: int,
        column: int,
    ) -> None:
        self.name = name
        self.raw = raw
        self.value = value
        self.source = source
        self.path = path
        self.line = line
        self.column = column

    @property
    def explicit(self) -> bool:
        return self.source != "default"

    @property
    def origin(self) -> str:
        """Where the value comes from, for messages: "master.cf -o", "main.cf" or "the default"."""
        return {"master": "master.cf -o", "main": "main.cf"}.get(self.source, "the default")


class Svc(Record):
    """An smtpd service of master.cf (``service`` None: the implied stock ``smtp inet`` service)."""

    __slots__ = ("kind", "line", "name", "path", "service", "type")

    def __init__(
        self,
        service: Any,
        name: str,
        type: str,
        kind: str,  # smtp, submission, smtps, other
        path: str,
        line: int,
    ) -> None:
        self.service = service
        self.name = name
        self.type = type
        self.kind = kind
        self.path = path
        self.line = line

    @property
    def label(self) -> str:
        return f"service '{self.name} {self.type}'"

    @property
    def loopback(self) -> bool:
        """A service bound to a loopback address only (content-filter reinjection and the like)."""
        if self.name.startswith("["):
            host = self.name[1:].split("]", 1)[0]
        elif ":" in self.name:
            host = self.name.rsplit(":", 1)[0]
        else:
            return False
        return is_loopback(host)


def port_kind(name: str) -> str:
    """smtp / submission / smtps / other, from a master.cf service name (``host:port`` too)."""
    port = name
    if name.startswith("["):
        port = name.rsplit("]:", 1)[1] if "]:" in name else ""
    elif ":" in name:
        port = name.rsplit(":", 1)[1]
    return PORT_KINDS.get(port.lower(), "other")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Any]:
    from mailconf._jsondata import load

    package = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    data: dict[str, Any] = load(os.path.join(package, "postfix", "data", "catalogue.json"))
    return data


def split_list(value: str) -> list[str]:
    """A Postfix list: comma/blank separated, ``{ ... }`` groups kept as one item."""
    items: list[str] = []
    i, n = 0, len(value)
    current = ""
    while i < n:
        ch = value[i]
        if ch == "{":
            depth, j = 0, i
            while j < n:
                if value[j] == "{":
                    depth += 1
                elif value[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            current += value[i : j + 1]
            i = j + 1
            continue
        if ch in ", \t\r\n":
            if current:
                items.append(current)
                current = ""
        else:
            current += ch
        i += 1
    if current:
        items.append(current)
    return items


def restriction_steps(value: str) -> list[tuple[str, str | None]]:
    """(restriction, argument) pairs: ``check_client_access hash:x`` becomes one step."""
    words = split_list(value)
    steps: list[tuple[str, str | None]] = []
    i = 0
    while i < len(words):
        word = words[i].lower()
        takes_arg = word.startswith(("check_", "reject_rbl_", "reject_rhsbl_", "permit_dnswl_", "permit_rhswl_"))
        if takes_arg:
            arg = words[i + 1] if i + 1 < len(words) else None
            steps.append((word, arg))
            i += 2
        else:
            steps.append((word, None))
            i += 1
    return steps


_COMPAT_DEFAULT = Lazy(r"\$\{\{\$compatibility_level\} <level \{([\d.]+)\} \? \{(.*)\} : \{(.*)\}\}")
_MACRO = Lazy(r"\$(?:\{([^{}?:]*)(?:([?:])((?:[^{}]|\{[^{}]*\})*))?\}|\(([^()]*)\)|([A-Za-z0-9_]+)|(\$))")


def _compat_default(name: str, default: str, level: str) -> str:
    """The few defaults that depend on compatibility_level (postconf's ``${{...} <level {...}}``)."""

    def number(text: str) -> tuple[int, ...]:
        try:
            return tuple(int(p) for p in text.split("."))
        except ValueError:
            return (0,)

    if not default.startswith("${{$compatibility_level} <level {"):
        return default
    match = _COMPAT_DEFAULT.fullmatch(default)
    if not match:
        return default
    threshold, below, above = match.groups()
    return below if number(level or "0") < number(threshold) else above


def _file(document: Any) -> str | None:
    """The file a document was read from, as a string normalised as ``str(Path(...))``."""
    name = None if document is None else document.filename
    return None if name is None else _paths.norm(name)


class PostfixView:
    """Effective values of one Postfix directory for the rules (created once per set)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.pf = ctx.postfix
        name = getattr(self.pf, "directory_name", None) or getattr(self.pf, "directory", None)  # or a stand-in's
        directory = _paths.norm(name) if name is not None else ctx.cs.postfix_dir_name or "."
        self.directory = directory  # a string
        self.main = getattr(self.pf, "main", None)
        self.master = getattr(self.pf, "master", None)
        self.main_path = _file(self.main) or _paths.join(directory, "main.cf")
        self.master_path = _file(self.master) or _paths.join(directory, "master.cf")
        self.main_values: dict[str, str] = self.main.values() if self.main is not None else {}
        self.params: dict[str, Any] = catalogue()["params"]
        self._services: list[Svc] | None = None
        self._memo: dict[tuple[str, int], str] = {}

    # -- values ---------------------------------------------------------------------------------
    def raw(self, name: str, svc: Svc | None = None) -> tuple[str, str, str, int, int]:
        """(raw value, source, path, line, column) before expansion."""
        service = svc.service if svc is not None else None
        if service is not None:
            override = service.override(name)
            if override is not None and override.value is not None:
                return override.value, "master", self.master_path, override.line, override.column
        if name in self.main_values and self.main is not None:
            param = self.main.get(name)
            return self.main_values[name], "main", self.main_path, param.line, param.column
        if svc is not None and svc.service is not None:
            return self._default(name), "default", svc.path, svc.line, 1
        return self._default(name), "default", self.main_path, 1, 1

    def _default(self, name: str) -> str:
        if name == "config_directory":  # as postconf -c DIR says: the directory being read
            return str(self.directory)
        spec = self.params.get(name)
        if spec is None:
            return ""
        default = str(spec[1] or "")
        if "compatibility_level" in default:
            level = self.main_values.get("compatibility_level", "0")
            default = _compat_default(name, default, self._expand(level, None, 0))
        if name == "smtp_tls_security_level" and self.ctx.postfix_at_least((3, 11), unknown=False):
            default = "may"
        version = self.ctx.postfix_version
        if version is not None and version < (3, 6) and name in OLD_DEFAULTS:
            for below, value in OLD_DEFAULTS[name]:
                if version < below:
                    return value
        return default

    def lookup(self, name: str, svc: Svc | None) -> str | None:
        service = svc.service if svc is not None else None
        if service is not None:
            override = service.override(name)
            if override is not None and override.value is not None:
                return str(override.value)
        if name in self.main_values:
            return str(self.main_values[name])
        if name in self.params:
            return self._default(name)
        return None

    def _expand(self, text: str, svc: Svc | None, depth: int, active: frozenset[str] = frozenset()) -> str:
        """``$name`` expansion as postconf -x does it, bounded: a name that refers to itself expands
        to empty, results are memoised per service, and expansion stops at MAX_EXPANSION bytes."""
        if "$" not in text or depth > 30:
            return text

        def repl(match: re.Match[str]) -> str:
            if match.group(6):
                return "$"
            name = match.group(1) or match.group(4) or match.group(5) or ""
            op = match.group(2)
            if op in ("?", ":"):
                value = self.lookup(name, svc)
                if (op == "?") == bool(value):
                    return self._expand(match.group(3) or "", svc, depth + 1, active)
                return ""
            return self._expand_name(name, svc, depth + 1, active)

        try:
            out = _MACRO.sub(repl, text)
        except RecursionError:
            return text
        return out[:MAX_EXPANSION]

    def _expand_name(self, name: str, svc: Svc | None, depth: int, active: frozenset[str]) -> str:
        if name in active:
            return ""  # $a = $b, $b = $a: postconf reports the loop; the rules see an empty value
        key = (name, id(svc.service) if svc is not None and svc.service is not None else 0)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        value = self._expand(self.lookup(name, svc) or "", svc, depth, active | {name})
        self._memo[key] = value
        return value

    def value(self, name: str, svc: Svc | None = None) -> Eff:
        raw, source, path, line, column = self.raw(name, svc)
        return Eff(name, raw, self._expand(raw, svc, 0).strip(), source, path, line, column)

    def flag(self, name: str, svc: Svc | None = None) -> bool:
        return self.value(name, svc).value.lower() == "yes"

    # -- services -------------------------------------------------------------------------------
    def smtpd_services(self) -> list[Svc]:
        """Every smtpd service (inet, and ``pass`` behind postscreen counted as port 25)."""
        if self._services is not None:
            return self._services
        out: list[Svc] = []
        if self.master is None:
            out.append(Svc(None, "smtp", "inet", "smtp", self.main_path, 1))
        else:
            postscreen_port = next(
                (port_kind(s.name) for s in self.master.services if s.command == "postscreen" and s.type == "inet"),
                None,
            )
            for s in self.master.services:
                if s.command != "smtpd":
                    continue
                if s.type == "inet":
                    kind = port_kind(s.name)
                elif s.type == "pass" and postscreen_port is not None:
                    kind = postscreen_port
                else:
                    continue
                out.append(Svc(s, s.name, s.type, kind, self.master_path, s.line))
        self._services = out
        return out

    def where(self, eff: Eff, svc: Svc | None) -> tuple[str, int, int]:
        """The place to report a value: where it was set, or the service line for a default."""
        if eff.source == "default" and svc is not None:
            return svc.path, svc.line, 1
        return eff.path, eff.line, eff.column

    def set_anywhere(self, name: str) -> list[Eff]:
        """Every explicit setting of ``name``: main.cf, then each master.cf ``-o``."""
        found = []
        if name in self.main_values:
            found.append(self.value(name))
        if self.master is not None:
            for s in self.master.services:
                override = s.override(name)
                if override is not None:
                    svc = Svc(s, s.name, s.type, port_kind(s.name), self.master_path, s.line)
                    found.append(self.value(name, svc))
        return found


def view(ctx: Context) -> PostfixView:
    result: PostfixView = ctx.cached("postfix-view", lambda: PostfixView(ctx))
    return result


def is_loopback(host: str) -> bool:
    import ipaddress

    text = host.strip().strip("[]")
    if text.lower() in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False
