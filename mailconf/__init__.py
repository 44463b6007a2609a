"""mailconf: typed, lossless configuration models for Postfix, Dovecot and Mailman.

>>> import mailconf
>>> doc = mailconf.parse_file("/etc/postfix/main.cf")      # doctest: +SKIP
>>> doc.to_bytes() == open("/etc/postfix/main.cf", "rb").read()  # doctest: +SKIP
True

Public names: :func:`parse_file`, :class:`Document`, :class:`MailconfError`, :class:`ParseError`,
and the subpackages :mod:`mailconf.postfix`, :mod:`mailconf.dovecot`, :mod:`mailconf.mailman`,
:mod:`mailconf.policy`.
"""

from __future__ import annotations

import os

from mailconf.errors import EditError, MailconfError, ParseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from mailconf.document import Document

__version__ = "0.1.0"
__all__ = ["Document", "EditError", "MailconfError", "ParseError", "__version__", "detect_kind", "parse_file"]

KINDS = ("postfix-main", "postfix-master", "dovecot", "mailman3", "mailman2", "opaque")

# Files that sit among Dovecot's but are not in its syntax: read and written back as bytes only.
_OPAQUE = frozenset({"dovecot-db.conf.ext"})  # Berkeley DB's DB_CONFIG for dict_db_config


def detect_kind(path: str | Path) -> str | None:
    """The kind of configuration file a path names, from its name alone (None if unknown)."""
    name = os.path.basename(os.fspath(path))
    if name in _OPAQUE:
        return "opaque"
    if name == "main.cf" or name.endswith(".main.cf"):
        return "postfix-main"
    if name == "master.cf" or name.endswith(".master.cf"):
        return "postfix-master"
    if name == "mailman.cfg" or (name.startswith("mailman") and name.endswith(".cfg")):
        return "mailman3"
    if name == "mm_cfg.py":
        return "mailman2"
    if name == "dovecot.conf" or name.endswith((".conf", ".conf.ext")):
        return "dovecot"
    return None


def parse_file(path: str | Path, *, kind: str | None = None) -> Document:
    """Parse one configuration file into a lossless :class:`Document`.

    The kind is detected from the file name (main.cf, master.cf, dovecot.conf, ``*.conf``,
    ``*.conf.ext``, mailman.cfg, mm_cfg.py); pass ``kind=`` (one of ``KINDS``) to force it.
    Files that live among Dovecot's but are not in its syntax (``dovecot-db.conf.ext``, Berkeley
    DB's own format) come back as an ``OpaqueDocument`` holding the bytes.
    Raises :class:`ParseError` (with file, line and column) for files the daemon rejects and
    ``OSError`` for files that cannot be read.
    """
    kind = kind or detect_kind(path)
    if kind is None:
        raise MailconfError(f"{path}: unknown configuration file kind; pass kind= (one of {', '.join(KINDS)})")
    with open(path, "rb") as handle:
        data = handle.read()
    if kind == "postfix-main":
        from mailconf.postfix import parse_main

        return parse_main(data, path=path)
    if kind == "postfix-master":
        from mailconf.postfix import parse_master

        return parse_master(data, path=path)
    if kind == "dovecot":
        from mailconf.dovecot import parse

        return parse(data, path=path)
    if kind == "mailman3":
        from mailconf.mailman import parse_mailman_cfg

        return parse_mailman_cfg(data, path=path)
    if kind == "mailman2":
        from mailconf.mailman import parse_mm_cfg

        return parse_mm_cfg(data, path=path)
    if kind == "opaque":
        from mailconf.document import OpaqueDocument

        return OpaqueDocument(data, path=path)
    raise MailconfError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")


def __getattr__(name: str) -> object:
    # Document is imported on first use: the command line imports this package first, and the
    # document layer (pathlib, typing) is not needed before a command has parsed its arguments.
    if name == "Document":
        from mailconf.document import Document

        return Document
    raise AttributeError(f"module 'mailconf' has no attribute {name!r}")
