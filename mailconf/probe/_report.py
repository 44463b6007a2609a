"""Probe output: text, json (the lint JSON shape plus what was seen) and SARIF 2.1.0.

The lint reporters (mailconf/cli/_reporters.py) work on lint results; the probe renders its own
report here in the same shapes: findings carry ``rule, severity, message, path, line, column,
end_line, end_column, fix`` with ``path`` a URL such as ``smtp://host:587`` and line/column 1.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from mailconf.probe._model import PROBE_RULES, ProbeReport, ServiceReport

FORMATS = ("text", "json", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _version() -> str:
    from mailconf import __version__

    return __version__


def render(report: ProbeReport, fmt: str) -> str:
    if fmt == "json":
        return as_json(report)
    if fmt == "sarif":
        return sarif(report)
    if fmt == "text":
        return text(report)
    raise ValueError(f"unknown format {fmt!r}")


def _summary(report: ProbeReport) -> dict[str, Any]:
    findings = report.findings
    severities = Counter(f.severity for f in findings)
    return {
        "total": len(findings),
        "error": severities["error"],
        "warning": severities["warning"],
        "info": severities["info"],
        "by_rule": dict(sorted(Counter(f.rule for f in findings).items())),
        "services": len(report.services),
        "exit_code": report.exit_status(),
    }


def as_json(report: ProbeReport) -> str:
    payload = {
        "version": _version(),
        "findings": [f.to_dict() for f in report.findings],
        "files": [],
        "host": report.host,
        "source_address": report.source_address,
        "services": [s.to_dict() for s in report.services],
        "summary": _summary(report),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _seen(s: ServiceReport) -> list[str]:
    out = [f"{s.url} ({s.service})"]
    if not s.reachable:
        out.append("  not reachable")
        return out
    if s.greeting:
        out.append(f"  greeting: {s.greeting}")
    if s.tls_at_once is not None:
        out.append(f"  TLS at once: {'yes' if s.tls_at_once else 'no'}")
    if s.starttls_offered is not None:
        out.append(f"  STARTTLS offered: {'yes' if s.starttls_offered else 'no'}")
    if s.auth_before_tls is not None:
        out.append(f"  AUTH before TLS: {' '.join(s.auth_before_tls) or '(none)'}")
    if s.tls is not None:
        tls = s.tls
        out.append(f"  TLS: {tls.version} {tls.cipher}")
        if tls.old_versions_accepted or tls.old_versions_refused:
            accepted = ", ".join(tls.old_versions_accepted) or "none"
            refused = ", ".join(tls.old_versions_refused) or "none"
            out.append(f"  old TLS versions accepted: {accepted}; refused: {refused}")
        cert = tls.certificate
        if cert is not None:
            out.append(f"  certificate: subject {cert.subject}; issuer {cert.issuer}")
            out.append(f"  valid {cert.not_before} to {cert.not_after} ({cert.days_left} days left)")
            if cert.dns_names:
                out.append(f"  names: {', '.join(cert.dns_names)}")
            chain = "verified" if cert.verified else f"NOT verified ({cert.verify_error})"
            out.append(f"  chain: {chain}{'; self-signed' if cert.self_signed else ''}")
    if s.auth_after_tls is not None:
        out.append(f"  AUTH after TLS: {' '.join(s.auth_after_tls) or '(none)'}")
    for name, value in s.checks.items():
        out.append(f"  {name.replace('_', ' ')}: {value}")
    return out


def text(report: ProbeReport) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.rule} {f.message}" for f in report.findings]
    if lines:
        lines.append("")
    for service in report.services:
        lines.extend(_seen(service))
    lines.append("")
    total = len(report.findings)
    if total:
        summary = _summary(report)
        lines.append(
            f"Found {total} problem{'s' if total != 1 else ''} ({summary['error']} error, "
            f"{summary['warning']} warning, {summary['info']} info) on {len(report.services)} service(s)."
        )
    else:
        lines.append(f"All checks passed on {len(report.services)} service(s).")
    return "\n".join(lines) + "\n"


def sarif(report: ProbeReport) -> str:
    rule_ids = sorted(report.rules())
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    severities = {f.rule: f.severity for f in report.findings}
    rules = [
        {
            "id": rule_id,
            "shortDescription": {"text": PROBE_RULES[rule_id][1] if rule_id in PROBE_RULES else rule_id},
            "defaultConfiguration": {"level": _SARIF_LEVEL[severities[rule_id]]},
        }
        for rule_id in rule_ids
    ]
    results = []
    for f in report.findings:
        entry: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message + (f" Fix: {f.fix}" if f.fix else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        results.append(entry)
    run = {
        "tool": {"driver": {"name": "mailconf", "version": _version(), "rules": rules}},
        "invocations": [{"executionSuccessful": report.exit_status() != 2}],
        "results": results,
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
