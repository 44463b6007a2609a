"""Regular expressions compiled on first use, from a cache of compiled programs.

The lint and postconf commands run in every commit hook. Importing :mod:`re` (with :mod:`enum`,
which it needs) costs about 4 ms of such a run, and compiling the patterns a run uses about 2 ms
more, all spent again in every process. So patterns on those paths are :class:`Lazy`: compiled
when first used, and then from a cache. ``re`` turns a pattern into a program for the regular
expression engine (the ``_sre`` extension module, always loaded); the cache keeps that program, in
the cache directory of :mod:`mailconf._cachedir`, in one file per Python build. A run whose
patterns are all cached never imports ``re``.

A pattern missing from the cache is compiled by ``re`` as usual and its program added. Programs are
only cached when rebuilding them from the cache gives a pattern equal to ``re.compile``'s (the
comparison covers the program itself), and a cached program that ``_sre`` rejects is compiled
again: a Python whose internals differ simply does not use the cache.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # CPython's regular expression engine
import contextlib
import marshal
import os
import sys

from mailconf._cachedir import cache_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from re import Match, Pattern
    from typing import Any

# the values of re's flags (re.IGNORECASE ...), usable without importing re
IGNORECASE = 2
MULTILINE = 8
DOTALL = 16
VERBOSE = 64
ASCII = 256

_CACHE_FORMAT = 1
# (pattern, flags) -> (flags, code, groups - 1, groupindex, indexgroup): what _sre.compile takes
_Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
_programs: dict[tuple[str, int], _Program] | None = None


def _cache_file() -> str | None:
    directory = cache_dir()
    if directory is None:
        return None
    build = f"{sys.implementation.cache_tag}-{sys.hexversion:x}-{_sre.MAGIC}-{_CACHE_FORMAT}"
    return os.path.join(directory, f"regex-{build}.bin")


def _load() -> dict[tuple[str, int], _Program]:
    global _programs
    if _programs is None:
        _programs = {}
        path = _cache_file()
        if path is not None:
            try:
                with open(path, "rb") as handle:
                    loaded = marshal.loads(handle.read())
                if isinstance(loaded, dict):
                    _programs = loaded
            except (OSError, ValueError, EOFError, TypeError):
                pass
    return _programs


def _program(pattern: str, flags: int, compiled: Pattern[str]) -> _Program | None:
    """What ``re`` hands to ``_sre.compile`` for ``pattern``, or None where that cannot be had."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, flags)
        code = [int(op) for op in _compiler._code(parsed, flags)]  # plain ints: marshal takes no subclasses
        groupindex = {str(k): int(v) for k, v in parsed.state.groupdict.items()}
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        program: _Program = (
            int(flags | parsed.state.flags),
            code,
            parsed.state.groups - 1,
            groupindex,
            tuple(indexgroup),
        )
        rebuilt = _sre.compile(pattern, *program)
    except Exception:  # a Python whose re internals differ: no cache
        return None
    return program if rebuilt == compiled else None


def _save(programs: dict[tuple[str, int], _Program]) -> None:
    path = _cache_file()
    if path is None:
        return
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as handle:
            handle.write(marshal.dumps(programs))
        os.replace(tmp, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def compile(pattern: str, flags: int = 0) -> Pattern[str]:
    """``re.compile(pattern, flags)``, from the program cache when it holds the pattern."""
    flags = int(flags)
    programs = _load()
    program = programs.get((pattern, flags))
    if program is not None:
        try:
            compiled: Pattern[str] = _sre.compile(pattern, *program)
            return compiled
        except Exception:  # rejected by this _sre: compiled again below
            pass
    import re

    compiled = re.compile(pattern, flags)
    program = _program(pattern, flags, compiled)
    if program is not None:
        programs[(pattern, flags)] = program
        _save(programs)
    return compiled


class Lazy:
    """``re.compile(pattern, flags)``, done on the first call of one of its methods.

    After that call the compiled pattern's own methods replace these (instance attributes come
    before the class's methods), so a hot loop pays nothing for the laziness.
    """

    _METHODS = ("match", "fullmatch", "search", "finditer", "findall", "split", "sub", "subn")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = int(flags)
        self._compiled: Pattern[str] | None = None

    @property
    def compiled(self) -> Pattern[str]:
        if self._compiled is None:
            compiled = self._compiled = compile(self._pattern, self._flags)
            for name in self._METHODS:
                object.__setattr__(self, name, getattr(compiled, name))
        return self._compiled

    def match(self, string: str, pos: int = 0) -> Match[str] | None:
        return self.compiled.match(string, pos)

    def fullmatch(self, string: str) -> Match[str] | None:
        return self.compiled.fullmatch(string)

    def search(self, string: str, pos: int = 0) -> Match[str] | None:
        return self.compiled.search(string, pos)

    def finditer(self, string: str) -> Iterator[Match[str]]:
        return self.compiled.finditer(string)

    def findall(self, string: str) -> list[Any]:
        return self.compiled.findall(string)

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        return self.compiled.split(string, maxsplit)

    def sub(self, repl: str | Callable[[Match[str]], str], string: str, count: int = 0) -> str:
        return self.compiled.sub(repl, string, count)

    def subn(self, repl: str | Callable[[Match[str]], str], string: str, count: int = 0) -> tuple[str, int]:
        return self.compiled.subn(repl, string, count)
