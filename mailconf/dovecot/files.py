"""``key = <path`` values: read the file only when asked, and never show what it holds.

doveconf reads ``ssl_cert = </etc/ssl/cert.pem`` when Dovecot starts; mailconf's readers keep the
value as written (``<path``) and never open the file, since such files are certificates and
keys. A caller that needs the content (to check a certificate, say) asks for it here:

>>> from mailconf.dovecot.config import load_config
>>> from mailconf.dovecot.files import file_path, read_file
>>> cfg = load_config("/etc/dovecot/dovecot.conf")          # doctest: +SKIP
>>> file_path(cfg.effective("ssl_cert"))                    # doctest: +SKIP
PosixPath('/etc/dovecot/private/dovecot.pem')
>>> read_file(cfg.effective("ssl_cert"))                    # doctest: +SKIP
FileContent('/etc/dovecot/private/dovecot.pem', 1346 bytes)

The content is in ``FileContent.data``; its ``repr``/``str`` show only the path and the size, so
logging or printing the object does not leak a key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

MAX_BYTES = 1 << 20  # doveconf itself refuses nothing, but a certificate or key is far smaller


class _Sourced(Protocol):
    """A value with the file that set it: :class:`mailconf.dovecot.config.Value` has these."""

    value: str
    path: str | None


class FileContent:
    """The bytes of a ``<path`` value's file; shown as its path and size only."""

    __slots__ = ("data", "path")

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.data = data

    def text(self) -> str:
        """The content decoded as latin-1 (one character per byte, as mailconf reads files)."""
        return self.data.decode("latin-1")

    def __repr__(self) -> str:
        return f"FileContent({str(self.path)!r}, {len(self.data)} bytes)"

    __str__ = __repr__


def file_path(value: _Sourced) -> Path | None:
    """The file a ``<path`` value names, or None when the value is not a file reference.

    A relative path is taken relative to the directory of the configuration file that set the
    value (where the Dovecot reader resolves includes too).
    """
    text = value.value
    if not text.startswith("<"):
        return None
    name = Path(text[1:].strip())
    if not name.is_absolute() and value.path:
        name = Path(value.path).parent / name
    return name


def read_file(value: _Sourced, *, max_bytes: int = MAX_BYTES) -> FileContent:
    """Read the file of a ``<path`` value (raises ValueError when it is not one; OSError as open() does)."""
    path = file_path(value)
    if path is None:
        raise ValueError("not a <file value")
    with path.open("rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"{path}: larger than {max_bytes} bytes")
    return FileContent(path, data)
