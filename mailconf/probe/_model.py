"""What a probe finds and what it saw: plain dataclasses, JSON-ready through ``to_dict``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Probe-only finding IDs (the others are the policy rule IDs of docs/rules.md).
PROBE_RULES: dict[str, tuple[str, str]] = {
    "PRB001": ("error", "cannot connect to the service (refused, unreachable or timed out)"),
    "PRB002": ("error", "the service broke the protocol: no greeting, garbage, early close or a stall"),
    "PRB003": ("error", "the TLS handshake failed or stalled"),
    "PRB004": ("warning", "the certificate could not be verified against the trusted CAs"),
    "PRB005": ("error", "login with the given user and password failed"),
    "PRB006": ("error", "an implicit-TLS port (995/993) speaks plaintext"),
}

# Findings whose rule means "this service could not be checked": exit status 2.
CONNECTION_RULES = frozenset({"PRB001", "PRB002", "PRB003"})


@dataclass
class Finding:
    """One finding, in the same shape as a lint finding (``path`` is a URL like smtp://host:port)."""

    rule: str
    severity: str
    message: str
    path: str
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CertInfo:
    subject: str
    issuer: str
    not_before: str
    not_after: str
    dns_names: list[str]
    self_signed: bool
    days_left: int
    verified: bool
    verify_error: str | None


@dataclass
class TlsInfo:
    """One TLS session: negotiated version and cipher, the certificate, and versions tried."""

    version: str
    cipher: str
    certificate: CertInfo | None = None
    old_versions_accepted: list[str] = field(default_factory=list)
    old_versions_refused: list[str] = field(default_factory=list)


@dataclass
class ServiceReport:
    """What was seen on one port. ``checks`` maps a check name to what the server answered."""

    service: str
    url: str
    port: int
    reachable: bool = False
    greeting: str | None = None
    starttls_offered: bool | None = None
    tls_at_once: bool | None = None
    tls: TlsInfo | None = None
    auth_before_tls: list[str] | None = None
    auth_after_tls: list[str] | None = None
    checks: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def add(self, rule: str, severity: str, message: str, fix: str | None = None) -> None:
        if any(f.rule == rule and f.message == message for f in self.findings):
            return
        self.findings.append(Finding(rule, severity, message, self.url, fix=fix))

    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["findings"]
        return data


@dataclass
class ProbeReport:
    host: str
    source_address: str | None
    services: list[ServiceReport]

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.services for f in s.findings]

    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}

    def service(self, name: str) -> ServiceReport:
        for s in self.services:
            if s.service == name:
                return s
        raise KeyError(name)

    def exit_status(self) -> int:
        """0 clean, 1 policy findings, 2 when some named service could not be checked."""
        rules = self.rules()
        if rules & CONNECTION_RULES:
            return 2
        return 1 if rules else 0
