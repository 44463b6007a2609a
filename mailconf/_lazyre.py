"""Regular expressions compiled on first use.

Compiling a pattern costs 0.1-0.3 ms, and the lint command (run in every commit hook) imports
every rule module: patterns that only some configurations need (event filters, suppression
comments, Mailman macros, TLS parameter names) are ``Lazy`` and compiled when first used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator


class Lazy:
    """``re.compile(pattern, flags)``, done on the first call of one of its methods."""

    __slots__ = ("_compiled", "_flags", "_pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._pattern, self._flags)
        return self._compiled

    def match(self, string: str, pos: int = 0) -> re.Match[str] | None:
        return self.compiled.match(string, pos)

    def fullmatch(self, string: str) -> re.Match[str] | None:
        return self.compiled.fullmatch(string)

    def search(self, string: str) -> re.Match[str] | None:
        return self.compiled.search(string)

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str) -> str:
        return self.compiled.sub(repl, string)
