"""A Dovecot configuration tree: the main file and everything it includes.

:func:`load` follows ``!include`` / ``!include_try`` the way doveconf does: patterns are
relative to the including file's directory, expanded with glob (braces ``{a,b}`` expand in
order, each alternative's matches sorted), each match read in that order at the point of the
include (includes are textual, also inside sections). doveconf keeps a stack of open files and
refuses a file whose path is already on it (``Recursive include file: F``); a pattern with no
match is ``No matches`` unless it is ``!include_try``. ``key = <file`` values are never read.

Everything is bounded (include depth, number of files read, bytes, statements): a tree beyond
the limits is a clear :class:`DovecotIncludeError`, never a RecursionError or a hang.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator

from mailconf._glob import fnmatchcase, glob
from mailconf._record import Record
from mailconf._text import decode
from mailconf.dovecot._syntax import (
    DovecotIncludeError,
    DovecotParseError,
    DovecotWarning,
    Statement,
    resolve_relative,
    scan_from,
)
from mailconf.dovecot.document import (
    FILTERS,
    MISSING_KEY,
    DovecotDocument,
    SectionKey,
    SectionPath,
    SectionSpec,
    missing_close,
    rules_for,
    section_path,
)
from mailconf.errors import ParseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

MAX_DEPTH = 1000  # nested include levels (doveconf keeps each level open: ~1024 file descriptors)
MAX_READS = 5000  # files read, counting a file included twice twice
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 128 * 1024 * 1024
MAX_STATEMENTS = 2_000_000  # statements in reading order (includes expanded)

# Settings that tell 2.0-2.2 trees from 2.3 ones (used when nothing else decides).
_NEW_IN_23 = frozenset(
    {
        "ssl_min_protocol",
        "ssl_dh",
        "ssl_cipher_suites",
        "ssl_client_ca_dir",
        "ssl_client_ca_file",
        "submission_host",
        "submission_relay_host",
        "mail_attachment_detection_options",
        "auth_policy_server_url",
        "login_proxy_max_reconnects",
        "metric",
        "event_exporter",
        "log_core_filter",
        "log_debug",
    }
)
_OLD_BEFORE_23 = frozenset(
    {
        "ssl_parameters_regenerate",
        "ssl_dh_parameters_length",
        "ssl_protocols",
        "login_access_sockets",
        "auth_ssl_require_client_cert",
        "mail_full_filesystem_access",
        "ssl_cert_file",
        "ssl_key_file",
        "ssl_ca_file",
        "ssl_disable",
        "login_process_per_connection",
        "login_processes_count",
        "mail_extra_groups",
        "verbose_ssl_errors",
    }
)


class IncludeRecord(Record):
    """Where an ``!include`` was and what it pulled in (paths in reading order)."""

    __slots__ = ("column", "documents", "line", "optional", "path", "pattern")

    def __init__(
        self,
        path: str,
        line: int,
        column: int,
        pattern: str,
        optional: bool,
        documents: tuple[str, ...],
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.pattern = pattern
        self.optional = optional
        self.documents = documents


class DovecotTree:
    """The main file and its includes, each its own :class:`DovecotDocument`.

    ``walk()`` yields statements in exactly doveconf's reading order with includes expanded
    where they stand. ``documents`` maps doveconf's path strings (relative ones are relative
    to the including file's directory, as doveconf builds them) to documents.
    """

    def __init__(
        self,
        path: str,
        documents: dict[str, DovecotDocument],
        order: list[Statement],
        includes: list[IncludeRecord],
        version: str,
        warnings: list[DovecotWarning],
    ) -> None:
        self.path = path
        self.documents = documents
        self.includes = includes
        self.version = version
        self.warnings = warnings
        self._order = order  # statements in reading order, include statements too

    @property
    def main(self) -> DovecotDocument:
        return self.documents[self.path]

    def walk(self, *, includes: bool = False) -> Iterator[Statement]:
        """Statements in doveconf's reading order ("include" ones only with ``includes=True``)."""
        for st in self._order:
            if st.kind == "include" and not includes:
                continue
            yield st

    def scoped(self) -> Iterator[tuple[SectionPath, Statement]]:
        """``walk()`` with the section path each statement stands in (across files)."""
        stack: list[SectionKey] = []
        for st in self.walk():
            if st.kind == "close":
                if stack:
                    stack.pop()
                yield tuple(stack), st
                continue
            yield tuple(stack), st
            if st.kind == "open":
                stack.append((st.section_type or "", st.section_name))

    def document(self, path: str | Path) -> DovecotDocument:
        """The document of ``path`` (doveconf's path string, or relative to the main file's directory)."""
        key = str(path)
        if key in self.documents:
            return self.documents[key]
        alt = resolve_relative(self.path, key)
        if alt in self.documents:
            return self.documents[alt]
        raise KeyError(key)

    def get(self, key: str, section: SectionSpec | None = ()) -> Statement | None:
        """The effective (last read) setting ``key`` directly in ``section``, or None."""
        target = section_path(section)
        found: Statement | None = None
        for where, st in self.scoped():
            if st.kind == "setting" and st.key == key and where == target:
                found = st
        return found

    # -- editing (see mailconf.dovecot.edit) -------------------------------------------------------
    def set(
        self,
        key: str,
        value: str,
        section: SectionSpec | None = (),
        *,
        file: str | Path | None = None,
        file_ref: bool = False,
        quote: bool | None = None,
    ) -> Statement:
        """Set ``key`` so that it is effective: in the file where its effective occurrence is,
        or (``file=``) in that file, e.g. a drop-in ``conf.d/99-local.conf``."""
        from mailconf.dovecot.edit import set_in_tree

        return set_in_tree(self, key, value, section_path(section), file=file, file_ref=file_ref, quote=quote)

    def remove(self, key: str, section: SectionSpec | None = ()) -> int:
        """Remove every occurrence of ``key`` directly in ``section``, in every file."""
        from mailconf.dovecot.edit import remove_in_tree

        return remove_in_tree(self, key, section_path(section))

    def add_section(
        self,
        section: SectionSpec,
        settings: dict[str, str] | list[tuple[str, str]] = (),  # type: ignore[assignment]
        *,
        file: str | Path | None = None,
    ) -> Statement:
        from mailconf.dovecot.edit import add_section_in_tree

        items = list(settings.items()) if isinstance(settings, dict) else list(settings)
        return add_section_in_tree(self, section_path(section), items, file=file)

    def remove_section(self, section: SectionSpec) -> int:
        from mailconf.dovecot.edit import remove_section_in_tree

        return remove_section_in_tree(self, section_path(section))

    def changed(self) -> list[DovecotDocument]:
        return [doc for doc in self.documents.values() if doc.changed]

    def write(self) -> list[str]:
        """Write every changed document atomically (after checking the whole tree reads)."""
        reload(self)  # raises before anything is written
        written: list[str] = []
        for name, doc in self.documents.items():
            if doc.changed:
                doc.write()
                written.append(name)
        return written


# -- globbing as glibc glob(GLOB_BRACE) -----------------------------------------------------------------
def expand_braces(pattern: str) -> list[str]:
    """glibc's GLOB_BRACE expansion: ``a{b,c}d`` -> ``abd``, ``acd`` (nested, in order)."""
    depth = 0
    begin = -1
    for i, c in enumerate(pattern):
        if c == "\\":
            continue
        if c == "{":
            if depth == 0:
                begin = i
            depth += 1
        elif c == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                body = pattern[begin + 1 : i]
                alternatives = _split_top(body)
                head, tail = pattern[:begin], pattern[i + 1 :]
                out: list[str] = []
                for alt in alternatives:
                    out.extend(expand_braces(head + alt + tail))
                return out
    return [pattern]


def _split_top(body: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
    for c in body:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if c == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur))
    return parts


def _has_magic(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def glob_paths(pattern: str, virtual: set[str] | None = None) -> list[str]:
    """Matches of ``pattern`` in glob order; ``virtual`` adds paths not yet on disk."""
    out: list[str] = []
    for alt in expand_braces(pattern):
        found: set[str] = set()
        if _has_magic(alt):
            found.update(glob(alt))
        elif os.path.lexists(alt.encode("latin-1")):
            found.add(alt)
        for v in virtual or ():
            if v == alt or (
                _has_magic(alt)
                and v.count("/") == alt.count("/")
                and fnmatchcase(v, alt)
                and not (v.rsplit("/", 1)[-1].startswith(".") and not alt.rsplit("/", 1)[-1].startswith("."))
            ):
                found.add(v)
        out.extend(sorted(found, key=lambda p: p.encode("latin-1")))
    return out


# -- loading -------------------------------------------------------------------------------------------------
class _Frame:
    __slots__ = ("depth", "doc", "error", "index", "name", "pending", "statements", "warnings", "wpos")

    def __init__(self, name: str, doc: DovecotDocument, depth: int = 0) -> None:
        self.depth = depth
        self.name = name
        self.doc = doc
        self.statements = doc.statements()
        self.error = doc.error
        self.pending = doc.pending_text
        self.warnings = list(doc.warnings)
        self.wpos = 0
        self.index = 0

    def emit(self, upto: int | None = None) -> list[DovecotWarning]:
        """Warnings of the lines read so far (up to line ``upto``; all when None)."""
        end = self.wpos
        while end < len(self.warnings) and (upto is None or self.warnings[end].line <= upto):
            end += 1
        out = self.warnings[self.wpos : end]
        self.wpos = end
        return out

    def resume(self, carry: str) -> None:
        """Read the rest of this file with ``carry`` in doveconf's line buffer: a ``\\``
        continuation left open at the end of the file read before."""
        start = self.statements[self.index - 1].end if self.index else 0
        result = scan_from(self.doc.text, self.doc.lines, self.name, rules_for(self.doc.version), start, carry)
        self.statements = self.statements[: self.index] + result.statements
        self.error = result.error
        self.pending = result.pending
        self.warnings = self.warnings[: self.wpos] + result.warnings


class _Loader:
    def __init__(self, version: str | None, known: dict[str, DovecotDocument] | None = None) -> None:
        self.forced = version
        self.rules = rules_for(version) if version is not None else None
        self.known = dict(known or {})
        self.documents: dict[str, DovecotDocument] = {}
        self.reads = 0
        self.bytes = 0

    def read(self, name: str, where: tuple[str, int], optional: bool, top: _Frame) -> DovecotDocument | None:
        self.reads += 1
        if self.reads > MAX_READS:
            raise DovecotIncludeError(f"Too many included files (more than {MAX_READS})", path=where[0], line=where[1])
        doc = self.documents.get(name) or self.known.get(name)
        if doc is None:
            raw = name.encode("latin-1")
            try:
                st = os.stat(raw)
                if stat.S_ISDIR(st.st_mode):
                    data = b""  # doveconf opens a directory and reads nothing from it
                else:
                    if st.st_size > MAX_FILE_BYTES:
                        raise DovecotIncludeError(
                            f"Include file {name} too large ({st.st_size} bytes, limit {MAX_FILE_BYTES})",
                            path=where[0],
                            line=where[1],
                        )
                    with open(raw, "rb") as handle:
                        data = handle.read(MAX_FILE_BYTES + 1)
            except OSError as exc:
                if optional:
                    return None
                reason = os.strerror(exc.errno) if exc.errno else str(exc)
                raise DovecotIncludeError(
                    f"Couldn't open include file {name}: {reason}", path=top.name, line=_line_of(top)
                ) from None
            self.bytes += len(data)
            if self.bytes > MAX_TOTAL_BYTES:
                raise DovecotIncludeError(
                    f"Included files too large (more than {MAX_TOTAL_BYTES} bytes)", path=where[0], line=where[1]
                )
            doc = DovecotDocument(decode(data), name, version=self.rules or "2.3", standalone=False)
        elif self.rules is not None and doc.version != self.rules and rules_for(doc.version) != self.rules:
            doc = DovecotDocument(doc.text, name, version=self.rules, standalone=False)
        self.documents[name] = doc
        return doc

    def load(self, path: str) -> DovecotTree:
        raw = path.encode("latin-1")
        main = self.known.get(path)
        if main is None:
            try:
                info = os.stat(raw)
                if info.st_size > MAX_FILE_BYTES:
                    raise DovecotIncludeError(f"{path} too large ({info.st_size} bytes)", path=path)
                if stat.S_ISDIR(info.st_mode):
                    data = b""  # doveconf opens a directory and reads nothing from it
                else:
                    with open(raw, "rb") as handle:
                        data = handle.read(MAX_FILE_BYTES + 1)
            except OSError as exc:
                message = f"open({path}) failed: {os.strerror(exc.errno or errno.EIO)}"
                raise DovecotParseError(message, path=path, line=1, doveconf=message) from None
            main = DovecotDocument(decode(data), path, version=self.forced)
        elif self.forced is not None and rules_for(main.version) != rules_for(self.forced):
            main = DovecotDocument(main.text, path, version=self.forced)
        version = self.forced or main.version
        if self.rules is None:
            self.rules = rules_for(version)
        self.documents[path] = main
        order: list[Statement] = []
        includes: list[IncludeRecord] = []
        warnings: list[DovecotWarning] = []  # in the order doveconf would print them
        stack: list[_Frame] = [_Frame(path, main)]
        try:
            return self._walk(path, stack, order, includes, warnings, version)
        except ParseError as exc:
            # doveconf applies each setting as it reads it: a setting it refuses before this point
            # is the error it reports (see mailconf.dovecot.config.reading_error)
            last = order[-1] if order else None  # the statement refused, when it is one
            refused = last is not None and last.path == exc.path and exc.line in (last.line, last.end_line)
            if refused and not exc.message.startswith("Missing '}'"):  # that one is found at the end
                order = order[:-1]
            exc.partial_tree = DovecotTree(path, self.documents, order, includes, version, warnings)  # type: ignore[attr-defined]
            raise

    def _walk(
        self,
        path: str,
        stack: list[_Frame],
        order: list[Statement],
        includes: list[IncludeRecord],
        warnings: list[DovecotWarning],
        version: str,
    ) -> DovecotTree:
        open_sections: list[Statement] = []
        carry = ""  # doveconf's line buffer outlives the file that filled it
        while stack:
            frame = stack[-1]
            if carry:
                frame.resume(carry)
                carry = ""
            if frame.index >= len(frame.statements):
                warnings.extend(frame.emit())
                if frame.error is not None:
                    raise frame.error
                stack.pop()
                carry = frame.pending
                continue
            st = frame.statements[frame.index]
            frame.index += 1
            warnings.extend(frame.emit(st.end_line))
            order.append(st)
            if len(order) > MAX_STATEMENTS:
                raise DovecotIncludeError(
                    f"Configuration too large (more than {MAX_STATEMENTS} statements with includes expanded)",
                    path=frame.name,
                    line=st.line,
                )
            if st.kind == "open":
                open_sections.append(st)
            elif st.kind == "close":
                if not open_sections:
                    raise DovecotParseError("Unexpected '}'", path=frame.name, line=st.line, column=st.column)
                open_sections.pop()
            elif st.kind == "setting" and st.key == "" and all(o.section_type in FILTERS for o in open_sections):
                raise DovecotParseError(MISSING_KEY, path=frame.name, line=st.end_line, column=st.column)
            elif st.kind == "include":
                self.include(st, frame, stack, includes)
        if open_sections:
            raise missing_close(open_sections[-1], path)
        if self.forced is None and version != "2.4":
            version = _refine(self.documents)
        return DovecotTree(path, self.documents, order, includes, version, warnings)

    def include(self, st: Statement, frame: _Frame, stack: list[_Frame], includes: list[IncludeRecord]) -> None:
        pattern = resolve_relative(frame.name, st.pattern or "")
        matches = glob_paths(pattern, set(self.known))
        if not matches:
            if st.optional:
                includes.append(IncludeRecord(frame.name, st.line, st.column, st.pattern or "", True, ()))
                return
            raise DovecotIncludeError("No matches", path=frame.name, line=st.end_line, column=st.column)
        if frame.depth >= MAX_DEPTH:
            raise DovecotIncludeError(
                f"Includes nested too deeply (more than {MAX_DEPTH} levels)", path=frame.name, line=st.end_line
            )
        pushed: list[_Frame] = []
        for name in reversed(matches):
            top = stack[-1]
            if any(f.name == name for f in stack):
                raise DovecotIncludeError(
                    f"Recursive include file: {name}", path=top.name, line=_line_of(top), column=1
                )
            doc = self.read(name, (frame.name, st.end_line), st.optional, top)
            if doc is None:
                continue
            new = _Frame(name, doc, frame.depth + 1)
            stack.append(new)
            pushed.append(new)
        pulled = [f.name for f in reversed(pushed)]
        includes.append(IncludeRecord(frame.name, st.line, st.column, st.pattern or "", st.optional, tuple(pulled)))


def _line_of(frame: _Frame) -> int:
    """doveconf's current line number of an input: the last line read (0 before any)."""
    if frame.index == 0:
        return 0
    return frame.statements[frame.index - 1].end_line


def _refine(documents: dict[str, DovecotDocument]) -> str:
    """2.3, or 2.0 for trees with names that 2.3 dropped or renamed (1.x names included)."""
    keys: set[str] = set()
    old_protocols = False
    for doc in documents.values():
        depth = 0
        for st in doc.statements():
            if st.kind == "close":
                depth = max(depth - 1, 0)
                continue
            if st.kind in ("setting", "open"):
                keys.add(st.key)
            if st.kind == "open":
                if depth == 0 and st.key == "auth":  # 1.x "auth default {"
                    old_protocols = True
                depth += 1
            elif st.key == "protocols" and any(p in st.value.split() for p in ("imaps", "pop3s")):
                old_protocols = True
    if keys & _NEW_IN_23:
        return "2.3"
    if old_protocols or keys & _OLD_BEFORE_23:
        return "2.0"
    return "2.3"


def load(path: str | Path, *, version: str | None = None) -> DovecotTree:
    """Read ``path`` and everything it includes, as doveconf does.

    ``version`` ("2.0", "2.3", "2.4") overrides detection (the first setting of the main file
    being ``dovecot_config_version`` means 2.4; otherwise 2.3, or 2.0 when only pre-2.3 names
    are present). Raises :class:`DovecotParseError` / :class:`DovecotIncludeError` with
    doveconf's message at the first problem in reading order.
    """
    return _Loader(version).load(str(path))


def reload(tree: DovecotTree) -> DovecotTree:
    """Read ``tree`` again from its in-memory documents (edited ones included); files not yet
    loaded are read from disk. Raises like :func:`load`."""
    forced = tree.version if tree.version == "2.4" else None
    return _Loader(forced, tree.documents).load(tree.path)
