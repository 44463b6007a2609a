"""The policy engine: rules over the semantic layer, profiles, configuration, suppressions.

Library use::

    from pathlib import Path
    from mailconf.policy import lint, Settings

    result = lint([Path("/etc/postfix")], Settings())
    for finding in result.findings:
        print(finding.path, finding.line, finding.rule, finding.message)

Public names: :func:`lint`, :class:`Options`, :class:`LintResult`, :class:`Finding`,
:class:`Settings`, :func:`discover_settings`, :func:`discover`, :class:`ConfigSet`,
:func:`load_rules`, :class:`Rule`, :func:`rule` (to register rules), :class:`Profile`.
Everything is imported lazily, so ``import mailconf.policy`` is cheap.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from mailconf.policy._finding import Finding, Severity
    from mailconf.policy.discovery import ConfigSet, discover
    from mailconf.policy.engine import Context, LintResult, Options, lint
    from mailconf.policy.profiles import Profile
    from mailconf.policy.registry import Rule, load_rules, rule
    from mailconf.policy.settings import Settings, discover_settings

_LAZY = {
    "Finding": "mailconf.policy._finding",
    "Severity": "mailconf.policy._finding",
    "ConfigSet": "mailconf.policy.discovery",
    "discover": "mailconf.policy.discovery",
    "Context": "mailconf.policy.engine",
    "LintResult": "mailconf.policy.engine",
    "Options": "mailconf.policy.engine",
    "lint": "mailconf.policy.engine",
    "Profile": "mailconf.policy.profiles",
    "Rule": "mailconf.policy.registry",
    "load_rules": "mailconf.policy.registry",
    "rule": "mailconf.policy.registry",
    "Settings": "mailconf.policy.settings",
    "discover_settings": "mailconf.policy.settings",
}
__all__ = [
    "ConfigSet",
    "Context",
    "Finding",
    "LintResult",
    "Options",
    "Profile",
    "Rule",
    "Settings",
    "Severity",
    "discover",
    "discover_settings",
    "lint",
    "load_rules",
    "rule",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mailconf.policy' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
