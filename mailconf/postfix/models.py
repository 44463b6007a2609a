"""Typed, frozen pydantic models of a Postfix configuration (main.cf + master.cf).

>>> from mailconf.postfix.models import PostfixModel
>>> model = PostfixModel.parse(
...     "smtpd_tls_security_level = may\\n"
...     "smtpd_relay_restrictions = permit_mynetworks, check_client_access hash:/etc/postfix/access,"
...     " reject_unauth_destination\\n",
...     "submission inet n - y - - smtpd\\n  -o smtpd_tls_security_level=encrypt\\n",
...     version="3.7",
... )
>>> model.main["smtpd_tls_security_level"].value.level
<TlsSecurityLevel.MAY: 'may'>
>>> [r.name for r in model.main["smtpd_relay_restrictions"].value.items]
['permit_mynetworks', 'check_client_access', 'reject_unauth_destination']
>>> model.service("submission").overrides["smtpd_tls_security_level"].value.level
<TlsSecurityLevel.ENCRYPT: 'encrypt'>

Every value is a :class:`Setting`: its name, the text as written (``raw``), the ``$name``-expanded
text when that differs, a typed ``value`` (a discriminated union on ``kind``), where it came from
(``source`` and ``origin``: path, line, column). A value Postfix would refuse does not stop the
model: it becomes :class:`Invalid`, keeping the text, so later checks still see everything.

This module imports pydantic: the lint and postconf commands never import it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mailconf.postfix import _values
from mailconf.postfix.expand import compat_level

if TYPE_CHECKING:
    from mailconf.postfix.catalogue import ParamSpec
    from mailconf.postfix.config import PostfixConfig
    from mailconf.postfix.document import Override
    from mailconf.postfix.document import Service as ServiceEntry

__all__ = [
    "Bool",
    "Choice",
    "CipherGrade",
    "FifoService",
    "Group",
    "InetService",
    "Int",
    "Invalid",
    "Kind",
    "ListValue",
    "MapRef",
    "Origin",
    "PassService",
    "PostfixModel",
    "ProtocolItem",
    "Raw",
    "Restriction",
    "RestrictionList",
    "Service",
    "Setting",
    "Size",
    "Text",
    "Time",
    "TlsCipherGrade",
    "TlsLevel",
    "TlsProtocol",
    "TlsProtocols",
    "TlsSecurityLevel",
    "UnixDgramService",
    "UnixService",
    "Value",
    "Wakeup",
    "Word",
    "json_schema",
    "kind_from_spec",
    "kind_of",
    "typed_value",
    "value_for",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# -- where a value came from ---------------------------------------------------------------------


class Origin(_Frozen):
    """The span of the entry that set a value (1-based line and byte column)."""

    path: str | None = None
    line: int
    column: int = 1
    end_line: int | None = None


Source = Literal["main", "master", "default"]

# -- list elements -------------------------------------------------------------------------------


class Word(_Frozen):
    """A plain list element: a domain, an address, a network, a keyword."""

    kind: Literal["word"] = "word"
    text: str

    def render(self) -> str:
        return self.text


class MapRef(_Frozen):
    """A ``type:name`` lookup table (``hash:/etc/postfix/access``, ``inline:{a=b}``) or client
    endpoint (``inet:127.0.0.1:10023``, ``unix:private/policy``)."""

    kind: Literal["map"] = "map"
    type: str
    name: str

    def render(self) -> str:
        return f"{self.type}:{self.name}"


class Group(_Frozen):
    """A Postfix 3.0+ ``{ ... }`` element; ``text`` is its inside, trimmed, as Postfix reads it."""

    kind: Literal["group"] = "group"
    text: str

    @property
    def items(self) -> tuple[Item, ...]:
        """The inside split like a list (``{ inet:host:port, timeout=10s }``)."""
        return tuple(_item(token) for token in _values.split_list(self.text))

    def render(self) -> str:
        return f"{{ {self.text} }}" if self.text else "{}"


Item = Annotated[Word | MapRef | Group, Field(discriminator="kind")]


def _item(token: str, *, groups: bool = True) -> Word | MapRef | Group:
    body = _values.group_body(token) if groups else None
    if body is not None:
        return Group(text=body)
    ref = _values.map_reference(token)
    if ref is not None:
        return MapRef(type=ref[0], name=ref[1])
    return Word(text=token)


# -- typed values --------------------------------------------------------------------------------


class Bool(_Frozen):
    kind: Literal["bool"] = "bool"
    value: bool

    def render(self) -> str:
        return "yes" if self.value else "no"


class Int(_Frozen):
    """A C ``int``: plain decimal, -2**31 .. 2**31-1."""

    kind: Literal["int"] = "int"
    value: int = Field(ge=_values.INT_MIN, le=_values.INT_MAX)

    def render(self) -> str:
        return str(self.value)


class Size(_Frozen):
    """A byte count (Postfix ``long`` parameters: message_size_limit, mailbox_size_limit, ...).
    Plain decimal: Postfix refuses ``10M``."""

    kind: Literal["size"] = "size"
    bytes: int = Field(ge=_values.LONG_MIN, le=_values.LONG_MAX)

    def render(self) -> str:
        return str(self.bytes)


TimeUnit = Literal["s", "m", "h", "d", "w"]


class Time(_Frozen):
    """A time value: ``amount`` of ``unit`` as Postfix reads ``text``.

    Postfix reads only the first unit letter: ``1h30m`` is ``Time(amount=1, unit="h")`` with
    ``ignored == "30m"``; a number without a letter takes the parameter's default unit.
    """

    kind: Literal["time"] = "time"
    amount: int = Field(ge=0)
    unit: TimeUnit
    text: str

    @model_validator(mode="after")
    def _text_reads_as_amount_and_unit(self) -> Time:
        parsed = _values.parse_time(self.text, self.unit)
        if parsed is None or parsed[:2] != (self.amount, self.unit):
            raise ValueError(f"time text {self.text!r} does not read as {self.amount}{self.unit}")
        return self

    @classmethod
    def of(cls, amount: int, unit: TimeUnit = "s") -> Time:
        return cls(amount=amount, unit=unit, text=f"{amount}{unit}")

    @property
    def seconds(self) -> int:
        return self.amount * _values.TIME_UNITS[self.unit]

    @property
    def ignored(self) -> str:
        """Text after the unit letter that Postfix 3.7 silently ignores (``30m`` in ``1h30m``)."""
        parsed = _values.parse_time(self.text, self.unit)
        return parsed[2] if parsed else ""

    def render(self) -> str:
        return self.text


class TlsSecurityLevel(enum.StrEnum):
    """``smtp(d)_tls_security_level`` values (the server side accepts none/may/encrypt)."""

    NONE = "none"
    MAY = "may"
    ENCRYPT = "encrypt"
    DANE = "dane"
    DANE_ONLY = "dane-only"
    FINGERPRINT = "fingerprint"
    VERIFY = "verify"
    SECURE = "secure"


class TlsLevel(_Frozen):
    """A TLS security level; ``level`` is None for an empty value (legacy ``*_use_tls`` applies)."""

    kind: Literal["tls_level"] = "tls_level"
    level: TlsSecurityLevel | None

    def render(self) -> str:
        return "" if self.level is None else self.level.value


class TlsCipherGrade(enum.StrEnum):
    EXPORT = "export"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    NULL = "null"


class CipherGrade(_Frozen):
    kind: Literal["cipher_grade"] = "cipher_grade"
    grade: TlsCipherGrade

    def render(self) -> str:
        return self.grade.value


class TlsProtocol(enum.StrEnum):
    SSLV2 = "SSLv2"
    SSLV3 = "SSLv3"
    TLSV1 = "TLSv1"
    TLSV1_1 = "TLSv1.1"
    TLSV1_2 = "TLSv1.2"
    TLSV1_3 = "TLSv1.3"


class ProtocolItem(_Frozen):
    """One element of a TLS protocol list: ``!SSLv3`` is ``op="!"``, ``>=TLSv1.2`` is ``op=">="``."""

    op: Literal["", "!", ">=", "<="] = ""
    protocol: TlsProtocol

    def render(self) -> str:
        return f"{self.op}{self.protocol.value}"


class TlsProtocols(_Frozen):
    kind: Literal["tls_protocols"] = "tls_protocols"
    items: tuple[ProtocolItem, ...] = ()

    def enabled(self) -> frozenset[TlsProtocol]:
        """The protocols this list leaves enabled (Postfix's tls_protocol_mask)."""
        order = list(TlsProtocol)
        included = [i.protocol for i in self.items if i.op == ""]
        result = set(included) if included else set(order)
        for i in self.items:
            index = order.index(i.protocol)
            if i.op == "!":
                result.discard(i.protocol)
            elif i.op == ">=":
                result -= set(order[:index])
            elif i.op == "<=":
                result -= set(order[index + 1 :])
        return frozenset(result)

    def render(self) -> str:
        return ", ".join(i.render() for i in self.items)


class Choice(_Frozen):
    """A value from a fixed set (mynetworks_style, smtpd_sasl_type, compatibility_level, ...)."""

    kind: Literal["choice"] = "choice"
    value: str

    def render(self) -> str:
        return self.value


class Text(_Frozen):
    kind: Literal["string"] = "string"
    value: str

    def render(self) -> str:
        return self.value


class Raw(_Frozen):
    """A parameter Postfix never expands (mailbox_command, smtpd_reject_footer, ...)."""

    kind: Literal["raw"] = "raw"
    value: str

    def render(self) -> str:
        return self.value


class ListValue(_Frozen):
    """A list (``kind="list"``) or a list of lookup tables (``kind="maps"``)."""

    kind: Literal["list", "maps"] = "list"
    items: tuple[Item, ...] = ()

    @property
    def maps(self) -> tuple[MapRef, ...]:
        return tuple(i for i in self.items if isinstance(i, MapRef))

    def render(self) -> str:
        return ", ".join(i.render() for i in self.items)


class Restriction(_Frozen):
    """One smtpd restriction with its argument, e.g. ``check_client_access hash:/etc/x``.

    A bare ``type:table`` in a restriction list has ``name`` = the table and :attr:`table` set.
    """

    name: str
    args: tuple[Item, ...] = ()

    @property
    def table(self) -> MapRef | None:
        item = _item(self.name)
        return item if isinstance(item, MapRef) else None

    def render(self) -> str:
        return " ".join([self.name, *(a.render() for a in self.args)])


class RestrictionList(_Frozen):
    kind: Literal["restrictions"] = "restrictions"
    items: tuple[Restriction, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.items)

    def render(self) -> str:
        return ", ".join(r.render() for r in self.items)


class Invalid(_Frozen):
    """A value Postfix would refuse: the text is kept, with what was expected and why."""

    kind: Literal["invalid"] = "invalid"
    text: str
    expected: str
    error: str

    def render(self) -> str:
        return self.text


Value = Annotated[
    Bool
    | Int
    | Size
    | Time
    | TlsLevel
    | CipherGrade
    | TlsProtocols
    | Choice
    | Text
    | Raw
    | ListValue
    | RestrictionList
    | Invalid,
    Field(discriminator="kind"),
]


_V = TypeVar("_V", bound=_Frozen)


class Setting(_Frozen):
    """One parameter value with its type and origin."""

    name: str
    raw: str
    expanded: str | None = None
    value: Value
    source: Source = "main"
    origin: Origin | None = None

    @property
    def text(self) -> str:
        """The text the typed value was read from (expanded when expansion changed it)."""
        return self.raw if self.expanded is None else self.expanded

    @property
    def invalid(self) -> bool:
        return isinstance(self.value, Invalid)

    def value_as(self, cls: type[_V]) -> _V | None:
        """The typed value when it is a ``cls`` (``setting.value_as(TlsLevel)``), else None."""
        return self.value if isinstance(self.value, cls) else None

    @classmethod
    def of(
        cls,
        name: str,
        value: str | Any,
        *,
        version: str | None = None,
        source: Source = "main",
        restriction_classes: Iterable[str] = (),
        services: Iterable[tuple[str, str]] = (),
    ) -> Setting:
        """A setting from text (typed with the catalogue of ``version``, see :func:`kind_of`) or
        from a typed value (rendered to its text)."""
        if isinstance(value, str):
            typed = typed_value(
                name, value, version=version, restriction_classes=restriction_classes, services=services
            )
            return cls(name=name, raw=value, value=typed, source=source)
        return cls(name=name, raw=value.render(), value=value, source=source)


# -- how each parameter is typed ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kind:
    """How to read one parameter: ``kind`` plus the default time unit or the choices."""

    kind: str
    unit: str = "s"
    choices: tuple[str, ...] = ()


_TLS_PROTOCOLS = re.compile(r".*_tls(_mandatory)?_protocols")
_TLS_LEVEL = re.compile(r".*_tls_security_level|tlsproxy_client_(security_)?level")
_CIPHERS = re.compile(r".*_tls(_mandatory)?_ciphers")
_LIST_NAMES = (
    "_domains",
    "_networks",
    "_exceptions",
    "_milters",
    "_classes",
    "_interfaces",
    "_security_options",
    "_override_options",
    "_ssl_options",
    "_mechanism_filter",
    "_ehlo_keywords",
    "_forbidden_commands",
    "_macros",
    "_exclude_ciphers",
    "_host_lookup",
    "_auto_curves",
    "_peer_list",
    "defer_transports",
    "_access_list",
    "_workarounds",
    "_delivery_lock",
    "_matches_subdomains",
    "_commands",
    "_files",
    "_queue_names",
    "_tcp_ports",
    "_delivered_header",
    "_unmatched_extensions",
    "_exclusions",
)
_MAP_NAMES = ("_maps", "_checks", "_map", "_per_site", "alias_database")
#: Parameters whose default is computed (``${stress?{1}:{20}}``), so the catalogue, which infers
#: types from defaults, may list them as strings, and parameters whose type the catalogue
#: infers wrongly from their default: their type in the Postfix sources and manual.
_COMPUTED_TYPES: dict[str, Kind] = {
    "address_verify_poll_count": Kind("int"),
    "smtpd_hard_error_limit": Kind("int"),
    "smtpd_junk_command_limit": Kind("int"),
    "postscreen_dnsbl_allowlist_threshold": Kind("int"),
    "postscreen_command_time_limit": Kind("time"),
    "smtpd_per_request_deadline": Kind("bool"),
    "smtp_per_request_deadline": Kind("bool"),
    "lmtp_per_request_deadline": Kind("bool"),
    # yes/no in the first 3.7.9/3.8.4 back-port, an enum since (postconf(5) of 3.7.11)
    "smtpd_forbid_bare_newline": Kind("choice", choices=("normalize", "yes", "reject", "no")),
}


def kind_from_spec(name: str, spec: ParamSpec | None) -> Kind:
    """How to read ``name`` given its catalogue entry (None: a name the catalogue does not know)."""
    if name == "compatibility_level":
        return Kind("compatibility_level")
    if spec is None:
        if name.endswith("_restrictions"):
            return Kind("restrictions")
        if name.endswith(_MAP_NAMES):
            return Kind("maps")
        if name in _COMPUTED_TYPES:
            return _COMPUTED_TYPES[name]
        if name.endswith(_LIST_NAMES):
            return Kind("list")
        return Kind("string")
    type_ = spec.type
    if name in _COMPUTED_TYPES and spec.subtype is None:
        return _COMPUTED_TYPES[name]
    if type_ in ("bool", "int", "raw"):
        return Kind(type_)
    if type_ == "long":
        return Kind("size")
    if type_ == "time":
        return Kind("time", unit=spec.unit or "s")
    if _TLS_PROTOCOLS.fullmatch(name):
        return Kind("tls_protocols")
    if _TLS_LEVEL.fullmatch(name):
        return Kind("tls_level")
    if _CIPHERS.fullmatch(name):
        return Kind("cipher_grade")
    if name == "inet_protocols":
        return Kind("list", choices=("all", "ipv4", "ipv6"))
    subtype = spec.subtype
    if subtype == "enum" and spec.values:
        return Kind("choice", choices=tuple(spec.values))
    if subtype in ("list", "maps", "restrictions"):
        return Kind(subtype)
    if name.endswith(_MAP_NAMES):
        return Kind("maps")
    if name.endswith(_LIST_NAMES):
        return Kind("list")
    return Kind("string")


def kind_of(
    name: str,
    *,
    version: str | None = None,
    restriction_classes: Iterable[str] = (),
    services: Iterable[tuple[str, str]] = (),
) -> Kind:
    """How ``name`` is typed in ``version`` (None: the installed Postfix, else the newest known).

    Names listed in smtpd_restriction_classes (``restriction_classes``) are restriction lists;
    ``services`` (master.cf ``(name, command)`` pairs) define service-derived names such as
    ``policy_time_limit`` for a ``policy`` service running ``spawn``.
    """
    if name in restriction_classes:
        return Kind("restrictions")
    from mailconf.postfix.catalogue import Catalogue

    catalogue = Catalogue.for_version(version)
    spec = catalogue.spec(name)
    for service, command in services:
        if spec is not None:
            break
        spec = catalogue.service_spec(service, command, name)
    return kind_from_spec(name, spec)


def _invalid(text: str, expected: str, error: str) -> Invalid:
    return Invalid(text=text, expected=expected, error=error)


def _before(version: str | None, release: tuple[int, ...]) -> bool:
    """Whether ``version`` is older than ``release`` (False when the version is not known)."""
    if version is None:
        return False
    from mailconf.postfix.catalogue import version_key

    return version_key(version) < release


def _strict_time(version: str | None) -> bool:
    """Whether Postfix ``version`` refuses text after a time unit letter."""
    return version is not None and not _before(version, _values.STRICT_TIME_SINCE)


def value_for(name: str, text: str, kind: Kind, *, version: str | None = None) -> Value:
    """The typed value of ``text`` read as ``kind`` by Postfix ``version`` (an :class:`Invalid`
    when Postfix would refuse it)."""
    k = kind.kind
    if k == "bool":
        flag = _values.parse_bool(text)
        if flag is None:
            return _invalid(text, "bool", f"bad boolean configuration: {name} = {text}")
        return Bool(value=flag)
    if k in ("int", "size"):
        number = _values.parse_int(text, long=k == "size")
        if number is None:
            return _invalid(text, k, f"bad numerical configuration: {name} = {text}")
        return Int(value=number) if k == "int" else Size(bytes=number)
    if k == "time":
        parsed = _values.parse_time(text, kind.unit, strict=_strict_time(version))
        if parsed is None:
            return _invalid(text, "time", f"parameter {name}: bad time value or unit: {text}")
        amount, unit, _ignored = parsed
        return Time(amount=amount, unit=unit, text=text)
    if k == "tls_level":
        if not text:
            return TlsLevel(level=None)
        try:
            return TlsLevel(level=TlsSecurityLevel(text.lower()))
        except ValueError:
            return _invalid(text, "tls_level", f"invalid TLS security level: {name} = {text}")
    if k == "cipher_grade":
        try:
            return CipherGrade(grade=TlsCipherGrade(text.lower()))
        except ValueError:
            return _invalid(text, "cipher_grade", f"invalid cipher grade: {name} = {text}")
    if k == "tls_protocols":
        protocols = _values.parse_tls_protocols(text)
        if protocols is None or (_before(version, (3, 6)) and any(op in (">=", "<=") for op, _ in protocols)):
            return _invalid(text, "tls_protocols", f"invalid TLS protocol list: {name} = {text}")
        return TlsProtocols(items=tuple(ProtocolItem(op=op, protocol=TlsProtocol(p)) for op, p in protocols))
    if k == "choice":
        if text.lower() not in {c.lower() for c in kind.choices}:
            return _invalid(text, "choice", f"{name}: unknown value {text!r} (expected {', '.join(kind.choices)})")
        return Choice(value=text)
    if k == "compatibility_level":
        if compat_level(text) is None:  # Postfix's own parser (" 3.6", "3. 6" and "-0" are valid)
            return _invalid(text, "compatibility_level", f"malformed compatibility level: {name} = {text}")
        return Choice(value=text)
    if k in ("list", "maps"):
        braces = not _before(version, (3, 0))  # {} groups: Postfix 3.0 and later
        items = tuple(_item(t, groups=braces) for t in _values.split_list(text, braces=braces))
        if kind.choices:
            allowed = {c.lower() for c in kind.choices}
            if any(not isinstance(i, Word) or i.text.lower() not in allowed for i in items):
                return _invalid(text, k, f"{name}: expected a list of {', '.join(kind.choices)}")
        return ListValue(kind=k, items=items)
    if k == "restrictions":
        braces = not _before(version, (3, 0))
        return RestrictionList(
            items=tuple(
                Restriction(name=n, args=tuple(_item(a, groups=braces) for a in args))
                for n, args in _values.parse_restrictions(text, braces=braces)
            )
        )
    if k == "raw":
        return Raw(value=text)
    return Text(value=text)


def typed_value(
    name: str,
    text: str,
    *,
    version: str | None = None,
    restriction_classes: Iterable[str] = (),
    services: Iterable[tuple[str, str]] = (),
) -> Value:
    """``text`` read as Postfix reads parameter ``name`` (types from the catalogue of ``version``;
    ``restriction_classes`` and ``services`` as for :func:`kind_of`)."""
    kind = kind_of(name, version=version, restriction_classes=restriction_classes, services=services)
    return value_for(name, text, kind, version=version)


# -- master.cf services --------------------------------------------------------------------------


class Wakeup(_Frozen):
    """A master.cf wakeup field: every ``seconds``; ``conditional`` for the ``?`` suffix."""

    seconds: int = Field(ge=0)
    conditional: bool = False

    def render(self) -> str:
        return f"{self.seconds}{'?' if self.conditional else ''}"


def _flag(value: bool | None) -> str:
    return "-" if value is None else ("y" if value else "n")


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _render_arg(arg: str) -> str:
    """One master.cf argument: ``{ ... }`` around text with blanks (or starting with ``{``)."""
    if arg and not arg.startswith("{") and not any(c in arg for c in _values.BLANKS):
        return arg
    if not _balanced(arg):
        raise ValueError(f"master.cf cannot hold the argument {arg!r}: braces around it would not balance")
    return f"{{ {arg} }}" if arg else "{}"


def _render_override(setting: Setting) -> str:
    if not any(c in setting.raw for c in _values.BLANKS):
        return f"-o {setting.name}={setting.raw}"
    if not _balanced(setting.raw):
        raise ValueError(f"master.cf cannot hold -o {setting.name}={setting.raw!r}: its braces do not balance")
    return f"-o {{ {setting.name} = {setting.raw} }}"


class _ServiceBase(_Frozen):
    """Fields every master.cf service has. ``None`` flags mean ``-`` (the built-in default)."""

    name: str
    private: bool | None = None
    unprivileged: bool | None = None
    chroot: bool | None = None
    wakeup: Wakeup | None = None
    process_limit: int | None = Field(default=None, ge=0)
    command: str
    args: tuple[str, ...] = ()
    overrides: dict[str, Setting] = Field(default_factory=dict)
    scoped: dict[str, Setting] = Field(
        default_factory=dict,
        description="main.cf settings (and defaults) that mean something else for this service because"
        " they refer to a parameter it overrides, expanded in its scope",
    )
    origin: Origin | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, str(getattr(self, "type", "")))

    @property
    def is_private(self) -> bool:
        return True if self.private is None else self.private

    @property
    def is_unprivileged(self) -> bool:
        return True if self.unprivileged is None else self.unprivileged

    def is_chrooted(self, compatibility_level: str = "0") -> bool:
        """``-`` means y below compatibility_level 1 and n from level 1."""
        if self.chroot is not None:
            return self.chroot
        return compatibility_level in ("", "0")

    def with_override(self, name: str, value: str | Any, *, version: str | None = None) -> Self:
        """A copy with ``-o name=value`` set (text typed with the catalogue, or a typed value)."""
        overrides = dict(self.overrides)
        overrides[name] = Setting.of(
            name, value, version=version, source="master", services=[(self.name, self.command)]
        )
        return self.model_copy(update={"overrides": overrides})

    def render(self) -> str:
        type_ = str(getattr(self, "type", ""))
        fields = [
            self.name,
            type_,
            _flag(self.private),
            _flag(self.unprivileged),
            _flag(self.chroot),
            "-" if self.wakeup is None else self.wakeup.render(),
            "-" if self.process_limit is None else str(self.process_limit),
            self.command,
        ]
        head = " ".join(fields)
        rest = [_render_override(s) for s in self.overrides.values()]
        if self.args:
            rest.append(" ".join(_render_arg(a) for a in self.args))
        return "".join([head, *(f"\n  {r}" for r in rest), "\n"])


class InetService(_ServiceBase):
    """A TCP listener: ``name`` is ``port``, ``host:port`` or ``[ipv6]:port``."""

    type: Literal["inet"] = "inet"

    @property
    def host(self) -> str | None:
        return _values.split_inet_name(self.name)[0]

    @property
    def port(self) -> str:
        return _values.split_inet_name(self.name)[1]

    @property
    def port_number(self) -> int | None:
        """The TCP port: digits, or a well-known service name (smtp 25, submission 587, smtps 465)."""
        port = self.port
        if port.isascii() and port.isdigit():
            return int(port)
        return _values.WELL_KNOWN_PORTS.get(port)


class UnixService(_ServiceBase):
    type: Literal["unix"] = "unix"


class UnixDgramService(_ServiceBase):
    type: Literal["unix-dgram"] = "unix-dgram"


class FifoService(_ServiceBase):
    type: Literal["fifo"] = "fifo"


class PassService(_ServiceBase):
    type: Literal["pass"] = "pass"


Service = Annotated[
    InetService | UnixService | UnixDgramService | FifoService | PassService, Field(discriminator="type")
]
_SERVICE_CLASSES: dict[str, type[_ServiceBase]] = {
    "inet": InetService,
    "unix": UnixService,
    "unix-dgram": UnixDgramService,
    "fifo": FifoService,
    "pass": PassService,
}


# -- the whole configuration ---------------------------------------------------------------------


class PostfixModel(_Frozen):
    """main.cf settings (last entry wins, in order of first appearance) and master.cf services.

    ``defaults`` is empty unless the model was built with ``defaults=True``: then it holds every
    parameter main.cf does not set, with the version's default (``source == "default"``,
    expanded in main.cf's scope, no origin).
    """

    version: str | None = None
    directory: str | None = None
    main: dict[str, Setting] = Field(default_factory=dict)
    services: tuple[Service, ...] = ()
    defaults: dict[str, Setting] = Field(default_factory=dict)

    # -- reading ---------------------------------------------------------------------------------
    def get(self, name: str) -> Setting | None:
        return self.main.get(name)

    def service(self, name: str, type: str = "inet") -> Service | None:
        """The service ``name``/``type`` (the last one when duplicated), or None."""
        found = None
        for svc in self.services:
            if svc.name == name and svc.type == type:
                found = svc
        return found

    def effective(self, name: str, service: Service | None = None) -> Setting | None:
        """The service's ``-o`` override, else the main.cf setting, else the default when the
        model holds defaults, else None."""
        if service is not None:
            if name in service.overrides:
                return service.overrides[name]
            if name in service.scoped:
                return service.scoped[name]
        found = self.main.get(name)
        return found if found is not None else self.defaults.get(name)

    def value_as(self, name: str, cls: type[_V], service: Service | None = None) -> _V | None:
        """The effective value of ``name`` (for ``service``) when it is a ``cls``, else None.

        >>> PostfixModel.parse("soft_bounce = yes\\n", version="3.7").value_as("soft_bounce", Bool)
        Bool(kind='bool', value=True)
        """
        found = self.effective(name, service)
        return None if found is None else found.value_as(cls)

    def without_origins(self) -> PostfixModel:
        """The same model with every origin removed (to compare meaning, not positions).

        ``defaults`` are left as they are: they have no origin.
        """
        main = {k: s.model_copy(update={"origin": None}) for k, s in self.main.items()}
        services = tuple(
            svc.model_copy(
                update={
                    "origin": None,
                    "overrides": {k: s.model_copy(update={"origin": None}) for k, s in svc.overrides.items()},
                    "scoped": {k: s.model_copy(update={"origin": None}) for k, s in svc.scoped.items()},
                }
            )
            for svc in self.services
        )
        return self.model_copy(update={"main": main, "services": services})

    # -- building --------------------------------------------------------------------------------
    @classmethod
    def from_config(cls, config: PostfixConfig, *, defaults: bool = False) -> PostfixModel:
        """Build the model from a loaded configuration (``mailconf.postfix.load(dir)``).

        With ``defaults``, also type the default of every parameter main.cf does not set.
        """
        main_doc = config.main
        raw_values: dict[str, str] = main_doc.values() if main_doc is not None else {}
        classes = _restriction_classes(config, raw_values)

        def kind(name: str) -> Kind:
            return Kind("restrictions") if name in classes else kind_from_spec(name, config.spec(name))

        main: dict[str, Setting] = {}
        if main_doc is not None:
            path = None if main_doc.path is None else str(main_doc.path)
            for name in raw_values:
                param = main_doc.get(name)
                assert param is not None
                expanded = _expanded(config, name, param.value, None)
                main[name] = Setting(
                    name=name,
                    raw=param.value,
                    expanded=None if expanded == param.value else expanded,
                    value=value_for(name, expanded, kind(name), version=config.version),
                    source="main",
                    origin=Origin(path=path, line=param.line, column=param.column, end_line=param.end_line),
                )
        found_defaults: dict[str, Setting] = {}
        if defaults:
            for name in [*config.catalogue.names(), *config.service_params]:
                if name in main:
                    continue
                value = config.effective(name)
                found_defaults[name] = Setting(
                    name=name,
                    raw=value.raw,
                    expanded=None if value.expanded == value.raw else value.expanded,
                    value=value_for(name, value.expanded, kind(name), version=config.version),
                    source="default",
                )
        services: list[Service] = []
        if config.master is not None:
            path = None if config.master.path is None else str(config.master.path)
            inherited = [*main.values(), *found_defaults.values()]
            for entry in config.master.services:
                service = _service(config, entry, path, kind)
                if service.overrides:
                    scoped = _scoped(config, entry, service.overrides, inherited, kind)
                    if scoped:
                        service = service.model_copy(update={"scoped": scoped})
                services.append(service)
        return cls(
            version=config.version,
            directory=str(config.directory),
            main=main,
            services=tuple(services),
            defaults=found_defaults,
        )

    @classmethod
    def parse(
        cls,
        main: str | bytes | None,
        master: str | bytes | None = None,
        *,
        version: str | None = None,
        directory: str | Path = ".",
        defaults: bool = False,
    ) -> PostfixModel:
        """Build the model from main.cf and master.cf text (either may be None).

        ``directory`` is the configuration directory (the value of ``$config_directory``).
        """
        from mailconf.postfix.config import PostfixConfig
        from mailconf.postfix.document import parse_main, parse_master

        config = PostfixConfig(
            directory=directory,
            main=None if main is None else parse_main(main),
            master=None if master is None else parse_master(master),
            version=version,
        )
        return cls.from_config(config, defaults=defaults)

    @classmethod
    def load(cls, directory: str | Path, *, version: str | None = None, defaults: bool = False) -> PostfixModel:
        """Read ``directory``/main.cf and master.cf and build the model."""
        from mailconf.postfix import load

        return cls.from_config(load(directory, version=version), defaults=defaults)

    def reparse(self) -> PostfixModel:
        """Render this model and read the text back (same version and directory)."""
        return PostfixModel.parse(
            self.render_main(), self.render_master(), version=self.version, directory=self.directory or "."
        )

    def with_setting(self, name: str, value: str | Any) -> PostfixModel:
        """A copy with main.cf ``name`` set to ``value`` (text, or a typed value such as ``Bool(value=True)``)."""
        main = dict(self.main)
        classes = main.get("smtpd_restriction_classes")
        main[name] = Setting.of(
            name,
            value,
            version=self.version,
            restriction_classes=_values.split_list(classes.text) if classes is not None else (),
            services=[(s.name, s.command) for s in self.services],
        )
        return self.model_copy(update={"main": main})

    # -- rendering -------------------------------------------------------------------------------
    def render_main(self) -> str:
        """main.cf text (``name = value`` lines) that reads back as this model's main settings."""
        return "".join(f"{s.name} = {s.raw}\n" for s in self.main.values())

    def render_master(self) -> str:
        """master.cf text that reads back as this model's services.

        Raises ValueError for an argument or ``-o`` value with blanks whose braces do not
        balance: master.cf has no way to write it.
        """
        return "".join(svc.render() for svc in self.services)


# -- helpers for from_config ---------------------------------------------------------------------


def _restriction_classes(config: PostfixConfig, raw_values: Mapping[str, str]) -> frozenset[str]:
    text = raw_values.get("smtpd_restriction_classes", "")
    if "$" in text:
        text = _expanded(config, "smtpd_restriction_classes", text, None)
    return frozenset(_values.split_list(text))


def _expanded(config: PostfixConfig, name: str, raw: str, service: ServiceEntry | None) -> str:
    """The value after ``$name`` expansion, from the semantic layer (raw text if it cannot say)."""
    if "$" not in raw:
        return raw
    spec = config.spec(name)
    if spec is not None and spec.raw:
        return raw
    try:
        return config.expand(raw, service).value
    except Exception:  # a malformed macro is fatal for Postfix: keep the text, type it as written
        return raw


def _wakeup(text: str) -> Wakeup | None:
    if text == "-":
        return None
    conditional = text.endswith("?")
    digits = text[:-1] if conditional else text
    return Wakeup(seconds=int(digits) if digits else 0, conditional=conditional)


def _yes_no(text: str) -> bool | None:
    return None if text == "-" else text == "y"


def _service(config: PostfixConfig, entry: ServiceEntry, path: str | None, kind: Callable[[str], Kind]) -> Service:
    overrides: dict[str, Setting] = {}
    winners: dict[str, Override] = {}
    for item in entry.overrides:
        if item.value is not None and item.active:  # an -o after the first argument is not an option
            winners.pop(item.name, None)
            winners[item.name] = item
    for name, item in winners.items():
        raw = item.value or ""
        expanded = _expanded(config, name, raw, entry)
        overrides[name] = Setting(
            name=name,
            raw=raw,
            expanded=None if expanded == raw else expanded,
            value=value_for(name, expanded, kind(name), version=config.version),
            source="master",
            origin=Origin(path=path, line=item.line, column=item.column),
        )
    cls = _SERVICE_CLASSES[entry.type]
    service = cls(
        name=entry.name,
        private=_yes_no(entry.private),
        unprivileged=_yes_no(entry.unpriv),
        chroot=_yes_no(entry.chroot),
        wakeup=_wakeup(entry.wakeup),
        process_limit=None if entry.maxproc == "-" else int(entry.maxproc),
        command=entry.command,
        args=tuple(_plain_args(entry)),
        overrides=overrides,
        origin=Origin(path=path, line=entry.line, column=entry.column, end_line=entry.end_line),
    )
    return service  # type: ignore[return-value]


def _scoped(
    config: PostfixConfig,
    entry: ServiceEntry,
    overrides: Mapping[str, Setting],
    inherited: Iterable[Setting],
    kind: Callable[[str], Kind],
) -> dict[str, Setting]:
    """The inherited settings whose ``$name`` expansion differs in the scope of ``entry``."""
    found: dict[str, Setting] = {}
    for setting in inherited:
        if setting.name in overrides or "$" not in setting.raw or isinstance(setting.value, Raw):
            continue
        expanded = _expanded(config, setting.name, setting.raw, entry)
        if expanded == setting.text:
            continue
        found[setting.name] = setting.model_copy(
            update={
                "expanded": None if expanded == setting.raw else expanded,
                "value": value_for(setting.name, expanded, kind(setting.name), version=config.version),
            }
        )
    return found


def _plain_args(entry: ServiceEntry) -> list[str]:
    """The arguments after the command, without the ``-o name=value`` pairs (kept in overrides).

    ``-o name`` without ``=`` stays in the arguments: it sets nothing (the daemon refuses it).
    """
    args = entry.args
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-o" and i + 1 < len(args) and "=" in args[i + 1]:
            i += 2
            continue
        if arg.startswith("-o") and len(arg) > 2 and "=" in arg:
            i += 1
            continue
        out.append(arg)
        i += 1
    return out


# -- JSON Schema ---------------------------------------------------------------------------------

_KIND_CLASSES: dict[str, str] = {
    "bool": "Bool",
    "int": "Int",
    "size": "Size",
    "time": "Time",
    "tls_level": "TlsLevel",
    "cipher_grade": "CipherGrade",
    "tls_protocols": "TlsProtocols",
    "choice": "Choice",
    "compatibility_level": "Choice",
    "list": "ListValue",
    "maps": "ListValue",
    "restrictions": "RestrictionList",
    "string": "Text",
    "raw": "Raw",
}


def json_schema(*, version: str | None = None, parameters: bool = False) -> dict[str, Any]:
    """The JSON Schema of :class:`PostfixModel`.

    With ``parameters``, ``main``, ``defaults`` and the services' ``overrides`` and ``scoped``
    also list every parameter of ``version``
    (default: the installed Postfix, else the newest known) with the type of its value — a TLS
    level for ``smtpd_tls_security_level``, a restriction list for ``smtpd_relay_restrictions``,
    ... — its default and the version that introduced it. Other names stay allowed.
    """
    schema = PostfixModel.model_json_schema()
    if not parameters:
        return schema
    from mailconf.postfix.catalogue import Catalogue

    catalogue = Catalogue.for_version(version)
    properties: dict[str, Any] = {}
    for name in catalogue.names():
        spec = catalogue.spec(name)
        assert spec is not None
        kind = kind_from_spec(name, spec)
        value: dict[str, Any] = {"$ref": f"#/$defs/{_KIND_CLASSES[kind.kind]}"}
        if kind.kind in ("list", "maps"):
            value = {"allOf": [value, {"properties": {"kind": {"const": kind.kind}}}]}
        elif kind.kind == "choice" and kind.choices:
            value = {"allOf": [value, {"properties": {"value": {"enum": list(kind.choices)}}}]}
        since = f"; Postfix {spec.since} and later" if spec.since else ""
        properties[name] = {
            "allOf": [
                {"$ref": "#/$defs/Setting"},
                {"properties": {"name": {"const": name}, "value": {"anyOf": [value, {"$ref": "#/$defs/Invalid"}]}}},
            ],
            "description": f"{kind.kind}; default: {spec.default}{since}",
        }
    schema["$defs"]["Parameters"] = {
        "type": "object",
        "description": "main.cf parameters by name; names Postfix does not know are allowed too",
        "additionalProperties": {"$ref": "#/$defs/Setting"},
        "properties": properties,
    }
    for field in ("main", "defaults"):
        schema["properties"][field] = {"$ref": "#/$defs/Parameters"}
    for service in _SERVICE_CLASSES.values():
        definition = schema["$defs"][service.__name__]["properties"]
        for field in ("overrides", "scoped"):
            definition[field] = {"$ref": "#/$defs/Parameters", "description": definition[field].get("description", "")}
    schema["description"] = (
        f"{schema.get('description', '')}\n\nParameters typed for Postfix {catalogue.version}.".strip()
    )
    return schema
