"""Dovecot configuration files: lossless documents, include trees, doveconf's reading.

>>> from mailconf.dovecot import load
>>> tree = load("/etc/dovecot/dovecot.conf")                  # doctest: +SKIP
>>> [st.key for st in tree.walk() if st.kind == "setting"][:2]  # doctest: +SKIP
['protocols', 'listen']

Public names: :func:`parse`, :func:`load`, :class:`DovecotDocument`, :class:`DovecotTree`,
:class:`Statement`, :class:`DovecotParseError`, :class:`DovecotIncludeError`,
:class:`DovecotWarning`, :class:`IncludeRecord`. See docs/dovecot-syntax.md.
"""

from __future__ import annotations

from mailconf.dovecot._syntax import (
    DovecotIncludeError,
    DovecotParseError,
    DovecotWarning,
    Statement,
)
from mailconf.dovecot.document import DovecotDocument, parse, section_path
from mailconf.dovecot.tree import DovecotTree, IncludeRecord, load, reload

__all__ = [
    "DovecotDocument",
    "DovecotIncludeError",
    "DovecotParseError",
    "DovecotTree",
    "DovecotWarning",
    "IncludeRecord",
    "Statement",
    "load",
    "parse",
    "reload",
    "section_path",
]
