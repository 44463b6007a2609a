"""Findings: what a rule reports, with the place in the file that causes it."""

from __future__ import annotations

from mailconf._record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    Severity = Literal["error", "warning", "info"]

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
_RANK = {"info": 0, "warning": 1, "error": 2}


def severity_rank(severity: str) -> int:
    """0 for info, 1 for warning, 2 for error."""
    return _RANK[severity]


def parse_severity(text: str) -> Severity:
    value = text.strip().lower()
    if value == "error":
        return "error"
    if value == "warning":
        return "warning"
    if value == "info":
        return "info"
    raise ValueError(f"unknown severity {text!r}: expected error, warning or info")


class Finding(Record):
    """One problem: rule ID, severity, message (what is wrong and what to write instead), place, fix hint.

    ``path`` is the file as it was given (no normalisation); lines and columns are 1-based,
    columns count bytes. ``end_line``/``end_column`` are set when the span is known.
    """

    __slots__ = ("column", "end_column", "end_line", "extra", "fix", "line", "message", "path", "rule", "severity")
    _compare = ("rule", "severity", "message", "path", "line", "column", "end_line", "end_column", "fix")

    def __init__(
        self,
        rule: str,
        severity: Severity,
        message: str,
        path: str,
        line: int = 1,
        column: int = 1,
        end_line: int | None = None,
        end_column: int | None = None,
        fix: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.rule = rule
        self.severity: Severity = severity
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.fix = fix
        self.extra: dict[str, str] = {} if extra is None else extra

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "fix": self.fix,
        }


def __getattr__(name: str) -> object:
    # The Literal alias is built on request: typing is not imported on the lint path.
    if name == "Severity":
        from typing import Literal

        return Literal["error", "warning", "info"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
