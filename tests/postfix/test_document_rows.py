"""parse_main reads the entries without building the document items (what ``postconf -n``
needs); the items are made on first use. Both views must say the same."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailconf.errors import ParseError
from mailconf.postfix import parse_main
from mailconf.postfix.document import MainDocument, Parameter
from tests.postfix.strategies import main_cf


def _built(data: bytes) -> MainDocument:
    doc = parse_main(data)
    assert doc.items is not None  # builds the items; the reads below use them
    return doc


def _views(doc: MainDocument) -> tuple[object, ...]:
    return doc.values(), doc.entries(), [o.logical for o in doc.orphans], doc.to_bytes()


@given(st.one_of(main_cf(), st.text(alphabet=" \t\r\n#=ab", max_size=40).map(str.encode)))
def test_reads_before_and_after_the_items_are_built_agree(data: bytes) -> None:
    try:
        lazy = parse_main(data)
    except ParseError:
        return
    built = _built(data)
    assert _views(lazy) == _views(built)
    assert lazy.entries() == [(p.name, p.value, p.line) for p in built.parameters]


def test_continuations_comments_and_a_missing_final_newline() -> None:
    data = b"  orphan\n# c\na = 1\n# inside\n  2\n\nb=\nc = x \\\n\td"
    doc = parse_main(data)
    assert doc.entries() == [("a", "1  2", 3), ("b", "", 7), ("c", "x \\\td", 8)]
    assert [o.logical for o in doc.orphans] == ["  orphan"]
    assert doc.to_bytes() == data
    a = doc.get("a")
    assert a is not None and [line.number for line in a.lines] == [3, 4, 5]


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"a = 1\nfoo bar\n", "missing '=' after attribute name: \"foo bar\"", 2),
        (b"a = 1\n= x\n  y\n", 'missing attribute name: "= x  y"', 2),
    ],
)
def test_rejected_entries_name_their_line(data: bytes, message: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        parse_main(data)
    assert (caught.value.message, caught.value.line) == (message, line)


@pytest.mark.parametrize("build_first", [False, True])
def test_prepend_unwritten_reads_first_and_writes_nothing(build_first: bool) -> None:
    data = b"myhostname = a\n"
    doc = _built(data) if build_first else parse_main(data)
    doc.prepend_unwritten("config_directory", "/x")
    assert list(doc.values()) == ["config_directory", "myhostname"]
    assert doc.entries()[0] == ("config_directory", "/x", 0)
    first = doc.items[0]
    assert isinstance(first, Parameter) and (first.name, first.value, first.lines) == ("config_directory", "/x", [])
    assert doc.to_bytes() == data
