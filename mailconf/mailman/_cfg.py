"""Mailman 3 ``mailman.cfg``: a lossless document read the way Mailman reads it.

Mailman 3 loads its configuration with lazr.config, which hands the text to Python's
``configparser.RawConfigParser(strict=False)`` after ``textwrap.dedent`` (a no-op for the meaning:
it shifts every line by the same margin). The rules reproduced here, from configparser's reader:

- Lines end at ``\\r\\n``, ``\\r`` or ``\\n`` (Mailman opens the file in text mode).
- A line whose first non-blank character is ``#`` or ``;`` is a comment, wherever it is,
  also in the middle of a multi-line value (it is skipped, the value goes on after it).
- A non-blank line indented deeper than the option line above it continues that option's value
  (whatever it looks like); a blank line inside a value adds an empty line to it; trailing empty
  lines are dropped from the value.
- Otherwise ``[name]`` (``[``, at least one character, ``]``, anything after) opens a section;
  ``key: value`` or ``key = value`` (first ``:`` or ``=``) sets an option, names are lowercased;
  anything else is an error, as is an option before the first section.
- Sections may repeat (merged); options may repeat (the last wins). ``[DEFAULT]`` supplies values
  to every section.

Inline comments do not exist: ``lmtp_port: 8024 # x`` has the value ``8024 # x``.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailconf import _paths
from mailconf._lazyre import Lazy
from mailconf._record import MutableRecord
from mailconf._text import decode, display, encode
from mailconf.document import Document
from mailconf.errors import EditError, ParseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, ClassVar

# str.strip()'s ASCII whitespace (latin-1 text: \x85 and \xa0 are data, not blanks).
WS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_OPTION = Lazy(r"(?P<key>.*?)[ \t\x0b\x0c\x1c-\x1f]*(?P<sep>[=:])[ \t\x0b\x0c\x1c-\x1f]*(?P<value>.*)$")
DEFAULT_SECTION = "DEFAULT"


class Line(MutableRecord):
    """One physical line: leading blanks, body, line end (each possibly empty)."""

    __slots__ = ("body", "indent", "kind", "newline")

    def __init__(
        self,
        indent: str,
        kind: str,
        body: str,
        newline: str,
    ) -> None:
        self.indent = indent
        self.kind = kind  # "blank", "comment", "header", "text"
        self.body = body
        self.newline = newline

    @property
    def text(self) -> str:
        return self.indent + self.body + self.newline


class Option(MutableRecord):
    """``key: value`` (or ``key = value``), with its continuation lines."""

    __slots__ = (
        "column",
        "end_line",
        "first_index",
        "key",
        "last_index",
        "line",
        "name",
        "section",
        "separator",
        "value",
        "value_column",
        "value_line",
    )
    _hidden = ("first_index", "last_index")

    def __init__(
        self,
        section: str,
        name: str,
        key: str,
        separator: str,
        value: str,
        line: int,
        column: int,
        end_line: int,
        value_line: int,
        value_column: int,
        first_index: int = 0,
        last_index: int = 0,
    ) -> None:
        self.section = section
        self.name = name  # lowercased, as configparser stores it
        self.key = key  # the key as written
        self.separator = separator  # ":" or "="
        self.value = value  # the logical value, as configparser gives it
        self.line = line  # 1-based, the option line
        self.column = column  # 1-based byte column of the key
        self.end_line = end_line  # last line that belongs to the value
        self.value_line = value_line
        self.value_column = value_column
        self.first_index = first_index  # index into Mailman3Document.lines
        self.last_index = last_index


class Section(MutableRecord):
    """A ``[name]`` header and the options under it (until the next header)."""

    __slots__ = ("column", "end_index", "index", "line", "name", "options")
    _hidden = ("index", "end_index")

    def __init__(
        self,
        name: str,
        line: int,
        column: int,
        options: list[Option] | None = None,
        index: int = 0,
        end_index: int = 0,
    ) -> None:
        self.name = name
        self.line = line
        self.column = column
        self.options: list[Option] = [] if options is None else options
        self.index = index
        self.end_index = end_index  # index of the last line that belongs to it

    def get(self, name: str) -> Option | None:
        found = None
        for option in self.options:
            if option.name == name.lower():
                found = option
        return found


def _flatten(tree: Any) -> list[tuple[str, str]]:
    return [(token.type, str(token)) for token in tree.children]


_KINDS = {"BLANK": "blank", "COMMENT": "comment", "HEADER": "header", "TEXT": "text"}
_PARTS = Lazy(r"([ \t\x0b\x0c\x1c-\x1f]*)([^\r\n]*?)(\r\n|\r|\n|)$")


def _split_lines(text: str, path: str | Path | None) -> list[Line]:
    from mailconf._grammars import tokens

    try:
        pairs = tokens("mailman_cfg", text, _flatten)
    except Exception as error:  # pragma: no cover - the grammar accepts every text
        from lark.exceptions import UnexpectedInput

        if isinstance(error, UnexpectedInput):
            raise ParseError("unreadable line", path=path, line=error.line, column=error.column) from None
        raise
    lines: list[Line] = []
    for ttype, value in pairs:
        match = _PARTS.match(value)
        assert match is not None
        indent, body, newline = match.groups()
        kind = _KINDS[ttype]
        if kind == "blank":
            indent, body = indent + body, ""
        lines.append(Line(indent, kind, body, newline))
    return lines


def _require_utf8(text: str, path: str | Path | None) -> None:
    """Mailman opens mailman.cfg as UTF-8: a file that is not UTF-8 stops it at start."""
    if text.isascii():
        return
    raw = encode(text)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise ParseError(
            f"not UTF-8 (byte 0x{raw[error.start]:02x}): Mailman reads mailman.cfg as UTF-8 and stops at start",
            path=path,
            line=line,
            column=column,
        ) from None


class Mailman3Document(Document):
    """A ``mailman.cfg`` file, held losslessly.

    ``sections`` lists the section headers in file order (a repeated header is listed again);
    ``get(section, key)`` gives the option Mailman uses (last one wins); ``values()`` the
    strings configparser would give. ``set``/``remove`` edit one option and touch no other line.
    """

    kind: ClassVar[str] = "mailman3"

    def __init__(self, text: str, path: str | Path | None = None) -> None:
        super().__init__(path)
        self._load(text)

    # -- reading -------------------------------------------------------------------------

    def _load(self, text: str) -> None:
        where = None if self.filename is None else _paths.norm(self.filename)
        _require_utf8(text, where)
        self.lines: list[Line] = _split_lines(text, where)
        self.sections: list[Section] = []
        self.options: list[Option] = []
        errors: list[ParseError] = []
        current: Section | None = None
        option: Option | None = None
        pieces: list[str] = []
        indent_level = 0

        def finish() -> None:
            if option is not None:
                option.value = "\n".join(pieces).rstrip(WS)
                last = option.last_index
                option.end_line = last + 1

        for index, line in enumerate(self.lines):
            number = index + 1
            if line.kind == "comment":
                continue
            if line.kind == "blank":
                if option is not None:
                    pieces.append("")
                continue
            value = line.body.rstrip(WS)
            level = len(line.indent)
            if option is not None and level > indent_level:
                pieces.append(value)
                option.last_index = index
                if current is not None:
                    current.end_index = index
                continue
            finish()
            option = None
            pieces = []
            indent_level = level
            column = len(line.indent) + 1
            if line.kind == "header":
                name = value[1 : value.rindex("]")]
                current = Section(name, number, column, index=index, end_index=index)
                self.sections.append(current)
                continue
            if current is None:
                raise ParseError(
                    f"file contains no section headers: {display(value)!r} (line {number})",
                    path=where,
                    line=number,
                    column=column,
                )
            match = _OPTION.match(value)
            if match is None or not match.group("key"):
                what = "an option without a name" if match is not None else "not an option, section or comment"
                errors.append(ParseError(f"{what}: {display(value)!r}", path=where, line=number, column=column))
                continue
            key = match.group("key")
            option = Option(
                section=current.name,
                name=key.rstrip(WS).lower(),
                key=key,
                separator=match.group("sep"),
                value="",
                line=number,
                column=column,
                end_line=number,
                value_line=number,
                value_column=len(line.indent) + match.start("value") + 1,
                first_index=index,
                last_index=index,
            )
            pieces = [match.group("value").strip(WS)]
            current.options.append(option)
            current.end_index = index
            self.options.append(option)
        finish()
        if errors:
            raise errors[0]

    def to_bytes(self) -> bytes:
        return encode(self.text)

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)

    def check(self, data: bytes) -> None:
        Mailman3Document(decode(data), path=self.filename)

    def section_names(self) -> list[str]:
        """Section names in order of first appearance (``DEFAULT`` included when present)."""
        seen: dict[str, None] = {}
        for section in self.sections:
            seen.setdefault(section.name, None)
        return list(seen)

    def iter_options(self, section: str) -> Iterator[Option]:
        for option in self.options:
            if option.section == section:
                yield option

    def get(self, section: str, key: str, *, defaults: bool = True) -> Option | None:
        """The option Mailman reads for ``[section] key`` (last wins; ``[DEFAULT]`` as fallback)."""
        found = None
        for option in self.iter_options(section):
            if option.name == key.lower():
                found = option
        if found is None and defaults and section != DEFAULT_SECTION:
            return self.get(DEFAULT_SECTION, key, defaults=False)
        return found

    def values(self) -> dict[str, dict[str, str]]:
        """``{section: {key: value}}`` exactly as configparser reads the file (DEFAULT merged in)."""
        defaults = {o.name: o.value for o in self.iter_options(DEFAULT_SECTION)}
        result: dict[str, dict[str, str]] = {}
        for name in self.section_names():
            if name == DEFAULT_SECTION:
                continue
            merged = dict(defaults)
            merged.update({o.name: o.value for o in self.iter_options(name)})
            result[name] = merged
        return result

    # -- editing -------------------------------------------------------------------------

    def _replace(self, start: int, stop: int, new: list[str]) -> None:
        before = "".join(line.text for line in self.lines[:start])
        after = "".join(line.text for line in self.lines[stop:])
        text = before + "".join(new) + after
        self._load(text)

    def _newline(self) -> str:
        for line in self.lines:
            if line.newline:
                return line.newline
        return "\n"

    def set(self, section: str, key: str, value: str) -> None:
        """Set ``[section] key`` to ``value`` (a str; newlines make continuation lines).

        An existing option keeps its key, separator and spacing; only its value lines change.
        A new option goes after the last option of the section (the last header of that name),
        written like its neighbours; a new section goes at the end of the file.
        """
        if any(c in value for c in "\r") or value != value.strip(" \t"):
            raise EditError(f"value for {section}.{key} must not have leading/trailing blanks or \\r")
        before = self.text
        try:
            self._set(section, key, value)
            option = self.get(section, key, defaults=False)
            ok = option is not None and option.value == value.rstrip(WS) and option.name == key.lower()
        except ParseError:
            ok = False
        if not ok:
            self._load(before)
            raise EditError(f"[{section}] {key} = {value!r} cannot be written so that Mailman reads it back")

    def _set(self, section: str, key: str, value: str) -> None:
        nl = self._newline()
        option = self.get(section, key, defaults=False)
        rendered_tail = value.split("\n")
        if option is not None:
            first = self.lines[option.first_index]
            head = first.indent + first.body[: option.value_column - 1 - len(first.indent)]
            if head.endswith(option.separator) and rendered_tail[0] and not first.body[len(head) - len(first.indent) :]:
                head += " "  # the old value started on the next line: write "key: value"
            cont_indent = self._continuation_indent(option, first.indent)
            new = [head + rendered_tail[0] + nl]
            new += [cont_indent + part + nl if part else nl for part in rendered_tail[1:]]
            # comment lines inside the old value stay (after the new value)
            new += [
                line.text
                for line in self.lines[option.first_index + 1 : option.last_index + 1]
                if line.kind == "comment"
            ]
            last_nl = self.lines[option.last_index].newline
            if not last_nl:
                new[-1] = new[-1][: -len(nl)]
            self._replace(option.first_index, option.last_index + 1, new)
            return
        sections = [s for s in self.sections if s.name == section]
        if not sections:
            prefix = ""
            if self.lines and not self.lines[-1].newline:
                prefix = nl
            blank = nl if self.lines and any(line.kind != "blank" for line in self.lines) else ""
            new = [prefix + blank + f"[{section}]" + nl]
            new += self._render_new(key, rendered_tail, nl, self.options[-1] if self.options else None, "")
            self._replace(len(self.lines), len(self.lines), new)
            return
        target = sections[-1]
        style = target.options[-1] if target.options else (self.options[-1] if self.options else None)
        at = target.end_index + 1
        # The new line must continue nothing above it and must not swallow the next line as its
        # continuation: the last option's indentation does both; right after a header, the
        # indentation of the next line does.
        if target.options:
            indent = self.lines[target.options[-1].first_index].indent
        else:
            following = [line for line in self.lines[at:] if line.kind in ("header", "text")]
            indent = following[0].indent if following else ""
        new = self._render_new(key, rendered_tail, nl, style, indent)
        if not self.lines[target.end_index].newline:
            new[0] = nl + new[0]
        self._replace(at, at, new)

    def _continuation_indent(self, option: Option | None, base: str) -> str:
        if option is not None:
            for line in self.lines[option.first_index + 1 : option.last_index + 1]:
                if line.kind != "blank" and len(line.indent) > len(base):
                    return line.indent
        return base + "    "

    def _render_new(self, key: str, parts: list[str], nl: str, style: Option | None, indent: str) -> list[str]:
        if style is not None:
            first = self.lines[style.first_index]
            between = first.body[len(style.key) : style.value_column - 1 - len(first.indent)]
        else:
            between = ": "
        if not parts[0] and between.endswith(" "):
            between = between.rstrip(" ")
        deeper = self._continuation_indent(style, indent)
        out = [indent + key + between + parts[0] + nl]
        out += [deeper + part + nl if part else nl for part in parts[1:]]
        return out

    def remove(self, section: str, key: str) -> None:
        """Delete every ``key`` line (with its continuation lines) of the section."""
        targets = [o for o in self.iter_options(section) if o.name == key.lower()]
        if not targets:
            raise EditError(f"no option {key!r} in section [{section}]")
        for option in reversed(targets):
            self._replace(option.first_index, option.last_index + 1, [])


def parse_mailman_cfg(data: bytes, path: str | Path | None = None) -> Mailman3Document:
    """Parse a Mailman 3 ``mailman.cfg`` (or any lazr.config file such as postfix.cfg)."""
    return Mailman3Document(decode(data), path=path)
