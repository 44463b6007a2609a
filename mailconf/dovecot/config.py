"""What doveconf makes of a Dovecot configuration tree (2.x up to 2.3).

:func:`load_config` reads ``dovecot.conf`` as doveconf does (includes expanded in place, ``$name``
expansion at each point of the file, typed values, last-wins, section merging, filters) and
returns a :class:`DovecotConfig`. Errors are :class:`mailconf.errors.ParseError` with the file,
line, column and doveconf's own message. :meth:`DovecotConfig.dump` prints what ``doveconf -n``
/ ``-N`` / ``-a`` print (without the header comment lines).

The policy rules use :meth:`DovecotConfig.effective`, :attr:`DovecotConfig.services`,
:attr:`DovecotConfig.passdbs`, :attr:`DovecotConfig.userdbs`, :attr:`DovecotConfig.filters`.
"""

from __future__ import annotations

import functools
import ipaddress
import itertools
import os
from collections.abc import Callable, Iterator

from mailconf._lazyre import Lazy
from mailconf._record import MutableRecord, Record
from mailconf.dovecot.catalogue import Catalogue, SectionSpec, SettingSpec
from mailconf.errors import ParseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

WHITE = " \t"
MAX_DEPTH = 64  # nesting of sections

_NUMBER_UNIT = Lazy(r"(\d+) *([A-Za-z]*)")
_OCTAL = Lazy(r"[0-7]+")
_EXPORTED_SIZE = Lazy(r"(\d+)(?: ([BkMGT]))?")
_EXPORTED_TIME = Lazy(r"(\d+)(?: (\w+))?")
_LIST_SPLIT = Lazy(r"[ ,]+")
_AUTH_VERBOSE_PASSWORDS = Lazy(r"(no|yes|plain|sha1)(:\d+)?")


# ---------------------------------------------------------------------------------------------
# reading lines the way doveconf does


class Line(Record):
    """One logical line of a file as doveconf sees it."""

    __slots__ = ("column", "end_line", "key", "kind", "line", "path", "value")

    def __init__(
        self, kind: str, key: str, value: str, path: str, line: int, column: int = 1, end_line: int = 0
    ) -> None:
        self.kind = kind  # "set", "file", "var", "open", "close", "include", "include_try"
        self.key = key
        self.value = value
        self.path = path
        self.line = line
        self.column = column
        self.end_line = end_line or line  # the last line of a value continued with a backslash


# ---------------------------------------------------------------------------------------------
# typed values


_SIZE_UNITS = {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_TIME_UNITS = [
    (("ms", "msec", "msecs", "millisecond", "milliseconds"), 0),
    (("s", "sec", "secs", "second", "seconds"), 1),
    (("m", "min", "mins", "minute", "minutes"), 60),
    (("h", "hour", "hours"), 3600),
    (("d", "day", "days"), 86400),
    (("w", "week", "weeks"), 604800),
]
UINT_MAX = 2**32 - 1


def _export_size(n: int) -> str:
    if n == 0:
        return "0"
    suffix = "B"
    for s in "kMGT":
        if n % 1024:
            break
        n //= 1024
        suffix = s
    return f"{n} {suffix}"


def _export_time(secs: int) -> str:
    if secs == 0:
        return "0"
    n, unit = secs, "secs"
    for div, name in ((60, "mins"), (60, "hours"), (24, "days"), (7, "weeks")):
        if n % div:
            break
        n //= div
        unit = name
    return f"{n} {unit}"


def _parse_time_ms(value: str) -> int:
    """Milliseconds; raises ValueError with doveconf's message."""
    m = _NUMBER_UNIT.fullmatch(value)
    if not m:
        raise ValueError(f"Invalid time interval: {value}")
    num, unit = int(m.group(1)), m.group(2).lower()
    if not unit:
        if num == 0:
            return 0
        raise ValueError(f"Time interval '{value}' is missing units (add e.g. 's' for seconds)")
    for names, mult in _TIME_UNITS:
        if unit in names:
            return num if mult == 0 else num * mult * 1000
    raise ValueError(f"Invalid time interval: {value}")


def normalize(spec: SettingSpec, value: str) -> str:
    """The value as doveconf exports it; raises ValueError(doveconf's message)."""
    t = spec.type
    if t == "bool":
        low = value.lower()
        if low in ("yes", "y") or value == "1":
            return "yes"
        if low == "no":
            return "no"
        raise ValueError(f"Invalid boolean value: {value} (use yes or no)")
    if t == "number":
        if not value.isdigit() or not value.isascii():
            if value.startswith("-") and value[1:].isdigit():
                raise ValueError(f"Invalid number {value}: Number too small")
            raise ValueError(f"Invalid number {value}: Not a valid number")
        n = int(value)
        if n > UINT_MAX:
            raise ValueError(f"Invalid number {value}: Number too large")
        return str(n)
    if t == "octal":
        if value.startswith("0"):
            if not _OCTAL.fullmatch(value):
                raise ValueError(f"Invalid number: {value}")
            n = int(value, 8)
        else:
            if not value.isdigit() or not value.isascii():
                raise ValueError(f"Invalid number {value}: Not a valid number")
            n = int(value)
        return f"0{n:o}"
    if t == "size":
        m = _NUMBER_UNIT.fullmatch(value)
        unit = m.group(2).lower() if m else ""
        if not m or (unit and (unit[0] not in _SIZE_UNITS or unit[1:] not in ("", "b"))):
            raise ValueError(f"Invalid size: {value}")
        return _export_size(int(m.group(1)) * _SIZE_UNITS[unit[0] if unit else "b"])
    if t in ("time", "time_msecs"):
        ms = _parse_time_ms(value)
        if t == "time":
            if ms % 1000:
                raise ValueError(f"Milliseconds not supported for this setting: {value}")
            return _export_time(ms // 1000)
        if ms % 1000 == 0:
            return _export_time(ms // 1000)
        return f"{ms} ms"
    if t == "port":
        if not value.isdigit() or not value.isascii() or int(value) > 65535:
            raise ValueError(f"Invalid port number {value}")
        return str(int(value))
    if t == "enum":
        if value not in spec.values:
            raise ValueError(f"Invalid value: {value}")
        return value
    return value


# ---------------------------------------------------------------------------------------------
# the settings tree


class Value(MutableRecord):
    """An effective value and where it was set (line 0 and path None for defaults)."""

    __slots__ = ("changed", "column", "helper", "line", "path", "value")

    def __init__(
        self, value: str, path: str | None = None, line: int = 0, column: int = 0, changed: bool = False
    ) -> None:
        self.value = value
        self.path = path
        self.line = line
        self.column = column
        self.changed = changed
        # the value the managesieve-login run reads instead (<file read, $name expanded), when another
        self.helper: str | None = None


class Section(MutableRecord):
    """A section instance: service imap-login, inet_listener imaps, namespace inbox, passdb #0..."""

    __slots__ = ("key", "line", "lookup", "name", "path", "sections", "spec", "type", "values")

    def __init__(
        self,
        type: str,
        name: str,
        spec: SectionSpec,
        key: str,
        values: dict[str, Value] | None = None,
        sections: dict[str, list[Section]] | None = None,
        path: str | None = None,
        line: int = 0,
        lookup: str = "",
    ) -> None:
        self.type = type
        self.name = name
        self.spec = spec
        self.key = key  # the component in doveconf's key path (escaped name or index)
        self.values: dict[str, Value] = {} if values is None else values
        self.sections: dict[str, list[Section]] = {} if sections is None else sections
        self.path = path
        self.line = line
        self.lookup = lookup  # the key a "type = NAME" list assignment created it under

    def get(self, key: str) -> str:
        v = self.values.get(key)
        if v is not None:
            return v.value
        s = self.spec.settings.get(key)
        return s.default if s else ""

    def children(self, type_: str) -> list[Section]:
        return self.sections.get(type_, [])


class Scope(MutableRecord):
    """The global settings or one filter's overrides."""

    __slots__ = (
        "line",
        "local",
        "local_bits",
        "local_name",
        "path",
        "protocol",
        "remote",
        "remote_bits",
        "sections",
        "values",
    )

    def __init__(
        self,
        values: dict[str, Value] | None = None,
        sections: dict[str, list[Section]] | None = None,
        local: str | None = None,
        local_name: str | None = None,
        remote: str | None = None,
        protocol: str | None = None,
        path: str | None = None,
        line: int = 0,
        local_bits: int = 0,
        remote_bits: int = 0,
    ) -> None:
        self.values: dict[str, Value] = {} if values is None else values
        self.sections: dict[str, list[Section]] = {} if sections is None else sections
        self.local = local
        self.local_name = local_name
        self.remote = remote
        self.protocol = protocol
        self.path = path
        self.line = line
        self.local_bits = local_bits
        self.remote_bits = remote_bits

    @property
    def is_global(self) -> bool:
        return self.local is None and self.local_name is None and self.remote is None and self.protocol is None

    def ident(self) -> tuple[str | None, ...]:
        return (self.local, self.local_name, self.remote, self.protocol)

    def header_lines(self) -> list[str]:
        """The filter's block headers as doveconf prints them (a /0 network is no condition: none)."""
        out = []
        if self.local is not None and self.local_bits:
            out.append(f"local {self.local}")
        if self.local_name is not None:
            out.append(f"local_name {self.local_name}")
        if self.remote is not None and self.remote_bits:
            out.append(f"remote {self.remote}")
        if self.protocol is not None:
            out.append(f"protocol {self.protocol}")
        return out


# lines doveconf only has from managesieve-login's capability dump, not from a settings parser
_CAPABILITY_ONLY = frozenset({"managesieve_notify_capability"})
# the settings roots of doveconf's checks after reading, for the record, in doveconf's order (plugins'
# roots first): managesieve, master_service, ssl, auth, director, doveadm, imap, imapc, lmtp,
# mail_storage, mail_user, master, pop3, pop3c, stats, submission-login, submission.
# The ones the managesieve-login run (Pigeonhole's managesieve process) checks:
_MANAGESIEVE_ROOTS = frozenset({"managesieve", "master_service", "imapc", "mail_storage", "mail_user", "pop3c"})
_BASE_DIR = "@base_dir"  # where the master root's check warns about base_dir prefixes
# the order in which doveconf 2.3 checks the built-in services (Pigeonhole's first; the services a file
# adds come after them, in the order they were opened), recorded with the installed doveconf
_SERVICE_CHECK_ORDER = {
    name: i
    for i, name in enumerate(
        [
            "managesieve-login",
            "managesieve",
            "tcpwrap",
            "health-check",
            "submission",
            "submission-login",
            "stats",
            "replicator",
            "aggregator",
            "pop3",
            "pop3-login",
            "old-stats",
            "log",
            "lmtp",
            "ipc",
            "indexer-worker",
            "indexer",
            "imap",
            "imap-urlauth-worker",
            "imap-urlauth",
            "imap-urlauth-login",
            "imap-login",
            "imap-hibernate",
            "doveadm",
            "dns-client",
            "director",
            "dict",
            "dict-async",
            "config",
            "auth",
            "auth-worker",
            "anvil",
        ]
    )
}
# services that doveconf insists run as one process
_SINGLE_PROCESS = frozenset({"anvil", "auth", "director", "indexer", "ipc", "log", "old-stats", "replicator"})
# 1.x per-protocol process settings -> service { ... } of the login / mail process
_LOGIN_SETTINGS = {
    "login_chroot": "chroot",
    "login_user": "user",
    "login_executable": "executable",
    "login_process_size": "vsz_limit",
    "login_process_per_connection": "service_count",
    "login_processes_count": "process_min_avail",
    "login_max_processes_count": "process_limit",
    "login_max_connections": "client_limit",
}
_MAIL_SETTINGS = {
    "max_mail_processes": "process_limit",
    "mail_executable": "executable",
    "mail_process_size": "vsz_limit",
    "mail_drop_priv_before_exec": "drop_priv_before_exec",
}
_OLD_ALWAYS = frozenset({"protocols", "listen", "ssl_listen", "auth_cache_size"})
_REMOVED = frozenset(
    {
        "login_dir",
        "license_checksum",
        "dbox_rotate_min_size",
        "dbox_rotate_days",
        "director_consistent_hashing",
        "mail_log_max_lines_per_sec",
        "maildir_copy_preserve_filename",
        "ssl_parameters_regenerate",
        "ssl_dh_parameters_length",
    }
)


_EVENT_FILTER_SETTINGS = ("log_debug", "log_core_filter", "process_shutdown_filter")
_EF_TOKEN = Lazy(r'\s*(?:(?P<op>>=|<=|[=<>])|(?P<paren>[()])|(?P<str>"(?:[^"\\]|\\.)*")|(?P<word>[A-Za-z0-9_.:*?-]+))')


_EF_START = "expecting TOKEN or STRING or NOT or '('"


def _event_filter_error(text: str) -> str | None:
    """Why doveconf's event filter parser (Bison) refuses ``text``, as it says it (None: accepted): the
    token it met and, where Bison lists them (four at most), the tokens it expected there."""
    names: list[str] = []
    words: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _EF_TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos] == '"':
                break  # an unterminated string runs to the end
            names.append("$undefined")
            words.append("")
            pos += 1
        else:
            kind = m.lastgroup or ""
            value = m.group(kind)
            words.append(value)
            if kind == "word":
                names.append(value.upper() if value.lower() in ("and", "or", "not") else "TOKEN")
            elif kind == "str":
                names.append("STRING")
            else:
                names += [f"'{c}'" for c in value]
                words += list(value[1:])
            pos = m.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
    names.append("$end")

    def bad(i: int, expecting: str = "") -> str:
        return f"syntax error, unexpected {names[i]}" + (f", {expecting}" if expecting else "")

    if names[0] == "$end":
        return None
    if names[0] not in ("TOKEN", "STRING", "NOT", "'('"):
        return bad(0, "expecting $end")  # the empty filter is reduced first
    i, depth = 0, 0
    while True:
        while names[i] in ("NOT", "'('"):  # the start of a term
            depth += names[i] == "'('"
            i += 1
        if names[i] not in ("TOKEN", "STRING"):
            return bad(i, _EF_START)
        i += 1
        if names[i] not in ("'='", "'>'", "'<'"):
            return bad(i, "expecting '=' or '>' or '<'")
        key, cmp = words[i - 1], names[i]
        i += 2 if names[i] != "'='" and names[i + 1] == "'='" else 1
        if names[i] not in ("TOKEN", "STRING", "AND", "OR", "NOT"):
            return bad(i)
        i += 1
        if cmp != "'='" and key in ("event", "category"):
            return "Only fields support inequality comparisons"
        while depth and names[i] == "')'":
            depth -= 1
            i += 1
        if names[i] in ("AND", "OR"):
            i += 1
            if names[i] not in ("TOKEN", "STRING", "NOT", "'('"):
                return bad(i, _EF_START)
            continue
        if depth:
            return bad(i, "expecting AND or OR or ')'")
        if names[i] != "$end":
            return bad(i, "expecting $end")
        return None


def _check_order(services: list[Section]) -> list[Section]:
    """Services in the order doveconf 2.3 checks them: the built-in ones in its order, then the others."""
    return sorted(services, key=lambda s: _SERVICE_CHECK_ORDER.get(s.name, len(_SERVICE_CHECK_ORDER)))


def _filter_matches(scope: Scope, ctx: dict[str, str]) -> bool:
    """Whether a filter block applies to a connection described by ``ctx``."""
    if scope.protocol is not None:
        proto = ctx.get("protocol")
        if proto is None:
            return False
        if scope.protocol.startswith("!"):
            if proto == scope.protocol[1:]:
                return False
        elif proto != scope.protocol:
            return False
    if scope.local_name is not None and ctx.get("local_name") != scope.local_name:
        return False
    for kind in ("local", "remote"):
        want = getattr(scope, kind)
        if want is None:
            continue
        got = ctx.get(kind)
        if got is None:
            return False
        net, have = _network(want), _network(got)
        if net is None or have is None or not _inside(have, net):
            return False
    return True


def _size_bytes(exported: str) -> int | None:
    """Bytes of a size as doveconf exports it ("64 k", "0")."""
    m = _EXPORTED_SIZE.fullmatch(exported)
    if not m:
        return None
    return int(m.group(1)) * {"B": 1, "k": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}[m.group(2) or "B"]


def _time_secs(exported: str) -> int:
    """Seconds of a time as doveconf exports it ("2 mins", "0")."""
    m = _EXPORTED_TIME.fullmatch(exported)
    if not m:
        return 0
    mult = {"secs": 1, "mins": 60, "hours": 3600, "days": 86400, "weeks": 604800}.get(m.group(2) or "secs", 1)
    return int(m.group(1)) * mult


def _user_exists(name: str) -> bool:
    """doveconf checks the default users against this machine's user database."""
    try:
        import pwd

        pwd.getpwnam(name)
    except (KeyError, ImportError, OSError):
        return False
    return True


def _error(message: str, ln: Line) -> ParseError:
    error = ParseError(message, path=ln.path, line=ln.line, column=ln.column)
    # doveconf names the line it read last: a value continued with a backslash ends there
    error.end_line = ln.end_line  # type: ignore[attr-defined]
    return error


# blocks of the settings roots the managesieve-login run reads: their "<file" values are read
_HELPER_SECTIONS = frozenset({"namespace"})


def _unreadable(where: str) -> str:
    """How doveconf's expanding reader words a ``<path`` it cannot read: a directory opens, then its
    read fails."""
    try:
        with open(where, "rb"):
            pass
    except IsADirectoryError:
        return f"read({where}) failed: Is a directory"
    except OSError as exc:
        return f"Can't open file {where}: {exc.strerror or exc}"
    return f"read({where}) failed: Is a directory"


def _name_key(section_type: str) -> str:
    """The setting holding a unique section's name (unix/fifo listeners use their path)."""
    return "path" if section_type in ("unix_listener", "fifo_listener") else "name"


_SECTION_ESCAPES = str.maketrans({"=": "\\e", "/": "\\s", "\\": "\\\\", " ": "\\_", ",": "\\c"})


def section_escape(name: str) -> str:
    return name.translate(_SECTION_ESCAPES)


def _network(shown: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(shown, strict=False)
    except ValueError:
        return None


def _inside(
    inner: ipaddress.IPv4Network | ipaddress.IPv6Network, outer: ipaddress.IPv4Network | ipaddress.IPv6Network | None
) -> bool:
    if outer is None or inner.version != outer.version:
        return False
    return inner.subnet_of(outer)  # type: ignore[arg-type]


def _ntop(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The address as glibc's inet_ntop writes it: the last 32 bits of ``::ffff:0:0/96`` and of
    ``::/96`` (but not ``::`` and ``::1``) as an IPv4 address."""
    if ip.version == 6:
        n = int(ip)
        head, low = n >> 32, n & 0xFFFFFFFF
        if head == 0xFFFF or (head == 0 and low >> 16):
            return f"::{'ffff:' if head else ''}{ipaddress.IPv4Address(low)}"
    return str(ip)


def _parse_net(text: str, path: str, line: int) -> tuple[str, int]:
    addr, _, bits_s = text.partition("/")
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        raise ParseError(
            f"gethostbyname({addr}) failed: Name or service not known"
            if addr
            else "gethostbyname() failed: Name or service not known",
            path=path,
            line=line,
        ) from None
    full = 32 if ip.version == 4 else 128
    if bits_s:
        if not bits_s.isdigit() or int(bits_s) > full:
            raise ParseError(f"Invalid network mask: {bits_s}", path=path, line=line)
        bits = int(bits_s)
    else:
        bits = full
    shown = _ntop(ip) if bits == full else f"{_ntop(ip)}/{bits}"
    return shown, bits


# ---------------------------------------------------------------------------------------------
# doveconf's merging of overlapping filters (its "Conflict in setting" check)

# a named section opened in two filters conflicts on its name setting
_SECTION_CONFLICT_KEYS = {
    "service {": "name",
    "namespace {": "name",
    "metric {": "metric_name",
    "event_exporter {": "name",
}


@functools.cache
def _conflict_order() -> dict[str, int]:
    """Setting (or ``TYPE {``) -> the rank in which doveconf looks for conflicts."""
    with open(os.path.join(os.path.dirname(__file__), "data", "conflict_order_2_3.txt"), encoding="utf-8") as handle:
        text = handle.read()
    names = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return {name: i for i, name in enumerate(names)}


@functools.cache
def _helper_reads() -> frozenset[str]:
    """The settings whose ``<file`` the managesieve-login run reads (the roots managesieve reads)."""
    with open(os.path.join(os.path.dirname(__file__), "data", "managesieve_reads_2_3.txt"), encoding="utf-8") as f:
        return frozenset(ln for ln in f.read().splitlines() if ln and not ln.startswith("#"))


def _changed_keys(scope: Scope) -> set[str]:
    """The settings a filter sets and the named sections it opens (as ``TYPE {``, by name)."""
    keys = {k for k, v in scope.values.items() if v.changed}
    for stype, items in scope.sections.items():
        head = stype + " {"
        if head in _SECTION_CONFLICT_KEYS:
            for sec in items:
                nv = sec.values.get(_name_key(stype))
                if sec.name and nv is not None and nv.changed:
                    keys.add(f"{head}{sec.name}")
    return keys


def _layer(values: dict[str, Value], over: dict[str, Value]) -> None:
    """``over``'s values on ``values``: a built-in default (not set in a file) does not hide a set value."""
    for k, v in over.items():
        if v.changed or k not in values:
            values[k] = v


# a mailbox's special_use words doveconf knows (RFC 6154 and \\Important, in any case)
_SPECIAL_USE = frozenset({"\\all", "\\archive", "\\drafts", "\\flagged", "\\important", "\\junk", "\\sent", "\\trash"})
# what the global settings show of a namespace a /0 filter opens: these settings, as that block sets them
_NAMESPACE_OPENING = frozenset({"name", "location", "prefix"})


def _set_in(section: Section, key: str) -> bool:
    """Whether a section's block sets ``key`` (not a value opening the section gives, as a namespace's
    name, location and prefix)."""
    v = section.values.get(key)
    return v is not None and v.changed and (v.line != section.line or v.path != section.path)


def _merge_named(old: Section, new: Section) -> Section:
    """``new``'s settings under ``old`` (a value ``old`` set wins); of its named sections only those
    ``old`` has too merge, recursively."""
    values = {**old.values, **{k: v for k, v in new.values.items() if not _set_in(old, k)}}
    sections = dict(old.sections)
    for stype, items in new.sections.items():
        if stype in sections:
            lst = list(sections[stype])
            for sec in items:
                j = next((i for i, s in enumerate(lst) if sec.name and s.name == sec.name), -1)
                if j >= 0:
                    lst[j] = _merge_named(lst[j], sec)
            sections[stype] = lst
    return Section(old.type, old.name, old.spec, old.key, values, sections, old.path, old.line)


def _ascii_lower(text: str) -> str:
    return "".join(c.lower() if c < "\x80" else c for c in text)


def _same_filter(a: tuple[str | None, ...], b: tuple[str | None, ...]) -> bool:
    """doveconf's filter identity: local_name compared ignoring ASCII case (the first spelling stays)."""
    if a[0] != b[0] or a[2:] != b[2:]:
        return False
    return a[1] == b[1] or (a[1] is not None and b[1] is not None and _ascii_lower(a[1]) == _ascii_lower(b[1]))


def _dns_match_wildcard(name: str, mask: str) -> bool:
    """doveconf's local_name match: ``*`` stands for one label (``*.example.com``), ``?`` for
    one character, ASCII case ignored."""
    i = j = 0
    while i < len(name) and j < len(mask):
        c = mask[j]
        if c == "*":
            dot = name.find(".", i)
            if dot < 0 or mask[j + 1 : j + 2] != ".":
                return False
            i, j = dot, j + 1
        elif c != "?" and name[i].lower() != c.lower():
            return False
        i += 1
        j += 1
    return i == len(name) and j == len(mask)


def _ip_in_net(ip_text: str, net_text: str, bits: int) -> bool:
    try:
        ip = ipaddress.ip_address(ip_text.partition("/")[0])
        net = ipaddress.ip_address(net_text.partition("/")[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # doveconf compares ::ffff:a.b.c.d as a.b.c.d (so not inside ::ffff:0:0/96)
    if ip.version != net.version:
        return False
    shift = ip.max_prefixlen - bits
    return int(ip) >> shift == int(net) >> shift


def _mask_matches(mask: Scope, ctx: Scope) -> bool:
    """Whether filter ``mask`` applies to every connection filter ``ctx`` applies to, as doveconf
    tells it (a negated protocol is compared as a plain string: ``!pop3`` matches ``!imap``)."""
    if mask.protocol is not None:
        if ctx.protocol is None:
            return False
        if mask.protocol.startswith("!"):
            if ctx.protocol == mask.protocol[1:]:
                return False
        elif ctx.protocol != mask.protocol:
            return False
    if mask.local_name is not None:
        if ctx.local_name is None:
            return False
        if not any(_dns_match_wildcard(ctx.local_name, m) for m in mask.local_name.split(" ") if m):
            return False
    if mask.remote_bits and not (ctx.remote_bits and _ip_in_net(ctx.remote or "", mask.remote or "", mask.remote_bits)):
        return False
    return not mask.local_bits or bool(
        ctx.local_bits and _ip_in_net(ctx.local or "", mask.local or "", mask.local_bits)
    )


def _superset(sup: Scope, sub: Scope) -> bool:
    """doveconf's test of two filters that both apply: only which conditions they have counts."""
    if sup.local_bits > sub.local_bits or sup.remote_bits > sub.remote_bits:
        return False
    if sup.local_name is not None and sub.local_name is None:
        return False
    return sup.protocol is None or sub.protocol is not None


# ---------------------------------------------------------------------------------------------


class DovecotConfig:
    """The meaning of a Dovecot configuration, as doveconf computes it."""

    def __init__(self, catalogue: Catalogue, path: str | None = None) -> None:
        self.catalogue = catalogue
        self.path = path
        self.version = catalogue.version
        self.global_scope = Scope()
        self.filter_scopes: list[Scope] = []
        self.warnings: list[str] = []
        self.errors: list[str] = []
        self.files: list[str] = []
        self.texts: dict[str, str] = {}  # the text of each file read (latin-1), by path
        # doveconf runs managesieve-login to learn the capability lines; that run fails (and
        # the lines are left out) when values cannot be expanded
        self.expand_failed = False
        # what the managesieve-login run prints when it fails on an unreadable <file in plugin {} (doveconf
        # shows it as "Fatal: ...", then "Error: managesieve-login: dump-capability process returned 89")
        self.helper_error: str | None = None
        # a check after reading that fails the managesieve-login run (its first failure; see check())
        self.helper_check_error: str | None = None
        # what doveconf's output prints as "doveconf: Error: ..." when a check after reading fails
        self.check_errors: list[str] = []
        self.filter_settings: dict[str, str] = {}  # setting -> "FILE line N" of the first filter setting it
        self._converting = 0  # inside doveconf's auth_cache_size conversion
        self._ssl_warned = False
        # warnings only doveconf's own run prints (not the managesieve-login one): (place in warnings, text)
        self._main_only: list[tuple[int, str]] = []
        # warnings only the managesieve-login run prints (it gets further than doveconf's own checks)
        self.helper_warnings: list[str] = []
        # 2.4 files: mailconf has no 2.4 doveconf to mirror and its 2.4 catalogue is partial, so
        # unknown names and sections (named filters, boolean lists, groups) are kept, not refused
        self.lenient = catalogue.version.startswith("2.4")
        self._add_default_services()

    def _add_default_services(self) -> None:
        """The services Dovecot defines itself: user blocks of the same name merge into them."""
        spec = self.catalogue.sections.get("service")
        if spec is None:
            return
        items = self.global_scope.sections.setdefault("service", [])
        for name, raw in self.catalogue.service_defaults.items():
            svc = Section("service", name, spec, section_escape(name))
            svc.values = {k: Value(v) for k, v in raw.get("settings", {}).items()}
            for ltype, listeners in raw.get("listeners", {}).items():
                lspec = spec.sections.get(ltype)
                if lspec is None:
                    continue
                lst = svc.sections.setdefault(ltype, [])
                for lname, lvalues in listeners.items():
                    sec = Section(ltype, lname, lspec, section_escape(lname))
                    sec.values = {k: Value(v) for k, v in lvalues.items()}
                    lst.append(sec)
            items.append(svc)

    # ------------------------------------------------------------------ public API
    def effective(self, key: str, *, filter: dict[str, str] | None = None) -> Value:
        """Effective value of a global setting, optionally for a connection context.

        ``filter`` describes the connection: ``{"protocol": "imap"}``, ``{"remote": "10.1.2.3"}``
        (an address or a network), ``{"local": ...}``, ``{"local_name": "mail.example.com"}``,
        or several of them. Every filter block whose conditions the context meets applies (a
        block needing a condition the context does not give does not); the most specific one
        that sets ``key`` wins (doveconf's order: local, local_name, remote, protocol), else the
        global value, else the default.
        """
        if filter:
            for scope in reversed(self._sorted_filters()):
                if key in scope.values and _filter_matches(scope, filter):
                    return scope.values[key]
        v = self.global_scope.values.get(key)
        if v is not None:
            return v
        spec = self.catalogue.spec(key)
        return Value(spec.default if spec else "")

    @property
    def services(self) -> list[Section]:
        return self.global_scope.sections.get("service", [])

    @property
    def passdbs(self) -> list[Section]:
        return self.global_scope.sections.get("passdb", [])

    @property
    def userdbs(self) -> list[Section]:
        return self.global_scope.sections.get("userdb", [])

    @property
    def namespaces(self) -> list[Section]:
        return self.global_scope.sections.get("namespace", [])

    @property
    def filters(self) -> list[Scope]:
        return list(self.filter_scopes)

    def service(self, name: str) -> Section | None:
        return next((s for s in self.services if s.name == name), None)

    def plugin(self) -> dict[str, Value]:
        sec = self.global_scope.sections.get("plugin", [])
        return dict(sec[0].values) if sec else {}

    # ------------------------------------------------------------------ building
    def apply(self, lines: Iterator[Line]) -> None:
        """Apply lines in reading order (stack entries keep the scope/section to return to)."""
        scope = self.global_scope
        stack: list[tuple[str, Scope, Section | None, Line]] = []
        section: Section | None = None
        auth_depth = 0  # inside a Dovecot 1.x "auth default {}" section (converted like doveconf)
        seen_auth = False
        for ln in lines:
            if ln.kind == "close":
                if not stack:
                    raise ParseError("Unexpected '}'", path=ln.path, line=ln.line, column=ln.column)
                kind, scope, section, _op = stack.pop()
                if kind.startswith("auth"):
                    auth_depth -= 1
                continue
            if ln.kind == "open":
                if len(stack) >= MAX_DEPTH:
                    raise ParseError("Too deep nesting", path=ln.path, line=ln.line, column=ln.column)
                if auth_depth > 0:
                    auth_depth += 1
                    new_scope, new_section = self._old_auth_open(ln, scope, section, stack, auth_depth)
                    stack.append(("auth", scope, section, ln))
                    scope, section = new_scope, new_section
                    continue
                if ln.key == "auth" and section is None:
                    if seen_auth:
                        self._obsolete(ln, "Multiple auth sections are no longer supported")
                    else:
                        seen_auth = True
                        self._obsolete(
                            ln,
                            "add auth_ prefix to all settings inside auth {} and remove the auth {} section completely",
                        )
                        auth_depth = 1
                        stack.append(("auth", scope, section, ln))
                        continue
                if section is None and ln.key == "protocol" and ln.value == "managesieve":
                    self._obsolete(ln, "protocol managesieve {} has been replaced by protocol sieve { }")
                    ln = Line("open", "protocol", "sieve", ln.path, ln.line, ln.column)
                if section is None and ln.key == "service" and ln.value == "dns_client":
                    self._obsolete(ln, "service dns_client {} has been replaced by service dns-client { }")
                    ln = Line("open", "service", "dns-client", ln.path, ln.line, ln.column)
                if ln.key in ("protocol", "local", "remote", "local_name"):
                    if section is not None:
                        # a filter inside a section: doveconf opens the filter and, in it, the same
                        # sections again; that works only for sections every parser has (the
                        # built-in services and their listeners), else nothing can be set in it
                        chain = self._section_chain(stack)
                        stack.append(("filter", scope, section, ln))
                        if self._is_builtin_chain(chain):
                            scope = self._open_filter(ln, scope, None, stack)
                            inner: Section | None = None
                            for stype, sname in chain:
                                op = Line("open", stype, sname, ln.path, ln.line, ln.column)
                                inner = self._open_section(op, scope, inner, [])
                            section = inner
                        else:
                            self._check_nesting(ln, scope)
                            section = Section("filter", "", SectionSpec("filter"), "")
                        continue
                    new_scope = self._open_filter(ln, scope, section, stack)
                    stack.append(("filter", scope, section, ln))
                    scope, section = new_scope, None
                    continue
                new_section = self._open_section(ln, scope, section, stack)
                stack.append(("section", scope, section, ln))
                section = new_section
                continue
            if auth_depth == 1 and ln.kind != "include":
                self._old_auth_set(ln, scope)
                continue
            self._set(ln, scope, section, stack)
        if stack:
            op = stack[-1][3]
            raise ParseError(
                f"Missing '}}' (section started at {op.path}:{op.line})",
                path=op.path,
                line=op.line,
                column=op.column,
            )

    @staticmethod
    def _section_chain(stack: list[tuple[str, Scope, Section | None, Line]]) -> list[tuple[str, str]]:
        """(type, name) of the sections open since the last filter (innermost last)."""
        chain: list[tuple[str, str]] = []
        for kind, _scope, _sec, op in stack:
            if kind == "filter":
                chain = []
            elif kind == "section":
                chain.append((op.key, op.value))
        return chain

    def _is_builtin_chain(self, chain: list[tuple[str, str]]) -> bool:
        if not chain or chain[0][0] != "service" or chain[0][1] not in self.catalogue.service_defaults:
            return False
        listeners = self.catalogue.service_defaults[chain[0][1]].get("listeners", {})
        return all(name in listeners.get(stype, {}) for stype, name in chain[1:])

    def _old_auth_open(
        self,
        ln: Line,
        scope: Scope,
        section: Section | None,
        stack: list[tuple[str, Scope, Section | None, Line]],
        depth: int,
    ) -> tuple[Scope, Section | None]:
        """A section inside ``auth default {}``: passdb/userdb DRIVER, socket listen { master/client }."""
        if depth == 2 and ln.key in ("passdb", "userdb"):
            self._obsolete(ln, f"{ln.key} {ln.value} {{}} has been replaced by {ln.key} {{ driver={ln.value} }}")
            sec = self._open_section(Line("open", ln.key, "", ln.path, ln.line, ln.column), scope, None, [])
            self._set(Line("set", "driver", ln.value, ln.path, ln.line, ln.column), scope, sec, [])
            return scope, sec
        if depth == 2 and ln.key == "socket":
            return scope, None
        if depth == 3 and ln.key in ("master", "client"):
            svc = self._open_section(Line("open", "service", "auth", ln.path, ln.line, ln.column), scope, None, [])
            op = Line("open", "unix_listener", ln.key, ln.path, ln.line, ln.column)
            return scope, self._open_section(op, scope, svc, [])
        return scope, self._open_section(ln, scope, section, stack)

    def _old_auth_set(self, ln: Line, scope: Scope) -> None:
        """``key = value`` directly inside ``auth default {}``: ``auth_`` prefix, service auth settings."""
        key = ln.key if ln.key.startswith("auth_") else "auth_" + ln.key
        value = ln.value
        service_keys = {"auth_executable": "executable", "auth_user": "user", "auth_chroot": "chroot"}
        if key in service_keys or key == "auth_process_size":
            new = service_keys.get(key, "vsz_limit")
            if key == "auth_process_size":
                value += " M"
            self._obsolete(ln, f"{key} has been replaced by service auth {{ {new} }}")
            self._apply_path(scope, [("service", "auth")], new, value, ln)
            return
        if key == "auth_count":
            self._obsolete(
                ln,
                "auth_count has been removed"
                if value == "count"
                else "auth_count has been removed, and its value must be 1",
            )
            return
        if key == "auth_cache_size" and value.isdigit() and 0 < int(value) < 1024:
            self._obsolete(ln, f"auth_cache_size value no longer defaults to megabytes. Use {value}M")
            value += "M"
        self._set(Line(ln.kind, key, value, ln.path, ln.line, ln.column), scope, None, [])

    def _prefix(self, stack: list[tuple[str, Scope, Section | None, Line]]) -> str:
        return "".join(f"{op.key} {{ " for kind, _s, _sec, op in stack if kind == "section")

    @staticmethod
    def _check_nesting(ln: Line, scope: Scope) -> None:
        """doveconf's refusals of a filter block inside another one (in doveconf's order)."""
        cur = {"local": scope.local, "local_name": scope.local_name, "remote": scope.remote, "protocol": scope.protocol}
        k = ln.key
        if k == "protocol" and scope.protocol is not None:
            raise _error("Nested protocol { protocol { .. } } block not allowed", ln) from None
        # doveconf's order of these refusals; a /0 network counts as no remote block
        outers = {
            "local": ("remote", "protocol", "local_name"),
            "local_name": ("remote", "protocol"),
            "remote": ("protocol",),
        }.get(k, ())
        for outer_key in outers:
            if scope.remote_bits if outer_key == "remote" else cur[outer_key] is not None:
                raise _error(
                    f"{outer_key} {{ {k} {{ .. }} }} not allowed (use {k} {{ {outer_key} {{ .. }} }} instead)", ln
                )
        if k in ("local", "remote"):
            shown, nbits = _parse_net(ln.value, ln.path, ln.line)
            obits = scope.local_bits if k == "local" else scope.remote_bits
            if obits > nbits or (obits and not _ip_in_net(shown, cur[k] or "", obits)):
                raise _error(f"{k} net1 {{ {k} net2 {{ .. }} }} requires net2 to be inside net1", ln) from None

    def _open_filter(
        self, ln: Line, scope: Scope, section: Section | None, stack: list[tuple[str, Scope, Section | None, Line]]
    ) -> Scope:
        self._check_nesting(ln, scope)
        cur = {"local": scope.local, "local_name": scope.local_name, "remote": scope.remote, "protocol": scope.protocol}
        k = ln.key
        new = dict(cur)
        bits = {"local": scope.local_bits, "remote": scope.remote_bits}
        if k in ("local", "remote"):
            shown, nbits = _parse_net(ln.value, ln.path, ln.line)
            new[k] = shown
            bits[k] = nbits
        else:
            new[k] = ln.value
        ident = (new["local"], new["local_name"], new["remote"], new["protocol"])
        for existing in self.filter_scopes:
            if _same_filter(existing.ident(), ident):
                if existing.ident() == ident:
                    return existing
                # local_name in another case: the same filter, but filters inside it get the name as
                # written here (a view sharing the filter's settings)
                return Scope(
                    existing.values,
                    existing.sections,
                    local=existing.local,
                    local_name=new["local_name"],
                    remote=existing.remote,
                    protocol=existing.protocol,
                    path=existing.path,
                    line=existing.line,
                    local_bits=existing.local_bits,
                    remote_bits=existing.remote_bits,
                )
        fs = Scope(
            local=new["local"],
            local_name=new["local_name"],
            remote=new["remote"],
            protocol=new["protocol"],
            path=ln.path,
            line=ln.line,
            local_bits=bits["local"],
            remote_bits=bits["remote"],
        )
        self.filter_scopes.append(fs)
        return fs

    def _open_section(
        self, ln: Line, scope: Scope, section: Section | None, stack: list[tuple[str, Scope, Section | None, Line]]
    ) -> Section:
        if section is None:
            if ln.key in ("passdb", "userdb") and (
                scope.local_bits or scope.remote_bits or scope.local_name is not None
            ):
                raise _error(f"Auth settings not supported inside local/remote blocks: {ln.key}", ln)
            spec = self.catalogue.sections.get(ln.key)
            container = scope.sections
        else:
            if section.spec.strlist:
                raise _error("Section not allowed here", ln) from None
            spec = section.spec.sections.get(ln.key)
            container = section.sections
        if spec is None and self.lenient:
            spec = SectionSpec(ln.key)  # a 2.4 named filter, boolean list or group: kept as is
        if spec is None:
            plain = self.catalogue.spec(ln.key) if section is None else section.spec.settings.get(ln.key)
            if plain is not None:
                # a plain setting opened as a section: doveconf sets it to the list count
                try:
                    normalize(plain, "0")
                except ValueError as exc:
                    raise _error(str(exc), ln) from None
            raise _error(f"Unknown setting: {self._prefix(stack)}{ln.key} {{ {ln.key}", ln) from None
        items = container.setdefault(ln.key, [])
        name = ln.value
        if spec.strlist:
            if items:
                return items[0]
            sec = Section(ln.key, "", spec, "", path=ln.path, line=ln.line)
            items.append(sec)
            return sec
        if spec.unique and name:
            for existing in items:
                if existing.name == name or existing.lookup == name:
                    if not existing.name:
                        existing.name, existing.key = name, section_escape(name)
                        existing.values[_name_key(ln.key)] = Value(name, ln.path, ln.line, ln.column, changed=True)
                    return existing
        if not spec.unique and name and any(s.name == name or s.lookup == name for s in items):
            raise _error(f"{ln.key}/{name} already exists", ln) from None
        key = section_escape(name) if (spec.unique and name) else str(len(items))
        sec = Section(ln.key, name, spec, key, path=ln.path, line=ln.line)
        nkey = _name_key(ln.key) if spec.unique else "name"
        # opening a block sets its name (also an empty one for unnamed passdb/userdb blocks)
        sec.values[nkey] = Value(name, ln.path, ln.line, ln.column, changed=bool(name) or not spec.unique)
        if ln.key == "namespace" and section is None:
            for implicit in ("location", "prefix"):
                sec.values[implicit] = Value("", ln.path, ln.line, ln.column, changed=True)
        items.append(sec)
        return sec

    def _set(
        self, ln: Line, scope: Scope, section: Section | None, stack: list[tuple[str, Scope, Section | None, Line]]
    ) -> None:
        if section is not None and section.type == "namespace" and ln.key == "mail_location" and not self.lenient:
            # doveconf 2.3 reads a namespace's mail_location as its location, without a word ($mail_location:
            # the setting's value)
            value = ln.value
            if ln.kind == "var":
                current = (scope.values.get("mail_location") or self.effective("mail_location")).value
                value = " ".join(current if w == "$mail_location" else w for w in value.split())
            ln = Line(ln.kind, "location", value, ln.path, ln.line, ln.column, ln.end_line)
        if section is not None:
            self._helper_unknown(ln)
            chain = self._section_chain(stack)
            if ln.kind == "file" and chain and chain[0][0] in _HELPER_SECTIONS:
                self._helper_unreadable(ln, "/".join(f"{t}/{n or 0}" for t, n in chain) + "/")
        if section is not None and section.spec.strlist:
            target = section.values
            spec: SettingSpec | None = SettingSpec(ln.key, "string", "")
        elif section is not None:
            spec = section.spec.settings.get(ln.key)
            target = section.values
        else:
            spec = self.catalogue.spec(ln.key)
            target = scope.values
        if (
            section is None
            and not self.lenient
            and (spec is None or ln.key in _OLD_ALWAYS)
            and self._old_setting(ln, scope)
        ):
            return
        if section is not None and section.spec.unique and ln.key == _name_key(section.type):
            section.name = ln.value
            if ln.value:
                section.key = section_escape(ln.value)
            section.values[ln.key] = Value(ln.value, ln.path, ln.line, ln.column, changed=True)
            return
        if spec is None:
            sec_spec = self.catalogue.sections.get(ln.key) if section is None else section.spec.sections.get(ln.key)
            if sec_spec is not None and not self.lenient:
                if section is None:
                    self._helper_unknown(ln)
                    if ln.kind == "file" and ln.key in _HELPER_SECTIONS:
                        self._helper_unreadable(ln, "")
                if ln.kind == "file":  # doveconf's own run reads the value as written
                    ln = Line("set", ln.key, "<" + ln.value, ln.path, ln.line, ln.column, ln.end_line)
                self._list_assign(ln, scope, section, sec_spec)
                return
            if not self.lenient:
                if ln.kind == "var" and section is None:
                    # the value is expanded before the setting is looked up: $KEY names no setting
                    words = ln.value.split()
                    if f"${ln.key}" in words:
                        raise _error(f"Unknown variable: ${ln.key}", ln) from None
                    if section is None and self.helper_error is None:
                        self._helper_reading(
                            ln, SettingSpec(ln.key, "string", ""), self._helper_words(words, ln.key, "", scope)
                        )
                raise _error(f"Unknown setting: {self._prefix(stack)}{ln.key}", ln) from None
            spec = SettingSpec(ln.key, "string", "")
        # a /0 network is no condition for doveconf (remote 0.0.0.0/0 { passdb {} } is accepted)
        in_net_filter = bool(scope.local_bits or scope.remote_bits) or scope.local_name is not None
        # doveconf refuses an auth setting in a local/remote block once its value is parsed
        net_refused = section is None and in_net_filter and spec.no_net_filter
        raw = ln.value
        # the managesieve-login run reads with values expanded: <file read (or empty), $name replaced
        helper_value: str | None = None
        if ln.kind == "file" and section is None and not self.lenient and self.helper_error is None:
            helper_value = self._helper_reading(ln, spec, self._helper_file(ln))
        if ln.kind == "file" and spec.type != "string":
            # doveconf's own run reads the value as written
            ln = Line("set", ln.key, "<" + raw, ln.path, ln.line, ln.column, ln.end_line)
            raw = ln.value
        if ln.kind == "var" and section is not None and f"${ln.key}" in raw.split():
            # ``key = $key`` inside a string-list section (plugin {}) takes the global setting of
            # that name as it stands at this point (its default when unset); elsewhere it fails
            outer = self.catalogue.settings.get(ln.key) if section.spec.strlist else None
            if outer is None:
                raise _error(f"Unknown variable: ${ln.key}", ln)
            cur = scope.values.get(ln.key) or self.global_scope.values.get(ln.key)
            current = cur.value if cur is not None else outer.default
            raw = " ".join(current if w == "$" + ln.key else w for w in raw.split(" "))
            ln = Line("set", ln.key, raw, ln.path, ln.line, ln.column, ln.end_line)
        if ln.kind == "file":
            value = "<" + raw
            where = raw if raw.startswith("/") else os.path.join(os.path.dirname(ln.path), raw)
            helper_reads = section is None and ln.key in _helper_reads()
            if ((section is not None and section.spec.strlist) or helper_reads) and not os.path.isfile(where):
                self.expand_failed = True  # doveconf's expanding reader fails on it
                if section is not None and self.helper_error is None:
                    self.helper_error = (
                        f"Error in configuration file {ln.path} line {ln.end_line}: "
                        f"{section.type}/0/{ln.key}: {_unreadable(where)}"
                    )
            if net_refused:
                raise _error(f"Auth settings not supported inside local/remote blocks: {ln.key}", ln)
            target[ln.key] = Value(value, ln.path, ln.line, ln.column, changed=True)
            if helper_value is not None and helper_value != value:
                target[ln.key].helper = helper_value
            self._global_after_filter(ln, scope, section)
            return
        if ln.kind == "var":
            words = [w.lstrip("\t") for w in raw.split(" ") if w.lstrip("\t")]
            cur = target.get(ln.key)
            if cur is None and section is None and not scope.is_global:
                # a nested filter starts from the filters around it, then the global settings
                around = (entry[1].values.get(ln.key) for entry in reversed(stack) if entry[0] == "filter")
                cur = next((v for v in around if v is not None), None) or self.global_scope.values.get(ln.key)
            current = (
                cur.value if cur is not None else (spec.default if section is None or not section.spec.strlist else "")
            )
            if section is None and not self.lenient and self.helper_error is None:
                helper_value = self._helper_reading(ln, spec, self._helper_words(words, ln.key, current, scope))
            raw = " ".join(current if w == "$" + ln.key else w for w in words)
            if any(w.startswith("$") and w[1:] not in self.catalogue.settings for w in words):
                self.expand_failed = True  # "Unknown variable" when doveconf expands values
        try:
            # doveconf 2.4 reads a value with %{...} as written (mailconf.dovecot.config24 checks it expanded)
            value = raw if self.lenient and "%{" in raw else normalize(spec, raw)
        except ValueError as exc:
            error = _error(str(exc), ln)
            if helper_value is not None and net_refused and self.helper_error is None:  # the expanded value passes
                refused = f"Auth settings not supported inside local/remote blocks: {ln.key}"
                self.helper_error = f"Error in configuration file {ln.path} line {ln.line}: {refused}"
                helper_value = None
            error.helper_passes = helper_value is not None  # type: ignore[attr-defined]
            raise error from None
        if net_refused:
            raise _error(f"Auth settings not supported inside local/remote blocks: {ln.key}", ln)
        target[ln.key] = Value(value, ln.path, ln.line, ln.column, changed=True)
        if helper_value is not None and helper_value != value:
            target[ln.key].helper = helper_value
        self._global_after_filter(ln, scope, section)

    def _helper_unknown(self, ln: Line) -> None:
        """The managesieve-login run expands a block's values, and a list's (``service = $x``), too:
        only global settings are names there."""
        if ln.kind != "var" or self.lenient or self.helper_error is not None:
            return
        words = ln.value.split(" ")
        unknown = next((w for w in words if w.startswith("$") and w[1:] not in self.catalogue.settings), None)
        if unknown is not None:
            self._helper_reading(ln, SettingSpec(ln.key, "string", ""), (f"Unknown variable: {unknown}",))

    def _helper_unreadable(self, ln: Line, prefix: str) -> None:
        """The managesieve-login run reads ``key = <path`` in the blocks of the roots it reads: a path
        it cannot read fails it (``prefix``: the blocks' path, ``namespace/inbox/``)."""
        if self.lenient or self.helper_error is not None:
            return
        where = ln.value if ln.value.startswith("/") else os.path.join(os.path.dirname(ln.path), ln.value)
        if not os.path.isfile(where):
            self.expand_failed = True
            why = f"{prefix}{ln.key}: {_unreadable(where)}"
            self.helper_error = f"Error in configuration file {ln.path} line {ln.end_line}: {why}"

    def _helper_file(self, ln: Line) -> str | tuple[str]:
        """What the managesieve-login run makes of ``key = <path``: the file's text when one of the
        settings it reads (else nothing), or ``(error,)`` when the file cannot be opened."""
        if ln.key not in _helper_reads():
            return ""
        where = ln.value if ln.value.startswith("/") else os.path.join(os.path.dirname(ln.path), ln.value)
        try:
            with open(where, "rb") as handle:
                return handle.read().decode("latin-1")
        except OSError:
            return (f"{ln.key}: {_unreadable(where)}",)

    def _helper_words(self, words: list[str], key: str, current: str, scope: Scope) -> str | tuple[str]:
        """What the managesieve-login run makes of a value with ``$name`` words: each replaced with
        that setting's value in this block (its default when the block does not set it), or
        ``(error,)`` for an unknown name."""
        out = []
        for w in words:
            if w == "$" + key:
                out.append(current)
            elif w.startswith("$"):
                spec = self.catalogue.settings.get(w[1:])
                if spec is None:
                    return (f"Unknown variable: {w}",)
                v = scope.values.get(w[1:])
                out.append(v.value if v is not None else spec.default)
            else:
                out.append(w)
        return " ".join(out)

    def _helper_reading(self, ln: Line, spec: SettingSpec, seen: str | tuple[str]) -> str | None:
        """Record the managesieve-login run's reading error for this line, if its value (``seen``, or
        ``(error,)``) fails; the value it reads when it passes."""
        if isinstance(seen, tuple):
            why = seen[0]
        else:
            try:
                return normalize(spec, seen)
            except ValueError as exc:
                why = str(exc)
        self.expand_failed = True
        self.helper_error = f"Error in configuration file {ln.path} line {ln.end_line}: {why}"
        return None

    def _global_after_filter(self, ln: Line, scope: Scope, section: Section | None) -> None:
        """doveconf warns when a global setting comes after a filter that set it (the first one)."""
        if section is not None or self.lenient:
            return
        if not scope.is_global:
            self.filter_settings.setdefault(ln.key, f"{ln.path} line {ln.end_line}")
            return
        at = self.filter_settings.get(ln.key)
        if at is not None and not self._converting:
            # doveconf names the line it has read last: a continued value's last line
            self.warnings.append(
                f"{ln.path} line {ln.end_line}: Global setting {ln.key} won't change the setting inside an earlier "
                f"filter at {at} (if this is intentional, avoid this warning by moving the global setting before {at})"
            )

    def _list_assign(self, ln: Line, scope: Scope, section: Section | None, spec: SectionSpec) -> None:
        """``namespace = a b``: doveconf creates (unnamed) list entries under those keys."""
        self._global_after_filter(ln, scope, section)
        container = scope.sections if section is None else section.sections
        items = container.setdefault(ln.key, [])
        if spec.strlist:
            if not items:
                items.append(Section(ln.key, "", spec, "", path=ln.path, line=ln.line))
            return
        for word in ln.value.split():
            if any(s.lookup == word or s.key == word or (s.name and s.name == word) for s in items):
                continue
            sec = Section(ln.key, "", spec, str(len(items)), path=ln.path, line=ln.line, lookup=word)
            nkey = _name_key(ln.key) if spec.unique else "name"
            sec.values[nkey] = Value("", ln.path, ln.line, ln.column, changed=not spec.unique)
            if ln.key == "namespace" and section is None:
                for implicit in ("location", "prefix"):
                    sec.values[implicit] = Value("", ln.path, ln.line, ln.column, changed=True)
            items.append(sec)

    def _obsolete(self, ln: Line, message: str) -> None:
        if not any(w.startswith("NOTE: ") for w in self.warnings):
            self.warnings.append("NOTE: You can get a new clean config file with: doveconf -Pn > dovecot-new.conf")
        self.warnings.append(f"Obsolete setting in {ln.path}:{ln.line}: {message}")

    def _apply_value(self, scope: Scope, key: str, value: str, ln: Line, kind: str = "set") -> None:
        self._set(Line(kind, key, value, ln.path, ln.line, ln.column), scope, None, [])

    def _apply_path(self, scope: Scope, path: list[tuple[str, str]], key: str, value: str, ln: Line) -> None:
        """Set ``key`` inside nested sections, e.g. [("service", "imap-login"), ("inet_listener", "imap")].

        A listener the built-in service does not have is not created (doveconf's conversion fails
        there and ignores the failure)."""
        if len(path) == 2 and path[0][0] == "service" and path[0][1] in self.catalogue.service_defaults:
            known = self.catalogue.service_defaults[path[0][1]].get("listeners", {}).get(path[1][0], {})
            if path[1][1] not in known:
                return
        section: Section | None = None
        stack: list[tuple[str, Scope, Section | None, Line]] = []
        for stype, name in path:
            op = Line("open", stype, name, ln.path, ln.line, ln.column)
            section = self._open_section(op, scope, section, stack)
            stack.append(("section", scope, section, op))
        self._set(Line("set", key, value, ln.path, ln.line, ln.column), scope, section, stack)

    def _old_setting(self, ln: Line, scope: Scope) -> bool:
        """doveconf 2.3's conversions of obsolete settings; True when handled."""
        key, value = ln.key, ln.value
        if ln.kind == "var":
            value = " ".join(w for w in value.split() if w)
        if key == "protocols":
            words = value.split()
            if not any(w in ("imaps", "pop3s", "managesieve") for w in words):
                return False
            if "managesieve" in words:
                self._obsolete(ln, "protocols=managesieve has been renamed to protocols=sieve")
            have = set(words)
            out = [("sieve" if w == "managesieve" else w) for w in words if w not in ("imaps", "pop3s")]
            for ssl_p, p in (("imaps", "imap"), ("pop3s", "pop3")):
                if ssl_p in have and p not in have:
                    self._obsolete(
                        ln,
                        f"'{ssl_p}' protocol can no longer be specified (use protocols={p}). to disable "
                        f"non-ssl {p}, use service {p}-login {{ inet_listener {p} {{ port=0 }} }}",
                    )
                    out.append(p)
                    self._apply_path(scope, [("service", f"{p}-login"), ("inet_listener", p)], "port", "0", ln)
                elif ssl_p in have:
                    self._obsolete(ln, f"'{ssl_p}' protocol is no longer necessary, remove it")
            self._apply_value(scope, key, " ".join(out), ln)
            return True
        if key in ("ssl_cert_file", "ssl_key_file", "ssl_ca_file"):
            if value:
                new = key[: key.rindex("_")]
                self._obsolete(ln, f"{key} has been replaced by {new} = <file")
                self._apply_value(scope, new, value, ln, kind="file")
            return True
        if key == "ssl_disable":
            low = value.lower()
            value = {"yes": "no", "no": "yes"}.get(low, value)
            self._obsolete(ln, "ssl_disable has been renamed to ssl")
            self._apply_value(scope, "ssl", value, ln)
            return True
        if key == "ssl_protocols":
            self._obsolete(ln, "ssl_protocols has been replaced by ssl_min_protocol")
            versions = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"]
            state = dict.fromkeys(versions, 0)
            explicit = False
            for word in value.replace(",", " ").split():
                enable = not word.startswith("!")
                name = word.lstrip("!") if not enable else word
                if name not in state:
                    self.errors.append(
                        f"Could not find a minimum ssl_min_protocol setting from ssl_protocols = {value}: "
                        f"Unrecognized protocol '{name}'"
                    )
                    return True
                state[name] = 1 if enable else -1
                explicit = explicit or enable
            chosen = [v for v in versions if (state[v] > 0 if explicit else state[v] == 0)]
            if not chosen:
                self.errors.append(
                    f"Could not find a minimum ssl_min_protocol setting from ssl_protocols = {value}: "
                    "All protocols disabled"
                )
                return True
            self._apply_value(scope, "ssl_min_protocol", chosen[0], ln)
            return True
        if key in ("sieve", "sieve_storage"):
            if key == "sieve_storage":
                self._obsolete(ln, "sieve_storage has been moved into plugin { sieve_dir }")
            else:
                self._obsolete(ln, f"{key} has been moved into plugin {{}} section")
            self._apply_path(scope, [("plugin", "")], key, value, ln)
            return True
        renames = {"fsync_disable": "mail_fsync", "dbox_rotate_size": "mdbox_rotate_size"}
        if key in renames:
            if key == "fsync_disable":
                value = {"yes": "never", "no": "optimized"}.get(value.lower(), value)
            self._obsolete(ln, f"{key} has been renamed to {renames[key]}")
            self._apply_value(scope, renames[key], value, ln)
            return True
        if key in _REMOVED:
            self._obsolete(ln, f"{key} has been removed")
            return True
        if key == "auth_cache_size" and value.isdigit() and 0 < int(value) < 1024:
            self._obsolete(ln, f"auth_cache_size value no longer defaults to megabytes. Use {value}M")
            # doveconf applies this conversion to the global settings, also from inside a filter,
            # without the warning about a global setting after a filter's
            self._converting += 1
            self._set(Line("set", key, value + "M", ln.path, ln.line, ln.column), self.global_scope, None, [])
            self._converting -= 1
            return True
        if key in _LOGIN_SETTINGS or key in _MAIL_SETTINGS:
            login = key in _LOGIN_SETTINGS
            new = (_LOGIN_SETTINGS if login else _MAIL_SETTINGS)[key]
            if key == "login_chroot":
                value = "" if value == "no" else "login"
            elif key.endswith("_process_size"):
                value += " M"
            elif key == "login_process_per_connection":
                value = "0" if value == "no" else "1"
            self._obsolete(ln, f"{key} has been replaced by service {{ {new} }}")
            for proto, service in (("imap", "imap"), ("pop3", "pop3"), ("sieve", "managesieve")):
                want = scope.protocol
                if want is None or want == proto or (want.startswith("!") and want[1:] != proto):
                    name = f"{service}-login" if login else service
                    self._apply_path(self.global_scope, [("service", name)], new, value, ln)
            return True
        if key in ("listen", "ssl_listen"):
            ssl = "s" if key == "ssl_listen" else ""
            # a /0 network is no condition: such a filter converts listen as the global settings do
            no_net = not scope.local_bits and not scope.remote_bits and scope.local_name is None
            root = no_net and scope.protocol is None
            host, sep, port = value.rpartition(":")
            has_port = bool(sep) and port.isdigit() and int(port) > 0
            if not ssl and not has_port and root:
                return False  # a plain global listen
            if not value:
                return True
            if no_net:
                want = scope.protocol
                protos = [
                    (p, svc)
                    for p, svc in (("imap", "imap"), ("pop3", "pop3"), ("sieve", "managesieve"))
                    if (want is None or want == p or (want.startswith("!") and want[1:] != p))
                    and not (ssl and p == "sieve")
                ]
            else:
                protos = []
            if has_port:
                self._obsolete(ln, f"{key}=..:port has been replaced by service {{ inet_listener {{ port }} }}")
                value = host
                for p, svc in protos:
                    path = [("service", f"{svc}-login"), ("inet_listener", p if svc != "managesieve" else svc)]
                    if ssl:
                        path[1] = ("inet_listener", p + "s")
                    self._apply_path(self.global_scope, path, "port", port, ln)
            if root and not ssl:
                self._set(Line("set", key, value, ln.path, ln.line, ln.column), self.global_scope, None, [])
                return True
            self._obsolete(ln, f"protocol {{ {key} }} has been replaced by service {{ inet_listener {{ address }} }}")
            for p, svc in protos:
                lname = (p + "s") if ssl else (p if svc != "managesieve" else svc)
                self._apply_path(
                    self.global_scope, [("service", f"{svc}-login"), ("inet_listener", lname)], "address", value, ln
                )
            return True
        return False

    def check(self) -> None:
        """Checks doveconf makes once everything is read (errors without a line number).

        Each check belongs to one of doveconf's settings roots (listed in order above
        ``_MANAGESIEVE_ROOTS``); a root's check stops at its first failure. Three runs check the same settings:

        - doveconf's own parse checks the global settings, then each filter in the order the filters
          were first opened (the filters that apply to it merged, conflicts refused), root by root,
          and stops at the first failure: the error raised here (its Fatal comes last on stderr).
        - the managesieve-login run (with Pigeonhole installed) does the same with only the roots
          managesieve needs (:data:`_MANAGESIEVE_ROOTS`); its first failure is
          :attr:`helper_check_error` and then the capability lines are left out (``expand_failed``).
        - doveconf's output checks the global settings again, every root: the first failure of each
          is :attr:`check_errors` (printed as ``doveconf: Error: ...`` after the settings).

        The error carries this config as ``partial``: doveconf prints its output before it fails."""
        if self.lenient:
            return
        main: str | None = None
        helper: str | None = None
        everything = [self.global_scope, *self.filter_scopes]
        # a /0 network is no condition: such filters apply to the global settings too (merged and
        # checked with them, conflicts first), as they apply to a filter of /0 networks
        zero = [f for f in everything if _mask_matches(f, self.global_scope)]
        top = self._merged(zero) if len(zero) > 1 else self.global_scope
        plans: list[tuple[Scope, list[Scope]]] = [(top, zero)]
        for ctx in self.filter_scopes:
            # the global settings apply to every filter; they come first among equals (a /0 network)
            matches = [f for f in everything if _mask_matches(f, ctx)]
            # doveconf's order of specificity (as in its output): local_name, local, remote, protocol
            matches.sort(key=lambda f: (f.local_name is None, -f.local_bits, -f.remote_bits, f.protocol is None))
            plans.append((ctx, matches))
        top_failures = self._check_scope(top)
        for i, (ctx, matches) in enumerate(plans):
            conflict = self._conflict(matches) if len(matches) > 1 else None
            if conflict is not None:
                # both runs stop at a conflict; doveconf's output has no global settings to check then
                main = main or conflict
                helper = helper or conflict
                if i == 0:
                    top_failures = []
                break
            if i:
                ssl = self._warn_ssl(ctx, matches)
                if ssl is not None:
                    # each run warns when it gets to this filter
                    if main is None and helper is None:
                        self.warnings.append(ssl)
                    elif main is None:
                        self._main_only.append((len(self.warnings), ssl))
                    elif helper is None:
                        self.helper_warnings.append(ssl)
            if i == 0:
                scope = top
            elif any(m.values or m.sections for m in matches if m is not self.global_scope):
                scope = self._merged(matches)
            else:
                # a filter that does not apply to itself (local_name "a b") and matches nothing else has
                # just the global settings, checked already
                scope = top
            failures = top_failures if scope is top else self._check_scope(scope)
            # the managesieve-login run checks the values it read (<file read, $name expanded)
            seen = self._helper_scope(scope)
            helper_failures = failures if seen is scope else self._check_scope(seen)
            if main is None:
                first = next((n for n, (root, _m) in enumerate(failures) if root != _BASE_DIR), len(failures))
                self._warn_base_dir(scope, [m for root, m in failures[:first] if root == _BASE_DIR])
                if first < len(failures):
                    main = failures[first][1]
            if helper is None:
                helper = next((m for root, m in helper_failures if root in _MANAGESIEVE_ROOTS), None)
            if main is not None and helper is not None:
                break
        # doveconf's output checks the global settings once more, every root
        self._warn_base_dir(top, [m for root, m in top_failures if root == _BASE_DIR])
        self.check_errors = [m for root, m in top_failures if root != _BASE_DIR]
        if helper is not None:
            self.helper_check_error = helper
            self.expand_failed = True  # the capability lines are left out
        if main is not None:
            exc = ParseError(main, path=self.path, line=0)
            exc.partial = self  # type: ignore[attr-defined]
            raise exc

    def output_check(self) -> None:
        """Only doveconf's output checks of the global settings (:attr:`check_errors`, base_dir
        warnings): what doveconf still does for a file it read to the end with a block left open."""
        if self.lenient:
            return
        zero = [f for f in [self.global_scope, *self.filter_scopes] if _mask_matches(f, self.global_scope)]
        if len(zero) > 1 and self._conflict(zero) is not None:
            return
        top = self._merged(zero) if len(zero) > 1 else self.global_scope
        failures = self._check_scope(top)
        self._warn_base_dir(top, [m for root, m in failures if root == _BASE_DIR])
        self.check_errors = [m for root, m in failures if root != _BASE_DIR]

    @staticmethod
    def _helper_scope(scope: Scope) -> Scope:
        """``scope`` with the values the managesieve-login run read instead (itself when none)."""
        if not any(v.helper is not None for v in scope.values.values()):
            return scope
        values = {
            k: v if v.helper is None else Value(v.helper, v.path, v.line, v.column, v.changed)
            for k, v in scope.values.items()
        }
        return Scope(values, scope.sections)

    def _warn_base_dir(self, scope: Scope, names: list[str]) -> None:
        """doveconf's warning, at each check of a filter's settings, for each unix/fifo listener of the
        services ``names`` (the ones the master check got past, in its order) whose path starts with
        base_dir (unix listeners first, then fifo ones)."""
        base = (scope.values.get("base_dir") or self.effective("base_dir")).value.rstrip("/") + "/"
        services = {svc.name: svc for svc in scope.sections.get("service", [])}
        for name in names:
            svc = services[name]
            for ltype in ("unix_listener", "fifo_listener"):
                for lst in svc.children(ltype):
                    if lst.name.startswith(base):
                        message = f"You should remove base_dir prefix from unix_listener: {lst.name}"
                        self._main_only.append((len(self.warnings), message))

    def main_warnings(self) -> list[str]:
        """The warnings doveconf's own run prints, in its order: ``warnings`` with the ones the
        managesieve-login run does not print (base_dir prefixes) put in their places."""
        out: list[str] = []
        extra = iter(self._main_only)
        nxt = next(extra, None)
        for i in range(len(self.warnings) + 1):
            while nxt is not None and nxt[0] == i:
                out.append(nxt[1])
                nxt = next(extra, None)
            if i < len(self.warnings):
                out.append(self.warnings[i])
        return out

    def _warn_ssl(self, ctx: Scope, matches: list[Scope]) -> str | None:
        """doveconf's warning (once) for the first filter that turns ssl on while the global ssl is off
        (its own value, also when it does not apply to itself, else the merged one)."""
        g = self.global_scope.values.get("ssl")
        if g is None or g.value != "no" or self._ssl_warned:
            return None
        v = ctx.values.get("ssl") or next((m.values["ssl"] for m in matches if "ssl" in m.values), None)
        if v is not None and v.value != "no":
            self._ssl_warned = True
            return f"SSL is disabled because global ssl=no, ignoring ssl={v.value} for subsection"
        return None

    def _conflict(self, matches: list[Scope]) -> str | None:
        """doveconf merges the filters that apply to a filter, most specific first; a setting set
        again by a filter that is not a superset of the one merged before it is a conflict
        (whatever the two values), except in string lists (plugin {}). The message, or None."""
        merged = _changed_keys(matches[0])
        for prev, cur in itertools.pairwise(matches):
            keys = _changed_keys(cur)
            if not _superset(cur, prev):
                both = merged & keys
                if both:
                    order = _conflict_order()
                    heads = {k: k.partition("{")[0] + "{" if "{" in k else k for k in both}
                    first = heads[min(both, key=lambda k: (order.get(heads[k], len(order)), k))]
                    return (
                        f"Conflict in setting {_SECTION_CONFLICT_KEYS.get(first, first)} "
                        f"found from filter at {cur.path}:{cur.line}"
                    )
            merged |= keys
        return None

    def _merged(self, matches: list[Scope]) -> Scope:
        """The settings doveconf checks for one filter: the scopes that apply to it (the global one
        included), most specific first. A value set (not a built-in default) in a more specific
        scope wins. Lists keep doveconf's merge order (the built-in services first, then each
        scope's new entries in turn); named entries merge."""
        layers = list(reversed(matches))  # least specific first
        values: dict[str, Value] = {}
        for layer in layers:
            _layer(values, layer.values)
        sections = dict(self.global_scope.sections)
        builtin = self.catalogue.service_defaults
        for stype in {t for m in matches if m is not self.global_scope for t in m.sections}:
            items: list[Section] = []
            named: dict[str, list[Section]] = {}
            if stype == "service":
                items = [s for s in self.global_scope.sections.get(stype, []) if s.name in builtin]
                named = {s.name: [] for s in items}
            for layer in matches:
                for sec in layer.sections.get(stype, []):
                    if not (sec.spec.unique and sec.name):
                        items.append(sec)
                    elif sec.name not in named:
                        named[sec.name] = []
                        items.append(sec)
            for layer in layers:
                for sec in layer.sections.get(stype, []):
                    if sec.spec.unique and sec.name:
                        named[sec.name].append(sec)
            for i, sec in enumerate(items):
                parts = named.get(sec.name, []) if sec.spec.unique and sec.name else []
                if len(parts) > 1:
                    merged = Section(sec.type, sec.name, sec.spec, sec.key, path=sec.path, line=sec.line)
                    for part in parts:
                        _layer(merged.values, part.values)
                        for ctype, children in part.sections.items():
                            have = merged.sections.setdefault(ctype, [])
                            for child in children:
                                # a filter's listener of a new name is added to the service's listeners
                                j = next((n for n, c in enumerate(have) if child.name and c.name == child.name), -1)
                                if j >= 0 and child.spec.unique:
                                    c = have[j]
                                    both = Section(c.type, c.name, c.spec, c.key, dict(c.values), dict(c.sections))
                                    _layer(both.values, child.values)
                                    both.sections.update(child.sections)
                                    have[j] = both
                                else:
                                    have.append(child)
                    items[i] = merged
            sections[stype] = items
        return Scope(values, sections)

    def _check_scope(self, scope: Scope) -> list[tuple[str, str]]:
        """The failures of doveconf's checks of one scope, as (root, message): the first failure of each
        settings root, roots in doveconf's order (recorded with the installed doveconf by putting a
        failure of every check in one file and taking out the ones it reports, again and again).
        ``(_BASE_DIR, service name)`` marks where the master root warns about that service's listeners'
        base_dir prefixes, when it gets there."""
        values = scope.values
        out: list[tuple[str, str]] = []
        failed: set[str] = set()

        def fail(root: str, message: str) -> None:
            if root not in failed:
                failed.add(root)
                out.append((root, message))

        def words(root: str, name: str) -> None:
            chk = self.catalogue.word_checks.get(name)
            v = values.get(name)
            if root in failed or chk is None or v is None or (not v.value and not chk.get("whole")):
                return
            valid = chk.get("valid", [])
            for w in [v.value] if chk.get("whole") else [w for w in _LIST_SPLIT.split(v.value) if w]:
                if w not in valid and not any(p.endswith("=") and w.startswith(p) for p in valid):
                    fail(root, chk["message"].format(w))
                    return

        words("managesieve", "managesieve_client_workarounds")
        words("master_service", "syslog_facility")
        for name in _EVENT_FILTER_SETTINGS:
            ef = values.get(name)
            why = _event_filter_error(ef.value) if ef is not None else None
            if why is not None:
                fail("master_service", f"Invalid {name}: event filter: {why}")
        if (values.get("ssl") or self.effective("ssl")).value != "no":  # ssl = no: the ssl root checks nothing
            words("ssl", "ssl_options")
        awm = values.get("auth_worker_max_count")
        if awm is not None and awm.value == "0":
            fail("auth", "auth_worker_max_count must be above zero")
        avp = values.get("auth_verbose_passwords")
        if avp is not None and not _AUTH_VERBOSE_PASSWORDS.fullmatch(avp.value):
            fail("auth", "auth_verbose_passwords: Invalid value")
        url = values.get("auth_policy_server_url")
        nonce = values.get("auth_policy_hash_nonce") or self.global_scope.values.get("auth_policy_hash_nonce")
        if url is not None and url.value and not (nonce and nonce.value):
            fail("auth", "auth_policy_hash_nonce must be set when policy server is used")
        for kind in ("passdb", "userdb"):
            for sec in scope.sections.get(kind, []):
                if not sec.get("driver"):
                    fail("auth", f"{kind} is missing driver")
        due = values.get("director_user_expire")
        if due is not None and _time_secs(due.value) < 10:
            fail("director", "director_user_expire is too low")
        words("doveadm", "dsync_features")
        words("imap", "imap_client_workarounds")
        words("imapc", "imapc_features")
        words("lmtp", "lmtp_client_workarounds")
        uidl = values.get("pop3_uidl_format")
        if uidl is not None and "%" not in uidl.value:
            fail("mail_storage", "pop3_uidl_format setting doesn't contain any %% variables.")
        mah = values.get("mail_attachment_hash")
        if mah is not None and "-" in mah.value:
            fail("mail_storage", "mail_attachment_hash setting must not contain '-' characters")
        words("mail_storage", "mail_attachment_detection_options")
        for ns in scope.sections.get("namespace", []):
            if len(ns.get("separator")) > 1:
                fail(
                    "mail_user", f"Namespace '{ns.get('prefix')}': Hierarchy separator must be only one character long"
                )
            for mbox in ns.children("mailbox"):
                for use in mbox.get("special_use").split(" "):
                    if use and use.lower() not in _SPECIAL_USE:
                        fail("mail_user", f"mailbox {mbox.name}: unknown special_use: {use}")
                        break
        self._check_master(scope, fail, words, failed, out)
        words("pop3", "pop3_client_workarounds")
        words("pop3c", "pop3c_features")
        for m in scope.sections.get("metric", []):
            flt = m.get("filter")
            if not flt:
                fail("stats", f"metric {m.name} {{ filter }} is empty - will not match anything")
            why = _event_filter_error(flt) if flt else None
            if why is not None:
                fail("stats", f"event filter: {why}")
        for ex in scope.sections.get("event_exporter", []):
            if not ex.get("format"):
                fail("stats", "Exporter format name can't be empty")
            if not ex.get("transport"):
                fail("stats", "Exporter transport name can't be empty")
            if ex.get("format") == "json" and not any(a.startswith("time-") for a in ex.get("format_args").split()):
                fail("stats", "json exporter format requires a time-* argument")
        # submission_client_workarounds is checked by two roots (submission-login's and submission's)
        words("submission-login", "submission_client_workarounds")
        words("submission", "submission_client_workarounds")
        return out

    def _check_master(
        self,
        scope: Scope,
        fail: Callable[[str, str], None],
        words: Callable[[str, str], None],
        failed: set[str],
        markers: list[tuple[str, str]],
    ) -> None:
        """The master root's checks: uid/gid ranges, default users, service names, protocols, then each
        enabled service in doveconf's order (vsz_limit, process_limit, then the point where doveconf
        warns about its listeners' base_dir prefixes: a marker in ``markers``), then listeners."""
        values = scope.values
        for kind in ("uid", "gid"):
            first = values.get(f"first_valid_{kind}") or self.global_scope.values.get(f"first_valid_{kind}")
            last = values.get(f"last_valid_{kind}") or self.global_scope.values.get(f"last_valid_{kind}")
            first_n = int(first.value) if first else int(self.catalogue.settings[f"first_valid_{kind}"].default)
            last_n = int(last.value) if last else int(self.catalogue.settings[f"last_valid_{kind}"].default)
            if (first or last) and last_n != 0 and first_n > last_n:
                fail("master", f"first_valid_{kind} can't be larger than last_valid_{kind}")
        for name in ("default_login_user", "default_internal_user"):
            v = values.get(name)
            if "master" not in failed and v is not None and not _user_exists(v.value):
                fail("master", f"{name} doesn't exist: {v.value}")
        services = _check_order(scope.sections.get("service", []))
        for i, svc in enumerate(services):
            if not svc.name:
                fail("master", f"Service #{i} is missing name")
        words("master", "protocols")
        protocols = (values.get("protocols") or self.effective("protocols")).value.split()
        # doveconf checks only the services of enabled protocols
        enabled = [svc for svc in services if not svc.get("protocol") or svc.get("protocol") in protocols]
        if "master" in failed:
            return
        # one service after the other, in doveconf's order: vsz_limit, process_limit, then the warnings
        for svc in enabled:
            vsz = svc.values.get("vsz_limit")
            vsz_bytes = _size_bytes(vsz.value) if vsz is not None and vsz.changed else None
            if vsz_bytes and vsz_bytes < 1024 * 1024:
                fail("master", f"service({svc.name}): vsz_limit is too low")
                return
            if svc.name in _SINGLE_PROCESS and "process_limit" in svc.values and svc.get("process_limit") != "1":
                fail("master", f"service({svc.name}): process_limit must be 1")
                return
            markers.append((_BASE_DIR, svc.name))  # DovecotConfig._warn_base_dir
        if "master" not in failed:
            duplicate = self._check_listeners(scope)
            if duplicate is not None:
                fail("master", duplicate)

    def _check_listeners(self, scope: Scope) -> str | None:
        """Two enabled services listening on the same port and address: doveconf refuses (the message)."""
        protocols = (scope.values.get("protocols") or self.effective("protocols")).value.split()
        listen = (scope.values.get("listen") or self.effective("listen")).value
        services = [
            s
            for s in _check_order(scope.sections.get("service", []))
            if not s.get("protocol") or s.get("protocol") in protocols
        ]
        base = (scope.values.get("base_dir") or self.effective("base_dir")).value
        paths: set[str] = set()
        for svc in services:
            for ltype in ("unix_listener", "fifo_listener"):
                for lst in svc.children(ltype):
                    full = lst.name if lst.name.startswith("/") else f"{base}/{lst.name}"
                    if full in paths:
                        return f"duplicate listener: {full}"
                    paths.add(full)
        seen: set[tuple[str, str]] = set()
        for svc in _check_order(scope.sections.get("service", [])):
            proto = svc.get("protocol")
            if proto and proto not in protocols:
                continue
            for lst in svc.children("inet_listener"):
                port = lst.get("port")
                if port in ("", "0"):
                    continue
                address = lst.get("address") or listen
                for addr in set(address.replace(",", " ").split()):
                    if (addr, port) in seen:
                        return f"duplicate listener: {port}:"
                    seen.add((addr, port))
        return None

    # ------------------------------------------------------------------ output
    def dump(
        self, mode: str = "n", *, hide_passwords: bool = True, names: list[str] | None = None, hide_key: bool = False
    ) -> str:
        """doveconf's output: mode "n" (non-defaults), "N" (also explicitly set), "a" (all).

        ``names``: only these settings (``name = value`` as stored, or just the value with
        ``hide_key``) or sections (``service/imap-login``), as ``doveconf NAME`` prints them.
        """
        out: list[str] = []
        strings = self._export(self._global_view(), mode, top=True)
        if names:
            for name in names:
                exact = next((v for k, key, v in strings if k != "l" and key == name), None)
                if exact is not None:
                    out.append(f"{exact}\n" if hide_key else f"{name} = {exact}\n")
                elif any(key.startswith(name + "/") for _k, key, _v in strings):
                    out.extend(_render(strings, 0, hide_passwords, name_filter=name))
            return "".join(out)
        out.extend(_render(strings, 0, hide_passwords))
        for fs in self._sorted_filters():
            head = fs.header_lines()
            fstrings = self._export(fs, "N", top=False)
            body = _render(fstrings, len(head), hide_passwords)
            if body:
                for i, h in enumerate(head):
                    out.append("  " * i + h + " {\n")
                out.extend(body)
                for i in reversed(range(len(head))):
                    out.append("  " * i + "}\n")
        return "".join(out)

    def section_lookups(self, names: list[str], mode: str = "a") -> int:
        """How many of ``names`` doveconf answers with a section (``service/imap``): it checks the
        global settings again for each and prints their :attr:`check_errors`."""
        strings = self._export(self._global_view(), mode, top=True)
        count = 0
        for name in names:
            exact = any(k != "l" and key == name for k, key, _v in strings)
            count += not exact and any(key.startswith(name + "/") for _k, key, _v in strings)
        return count

    def _global_view(self) -> Scope:
        """The global settings as doveconf prints them: filters of /0 networks and nothing else
        apply to every connection, so their settings are merged in (the global values and the
        earlier filters first; string lists and list sections gain their entries)."""
        zero = [
            f
            for f in self.filter_scopes
            if not f.local_bits and not f.remote_bits and f.local_name is None and f.protocol is None
        ]
        if not zero:
            return self.global_scope
        layers = [*reversed(zero), self.global_scope]  # the last layer wins
        values: dict[str, Value] = {}
        for layer in layers:
            values.update(layer.values)
        sections = {t: list(items) for t, items in self.global_scope.sections.items()}
        created: dict[tuple[str, str], Section] = {}  # named sections the global settings do not have
        for f in zero:
            for stype, items in f.sections.items():
                lst = sections.setdefault(stype, [])
                for sec in items:
                    if sec.spec.unique:
                        # a named section merges into the global one of its name
                        j = next((i for i, s in enumerate(lst) if sec.name and s.name == sec.name), -1)
                        if j >= 0 and (stype, sec.name) in created:
                            # a later filter's block sets its own settings over them, and its sections of
                            # the names the opening block has too
                            old, opening = lst[j], created[(stype, sec.name)]
                            own = {**old.values, **{k: v for k, v in sec.values.items() if _set_in(sec, k)}}
                            subs = dict(old.sections)
                            for sub_type, subs_new in sec.sections.items():
                                names = {x.name for x in opening.sections.get(sub_type, [])}
                                kept = {x.name: x for x in subs.get(sub_type, [])}
                                kept.update({x.name: x for x in subs_new if x.name in names})
                                subs[sub_type] = list(kept.values())
                            lst[j] = Section(stype, old.name, old.spec, old.key, own, subs, old.path, old.line)
                        elif j >= 0:
                            lst[j] = _merge_named(lst[j], sec)
                        elif sec.name:
                            # a new one shows here with only the settings opening it gives (a namespace's
                            # name, location and prefix); a later filter's block of that name adds its own
                            created[(stype, sec.name)] = sec
                            implicit = {
                                k: v for k, v in sec.values.items() if k in _NAMESPACE_OPENING or not _set_in(sec, k)
                            }
                            lst.append(Section(stype, sec.name, sec.spec, sec.key, implicit, None, sec.path, sec.line))
                        continue
                    same = next((s for s in lst if s.spec.strlist), None)
                    if same is None:
                        copy = Section(sec.type, sec.name, sec.spec, str(len(lst)), dict(sec.values), sec.sections)
                        name = copy.values.get("name")
                        if name is not None:
                            # the name a passdb {} block sets is not shown as set here (doveconf -N)
                            copy.values["name"] = Value(name.value, name.path, name.line, name.column)
                        lst.append(copy)
                    elif same.spec.strlist:
                        merged = Section(same.type, same.name, same.spec, same.key, path=same.path, line=same.line)
                        merged.values = {**sec.values, **same.values}
                        lst[lst.index(same)] = merged
        return Scope(values, sections)

    def _sorted_filters(self) -> list[Scope]:
        def key(s: Scope) -> tuple[int, int, int, int]:
            return (s.local_name is not None, s.local_bits, s.remote_bits, s.protocol is not None)

        return sorted(self.filter_scopes, key=key)

    def _export(self, scope: Scope, mode: str, *, top: bool) -> list[tuple[str, str, str]]:
        """(kind, key, value) strings like doveconf's export: kind "n" normal, "l" list, "u" unique."""
        res: list[tuple[str, str, str]] = []
        cat = self.catalogue
        dynamic = self._dynamic_defaults() if top else {}
        for name, spec in cat.settings.items():
            v = scope.values.get(name)
            if top and v is None and name in _CAPABILITY_ONLY and name not in dynamic:
                continue
            if name in dynamic:
                # defaults computed at run time (managesieve capabilities): the built-in one is empty
                spec = SettingSpec(name, spec.type, "", spec.values)
                value = v.value if v is not None else dynamic[name]
            else:
                value = v.value if v is not None else spec.default
            changed = v is not None and v.changed
            if self._want(spec, value, changed, mode, unique_parent=False):
                res.append(("n", name, value))
        for stype, spec_s in cat.sections.items():
            items = scope.sections.get(stype, [])
            if mode == "a" and stype == "service" and top:
                items = self._services_with_defaults(items)
            self._export_sections(res, "", stype, spec_s, items, mode)
        return res

    def _dynamic_defaults(self) -> dict[str, str]:
        """Values doveconf learns by running managesieve-login (empty when that run fails)."""
        out: dict[str, str] = {}
        for extra in self.catalogue.baseline_n:
            k, _, val = extra.partition(" = ")
            if self.expand_failed:
                if k in _CAPABILITY_ONLY:
                    continue
                val = ""
            elif k == "managesieve_sieve_capability":
                val = self._sieve_capability(val)
            out[k] = val
        return out

    def _sieve_capability(self, base: str) -> str:
        """managesieve-login's capability: the built-in list changed by plugin settings."""
        plugin = self.plugin()
        caps = base.split(" ")
        ext = plugin.get("sieve_extensions")
        if ext is not None:
            words = ext.value.split()
            if words and all(w[0] in "+-" for w in words):
                for w in words:
                    if w[0] == "+" and w[1:] not in caps:
                        caps.append(w[1:])
                    elif w[0] == "-" and w[1:] in caps:
                        caps.remove(w[1:])
            else:
                caps = [w for w in words if not w.startswith(("+", "-"))]
        plugins = plugin.get("sieve_plugins")
        if plugins is not None and "sieve_imapsieve" in plugins.value.split():
            caps += ["imapsieve", "vnd.dovecot.imapsieve"]
        return " ".join(caps)

    def _services_with_defaults(self, items: list[Section]) -> list[Section]:
        return items

    def _export_sections(
        self,
        res: list[tuple[str, str, str]],
        prefix: str,
        stype: str,
        spec: SectionSpec,
        items: list[Section],
        mode: str,
    ) -> None:
        if not items:
            return
        if spec.strlist:
            res.append(("l", prefix + stype, ""))
            for k, v in items[0].values.items():
                res.append(("n", f"{prefix}{stype}/{k}", v.value))
            return
        res.append(("l", prefix + stype, " ".join(s.key for s in items)))
        for sec in items:
            p = f"{prefix}{stype}/{sec.key}/"
            if spec.unique:
                res.append(("u", p + _name_key(stype), sec.name))
            for name, sspec in spec.settings.items():
                sv = sec.values.get(name)
                value = sv.value if sv is not None else sspec.default
                changed = sv is not None and sv.changed
                if spec.unique and name == _name_key(stype):
                    continue
                if self._want(sspec, value, changed, mode, unique_parent=spec.unique):
                    res.append(("n", p + name, value))
            for ctype, cspec in spec.sections.items():
                self._export_sections(res, p, ctype, cspec, sec.sections.get(ctype, []), mode)

    @staticmethod
    def _want(spec: SettingSpec, value: str, changed: bool, mode: str, *, unique_parent: bool) -> bool:
        if mode == "a":
            return True
        if unique_parent:
            return changed
        if changed and (mode == "N" or spec.set_prints):
            return True
        if spec.type == "enum":
            return value != (spec.values[0] if spec.values else spec.default)
        return value != spec.default


# ---------------------------------------------------------------------------------------------
# doveconf's human output: sort the key=value strings, open a block per list prefix


def _cmp_key(item: tuple[str, str, str]) -> tuple[int, ...]:
    """doveconf sorts ``key=value`` strings comparing signed chars, the end of the key first."""
    kind, key, _value = item
    if kind == "u":
        head, _, last = key.rpartition("/")
        key = head + "/\xff" + last
    elif kind == "l":
        key = "\x01" + key
    return tuple(b - 256 if b >= 128 else b for b in key.encode("latin-1"))


def _needs_quote(value: str) -> bool:
    if not value:
        return False
    return "#" in value or value[0] in WHITE or value[-1] in WHITE


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'")


def _hidden(key: str) -> bool:
    last = key.rsplit("/", 1)[-1]
    return last.endswith(("_password", "_key", "_nonce")) or last == "ssl_dh"


def _render(strings: list[tuple[str, str, str]], indent: int, hide: bool, name_filter: str | None = None) -> list[str]:
    """doveconf's human output of exported strings: sorted, a block per list prefix."""
    items = sorted(strings, key=_cmp_key)
    prefixes: list[str] = []
    for kind, key, value in items:
        if kind != "l":
            continue
        if value == "":
            prefixes.append(key + "/")
        else:
            prefixes.extend(f"{key}/{a}/" for a in value.split(" "))
    out: list[str] = []
    pending: list[str] = []  # headers opened but not written yet
    stack: list[tuple[int, int | None]] = []  # (prefix index, position in pending if droppable)
    cur = -1
    ind = indent
    for kind, key, value in items:
        if kind == "l":
            continue
        if name_filter and not (key == name_filter or key.startswith(name_filter + "/")):
            continue
        unique = kind == "u"
        skip_print = False
        while True:
            j = 0
            while cur != -1:
                if key.startswith(prefixes[cur]):
                    j = cur + 1
                    break
                _idx, pos = stack.pop()
                ind -= 1
                if pos is not None:
                    del pending[pos:]
                else:
                    out.append("  " * ind + "}\n")
                cur = stack[-1][0] if stack else -1
            found = -1
            for idx in range(j, len(prefixes)):
                if key.startswith(prefixes[idx]):
                    found = idx
                    break
            if found == -1:
                break
            key2 = key[len(prefixes[cur]) :] if cur != -1 else key
            head = key2.split("/", 1)[0]
            if unique and value:
                head += f" {value}" if " " not in value else f' "{_escape(value)}"'
            stack.append((found, len(pending) if unique else None))
            pending.append("  " * ind + head + " {\n")
            ind += 1
            cur = found
            if unique:
                skip_print = True
                break
        if skip_print:
            continue
        out.extend(pending)
        pending.clear()
        stack = [(i, None) for i, _p in stack]
        skip = len(prefixes[cur]) if cur != -1 else 0
        k = key[skip:]
        if hide and value and _hidden(k):
            out.append("  " * ind + f"{k} = # hidden, use -P to show it\n")
        elif _needs_quote(value):
            out.append("  " * ind + f'{k} = "{_escape(value)}"\n')
        else:
            out.append("  " * ind + f"{k} = {value}\n")
    while cur != -1:
        _idx, pos = stack.pop()
        if pos is not None:
            break
        ind -= 1
        out.append("  " * ind + "}\n")
        cur = stack[-1][0] if stack else -1
    return out


# ---------------------------------------------------------------------------------------------


def load_config(path: str | Path, version: str | None = None) -> DovecotConfig:
    """Read ``path`` (and its includes) as doveconf does: the tree of :func:`mailconf.dovecot.load`."""
    from mailconf.dovecot.tree import load

    try:
        tree = load(path, version=version if version == "2.4" else None)
    except ParseError as exc:
        raise reading_error(exc, version) from None
    return config_from_tree(tree, version)


def reading_error(exc: ParseError, version: str | None = None) -> ParseError:
    """The error doveconf reports for a tree the reader refused with ``exc``.

    doveconf parses each setting as it reads it, so a setting or section it refuses before the
    place of a syntax error (``Missing '}'`` is only found at the end of the file, ``Unexpected
    '}'``, ``No matches`` ... where they are) is what it reports: ``foo {`` at the end of a file is
    "Unknown setting: foo", not a missing brace. ``exc`` carries the statements read before it
    (``partial_tree``); they are applied, and their first error, if any, is returned instead.
    """
    partial = getattr(exc, "partial_tree", None)
    if partial is None or str(version or getattr(partial, "version", "")).startswith("2.4"):
        return exc
    from mailconf.dovecot.catalogue import Catalogue
    from mailconf.dovecot.document import MISSING_KEY

    if exc.message == MISSING_KEY and exc.path and exc.line:
        # "= x $": doveconf expands the value first, and "$" names the empty key: no such variable
        try:
            with open(exc.path, "rb") as handle:
                text = handle.read().decode("latin-1").splitlines()[exc.line - 1]
        except (OSError, IndexError):
            text = ""
        # doveconf's words: split at spaces, a word's leading tabs skipped
        value = text.partition("=")[2].strip(" \t\r")
        quoted = value[:1] in ("'", '"')  # not expanded; else '#' starts a comment
        words = [] if quoted else [w.lstrip("\t") for w in value.partition("#")[0].split(" ")]
        # the managesieve-login run expands every $name first
        known = Catalogue.for_version(version).settings
        unknown = next((w for w in words if w.startswith("$") and w[1:] not in known), None)
        if "$" in words:
            refused = ParseError("Unknown variable: $", path=exc.path, line=exc.line, column=exc.column)
            refused.partial_tree = partial  # type: ignore[attr-defined]
            exc = refused
        if unknown is not None:
            why = f"Error in configuration file {exc.path} line {exc.line}: Unknown variable: {unknown}"
            exc.helper_error = why  # type: ignore[attr-defined]

    cfg = DovecotConfig(Catalogue.for_version(version), str(getattr(partial, "path", "")) or None)
    hashes = [w for w in getattr(partial, "warnings", ()) if w.code == "ambiguous-hash"]

    def read_before(error: ParseError) -> list[str]:
        """The ambiguous-'#' warnings doveconf prints before ``error`` (none for the lines after it)."""
        return [
            f"Configuration file {w.path} line {w.line}: {w.message}"
            for w in hashes
            if not (str(w.path) == str(error.path) and error.line and w.line > error.line)
        ]

    try:
        cfg.apply(_tree_lines(partial))
    except ParseError as earlier:
        if not earlier.message.startswith("Missing '}'"):  # else the statements end before the sections do
            earlier.warnings = read_before(earlier) + cfg.warnings  # type: ignore[attr-defined]
            earlier.helper_error = cfg.helper_error  # type: ignore[attr-defined]
            return earlier
        if exc.message.startswith("Missing '}'"):  # every line was read
            cfg.warnings[:0] = [f"Configuration file {w.path} line {w.line}: {w.message}" for w in hashes]
            return _missing_brace(cfg, exc)
    except Exception:  # the statements before a syntax error are not a whole file: keep exc
        return exc
    if getattr(exc, "warnings", None) is None:
        exc.warnings = read_before(exc) + cfg.warnings  # type: ignore[attr-defined]
    if cfg.helper_error:
        exc.helper_error = cfg.helper_error  # type: ignore[attr-defined]
    return exc


def _missing_brace(cfg: DovecotConfig, exc: ParseError) -> ParseError:
    """doveconf 2.3 reads a file with a block left open to the end and prints its settings (with its
    output checks' errors) before failing with ``Missing '}'``; the managesieve-login run fails so too,
    unless it failed earlier. ``exc`` carries ``cfg`` as ``partial`` for that."""
    cfg.output_check()
    if cfg.helper_error is None:
        cfg.helper_check_error = exc.message
    cfg.expand_failed = True  # the capability lines are left out
    exc.partial = cfg  # type: ignore[attr-defined]
    return exc


def config_from_tree(tree: object, version: str | None = None) -> DovecotConfig:
    """The meaning of a tree loaded by :func:`mailconf.dovecot.load` (its ``walk()`` statements)."""
    from mailconf.dovecot.catalogue import Catalogue

    path = getattr(tree, "path", None)
    cfg = DovecotConfig(Catalogue.for_version(version), str(path) if path is not None else None)
    hashes = [w for w in getattr(tree, "warnings", ()) if w.code == "ambiguous-hash"]
    for warning in hashes:
        cfg.warnings.append(f"Configuration file {warning.path} line {warning.line}: {warning.message}")
    documents = getattr(tree, "documents", {})
    cfg.files.extend(str(p) for p in documents)
    cfg.texts.update((str(p), doc.text) for p, doc in documents.items())
    try:
        cfg.apply(_tree_lines(tree))
    except ParseError as exc:
        # doveconf prints the warnings before the error, and reads no further: none for lines after it
        after = next((i for i, w in enumerate(hashes) if str(w.path) == str(exc.path) and w.line > exc.line), None)
        warnings = list(cfg.warnings)
        if after is not None and exc.line:
            del warnings[after : len(hashes)]
        exc.warnings = warnings  # type: ignore[attr-defined]
        exc.helper_error = cfg.helper_error  # type: ignore[attr-defined]
        if exc.message.startswith("Missing '}'") and not cfg.lenient:
            raise _missing_brace(cfg, exc) from None
        raise
    cfg.check()
    return cfg


def _tree_lines(tree: object) -> Iterator[Line]:
    """The tree's statements in doveconf's reading order, as the semantic layer's lines."""
    for st in tree.walk():  # type: ignore[attr-defined]
        where = (st.path or "", st.line, st.column)
        if st.kind == "setting":
            if st.file_ref is not None:
                kind = "file"
            elif st.variable or (not st.quoted and "$" in st.value and not st.value.startswith(("'", '"'))):
                # doveconf 2.3 splits any unquoted value holding a "$" on spaces (runs collapse), not
                # only values with a word starting with "$" (the reader's mark); a value opening a
                # quote it does not close is not expanded either
                kind = "var"
            else:
                kind = "set"
            yield Line(kind, st.key, st.value, *where, end_line=getattr(st, "end_line", 0) or 0)
        elif st.kind == "open":
            name = st.section_name or ""
            if "\t" in name and st.section_type not in ("protocol", "local", "remote", "local_name"):
                # only a quoted name can hold a tab; doveconf 2.3 aborts on it (config_add_type)
                raise ParseError("Section name with a tab: doveconf aborts on it", path=st.path, line=st.line)
            yield Line("open", st.section_type or "", name, *where)
        elif st.kind == "close":
            yield Line("close", "}", "", *where)


# ---------------------------------------------------------------------------------------------
# version rules (2.x up to 2.3 vs 2.4) and legacy names


def _lines(path: str | Path) -> list[Line]:
    from mailconf.dovecot.tree import load

    return list(_tree_lines(load(path)))


def detect_version(path: str | Path) -> str:
    """ "2.4" when the first setting of the tree is ``dovecot_config_version``, else "2.3"."""
    try:
        for ln in _lines(path):
            if ln.kind in ("set", "var", "file"):
                return "2.4" if ln.key == "dovecot_config_version" else "2.3"
    except ParseError:
        pass
    return "2.3"


def check_version_rules(path: str | Path, version: str | None = None) -> list[ParseError]:
    """Problems of the tree for its version (or ``version``): 2.3 and 2.4 names mixed, and the
    2.4 rules (``dovecot_config_version`` first, ``dovecot_storage_version`` set).

    The messages are mailconf's (worded after doveconf where it has one): a 2.3 name in a 2.4
    file is ``Unknown setting: NAME`` for doveconf 2.4, with the replacement added here.
    """
    from mailconf.dovecot.catalogue import load_23, load_24

    try:
        lines = _lines(path)
    except ParseError as exc:
        return [exc]
    version = version or detect_version(path)
    c23, c24 = load_23(), load_24()
    out: list[ParseError] = []
    settings = [ln for ln in lines if ln.kind in ("set", "var", "file")]
    depth = 0
    if version.startswith("2.4"):
        if settings and settings[0].key != "dovecot_config_version":
            first = settings[0]
            out.append(_error("The first setting must be dovecot_config_version", first))
        if not any(ln.key == "dovecot_storage_version" for ln in settings):
            main = lines[0] if lines else Line("set", "", "", str(path), 1)
            out.append(ParseError("dovecot_storage_version is not set", path=main.path, line=1, column=1))
        for ln in lines:
            if ln.kind == "open":
                if depth == 0 and ln.key in c24.removed_sections:
                    out.append(_error(f"Unknown section: {ln.key} (2.4: its settings are global settings)", ln))
                depth += 1
            elif ln.kind == "close":
                depth = max(0, depth - 1)
            elif ln.kind in ("set", "var", "file") and ln.key in c24.renamed_from_23:
                new = c24.renamed_from_23[ln.key]
                hint = f" (2.4: replaced by {new})" if new else " (removed in 2.4)"
                out.append(_error(f"Unknown setting: {ln.key}{hint}", ln))
    else:
        for ln in settings:
            if ln.key not in c23.settings and ln.key in c24.settings and depth == 0:
                out.append(_error(f"Unknown setting: {ln.key} (a Dovecot 2.4 name)", ln))
    return out


# 1.x / 2.0 names doveconf 2.3 converts with a warning or refuses (rule LEG201)
LEGACY_NAMES = {
    "ssl_cert_file": "ssl_cert = <FILE",
    "ssl_key_file": "ssl_key = <FILE",
    "ssl_ca_file": "ssl_ca = <FILE",
    "ssl_disable": "ssl = no",
    "ssl_protocols": "ssl_min_protocol",
    "fsync_disable": "mail_fsync",
    "dbox_rotate_size": "mdbox_rotate_size",
    "sieve": "plugin { sieve }",
    "sieve_storage": "plugin { sieve_dir }",
    "login_dir": "(removed)",
    "ssl_parameters_regenerate": "(removed)",
    "ssl_dh_parameters_length": "ssl_dh = <FILE",
}


class Legacy(Record):
    """An obsolete name in a file: ``replacement`` tells the modern equivalent."""

    __slots__ = ("column", "line", "name", "path", "replacement")

    def __init__(self, name: str, replacement: str, path: str, line: int, column: int) -> None:
        self.name = name
        self.replacement = replacement
        self.path = path
        self.line = line
        self.column = column


def legacy_names(path: str | Path) -> list[Legacy]:
    """Obsolete 1.x/2.0 names in the tree: LEGACY_NAMES, ``protocols`` with imaps/pop3s,
    ``auth default {}`` sections."""
    try:
        lines = _lines(path)
    except ParseError:
        return []
    out: list[Legacy] = []
    depth = 0
    for ln in lines:
        if ln.kind == "open":
            if depth == 0 and ln.key == "auth":
                out.append(
                    Legacy("auth default {}", "passdb {} / userdb {} at the top level", ln.path, ln.line, ln.column)
                )
            depth += 1
        elif ln.kind == "close":
            depth = max(0, depth - 1)
        elif depth == 0 and ln.key in LEGACY_NAMES:
            out.append(Legacy(ln.key, LEGACY_NAMES[ln.key], ln.path, ln.line, ln.column))
        elif ln.key == "protocols":
            for word in ("imaps", "pop3s", "managesieve"):
                if word in ln.value.split():
                    repl = "sieve" if word == "managesieve" else f"{word[:-1]} with an ssl inet_listener"
                    out.append(Legacy(f"protocols = {word}", repl, ln.path, ln.line, ln.column))
    return out
