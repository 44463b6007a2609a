"""Mailman 2 and 3: their configuration files read as data, never executed.

- ``parse_mailman_cfg(data, path=None) -> Mailman3Document``: Mailman 3 ``mailman.cfg`` (INI text).
- ``parse_mm_cfg(data, path=None) -> Mailman2Document``: Mailman 2 ``mm_cfg.py`` (Python's ``ast``).
- ``load_mailman3(path, root=None) -> Mailman3Config`` and ``load_mailman2(path) -> Mailman2Config``:
  the settings that matter to the mail transport, with Mailman's defaults where a key is absent.
- ``find_mailman_files(root) -> list[Path]``: the Mailman files of a system or of a directory tree.

Everything here is imported lazily so ``mailconf lint`` stays fast.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from mailconf.mailman._cfg import Mailman3Document, parse_mailman_cfg
    from mailconf.mailman._mmcfg import Mailman2Document, parse_mm_cfg
    from mailconf.mailman.config import Mailman2Config, Mailman3Config, load_mailman2, load_mailman3
    from mailconf.mailman.discovery import find_mailman_files

__all__ = [
    "Mailman2Config",
    "Mailman2Document",
    "Mailman3Config",
    "Mailman3Document",
    "find_mailman_files",
    "load_mailman2",
    "load_mailman3",
    "parse_mailman_cfg",
    "parse_mm_cfg",
]

_WHERE = {
    "Mailman3Document": "mailconf.mailman._cfg",
    "parse_mailman_cfg": "mailconf.mailman._cfg",
    "Mailman2Document": "mailconf.mailman._mmcfg",
    "parse_mm_cfg": "mailconf.mailman._mmcfg",
    "Mailman2Config": "mailconf.mailman.config",
    "Mailman3Config": "mailconf.mailman.config",
    "load_mailman2": "mailconf.mailman.config",
    "load_mailman3": "mailconf.mailman.config",
    "find_mailman_files": "mailconf.mailman.discovery",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'mailconf.mailman' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
