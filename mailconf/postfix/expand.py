"""``$name`` expansion exactly as Postfix does it (its mac_parse/mac_expand behaviour).

Supported forms: ``$name``, ``${name}``, ``$(name)``, ``$$`` (a literal ``$``), ``${name?value}``
(value when name is non-empty), ``${name:value}`` (value when name is empty or undefined), the
Postfix 3.0+ forms ``${name?{value}:{other}}`` and relational expressions
``${{left} op {right} ? {x} : {y}}`` with ``== != < <= > >=`` (numeric when both sides are all
digits) and the compatibility-level variants ``==level <level`` etc.

Malformed macros produce the warning Postfix prints and set :attr:`Expansion.error`; undefined
names expand to nothing and set :attr:`Expansion.undefined`. Nesting (``a = $b``, ``b = $a``) stops
after 100 levels with Postfix's "unreasonable macro call nesting" message. Each operand of a
relational expression is expanded in a fresh context whose level count starts at zero, as
Postfix does; an operand whose expansion needs itself again recurses without bound there
(postconf dies of a stack overflow) and raises :class:`Runaway` here.

>>> expand("${a?{yes}:{no}} $b$$", {"a": "1", "b": "x"}.get).value
'yes x$'
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

from mailconf._lazyre import Lazy
from mailconf._record import MutableRecord
from mailconf.errors import MailconfError

__all__ = [
    "Expansion",
    "Fatal",
    "Runaway",
    "compat_level",
    "expand",
    "references",
    "simple_names",
]

WHITESPACE = " \t\r\n"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_OP_CHARS = "<>!=?+-*/~&|%"
_OPS = ("==", "!=", "<", "<=", ">=", ">")
_OP_ANY = '"==" or "!="" or "<"" or "<="" or ">="" or ">"'
TRUE = "true"

MODE_USE = 1
MODE_TEST = 2

Lookup = Callable[[str], "str | None"]


class Fatal(MailconfError):
    """An error Postfix treats as fatal at once (``postconf: fatal: MESSAGE``)."""


class Runaway(Fatal):
    """A relational operand whose expansion starts that same expansion again.

    Postfix expands each operand with a fresh nesting count, so such a value recurses until the
    process runs out of stack (postconf is killed by SIGSEGV, without a message)."""


class Expansion(MutableRecord):
    """The result of one expansion: the text, warnings in order, and status flags."""

    __slots__ = ("error", "names", "undefined", "value", "warnings")

    def __init__(
        self,
        value: str = "",
        warnings: list[str] | None = None,
        error: bool = False,
        undefined: bool = False,
        names: list[str] | None = None,
    ) -> None:
        self.value = value
        self.warnings: list[str] = [] if warnings is None else warnings
        self.error = error
        self.undefined = undefined
        self.names: list[str] = [] if names is None else names  # names looked up, in order (scan mode)


# Postfix reads each part of a compatibility level with strtol(): leading white space and a
# sign are accepted, negative values are not; minor and patch are at most 1023 and the major
# version is what is left of a 64-bit long.
_C_SPACE = " \t\n\v\f\r"
_LEVEL_LIMITS = (2**43 - 1, 1023, 1023)


def compat_level(text: str) -> tuple[int, int, int] | None:
    """A compatibility level ("2", "3.6", "3.10.1") as a comparable tuple; None if malformed."""
    numbers = [0, 0, 0]
    i, n = 0, len(text)
    for part, limit in enumerate(_LEVEL_LIMITS):
        j = i
        while j < n and text[j] in _C_SPACE:
            j += 1
        negative = j < n and text[j] == "-"
        if j < n and text[j] in "+-":
            j += 1
        k = j
        while k < n and "0" <= text[k] <= "9":
            k += 1
        if k == j:
            return None
        value = -int(text[j:k]) if negative else int(text[j:k])
        if not 0 <= value <= limit:
            return None
        numbers[part] = value
        if k == n:
            return numbers[0], numbers[1], numbers[2]
        if text[k] != "." or part == 2:
            return None
        i = k + 1
    return None  # pragma: no cover - the loop returns


def _span(text: str, start: int) -> int:
    """Index of the first non-whitespace character at or after ``start``."""
    n = len(text)
    while start < n and text[start] in WHITESPACE:
        start += 1
    return start


# Python frames per expansion: a chain of relational operands ($a0 = ${{$a1} == {x}}, $a1 = ...)
# nests a few frames per link, and postconf follows such chains for thousands of links.
_RECURSION_LIMIT = 200_000


class _Expander:
    def __init__(
        self, lookup: Callable[[str, int], str | None], *, scan: bool, recurse: bool, active: set[str] | None = None
    ) -> None:
        self.lookup = lookup
        self.scan = scan
        self.recurse = recurse
        # operand texts being expanded by the enclosing contexts: expanding one of them again is
        # a loop (the fresh context would repeat the same steps)
        self.active: set[str] = set() if active is None else active
        self.out: list[str] = []
        self.warnings: list[str] = []
        self.error = False
        self.undefined = False
        self.level = 0

    def fail(self, message: str) -> None:
        self.warnings.append(message)
        self.error = True

    # mac_parse: split into literal text and macro expressions ------------------------------
    def parse(self, value: str) -> None:
        buf: list[str] = []
        i, n = 0, len(value)
        while i < n:
            ch = value[i]
            if ch != "$":
                j = value.find("$", i)
                if j < 0:
                    j = n
                buf.append(value[i:j])
                i = j
                continue
            if i + 1 < n and value[i + 1] == "$":
                buf.append("$")
                i += 2
                continue
            if buf:
                self.literal("".join(buf))
                buf = []
            i += 1
            if i < n and value[i] in "({":
                open_, close = value[i], ")" if value[i] == "(" else "}"
                level = 1
                j = i + 1
                while j < n:
                    c = value[j]
                    if c == open_:
                        level += 1
                    elif c == close:
                        level -= 1
                        if level == 0:
                            break
                    j += 1
                if j >= n:
                    self.fail(f'truncated macro reference: "{value}"')
                    return
                name = value[i + 1 : j]
                i = j + 1
            else:
                j = i
                while j < n and value[j] in _NAME_CHARS:
                    j += 1
                name = value[i:j]
                i = j
            if not name:
                self.fail(f'empty macro name: "{value}"')
                return
            self.expr(name)
        if buf and not self.error:
            self.literal("".join(buf))

    def enter(self, buf: str) -> bool:
        """Count one more nesting level; False when expansion must stop."""
        self.level += 1
        if self.level > 101:
            self.fail(f'unreasonable macro call nesting: "{buf}"')
        return not self.error

    def literal(self, text: str) -> None:
        if not self.enter(text):
            return
        if not self.scan:
            self.out.append(text)
        self.level -= 1

    # mac_expand_callback for an expression ------------------------------------------------
    def expr(self, buf: str) -> None:
        if not self.enter(buf):
            return
        cp = _span(buf, 0)
        lookup: str | None
        if cp < len(buf) and buf[cp] == "{":
            result = self.logical(buf, cp)
            if result is None:
                return
            lookup, cp = result
            ch = buf[cp] if cp < len(buf) else ""
            if ch:
                if ch not in "?:":
                    self.fail(f'"?" or ":" expected at: "...}}>>>{buf[cp : cp + 20]}"')
                    return
                cp += 1
        else:
            cp = 0
            ch = ""
            while cp < len(buf):
                c = buf[cp]
                if c in "?:":
                    ch = c
                    break
                if c not in _NAME_CHARS:
                    self.fail(f'attribute name syntax error at: "...{buf[:cp]}>>>{buf[cp : cp + 20]}"')
                    return
                cp += 1
            name = buf[:cp]
            if ch:
                cp += 1
            lookup = self.lookup(name, MODE_TEST if ch else MODE_USE)
        if ch == "?":
            start = _span(buf, cp)
            if start < len(buf) and buf[start] == "{":
                payload = self.curly(buf, start)
                if payload is None:
                    return
                iftrue, cp = payload
            else:
                iftrue, cp = buf[cp:], len(buf)
            if lookup or self.scan:
                self.parse(iftrue)
            if cp >= len(buf):
                self.level -= 1
                return
            if buf[cp] != ":":
                self.fail(f'":" expected at: "...{iftrue}}}>>>{buf[cp : cp + 20]}"')
                return
            cp += 1
            ch = ":"
        if ch == ":":
            start = _span(buf, cp)
            if start < len(buf) and buf[start] == "{":
                payload = self.curly(buf, start)
                if payload is None:
                    return
                iffalse, cp = payload
            else:
                iffalse, cp = buf[cp:], len(buf)
            if not lookup or self.scan:
                self.parse(iffalse)
            if cp < len(buf):
                self.fail(f'unexpected input at: "...{iffalse}}}>>>{buf[cp : cp + 20]}"')
                return
        elif not ch:
            if lookup is None:
                self.undefined = True
            elif not lookup or self.scan:
                pass
            elif self.recurse:
                self.parse(lookup)
            else:
                self.out.append(lookup)
        self.level -= 1

    def curly(self, text: str, start: int) -> tuple[str, int] | None:
        """The payload of the ``{...}`` at ``start`` and the index after it and any whitespace."""
        level = 1
        i = start + 1
        n = len(text)
        while True:
            if i >= n:
                self.fail(f'unbalanced {{}} in attribute expression: "{text[start:]}"')
                return None
            c = text[i]
            if c == "{":
                level += 1
            elif c == "}":
                level -= 1
                if level <= 0:
                    break
            i += 1
        return text[start + 1 : i], _span(text, i + 1)

    def logical(self, buf: str, cp: int) -> tuple[str, int] | None:
        left = self.curly(buf, cp)
        if left is None:
            return None
        left_text, cp = left
        op_end = cp
        while op_end < len(buf) and buf[op_end] in _OP_CHARS:
            op_end += 1
        op = buf[cp:op_end]
        if op not in _OPS:
            self.fail(f'{_OP_ANY} expected at: "...{left_text}}}>>>{buf[cp : cp + 20]}"')
            return None
        is_level = buf.startswith("level", op_end)
        if is_level:
            op_end += 5
        op_text = buf[cp:op_end]
        cp = op_end
        start = _span(buf, cp)
        if start >= len(buf) or buf[start] != "{":
            self.fail(f'"{{expression}}" expected at: "...{{{left_text}}} {op_text}>>>{buf[cp : cp + 20]}"')
            return None
        right = self.curly(buf, start)
        if right is None:
            return None
        right_text, cp = right
        a = self.sub(left_text)
        b = self.sub(right_text)
        if self.scan:
            return None if self.error else (TRUE, cp)
        result: bool
        if is_level:
            # Postfix converts the levels before it looks at the operands' status
            la, lb = compat_level(a), compat_level(b)
            for text, parsed in ((a, la), (b, lb)):
                if parsed is None:
                    self.fail(f'malformed compatibility level syntax: "{text}"')
                    return None
            if self.error:
                return None
            assert la is not None and lb is not None
            result = _compare(op, la, lb)
        elif self.error:
            return None
        elif a.isascii() and a.isdigit() and b.isascii() and b.isdigit():
            for text in (a, b):
                if int(text) > 2**63 - 1:
                    raise Fatal(f"mac_exp_eval: bad conversion: {text}")
            result = _compare(op, int(a), int(b))
        else:
            result = _compare(op, a.encode("latin-1"), b.encode("latin-1"))
        return (TRUE if result else ""), cp

    def sub(self, text: str) -> str:
        """Expand an operand in a fresh context (nesting level 0) with the same settings, then
        merge its status and warnings into this one."""
        if text in self.active:
            raise Runaway(f'unreasonable macro call nesting: "{text}"')
        inner = _Expander(self.lookup, scan=self.scan, recurse=self.recurse, active=self.active)
        self.active.add(text)
        try:
            inner.parse(text)
        finally:
            self.active.discard(text)
        self.warnings.extend(inner.warnings)
        self.error |= inner.error
        self.undefined |= inner.undefined
        return "".join(inner.out)


def _compare(op: str, a: tuple[int, ...] | int | bytes, b: tuple[int, ...] | int | bytes) -> bool:
    order = (a > b) - (a < b)  # type: ignore[operator]
    return {
        "==": order == 0,
        "!=": order != 0,
        "<": order < 0,
        "<=": order <= 0,
        ">": order > 0,
        ">=": order >= 0,
    }[op]


def expand(
    value: str,
    lookup: Lookup,
    *,
    scan: bool = False,
    recurse: bool = True,
) -> Expansion:
    """Expand ``value`` with ``lookup(name) -> value or None`` (None: undefined).

    ``scan=True`` parses without producing text (both branches of ``?:`` are parsed, as Postfix
    does when it checks syntax and collects names); ``recurse=False`` inserts looked-up values
    without expanding them further.
    """
    if "$" not in value:
        return Expansion("" if scan else value)
    names: list[str] = []

    def look(name: str, mode: int) -> str | None:
        names.append(name)
        return lookup(name)

    engine = _Expander(look, scan=scan, recurse=recurse)
    limit = sys.getrecursionlimit()
    if limit < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        engine.parse(value)
    finally:
        if limit < _RECURSION_LIMIT:
            sys.setrecursionlimit(limit)
    return Expansion("".join(engine.out), engine.warnings, engine.error, engine.undefined, names)


# A '$' followed by neither '$' nor a name character: a value without one uses only $name and
# $$ (a '$' that ends a "$$" is checked too, which only sends a few simple values, such as
# "$${x}", to the full parser).
_NOT_SIMPLE = Lazy(r"\$(?![$A-Za-z0-9_])")
_SIMPLE_NAME = Lazy(r"\$(\$|[A-Za-z0-9_]+)")


def simple_names(value: str) -> list[str] | None:
    """The names of a value that uses only ``$name`` and ``$$`` (None for anything else, and
    for some such values too).

    Such values cannot be malformed; callers use this to skip the full parser.
    """
    if "$" not in value:
        return []
    names = _simple_names(value)
    return None if names is None else list(names)


@functools.lru_cache(maxsize=16384)  # postconf's checks ask again for the same values
def _simple_names(value: str) -> tuple[str, ...] | None:
    if _NOT_SIMPLE.search(value):
        return None
    return tuple(name for name in _SIMPLE_NAME.findall(value) if name != "$")


def references(value: str) -> list[str]:
    """The parameter names ``value`` refers to (both branches of conditionals), in order."""
    names = simple_names(value)
    if names is not None:
        return names
    return expand(value, lambda name: "", scan=True).names
