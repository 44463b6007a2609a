"""The JSON data files shipped with mailconf (the catalogues), read through a marshal cache.

Importing :mod:`json` and decoding the catalogues costs about 2 ms of every lint run, and the
lint command runs in every commit hook. :func:`load` keeps the decoded value of each data file
in the cache directory of :mod:`mailconf._grammars`, keyed by the file's content. An entry
holds the file's bytes as well and is used only when they equal the file's, so a stale or
colliding entry costs one decode, never a wrong value. ``MAILCONF_CACHE=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import zlib

from mailconf._cachedir import cache_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def load(path: str) -> Any:
    """The decoded content of the UTF-8 JSON file ``path`` (a fresh object on every call)."""
    with open(path, "rb") as handle:
        data = handle.read()
    directory = cache_dir()
    if directory is None:
        return _decode(data)
    entry = os.path.join(directory, f"json-{zlib.crc32(data):08x}-{len(data)}.bin")
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        with open(entry, "rb") as handle:
            cached = marshal.loads(handle.read())
        if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == data:
            return cached[1]
    value = _decode(data)
    with contextlib.suppress(OSError, ValueError):
        os.makedirs(directory, exist_ok=True)
        tmp = f"{entry}.{os.getpid()}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(marshal.dumps((data, value)))
        os.replace(tmp, entry)
    return value


def _decode(data: bytes) -> Any:
    import json

    return json.loads(data.decode("utf-8"))
