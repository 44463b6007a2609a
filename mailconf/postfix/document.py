"""Lossless documents for main.cf and master.cf.

A document is an ordered list of items — :class:`Parameter` or :class:`Service` entries,
:class:`Trivia` (comments and blank lines) and :class:`Orphan` lines — each holding the exact text
it was read from. ``to_bytes()`` joins those texts, so an unchanged document gives back the input
bytes; an edit replaces the text of one item only.

Values are kept as Postfix reads them (continuation lines joined, trimmed, not expanded); the
semantic layer (:mod:`mailconf.postfix.config`) expands them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from mailconf._lazyre import MULTILINE, Lazy
from mailconf._text import decode, encode
from mailconf.document import Document
from mailconf.errors import EditError, ParseError
from mailconf.postfix._syntax import (
    BLANKS,
    Group,
    Line,
    _Plain,
    group_lines,
    position,
    printable,
    read_lines,
    read_pairs,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import ClassVar


class Trivia(_Plain):
    """A comment or blank line outside any entry."""

    __slots__ = ("kind", "lines")

    def __init__(
        self,
        kind: str,  # "comment" or "blank"
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


class Orphan(_Plain):
    """Indented lines before the first entry: Postfix ignores them with a warning."""

    __slots__ = ("lines", "logical")

    def __init__(
        self,
        lines: list[Line],
        logical: str,
    ) -> None:
        self.lines = lines
        self.logical = logical

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)

    @property
    def line(self) -> int:
        return self.lines[0].number


class Parameter(_Plain):
    """One ``name = value`` entry of main.cf (continuation lines included)."""

    __slots__ = ("lines", "logical", "name", "value", "value_column", "value_line")

    def __init__(
        self,
        name: str,
        value: str,
        lines: list[Line],
        value_line: int,
        value_column: int,
        logical: str = "",
    ) -> None:
        self.name = name
        self.value = value
        self.lines = lines
        self.value_line = value_line
        self.value_column = value_column
        self.logical = logical

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)

    @property
    def line(self) -> int:
        return self.lines[0].number if self.lines else 0  # 0: an entry without text

    @property
    def column(self) -> int:
        return 1

    @property
    def end_line(self) -> int:
        for line in reversed(self.lines):
            if line.kind in ("entry", "continuation"):
                return line.number
        return self.line


class Override(_Plain):
    """A master.cf ``-o name=value`` argument. ``value`` is None for ``-o name`` without ``=``."""

    __slots__ = ("active", "braced", "column", "glued", "line", "name", "spaced", "value")

    def __init__(
        self,
        name: str,
        value: str | None,
        line: int,
        column: int,
        braced: bool = False,
        glued: bool = False,  # written as "-oname=value"
        spaced: bool = False,  # written as "-o name = value" (no braces)
        active: bool = True,  # False after the first non-option argument: Postfix ignores it
    ) -> None:
        self.name = name
        self.value = value
        self.line = line
        self.column = column
        self.braced = braced
        self.glued = glued
        self.spaced = spaced
        self.active = active


class Service(_Plain):
    """One master.cf service entry, identified by (name, type)."""

    __slots__ = (
        "args",
        "chroot",
        "command",
        "lines",
        "logical",
        "maxproc",
        "name",
        "overrides",
        "private",
        "type",
        "unpriv",
        "wakeup",
        "warnings",
    )

    def __init__(
        self,
        name: str,
        type: str,
        private: str,
        unpriv: str,
        chroot: str,
        wakeup: str,
        maxproc: str,
        command: str,
        args: list[str],
        lines: list[Line],
        logical: str,
        overrides: list[Override] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self.name = name
        self.type = type
        self.private = private
        self.unpriv = unpriv
        self.chroot = chroot
        self.wakeup = wakeup
        self.maxproc = maxproc
        self.command = command
        self.args = args
        self.lines = lines
        self.logical = logical
        self.overrides: list[Override] = [] if overrides is None else overrides
        self.warnings: list[str] = [] if warnings is None else warnings

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
        """The last active ``-o name=...`` of this service (the one that wins), or None."""
        found = None
        for item in self.overrides:
            if item.name == name and item.value is not None and item.active:
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
        self._items: list[MainItem] | None = items
        # parse_main leaves the items unbuilt: the lines as (kind, text) pairs and one row per
        # entry (see _main_rows) are enough for values() and entries(), which is all that
        # ``postconf -n`` needs; the items are made from them on first use.
        self._pairs: list[tuple[str, str]] = []
        self._rows: list[_Row] | None = None
        self.final_newline = final_newline

    @classmethod
    def _unbuilt(
        cls, pairs: list[tuple[str, str]], rows: list[_Row], path: str | Path | None, final_newline: bool
    ) -> MainDocument:
        doc = cls([], path, final_newline=final_newline)
        doc._items, doc._pairs, doc._rows = None, pairs, rows
        return doc

    @property
    def items(self) -> list[MainItem]:
        """Entries, comment/blank lines and orphan lines in file order."""
        if self._items is None:
            self._items = _main_items(self._pairs, self._rows or [], self.filename)
            self._pairs, self._rows = [], None
        return self._items

    @items.setter
    def items(self, items: list[MainItem]) -> None:
        self._items, self._pairs, self._rows = items, [], None

    # -- reading -------------------------------------------------------------------------
    @property
    def parameters(self) -> list[Parameter]:
        """Every entry in file order, duplicates included."""
        return [item for item in self.items if isinstance(item, Parameter)]

    def entries(self) -> list[tuple[str, str, int]]:
        """``(name, value, line)`` of every entry in file order, duplicates included (what
        :attr:`parameters` holds, without building the items)."""
        if self._rows is not None:
            rows = self._rows
            if None in [row[0] for row in rows[:2]]:  # orphan lines (only ever before the first entry)
                return [row for row in rows if row[0] is not None]  # type: ignore[misc]
            return list(rows)  # type: ignore[arg-type]  # no row without a name
        return [(p.name, p.value, p.line) for p in self.parameters]

    def prepend_unwritten(self, name: str, value: str) -> None:
        """Put an entry with no text before the others (``postconf -c DIR`` sets
        config_directory this way): it is read like any entry and writes nothing."""
        if self._rows is not None:
            self._rows.insert(0, (name, value, 0))
        else:
            self.items.insert(0, Parameter(name, value, [], 0, 0, ""))

    def append_unwritten(self, name: str, value: str) -> None:
        """Put an entry with no text after the others, so that it wins (``postconf -o``)."""
        if self._rows is not None:
            self._rows.append((name, value, 0))
        else:
            self.items.append(Parameter(name, value, [], 0, 0, ""))

    def get(self, name: str) -> Parameter | None:
        """The entry that wins for ``name`` (the last one), or None."""
        for item in reversed(self.items):
            if isinstance(item, Parameter) and item.name == name:
                return item
        return None

    def values(self) -> dict[str, str]:
        """Raw (unexpanded) values, last entry winning, in order of first appearance."""
        if self._rows is not None:
            return {row[0]: row[1] for row in self._rows if row[0] is not None}
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
        if self._rows is not None and None not in [row[0] for row in self._rows[:2]]:
            return []  # orphan lines come before the first entry (and the one prepend_unwritten adds)
        return [item for item in self.items if isinstance(item, Orphan)]

    def to_bytes(self) -> bytes:
        if self._rows is not None:
            return encode("".join(text for _, text in self._pairs))
        return encode("".join(item.text for item in self.items))

    def check(self, data: bytes) -> None:
        parse_main(data, path=self._path)

    # -- editing -------------------------------------------------------------------------
    # Each edit builds the new text from the untouched item texts plus the edited entry's new
    # text, parses it again and only then replaces the items: an edit whose result Postfix
    # would reject raises EditError and leaves the document as it was. Items are rebuilt, so
    # hold on to names, not to Parameter objects, across edits.

    def _texts(self) -> list[str]:
        return [item.text for item in self.items]

    def _commit(self, texts: list[str]) -> None:
        text = "".join(texts)
        try:
            new = parse_main(text, path=self._path)
        except ParseError as exc:
            raise EditError(f"the edited main.cf would not parse: {exc.message}") from None
        self.items = new.items
        self.final_newline = new.final_newline

    def _indices(self, name: str) -> list[int]:
        return [i for i, item in enumerate(self.items) if isinstance(item, Parameter) and item.name == name]

    def _house_style(self) -> tuple[str, str, str]:
        """(separator, continuation indent, newline) used by the file's entries."""
        from mailconf.postfix import _edit

        params = self.parameters
        sep = _edit.separator_style((p.name, p.lines[0].content) for p in params)
        indent = next((i for p in params if (i := _edit.continuation_indent(p.lines))), _edit.DEFAULT_INDENT)
        nl = _edit.file_newline(line.text for item in self.items for line in item.lines)
        return sep, indent, nl

    def set(self, name: str, value: str) -> None:
        """Set ``name`` to ``value`` as ``postconf -e name=value`` does in meaning.

        The winning (last) entry keeps its name, separator, indentation and line ending; only
        its value changes (comment lines inside the old value stay, after it). A value with
        newlines becomes continuation lines indented like the entry's (or the file's) others.
        A new entry goes after the last entry of the file, written in the file's separator style.
        """
        from mailconf.postfix import _edit

        _edit.check_name(name)
        sep, indent, nl = self._house_style()
        texts = self._texts()
        found = self._indices(name)
        if found:
            param = self.items[found[-1]]
            assert isinstance(param, Parameter)
            offset = _edit.main_value_offset(param.lines)
            texts[found[-1]] = _edit.set_value(param.lines, offset, value, indent)
        else:
            entry = _edit.new_entry_text(name, value, sep, indent, nl)
            last = max((i for i, item in enumerate(self.items) if isinstance(item, Parameter)), default=None)
            at = len(self.items) if last is None else last + 1
            before = at - 1
            if before >= 0 and not texts[before].endswith("\n"):
                texts[before] += "\n" if texts[before].endswith("\r") else nl
                if at == len(texts):
                    entry = entry[: -len(nl)]
            texts.insert(at, entry)
        self._commit(texts)

    def remove(self, name: str) -> int:
        """Remove every entry of ``name`` (as ``postconf -X name``); returns how many.

        Comment and blank lines inside a removed entry stay, as postconf keeps them.
        """
        texts = self._texts()
        found = self._indices(name)
        if not found:
            return 0
        from mailconf.postfix import _edit

        for i in found:
            param = self.items[i]
            assert isinstance(param, Parameter)
            texts[i] = _edit.remove_entry(param.lines)
        self._commit(texts)
        return len(found)

    def comment_out(self, name: str) -> int:
        """Put ``#`` before each line of every entry of ``name`` (as ``postconf -# name``)."""
        from mailconf.postfix import _edit

        texts = self._texts()
        found = self._indices(name)
        for i in found:
            param = self.items[i]
            assert isinstance(param, Parameter)
            texts[i] = _edit.comment_entry(param.lines)
        if found:
            self._commit(texts)
        return len(found)

    def add_list_item(
        self,
        name: str,
        item: str,
        *,
        after: str | None = None,
        before: str | None = None,
        default: str | None = None,
    ) -> bool:
        """Add ``item`` to the comma/blank separated list value of ``name``, keeping its layout.

        ``item`` may be several words (``check_client_access hash:/etc/postfix/access``); it is
        placed after the item ``after``, before the item ``before``, or at the end. A list laid
        out one item per line gets a new line with the same indentation and comma style;
        otherwise the item joins the line with the list's own separator. Returns False (and
        changes nothing) when the item is already in the list. When ``name`` is not in the
        file, its value starts from ``default`` (the document does not know Postfix's
        defaults); without one, EditError is raised.
        """
        from mailconf.postfix import _edit

        words = _edit.split_item(item)
        found = self._indices(name)
        if not found:
            if default is None:
                raise EditError(f"{name} is not set in main.cf; pass default= (its current default value)")
            self.set(name, default)
            found = self._indices(name)
        param = self.items[found[-1]]
        assert isinstance(param, Parameter)
        if not param.value.strip(_edit.LIST_SEPARATORS):
            if after is not None or before is not None:
                raise EditError(f"list item not found: {after if after is not None else before!r}")
            self.set(name, " ".join(words))
            return True
        new = _edit.add_item(param.lines, item, after=after, before=before)
        if new is None:
            return False
        old = _edit.list_tokens(param.value)
        anchor = after if after is not None else before
        at = len(old)
        if anchor is not None:
            anchor_words = _edit.split_item(anchor)
            at = _edit.find_words(old, anchor_words)[0] + (len(anchor_words) if after is not None else 0)
        self._list_edit(found[-1], new, [*old[:at], *words, *old[at:]], "," in param.value)
        return True

    def _list_edit(self, index: int, new_text: str, expected: list[str], commas: bool) -> None:
        """Commit a list edit; if the layout-keeping text would not mean ``expected`` (a word
        starting with '#' moved to the start of a line, say), write the list on one line."""
        from mailconf.postfix import _edit

        items = self.items
        param = items[index]
        assert isinstance(param, Parameter)
        texts = self._texts()
        texts[index] = new_text
        self._commit(texts)
        now = self.get(param.name)
        if now is not None and _edit.list_tokens(now.value) == expected:
            return
        self.items = items
        self.set(param.name, (", " if commas else " ").join(expected))

    def remove_list_item(self, name: str, item: str) -> int:
        """Remove every occurrence of ``item`` from the list value of ``name`` (the winning
        entry); returns how many. One-item-per-line lists lose the item's line, and the comma
        that would be left dangling after the new last item goes with it."""
        from mailconf.postfix import _edit

        found = self._indices(name)
        if not found:
            return 0
        param = self.items[found[-1]]
        assert isinstance(param, Parameter)
        new, count = _edit.remove_item(param.lines, item)
        if count:
            words = _edit.split_item(item)
            expected = _edit.list_tokens(param.value)
            while hits := _edit.find_words(expected, words):
                del expected[hits[0] : hits[0] + len(words)]
            self._list_edit(found[-1], new, expected, "," in param.value)
        return count


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
        parse_master(data, path=self._path)

    # -- editing -------------------------------------------------------------------------
    # As for MainDocument: the new text is parsed again before the items are replaced, and an
    # edit whose result Postfix would reject raises EditError and changes nothing.

    def _texts(self) -> list[str]:
        return [item.text for item in self.items]

    def _commit(self, texts: list[str]) -> None:
        text = "".join(texts)
        try:
            new = parse_master(text, path=self._path)
        except ParseError as exc:
            raise EditError(f"the edited master.cf would not parse: {exc.message}") from None
        self.items = new.items

    def _indices(self, name: str, type: str) -> list[int]:
        return [
            i
            for i, item in enumerate(self.items)
            if isinstance(item, Service) and item.name == name and item.type == type
        ]

    def _option_indent(self) -> str | None:
        """The indentation of the file's own-line ``-o`` options, if any."""
        for svc in self.services:
            for line in svc.lines:
                if line.kind == "continuation" and line.content.lstrip(BLANKS).startswith("-o"):
                    return line.content[: len(line.content) - len(line.content.lstrip(BLANKS))]
        return None

    def _newline(self) -> str:
        from mailconf.postfix import _edit

        return _edit.file_newline(line.text for item in self.items for line in item.lines)

    def _format(self, svc: Service, template: Service | None) -> str:
        from mailconf.postfix import _edit

        options, args = _split_service_args(svc)
        tmpl = template or (self.services[-1] if self.services else None)
        fields = [svc.name, svc.type, svc.private, svc.unpriv, svc.chroot, svc.wakeup, svc.maxproc, svc.command]
        return _edit.format_service(
            fields,
            options,
            args,
            template=tmpl.lines[0].text if tmpl is not None else None,
            indent=self._option_indent() or _edit.DEFAULT_OPTION_INDENT,
            nl=self._newline(),
        )

    def add_service(
        self,
        name: str,
        type: str,
        private: str = "-",
        unpriv: str = "-",
        chroot: str = "-",
        wakeup: str = "-",
        maxproc: str = "-",
        command: str = "",
        args: Sequence[str] = (),
        *,
        overrides: Mapping[str, str] | Sequence[tuple[str, str]] = (),
        replace: bool = False,
    ) -> None:
        """Add a service entry; its fields are aligned like the last service's.

        ``overrides`` become ``-o name=value`` lines (braced when the value has blanks),
        indented like the file's other ``-o`` lines; ``args`` follow on one line. If the
        service exists, EditError is raised unless ``replace`` (then the first entry is
        replaced in place and any duplicates are removed, as ``postconf -M -e`` does).
        """
        from mailconf.postfix import _edit

        if not command:
            raise EditError("a service needs a command")
        pairs = list(overrides.items()) if isinstance(overrides, Mapping) else list(overrides)
        parts = [name, type, private, unpriv, chroot, wakeup, maxproc, command]
        for part in parts:
            if not part or any(ch in BLANKS for ch in part) or part.startswith("#"):
                raise EditError(f"invalid master.cf field: {part!r}")
        line = " ".join(parts)
        for key, value in pairs:
            line += " -o " + _edit.override_text(key, value)
        line += "".join(" " + _edit.arg_text(a) for a in args)
        self.set_service(line, replace=replace)

    def set_service(self, entry: str, *, replace: bool = True, match: Callable[[Service], bool] | None = None) -> None:
        """Add or replace a service from one master.cf entry line (``postconf -M -e`` style).

        The entry is checked as Postfix checks it, laid out like its neighbours (fields in the
        same columns, ``-o`` on their own lines) and replaces the first entry of the same
        name/type — or, with ``match``, the first entry ``match`` accepts — in place; the
        other such entries are removed. Without any, it goes after the last service.
        """
        if "\n" in entry:
            raise EditError("a service entry must be given on one line")
        try:
            parsed = parse_master(entry.strip(BLANKS) + "\n").services
        except ParseError as exc:
            raise EditError(exc.message) from None
        if len(parsed) != 1:
            raise EditError(f"not one master.cf entry: {entry!r}")
        svc = parsed[0]
        found = [
            i
            for i, item in enumerate(self.items)
            if isinstance(item, Service) and (item.key == svc.key or (match is not None and match(item)))
        ]
        if found and not replace:
            raise EditError(f"service {svc.name}/{svc.type} exists")
        texts = self._texts()
        if found:
            old = self.items[found[0]]
            assert isinstance(old, Service)
            from mailconf.postfix import _edit

            # comment and blank lines inside the old entry stay, after the new one (as postconf)
            texts[found[0]] = self._format(svc, old) + _edit.remove_entry(old.lines)
            for i in found[1:]:
                texts[i] = _edit.remove_entry(self.items[i].lines)  # its comment and blank lines stay
        else:
            text = self._format(svc, None)
            last = max((i for i, item in enumerate(self.items) if isinstance(item, Service)), default=None)
            at = len(self.items) if last is None else last + 1
            if at > 0 and not texts[at - 1].endswith("\n"):
                texts[at - 1] += "\n" if texts[at - 1].endswith("\r") else self._newline()
            texts.insert(at, text)
        self._commit(texts)

    def remove_service(self, name: str, type: str) -> int:
        """Remove every entry of the service (as ``postconf -M -X name/type``); returns how many.

        Comment and blank lines inside a removed entry stay, as postconf keeps them.
        """
        from mailconf.postfix import _edit

        found = self._indices(name, type)
        texts = self._texts()
        for i in found:
            texts[i] = _edit.remove_entry(self.items[i].lines)
        if found:
            self._commit(texts)
        return len(found)

    def comment_out_service(self, name: str, type: str) -> int:
        """Put ``#`` before each line of every entry of the service (``postconf -M -#``)."""
        from mailconf.postfix import _edit

        found = self._indices(name, type)
        texts = self._texts()
        for i in found:
            texts[i] = _edit.comment_entry(self.items[i].lines)
        if found:
            self._commit(texts)
        return len(found)

    def _service_edit(self, name: str, type: str, edit: Callable[[list[Line]], str]) -> int:
        found = self._indices(name, type)
        if not found:
            raise EditError(f"no service {name}/{type} in master.cf")
        texts = self._texts()
        for i in found:
            texts[i] = edit(self.items[i].lines)
        self._commit(texts)
        return len(found)

    def set_override(self, name: str, type: str, param: str, value: str) -> None:
        """Set ``-o param=value`` on the service (as ``postconf -P -e name/type/param=value``).

        Existing ``-o param=...`` options of the service's option region get the new value in
        place (a braced ``{ param = value }`` stays braced); otherwise a ``-o`` is added after
        the last option, on its own line when the service's ``-o`` options are one per line
        (indented like them), on the same line when they are inline. A value with blanks is
        written in braces (Postfix 3.0 syntax).
        """
        from mailconf.postfix import _edit

        indent = self._option_indent()
        items = self.items
        self._service_edit(name, type, lambda lines: _edit.set_override(lines, param, value, indent))
        self._verify(items, name, type, param, value)

    def _verify(self, items: list[MasterItem], name: str, type: str, param: str, value: str | None) -> None:
        """Undo an override edit whose result Postfix would not read as intended."""
        for svc in self.services:
            if svc.key == (name, type):
                found = svc.override(param)
                if (found.value if found is not None else None) != value:
                    self.items = items
                    raise EditError(f"cannot edit -o {param} of {name}/{type} without changing other arguments")

    def remove_override(self, name: str, type: str, param: str) -> int:
        """Remove every ``-o param=...`` of the service (``postconf -P -X``); returns how many."""
        from mailconf.postfix import _edit

        count = 0

        def edit(lines: list[Line]) -> str:
            nonlocal count
            text, n = _edit.remove_override(lines, param)
            count += n
            return text

        items = self.items
        self._service_edit(name, type, edit)
        self._verify(items, name, type, param, None)
        return count

    def set_field(self, name: str, type: str, field: str, value: str) -> None:
        """Change one field of the service (``postconf -F -e name/type/field=value``).

        ``field`` is one of service, type, private, unprivileged, chroot, wakeup,
        process_limit, command; ``command`` replaces the command and all its arguments.
        Padding after the field shrinks or grows so the next columns stay where they were.
        """
        from mailconf.postfix import _edit

        if field not in _edit.MASTER_FIELDS:
            raise EditError(f"invalid service attribute name: {field!r}")
        index = _edit.MASTER_FIELDS.index(field)
        if index < 7:
            if not value or any(ch in BLANKS for ch in value):
                raise EditError(f"invalid {field} field: {value!r}")
            self._service_edit(name, type, lambda lines: _edit.set_field(lines, index, value))
        else:
            if not value.strip(BLANKS) or "\n" in value:
                raise EditError(f"invalid command field: {value!r}")

            def edit(lines: list[Line]) -> str:
                return _edit.set_value(lines, _edit.command_offset(lines), value, self._option_indent())

            self._service_edit(name, type, edit)


def _split_service_args(svc: Service) -> tuple[list[str | tuple[str, str]], list[str]]:
    """A parsed service's arguments as (option region in order: generic options as text, ``-o``
    as (name, value) pairs; then the other arguments)."""
    options: list[str | tuple[str, str]] = []
    args = list(svc.args)
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-") or arg == "--":
            break
        if arg == "-o" and i + 1 < len(args) and "=" in args[i + 1]:
            name, _, value = args[i + 1].partition("=")
            options.append((name.strip(BLANKS), value.strip(BLANKS)))
            i += 2
            continue
        if arg.startswith("-o") and "=" in arg:
            name, _, value = arg[2:].partition("=")
            options.append((name, value))
            i += 1
            continue
        options.append(arg)
        i += 1
    return options, args[i:]


# -- main.cf ---------------------------------------------------------------------------------


# One row per main.cf entry: (name, value, number of its first line); name is None for orphan
# lines (value: their logical line) and the number 0 for an entry without text (prepend_unwritten).
_Row = tuple[str | None, str, int]
_KIND_CHAR = {"entry": "e", "continuation": "c", "comment": "#", "blank": "_"}
# In the entry and continuation lines, the line break before a continuation line.
_BEFORE_CONTINUATION = Lazy(r"\n(?=[ \t\v\f\r])")
# split_nameval on each line of a text of logical lines; a line it rejects has no match.
_NAMEVAL_LINES = Lazy(r"^[ \t\v\f\r]*+([^ \t\n\v\f\r=]++)[ \t\v\f\r]*+=[ \t\v\f\r]*+([^\n]*)", MULTILINE)


def _main_rows(pairs: list[tuple[str, str]], path: str | None) -> list[_Row]:
    """The entries of main.cf's lines (see _Row), as Postfix reads them.

    Postfix skips comment and blank lines, appends each continuation line (it starts with a
    blank) to the logical line before it, and splits ``name = value``. That is done here on
    whole texts rather than line by line: ``postconf -n`` reads every entry of main.cf, and the
    items (:func:`_main_items`) are built only when something asks for them.
    """
    if not pairs:
        return []
    if not pairs[-1][1].endswith("\n"):  # the last line's content is all of it
        pairs = [*pairs[:-1], (pairs[-1][0], pairs[-1][1] + "\n")]
    content = "".join([text for kind, text in pairs if kind == "entry" or kind == "continuation"])
    logical = _BEFORE_CONTINUATION.sub("", content)  # one logical line per line
    rows: list[_Row] = []
    if logical and logical[0] in BLANKS:  # continuation lines before the first entry: one orphan
        end = logical.find("\n")
        orphan = next(i for i, (kind, _) in enumerate(pairs) if kind == "continuation")
        rows.append((None, logical[:end], orphan + 1))
        logical = logical[end + 1 :]
    lines = [number for number, (kind, _) in enumerate(pairs, 1) if kind == "entry"]
    found = _NAMEVAL_LINES.findall(logical)
    if len(found) != len(lines):
        _reject(logical.split("\n"), lines, path)
    rows += zip([name for name, _ in found], [rest.rstrip(BLANKS) for _, rest in found], lines, strict=True)
    return rows


def _reject(logicals: list[str], lines: list[int], path: str | None) -> None:
    """Raise postconf's error for the first logical line split_nameval rejects."""
    for logical, line in zip(logicals, lines, strict=False):
        result = split_nameval(logical)
        if isinstance(result, str):
            name_end = 0
            while name_end < len(logical) and logical[name_end] not in BLANKS and logical[name_end] != "=":
                name_end += 1
            column = name_end + 1 if result.startswith("missing '='") else 1
            raise ParseError(f'{result}: "{printable(logical)}"', path=path, line=line, column=column)
    raise AssertionError("no rejected line")  # pragma: no cover


def _main_item(group: Group, path: str | None) -> MainItem:
    if group.kind in ("comment", "blank"):
        return Trivia(group.kind, group.lines)
    logical, spans = group.logical()
    if group.kind == "orphan":
        return Orphan(group.lines, logical)
    result = split_nameval(logical)
    if isinstance(result, str):  # pragma: no cover - _main_rows has checked every entry
        raise ParseError(f'{result}: "{printable(logical)}"', path=path, line=group.line, column=1)
    name, value, offset = result
    vline, vcol = position(spans, offset)
    return Parameter(name, value, group.lines, vline, vcol, logical)


def _main_items(pairs: list[tuple[str, str]], rows: list[_Row], path: str | None) -> list[MainItem]:
    """The document items of parsed lines (whose rows :func:`_main_rows` made)."""
    lines = [Line(kind, text, number) for number, (kind, text) in enumerate(pairs, 1)]  # type: ignore[arg-type]
    items = [_main_item(group, path) for group in group_lines(lines)]
    unwritten: list[MainItem] = [Parameter(r[0], r[1], [], 0, 0, "") for r in rows if r[2] == 0 and r[0] is not None]
    return unwritten + items


def parse_main(data: bytes | str, path: str | Path | None = None) -> MainDocument:
    """Parse main.cf bytes into a :class:`MainDocument`.

    Raises :class:`ParseError` for lines Postfix rejects (``missing '=' after attribute name``,
    ``missing attribute name``), with Postfix's wording.
    """
    text = decode(data) if isinstance(data, bytes) else data
    where = _path_str(path)
    pairs = read_pairs("postfix_main", text, where)
    return MainDocument._unbuilt(pairs, _main_rows(pairs, where), path, text.endswith("\n") or not text)


# -- master.cf -------------------------------------------------------------------------------

MASTER_TYPES = ("inet", "unix", "unix-dgram", "fifo", "pass")


def _split_words(logical: str) -> list[tuple[str, int]]:
    """Blank-separated words with their offsets, as Postfix's argv_splitq splits master.cf
    entries: blanks inside ``{...}`` do not split (an unclosed ``{`` runs to the end)."""
    words: list[tuple[str, int]] = []
    i, n = 0, len(logical)
    while i < n:
        while i < n and logical[i] in BLANKS:
            i += 1
        if i >= n:
            break
        start, depth = i, 0
        while i < n and (depth > 0 or logical[i] not in BLANKS):
            if logical[i] == "{":
                depth += 1
            elif logical[i] == "}" and depth > 0:
                depth -= 1
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
    """Every ``-o`` option; those after the option region are kept with ``active=False``.

    The option region ends at the first argument that does not start with '-' (or at ``--``):
    postconf and the daemons' getopt ignore any ``-o`` after it.
    """
    found: list[Override] = []
    i = 0
    active = True
    while i < len(args):
        arg, offset, braced = args[i]
        if braced or not arg.startswith("-") or arg == "--":
            active = False
        if arg == "-o" and not braced:
            if i + 1 >= len(args):
                break
            value, _voffset, vbraced = args[i + 1]
            line, column = position(spans, offset)
            spaced = False
            if "=" not in value:
                nxt = args[i + 2][0] if i + 2 < len(args) else ""
                spaced = nxt == "=" or nxt.startswith("=")
                found.append(
                    Override(value.strip(BLANKS), None, line, column, braced=vbraced, spaced=spaced, active=active)
                )
            else:
                name, _, val = value.partition("=")
                found.append(
                    Override(name.strip(BLANKS), val.strip(BLANKS), line, column, braced=vbraced, active=active)
                )
            i += 2
            continue
        if arg.startswith("-o") and len(arg) > 2 and not braced:
            line, column = position(spans, offset)
            body = arg[2:]
            if "=" in body:
                name, _, val = body.partition("=")
                found.append(Override(name, val, line, column, glued=True, active=active))
            else:
                found.append(Override(body, None, line, column, glued=True, active=active))
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
