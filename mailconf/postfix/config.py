"""The semantic layer for Postfix: what a main.cf + master.cf pair means.

:class:`PostfixConfig` combines the documents with the parameter catalogue of a Postfix version:
``effective(name, service=None)`` gives the value a daemon uses — a master.cf ``-o`` override,
else main.cf, else the version's default (compatibility_level-dependent defaults included) — raw
and ``$name``-expanded, with the span of the entry that set it.

>>> from mailconf import postfix
>>> from mailconf.postfix.config import PostfixConfig
>>> cfg = PostfixConfig(
...     directory="/etc/postfix",
...     main=postfix.parse_main(b"compatibility_level = 2\\nmyhostname = mx.example.com\\n"),
...     master=postfix.parse_master(b"submission inet n - y - - smtpd -o smtpd_tls_security_level=encrypt\\n"),
...     version="3.7",
... )
>>> cfg.effective("smtpd_tls_security_level", "submission/inet").expanded
'encrypt'
>>> cfg.effective("mynetworks_style").expanded
'host'
>>> cfg.effective("smtpd_banner").expanded
'mx.example.com ESMTP Postfix'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from mailconf._lazyre import Lazy
from mailconf._record import Record
from mailconf.postfix.expand import Expansion, compat_level, expand, references

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Literal

    from mailconf.postfix.catalogue import Catalogue, ParamSpec
    from mailconf.postfix.document import MainDocument, MasterDocument, Override, Parameter, Service

    Source = Literal["master", "main", "default"]

__all__ = ["SERVICE_FIELDS", "PostfixConfig", "ServiceRef", "Source", "Value"]
ServiceRef = "str | tuple[str, str] | Service"

BLANKS = " \t\n\v\f\r"
SERVICE_FIELDS = ("service", "type", "private", "unprivileged", "chroot", "wakeup", "process_limit", "command")
_LIST_SPLIT = Lazy(r"[\s,]+")
_WORDS = Lazy(r"[^ \t\n\v\f\r]+")
# "type:name" references to database clients whose settings may live in main.cf as name_suffix.
_DBMS = ("ldap", "mysql", "pgsql", "sqlite", "memcache", "mongodb", "proxy", "socketmap")
_DBMS_REF = Lazy(r"(?<![\w/])(?:proxy:)?(ldap|mysql|pgsql|sqlite|memcache|mongodb):([^\s,{}]+)")


class Value(Record):
    """An effective parameter value and where it came from.

    ``raw`` is the value as written (or the default expression), ``expanded`` the value after
    ``$name`` expansion (equal to ``raw`` for raw parameters), ``source`` "master" (a ``-o``
    override), "main" or "default"; ``path``/``line``/``column`` locate the entry that set it
    (line 1 of main.cf, or None path, for defaults).
    """

    __slots__ = ("column", "expanded", "line", "name", "path", "raw", "source")

    def __init__(
        self, name: str, raw: str, expanded: str, source: Source, path: str | None, line: int, column: int
    ) -> None:
        self.name = name
        self.raw = raw
        self.expanded = expanded
        self.source: Source = source
        self.path = path
        self.line = line
        self.column = column

    @property
    def explicit(self) -> bool:
        return self.source != "default"


class PostfixConfig:
    """main.cf and master.cf of one directory, read together (either may be None)."""

    def __init__(
        self,
        *,
        directory: str | Path,
        main: MainDocument | None = None,
        master: MasterDocument | None = None,
        version: str | None = None,
    ) -> None:
        self._directory = directory
        self.main = main
        self.master = master
        self._version = version
        self._catalogue: Catalogue | None = None
        self._main_values: dict[str, str] | None = None
        self._service_params: dict[str, ParamSpec] | None = None
        self._user: set[str] | None = None
        self._entries: dict[str, Parameter] | None = None
        self._all_specs: dict[str, ParamSpec] | None = None
        self._compat: str | None = None
        self._computed: dict[str, str] = {}  # computed defaults (host names, networks): read once
        self.config_directory = str(directory)

    @property
    def directory(self) -> Path:
        """The configuration directory, as a :class:`pathlib.Path`."""
        from pathlib import Path  # on request: the lint path uses ``directory_name``

        if not isinstance(self._directory, Path):
            self._directory = Path(self._directory)
        return self._directory

    @property
    def directory_name(self) -> str:
        """The configuration directory as a string."""
        return os.fspath(self._directory)

    # -- versions and catalogue --------------------------------------------------------------
    @property
    def version(self) -> str:
        """The target Postfix version ("3.7", ...): as given, else the installed one."""
        if self._version is None:
            from mailconf.postfix.catalogue import installed_version

            self._version = installed_version()
        return self._version

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            from mailconf.postfix.catalogue import Catalogue

            self._catalogue = Catalogue.for_version(self.version)
        return self._catalogue

    @property
    def compatibility_level(self) -> str:
        """The effective compatibility_level ("0" when unset)."""
        if self._compat is None:
            self._compat = self.expand(self.main_values.get("compatibility_level", "0")).value
        return self._compat

    # -- raw values ----------------------------------------------------------------------------
    @property
    def main_values(self) -> dict[str, str]:
        """main.cf's raw values, last entry winning."""
        if self._main_values is None:
            self._main_values = self.main.values() if self.main is not None else {}
        return self._main_values

    def entry(self, name: str) -> Parameter | None:
        """The main.cf entry that sets ``name`` (the last one), or None."""
        if self._entries is None:
            self._entries = {p.name: p for p in self.main.parameters} if self.main is not None else {}
        return self._entries.get(name)

    @property
    def services(self) -> list[Service]:
        return self.master.services if self.master is not None else []

    def service(self, ref: str | tuple[str, str] | Service) -> Service | None:
        """A master.cf service by ``"name/type"``, ``(name, type)`` or the object itself."""
        if not isinstance(ref, (str, tuple)):
            return ref
        if self.master is None:
            return None
        name, type_ = ref if isinstance(ref, tuple) else (ref.rpartition("/")[0], ref.rpartition("/")[2])
        if isinstance(ref, str) and "/" not in ref:
            name, type_ = ref, "inet"
        return self.master.get(name, type_)

    @property
    def service_params(self) -> dict[str, ParamSpec]:
        """The ``<service>_<suffix>`` parameters master.cf's delivery-agent services define."""
        if self._service_params is None:
            found: dict[str, ParamSpec] = {}
            catalogue = self.catalogue
            suffixes: dict[str, dict[str, tuple[str, str]]] = {}  # by command
            for svc in self.services:
                if svc.command not in suffixes:
                    suffixes[svc.command] = catalogue.service_suffixes(svc.command)
                for suffix in suffixes[svc.command]:
                    name = f"{svc.name}_{suffix}"
                    if name not in found and name not in catalogue:
                        spec = catalogue.service_spec(svc.name, svc.command, name)
                        if spec is not None:
                            found[name] = spec
            self._service_params = found
        return self._service_params

    def _specs(self) -> dict[str, ParamSpec]:
        """Built-in and service-derived specs by name (built once)."""
        if self._all_specs is None:
            merged = dict(self.service_params)
            merged.update(self.catalogue.specs())
            self._all_specs = merged
        return self._all_specs

    def specs(self) -> dict[str, ParamSpec]:
        """Every built-in and service-derived parameter's spec by name (do not modify)."""
        return self._all_specs or self._specs()

    def spec(self, name: str) -> ParamSpec | None:
        """The catalogue entry of a built-in or service-derived parameter."""
        return (self._all_specs or self._specs()).get(name)

    def is_known(self, name: str) -> bool:
        """Built-in or service-derived (what postconf lists without ``-n``)."""
        return name in (self._all_specs or self._specs())

    def default(self, name: str) -> str | None:
        """The default expression of ``name`` for this version, or None if it has none."""
        if name == "config_directory":
            return self.config_directory
        spec = self.spec(name)
        if spec is None:
            return None
        if name in self.catalogue.computed:
            found = self._computed.get(name)
            if found is None:
                found = self._computed[name] = _computed_default(name, self)
            return found
        return spec.default

    def lookup(self, name: str, service: Service | None = None) -> str | None:
        """The raw value ``name`` has for ``service`` (or main.cf): None when undefined."""
        if service is not None:
            if name == "service_name":
                return service.name
            override = _override(service, name)
            if override is not None:
                return override.value
        value = self.main_values.get(name)
        if value is not None:
            return value
        found = self.default(name)
        if found is None and name in self.catalogue.default_refs:
            return ""
        return found

    # -- user-defined names ----------------------------------------------------------------
    def _scan_values(self) -> Iterator[tuple[str, str, Service | None]]:
        """(name, value, service) of every main.cf entry and every ``-o`` override."""
        for name, value in self.main_values.items():
            yield name, value, None
        for svc in self.services:
            for name, value in service_overrides(svc, ordered=True):
                yield name, value, svc

    @property
    def user_defined(self) -> set[str]:
        """Names that are not built in but are used: ``$name`` references in main.cf and
        master.cf values, smtpd_restriction_classes members, and database-client settings."""
        if self._user is None:
            used: set[str] = set(self.catalogue.default_refs)
            tables: set[str] = set()
            specs = self.specs()
            for name, value, _svc in self._scan_values():
                if "$" not in value and ":" not in value:
                    continue
                spec = specs.get(name)
                if spec is not None and spec.raw:
                    continue
                if "$" in value:
                    used.update(references(value))
                if ":" in value:
                    for match in _DBMS_REF.finditer(value):
                        tables.add(match.group(2))
            classes = self.lookup("smtpd_restriction_classes")
            if classes:
                used.update(v for v in _LIST_SPLIT.split(classes) if v)
            prefixes = tuple(table + "_" for table in tables if "/" not in table)
            if prefixes:
                used.update(name for name in self.main_values if name.startswith(prefixes))
            self._user = {name for name in used if name not in specs}
        return self._user

    def is_used(self, name: str) -> bool:
        """Postfix reads ``name``: built in, service-derived or user-defined."""
        return name in (self._all_specs or self._specs()) or name in (self._user or self.user_defined)

    # -- expansion ----------------------------------------------------------------------------
    def expand(self, value: str, service: Service | None = None, *, scan: bool = False) -> Expansion:
        """Expand ``value`` in the scope of ``service`` (main.cf when None)."""

        def look(name: str) -> str | None:
            return self.lookup(name, service)

        return expand(value, look, scan=scan)

    def effective(self, name: str, service: str | tuple[str, str] | Service | None = None) -> Value:
        """The value a daemon (of ``service``, when given) uses for ``name``.

        Unknown names that main.cf does not set give an empty default value.
        """
        svc = self.service(service) if service is not None else None
        if service is not None and svc is None:
            raise KeyError(f"no master.cf service {service!r}")
        source: Source
        override = _override(svc, name) if svc is not None else None
        if override is not None and override.value is not None:
            raw, source = override.value, "master"
            path = _path(self.master)
            assert svc is not None
            line, column = svc.line, svc.column
        else:
            param = self.entry(name)
            if param is not None:
                raw, source = param.value, "main"
                path, line, column = _path(self.main), param.line, param.column
            else:
                raw, source = self.default(name) or "", "default"
                path, line, column = _path(self.main), 1, 1
        spec = self.spec(name)
        expanded = raw if spec is not None and spec.raw else self.expand(raw, svc).value
        return Value(name, raw, expanded, source, path, line, column)

    def service_field(self, service: str | tuple[str, str] | Service, field: str) -> str:
        """A master.cf field with ``-`` replaced by its default (chroot by compatibility level)."""
        svc = self.service(service)
        if svc is None:
            raise KeyError(f"no master.cf service {service!r}")
        raw = {
            "service": svc.name,
            "type": svc.type,
            "private": svc.private,
            "unprivileged": svc.unpriv,
            "chroot": svc.chroot,
            "wakeup": svc.wakeup,
            "process_limit": svc.maxproc,
            "command": svc.command,
        }[field]
        if raw != "-":
            return raw
        if field in ("private", "unprivileged"):
            return "y"
        if field == "chroot":
            level = compat_level(self.compatibility_level) or (0, 0, 0)
            return "n" if level >= (1, 0, 0) else "y"
        if field == "wakeup":
            return "0"
        return self.expand("$default_process_limit").value


def _override(service: Service | None, name: str) -> Override | None:
    """The ``-o name=...`` that wins for ``service``, as postconf reads options (an ``-o`` after
    the first non-option argument is not an override)."""
    if service is None:
        return None
    effective = dict(service_overrides(service, ordered=True))
    if name not in effective:
        return None
    found = None
    for item in service.overrides:
        if item.name == name and item.value is not None and item.active:
            found = item
    if found is None or found.value != effective[name]:
        from mailconf.postfix.document import Override as _Override

        line = found.line if found is not None else service.line
        column = found.column if found is not None else service.column
        return _Override(name, effective[name], line, column)
    return found


def _path(document: MainDocument | MasterDocument | None) -> str | None:
    return document.filename if document is not None else None


Warn = Callable[[str], None]


def _computed_default(name: str, config: PostfixConfig) -> str:
    """Defaults Postfix computes from the machine: host and domain names, local networks."""
    import os

    if name == "process_id":
        return str(os.getpid())
    if name == "process_name":
        return "postconf"
    host = os.uname().nodename  # what gethostname() returns on Linux, without importing socket
    if "." not in host:
        domain = _main_only(config, "mydomain")
        host = f"{host}.{'localdomain' if domain is None else domain}"
    if name == "myhostname":
        return host
    if name == "mydomain":
        mine = _main_only(config, "myhostname")
        if mine is None:
            mine = host
        return mine.partition(".")[2] if "." in mine else "localdomain"
    if name == "mynetworks":
        style = (_main_only(config, "mynetworks_style") or "").lower()
        if not style:
            level = compat_level(config.compatibility_level) or (0, 0, 0)
            style = "subnet" if level < (2, 0, 0) else "host"
        protocols = _main_only(config, "inet_protocols")
        interfaces = _main_only(config, "inet_interfaces")
        protocols = "all" if protocols is None else protocols.lower()
        interfaces = "all" if interfaces is None else interfaces.lower()
        return " ".join(_local_networks(style, protocols, interfaces))
    return ""


def _main_only(config: PostfixConfig, name: str) -> str | None:
    """``name`` as Postfix's mail_conf_lookup_eval sees it: main.cf only, expanded against
    main.cf only (None when main.cf does not set it)."""
    raw = config.main_values.get(name)
    if raw is None:
        return None
    return expand(raw, config.main_values.get).value


def _wanted(addr: str, interfaces: str) -> bool:
    """Is ``addr`` one of the addresses inet_interfaces selects?"""
    import ipaddress

    words = [w.strip("[]") for w in _LIST_SPLIT.split(interfaces) if w]
    if "all" in words:
        return True
    if "loopback-only" in words:
        return ipaddress.ip_address(addr).is_loopback
    return addr in words or ("localhost" in words and ipaddress.ip_address(addr).is_loopback)


def _local_networks(style: str, protocols: str, interfaces: str = "all") -> list[str]:
    import ipaddress

    nets: list[str] = []
    v4 = "all" in protocols or "ipv4" in protocols
    v6 = "all" in protocols or "ipv6" in protocols
    if v4:
        for addr, mask in _ipv4_addresses():
            if not _wanted(addr, interfaces):
                continue
            if style == "host":
                text = f"{addr}/32"
            elif style == "class":
                first = int(addr.split(".")[0])
                bits = 8 if first < 128 else 16 if first < 192 else 24
                text = str(ipaddress.ip_network(f"{addr}/{bits}", strict=False))
            else:
                text = str(ipaddress.ip_network(f"{addr}/{mask}", strict=False))
            if text not in nets:
                nets.append(text)
    if v6:
        for addr6, plen in _ipv6_addresses():
            if not _wanted(addr6, interfaces):
                continue
            net = ipaddress.ip_network(f"{addr6}/{128 if style == 'host' else plen}", strict=False)
            text = f"[{net.network_address}]/{net.prefixlen}"
            if text not in nets:
                nets.append(text)
    return nets


def _ipv4_addresses() -> list[tuple[str, str]]:
    import _socket as socket  # the C module: socket.py imports enum and selectors (milliseconds)

    try:
        import array
        import fcntl
        import struct

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            size = 40 * 128
            buf = array.array("B", b"\0" * size)
            req = struct.pack("iL", size, buf.buffer_info()[0])
            out = fcntl.ioctl(sock.fileno(), 0x8912, req)  # SIOCGIFCONF
            length = struct.unpack("iL", out)[0]
            data = buf.tobytes()[:length]
            found: list[tuple[str, str]] = []
            for i in range(0, length, 40):
                ifname = data[i : i + 16]
                addr = socket.inet_ntoa(data[i + 20 : i + 24])
                mask_raw = fcntl.ioctl(sock.fileno(), 0x891B, ifname + b"\0" * 24)  # SIOCGIFNETMASK
                found.append((addr, socket.inet_ntoa(mask_raw[20:24])))
            return found
        finally:
            sock.close()
    except OSError:
        return [("127.0.0.1", "255.0.0.0")]


def _ipv6_addresses() -> list[tuple[str, int]]:
    import ipaddress

    rows: list[tuple[int, str, int]] = []
    try:
        with open("/proc/net/if_inet6", encoding="ascii") as handle:
            for line in handle:
                cols = line.split()
                if len(cols) >= 6:
                    addr = str(ipaddress.IPv6Address(bytes.fromhex(cols[0])))
                    rows.append((int(cols[1], 16), addr, int(cols[2], 16)))
    except OSError:
        return []
    rows.sort(key=lambda row: row[0])
    return [(addr, plen) for _, addr, plen in rows]


def _tokens(svc: Service) -> list[tuple[str, bool]]:
    """The arguments after the command as postconf splits them: blanks separate words except
    inside ``{}`` (anywhere in a word); a word that starts with ``{`` is a group whose braces and
    surrounding blanks are removed. Returns ``(text, was_group)``."""
    text = svc.logical
    if "{" not in text:  # no groups: plain blank-separated words
        return [(word, False) for word in _WORDS.findall(text)[8:]]
    i, n = 0, len(text)
    for _ in range(8):  # the 8 fixed fields
        while i < n and text[i] in BLANKS:
            i += 1
        while i < n and text[i] not in BLANKS:
            i += 1
    out: list[tuple[str, bool]] = []
    while i < n:
        while i < n and text[i] in BLANKS:
            i += 1
        if i >= n:
            break
        start, depth = i, 0
        while i < n:
            ch = text[i]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif depth <= 0 and ch in BLANKS:
                break
            i += 1
        word = text[start:i]
        if word.startswith("{"):
            end = group_end(word)
            out.append((word[1 : len(word) if end is None else end].strip(BLANKS), True))
        else:
            out.append((word, False))
    return out


def service_arguments(svc: Service) -> list[tuple[str, bool]]:
    """master.cf arguments as postconf prints them, each with "is an -o option group"."""
    items: list[tuple[str, bool]] = []
    in_options = True
    args = _tokens(svc)
    i = 0
    while i < len(args):
        arg, grouped = args[i]
        if in_options and (not arg.startswith("-") or arg == "--"):
            in_options = False
        if in_options and arg == "-o" and i + 1 < len(args):
            value, vgrouped = args[i + 1]
            if "=" in value:
                name, _, val = value.partition("=")
                value = f"{name.strip(BLANKS)}={val.strip(BLANKS)}"
                items.append((f"-o {_brace(value)}", True))
                i += 2
                continue
            items.append((f"-o {_brace(value) if vgrouped else value}", True))
            i += 2
            in_options = False
            continue
        items.append((_brace(arg) if grouped or arg.startswith("-") else arg, False))
        i += 1
    return items


def _brace(arg: str) -> str:
    return "{" + arg + "}" if any(ch in BLANKS for ch in arg) else arg


def group_end(word: str) -> int | None:
    """Index of the ``}`` that closes the ``{`` at the start of ``word`` (None: unbalanced)."""
    depth = 0
    for index, ch in enumerate(word):
        depth += (ch == "{") - (ch == "}")
        if depth == 0:
            return index
    return None


def service_overrides(svc: Service, ordered: bool = False) -> list[tuple[str, str]]:
    """The ``-o`` parameters postconf -P shows for a service (last one wins; sorted by name
    unless ``ordered``)."""
    found: dict[str, str] = {}
    for text, group in service_arguments(svc):
        if not group:
            continue
        body = text[3:]
        if body.startswith("{") and body.endswith("}"):
            body = body[1:-1]
        if "=" not in body:
            break
        name, _, value = body.partition("=")
        found[name] = value
    return list(found.items()) if ordered else sorted(found.items())


def __getattr__(name: str) -> object:
    # The Literal alias is built on request: typing is not imported on the lint path.
    if name == "Source":
        from typing import Literal

        return Literal["master", "main", "default"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
