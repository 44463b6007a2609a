"""Physical lines of main.cf and master.cf, from the Lark grammars.

Both files share Postfix's line rules: skipped lines (blank, whitespace-only, or first non-blank
byte ``#``) never end an entry, an indented line continues the entry before it. This module turns
the Lark tokens into :class:`Line` objects and groups them into logical entries; the documents
build parameters and services from those groups.
"""

from __future__ import annotations

from mailconf._grammars import tokens
from mailconf.errors import ParseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    from lark import Token, Tree

    LineKind = Literal["entry", "continuation", "comment", "blank"]

BLANKS = " \t\n\v\f\r"
_KIND = {"ENTRY": "entry", "CONTINUATION": "continuation", "COMMENT": "comment", "BLANK": "blank"}
_RULE_KIND = {"entry": "entry", "continuation": "continuation"}


class _Plain:
    """Plain ``__slots__`` base with a dataclass-like repr (``@dataclass`` costs about a
    millisecond per class at import time, and these classes are on ``mailconf lint``'s path)."""

    __slots__ = ()

    def _fields(self) -> tuple[str, ...]:
        names: list[str] = []
        for klass in reversed(type(self).__mro__):
            names += klass.__dict__.get("__slots__", ())
        return tuple(names)

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields())
        return f"{type(self).__name__}({inner})"


class _Value(_Plain):
    """A _Plain class compared by value (mutable, so not hashable), as ``@dataclass`` does."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, _Plain)
        return all(getattr(self, n) == getattr(other, n) for n in self._fields())


class Line(_Value):
    """One physical line, newline included (the last line of a file may lack it)."""

    __slots__ = ("kind", "number", "text")

    def __init__(
        self,
        kind: LineKind,
        text: str,
        number: int,  # 1-based line number in the file
    ) -> None:
        self.kind = kind
        self.text = text
        self.number = number

    @property
    def content(self) -> str:
        """The line without its newline."""
        return self.text[:-1] if self.text.endswith("\n") else self.text


class Group(_Value):
    """A logical entry (its lines, skipped lines inside it included), or one skipped line.

    ``kind`` is "entry", "orphan" (indented lines before the first entry: Postfix warns
    "logical line must not start with whitespace" and ignores them), "comment" or "blank".
    """

    __slots__ = ("kind", "lines")

    def __init__(
        self,
        kind: Literal["entry", "orphan", "comment", "blank"],
        lines: list[Line],
    ) -> None:
        self.kind = kind
        self.lines = lines

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)

    @property
    def line(self) -> int:
        return self.lines[0].number

    @property
    def end_line(self) -> int:
        return self.lines[-1].number

    def logical(self) -> tuple[str, list[tuple[int, int, int]]]:
        """The logical line as Postfix builds it, and a map back to the file.

        Postfix appends each continuation line (leading blanks included, newline removed) to
        the entry; skipped lines contribute nothing. The map holds ``(logical_offset,
        line_number, column_of_that_offset)`` for the start of each contributing line.
        """
        parts: list[str] = []
        spans: list[tuple[int, int, int]] = []
        size = 0
        for line in self.lines:
            if line.kind in ("comment", "blank"):
                continue
            content = line.content
            spans.append((size, line.number, 1))
            parts.append(content)
            size += len(content)
        return "".join(parts), spans


def position(spans: list[tuple[int, int, int]], offset: int) -> tuple[int, int]:
    """File (line, column) of a logical-line offset, given the map from :meth:`Group.logical`."""
    best = spans[0]
    for span in spans:
        if span[0] <= offset:
            best = span
        else:
            break
    return best[1], best[2] + offset - best[0]


def _flatten(tree: Tree[Token]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for child in tree.children:
        if isinstance(child, str):  # a Token: a whole-line terminal
            out.append((_KIND[child.type], str(child)))
        else:
            out.append((_RULE_KIND[str(child.data)], "".join(str(tok) for tok in child.children)))
    return out


def _tokens(name: str, text: str, path: str | None) -> list[tuple[str, str]]:
    try:
        return tokens(name, text, _flatten)
    except Exception as exc:  # the grammars accept any text; kept as a safety net
        from lark.exceptions import LarkError, UnexpectedInput

        if isinstance(exc, UnexpectedInput):
            raise ParseError("unreadable line", path=path, line=exc.line, column=exc.column) from None
        if isinstance(exc, LarkError):
            raise ParseError(f"cannot parse: {exc}", path=path) from None
        raise


def read_pairs(grammar: str, text: str, path: str | None = None) -> list[tuple[str, str]]:
    """Split ``text`` into ``(kind, line)`` pairs (the kinds of :class:`Line`) with the named
    grammar: what :func:`read_lines` gives, without an object per line."""
    if not text:
        return []
    if text.endswith("\n"):
        return _tokens(grammar, text, path)
    pairs = list(_tokens(grammar, text + "\n", path))
    kind, last = pairs[-1]
    pairs[-1] = (kind, last[:-1])
    return pairs


def read_lines(grammar: str, text: str, path: str | None = None) -> list[Line]:
    """Split ``text`` into classified physical lines with the named grammar."""
    return [Line(kind, value, number) for number, (kind, value) in enumerate(read_pairs(grammar, text, path), 1)]  # type: ignore[arg-type]


def group_lines(lines: list[Line]) -> list[Group]:
    """Group physical lines into logical entries and skipped lines.

    Skipped lines that follow an entry belong to it only when another continuation line comes
    after them (Postfix skips them inside the value); otherwise they stand alone.
    """
    groups: list[Group] = []
    current: Group | None = None
    pending: list[Line] = []
    for line in lines:
        kind = line.kind
        if kind == "entry":
            groups.extend(Group(p.kind, [p]) for p in pending)  # type: ignore[arg-type]
            pending = []
            current = Group("entry", [line])
            groups.append(current)
        elif kind == "continuation":
            if current is None:
                groups.extend(Group(p.kind, [p]) for p in pending)  # type: ignore[arg-type]
                pending = []
                current = Group("orphan", [line])
                groups.append(current)
            else:
                current.lines.extend(pending)
                current.lines.append(line)
                pending = []
        else:
            pending.append(line)
    groups.extend(Group(p.kind, [p]) for p in pending)  # type: ignore[arg-type]
    return groups


def printable(text: str) -> str:
    """Text as Postfix prints it in messages: bytes outside printable ASCII become ``?``."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch if " " <= ch <= "~" else "?" for ch in text)
