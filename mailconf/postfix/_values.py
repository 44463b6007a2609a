"""How Postfix reads typed parameter values: lists, ``{}`` groups, ``type:table`` references,
restriction lists, booleans, numbers, sizes and times.

Plain Python (no pydantic), so the policy layer can use it on the lint path. Each reader follows
the Postfix 3.7 source it names; where a reader refuses a value it returns the message Postfix
would print (``bad boolean configuration: NAME = VALUE``).
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

# -- lists ---------------------------------------------------------------------------------------

#: Separators of Postfix lists (CHARS_COMMA_SP).
LIST_SEPARATORS: Final = ", \t\r\n"
#: TLS protocol lists also split on ``:``.
PROTOCOL_SEPARATORS: Final = ", \t\r\n:"
BLANKS: Final = " \t\r\n"


def split_list(text: str, separators: str = LIST_SEPARATORS, *, braces: bool = True) -> list[str]:
    """Split a list value like Postfix's ``mystrtokq(..., "{}")`` (3.0+).

    Separators inside ``{ ... }`` (at any nesting depth, anywhere in a token) do not split; a
    ``}`` without an opening brace is an ordinary character. Without ``braces`` (Postfix before
    3.0, ``mystrtok``), braces are ordinary characters.
    """
    if not braces:
        pattern = "[^" + re.escape(separators) + "]+"
        return re.findall(pattern, text)
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in separators:
            i += 1
        if i >= n:
            break
        start, level = i, 0
        while i < n:
            ch = text[i]
            if ch == "{":
                level += 1
            elif ch == "}" and level > 0:
                level -= 1
            elif level == 0 and ch in separators:
                break
            i += 1
        tokens.append(text[start:i])
    return tokens


def group_body(token: str) -> str | None:
    """The inside of a ``{ ... }`` token, trimmed as Postfix's ``extpar`` does; None if not a group.

    A token is a group when it starts with ``{`` and its matching ``}`` is its last character.
    """
    if not token.startswith("{"):
        return None
    level = 0
    for i, ch in enumerate(token):
        if ch == "{":
            level += 1
        elif ch == "}":
            level -= 1
            if level == 0:
                return token[1:i].strip(BLANKS) if i == len(token) - 1 else None
    return None


#: Lookup table types Postfix knows (``postconf -m`` plus the proxy/pipe/union wrappers) and the
#: client endpoint types used by policy services and milters.
TABLE_TYPES: Final = frozenset(
    [
        "btree",
        "cdb",
        "cidr",
        "dbm",
        "environ",
        "fail",
        "hash",
        "inline",
        "internal",
        "ldap",
        "lmdb",
        "memcache",
        "mongodb",
        "mysql",
        "netinfo",
        "nis",
        "nisplus",
        "pcre",
        "pgsql",
        "pipemap",
        "proxy",
        "randmap",
        "regexp",
        "sdbm",
        "socketmap",
        "sqlite",
        "static",
        "tcp",
        "texthash",
        "unionmap",
        "unix",
        "inet",
        "local",
        "pass",
    ]
)
_TYPE_PREFIX = re.compile(r"([a-z][a-z0-9_]*):(.*)", re.S)
_HEX = re.compile(r"[0-9a-f]+")


def map_reference(token: str) -> tuple[str, str] | None:
    """``(type, name)`` when ``token`` is a ``type:name`` table (or endpoint) reference.

    Known types always count; an unknown lower-case prefix counts unless it looks like the start of
    an IPv6 address (hex digits only, as in ``fe80::1``). ``proxy:hash:/x`` gives
    ``("proxy", "hash:/x")``.
    """
    found = _TYPE_PREFIX.fullmatch(token)
    if found is None:
        return None
    type_, name = found.group(1), found.group(2)
    if not name:
        return None
    if type_ in TABLE_TYPES:
        return type_, name
    if _HEX.fullmatch(type_) or name.startswith(":"):
        return None
    return type_, name


# -- restriction lists ---------------------------------------------------------------------------

#: smtpd restrictions that read the next list element as their argument (smtpd_check.c).
_ONE_ARGUMENT: Final = frozenset(
    [
        "check_policy_service",
        "reject_rbl_client",
        "reject_rhsbl_client",
        "reject_rhsbl_sender",
        "reject_rhsbl_recipient",
        "reject_rhsbl_helo",
        "reject_rhsbl_reverse_client",
        "permit_dnswl_client",
        "permit_rhswl_client",
        "sleep",
    ]
)
_ACCESS = re.compile(r"check_[a-z_]+_access")


def takes_argument(name: str) -> bool:
    """Whether smtpd reads the next element of a restriction list as this restriction's argument."""
    lowered = name.lower()
    return lowered in _ONE_ARGUMENT or _ACCESS.fullmatch(lowered) is not None


def parse_restrictions(text: str, *, braces: bool = True) -> list[tuple[str, list[str]]]:
    """A restriction list as ``(restriction, [argument, ...])`` pairs in order.

    ``check_client_access hash:/etc/postfix/access`` gives
    ``[("check_client_access", ["hash:/etc/postfix/access"])]``. A restriction that needs an
    argument at the end of the list gets none (smtpd fails on it at run time). ``braces`` as for
    :func:`split_list`.
    """
    tokens = split_list(text, braces=braces)
    items: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(tokens):
        name = tokens[i]
        i += 1
        args: list[str] = []
        if takes_argument(name) and i < len(tokens):
            args.append(tokens[i])
            i += 1
        items.append((name, args))
    return items


# -- scalars -------------------------------------------------------------------------------------

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
_SCANF_INT = re.compile(r"[ \t\r\n\f\v]*([+-]?[0-9]+)")


def _scan_int(text: str) -> tuple[int, str] | None:
    """``sscanf("%d")``-like: leading blanks, a sign, digits; returns (value, rest)."""
    found = _SCANF_INT.match(text)
    if found is None:
        return None
    return int(found.group(1)), text[found.end() :]


def parse_bool(text: str) -> bool | None:
    """``yes``/``no`` in any case (mail_conf_bool.c); None for anything else."""
    lowered = text.lower()
    if lowered == "yes":
        return True
    if lowered == "no":
        return False
    return None


def parse_int(text: str, *, long: bool = False) -> int | None:
    """A C ``int`` (``long`` for size parameters) as ``sscanf("%d%c")`` accepts it; None if not."""
    scanned = _scan_int(text)
    if scanned is None or scanned[1]:
        return None
    value = scanned[0]
    low, high = (LONG_MIN, LONG_MAX) if long else (INT_MIN, INT_MAX)
    return value if low <= value <= high else None


TIME_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_STRTOL = re.compile(r"[ \t\r\n\f\v]*([+-]?)([0-9]*)")


#: The first Postfix version whose ``conv_time`` refuses text after the unit letter. Postfix 3.7
#: (observed) ignores it; the Postfix source of the 3.11 development line refuses it. The release
#: in between that made the change is not pinned down yet: see docs/models.md.
STRICT_TIME_SINCE: Final = (3, 11)


def parse_time(text: str, default_unit: str = "s", *, strict: bool = False) -> tuple[int, str, str] | None:
    """A time value as Postfix's ``conv_time`` reads it: ``(amount, unit, ignored)``.

    A number and one unit letter (s, m, h, d, w; the parameter's default unit when there is
    none). Postfix 3.7 reads only the first letter after the number: ``1h30m`` is one hour with
    ``30m`` ignored, ``100ms`` is 100 minutes; with ``strict`` (newer Postfix) such text is
    refused. As with ``strtol``, a missing number reads as 0 (``s`` is zero seconds). Negative
    numbers, other letters and values over INT_MAX seconds are refused (None).
    """
    if not text:
        return None
    found = _STRTOL.match(text)
    assert found is not None
    sign, digits = found.group(1), found.group(2)
    if digits:
        amount = int(sign + digits)
        rest = text[found.end() :]
    else:
        amount, rest = 0, text
    if amount < 0 or amount > INT_MAX:
        return None
    unit = rest[0] if rest else default_unit
    if unit not in TIME_UNITS:
        return None
    factor = TIME_UNITS[unit]
    if factor > 1 and not amount < INT_MAX // factor:
        return None
    if strict and rest[1:]:
        return None
    return amount, unit, rest[1:]


# -- TLS protocol lists --------------------------------------------------------------------------

TLS_PROTOCOLS: Final = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
_PROTOCOL_ITEM = re.compile(r"(!|>=|<=)?(.*)", re.S)


def parse_tls_protocols(text: str) -> list[tuple[str, str]] | None:
    """``[(operator, protocol), ...]`` for a TLS protocol list; operator is ``""``, ``!``, ``>=``
    or ``<=``; protocol names are matched without regard to case and returned in Postfix's
    spelling. None when an element names no protocol Postfix knows.
    """
    known = {name.lower(): name for name in TLS_PROTOCOLS}
    items: list[tuple[str, str]] = []
    for token in split_list(text, PROTOCOL_SEPARATORS):
        found = _PROTOCOL_ITEM.fullmatch(token)
        assert found is not None
        op, name = found.group(1) or "", found.group(2)
        proper = known.get(name.lower())
        if proper is None:
            return None
        items.append((op, proper))
    return items


# -- master.cf -----------------------------------------------------------------------------------

WELL_KNOWN_PORTS: Final = {"smtp": 25, "submission": 587, "smtps": 465, "submissions": 465, "lmtp": 24}


def split_inet_name(name: str) -> tuple[str | None, str]:
    """An inet service name as ``(host, port)``: ``smtp`` -> ``(None, "smtp")``,
    ``127.0.0.1:10025`` -> ``("127.0.0.1", "10025")``, ``[::1]:2525`` -> ``("::1", "2525")``.
    """
    if name.startswith("["):
        close = name.find("]")
        if close > 0 and name[close + 1 : close + 2] == ":":
            return name[1:close], name[close + 2 :]
    host, sep, port = name.rpartition(":")
    if not sep:
        return None, name
    return host, port
