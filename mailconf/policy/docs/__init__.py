"""One markdown page per rule (``<ID>.md``: what, why, example, fix), shipped in the package.

``explain(rule_id)`` returns the page; ``mailconf lint --explain ID`` prints it.
"""

from __future__ import annotations

import os

_HERE = os.path.dirname(__file__)


def explain(rule_id: str) -> str | None:
    """The documentation page of a rule, or None when there is none."""
    name = rule_id.strip().upper()
    if not name.isalnum():
        return None
    try:
        with open(os.path.join(_HERE, f"{name}.md"), encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return None


def documented() -> list[str]:
    """The rule IDs that have a page."""
    return sorted(name[:-3] if len(name) > 3 else name for name in os.listdir(_HERE) if name.endswith(".md"))
