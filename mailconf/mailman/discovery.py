"""Finding Mailman's configuration files on a system or below a directory."""

from __future__ import annotations

import os

from mailconf import _paths

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from mailconf._paths import PathArg

#: Where Mailman 3 and Mailman 2 keep their configuration (Debian's mailman3 package, Mailman 3's
#: own search path, Debian's and Fedora's mailman package, a source install of Mailman 2).
WELL_KNOWN: tuple[str, ...] = (
    "etc/mailman3/mailman.cfg",
    "etc/mailman.cfg",
    "etc/mailman/mm_cfg.py",
    "usr/lib/mailman/Mailman/mm_cfg.py",
    "usr/local/mailman/Mailman/mm_cfg.py",
)
NAMES: tuple[str, ...] = ("mailman.cfg", "mm_cfg.py")
_SKIP_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}


def is_mailman_file(path: PathArg) -> bool:
    return _paths.name(_paths.norm(path)) in NAMES


def find_mailman_files(root: PathArg | None = None) -> list[Path]:
    """Mailman configuration files, each once (symlinks to the same file are collapsed).

    Without ``root``: the well-known places on this system (``/etc/mailman3/mailman.cfg``,
    ``/etc/mailman/mm_cfg.py``, ``/usr/lib/mailman/Mailman/mm_cfg.py``, ...). With a directory:
    the same places below it, then every ``mailman.cfg`` and ``mm_cfg.py`` at any depth (version
    control and virtualenv directories skipped, symlinked directories not followed). With a file:
    that file, if it is named like a Mailman configuration file.
    """
    return [_paths.to_path(f) for f in find_mailman_file_names(root)]


def find_mailman_file_names(root: PathArg | None = None) -> list[str]:
    """:func:`find_mailman_files` as strings (normalised as ``str(Path(...))``)."""
    base = _paths.norm(root) if root is not None else "/"
    if _paths.is_file(base):
        return [base] if is_mailman_file(base) else []
    found: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        try:
            if not _paths.is_file(path):
                return
            key = _paths.resolve(path)
        except OSError:
            return
        if key not in seen:
            seen.add(key)
            found.append(path)

    for relative in WELL_KNOWN:
        add(_paths.join(base, relative))
    if root is None or not _paths.is_dir(base):
        return found
    walked: list[str] = []
    for directory, subdirs, files in os.walk(base, followlinks=False):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS)
        for name in sorted(files):
            if name in NAMES:
                walked.append(_paths.join(directory, name))
    for path in sorted(walked, key=_paths.sort_key):
        add(path)
    return found
