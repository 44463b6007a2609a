"""Exceptions raised by mailconf.

Every problem with a configuration file is a :class:`ParseError` that knows the file, the
1-based line and column, and a message worded like the daemon's own.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


class MailconfError(Exception):
    """Base class of every exception mailconf raises on purpose."""


class ParseError(MailconfError):
    """A file that the daemon would reject (or read differently than it looks).

    ``str(error)`` is ``path:line:column: message``.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, line: int = 1, column: int = 1) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.path is not None else "<string>"
        return f"{where}:{self.line}:{self.column}: {self.message}"

    def with_path(self, path: str | Path) -> ParseError:
        """The same error, naming ``path``."""
        return ParseError(self.message, path=path, line=self.line, column=self.column)


class EditError(MailconfError):
    """An edit that cannot be made (unknown entry, or a result the daemon would reject)."""


class IncludeError(ParseError):
    """An include that cannot be followed (no match, loop, unreadable file)."""
