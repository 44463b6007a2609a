"""Physical lines of a Dovecot file: every byte in one line, numbered, blank/comment/content."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mailconf.dovecot._syntax import read_lines

# "\n" is the only line break for doveconf; the others must stay inside their line
TEXTS = st.text(alphabet=st.sampled_from(["a", "=", " ", "\t", "#", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85"]))


def _reference(text: str) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    offset = 0
    for number, bare in enumerate(text.split("\n"), start=1):
        piece = bare + "\n" if offset + len(bare) < len(text) else bare
        if piece:
            out.append((number, offset, piece))
        offset += len(piece)
    return out


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_lines_cover_the_text_line_by_line(text: str) -> None:
    lines = read_lines(text)
    assert [(ln.number, ln.start, ln.text) for ln in lines] == _reference(text)
    for ln in lines:
        body = ln.text.rstrip("\n")
        if ln.kind == "comment":
            assert body.lstrip(" \t").startswith("#")
        elif ln.kind == "blank":
            assert body.strip(" \t\r") == ""
