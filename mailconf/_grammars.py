"""Loading the Lark grammars shipped with mailconf, and a content-addressed token cache.

In a wheel the grammars live in ``mailconf/_grammars``; in a source checkout (editable install)
they are the top-level ``grammars/`` directory. Parsers are LALR with the contextual lexer and
Lark's cache, built once per process.

Importing Lark costs more than Postfix's whole ``postconf -n`` run, and the lint command runs in
every commit hook on files that rarely change. :func:`tokens` therefore keeps the flat token list
of each parsed text in a cache directory keyed by the grammar and the text's hash (like ruff's
cache): an unchanged file is read back without importing Lark at all. The cached tokens are
checked to join back into exactly the text before they are used. ``MAILCONF_CACHE=0`` turns the
cache off; ``MAILCONF_CACHE_DIR`` moves it (default ``$XDG_CACHE_HOME/mailconf`` or
``~/.cache/mailconf``).
"""

from __future__ import annotations

import contextlib
import functools
import marshal
import os
import sys
import zlib
from collections.abc import Callable

from mailconf._cachedir import cache_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lark import Lark, Token, Tree

_HERE = os.path.dirname(os.path.realpath(__file__))
_CACHE_FORMAT = b"mailconf-tokens-1"
_CACHE_MIN_SIZE = 2048
_CACHE_MAX_FILES = 512

TokenPair = tuple[str, str]


def grammar_dir() -> str:
    """The directory of the ``.lark`` files: inside the package in a wheel, else the source tree's."""
    for candidate in (os.path.join(_HERE, "_grammars"), os.path.join(os.path.dirname(_HERE), "grammars")):
        if os.path.isdir(candidate):
            return candidate
    raise FileNotFoundError("mailconf grammars not found (broken installation)")


@functools.cache
def grammar_text(name: str) -> str:
    with open(os.path.join(grammar_dir(), f"{name}.lark"), encoding="utf-8") as handle:
        return handle.read()


@functools.cache
def parser(name: str) -> Lark:
    """The LALR parser for ``grammars/<name>.lark``."""
    from lark import Lark

    return Lark(
        grammar_text(name),
        parser="lalr",
        lexer="contextual",
        cache=True,
        maybe_placeholders=False,
        propagate_positions=False,
    )


def tokens(name: str, text: str, flatten: Callable[[Tree[Token]], list[TokenPair]]) -> list[TokenPair]:
    """Parse ``text`` with grammar ``name`` and flatten the tree into ``(type, text)`` tokens.

    The tokens must cover the text exactly (every byte in one token). Results for larger texts
    are cached on disk by content; see the module docs.
    """
    # Once Lark is imported a small text parses faster than a cache file is read; before, even
    # a small text is worth the lookup, since a miss means importing Lark.
    small = len(text) < _CACHE_MIN_SIZE and "lark" in sys.modules
    directory = None if small or not text else cache_dir()
    entry: str | None = None
    if directory is not None:
        # A fast checksum is enough for a key: entries are verified against the text below,
        # so a collision costs one parse, never a wrong result (and hashlib's OpenSSL import
        # alone costs more than the lookup).
        data = text.encode("latin-1", "replace")
        key = zlib.crc32(data, zlib.crc32(grammar_text(name).encode() + _CACHE_FORMAT))
        entry = os.path.join(directory, f"{name}-{key:08x}-{zlib.adler32(data):08x}-{len(data)}.bin")
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            with open(entry, "rb") as handle:
                cached = marshal.loads(handle.read())
            if isinstance(cached, list) and "".join([value for _, value in cached]) == text:
                return cached
    result = flatten(parser(name).parse(text))
    if entry is not None:
        _store(entry, result)
    return result


def _store(entry: str, result: list[TokenPair]) -> None:
    directory = os.path.dirname(entry)
    with contextlib.suppress(OSError, ValueError):
        os.makedirs(directory, exist_ok=True)
        tmp = f"{entry.removesuffix('.bin')}.{os.getpid()}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(marshal.dumps(result))
        os.replace(tmp, entry)
        with os.scandir(directory) as scan:
            files = [e for e in scan if e.name.endswith(".bin")]
        if len(files) > _CACHE_MAX_FILES:
            files.sort(key=lambda e: e.stat().st_mtime)
            for old in files[: len(files) - _CACHE_MAX_FILES // 2]:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(old.path)
