"""Profiles: which rules run, at which severity, with which policy options.

``office`` (the default) is the policy of a small organisation's own server (rules.md): mail
clients are known, so security comes before compatibility. ``strict`` adds: no plaintext-capable
listeners at all (only 465/993/995), TLS 1.2+ on every server side, SMTP AUTH only on 465/587.

A profile maps rule IDs or prefixes to a severity or ``"off"`` (the longest matching key wins)
and sets options that rules read with ``ctx.option(name)``. Users define their own in the
configuration file::

    [tool.mailconf.profiles.ours]
    extends = "office"
    severity = { TLS205 = "off", AUTH202 = "error" }
    options = { submission_permit_mynetworks = "never" }
"""

from __future__ import annotations

from collections.abc import Mapping

from mailconf._record import Record
from mailconf.policy._finding import parse_severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from mailconf.policy._finding import Severity

OFF = "off"

# Options every rule may read (documented in docs/commands/lint.md).
DEFAULT_OPTIONS: dict[str, Any] = {
    # AUTH102: permit_mynetworks before the SASL permit on 587/465: "never", "loopback" (only when
    # mynetworks holds nothing but loopback addresses) or "always".
    "submission_permit_mynetworks": "loopback",
    # TLS106/TLS203: require TLS 1.2+ on every server side (not only submission).
    "tls12_everywhere": False,
    # AUTH105: SMTP AUTH only on 465/587 (also flags other ports, e.g. 2525, that offer AUTH).
    "auth_only_submission": False,
    # CERT103: days before expiry that count as "expiring".
    "cert_expiry_days": 30,
}


class Profile(Record):
    __slots__ = ("description", "name", "options", "severities")

    def __init__(
        self,
        name: str,
        severities: dict[str, str] | None = None,
        options: dict[str, Any] | None = None,
        description: str = "",
    ) -> None:
        self.name = name
        self.severities: dict[str, str] = {} if severities is None else severities
        self.options: dict[str, Any] = {} if options is None else options
        self.description = description

    def severity_for(self, rule_id: str, default: Severity) -> Severity | None:
        """The severity of ``rule_id`` under this profile, or None when the profile turns it off."""
        best = ""
        for key in self.severities:
            if rule_id.startswith(key) and len(key) > len(best):
                best = key
        if not best:
            return default
        value = self.severities[best]
        return None if value == OFF else parse_severity(value)

    def override_for(self, rule_id: str) -> str | None:
        """The profile's level for ``rule_id`` (a severity or ``"off"``), None when it says nothing."""
        best = ""
        for key in self.severities:
            if rule_id.startswith(key) and len(key) > len(best):
                best = key
        return self.severities[best] if best else None

    def option(self, name: str) -> Any:
        if name in self.options:
            return self.options[name]
        return DEFAULT_OPTIONS[name]


OFFICE = Profile(
    "office",
    severities={"TLS205": "info"},
    options={},
    description="a small organisation's own server: TLS for clients, SMTP AUTH to send, no open relay",
)
STRICT = Profile(
    "strict",
    severities={"TLS205": "error", "AUTH105": "error", "TLS203": "error"},
    options={
        "submission_permit_mynetworks": "never",
        "tls12_everywhere": True,
        "auth_only_submission": True,
    },
    description="office plus: only 465/993/995 listeners, TLS 1.2+ on every server side, AUTH only on 465/587",
)
BUILTIN: dict[str, Profile] = {"office": OFFICE, "strict": STRICT}


class ProfileError(ValueError):
    pass


def build_profile(name: str, spec: Mapping[str, Any], known: Mapping[str, Profile]) -> Profile:
    """A user profile from its config table (``extends``, ``severity``, ``options``, ``description``)."""
    base_name = str(spec.get("extends", "office"))
    if base_name not in known:
        raise ProfileError(f"profile {name!r} extends unknown profile {base_name!r}")
    base = known[base_name]
    severities = dict(base.severities)
    raw_sev = spec.get("severity", {})
    if not isinstance(raw_sev, Mapping):
        raise ProfileError(f"profile {name!r}: 'severity' must be a table of RULE = level")
    for key, value in raw_sev.items():
        level = str(value).lower()
        if level != OFF:
            try:
                parse_severity(level)
            except ValueError as error:
                raise ProfileError(f"profile {name!r}: {key}: {error} or off") from None
        severities[str(key).upper()] = level
    options = dict(base.options)
    raw_opts = spec.get("options", {})
    if not isinstance(raw_opts, Mapping):
        raise ProfileError(f"profile {name!r}: 'options' must be a table")
    for key, value in raw_opts.items():
        key = str(key).replace("-", "_")
        if key not in DEFAULT_OPTIONS:
            raise ProfileError(f"profile {name!r}: unknown option {key!r} (known: {', '.join(DEFAULT_OPTIONS)})")
        options[key] = value
    unknown = set(spec) - {"extends", "severity", "options", "description"}
    if unknown:
        raise ProfileError(f"profile {name!r}: unknown keys {', '.join(sorted(unknown))}")
    return Profile(name, severities, options, str(spec.get("description", "")))


def resolve_profiles(user: Mapping[str, Any]) -> dict[str, Profile]:
    """Built-in profiles plus the user's (which may extend each other, in any order)."""
    known: dict[str, Profile] = dict(BUILTIN)
    pending = {str(k): v for k, v in user.items()}
    while pending:
        progressed = False
        for name, spec in list(pending.items()):
            if not isinstance(spec, Mapping):
                raise ProfileError(f"profile {name!r} must be a table")
            base = str(spec.get("extends", "office"))
            if base in known:
                known[name] = build_profile(name, spec, known)
                del pending[name]
                progressed = True
        if not progressed:
            raise ProfileError(f"profiles extend unknown or each other in a loop: {', '.join(sorted(pending))}")
    return known
