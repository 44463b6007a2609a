"""Helpers shared by the Dovecot syntax, tree and edit tests: the real doveconf as oracle."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support import require_tool

_FATAL = re.compile(r"^doveconf: Fatal: (.*)$", re.M)
_WARNING = re.compile(r"^doveconf: Warning: (.*)$", re.M)


@dataclass(frozen=True)
class DoveconfResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def fatal(self) -> str | None:
        """doveconf's first Fatal message (after ``doveconf: Fatal: ``), or None."""
        m = _FATAL.search(self.stderr)
        return m.group(1) if m else None

    @property
    def warnings(self) -> list[str]:
        return _WARNING.findall(self.stderr)


def doveconf(config: Path, *names: str) -> DoveconfResult:
    """Run the real ``doveconf -c CONFIG -n [names]`` (skips or fails without it, see support)."""
    exe = require_tool("doveconf")
    proc = subprocess.run(
        [exe, "-c", str(config), "-n", *names],
        capture_output=True,
        timeout=60,
        cwd=config.parent,
    )
    return DoveconfResult(proc.returncode, proc.stdout.decode("latin-1"), proc.stderr.decode("latin-1"))


def scoped_values(text: str) -> dict[tuple[tuple[tuple[str, str | None], ...], str], str]:
    """``{(section path, key): printed value}`` of a ``doveconf -n`` output (last wins).

    doveconf prints ``key = value`` with two-space indents, ``type [name] {`` and ``}``; the
    values are returned as printed (compare with :func:`printed`).
    """
    from mailconf.dovecot._syntax import unescape

    out: dict[tuple[tuple[tuple[str, str | None], ...], str], str] = {}
    stack: list[tuple[str, str | None]] = []
    for raw in text.split("\n"):
        line = raw.lstrip(" ")
        if not line or line.startswith("#"):
            continue
        if line == "}":
            stack.pop()
            continue
        if " = " not in line and line.endswith(" {"):
            head = line[:-2].split(" ", 1)
            name = head[1] if len(head) > 1 else None
            if name is not None and len(name) >= 2 and name[0] == name[-1] == '"':
                name = unescape(name[1:-1])
            stack.append((head[0], name))
            continue
        if line.startswith("="):  # an empty key: doveconf prints " = value"
            key, value = "", line[2:]
        else:
            key, _, value = line.partition(" = ")
        out[(tuple(stack), key)] = value
    return out


def printed(value: str) -> str:
    """How doveconf -n prints a value: quoted (``\\``, ``"`` and ``'`` escaped) when it holds
    a ``#`` or starts or ends with a blank, bare otherwise (even with a final backslash)."""
    if value and ("#" in value or value[0] in " \t" or value[-1] in " \t"):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'")
        return f'"{escaped}"'
    return value
