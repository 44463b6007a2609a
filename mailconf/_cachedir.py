"""Where mailconf keeps its caches (token streams of parsed files, compiled patterns)."""

from __future__ import annotations

import os


def cache_dir() -> str | None:
    """``$MAILCONF_CACHE_DIR``, else ``$XDG_CACHE_HOME/mailconf`` (``~/.cache/mailconf``);
    None when ``MAILCONF_CACHE`` is ``0``, ``no``, ``off`` or ``false``."""
    # plain strings: this runs for every file a lint run reads, where pathlib costs show
    if os.environ.get("MAILCONF_CACHE", "1") in ("0", "no", "off", "false"):
        return None
    configured = os.environ.get("MAILCONF_CACHE_DIR")
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mailconf")
