"""One Dovecot configuration file, held losslessly, with doveconf's reading of it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mailconf._text import decode, encode
from mailconf.document import Document
from mailconf.dovecot._syntax import (
    DovecotParseError,
    DovecotWarning,
    Line,
    Statement,
    detect_version,
    read_lines,
    scan,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import ClassVar

#: A section path element: ``(type, name)``; name None for unnamed sections.
SectionKey = tuple[str, str | None]
SectionPath = tuple[SectionKey, ...]
SectionSpec = SectionKey | str | Sequence[SectionKey | str]


def rules_for(version: str | None) -> str:
    """The syntax generation of a version string: "2.4" or "2.3" (2.0-2.3 read alike)."""
    return "2.4" if version is not None and version.startswith("2.4") else "2.3"


def section_path(section: SectionSpec | None) -> SectionPath:
    """Normalise a section path.

    Accepted: ``()`` (top level); one pair ``("service", "imap-login")``; a string
    ``"service imap-login"`` or ``"passdb"``; a sequence of those, outermost first, e.g.
    ``[("service", "imap-login"), ("inet_listener", "imap")]``. A flat pair of two strings is
    always one section (type, name).
    """
    if section is None or section == ():
        return ()
    if isinstance(section, str):
        return (_one(section),)
    if isinstance(section, tuple) and len(section) == 2 and isinstance(section[0], str):
        second = section[1]
        if second is None or isinstance(second, str):
            return ((section[0], second),)
    out: list[SectionKey] = []
    items: Sequence[SectionKey | str] = section  # type: ignore[assignment]
    for item in items:
        if isinstance(item, str):
            out.append(_one(item))
        else:
            typ, name = item
            out.append((typ, name))
    return tuple(out)


def _one(text: str) -> SectionKey:
    parts = text.split(None, 1)
    if not parts:
        raise ValueError("empty section name")
    return (parts[0], parts[1] if len(parts) > 1 else None)


MISSING_KEY = "Missing key name ('=' at the beginning of line)"
# sections whose settings doveconf reads as top-level ones: an empty key there is "Missing key name"
FILTERS = frozenset(("protocol", "local", "remote", "local_name"))


def check_structure(
    statements: Iterable[Statement],
    path: str | None,
    error: DovecotParseError | None = None,
    *,
    balanced: bool = True,
) -> None:
    """What doveconf checks over the statement stream, in reading order: ``Unexpected '}'``,
    an empty key at the top level or in a filter (``Missing key name``), then the line ``error`` that stopped
    reading, then (``balanced``) ``Missing '}'`` at the end."""
    stack: list[Statement] = []
    for st in statements:
        if st.kind == "open":
            stack.append(st)
        elif st.kind == "close":
            if not stack:
                if balanced:
                    raise DovecotParseError("Unexpected '}'", path=st.path, line=st.line, column=st.column)
                continue
            stack.pop()
        elif st.kind == "setting" and st.key == "" and balanced and all(o.section_type in FILTERS for o in stack):
            raise DovecotParseError(MISSING_KEY, path=st.path, line=st.end_line, column=st.column)
    if error is not None:
        raise error
    if stack and balanced:
        raise missing_close(stack[-1], path)


def missing_close(opened: Statement, main_path: str | None) -> DovecotParseError:
    where = f"{opened.path or '<string>'}:{opened.line}"
    message = f"Missing '}}' (section started at {where})"
    return DovecotParseError(
        message,
        path=opened.path,
        line=opened.line,
        column=opened.column,
        doveconf=f"Error in configuration file {main_path or '<string>'}: {message}",
    )


class DovecotDocument(Document):
    """A dovecot.conf or conf.d fragment.

    ``to_bytes()`` returns the bytes read while nothing was edited. ``statements()`` gives the
    file's logical lines as doveconf reads them (includes are not followed here: they appear
    as ``kind == "include"``). ``version`` is the syntax generation used to read the file
    ("2.4" when its first setting is ``dovecot_config_version``, or when the tree says so).
    """

    kind: ClassVar[str] = "dovecot"

    def __init__(
        self,
        text: str,
        path: str | Path | None = None,
        *,
        version: str | None = None,
        standalone: bool = True,
    ) -> None:
        super().__init__(path)
        self.name: str | None = str(path) if path is not None else None
        self.standalone = standalone
        self._forced_version = version
        self._original = text
        self._text = ""
        self.lines: list[Line] = []
        self.version = "2.3"
        self.warnings: list[DovecotWarning] = []
        self.error: DovecotParseError | None = None
        self.pending_text = ""
        self._statements: list[Statement] = []
        self._load(text)

    # -- reading -------------------------------------------------------------------------------
    def _load(self, text: str) -> None:
        lines = read_lines(text, self.name)
        forced = self._forced_version
        if forced is None:
            result = scan(text, lines, self.name, "2.3")
            version = detect_version(result.statements)
            if version == "2.4":
                result = scan(text, lines, self.name, "2.4")
        else:
            version = forced
            result = scan(text, lines, self.name, rules_for(forced))
        self._text = text
        self.lines = lines
        self.version = version
        self._statements = result.statements
        self.warnings = result.warnings
        self.error = result.error
        self.pending_text = result.pending

    @property
    def text(self) -> str:
        """The file's text (latin-1, one character per byte); assigning it reads it again."""
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._load(value)

    def statements(self) -> list[Statement]:
        """Logical lines in file order (up to a syntax error, see :attr:`error`)."""
        return list(self._statements)

    def settings(self) -> list[Statement]:
        return [st for st in self._statements if st.kind == "setting"]

    def includes(self) -> list[Statement]:
        return [st for st in self._statements if st.kind == "include"]

    def scoped(self) -> list[tuple[SectionPath, Statement]]:
        """Each statement with the section path it stands in (sections of this file only)."""
        out: list[tuple[SectionPath, Statement]] = []
        stack: list[SectionKey] = []
        for st in self._statements:
            if st.kind == "close":
                if stack:
                    stack.pop()
                out.append((tuple(stack), st))
                continue
            out.append((tuple(stack), st))
            if st.kind == "open":
                stack.append((st.section_type or "", st.section_name))
        return out

    def get(self, key: str, section: SectionSpec | None = ()) -> Statement | None:
        """The last setting ``key`` directly in ``section`` (this file only), or None."""
        target = section_path(section)
        found: Statement | None = None
        for where, st in self.scoped():
            if st.kind == "setting" and st.key == key and where == target:
                found = st
        return found

    @property
    def changed(self) -> bool:
        return self.text != self._original

    def to_bytes(self) -> bytes:
        return encode(self.text)

    def check(self, data: bytes) -> None:
        """Raise ParseError if ``data`` is not a file doveconf would read (same rules)."""
        doc = DovecotDocument(decode(data), self.name, version=self.version, standalone=self.standalone)
        check_structure(doc._statements, self.name, doc.error, balanced=self.standalone)

    def write(self, path: str | Path | None = None) -> None:
        super().write(path)
        self._original = self.text

    # -- editing (see mailconf.dovecot.edit) ------------------------------------------------------
    def set(
        self,
        key: str,
        value: str,
        section: SectionSpec | None = (),
        *,
        file_ref: bool = False,
        quote: bool | None = None,
    ) -> Statement:
        """Set ``key`` in ``section`` of this file (last occurrence replaced, else inserted)."""
        from mailconf.dovecot.edit import set_in_document

        return set_in_document(self, key, value, section_path(section), file_ref=file_ref, quote=quote)

    def remove(self, key: str, section: SectionSpec | None = ()) -> int:
        """Remove every ``key`` directly in ``section``; returns how many lines were removed."""
        from mailconf.dovecot.edit import remove_in_document

        return remove_in_document(self, key, section_path(section))

    def add_section(self, section: SectionSpec, settings: Sequence[tuple[str, str]] | dict[str, str] = ()) -> Statement:
        """Add a new section instance (parents created as needed) holding ``settings``."""
        from mailconf.dovecot.edit import add_section_in_document

        items = list(settings.items()) if isinstance(settings, dict) else list(settings)
        return add_section_in_document(self, section_path(section), items)

    def remove_section(self, section: SectionSpec) -> int:
        """Remove every instance of ``section`` in this file; returns how many were removed."""
        from mailconf.dovecot.edit import remove_section_in_document

        return remove_section_in_document(self, section_path(section))

    def _replace(self, edits: list[tuple[int, int, str]]) -> None:
        """Apply ``(start, end, text)`` splices (any order, non-overlapping) and re-read.

        Raises EditError (and keeps the old text) when the result is not readable.
        """
        from mailconf.errors import EditError

        text = self.text
        for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
            text = text[:start] + new + text[end:]
        old = self.text
        self._load(text)
        error: DovecotParseError | None = None
        try:
            check_structure(self._statements, self.name, self.error, balanced=self.standalone)
        except DovecotParseError as exc:
            error = exc
        if error is not None:
            self._load(old)
            raise EditError(f"edit would make {self.name or 'the file'} unreadable: {error}")


def parse(
    data: bytes, path: str | Path | None = None, *, version: str | None = None, strict: bool = True
) -> DovecotDocument:
    """Parse one Dovecot configuration file (includes are not followed).

    Raises :class:`~mailconf.dovecot.DovecotParseError` (a ParseError) with doveconf's
    message for lines doveconf rejects and for unbalanced braces in this file. With
    ``strict=False`` nothing is raised: the document keeps the first problem in ``error``
    and its statements up to it, and still prints back byte for byte.
    """
    doc = DovecotDocument(decode(data), path, version=version, standalone=strict)
    if strict:
        check_structure(doc._statements, doc.name, doc.error)
    return doc
