"""Dovecot configuration lines, read exactly the way doveconf's config parser reads them.

The Lark grammar (``grammars/dovecot.lark``) cuts the text into physical lines, one token each.
This module interprets those lines as doveconf does (``config_parse_line`` in Dovecot's
config-parser.c, behaviour checked against the real ``doveconf``):

- a line is cut at its first NUL byte (doveconf handles lines as C strings) and a CR before the
  newline is dropped by the line reader;
- blanks are space and tab (2.0-2.3) or any C ``isspace`` byte (2.4); a line whose first
  non-blank byte is ``#``, or that is blank, is skipped, and a skipped line also drops a
  pending ``\\`` continuation;
- comments are stripped outside ``"..."`` / ``'...'`` (``\\`` escapes inside quotes); a ``#``
  glued to a word is a comment too, with doveconf's "Ambiguous '#'" warning; a quote left open
  disables comment stripping for the rest of the line;
- trailing blanks are removed; a trailing ``\\`` continues the logical line on the next physical
  line (the parts are joined with one space);
- the logical line is ``key = value``, ``type [name] {``, ``}``, ``!include[_try] pattern``, or
  in 2.4 also ``group @label name {`` and ``"quoted key" = value``.

Positions: every :class:`Statement` knows its file offsets, so the document layer can replace
exactly the bytes of one value, key or line.
"""

from __future__ import annotations

from bisect import bisect_right

from mailconf._record import Record
from mailconf.errors import IncludeError, ParseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    StatementKind = Literal["setting", "open", "close", "include"]

WHITE_23 = " \t"
WHITE_24 = " \t\n\v\f\r"

#: doveconf's message for a ``#`` glued to the word before it.
AMBIGUOUS_HASH = (
    "Ambiguous '#' character in line, treating it as comment. Add a space before it to remove this warning."
)


class DovecotParseError(ParseError):
    """A file doveconf refuses, with doveconf's own wording.

    ``message`` is doveconf's message (``Expecting '{'``, ``Unexpected '}'``, ...);
    :attr:`doveconf` is the whole text doveconf prints after ``doveconf: Fatal: ``, e.g.
    ``Error in configuration file /etc/dovecot/dovecot.conf line 12: Expecting '{'``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int = 1,
        column: int = 1,
        doveconf: str | None = None,
    ) -> None:
        super().__init__(message, path=path, line=line, column=column)
        where = path if path is not None else "<string>"
        self.doveconf = doveconf or f"Error in configuration file {where} line {line}: {message}"


class DovecotIncludeError(DovecotParseError, IncludeError):
    """An ``!include`` doveconf cannot follow (no match, recursion, unreadable file, limits)."""


class DovecotWarning(Record):
    """A warning doveconf prints while reading (``message`` in doveconf's words)."""

    __slots__ = ("code", "column", "line", "message", "path")

    def __init__(
        self,
        path: str | None,
        line: int,
        column: int,
        message: str,
        # "ambiguous-hash" (doveconf prints it), and mailconf's own: "unbalanced-quote" (a quote
        # left open hides a '#'), "nul-byte", "dropped-continuation", "unterminated-continuation"
        code: str,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.code = code

    @property
    def doveconf(self) -> str:
        """doveconf's text after ``doveconf: Warning: `` (only for warnings doveconf prints)."""
        return f"Configuration file {self.path or '<string>'} line {self.line}: {self.message}"


class Line(Record):
    """One physical line; ``text`` includes its newline (the last line of a file may lack it)."""

    __slots__ = ("kind", "number", "start", "text")

    def __init__(
        self,
        number: int,
        start: int,  # offset of the line in the document text
        text: str,
        kind: Literal["blank", "comment", "content"],
    ) -> None:
        self.number = number
        self.start = start
        self.text = text
        self.kind = kind


class Statement(Record):
    """One logical line as doveconf reads it.

    kind "setting": ``key``, ``value`` (what doveconf sees before ``$name`` expansion:
    continuation joined, quotes removed and ``\\X`` unescaped when the value was quoted; for
    ``key = <path`` the path, with ``file_ref`` the path resolved against the file's directory;
    for a ``$variable`` value the text as written, ``$`` included), ``quoted``, ``variable``
    (doveconf expands ``$`` references in this unquoted value: 2.0-2.3 when a blank-separated
    word starts with ``$``, 2.4 when it contains ``$``), ``raw`` (the value bytes as written, possibly
    over several lines).

    kind "open": ``section_type`` (``service``, ``protocol``, ``mail_plugins`` ...),
    ``section_name`` (quotes removed; None when there is none or it is ``""``), ``quoted``;
    2.4 groups ``group @label name {`` have ``section_type == "group"``, ``label == "@label"``,
    ``section_name == "name"``.

    kind "close": a ``}`` closing the innermost open section (possibly opened in another file).

    kind "include": ``pattern`` (as written, relative patterns are relative to the file's
    directory), ``optional`` (``!include_try``).

    Positions: ``line``/``column`` (1-based, bytes) of the key; ``end_line`` of the last
    physical line; ``start``/``end`` offsets of the whole physical lines; ``key_start``,
    ``key_end``, ``value_start``, ``value_end`` offsets in the document text (-1 when absent).
    ``joined`` marks the rare statement whose text begins in another file (a ``\\``
    continuation left open at the end of an included file): its key and value are what
    doveconf reads, its positions are those of its lines in this file, and it is not editable.
    """

    __slots__ = (
        "column",
        "end",
        "end_line",
        "file_ref",
        "indent",
        "joined",
        "key",
        "key_end",
        "key_start",
        "kind",
        "label",
        "line",
        "optional",
        "path",
        "pattern",
        "quoted",
        "raw",
        "section_name",
        "section_type",
        "separator",
        "start",
        "value",
        "value_end",
        "value_start",
        "variable",
    )

    def __init__(
        self,
        kind: StatementKind,
        path: str | None,
        line: int,
        column: int,
        end_line: int,
        start: int,
        end: int,
        key: str = "",
        value: str = "",
        quoted: bool = False,
        variable: bool = False,
        file_ref: str | None = None,
        raw: str = "",
        section_type: str | None = None,
        section_name: str | None = None,
        label: str | None = None,
        pattern: str | None = None,
        optional: bool = False,
        key_start: int = -1,
        key_end: int = -1,
        value_start: int = -1,
        value_end: int = -1,
        indent: str = "",
        separator: str = "",  # text between key and value ("" if none)
        joined: bool = False,  # begins with a "\\" continuation left open at the end of another file
    ) -> None:
        self.kind = kind
        self.path = path
        self.line = line
        self.column = column
        self.end_line = end_line
        self.start = start
        self.end = end
        self.key = key
        self.value = value
        self.quoted = quoted
        self.variable = variable
        self.file_ref = file_ref
        self.raw = raw
        self.section_type = section_type
        self.section_name = section_name
        self.label = label
        self.pattern = pattern
        self.optional = optional
        self.key_start = key_start
        self.key_end = key_end
        self.value_start = value_start
        self.value_end = value_end
        self.indent = indent
        self.separator = separator
        self.joined = joined


class Scan(Record):
    """Statements of one document, its warnings, and the syntax error that stopped reading."""

    __slots__ = ("error", "pending", "statements", "warnings")

    def __init__(
        self,
        statements: list[Statement],
        warnings: list[DovecotWarning],
        error: DovecotParseError | None,
        pending: str = "",  # text buffered by a "\\" continuation still open at the end
    ) -> None:
        self.statements = statements
        self.warnings = warnings
        self.error = error
        self.pending = pending


def _flatten(tree: Any) -> list[tuple[str, str]]:
    return [(tok.type, str(tok)) for tok in tree.children]


def read_lines(text: str, path: str | None = None) -> list[Line]:
    """Cut ``text`` into physical lines with the Lark grammar (through the token cache of
    :mod:`mailconf._grammars`: an unchanged file is read back without importing Lark)."""
    if not text:
        return []
    from mailconf._grammars import tokens

    missing_newline = not text.endswith("\n")
    try:
        pairs = tokens("dovecot", text + "\n" if missing_newline else text, _flatten)
    except Exception as exc:  # the grammar accepts any text; kept as a safety net
        from lark.exceptions import LarkError

        if isinstance(exc, LarkError):
            raise DovecotParseError(f"unreadable file: {exc}", path=path) from None
        raise
    lines: list[Line] = []
    append = lines.append
    offset = 0
    number = 0
    for kind_, value in pairs:
        if kind_ == "CONTENT":
            number += 1
            append(Line(number, offset, value, "content"))
            offset += len(value)
            continue
        # a run of blank and comment lines, each "\n"-ended: splitlines when "\n" is its only
        # line break (it also cuts at "\r", "\x0b", "\x85" ...: then the counts differ)
        pieces = value.splitlines(True)
        if len(pieces) != value.count("\n"):
            pieces = [bare + "\n" for bare in value.split("\n")[:-1]]
        for piece in pieces:
            number += 1
            kind: Literal["blank", "comment"] = "comment" if piece.lstrip(" \t")[:1] == "#" else "blank"
            append(Line(number, offset, piece, kind))
            offset += len(piece)
    if missing_newline and lines:
        last = lines[-1]
        lines[-1] = Line(last.number, last.start, last.text[:-1], last.kind)
    return lines


def unescape(text: str) -> str:
    """Dovecot's ``str_unescape``: ``\\X`` becomes ``X``; a final lone backslash is dropped."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 1
            if i >= n:
                break
            out.append(text[i])
        else:
            out.append(c)
        i += 1
    return "".join(out)


def resolve_relative(path: str | None, target: str) -> str:
    """doveconf's ``fix_relative_path``: ``target`` relative to the directory of ``path``."""
    if target.startswith("/") or path is None:
        return target
    cut = path.rfind("/")
    if cut < 0:
        return target
    return path[: cut + 1] + target


class _Logical:
    """A logical line being assembled from physical lines, with a map back to the file."""

    __slots__ = ("first", "parts", "pieces", "size")

    def __init__(self) -> None:
        self.parts: list[tuple[int, int]] = []  # (logical offset, file offset) of each part
        self.pieces: list[str] = []
        self.size = 0
        self.first: Line | None = None

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def add(self, piece: str, file_offset: int) -> None:
        self.parts.append((self.size, file_offset))
        self.pieces.append(piece)
        self.size += len(piece)

    def offset(self, logical: int) -> int:
        """File offset of a logical offset (an inserted joining blank maps past its part)."""
        index = bisect_right(self.parts, (logical, 1 << 62)) - 1
        best = self.parts[max(index, 0)]
        return best[1] + logical - best[0]

    def clear(self) -> None:
        self.parts = []
        self.pieces = []
        self.size = 0
        self.first = None


class _Scanner:
    def __init__(self, text: str, lines: list[Line], path: str | None, version: str) -> None:
        self.text = text
        self.lines = lines
        self.path = path
        self.v24 = version.startswith("2.4")
        self.white = WHITE_24 if self.v24 else WHITE_23
        self.statements: list[Statement] = []
        self.warnings: list[DovecotWarning] = []
        self._line_starts: list[int] = [ln.start for ln in lines]
        self.seed = ""  # text carried over from the end of another file
        self.seeded = False

    # -- positions -------------------------------------------------------------------------
    def position(self, offset: int) -> tuple[int, int]:
        idx = bisect_right(self._line_starts, offset) - 1
        idx = max(idx, 0)
        line = self.lines[idx]
        return line.number, offset - line.start + 1

    def warn(self, line: Line, column: int, message: str, code: str) -> None:
        self.warnings.append(DovecotWarning(self.path, line.number, column, message, code))

    def error(self, message: str, line: Line, offset: int | None = None) -> DovecotParseError:
        column = offset - line.start + 1 if offset is not None and offset >= line.start else 1
        return DovecotParseError(message, path=self.path, line=line.number, column=max(column, 1))

    def drop(self, logical: _Logical, line: Line) -> None:
        """A skipped line: doveconf forgets a pending continuation (SYN202)."""
        self.seeded = False
        if logical.parts:
            self.warn(line, 1, "blank or comment line inside a '\\' continuation drops it", "dropped-continuation")
        if logical.parts or logical.pieces or logical.first is not None:
            logical.clear()

    # -- the physical line -------------------------------------------------------------------
    def run(self, start: int = 0) -> Scan:
        white = self.white
        logical = _Logical()
        if self.seed:
            logical.add(self.seed, start)
            self.seeded = True
        for line in self.lines:
            if line.start < start:
                continue
            if line.kind != "content":
                if self.seeded or logical.parts or logical.pieces or logical.first is not None:
                    self.drop(logical, line)
                continue
            raw = line.text
            if raw.endswith("\n"):
                raw = raw[:-1]
            if raw.endswith("\r"):
                raw = raw[:-1]
            nul = raw.find("\0")
            if nul >= 0:
                self.warn(line, nul + 1, "NUL byte: doveconf ignores the rest of the line", "nul-byte")
                raw = raw[:nul]
            n = len(raw)
            i = n - len(raw.lstrip(white))
            if i >= n or raw[i] == "#":
                self.drop(logical, line)
                continue
            p = i
            comment: int | None = None
            if '"' not in raw and "'" not in raw and "#" not in raw:
                p = n  # nothing to look for character by character (most lines)
            while p < n:
                c = raw[p]
                if c == '"' or c == "'":
                    opened = p
                    p += 1
                    while p < n and raw[p] != c:
                        if raw[p] == "\\" and p + 1 < n:
                            p += 1
                        p += 1
                    if p >= n:
                        if "#" in raw[opened:]:
                            self.warn(
                                line,
                                opened + 1,
                                "unbalanced quote: the rest of the line, '#' included, is not a comment",
                                "unbalanced-quote",
                            )
                        break
                elif c == "#":
                    if raw[p - 1] not in white:
                        self.warn(line, p + 1, AMBIGUOUS_HASH, "ambiguous-hash")
                    comment = p
                    break
                p += 1
            end = comment if comment is not None else n
            end = i + len(raw[i:end].rstrip(white))
            if logical.first is None:
                logical.first = line
            if end > i and raw[end - 1] == "\\":
                cend = end - 1
                while cend > i and raw[cend - 1] in white:
                    cend -= 1
                if cend > i:
                    logical.add(raw[i:cend] + " ", line.start + i)
                continue
            logical.add(raw[i:end], line.start + i)
            try:
                self.statement(logical, logical.first, line)
            except DovecotParseError as exc:
                return Scan(self.statements, self.warnings, exc)
            if self.seeded:
                self.seeded = False
                last_st = self.statements[-1]
                self.statements[-1] = last_st._replace(joined=True, value_start=-1, value_end=-1)
            logical.clear()
        if logical.parts:
            last = self.lines[-1] if self.lines else None
            if last is not None:
                self.warn(last, 1, "'\\' continuation at the end of the file", "unterminated-continuation")
        return Scan(self.statements, self.warnings, None, logical.text)

    # -- the logical line --------------------------------------------------------------------
    def statement(self, logical: _Logical, first: Line, last: Line) -> None:
        s = logical.text
        white = self.white
        n = len(s)
        start = first.start
        end = last.start + len(last.text)
        indent_end = logical.parts[0][1] if logical.parts else first.start
        indent = self.text[first.start : indent_end]
        pos = 0
        key_quoted = False
        if self.v24 and s.startswith('"'):
            key_quoted = True
            pos = 1
            kstart = 1
            kend = n
            while pos < n:
                if s[pos] == "\\" and pos + 1 < n:
                    pos += 2
                elif s[pos] == '"':
                    kend = pos
                    pos += 1
                    break
                else:
                    pos += 1
            else:
                kend = n
            key = s[kstart:kend]
        else:
            kstart = 0
            while pos < n and s[pos] not in white and s[pos] != "=":
                pos += 1
            kend = pos
            key = s[:pos]
        after_key = pos
        if pos < n and s[pos] in white:
            pos += 1
            while pos < n and s[pos] in white:
                pos += 1
        rest = s[pos:]
        key_start = logical.offset(kstart)
        line_no, column = self.position(key_start)
        common = {
            "path": self.path,
            "line": line_no,
            "column": column,
            "end_line": last.number,
            "start": start,
            "end": end,
            "key_start": key_start,
            "key_end": logical.offset(kend) if kend > kstart else key_start,
            "indent": indent,
        }
        # 2.4 compares a quoted key alike; "!include=x" (no blank before "=") is a setting named
        # "!include" for doveconf ("Unknown setting"), while "!include = x" includes "= x"
        if key in ("!include", "!include_try") and not s.startswith("=", after_key):
            self.statements.append(
                Statement(
                    "include",
                    key=key,
                    pattern=rest,
                    optional=key == "!include_try",
                    value=rest,
                    value_start=logical.offset(pos),
                    value_end=logical.offset(n),
                    **common,  # type: ignore[arg-type]
                )
            )
            return
        if rest.startswith("="):
            eq = pos  # an empty key is an error only at the top level (see document.check_structure)
            pos += 1
            while pos < n and s[pos] in white:
                pos += 1
            separator = s[after_key:pos] if not key_quoted else s[kend + 1 : pos]
            vstart = pos
            value = s[pos:]
            quoted = False
            variable = False
            file_ref: str | None = None
            if value.startswith("<"):
                p = pos + 1
                while p < n and s[p] in white:
                    p += 1
                value = s[p:]
                file_ref = resolve_relative(self.path, value)
            elif value[:1] not in ("'", '"') and (
                "$" in value if self.v24 else any(word[:1] == "$" for word in value.split())
            ):
                # an unquoted value with references doveconf expands: 2.4 any "$", before 2.4
                # the words that start with "$" ("x $mail_plugins" too, not "a$b")
                variable = True  # a variable reference: kept as written for the semantic layer
            elif value and value[0] in "\"'" and value[-1] == value[0]:
                # a lone quote character is both ends for doveconf: it reads as ""
                value = unescape(value[1:-1])
                quoted = True
            value_start = logical.offset(vstart) if vstart < n else logical.offset(eq) + 1
            value_end = logical.offset(n) if n > vstart else value_start
            self.statements.append(
                Statement(
                    "setting",
                    key=key,
                    value=value,
                    quoted=quoted,
                    variable=variable,
                    file_ref=file_ref,
                    raw=self.text[value_start:value_end],
                    value_start=value_start,
                    value_end=value_end,
                    separator=separator,
                    **common,  # type: ignore[arg-type]
                )
            )
            return
        if key == "}" and rest == "":
            self.statements.append(Statement("close", key="}", **common))  # type: ignore[arg-type]
            return
        # b) a section, or an error
        label: str | None = None
        name: str | None
        name_quoted = False
        if rest.startswith("{"):
            name = None
            brace = pos
        elif self.v24 and key == "group":
            lstart = pos
            while pos < n and s[pos] not in white:
                pos += 1
            if pos >= n:
                raise self.error("Expecting group name", last, logical.offset(lstart))
            label = s[lstart:pos]
            while pos < n and s[pos] in white:
                pos += 1
            nstart = pos
            while pos < n and s[pos] not in white:
                pos += 1
            if pos >= n:
                raise self.error("Expecting '{'", last, logical.offset(min(pos, n - 1)))
            name = s[nstart:pos]
            while pos < n and s[pos] in white:
                pos += 1
            if pos >= n or s[pos] != "{":
                raise self.error("Expecting '{'", last, logical.offset(min(pos, n - 1)))
            brace = pos
        else:
            if not rest.startswith('"'):
                nstart = pos
                while pos < n and s[pos] not in white:
                    pos += 1
                name = s[nstart:pos]
                while pos < n and s[pos] in white:
                    pos += 1
            else:
                pos += 1
                nstart = pos
                while pos < n and s[pos] != '"':
                    pos += 1
                if pos < n:
                    name = unescape(s[nstart:pos])
                    name_quoted = True
                    pos += 1
                    while pos < n and s[pos] in white:
                        pos += 1
                else:
                    name = None
            if pos >= n or s[pos] != "{":
                at = logical.offset(min(pos, n - 1)) if n else start
                raise self.error("Expecting '{'", last, at)
            brace = pos
        if brace + 1 < n:
            raise self.error("Garbage after '{'", last, logical.offset(brace + 1))
        if name == "":
            name = None
        self.statements.append(
            Statement(
                "open",
                key=key,
                section_type="group" if label is not None else key,
                section_name=name,
                label=label,
                quoted=name_quoted,
                value_start=logical.offset(pos) if pos < n else -1,
                **common,  # type: ignore[arg-type]
            )
        )


def scan(text: str, lines: list[Line], path: str | None, version: str) -> Scan:
    """Interpret physical lines as doveconf (``version`` "2.4" selects the 2.4 rules)."""
    return _Scanner(text, lines, path, version).run()


def scan_from(text: str, lines: list[Line], path: str | None, version: str, start: int, seed: str) -> Scan:
    """Interpret the lines from offset ``start`` on, with ``seed`` (text a ``\\`` continuation
    left open at the end of another file) already buffered, as doveconf's shared line buffer
    has it."""
    scanner = _Scanner(text, lines, path, version)
    scanner.seed = seed
    return scanner.run(start)


def detect_version(statements: list[Statement]) -> str:
    """ "2.4" when the first setting is ``dovecot_config_version``, else "2.3"."""
    for st in statements:
        if st.kind == "setting":
            return "2.4" if st.key == "dovecot_config_version" else "2.3"
    return "2.3"
