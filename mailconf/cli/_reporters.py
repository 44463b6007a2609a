"""Reporters for ``mailconf lint``: text, json, sarif, github.

Each takes a :class:`~mailconf.policy.engine.LintResult` and returns the whole output as one str.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from mailconf.policy.engine import LintResult

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/mailconf/mailconf"


def _version() -> str:
    from mailconf import __version__

    return __version__


def use_colour(stream: Any) -> bool:
    """Colour only on a terminal, never with NO_COLOR set (https://no-color.org) or TERM=dumb."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;36m", "path": "\033[1m", "dim": "\033[2m"}
_RESET = "\033[0m"


def _paint(text: str, what: str, colour: bool) -> str:
    return f"{_COLOURS[what]}{text}{_RESET}" if colour else text


def _display(text: str) -> str:
    from mailconf._text import display

    return display(text)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def text(result: LintResult, *, colour: bool = False) -> str:
    lines: list[str] = []
    for f in result.findings:
        where = _paint(f"{f.path}:{f.line}:{f.column}:", "path", colour)
        lines.append(f"{where} {_paint(f.rule, f.severity, colour)} {_display(f.message)}")
    counts = result.counts()
    n_sets = len(result.sets)
    if result.findings:
        if lines:
            lines.append("")
        by_rule = Counter(f.rule for f in result.findings)
        severities = {f.rule: f.severity for f in result.findings}
        for rule_id, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            summary = result.rules[rule_id].summary if rule_id in result.rules else ""
            sev = severities[rule_id]
            lines.append(f"{n:5d}  {_paint(rule_id, sev, colour):<8} {sev:<8} {summary}")
        total = len(result.findings)
        lines.append(
            f"Found {_plural(total, 'problem')} ({counts['error']} error, {counts['warning']} warning, "
            f"{counts['info']} info) in {_plural(len(result.files), 'file')} of {_plural(n_sets, 'configuration set')}."
        )
    elif result.internal_errors:
        lines.append("No findings, but some rules failed with an internal error (see stderr).")
    else:
        lines.append(
            f"All checks passed: {_plural(len(result.files), 'file')} in {_plural(n_sets, 'configuration set')}."
        )
    if result.failed:
        lines.append(
            "Some files could not be read or parsed (the errors above): the rest of their set was not checked."
        )
    return "\n".join(lines) + "\n"


def as_json(result: LintResult, *, exit_code: int | None = None) -> str:
    from mailconf.policy.registry import format_version

    counts = result.counts()
    payload: dict[str, Any] = {
        "version": _version(),
        "findings": [f.to_dict() for f in result.findings],
        "files": list(result.files),
        "summary": {
            "total": len(result.findings),
            "error": counts["error"],
            "warning": counts["warning"],
            "info": counts["info"],
            "by_rule": dict(sorted(Counter(f.rule for f in result.findings).items())),
            "files": len(result.files),
            "parse_failed": result.failed,
            "sets": [
                {
                    "name": s.name,
                    "profile": s.profile,
                    "postfix_version": None if s.postfix_version is None else format_version(s.postfix_version),
                    "dovecot_version": None if s.dovecot_version is None else format_version(s.dovecot_version),
                }
                for s in result.sets
            ],
        },
    }
    if exit_code is not None:
        payload["summary"]["exit_code"] = exit_code
    import json  # only for this format: the text report of a hook run does without it

    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def repository_root(start: Path | None = None) -> Path:
    """The enclosing git work tree of the current directory (or the directory itself)."""
    from pathlib import Path  # the sarif format only: not on the text report's path

    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return here


def _uri(path: str, root: Path) -> tuple[str, str | None]:
    """A repository-relative URI with %SRCROOT%, or an absolute file URI outside the repository."""
    from pathlib import Path
    from urllib.parse import quote

    absolute = Path(os.path.abspath(path))
    try:
        rel = absolute.relative_to(root)
    except ValueError:
        return absolute.as_uri(), None
    return quote(rel.as_posix()), "%SRCROOT%"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def sarif(result: LintResult, *, root: Path | None = None) -> str:
    from mailconf.policy.docs import explain

    base = root or repository_root()
    rule_ids = sorted(result.rules)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    rules = []
    for rule_id in rule_ids:
        r = result.rules[rule_id]
        help_text = explain(rule_id) or r.summary
        rules.append(
            {
                "id": rule_id,
                "name": "".join(w.capitalize() for w in r.summary.replace("-", " ").split()[:6] if w.isalnum())
                or rule_id,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": help_text, "markdown": help_text},
                "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
                "properties": {"tags": [r.family.lower(), "security", "configuration"], "precision": "high"},
            }
        )
    results = []
    for f in result.findings:
        uri, base_id = _uri(f.path, base)
        location: dict[str, Any] = {"uri": uri}
        if base_id:
            location["uriBaseId"] = base_id
        region: dict[str, int] = {"startLine": f.line, "startColumn": f.column}
        if f.end_line is not None:
            region["endLine"] = max(f.end_line, f.line)
        if f.end_column is not None and (f.end_line is None or f.end_line > f.line or f.end_column >= f.column):
            region["endColumn"] = max(f.end_column, 1)
        entry: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": _display(f.message) + (f" Fix: {_display(f.fix)}" if f.fix else "")},
            "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
        }
        if f.rule in index:
            entry["ruleIndex"] = index[f.rule]
        if f.fix:
            entry["properties"] = {"fix": _display(f.fix)}
        results.append(entry)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "mailconf",
                "version": _version(),
                "semanticVersion": _version(),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri() + "/"}},
        "invocations": [{"executionSuccessful": not result.failed and not result.internal_errors}],
        "results": results,
        "columnKind": "utf16CodeUnits",
    }
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    import json

    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


_GH_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def github(result: LintResult) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    from pathlib import Path  # this format only: not on the text report's path

    cwd = Path.cwd()
    lines = []
    for f in result.findings:
        path = f.path
        if os.path.isabs(path):
            with contextlib.suppress(ValueError):
                path = Path(path).relative_to(cwd).as_posix()
        props = [f"file={_gh_prop(path)}", f"line={f.line}", f"col={f.column}"]
        if f.end_line is not None:
            props.append(f"endLine={f.end_line}")
        if f.end_column is not None:
            props.append(f"endColumn={f.end_column}")
        props.append(f"title={_gh_prop(f.rule)}")
        message = _display(f.message) + (f" Fix: {_display(f.fix)}" if f.fix else "")
        lines.append(f"::{_GH_LEVEL[f.severity]} {','.join(props)}::{_gh_data(f.rule + ' ' + message)}")
    return "\n".join(lines) + ("\n" if lines else "")
