"""Lossless documents for main.cf and master.cf.

A document is an ordered list of items — :class:`Parameter` or :class:`Service` entries,
:class:`Trivia` (comments and blank lines) and :class:`Orphan` lines — each holding the exact text
it was read from. ``to_bytes()`` joins those texts, so an unchanged document gives back the input
bytes; an edit replaces the text of one item only.

Values are kept as Postfix reads them (continuation lines joined, trimmed, not expanded); the
semantic layer (:mod:`mailconf.postfix.config`) expands them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from mailconf._text import decode, encode
from mailconf.document import Document
from mailconf.errors import ParseError
from mailconf.postfix._syntax import BLANKS, Group, Line, group_lines, position, printable, read_lines


@dataclass(eq=False)
class Trivia:
    """A comment or blank line outside any entry."""

    kind: str  # "comment" or "blank"
    lines: list[Line]

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)

    @property
    def line(self) -> int:
        return self.lines[0].number


@dataclass(eq=False)
class Orphan:
    """Indented lines before the first entry: Postfix ignores them with a warning."""

    lines: list[Line]
    logical: str

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)

    @property
    def line(self) -> int:
        return self.lines[0].number


@dataclass(eq=False)
class Parameter:
    """One ``name = value`` entry of main.cf (continuation lines included)."""

    name: str
    value: str
    lines: list[Line]
    value_line: int
    value_column: int
    logical: str = ""

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)

    @property
    def line(self) -> int:
        return self.lines[0].number

    @property
    def column(self) -> int:
        return 1

    @property
    def end_line(self) -> int:
        for line in reversed(self.lines):
            if line.kind in ("entry", "continuation"):
                return line.number
        return self.lines[0].number


@dataclass(eq=False)
class Override:
    """A master.cf ``-o name=value`` argument. ``value`` is None for ``-o name`` without ``=``."""

    name: str
    value: str | None
    line: int
    column: int
    braced: bool = False
    glued: bool = False  # written as "-oname=value"
    spaced: bool = False  # written as "-o name = value" (no braces)


@dataclass(eq=False)
class Service:
    """One master.cf service entry, identified by (name, type)."""

    name: str
    type: str
    private: str
    unpriv: str
    chroot: str
    wakeup: str
    maxproc: str
    command: str
    args: list[str]
    lines: list[Line]
    logical: str
    overrides: list[Override] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)

    @property
    def line(self) -> int:
        return self.lines[0].number

    @property
    def column(self) -> int:
        return 1

    @property
    def end_line(self) -> int:
        for line in reversed(self.lines):
            if line.kind in ("entry", "continuation"):
                return line.number
        return self.lines[0].number

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.type)

    def override(self, name: str) -> Override | None:
        """The last ``-o name=...`` of this service (the one that wins), or None."""
        found = None
        for item in self.overrides:
            if item.name == name and item.value is not None:
                found = item
        return found


MainItem = Parameter | Trivia | Orphan
MasterItem = Service | Trivia | Orphan


def _path_str(path: str | Path | None) -> str | None:
    return str(path) if path is not None else None


def split_nameval(logical: str) -> tuple[str, str, int] | str:
    """Split a logical line as Postfix's split_nameval does.

    Returns ``(name, value, value_offset)`` or an error message worded like Postfix.
    """
    n = len(logical)
    i = 0
    while i < n and logical[i] in BLANKS:
        i += 1
    start = i
    while i < n and logical[i] not in BLANKS and logical[i] != "=":
        i += 1
    name = logical[start:i]
    while i < n and logical[i] in BLANKS:
        i += 1
    if not name:
        return "missing attribute name"
    if i >= n or logical[i] != "=":
        return "missing '=' after attribute name"
    i += 1
    while i < n and logical[i] in BLANKS:
        i += 1
    value = logical[i:].rstrip(BLANKS)
    return name, value, i


class MainDocument(Document):
    """main.cf, losslessly."""

    kind: ClassVar[str] = "postfix-main"

    def __init__(self, items: list[MainItem], path: str | Path | None = None, *, final_newline: bool = True):
        super().__init__(path)
        self.items = items
        self.final_newline = final_newline

    # -- reading -------------------------------------------------------------------------
    @property
    def parameters(self) -> list[Parameter]:
        """Every entry in file order, duplicates included."""
        return [item for item in self.items if isinstance(item, Parameter)]

    def get(self, name: str) -> Parameter | None:
        """The entry that wins for ``name`` (the last one), or None."""
        for item in reversed(self.items):
            if isinstance(item, Parameter) and item.name == name:
                return item
        return None

    def values(self) -> dict[str, str]:
        """Raw (unexpanded) values, last entry winning, in order of first appearance."""
        out: dict[str, str] = {}
        for item in self.items:
            if isinstance(item, Parameter):
                out[item.name] = item.value
        return out

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.parameters)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    @property
    def orphans(self) -> list[Orphan]:
        return [item for item in self.items if isinstance(item, Orphan)]

    def to_bytes(self) -> bytes:
        return encode("".join(item.text for item in self.items))

    def check(self, data: bytes) -> None:
        parse_main(data, path=self.path)


class MasterDocument(Document):
    """master.cf, losslessly."""

    kind: ClassVar[str] = "postfix-master"

    def __init__(self, items: list[MasterItem], path: str | Path | None = None):
        super().__init__(path)
        self.items = items

    @property
    def services(self) -> list[Service]:
        """Every service entry in file order (duplicates included)."""
        return [item for item in self.items if isinstance(item, Service)]

    def get(self, name: str, type: str) -> Service | None:
        """The service entry ``name``/``type`` (the last one if duplicated), or None."""
        for item in reversed(self.items):
            if isinstance(item, Service) and item.name == name and item.type == type:
                return item
        return None

    def __iter__(self) -> Iterator[Service]:
        return iter(self.services)

    @property
    def orphans(self) -> list[Orphan]:
        return [item for item in self.items if isinstance(item, Orphan)]

    def to_bytes(self) -> bytes:
        return encode("".join(item.text for item in self.items))

    def check(self, data: bytes) -> None:
        parse_master(data, path=self.path)


# -- main.cf ---------------------------------------------------------------------------------


def _main_item(group: Group, path: str | None) -> MainItem:
    if group.kind in ("comment", "blank"):
        return Trivia(group.kind, group.lines)
    logical, spans = group.logical()
    if group.kind == "orphan":
        return Orphan(group.lines, logical)
    result = split_nameval(logical)
    if isinstance(result, str):
        name_end = 0
        while name_end < len(logical) and logical[name_end] not in BLANKS and logical[name_end] != "=":
            name_end += 1
        column = name_end + 1 if result.startswith("missing '='") else 1
        raise ParseError(f'{result}: "{printable(logical)}"', path=path, line=group.line, column=column)
    name, value, offset = result
    vline, vcol = position(spans, offset)
    return Parameter(name, value, group.lines, vline, vcol, logical)


def parse_main(data: bytes | str, path: str | Path | None = None) -> MainDocument:
    """Parse main.cf bytes into a :class:`MainDocument`.

    Raises :class:`ParseError` for lines Postfix rejects (``missing '=' after attribute name``,
    ``missing attribute name``), with Postfix's wording.
    """
    text = decode(data) if isinstance(data, bytes) else data
    where = _path_str(path)
    lines = read_lines("postfix_main", text, where)
    items = [_main_item(group, where) for group in group_lines(lines)]
    return MainDocument(items, path, final_newline=text.endswith("\n") or not text)


# -- master.cf -------------------------------------------------------------------------------

MASTER_TYPES = ("inet", "unix", "unix-dgram", "fifo", "pass")


def _split_words(logical: str) -> list[tuple[str, int]]:
    """Blank-separated words with their offsets."""
    words: list[tuple[str, int]] = []
    i, n = 0, len(logical)
    while i < n:
        while i < n and logical[i] in BLANKS:
            i += 1
        if i >= n:
            break
        start = i
        while i < n and logical[i] not in BLANKS:
            i += 1
        words.append((logical[start:i], start))
    return words


def _split_args(text: str, base: int, warnings: list[str]) -> list[tuple[str, int, bool]]:
    """Arguments after the command, ``{ ... }`` groups as one argument (braces removed, trimmed).

    Returns ``(argument, offset, braced)``. Postfix's own warnings for malformed groups are
    appended to ``warnings`` with its wording.
    """
    out: list[tuple[str, int, bool]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in BLANKS:
            i += 1
        if i >= n:
            break
        start = i
        if text[i] == "{":
            depth = 0
            j = i
            while j < n:
                if text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= n:
                warnings.append(f"missing '}}' in \"{printable(text[start:].rstrip(BLANKS))}\"")
                out.append((text[start + 1 :].strip(BLANKS), base + start, True))
                break
            inner = text[start + 1 : j].strip(BLANKS)
            k = j + 1
            if k < n and text[k] not in BLANKS:
                end = k
                while end < n and text[end] not in BLANKS:
                    end += 1
                warnings.append(f"syntax error after '}}' in \"{printable(text[start:end])}\"")
                k = end
            out.append((inner, base + start, True))
            i = k
        else:
            while i < n and text[i] not in BLANKS:
                i += 1
            out.append((text[start:i], base + start, False))
    return out


def _overrides(args: list[tuple[str, int, bool]], spans: list[tuple[int, int, int]]) -> list[Override]:
    found: list[Override] = []
    i = 0
    while i < len(args):
        arg, offset, braced = args[i]
        if arg == "-o" and not braced:
            if i + 1 >= len(args):
                break
            value, _voffset, vbraced = args[i + 1]
            line, column = position(spans, offset)
            spaced = False
            if "=" not in value:
                nxt = args[i + 2][0] if i + 2 < len(args) else ""
                spaced = nxt == "=" or nxt.startswith("=")
                found.append(Override(value.strip(BLANKS), None, line, column, braced=vbraced, spaced=spaced))
            else:
                name, _, val = value.partition("=")
                found.append(Override(name.strip(BLANKS), val.strip(BLANKS), line, column, braced=vbraced))
            i += 2
            continue
        if arg.startswith("-o") and len(arg) > 2 and not braced:
            line, column = position(spans, offset)
            body = arg[2:]
            if "=" in body:
                name, _, val = body.partition("=")
                found.append(Override(name, val, line, column, glued=True))
            else:
                found.append(Override(body, None, line, column, glued=True))
        i += 1
    return found


def _field_error(field_name: str, value: str, logical: str) -> str:
    return f'invalid {field_name} field "{printable(value)}" in "{printable(logical.strip(BLANKS))}"'


def _check_fields(words: list[str], logical: str) -> str | None:
    _name, type_, private, unpriv, chroot, wakeup, maxproc = words[:7]
    if type_ not in MASTER_TYPES:
        return _field_error("type", type_, logical)
    for field_name, value in (("private", private), ("unprivileged", unpriv), ("chroot", chroot)):
        if value not in ("y", "n", "-"):
            return _field_error(field_name, value, logical)
    if wakeup != "-":
        digits = wakeup[:-1] if wakeup.endswith("?") else wakeup
        if digits and not (digits.isascii() and digits.isdigit()):
            return _field_error("wakeup", wakeup, logical)
    if maxproc != "-" and not (maxproc.isascii() and maxproc.isdigit()):
        return _field_error("process_limit", maxproc, logical)
    return None


def _master_item(group: Group, path: str | None) -> MasterItem:
    if group.kind in ("comment", "blank"):
        return Trivia(group.kind, group.lines)
    logical, spans = group.logical()
    if group.kind == "orphan":
        return Orphan(group.lines, logical)
    words = _split_words(logical)
    if len(words) < 8:
        raise ParseError("bad field count", path=path, line=group.line, column=1)
    problem = _check_fields([w for w, _ in words[:7]], logical)
    if problem is not None:
        bad = next((off for (w, off) in words[1:7] if f'field "{printable(w)}"' in problem), words[1][1])
        line, column = position(spans, bad)
        raise ParseError(problem, path=path, line=line, column=column)
    command, command_offset = words[7]
    rest_offset = command_offset + len(command)
    warnings: list[str] = []
    parsed = _split_args(logical[rest_offset:], rest_offset, warnings)
    service = Service(
        name=words[0][0],
        type=words[1][0],
        private=words[2][0],
        unpriv=words[3][0],
        chroot=words[4][0],
        wakeup=words[5][0],
        maxproc=words[6][0],
        command=command,
        args=[arg for arg, _, _ in parsed],
        lines=group.lines,
        logical=logical,
        overrides=_overrides(parsed, spans),
        warnings=warnings,
    )
    return service


def parse_master(data: bytes | str, path: str | Path | None = None) -> MasterDocument:
    """Parse master.cf bytes into a :class:`MasterDocument`.

    Raises :class:`ParseError` for entries Postfix rejects (``bad field count``, ``invalid type
    field``, ``invalid private field``, ..., with Postfix's wording).
    """
    text = decode(data) if isinstance(data, bytes) else data
    where = _path_str(path)
    lines = read_lines("postfix_master", text, where)
    items = [_master_item(group, where) for group in group_lines(lines)]
    return MasterDocument(items, path)
