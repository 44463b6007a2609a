"""One markdown page per rule (``<ID>.md``: what, why, example, fix), shipped in the package.

``explain(rule_id)`` returns the page; ``mailconf lint --explain ID`` prints it.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent


def explain(rule_id: str) -> str | None:
    """The documentation page of a rule, or None when there is none."""
    name = rule_id.strip().upper()
    if not name.isalnum():
        return None
    page = _HERE / f"{name}.md"
    try:
        return page.read_text(encoding="utf-8")
    except OSError:
        return None


def documented() -> list[str]:
    """The rule IDs that have a page."""
    return sorted(p.stem for p in _HERE.glob("*.md"))
