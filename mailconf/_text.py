"""Byte-exact text handling shared by the parsers.

Files are decoded as latin-1: every byte maps to one character, so offsets are byte offsets and
``text.encode("latin-1")`` gives back the exact input, whatever encoding the comments are in.
``display`` turns such text into a readable str (UTF-8 where valid, surrogate escapes elsewhere).
"""

from __future__ import annotations

import bisect

BLANKS = " \t\n\v\f\r"  # Postfix ISSPACE


def decode(data: bytes) -> str:
    return data.decode("latin-1")


def encode(text: str) -> bytes:
    return text.encode("latin-1")


def display(text: str) -> str:
    """Latin-1 text as a str for people: UTF-8 bytes decoded, other bytes surrogate-escaped."""
    if text.isascii():
        return text
    return text.encode("latin-1").decode("utf-8", "surrogateescape")


def undisplay(text: str) -> str:
    """The inverse of :func:`display`: a str from users into the latin-1 working form."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


class LineIndex:
    """Offset to (line, column) conversion, both 1-based; columns count bytes."""

    def __init__(self, text: str) -> None:
        starts = [0]
        pos = text.find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = text.find("\n", pos + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1
