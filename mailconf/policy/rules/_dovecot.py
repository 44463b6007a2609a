"""Shared reading of a Dovecot configuration for the rules.

The semantic layer (:class:`mailconf.dovecot.config.DovecotConfig`) gives effective values,
services with their listeners, and filter scopes. Some rules look at the text itself (``#``
glued to a word, continuation lines, octal modes): :func:`include_files` lists the files in
doveconf's reading order and :func:`raw_lines` yields their lines.
"""

from __future__ import annotations

import os

from mailconf import _paths
from mailconf._glob import glob
from mailconf._record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from mailconf._paths import PathArg
    from mailconf.policy.engine import Context

MAX_FILES = 10000


def include_files(top: PathArg, texts: dict[str, str] | None = None) -> list[str]:
    """The top file and every file it includes (sorted globs, loops and repeats cut), as
    strings normalised as ``str(Path(...))`` is.

    ``texts``, when given, receives the text of every file read (keyed by its path), so callers
    do not read the files again."""

    out: list[str] = []
    seen: set[tuple[int, int]] = set()

    def visit(path: str, depth: int) -> None:
        if depth > 64 or len(out) >= MAX_FILES:
            return
        try:
            with open(path, "rb") as handle:
                info = os.fstat(handle.fileno())
                key = (info.st_dev, info.st_ino)
                if key in seen:
                    return
                seen.add(key)
                out.append(path)
                text = handle.read().decode("latin-1")
                if texts is not None:
                    texts[path] = text
        except OSError:
            if not out:
                out.append(path)
            return
        if "!include" not in text:
            return
        for line in text.split("\n"):
            stripped = line.strip()
            if not stripped.startswith("!include"):
                continue
            parts = stripped.split(None, 1)
            if len(parts) != 2 or parts[0] not in ("!include", "!include_try"):
                continue
            pattern = parts[1].strip().strip('"')
            if not pattern.startswith("/"):
                pattern = os.path.join(os.path.dirname(path), pattern)
            matches = sorted(glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]
            for match in matches:
                if os.path.isfile(match):
                    visit(_paths.norm(match), depth + 1)

    visit(_paths.norm(top), 0)
    return out


class DVal(Record):
    """An effective Dovecot value and the place to report it."""

    __slots__ = ("column", "explicit", "key", "line", "path", "value")

    def __init__(
        self,
        key: str,
        value: str,
        path: str,
        line: int,
        column: int,
        explicit: bool,
    ) -> None:
        self.key = key
        self.value = value
        self.path = path
        self.line = line
        self.column = column
        self.explicit = explicit


class DovecotView:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.cfg: Any = ctx.dovecot
        self.top = ctx.cs.dovecot_conf_name or ""
        self.files = [f for f in ctx.files if f == self.top or not f.endswith((".cf", ".cfg", ".py"))]
        self._texts: dict[str, list[str]] = {}
        self._raw: list[tuple[str, int, str]] | None = None
        self._content: list[tuple[str, int, str]] | None = None

    def home_of(self, key: str) -> str:
        """The file that should hold a missing setting: its conf.d file when there is one."""
        homes = {
            "ssl": "10-ssl.conf",
            "ssl_cert": "10-ssl.conf",
            "ssl_key": "10-ssl.conf",
            "ssl_min_protocol": "10-ssl.conf",
            "ssl_cipher_list": "10-ssl.conf",
            "disable_plaintext_auth": "10-auth.conf",
            "auth_mechanisms": "10-auth.conf",
        }
        name = homes.get(key)
        if name is not None:
            for f in self.files:
                if os.path.basename(f) == name:  # the files are str(Path): no trailing "/"
                    return f
        return self.top

    def value(self, key: str) -> DVal:
        v = self.cfg.effective(key)
        if v.path:
            return DVal(key, str(v.value), str(v.path), int(v.line) or 1, int(v.column) or 1, True)
        return DVal(key, str(v.value), self.home_of(key), 1, 1, False)

    def own_files(self) -> set[str]:
        """The files below the top file's directory (not system files it includes)."""
        base = os.path.dirname(os.path.abspath(self.top))
        return {f for f in self.files if os.path.abspath(f).startswith(base + os.sep)}

    def filters(self) -> list[Any]:
        return list(self.cfg.filters)

    def services(self) -> list[Any]:
        return list(self.cfg.services)

    def service(self, name: str) -> Any:
        return self.cfg.service(name)

    def protocols(self) -> list[str]:
        return self.value("protocols").value.split()

    def lines(self, path: str) -> list[str]:
        if path not in self._texts:
            text = self.ctx.text(path)
            self._texts[path] = [] if text is None else text.split("\n")
        return self._texts[path]

    def raw_lines(self) -> list[tuple[str, int, str]]:
        """(path, line number, text) of every line of every file (built once, shared by the rules)."""
        if self._raw is None:
            self._raw = [
                (path, number, text) for path in self.files for number, text in enumerate(self.lines(path), start=1)
            ]
        return self._raw

    def content_lines(self) -> list[tuple[str, int, str]]:
        """The lines of :meth:`raw_lines` that are neither blank nor comments (``text.strip()``
        empty or starting with ``#``): most lines of a stock configuration are comments."""
        if self._content is None:
            self._content = [
                entry for entry in self.raw_lines() if (stripped := entry[2].strip()) and not stripped.startswith("#")
            ]
        return self._content


def view(ctx: Context) -> DovecotView:
    result: DovecotView = ctx.cached("dovecot-view", lambda: DovecotView(ctx))
    return result


def place(section: Any, key: str | None = None) -> tuple[str | None, int, int]:
    """Where a section (or one of its values) was written; (None, 0, 0) for built-in defaults."""
    if key is not None:
        v = section.values.get(key)
        if v is not None and getattr(v, "path", None):
            return str(v.path), int(v.line) or 1, int(v.column) or 1
    if getattr(section, "path", None):
        return str(section.path), int(section.line) or 1, 1
    return None, 0, 0
