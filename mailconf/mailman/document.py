"""The Mailman documents (lossless files): :class:`Mailman3Document` for ``mailman.cfg``,
:class:`Mailman2Document` for ``mm_cfg.py``. Implemented in ``_cfg`` and ``_mmcfg``."""

from __future__ import annotations

from mailconf.mailman._cfg import Line, Mailman3Document, Option, Section, parse_mailman_cfg
from mailconf.mailman._mmcfg import Assignment, Mailman2Document, Statement, VirtualHost, parse_mm_cfg

__all__ = [
    "Assignment",
    "Line",
    "Mailman2Document",
    "Mailman3Document",
    "Option",
    "Section",
    "Statement",
    "VirtualHost",
    "parse_mailman_cfg",
    "parse_mm_cfg",
]
