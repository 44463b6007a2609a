"""Edits of Dovecot documents and trees that change only the bytes they must.

A value edit replaces the value bytes of one setting (from its first value byte to its last,
continuation lines included; the key, separator, indentation and any trailing comment stay).
A new setting or section is inserted as whole lines: before the ``}`` of the section it goes
in, or at the end of the file for the top level, indented like its neighbours, with the
file's line ending. Values are written bare when doveconf reads them back unchanged, and in
double quotes (``\\`` and ``"`` escaped) otherwise. Every edit is read back at once: an edit
whose result doveconf would not read, or (on a tree) that would not be the effective value,
raises :class:`~mailconf.errors.EditError` and leaves the documents as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mailconf.dovecot._syntax import WHITE_24, DovecotParseError, Statement, resolve_relative
from mailconf.dovecot.document import DovecotDocument, SectionKey, SectionPath, rules_for
from mailconf.errors import EditError

if TYPE_CHECKING:
    from mailconf.dovecot.tree import DovecotTree

_KEY_FORBIDDEN = set(WHITE_24) | set("=#{}\"'\\\0<$")


# -- rendering ----------------------------------------------------------------------------------------------
def check_key(key: str) -> None:
    if not key or any(c in _KEY_FORBIDDEN for c in key) or key.startswith("!"):
        raise EditError(f"invalid setting name: {key!r}")


def is_bare(value: str) -> bool:
    """True when ``key = value`` written bare reads back as exactly ``value``."""
    if value == "":
        return True
    if any(c in value for c in "#\"'\0\n\r"):
        return False
    return not (value[0] in WHITE_24 or value[-1] in WHITE_24 or value[0] == "<" or value[-1] == "\\")


def render_value(value: str, *, file_ref: bool = False, quote: bool | None = None) -> str:
    """The text to write after ``key = `` so that doveconf reads ``value``.

    ``quote=None`` writes the value bare when doveconf reads it back unchanged (so a bare
    ``$name`` reference stays one), ``True`` always quotes (a literal ``$`` in 2.4, say),
    ``False`` refuses values that need quotes.
    """
    if any(c in value for c in "\0\n\r"):
        raise EditError(f"a Dovecot value cannot hold a newline, CR or NUL: {value!r}")
    if file_ref:
        if not value or not is_bare(value) or value[0] in "$<":
            raise EditError(f"not usable as a <file path: {value!r}")
        return "<" + value
    if quote is None:
        quote = not is_bare(value)
    if not quote:
        if not is_bare(value):
            raise EditError(f"value needs quotes: {value!r}")
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_header(section: SectionKey) -> str:
    typ, name = section
    if not typ or any(c in _KEY_FORBIDDEN for c in typ) or typ in ("}", "group"):
        raise EditError(f"invalid section type: {typ!r}")
    if name is None:
        return f"{typ} {{"
    if '"' in name or any(c in name for c in "\0\n\r"):
        raise EditError(f"a section name cannot hold a double quote, newline or NUL: {name!r}")
    if name and not any(c in name for c in WHITE_24 + "#'{\\") and name != "{":
        return f"{typ} {name} {{"
    return f'{typ} "{name.replace(chr(92), chr(92) * 2)}" {{'


def _eol(doc: DovecotDocument) -> str:
    for line in doc.lines:
        if line.text.endswith("\n"):
            return "\r\n" if line.text.endswith("\r\n") else "\n"
    return "\n"


def _unit(doc: DovecotDocument) -> str:
    """The file's indentation step: that of the first indented statement at depth 1."""
    depth = 0
    for st in doc.statements():
        if st.kind == "close":
            depth = max(depth - 1, 0)
            continue
        if depth == 1 and st.indent:
            return st.indent
        if st.kind == "open":
            depth += 1
    return "  "


def _separator(neighbour: Statement | None) -> str:
    if neighbour is not None and neighbour.kind == "setting" and neighbour.separator == "=":
        return "="
    return " = "


def _setting_line(indent: str, key: str, sep: str, rendered: str) -> str:
    if rendered == "":
        return f"{indent}{key}{sep.rstrip()}"
    return f"{indent}{key}{sep}{rendered}"


# -- section instances in one document ---------------------------------------------------------------
@dataclass(slots=True)
class Instance:
    """One occurrence of a section: its open statement, close statement and direct children."""

    path: SectionPath
    open: Statement | None  # None for the top level
    close: Statement | None
    children: list[Statement]
    open_doc: DovecotDocument | None
    close_doc: DovecotDocument | None
    children_docs: list[DovecotDocument]


def _instances(events: Iterator[tuple[DovecotDocument, Statement]]) -> list[Instance]:
    """Every section instance (and the top level, path ``()``) of a statement stream."""
    top = Instance((), None, None, [], None, None, [])
    out: list[Instance] = [top]
    stack: list[Instance] = [top]
    for doc, st in events:
        current = stack[-1]
        if st.kind == "close":
            if len(stack) > 1:
                inst = stack.pop()
                inst.close = st
                inst.close_doc = doc
            continue
        current.children.append(st)
        current.children_docs.append(doc)
        if st.kind == "open":
            inst = Instance((*current.path, (st.section_type or "", st.section_name)), st, None, [], doc, None, [])
            out.append(inst)
            stack.append(inst)
    return out


def _doc_events(doc: DovecotDocument) -> Iterator[tuple[DovecotDocument, Statement]]:
    for st in doc.statements():
        yield doc, st


def _tree_events(tree: DovecotTree) -> Iterator[tuple[DovecotDocument, Statement]]:
    for st in tree.walk(includes=True):
        yield tree.documents[st.path or tree.path], st


# -- insertion ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Spot:
    doc: DovecotDocument
    offset: int
    indent: str
    sep: str


def _spot_in(inst: Instance, fallback: DovecotDocument) -> _Spot:
    """Where new lines go inside ``inst``: before its ``}``, or at the end of the top level."""
    if inst.open is None:  # top level of a document
        doc = fallback
        scoped = doc.scoped()
        if scoped and (scoped[-1][0] != () or scoped[-1][1].kind == "open"):
            raise EditError(f"{doc.name}: the file ends inside a section; cannot add at its top level")
        neighbour = next((st for st in reversed(doc.statements()) if st.kind == "setting"), None)
        return _Spot(doc, len(doc.text), "", _separator(neighbour))
    if inst.close is None or inst.close_doc is None:
        raise EditError("section is not closed; cannot add to it")
    doc = inst.close_doc
    same_doc = [st for st, d in zip(inst.children, inst.children_docs, strict=True) if d is doc]
    neighbour = next((st for st in reversed(same_doc) if st.kind == "setting"), None)
    if same_doc:
        indent = same_doc[-1].indent
    elif inst.open_doc is doc:
        indent = inst.open.indent + _unit(doc)
    else:
        indent = inst.close.indent + _unit(doc)
    return _Spot(doc, inst.close.start, indent, _separator(neighbour))


def _lines_for(spot: _Spot, remaining: SectionPath, body: list[str]) -> str:
    """Text for ``body`` lines wrapped in the ``remaining`` sections, at ``spot``."""
    doc = spot.doc
    unit = _unit(doc)
    eol = _eol(doc)
    out: list[str] = []
    indent = spot.indent
    for section in remaining:
        out.append(indent + render_header(section))
        indent += unit
    out.extend(indent + line for line in body)
    for _ in remaining:
        indent = indent[: len(indent) - len(unit)]
        out.append(indent + "}")
    text = eol.join(out) + eol
    if spot.offset == len(doc.text) and doc.text and not doc.text.endswith("\n"):
        text = eol + text
    return text


def _deepest(instances: list[Instance], path: SectionPath) -> tuple[Instance, SectionPath]:
    """The last instance of the longest existing prefix of ``path``, and what remains."""
    for size in range(len(path), -1, -1):
        prefix = path[:size]
        found = [inst for inst in instances if inst.path == prefix and (size == 0 or inst.close is not None)]
        if found:
            return found[-1], path[size:]
    raise AssertionError("the top level always exists")


# -- documents ---------------------------------------------------------------------------------------------------
def set_in_document(
    doc: DovecotDocument,
    key: str,
    value: str,
    path: SectionPath,
    *,
    file_ref: bool = False,
    quote: bool | None = None,
) -> Statement:
    check_key(key)
    rendered = render_value(value, file_ref=file_ref, quote=quote)
    instances = _instances(_doc_events(doc))
    hits = [
        st for inst in instances if inst.path == path for st in inst.children if st.kind == "setting" and st.key == key
    ]
    if hits:
        _replace_value(doc, hits[-1], rendered)
    else:
        inst, remaining = _deepest(instances, path)
        spot = _spot_in(inst, doc)
        sep = spot.sep
        text = _lines_for(spot, remaining, [_setting_line("", key, sep, rendered)])
        doc._replace([(spot.offset, spot.offset, text)])
    result = doc.get(key, path)
    if result is None or not _means(result, value, file_ref, doc):
        raise EditError(f"{doc.name}: {key} does not read back as {value!r}")
    return result


def _refuse_joined(st: Statement) -> None:
    if st.joined:
        raise EditError(
            f"{st.path}:{st.line}: {st.key} continues a '\\' line of another file; edit that file's end first"
        )


def _replace_value(doc: DovecotDocument, st: Statement, rendered: str) -> None:
    _refuse_joined(st)
    start, end = st.value_start, st.value_end
    if start == end and rendered and start > 0 and doc.text[start - 1] == "=":
        rendered = " " + rendered
    if not rendered:  # "key =": no blank left dangling after the "="
        eq = doc.text.rfind("=", st.key_end, start)
        if eq >= 0:
            start = eq + 1
    doc._replace([(start, end, rendered)])


def _means(st: Statement, value: str, file_ref: bool, doc: DovecotDocument) -> bool:
    if file_ref:
        return st.file_ref is not None and st.value == value
    return st.file_ref is None and st.value == value


def remove_in_document(doc: DovecotDocument, key: str, path: SectionPath) -> int:
    instances = _instances(_doc_events(doc))
    hits = [
        st for inst in instances if inst.path == path for st in inst.children if st.kind == "setting" and st.key == key
    ]
    if hits:
        doc._replace([(st.start, st.end, "") for st in hits])
    return len(hits)


def add_section_in_document(doc: DovecotDocument, path: SectionPath, items: list[tuple[str, str]]) -> Statement:
    if not path:
        raise EditError("no section given")
    instances = _instances(_doc_events(doc))
    parent, remaining = _deepest(instances, path[:-1])
    spot = _spot_in(parent, doc)
    body = []
    for key, value in items:
        check_key(key)
        body.append(_setting_line("", key, spot.sep, render_value(value)))
    # the new section's lines: the remaining parents and the section itself
    text = _lines_for(spot, (*remaining, path[-1]), body)
    doc._replace([(spot.offset, spot.offset, text)])
    opened = [inst for inst in _instances(_doc_events(doc)) if inst.path == path and inst.open is not None]
    if not opened or opened[-1].open is None:
        raise EditError("the new section does not read back")
    return opened[-1].open


def remove_section_in_document(doc: DovecotDocument, path: SectionPath) -> int:
    if not path:
        raise EditError("no section given")
    instances = [inst for inst in _instances(_doc_events(doc)) if inst.path == path and inst.open is not None]
    edits: list[tuple[int, int]] = []
    for inst in instances:
        if inst.close is None or inst.open is None:
            raise EditError(f"{doc.name}: section {path[-1]} is not closed in this file")
        edits.append((inst.open.start, inst.close.end))
    edits = _outermost(edits)
    if edits:
        doc._replace([(a, b, "") for a, b in edits])
    return len(instances)


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            continue
        out.append((a, b))
    return out


# -- trees ----------------------------------------------------------------------------------------------------------
class _Snapshot:
    """Texts of every document of a tree, to undo a failed edit."""

    def __init__(self, tree: DovecotTree) -> None:
        self.tree = tree
        self.documents = dict(tree.documents)
        self.texts = {name: doc.text for name, doc in tree.documents.items()}

    def restore(self) -> None:
        for name, doc in self.documents.items():
            if doc.text != self.texts[name]:
                doc._load(self.texts[name])
        self.tree.documents.clear()
        self.tree.documents.update(self.documents)


def _refresh(tree: DovecotTree, snapshot: _Snapshot) -> None:
    from mailconf.dovecot.tree import reload

    try:
        new = reload(tree)
    except DovecotParseError as exc:
        snapshot.restore()
        raise EditError(f"the edited configuration would not be read by doveconf: {exc}") from None
    tree.documents = new.documents
    tree.includes = new.includes
    tree.warnings = new.warnings
    tree._order = new._order


def _target_doc(tree: DovecotTree, file: str | Path) -> DovecotDocument:
    name = str(file)
    for candidate in (name, resolve_relative(tree.path, name)):
        if candidate in tree.documents:
            return tree.documents[candidate]
    full = resolve_relative(tree.path, name)
    if Path(full).exists():
        text = Path(full).read_bytes().decode("latin-1")
    else:
        text = ""
    doc = DovecotDocument(text, full, version=rules_for(tree.version), standalone=False)
    doc._original = "" if not Path(full).exists() else text
    tree.documents[full] = doc
    return doc


def set_in_tree(
    tree: DovecotTree,
    key: str,
    value: str,
    path: SectionPath,
    *,
    file: str | Path | None = None,
    file_ref: bool = False,
    quote: bool | None = None,
) -> Statement:
    check_key(key)
    rendered = render_value(value, file_ref=file_ref, quote=quote)
    snapshot = _Snapshot(tree)
    try:
        if file is not None:
            doc = _target_doc(tree, file)
            set_in_document(doc, key, value, path, file_ref=file_ref, quote=quote)
        else:
            instances = _instances(_tree_events(tree))
            hits = [
                (st, d)
                for inst in instances
                if inst.path == path
                for st, d in zip(inst.children, inst.children_docs, strict=True)
                if st.kind == "setting" and st.key == key
            ]
            last = max(hits, key=lambda h: _rank(tree, h[0])) if hits else None
            if last is not None and editable(tree, last[1]):
                _replace_value(last[1], last[0], rendered)
            else:  # not set, or set last in a file outside the configuration directory
                usable = [i for i in instances if i.close_doc is None or editable(tree, i.close_doc)]
                inst, remaining = _deepest(usable, path)
                spot = _spot_in(inst, tree.main)
                text = _lines_for(spot, remaining, [_setting_line("", key, spot.sep, rendered)])
                spot.doc._replace([(spot.offset, spot.offset, text)])
    except EditError:
        snapshot.restore()
        raise
    _refresh(tree, snapshot)
    result = tree.get(key, path)
    if result is None or not _means(result, value, file_ref, tree.main):
        where = f"{result.path}:{result.line}" if result is not None else "nowhere"
        snapshot.restore()
        _refresh(tree, snapshot)
        raise EditError(f"{key} would not take effect (the effective occurrence would be {where})")
    return result


def editable(tree: DovecotTree, doc: DovecotDocument) -> bool:
    """Edits stay in the main file's directory tree: files included from elsewhere (Debian's
    ``/usr/share/dovecot/protocols.d/*.protocol``, say) belong to packages."""
    import os.path

    base = os.path.dirname(os.path.abspath(tree.path))
    name = os.path.abspath(doc.name or tree.path)
    return name == base or name.startswith(base.rstrip("/") + "/")


def _rank(tree: DovecotTree, st: Statement) -> int:
    """Position of ``st`` in reading order (last occurrence)."""
    rank = -1
    for i, other in enumerate(tree.walk(includes=True)):
        if other is st or (other.path == st.path and other.start == st.start):
            rank = i
    return rank


def remove_in_tree(tree: DovecotTree, key: str, path: SectionPath) -> int:
    snapshot = _Snapshot(tree)
    hits: dict[tuple[str, int], tuple[DovecotDocument, Statement]] = {}
    for inst in _instances(_tree_events(tree)):
        if inst.path != path:
            continue
        for st, doc in zip(inst.children, inst.children_docs, strict=True):
            if st.kind == "setting" and st.key == key and editable(tree, doc):
                hits[(doc.name or "", st.start)] = (doc, st)
    by_doc: dict[int, tuple[DovecotDocument, list[Statement]]] = {}
    for doc, st in hits.values():
        by_doc.setdefault(id(doc), (doc, []))[1].append(st)
    for _, sts in by_doc.values():
        for st in sts:
            _refuse_joined(st)
    try:
        for doc, sts in by_doc.values():
            doc._replace([(st.start, st.end, "") for st in sts])
    except EditError:
        snapshot.restore()
        raise
    _refresh(tree, snapshot)
    left = tree.get(key, path)
    if left is not None:
        snapshot.restore()
        _refresh(tree, snapshot)
        raise EditError(f"{key} is also set in {left.path}:{left.line}, outside the configuration directory")
    return len(hits)


def add_section_in_tree(
    tree: DovecotTree, path: SectionPath, items: list[tuple[str, str]], *, file: str | Path | None = None
) -> Statement:
    if not path:
        raise EditError("no section given")
    snapshot = _Snapshot(tree)
    try:
        if file is not None:
            add_section_in_document(_target_doc(tree, file), path, items)
        else:
            instances = _instances(_tree_events(tree))
            parent, remaining = _deepest(instances, path[:-1])
            spot = _spot_in(parent, tree.main)
            body = []
            for key, value in items:
                check_key(key)
                body.append(_setting_line("", key, spot.sep, render_value(value)))
            text = _lines_for(spot, (*remaining, path[-1]), body)
            spot.doc._replace([(spot.offset, spot.offset, text)])
    except EditError:
        snapshot.restore()
        raise
    _refresh(tree, snapshot)
    opened = [inst.open for inst in _instances(_tree_events(tree)) if inst.path == path and inst.open is not None]
    if not opened or opened[-1] is None:
        snapshot.restore()
        _refresh(tree, snapshot)
        raise EditError("the new section is not read by doveconf (is the file included?)")
    return opened[-1]


def remove_section_in_tree(tree: DovecotTree, path: SectionPath) -> int:
    if not path:
        raise EditError("no section given")
    snapshot = _Snapshot(tree)
    spans: dict[int, tuple[DovecotDocument, list[tuple[int, int]]]] = {}
    count = 0
    for inst in _instances(_tree_events(tree)):
        if inst.path != path or inst.open is None:
            continue
        if inst.close is None or inst.close_doc is not inst.open_doc or inst.open_doc is None:
            raise EditError(f"section {path[-1]} opened at {inst.open.path}:{inst.open.line} closes in another file")
        count += 1
        spans.setdefault(id(inst.open_doc), (inst.open_doc, []))[1].append((inst.open.start, inst.close.end))
    try:
        for doc, doc_spans in spans.values():
            doc._replace([(a, b, "") for a, b in _outermost(sorted(set(doc_spans)))])
    except EditError:
        snapshot.restore()
        raise
    _refresh(tree, snapshot)
    return count
