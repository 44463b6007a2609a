"""Suppression comments inside the configuration files themselves.

* ``# mailconf: disable=ID[,ID]`` on a comment line of its own silences those rules (IDs or
  prefixes) for the next entry: the next line that is neither blank nor a comment. Postfix has
  no end-of-line comments, so this is the way there. In Dovecot files the comment may also end
  the line it applies to (``ssl = yes # mailconf: disable=TLS201``).
* ``# mailconf: disable-file=ID[,ID]`` anywhere silences those rules for the whole file.

A suppression that silences nothing is reported as SYN007, so stale ones do not pile up.
"""

from __future__ import annotations

from mailconf._lazyre import Lazy
from mailconf._record import MutableRecord

_MARK = Lazy(r"#\s*mailconf:\s*(disable-file|disable)\s*=\s*([A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)")


class Suppression(MutableRecord):
    __slots__ = ("column", "ids", "line", "path", "target", "used")

    def __init__(
        self,
        path: str,
        line: int,  # the comment's line
        column: int,
        target: int | None,  # the line it applies to; None for disable-file
        ids: list[str],
        used: set[str] | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.target = target
        self.ids = ids
        self.used: set[str] = set() if used is None else used

    def covers(self, rule_id: str, line: int) -> str | None:
        """The ID (or prefix) of this comment that silences ``rule_id`` at ``line``, if any."""
        if self.target is not None and self.target != line:
            return None
        for sel in self.ids:
            if rule_id.startswith(sel):
                return sel
        return None


def scan(text: str, path: str, *, trailing: bool = False) -> list[Suppression]:
    """The suppression comments of one file (text in the latin-1 working form)."""
    if "mailconf:" not in text:
        return []
    found: list[Suppression] = []
    pending: list[Suppression] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            match = _MARK.search(line)
            if match:
                ids = [s.strip().upper() for s in match.group(2).split(",") if s.strip()]
                entry = Suppression(path, number, match.start() + 1, None, ids)
                found.append(entry)
                if match.group(1) == "disable":
                    pending.append(entry)
            continue
        for entry in pending:
            entry.target = number
        pending = []
        if trailing and "#" in line:
            match = _MARK.search(line)
            if match:
                ids = [s.strip().upper() for s in match.group(2).split(",") if s.strip()]
                if match.group(1) == "disable":
                    found.append(Suppression(path, number, match.start() + 1, number, ids))
                else:
                    found.append(Suppression(path, number, match.start() + 1, None, ids))
    for entry in pending:  # a disable comment at the end of the file applies to nothing
        entry.target = -1
    return found
