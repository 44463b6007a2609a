"""The rule registry: every rule is a small function registered with its metadata.

A rule module does::

    from mailconf.policy.registry import rule

    @rule("TLS101", "error", "submission service does not require TLS", needs=("postfix",))
    def tls101(ctx: Context) -> None:
        ...
        ctx.report("message", path=..., line=..., fix=...)

The ID's letters are the family (``TLS``), its first digit the scope (0 any file, 1 Postfix,
2 Dovecot, 3 across products). IDs never change meaning once shipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from mailconf._lazyre import Lazy
from mailconf._record import Record
from mailconf.policy._finding import parse_severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from mailconf.policy._finding import Severity
    from mailconf.policy.engine import Context

Version = tuple[int, ...]
NEEDS = ("postfix", "dovecot", "dovecot-text", "mailman", "cross")
FAMILIES = {
    "SYN": "syntax and validity",
    "TLS": "transport encryption",
    "CERT": "certificates and keys",
    "AUTH": "authentication",
    "RELAY": "relay control",
    "XREF": "consistency across files",
    "MM": "Mailman",
    "LEG": "legacy and version",
}
# Modules under mailconf.policy.rules, imported on first use (mailman is optional: its own helper).
RULE_MODULES = ("syn", "tls", "cert", "auth", "relay", "xref", "leg", "mailman")
_ID = Lazy(r"^([A-Z]+)(\d{3})$")


def parse_version(text: str) -> Version:
    """``"2.6.6"`` -> ``(2, 6, 6)``; raises ValueError for anything else."""
    parts = text.strip().split(".")
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(f"invalid version {text!r}: expected digits and dots, like 3.7 or 2.3.19")
    return tuple(int(p) for p in parts)


def format_version(version: Version | None) -> str:
    return "?" if version is None else ".".join(str(p) for p in version)


class Rule(Record):
    """A registered rule and its metadata."""

    __slots__ = ("dovecot", "func", "id", "module", "needs", "postfix", "severity", "summary")

    def __init__(
        self,
        id: str,
        severity: Severity,
        summary: str,
        needs: frozenset[str],
        func: Callable[[Context], None] | None,
        postfix: tuple[Version | None, Version | None] = (None, None),
        dovecot: tuple[Version | None, Version | None] = (None, None),
        module: str = "",
    ) -> None:
        self.id = id
        self.severity: Severity = severity
        self.summary = summary
        self.needs = needs
        self.func = func
        self.postfix = postfix
        self.dovecot = dovecot
        self.module = module

    @property
    def family(self) -> str:
        match = _ID.match(self.id)
        return match.group(1) if match else self.id

    def applies_to(self, postfix: Version | None, dovecot: Version | None) -> bool:
        """Whether the rule applies at these target versions (unknown versions always apply)."""
        for version, (low, high) in ((postfix, self.postfix), (dovecot, self.dovecot)):
            if version is None:
                continue
            if low is not None and version < low:
                return False
            if high is not None and version >= high:
                return False
        return True

    def matches(self, selector: str) -> bool:
        """True if ``selector`` is this rule's ID or a prefix of it (``TLS``, ``AUTH1``, ``ALL``)."""
        sel = selector.strip().upper()
        return sel == "ALL" or self.id.startswith(sel)


RULES: dict[str, Rule] = {}


def _range(spec: str | None) -> tuple[Version | None, Version | None]:
    """``">=3.0"``, ``"<3.0"``, ``">=2.3,<2.4"`` or None."""
    if not spec:
        return (None, None)
    low: Version | None = None
    high: Version | None = None
    for part in spec.split(","):
        part = part.strip()
        if part.startswith(">="):
            low = parse_version(part[2:])
        elif part.startswith("<"):
            high = parse_version(part[1:])
        else:
            raise ValueError(f"bad version range {spec!r}")
    return (low, high)


def rule(
    rule_id: str,
    severity: str,
    summary: str,
    *,
    needs: Iterable[str] = (),
    postfix: str | None = None,
    dovecot: str | None = None,
) -> Callable[[Callable[[Context], None]], Callable[[Context], None]]:
    """Register a rule function (decorator). ``postfix``/``dovecot``: version ranges like ``">=3.0"``."""
    if not _ID.match(rule_id):
        raise ValueError(f"bad rule ID {rule_id!r}")
    sev = parse_severity(severity)
    need_set = frozenset(needs)
    unknown = need_set - set(NEEDS)
    if unknown:
        raise ValueError(f"{rule_id}: unknown needs {sorted(unknown)}")

    def decorate(func: Callable[[Context], None]) -> Callable[[Context], None]:
        if rule_id in RULES and RULES[rule_id].func is not None:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, sev, summary, need_set, func, _range(postfix), _range(dovecot), func.__module__)
        return func

    return decorate


def declare(rule_id: str, severity: str, summary: str, *, needs: Iterable[str] = ()) -> None:
    """Register a rule that the engine itself reports (SYN001, SYN007): metadata only."""
    RULES[rule_id] = Rule(rule_id, parse_severity(severity), summary, frozenset(needs), None)


_loaded = False


def load_rules() -> dict[str, Rule]:
    """Import every rule module once; return the registry (sorted by ID)."""
    global _loaded
    if not _loaded:
        _loaded = True
        for name in RULE_MODULES:
            try:
                importlib.import_module(f"mailconf.policy.rules.{name}")
            except ModuleNotFoundError as error:
                if error.name != f"mailconf.policy.rules.{name}":
                    raise
    return dict(sorted(RULES.items(), key=lambda item: _sort_key(item[0])))


def _sort_key(rule_id: str) -> tuple[int, str, str]:
    match = _ID.match(rule_id)
    family = match.group(1) if match else rule_id
    order = list(FAMILIES).index(family) if family in FAMILIES else len(FAMILIES)
    return (order, family, rule_id)


def select_rules(rules: Iterable[Rule], select: Iterable[str] | None, ignore: Iterable[str] = ()) -> list[Rule]:
    """Rules matching any ``select`` selector (all when None) and no ``ignore`` selector.

    The more specific selector wins, as in ruff: ``select=["TLS"], ignore=["TLS1"]`` drops TLS1xx;
    ``select=["TLS101"], ignore=["TLS"]`` keeps TLS101.
    """
    sel = [s.strip().upper() for s in select] if select is not None else ["ALL"]
    ign = [s.strip().upper() for s in ignore]
    chosen = []
    for r in rules:
        best_sel = max((_specificity(s) for s in sel if r.matches(s)), default=-1)
        best_ign = max((_specificity(s) for s in ign if r.matches(s)), default=-1)
        if best_sel >= 0 and best_sel > best_ign:
            chosen.append(r)
    return chosen


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


def unknown_selectors(selectors: Iterable[str], rules: Iterable[Rule]) -> list[str]:
    """Selectors that match no registered rule (typos)."""
    rule_list = list(rules)
    return [s for s in selectors if not any(r.matches(s) for r in rule_list)]
