"""``glob.glob`` and ``fnmatch.fnmatchcase`` for the patterns configurations use, without ``re``.

The standard modules compile every pattern with :mod:`re`, whose import alone is a noticeable part
of a lint run (see :mod:`mailconf._lazyre`). Include patterns in real configurations use ``*``
and ``?`` only (``conf.d/*.conf``); those are matched here with the standard modules' exact
semantics (``*`` matches any text, ``/`` included, ``?`` one character; in a directory listing,
names starting with ``.`` only match a pattern that starts with ``.``). A pattern with a ``[...]``
set is handed to the standard modules.

Paths are byte strings, as Dovecot and Postfix see them, carried as ``latin-1`` text (one character
per byte): ``glob`` takes and gives such text.
"""

from __future__ import annotations

import os


def has_magic(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern or "[" in pattern


def fnmatchcase(name: str, pattern: str) -> bool:
    """``fnmatch.fnmatchcase(name, pattern)``."""
    if "[" in pattern:
        import fnmatch

        return fnmatch.fnmatchcase(name, pattern)
    return _wildcard(name, pattern)


def fnmatch(name: str, pattern: str) -> bool:
    """``fnmatch.fnmatch(name, pattern)`` (``os.path.normcase`` on both: nothing on POSIX)."""
    return fnmatchcase(os.path.normcase(name), os.path.normcase(pattern))


def _wildcard(name: str, pattern: str) -> bool:
    # the classic linear matcher: on a mismatch, retry from the last '*' one character further
    n, p = 0, 0
    star, mark = -1, 0
    while n < len(name):
        if p < len(pattern) and (pattern[p] == "?" or pattern[p] == name[n]) and pattern[p] != "*":
            n += 1
            p += 1
        elif p < len(pattern) and pattern[p] == "*":
            star, mark = p, n
            p += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            n = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


def glob(pattern: str) -> list[str]:
    """``glob.glob(pattern)`` on bytes, for a pattern and results in latin-1 text (not
    recursive; in directory order, unsorted)."""
    if "[" in pattern:
        import glob as stdlib_glob

        return [found.decode("latin-1") for found in stdlib_glob.glob(pattern.encode("latin-1"))]
    return _glob(pattern, dironly=False)


def _lexists(path: str) -> bool:
    return os.path.lexists(path.encode("latin-1"))


def _isdir(path: str) -> bool:
    return os.path.isdir(path.encode("latin-1"))


def _glob(pathname: str, dironly: bool) -> list[str]:
    dirname, basename = os.path.split(pathname)
    if not has_magic(pathname):
        if basename:
            return [pathname] if _lexists(pathname) else []
        return [pathname] if _isdir(dirname) else []  # "x/" matches a directory only
    if not dirname:
        return _glob1(os.curdir, basename, dironly)
    dirs = _glob(dirname, dironly=True) if dirname != pathname and has_magic(dirname) else [dirname]
    out: list[str] = []
    for directory in dirs:
        if has_magic(basename):
            names = _glob1(directory, basename, dironly)
        elif basename:
            names = [basename] if _lexists(os.path.join(directory, basename)) else []
        else:
            names = [basename] if _isdir(directory) else []
        out.extend(os.path.join(directory, name) for name in names)
    return out


def _glob1(directory: str, pattern: str, dironly: bool) -> list[str]:
    names: list[str] = []
    try:
        with os.scandir(directory.encode("latin-1")) as entries:
            for entry in entries:
                try:
                    if not dironly or entry.is_dir():
                        names.append(entry.name.decode("latin-1"))
                except OSError:
                    pass
    except OSError:
        return []
    if pattern[0] != ".":
        names = [name for name in names if name[0] != "."]
    return [name for name in names if _wildcard(name, pattern)]
