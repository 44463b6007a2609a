"""The common face of every parsed file."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import ClassVar


class Document(ABC):
    """One configuration file, held losslessly.

    ``to_bytes()`` gives back exactly the bytes that were read as long as nothing was edited;
    after edits, only the bytes of the edited entries differ.
    """

    kind: ClassVar[str]

    def __init__(self, path: str | Path | None = None) -> None:
        self._path = path  # made a Path when first asked for (most documents never are)

    @property
    def path(self) -> Path | None:
        """The file the document was read from (None for text parsed from memory)."""
        from pathlib import Path  # on request: the lint path uses ``filename``

        path = self._path
        if path is None or isinstance(path, Path):
            return path
        self._path = Path(path)
        return self._path

    @path.setter
    def path(self, value: str | Path | None) -> None:
        self._path = value

    @property
    def filename(self) -> str | None:
        """:attr:`path` as a string (None for text parsed from memory)."""
        return None if self._path is None else os.fspath(self._path)

    @abstractmethod
    def to_bytes(self) -> bytes:
        """The file's bytes, exact when unchanged."""

    def write(self, path: str | Path | None = None) -> None:
        """Write the document atomically (temporary file, fsync, rename; mode and owner kept).

        The new text is parsed again before anything is written, so a document that the daemon
        would reject never reaches the disk.
        """
        from mailconf._atomic import write_atomic

        target = path if path is not None else self._path
        if target is None:
            raise ValueError("document has no path; pass one to write()")
        data = self.to_bytes()
        self.check(data)
        write_atomic(target, data)

    def check(self, data: bytes) -> None:  # noqa: B027 - optional hook
        """Raise ParseError if ``data`` is not a valid file of this kind (default: no check)."""


class OpaqueDocument(Document):
    """A file mailconf keeps but does not interpret (its bytes, exactly)."""

    kind: ClassVar[str] = "opaque"

    def __init__(self, data: bytes, path: str | Path | None = None) -> None:
        super().__init__(path)
        self.data = data

    def to_bytes(self) -> bytes:
        return self.data
