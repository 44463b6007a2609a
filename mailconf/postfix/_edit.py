"""Edits of main.cf and master.cf entries that change only the bytes they must.

Every function here takes an entry's physical lines (``mailconf.postfix._syntax.Line``) and
returns the new text of that entry; the documents splice it in and parse the whole file again,
so an edit that would give a file Postfix rejects is refused before anything changes.

Layout rules (see docs/editing.md):

- a value is replaced in place: the name, the separator, the indentation and the line endings
  around it stay as written; comment lines inside a replaced value are kept after it;
- list items are inserted in the style of the list: a new line with the same indentation and
  comma style for one-item-per-line lists, ``, item`` (or `` item``) on the same line otherwise;
- new entries copy the separator (``name = value`` or ``name=value``), the column alignment of
  master.cf fields and the indentation of ``-o`` lines from their neighbours.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise

from mailconf.errors import EditError
from mailconf.postfix._syntax import BLANKS, Line

LIST_SEPARATORS = BLANKS + ","
MASTER_FIELDS = ("service", "type", "private", "unprivileged", "chroot", "wakeup", "process_limit", "command")
DEFAULT_INDENT = "    "
DEFAULT_OPTION_INDENT = "  "
# Debian's stock master.cf columns: service, type, private, unpriv, chroot, wakeup, maxproc, command.
DEFAULT_COLUMNS = (0, 10, 16, 24, 32, 40, 48, 56)


# -- small helpers ----------------------------------------------------------------------------


def is_content(line: Line) -> bool:
    return line.kind in ("entry", "continuation")


def line_eol(text: str) -> str:
    """The line ending of ``text`` as written ("\\r\\n", "\\n" or "" for a last line without one)."""
    if text.endswith("\r\n"):
        return "\r\n"
    return "\n" if text.endswith("\n") else ""


def newline_of(text: str) -> str:
    """The newline style of a line ("\\r\\n" or "\\n"), even when it has none at the end of a file."""
    return "\r\n" if text.rstrip("\n").endswith("\r") else "\n"


def file_newline(texts: Iterable[str]) -> str:
    """The newline style of a file: that of its first line that has one ("\\n" by default)."""
    for text in texts:
        if text.endswith("\n"):
            return "\r\n" if text.endswith("\r\n") else "\n"
    return "\n"


def body(text: str) -> str:
    """A line without its line ending (\\r\\n or \\n)."""
    eol = line_eol(text)
    return text[: len(text) - len(eol)] if eol else text


def leading_blanks(text: str) -> str:
    return text[: len(text) - len(text.lstrip(BLANKS))]


def tokenize(text: str, separators: str) -> list[tuple[int, int]]:
    """Spans of tokens as Postfix's mystrtokq splits them: ``{...}`` groups hide separators."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in separators:
            i += 1
        if i >= n:
            break
        start, depth = i, 0
        while i < n and (depth > 0 or text[i] not in separators):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}" and depth > 0:
                depth -= 1
            i += 1
        spans.append((start, i))
    return spans


def check_name(name: str, what: str = "parameter name") -> None:
    if not name or any(ch in BLANKS or ch == "=" for ch in name) or name.startswith("#"):
        raise EditError(f"invalid {what}: {name!r}")


def balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


# -- a physical-line editor ---------------------------------------------------------------------


class LineEditor:
    """Character and line edits on one entry's physical lines, applied together by ``render``.

    Columns are 0-based offsets into a line's text; edits within one line must not overlap.
    """

    __slots__ = ("after", "before", "char_edits", "deleted", "texts")

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.char_edits: list[tuple[int, int, int, str]] = []
        self.deleted: set[int] = set()
        self.before: dict[int, list[str]] = {}
        self.after: dict[int, list[str]] = {}

    def replace(self, index: int, start: int, end: int, text: str) -> None:
        self.char_edits.append((index, start, end, text))

    def delete_line(self, index: int) -> None:
        self.deleted.add(index)

    def insert_after(self, index: int, body_text: str) -> None:
        self.after.setdefault(index, []).append(body_text)

    def insert_before(self, index: int, body_text: str) -> None:
        self.before.setdefault(index, []).append(body_text)

    def render(self) -> str:
        texts = list(self.texts)
        for index, start, end, text in sorted(self.char_edits, key=lambda e: (e[0], e[1]), reverse=True):
            texts[index] = texts[index][:start] + text + texts[index][end:]
        final_newline = bool(texts) and texts[-1].endswith("\n")
        out: list[str] = []
        for i, text in enumerate(texts):
            nl = newline_of(self.texts[i])
            out.extend(b + nl for b in self.before.get(i, []))
            if i not in self.deleted:
                out.append(text if text.endswith("\n") else text + ("\n" if text.endswith("\r") else nl))
            out.extend(b + nl for b in self.after.get(i, []))
        result = "".join(out)
        if not final_newline and result.endswith("\n"):
            result = result[:-1]
        return result


# -- a value inside an entry ------------------------------------------------------------------


class Token:
    __slots__ = ("end", "end_line", "start", "start_line", "text")

    def __init__(self, text: str, start_line: int, start: int, end_line: int, end: int) -> None:
        self.text = text
        self.start_line = start_line  # index into the entry's lines
        self.start = start  # column (0-based) in that line's text
        self.end_line = end_line
        self.end = end  # column just after the token


class EntryText:
    """The logical line of an entry with a map from logical offsets to (line index, column)."""

    __slots__ = ("lines", "logical", "starts")

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.starts: list[tuple[int, int]] = []  # (logical offset, line index)
        parts: list[str] = []
        size = 0
        for i, line in enumerate(self.lines):
            if not is_content(line):
                continue
            content = line.content
            self.starts.append((size, i))
            parts.append(content)
            size += len(content)
        self.logical = "".join(parts)

    def locate(self, offset: int, *, end: bool = False) -> tuple[int, int]:
        """(line index, column) of a logical offset; with ``end``, offsets at a line boundary
        belong to the earlier line."""
        best = self.starts[0]
        for start, index in self.starts:
            if start < offset or (start == offset and not end):
                best = (start, index)
            else:
                break
        return best[1], offset - best[0]

    def tokens(self, begin: int, end: int, separators: str) -> list[Token]:
        out: list[Token] = []
        for s, e in tokenize(self.logical[begin:end], separators):
            sl, sc = self.locate(begin + s)
            el, ec = self.locate(begin + e, end=True)
            out.append(Token(self.logical[begin + s : begin + e], sl, sc, el, ec))
        return out


def continuation_indent(lines: Sequence[Line]) -> str | None:
    for line in lines:
        if line.kind == "continuation":
            return leading_blanks(line.content)
    return None


def clean_value_lines(value: str) -> list[str]:
    """A value given by a caller, split into the physical lines it will take."""
    parts = value.split("\n")
    first = parts[0].strip(BLANKS)
    rest = [p.strip(BLANKS) for p in parts[1:]]
    rest = [p for p in rest if p]
    for part in rest:
        if part.startswith("#"):
            raise EditError(f"a continued value line cannot start with '#': {part!r}")
    return [first, *rest]


# -- main.cf ----------------------------------------------------------------------------------


def separator_style(entries: Iterable[tuple[str, str]]) -> str:
    """The most common ``name<sep>value`` separator among (name, first line) pairs."""
    seps: Counter[str] = Counter()
    for name, first in entries:
        rest = first[len(name) :]
        i = 0
        while i < len(rest) and rest[i] in " \t":
            i += 1
        if i >= len(rest) or rest[i] != "=":
            continue
        j = i + 1
        while j < len(rest) and rest[j] in " \t":
            j += 1
        if j >= len(rest.rstrip(BLANKS)):
            continue  # empty value: its separator says nothing about the blank after '='
        seps[rest[:j]] += 1
    if not seps:
        return " = "
    return seps.most_common(1)[0][0]


def main_value_offset(lines: list[Line]) -> int:
    """Logical offset of a main.cf entry's value (its end when the value is empty)."""
    from mailconf.postfix.document import split_nameval

    result = split_nameval(EntryText(lines).logical)
    if isinstance(result, str):
        raise EditError(result)
    return result[2]


def set_value(lines: list[Line], value_offset: int, value: str, indent: str | None) -> str:
    """New text of an entry whose value (from logical ``value_offset`` to the end) becomes ``value``.

    The text before the value (name, separator, any lines before the value's first line) and
    the trailing blanks and line ending of the last line stay as written; a multi-line value
    takes the entry's continuation indentation (else ``indent``).
    """
    parts = clean_value_lines(value)
    entry = EntryText(lines)
    old_value = entry.logical[value_offset:].rstrip(BLANKS)
    last = max(i for i, line in enumerate(lines) if is_content(line))
    if old_value:
        vline, vcol = entry.locate(value_offset)
        prefix = lines[vline].text[:vcol]
    else:
        # Empty value: write right after the '=', with a blank if the entry has one around '='.
        vline = last
        text = body(lines[vline].text)
        prefix = text.rstrip(BLANKS)
        spaced = prefix.endswith("=") and (
            prefix[:-1] != prefix[:-1].rstrip(" \t") or text[len(prefix) : len(prefix) + 1] in (" ", "\t")
        )
        if spaced:
            prefix += " "
    if not parts[0]:
        prefix = prefix.rstrip(" \t")
    last_body = body(lines[last].text)
    suffix = last_body[len(last_body.rstrip(BLANKS)) :]
    nl = newline_of(lines[last].text)
    ind = continuation_indent(lines) or indent or DEFAULT_INDENT
    out = [line.text for line in lines[:vline]]
    new_lines = [prefix + parts[0], *(ind + p for p in parts[1:])]
    new_lines[-1] += suffix
    out.extend(t + nl for t in new_lines)
    # Comment and blank lines that sat inside the old value stay, after the new one.
    out.extend(line.text for line in lines[vline + 1 :] if not is_content(line))
    return _fix_final_newline(out, lines)


def _fix_final_newline(out: list[str], lines: list[Line]) -> str:
    """Join ``out``; the result ends with a newline exactly when the old entry did."""
    had_newline = lines[-1].text.endswith("\n")
    nl = newline_of(lines[-1].text)
    fixed = [t if t.endswith("\n") else t + ("\n" if t.endswith("\r") else nl) for t in out]
    result = "".join(fixed)
    if not had_newline and result.endswith("\n"):
        result = result[: -len(nl)] if result.endswith(nl) else result[:-1]
    return result


def remove_entry(lines: list[Line]) -> str:
    """What remains of an entry that is removed: the comment and blank lines inside it."""
    kept = [line.text for line in lines if not is_content(line)]
    if not kept:
        return ""
    return _fix_final_newline(kept, lines)


def comment_entry(lines: list[Line]) -> str:
    """The entry with '#' before each of its lines (comment and blank lines inside it stay)."""
    return "".join("#" + line.text if is_content(line) else line.text for line in lines)


def new_entry_text(name: str, value: str, sep: str, indent: str, nl: str) -> str:
    parts = clean_value_lines(value)
    first = name + (sep if parts[0] else sep.rstrip(" \t")) + parts[0]
    return nl.join([first, *(indent + p for p in parts[1:])]) + nl


# -- list values ------------------------------------------------------------------------------


def _find_sequence(tokens: Sequence[Token], wanted: Sequence[str]) -> list[int]:
    """Start indexes of every occurrence of ``wanted`` as consecutive tokens."""
    hits = []
    k = len(wanted)
    for i in range(len(tokens) - k + 1):
        if [t.text for t in tokens[i : i + k]] == list(wanted):
            hits.append(i)
    return hits


def list_tokens(value: str) -> list[str]:
    """A list value's items as Postfix splits them (commas and blanks; ``{...}`` kept whole)."""
    return [value[s:e] for s, e in tokenize(value, LIST_SEPARATORS)]


def find_words(tokens: Sequence[str], wanted: Sequence[str]) -> list[int]:
    """Start indexes of every occurrence of ``wanted`` as consecutive items."""
    k = len(wanted)
    return [i for i in range(len(tokens) - k + 1) if list(tokens[i : i + k]) == list(wanted)]


def split_item(item: str) -> list[str]:
    words = [item[s:e] for s, e in tokenize(item, LIST_SEPARATORS)]
    if not words:
        raise EditError(f"empty list item: {item!r}")
    for w in words:
        if not balanced(w):
            raise EditError(f"unbalanced braces in list item: {item!r}")
    return words


class ListValue:
    __slots__ = ("entry", "lines", "tokens", "value_offset")

    def __init__(self, lines: list[Line], value_offset: int) -> None:
        self.lines = lines
        self.value_offset = value_offset
        self.entry = EntryText(self.lines)
        self.tokens = self.entry.tokens(self.value_offset, len(self.entry.logical), LIST_SEPARATORS)

    # helpers
    def line_tokens(self, index: int) -> list[int]:
        return [k for k, t in enumerate(self.tokens) if t.start_line == index or t.end_line == index]

    def body(self, index: int) -> str:
        return body(self.lines[index].text)

    def uses_commas(self) -> bool:
        value = self.entry.logical[self.value_offset :]
        depth = 0
        for ch in value:
            if ch == "{":
                depth += 1
            elif ch == "}" and depth:
                depth -= 1
            elif ch == "," and depth == 0:
                return True
        return False

    def item_lines(self) -> bool:
        """True when the list is laid out one item per continuation line."""
        seen = False
        commas = self.uses_commas()
        for i, line in enumerate(self.lines):
            if line.kind != "continuation":
                continue
            idx = self.line_tokens(i)
            if not idx:
                continue
            seen = True
            if commas:
                first, last = self.tokens[idx[0]], self.tokens[idx[-1]]
                if first.start_line != i or last.end_line != i:
                    return False
                inner = self.body(i)[first.start : last.end]
                # a comma between tokens of the line means several items on it
                if "," in "".join(inner[a:b] for a, b in _gaps(inner)):
                    return False
            elif len(idx) > 1:
                return False
        return seen

    def inline_separator(self) -> str:
        commas = self.uses_commas()
        seps: Counter[str] = Counter()
        for a, b in pairwise(self.tokens):
            if a.end_line == b.start_line:
                sep = self.body(a.end_line)[a.end : b.start]
                if (commas and "," in sep) or (not commas and sep):
                    seps[sep] += 1
        if seps:
            return seps.most_common(1)[0][0]
        return ", " if commas else " "


def _gaps(text: str) -> list[tuple[int, int]]:
    spans = tokenize(text, LIST_SEPARATORS)
    return [(a[1], b[0]) for a, b in pairwise(spans)]


def add_item(lines: list[Line], item: str, *, after: str | None, before: str | None) -> str | None:
    """New entry text with ``item`` added, or None when the item is already in the list."""
    lv = ListValue(lines, main_value_offset(lines))
    words = split_item(item)
    toks = lv.tokens
    if _find_sequence(toks, words):
        return None
    if not toks:
        raise AssertionError("add_item needs a non-empty list")  # callers set the value instead
    if after is not None and before is not None:
        raise EditError("give at most one of after= and before=")
    anchor = after if after is not None else before
    if anchor is not None:
        hits = _find_sequence(toks, split_item(anchor))
        if not hits:
            raise EditError(f"list item not found: {anchor!r}")
        first = hits[0]
        a, b = first, first + len(split_item(anchor)) - 1
    else:
        a, b = len(toks) - 1, len(toks) - 1
    placing_after = before is None
    commas = lv.uses_commas()
    editor = LineEditor([line.text for line in lines])
    text = " ".join(words)
    last_index = len(toks) - 1
    if lv.item_lines():
        if placing_after:
            tok = toks[b]
            line_idx = tok.end_line
            own = lv.line_tokens(line_idx)
            if own and own[-1] == b:
                template = _template_line(lv, line_idx)
                if template is not None:
                    prefix, _suffix, leading = template
                    new_is_last = b == last_index
                    if leading:
                        new_suffix = ""
                    elif new_is_last:
                        new_suffix = _after_last(lv)
                        if commas and "," not in new_suffix:
                            # the old last item now needs the comma that separates it from ours
                            editor.replace(tok.end_line, tok.end, tok.end, ",")
                            new_suffix = ""
                    else:
                        new_suffix = "," if commas else ""
                    editor.insert_after(line_idx, prefix + text + new_suffix)
                    return editor.render()
        else:
            tok = toks[a]
            line_idx = tok.start_line
            own = lv.line_tokens(line_idx)
            if own and own[0] == a and lines[line_idx].kind == "continuation":
                template = _template_line(lv, line_idx)
                if template is not None:
                    prefix, _suffix, leading = template
                    new_suffix = "" if leading or not commas else ","
                    editor.insert_before(line_idx, prefix + text + new_suffix)
                    return editor.render()
    sep = lv.inline_separator()
    if placing_after:
        tok = toks[b]
        editor.replace(tok.end_line, tok.end, tok.end, sep + text)
    else:
        tok = toks[a]
        editor.replace(tok.start_line, tok.start, tok.start, text + sep)
    return editor.render()


def _template_line(lv: ListValue, line_idx: int) -> tuple[str, str, bool] | None:
    """(prefix, suffix, leading-comma style) of a continuation line holding one item.

    For the entry line itself, the next continuation line with items serves as template.
    """
    candidates = [line_idx] if lv.lines[line_idx].kind == "continuation" else []
    candidates += [i for i in range(line_idx + 1, len(lv.lines)) if lv.lines[i].kind == "continuation"]
    candidates += [i for i in range(line_idx - 1, -1, -1) if lv.lines[i].kind == "continuation"]
    for i in candidates:
        own = lv.line_tokens(i)
        if not own:
            continue
        first, last = lv.tokens[own[0]], lv.tokens[own[-1]]
        if first.start_line != i or last.end_line != i:
            continue
        text = lv.body(i)
        prefix = text[: first.start]
        suffix = text[last.end :].rstrip(BLANKS)
        return prefix, suffix, "," in prefix
    return None


def _after_last(lv: ListValue) -> str:
    tok = lv.tokens[-1]
    return lv.body(tok.end_line)[tok.end :].rstrip(BLANKS)


def remove_item(lines: list[Line], item: str, grammar: str = "postfix_main") -> tuple[str, int]:
    """New entry text without any occurrence of ``item``, and how many were removed."""
    from mailconf.postfix._syntax import read_lines

    words = split_item(item)
    count = 0
    current = lines
    text = "".join(line.text for line in lines)
    while True:
        lv = ListValue(current, main_value_offset(current))
        hits = _find_sequence(lv.tokens, words)
        if not hits:
            return text, count
        text = _remove_one(lv, hits[0], hits[0] + len(words) - 1)
        count += 1
        current = read_lines(grammar, text)


def _remove_one(lv: ListValue, a: int, b: int) -> str:
    toks = lv.tokens
    lines = lv.lines
    editor = LineEditor([line.text for line in lines])
    first_line, last_line = toks[a].start_line, toks[b].end_line
    alone = all(a <= k <= b for i in range(first_line, last_line + 1) for k in lv.line_tokens(i)) and all(
        lines[i].kind == "continuation" for i in range(first_line, last_line + 1) if is_content(lines[i])
    )
    n = len(toks)
    if alone and lines[first_line].kind == "continuation":
        for i in range(first_line, last_line + 1):
            if is_content(lines[i]):
                editor.delete_line(i)
        if b == n - 1 and a > 0:
            removed_tail = lv.body(last_line)[toks[b].end :]
            prev = toks[a - 1]
            if "," not in removed_tail:
                tail = lv.body(prev.end_line)[prev.end :]
                if "," in tail and not tail.rstrip(BLANKS + ",").strip(BLANKS):
                    cut = tail.index(",")
                    editor.replace(prev.end_line, prev.end + cut, prev.end + cut + 1, "")
        return editor.render()
    same_next = b + 1 < n and toks[b + 1].start_line == toks[b].end_line
    same_prev = a > 0 and toks[a - 1].end_line == toks[a].start_line
    if same_next:
        nxt = toks[b + 1]
        if first_line == last_line:
            editor.replace(first_line, toks[a].start, nxt.start, "")
        else:  # a braced group over several lines: cut its first line, drop the rest
            _cut_span(editor, lv, a, b)
            editor.replace(last_line, toks[b].end, nxt.start, "")
    elif same_prev:
        prev = toks[a - 1]
        if first_line == last_line:
            editor.replace(first_line, prev.end, toks[b].end, "")
        else:
            editor.replace(first_line, prev.end, len(lv.body(first_line)), "")
            _drop_rest(editor, lv, first_line, last_line, toks[b].end)
    else:
        # alone on the entry line (more items, if any, on later lines): keep "name =".
        start_text = lv.body(first_line)[: toks[a].start].rstrip(" \t")
        end_col = len(lv.body(last_line).rstrip(BLANKS))
        if first_line == last_line:
            editor.replace(first_line, len(start_text), end_col, "")
        else:
            editor.replace(first_line, len(start_text), len(lv.body(first_line)), "")
            _drop_rest(editor, lv, first_line, last_line, end_col)
        if b == n - 1 and a > 0:
            pass
    return editor.render()


def _cut_span(editor: LineEditor, lv: ListValue, a: int, b: int) -> None:
    first_line, last_line = lv.tokens[a].start_line, lv.tokens[b].end_line
    editor.replace(first_line, lv.tokens[a].start, len(lv.body(first_line)), "")
    for i in range(first_line + 1, last_line):
        if is_content(lv.lines[i]):
            editor.delete_line(i)


def _drop_rest(editor: LineEditor, lv: ListValue, first_line: int, last_line: int, end_col: int) -> None:
    for i in range(first_line + 1, last_line):
        if is_content(lv.lines[i]):
            editor.delete_line(i)
    rest = lv.body(last_line)[end_col:]
    if rest.strip(BLANKS + ","):
        editor.replace(last_line, 0, end_col, leading_blanks(lv.body(last_line)))
    else:
        editor.delete_line(last_line)


# -- master.cf --------------------------------------------------------------------------------


class OptionValue:
    """A ``-o`` option in a service's option region."""

    __slots__ = ("name", "offset", "option", "value")

    def __init__(self, option: int, value: int, offset: int, name: str | None) -> None:
        self.option = option  # token index of the "-o" (or of "-oname=value")
        self.value = value  # token index of the value token
        self.offset = offset  # where the value starts inside its token (2 for "-oname=value")
        self.name = name


class ServiceTokens:
    __slots__ = ("entry", "last_option", "lines", "options", "tokens")

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.entry = EntryText(self.lines)
        self.tokens = self.entry.tokens(0, len(self.entry.logical), BLANKS)
        self.options: list[OptionValue] = []
        toks = self.tokens
        k, last = 8, 7
        while k < len(toks):
            text = toks[k].text
            if not text.startswith("-") or text == "--":
                break
            pos = text.find("o", 1)
            if pos == -1:
                last = k
                k += 1
                continue
            if pos + 1 < len(text):
                self.options.append(OptionValue(k, k, pos + 1, _override_name(text[pos + 1 :])))
                last = k
                k += 1
            elif k + 1 < len(toks):
                self.options.append(OptionValue(k, k + 1, 0, _override_name(toks[k + 1].text)))
                last = k + 1
                k += 2
            else:
                last = k
                k += 1
        self.last_option = last

    def body(self, index: int) -> str:
        return body(self.lines[index].text)

    def line_tokens(self, index: int) -> list[int]:
        return [k for k, t in enumerate(self.tokens) if t.start_line <= index <= t.end_line]


def _override_name(value: str) -> str | None:
    if value.startswith("{"):
        inner = value[1:-1] if value.endswith("}") else value[1:]
        inner = inner.strip(BLANKS)
        name = inner.split("=", 1)[0].strip(BLANKS) if "=" in inner else None
        return name if name and not any(ch in BLANKS for ch in name) else None
    return value.split("=", 1)[0] if "=" in value else None


def override_text(name: str, value: str) -> str:
    """``name=value``, or ``{ name = value }`` when the value has blanks or starts with '{'."""
    check_override(name, value)
    if any(ch in BLANKS for ch in value) or value.startswith("{"):
        return "{ " + name + " = " + value + " }"
    return name + "=" + value


def check_override(name: str, value: str) -> None:
    check_name(name)
    if "{" in name or "}" in name:
        raise EditError(f"invalid parameter name: {name!r}")
    if "\n" in value:
        raise EditError("a master.cf parameter value cannot span lines")
    if not balanced(value):
        raise EditError(f"unbalanced braces in value: {value!r}")


def set_override(lines: list[Line], name: str, value: str, indent: str | None) -> str:
    """New service text with every ``-o name=...`` of the option region set to ``value``, or
    one ``-o name=value`` added after the last option (as postconf -P -e does)."""
    check_override(name, value)
    st = ServiceTokens(lines)
    editor = LineEditor([line.text for line in lines])
    matched = [o for o in st.options if o.name == name]
    for opt in matched:
        tok = st.tokens[opt.value]
        vtext = tok.text[opt.offset :]
        if vtext.startswith("{") and tok.start_line == tok.end_line:
            inner_start = vtext.index("=") + 1
            while inner_start < len(vtext) and vtext[inner_start] in BLANKS:
                inner_start += 1
            inner_end = len(vtext) - 1 if vtext.endswith("}") else len(vtext)
            while inner_end > inner_start and vtext[inner_end - 1] in BLANKS:
                inner_end -= 1
            base = tok.start + opt.offset
            editor.replace(tok.start_line, base + inner_start, base + inner_end, value)
        elif tok.start_line == tok.end_line:
            new = override_text(name, value)
            if new.startswith("{"):
                editor.replace(tok.start_line, tok.start + opt.offset, tok.end, new)
            else:
                eq = vtext.index("=") + 1
                editor.replace(tok.start_line, tok.start + opt.offset + eq, tok.end, value)
        else:  # a braced value over several lines: rewrite it on its first line
            editor.replace(
                tok.start_line, tok.start + opt.offset, len(st.body(tok.start_line)), override_text(name, value)
            )
            for i in range(tok.start_line + 1, tok.end_line):
                if is_content(lines[i]):
                    editor.delete_line(i)
            rest = st.body(tok.end_line)[tok.end :]
            if rest.strip(BLANKS):
                editor.replace(tok.end_line, 0, tok.end, leading_blanks(st.body(tok.end_line)))
            else:
                editor.delete_line(tok.end_line)
    if matched:
        return editor.render()
    new = "-o " + override_text(name, value)
    # postconf adds the option after the last option of the option region.
    anchor = st.tokens[st.last_option]
    line_idx = anchor.end_line
    own = st.line_tokens(line_idx)
    if own[-1] == st.last_option:
        if lines[line_idx].kind == "continuation":
            editor.insert_after(line_idx, leading_blanks(st.body(line_idx)) + new)
            return editor.render()
        inline = any(st.tokens[o.option].start_line == line_idx for o in st.options)
        if not inline:
            ind = indent or continuation_indent(lines) or DEFAULT_OPTION_INDENT
            editor.insert_after(line_idx, ind + new)
            return editor.render()
    editor.replace(line_idx, anchor.end, anchor.end, " " + new)
    return editor.render()


def remove_override(lines: list[Line], name: str) -> tuple[str, int]:
    """New service text without any ``-o name=...`` of the option region, and how many."""
    st = ServiceTokens(lines)
    matched = [o for o in st.options if o.name == name]
    editor = LineEditor([line.text for line in lines])
    for opt in matched:
        first, last = st.tokens[opt.option], st.tokens[opt.value]
        lines_of = range(first.start_line, last.end_line + 1)
        own = sorted({k for i in lines_of for k in st.line_tokens(i)})
        if own == list(range(opt.option, opt.value + 1)) and all(
            lines[i].kind != "entry" for i in lines_of if is_content(lines[i])
        ):
            for i in lines_of:
                if is_content(lines[i]):
                    editor.delete_line(i)
            continue
        prev = st.tokens[opt.option - 1]
        if prev.end_line == first.start_line and first.start_line == last.end_line:
            editor.replace(first.start_line, prev.end, last.end, "")
        elif first.start_line == last.end_line:
            nxt = st.tokens[opt.value + 1]  # the pair starts its line and is not alone on it
            editor.replace(first.start_line, first.start, nxt.start, "")
        else:
            raise EditError(f"cannot remove -o {name}: its value spans lines")
    return editor.render(), len(matched)


def set_field(lines: list[Line], index: int, value: str) -> str:
    """New service text with field ``index`` (0-6) replaced, keeping the column alignment."""
    st = ServiceTokens(lines)
    tok = st.tokens[index]
    nxt = st.tokens[index + 1]
    editor = LineEditor([line.text for line in lines])
    editor.replace(tok.start_line, tok.start, tok.end, value)
    if nxt.start_line == tok.end_line:
        gap = st.body(tok.end_line)[tok.end : nxt.start]
        delta = len(value) - len(tok.text)
        if len(gap) > 1 and set(gap) == {" "} and delta:
            editor.replace(tok.end_line, tok.end, nxt.start, " " * max(1, len(gap) - delta))
    return editor.render()


def command_offset(lines: list[Line]) -> int:
    st = ServiceTokens(lines)
    tok = st.tokens[7]
    for start, index in st.entry.starts:
        if index == tok.start_line:
            return start + tok.start
    raise AssertionError("command token not found")


def field_columns(text: str) -> tuple[list[int], list[str]] | None:
    """Start columns of the 8 fields on a service's first line and the gaps between them."""
    spans = tokenize(body(text), BLANKS)
    if len(spans) < 8:
        return None
    b = body(text)
    return [s for s, _ in spans[:8]], [b[spans[i][1] : spans[i + 1][0]] for i in range(7)]


def format_fields(fields: Sequence[str], template: str | None) -> str:
    """The 8 fields laid out like the template line (aligned columns, tabs, or single blanks)."""
    layout = field_columns(template) if template is not None else None
    if layout is None:
        columns, gaps = list(DEFAULT_COLUMNS), [" "] * 7
        aligned = True
    else:
        columns, gaps = layout
        aligned = any(len(g) > 1 and set(g) == {" "} for g in gaps)
    out = fields[0]
    for i in range(1, 8):
        gap = gaps[i - 1]
        if "\t" in gap or not aligned:
            out += gap
        else:
            out += " " * max(1, columns[i] - len(out))
        out += fields[i]
    return out


def arg_text(arg: str) -> str:
    if not arg or any(ch in BLANKS for ch in arg) or (arg.startswith("{") and not balanced(arg)):
        return "{ " + arg + " }"
    return arg


def format_service(
    fields: Sequence[str],
    options: Sequence[str | tuple[str, str]],
    args: Sequence[str],
    *,
    template: str | None,
    indent: str,
    nl: str,
) -> str:
    """A new master.cf entry: fields like the template; the option region in its order, each
    ``-o`` on its own indented line (generic options before the first ``-o`` stay on the first
    line); the other arguments on one indented line after ``-o`` lines, else on the first."""
    out = [format_fields(fields, template)]
    for opt in options:
        if isinstance(opt, tuple):
            out.append(indent + "-o " + override_text(*opt))
        elif len(out) == 1:
            out[0] += " " + opt
        else:
            out.append(indent + opt)
    if args:
        rest = " ".join(arg_text(a) for a in args)
        if len(out) > 1:
            out.append(indent + rest)
        else:
            out[0] += " " + rest
    return nl.join(out) + nl
