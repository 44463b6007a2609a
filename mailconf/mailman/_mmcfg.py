"""Mailman 2 ``mm_cfg.py`` read with Python's ``ast`` module: never imported, never executed.

What mailconf understands:

- ``from Defaults import *`` (also ``from Mailman.Defaults import *``) and docstrings;
- ``NAME = <literal>`` (strings, numbers, booleans, None, lists/tuples/dicts/sets of those),
  also ``A = B = <literal>`` and ``NAME = OTHER`` when ``OTHER`` was given a literal earlier in
  the file;
- ``add_virtualhost(url_host[, email_host])`` with literal (or earlier-literal) arguments.

Every other statement (imports, ``try``, ``if``, function calls, assignments of computed values,
augmented assignments, ...) is kept as a :class:`Statement` of kind ``"not understood"`` with the
reason, and names it assigns are reported as unknown rather than guessed.
"""

from __future__ import annotations

import ast

from mailconf import _paths
from mailconf._lazyre import Lazy
from mailconf._record import MutableRecord
from mailconf._text import decode, encode
from mailconf.document import Document
from mailconf.errors import EditError, ParseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import ClassVar

UNDERSTOOD = ("defaults import", "docstring", "assignment", "add_virtualhost")


class Statement(MutableRecord):
    """One top-level statement of the file and what mailconf made of it."""

    __slots__ = ("column", "end_column", "end_line", "kind", "line", "names", "reason", "source", "value")

    def __init__(
        self,
        kind: str,
        line: int,
        column: int,
        end_line: int,
        end_column: int,
        source: str,
        names: list[str] | None = None,
        value: object = None,
        reason: str | None = None,
    ) -> None:
        self.kind = kind  # "defaults import", "docstring", "assignment", "add_virtualhost", "not understood"
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.source = source
        self.names: list[str] = [] if names is None else names  # names assigned (also for not-understood code)
        self.value = value  # the literal value (assignment) or (url_host, email_host)
        self.reason = reason  # why it is not understood

    @property
    def understood(self) -> bool:
        return self.kind != "not understood"


class Assignment(MutableRecord):
    """The value a name has after the file ran (as far as mailconf can tell without running it)."""

    __slots__ = ("column", "end_column", "end_line", "known", "line", "name", "value", "value_column", "value_line")

    def __init__(
        self,
        name: str,
        value: object,
        known: bool,
        line: int,
        column: int,
        value_line: int,
        value_column: int,
        end_line: int,
        end_column: int,
    ) -> None:
        self.name = name
        self.value = value
        self.known = known  # False: assigned by code mailconf does not evaluate
        self.line = line
        self.column = column
        self.value_line = value_line
        self.value_column = value_column
        self.end_line = end_line
        self.end_column = end_column


class VirtualHost(MutableRecord):
    __slots__ = ("column", "email_host", "line", "url_host")

    def __init__(
        self,
        url_host: str,
        email_host: str | None,
        line: int,
        column: int,
    ) -> None:
        self.url_host = url_host
        self.email_host = email_host  # None: not given
        self.line = line
        self.column = column

    @property
    def mail_domain(self) -> str:
        """The list domain Mailman uses: the email host, or (when omitted) the URL host without
        its first label (``add_virtualhost('www.dom.ain')`` maps to ``dom.ain``), lowercased."""
        if self.email_host is not None:
            return self.email_host.lower()
        return ".".join(self.url_host.split(".")[1:]).lower()


def _assigned_names(node: ast.AST) -> list[str]:
    names: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            names.append(child.id)
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(child.name)
        elif isinstance(child, ast.Import | ast.ImportFrom):
            for alias in child.names:
                if alias.name != "*":
                    names.append((alias.asname or alias.name).split(".")[0])
    return names


_OCTAL_LITERAL = Lazy(r"[0-7]+[lL]?")
_LINES = Lazy(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_STATEMENT_START = {"NEWLINE", "NL", "INDENT", "DEDENT", "ENCODING", "COMMENT"}


class _Converted(MutableRecord):
    __slots__ = ("blanked", "data", "literals")

    def __init__(
        self,
        data: bytes,
        blanked: dict[int, tuple[int, int, str]],
        literals: list[tuple[int, int, int]],
    ) -> None:
        self.data = data
        self.blanked = blanked  # first line -> (end line, end column, reason)
        self.literals = literals  # (line, column, end column) of rewritten literals


def _python2_compatible(data: bytes) -> _Converted | None:
    """``data`` with Python 2-only syntax replaced by Python 3 of the same length: octal literals
    (``0755`` -> ``493 ``), long suffixes (``10L`` -> ``10 ``), and ``print``/``exec`` statements
    (-> ``pass`` and blanks, reported as not understood). None if the text cannot be tokenized."""
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
        toks = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (SyntaxError, UnicodeDecodeError, LookupError, tokenize.TokenError, RecursionError, MemoryError):
        return None
    lines = _LINES.findall(text)
    edits: list[tuple[int, int, int, int, str]] = []  # (row, col, end_row, end_col, replacement)
    blanked: dict[int, tuple[int, int, str]] = {}
    literals: list[tuple[int, int, int]] = []
    previous = "ENCODING"
    for i, tok in enumerate(toks):
        kind = tokenize.tok_name[tok.type]
        following = toks[i + 1] if i + 1 < len(toks) else None
        if kind == "NUMBER" and set(tok.string) == {"0"} and following is not None and following.start == tok.end:
            if tokenize.tok_name[following.type] == "NUMBER" and _OCTAL_LITERAL.fullmatch(following.string):
                digits = following.string.rstrip("lL")
                width = len(tok.string) + len(following.string)
                edits.append((*tok.start, *following.end, str(int(digits, 8)).ljust(width)))
                literals.append((tok.start[0], tok.start[1], following.end[1]))
        elif kind == "NAME" and tok.string in ("l", "L") and i > 0:
            before = toks[i - 1]
            if tokenize.tok_name[before.type] == "NUMBER" and before.end == tok.start:
                edits.append((*tok.start, *tok.end, " "))
                literals.append((before.start[0], before.start[1], tok.end[1]))
        elif (
            kind == "NAME"
            and tok.string in ("print", "exec")
            and previous in _STATEMENT_START
            and following is not None
            and following.string not in ("(", "=", ".", "[")
            and tokenize.tok_name[following.type] not in ("NEWLINE", "NL")
        ):
            end = next(t for t in toks[i:] if tokenize.tok_name[t.type] in ("NEWLINE", "ENDMARKER"))
            end_row, end_col = end.start
            edits.append((*tok.start, end_row, end_col, "pass"))
            blanked[tok.start[0]] = (end_row, end_col, f"Python 2 {tok.string} statement is not evaluated")
        if kind not in ("NL", "COMMENT"):
            previous = kind
    if not edits:
        return None
    chars = [list(line) for line in lines]
    for row, col, end_row, end_col, replacement in edits:
        if row == end_row:
            span = end_col - col
            chars[row - 1][col:end_col] = list(replacement.ljust(span))
            continue
        first = chars[row - 1]
        first[col:] = (
            list(replacement.ljust(len(first) - col - _newline_len(first))) + first[len(first) - _newline_len(first) :]
        )
        for r in range(row + 1, end_row):
            line = chars[r - 1]
            keep = _newline_len(line)
            chars[r - 1] = [" "] * (len(line) - keep) + line[len(line) - keep :]
        last = chars[end_row - 1]
        last[:end_col] = [" "] * end_col
    converted = "".join("".join(line) for line in chars)
    return _Converted(converted.encode(encoding), blanked, literals)


def _newline_len(line: list[str]) -> int:
    if line[-2:] == ["\r", "\n"]:
        return 2
    return 1 if line and line[-1] in "\r\n" else 0


class _Literal(Exception):
    """A value mailconf does not evaluate."""


#: Names ``from Defaults import *`` brings in that mailconf evaluates (Defaults.py defines them).
DEFAULTS_CONSTANTS: dict[str, object] = {
    "Yes": True,
    "yes": True,
    "On": True,
    "on": True,
    "No": False,
    "no": False,
    "Off": False,
    "off": False,
}
#: Defaults.py's time helpers: seconds(s), minutes(m), hours(h), days(d) -> seconds.
DEFAULTS_TIME = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_TIME_CALLS = "__time_calls__"
_SHADOW = "__assigned__ "  # marks names the file itself assigns (they hide Defaults.py's)


def _literal(node: ast.expr, known: dict[str, object]) -> object:
    if isinstance(node, ast.Name):
        if node.id in known:
            return known[node.id]
        raise _Literal(f"{node.id} is not given a literal value earlier in the file")
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in DEFAULTS_TIME
        and known.get(_TIME_CALLS) is True
        and f"{_SHADOW}{node.func.id}" not in known
        and len(node.args) == 1
        and not node.keywords
    ):
        value = _literal(node.args[0], known)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value * DEFAULTS_TIME[node.func.id]
        raise _Literal(f"{node.func.id}() of a non-number")
    if isinstance(node, ast.List | ast.Tuple) and any(isinstance(e, ast.Name) for e in node.elts):
        items = [_literal(e, known) for e in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise _Literal("the value is computed, not a literal") from None


class Mailman2Document(Document):
    """An ``mm_cfg.py`` file: its exact bytes plus the statements read from its syntax tree."""

    kind: ClassVar[str] = "mailman2"

    def __init__(self, data: bytes, path: str | Path | None = None) -> None:
        super().__init__(path)
        self._load(data)

    def _load(self, data: bytes) -> None:
        self._data = data
        self._python2: dict[int, tuple[int, int, str]] = {}  # line -> (end_line, end_column, reason)
        self._rewritten: list[tuple[int, int, int]] = []  # (line, column, end_column) of rewritten literals
        tree = self._parse(data)
        self._lines: list[str] = _LINES.findall(decode(data))
        self.statements: list[Statement] = []
        self.assignments: dict[str, Assignment] = {}
        self.virtual_hosts: list[VirtualHost] = []
        known: dict[str, object] = {}
        for index, node in enumerate(tree.body):
            self.statements.append(self._statement(index, node, known))

    def _parse(self, data: bytes) -> ast.Module:
        where = None if self.filename is None else _paths.norm(self.filename)
        filename = where if where is not None else "<mm_cfg.py>"
        try:
            return ast.parse(data, filename=filename)
        except SyntaxError as error:
            first = error
        except ValueError as error:  # NUL bytes
            raise ParseError(f"not a Python source file: {error}", path=where) from None
        except (RecursionError, MemoryError):
            raise ParseError("expression nested too deeply to read", path=where) from None
        # Mailman 2 runs on Python 2: retry with its numeric literals and print statements
        # rewritten in place (same length, so every position stays true).
        converted = _python2_compatible(data)
        if converted is not None:
            try:
                tree = ast.parse(converted.data, filename=filename)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
            else:
                self._python2 = converted.blanked
                self._rewritten = converted.literals
                return tree
        raise ParseError(
            f"Python syntax error: {first.msg or 'invalid syntax'}",
            path=where,
            line=first.lineno or 1,
            column=max(first.offset or 1, 1),
        ) from None

    def _end(self, line: int, column: int) -> int:
        """An end column (0-based) moved to the end of a rewritten Python 2 literal it falls in."""
        for row, start, stop in self._rewritten:
            if row == line and start < column <= stop:
                return stop
        return column

    def _source(self, node: ast.stmt) -> str:
        end_line = node.end_lineno or node.lineno
        end_col = self._end(end_line, node.end_col_offset if node.end_col_offset is not None else 0)
        if isinstance(node, ast.Pass) and node.lineno in self._python2:
            end_line, end_col, _ = self._python2[node.lineno]
        lines = self._lines[node.lineno - 1 : end_line]
        if not lines:
            return ""
        if len(lines) == 1:
            return lines[0][node.col_offset : end_col]
        return lines[0][node.col_offset :] + "".join(lines[1:-1]) + lines[-1][:end_col]

    def _statement(self, index: int, node: ast.stmt, known: dict[str, object]) -> Statement:
        def make(kind: str, **extra: object) -> Statement:
            return Statement(
                kind,
                node.lineno,
                node.col_offset + 1,
                node.end_lineno or node.lineno,
                self._end(node.end_lineno or node.lineno, node.end_col_offset or 0) + 1,
                self._source(node),
                **extra,  # type: ignore[arg-type]
            )

        if (
            isinstance(node, ast.ImportFrom)
            and node.module in ("Defaults", "Mailman.Defaults")
            and [a.name for a in node.names] == ["*"]
        ):
            # Defaults.py's constants (Yes, No, On, Off, ...) and time helpers are now defined.
            for name, value in DEFAULTS_CONSTANTS.items():
                known.setdefault(name, value)
            known[_TIME_CALLS] = True
            return make("defaults import")
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and index == 0
        ):
            return make("docstring")
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            try:
                value = _literal(node.value, known)
            except _Literal as why:
                self._unknown(names, node, known)
                for name in names:
                    known.pop(name, None)
                return make("not understood", names=names, reason=str(why))
            for target in node.targets:
                assert isinstance(target, ast.Name)
                known[target.id] = value
                known[f"{_SHADOW}{target.id}"] = True
                self.assignments[target.id] = Assignment(
                    target.id,
                    value,
                    True,
                    target.lineno,
                    target.col_offset + 1,
                    node.value.lineno,
                    node.value.col_offset + 1,
                    node.value.end_lineno or node.value.lineno,
                    self._end(node.value.end_lineno or node.value.lineno, node.value.end_col_offset or 0) + 1,
                )
            return make("assignment", names=names, value=value)
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "add_virtualhost"
        ):
            call = node.value
            try:
                if call.keywords or not 1 <= len(call.args) <= 2:
                    raise _Literal("add_virtualhost() takes a URL host and an optional email host")
                args = [_literal(arg, known) for arg in call.args]
                if not all(isinstance(a, str) for a in args):
                    raise _Literal("add_virtualhost() arguments must be strings")
            except _Literal as why:
                return make("not understood", reason=str(why))
            url_host = str(args[0])
            email_host = str(args[1]) if len(args) > 1 else None
            self.virtual_hosts.append(VirtualHost(url_host, email_host, node.lineno, node.col_offset + 1))
            return make("add_virtualhost", value=(url_host, email_host))
        if isinstance(node, ast.Pass) and node.lineno in self._python2:
            end_line, end_column, reason = self._python2[node.lineno]
            statement = make("not understood", reason=reason)
            statement.end_line, statement.end_column = end_line, end_column + 1
            return statement
        names = _assigned_names(node)
        self._unknown(names, node, known)
        for name in names:
            known.pop(name, None)
        return make("not understood", names=names, reason=f"{type(node).__name__.lower()} statement is not evaluated")

    def _unknown(self, names: list[str], node: ast.stmt, known: dict[str, object]) -> None:
        for name in names:
            known[f"{_SHADOW}{name}"] = True
            self.assignments[name] = Assignment(
                name,
                None,
                False,
                node.lineno,
                node.col_offset + 1,
                node.lineno,
                node.col_offset + 1,
                node.end_lineno or node.lineno,
                (node.end_col_offset or 0) + 1,
            )

    # -- the Document face ---------------------------------------------------------------

    def to_bytes(self) -> bytes:
        return self._data

    def check(self, data: bytes) -> None:
        Mailman2Document(data, path=self.filename)

    @property
    def not_understood(self) -> list[Statement]:
        return [s for s in self.statements if not s.understood]

    def get(self, name: str) -> Assignment | None:
        """The last assignment of ``name`` (``known`` is False when its value was computed)."""
        return self.assignments.get(name)

    def values(self) -> dict[str, object]:
        """Names with a known literal value, after the whole file."""
        return {name: a.value for name, a in self.assignments.items() if a.known}

    def set(self, name: str, value: object) -> None:
        """Give ``name`` a new literal value: the last literal assignment's value is replaced in
        place; otherwise ``NAME = value`` is appended at the end of the file."""
        text = repr(value)
        try:
            if ast.literal_eval(text) != value:
                raise ValueError
        except (ValueError, SyntaxError):
            raise EditError(f"{name}: {value!r} is not a Python literal") from None
        current = self.assignments.get(name)
        lines = decode(self._data).splitlines(keepends=True)
        if current is not None and not current.known:
            raise EditError(f"{name} is set by code mailconf does not evaluate (line {current.line}); edit it by hand")
        if current is not None:
            start = sum(len(x) for x in lines[: current.value_line - 1]) + current.value_column - 1
            stop = sum(len(x) for x in lines[: current.end_line - 1]) + current.end_column - 1
            raw = decode(self._data)
            new = raw[:start] + text + raw[stop:]
        else:
            raw = decode(self._data)
            newline = "\r\n" if "\r\n" in raw else "\n"
            if raw and not raw.endswith(("\n", "\r")):
                raw += newline
            new = raw + f"{name} = {text}{newline}"
        before = self._data
        try:
            self._load(encode(new))
            ok = self.values().get(name, object()) == value
        except ParseError:
            ok = False
        if not ok:
            self._load(before)
            raise EditError(f"{name} = {text} cannot be written so that it reads back")


def parse_mm_cfg(data: bytes, path: str | Path | None = None) -> Mailman2Document:
    """Parse a Mailman 2 ``mm_cfg.py`` without running it."""
    return Mailman2Document(data, path=path)
