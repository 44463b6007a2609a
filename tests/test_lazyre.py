"""Lazily compiled patterns behave as the compiled ones and compile once, on first use."""

from __future__ import annotations

import re

from mailconf._lazyre import Lazy


def test_lazy_pattern_matches_as_compiled() -> None:
    lazy = Lazy(r"(?P<word>[a-z]+)(\d*)", re.IGNORECASE)
    plain = re.compile(r"(?P<word>[a-z]+)(\d*)", re.IGNORECASE)
    assert lazy._compiled is None
    for text in ("abc12 def", "  X9", "", "123"):
        for method in ("match", "fullmatch", "search"):
            got, want = getattr(lazy, method)(text), getattr(plain, method)(text)
            assert (got and got.group(0), got and got.span()) == (want and want.group(0), want and want.span())
        assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in plain.finditer(text)]
        assert lazy.sub("<\\g<word>>", text) == plain.sub("<\\g<word>>", text)
    assert lazy.match("  ab", 2) is not None
    compiled = lazy.compiled
    assert lazy.compiled is compiled and compiled.flags & re.IGNORECASE
