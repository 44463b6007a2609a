"""Per-rule evidence: for each rule with a runtime claim, a weak configuration that ``lint`` flags
and where the real daemons show the weakness, and the fixed (secure) configuration where ``lint``
is silent for that rule and the daemons show the protection.

The run writes the evidence table to docs/evidence.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mailconf.probe import ServiceReport
from tests.live._configs import dovecot_series
from tests.live._run import LiveRuns, VariantRun
from tests.live._variants import DAEMON_LOG, EVIDENCE, Evidence

pytestmark = pytest.mark.live

DOC = Path(__file__).resolve().parents[2] / "docs" / "evidence.md"


def implemented_rules() -> set[str]:
    from mailconf.policy.registry import load_rules

    return {rule_id for rule_id, r in load_rules().items() if r.func is not None}


IMPLEMENTED = implemented_rules()
ids = [e.rule for e in EVIDENCE]


@pytest.mark.parametrize("evidence", EVIDENCE, ids=ids)
def test_weak_configuration_shows_the_weakness(live: LiveRuns, evidence: Evidence) -> None:
    service = live.get(evidence.weak).probe.service(evidence.service)
    assert service.rules() & evidence.seen, (evidence.rule, service.findings, service.checks)


@pytest.mark.parametrize("evidence", EVIDENCE, ids=ids)
def test_fixed_configuration_shows_the_protection(live: LiveRuns, evidence: Evidence) -> None:
    service = live.get("secure").probe.service(evidence.service)
    assert not service.rules() & evidence.seen, (evidence.rule, service.findings)
    assert service.reachable


@pytest.mark.parametrize("evidence", [e for e in EVIDENCE if e.rule in IMPLEMENTED], ids=lambda e: e.rule)
def test_lint_flags_the_weak_side_only(live: LiveRuns, evidence: Evidence) -> None:
    weak, fixed = live.get(evidence.weak).lint, live.get("secure").lint
    assert weak.error is None and fixed.error is None, weak.error or fixed.error
    assert evidence.rule in weak.rules(), (evidence.rule, sorted(weak.rules()))
    assert evidence.rule not in fixed.rules(), [f for f in fixed.findings if f["rule"] == evidence.rule]


# -- the table --------------------------------------------------------------------------------------


def _fact(s: ServiceReport, key: str) -> str:
    if not s.reachable:
        return "not reachable"
    if key == "starttls":
        version = f", then {s.tls.version}" if s.tls is not None else ""
        return f"STARTTLS offered: {'yes' if s.starttls_offered else 'no'}{version}"
    if key == "tls_at_once":
        return f"TLS at once: {'yes' if s.tls_at_once else 'no'}"
    if key == "cert":
        cert = s.tls.certificate if s.tls else None
        if cert is None:
            return "no certificate seen"
        return f"certificate {cert.subject}: {'more' if cert.days_left >= 30 else 'less'} than 30 days left"
    if key == "old_versions":
        accepted = ", ".join(s.tls.old_versions_accepted) if s.tls else ""
        refused = ", ".join(s.tls.old_versions_refused) if s.tls else ""
        return f"TLSv1/TLSv1.1 accepted: {accepted or 'none'}; refused: {refused or 'none'}"
    if key == "auth_before_tls":
        return f"AUTH before TLS: {' '.join(s.auth_before_tls or []) or 'none'}"
    if key == "auth_after_tls":
        return f"AUTH after TLS: {' '.join(s.auth_after_tls or []) or 'none'}"
    value = s.checks.get(key)
    return f"{key.replace('_', ' ')}: {value}" if value else "(not reached)"


def _cell(text: str) -> str:
    """Table text: stable from run to run (dates and day counts of the test certificates vary)."""
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", "DATE", text)
    text = re.sub(r"expires in \d+ days", "expires in N days", text)
    return text.replace("|", "\\|").replace("\n", " ")


def _lint_verdict(rule: str, run: VariantRun) -> str:
    if rule not in IMPLEMENTED:
        return "rule not implemented yet"
    if run.lint.error is not None:
        return "lint failed"
    return f"flags {rule}" if rule in run.lint.rules() else "silent"


def _row(evidence: Evidence, weak: VariantRun, fixed: VariantRun) -> str:
    ws = weak.probe.service(evidence.service)
    fs = fixed.probe.service(evidence.service)
    seen = [f"{f.rule} {f.message}" for f in ws.findings if f.rule in evidence.seen]
    weak_obs = "; ".join(seen) if seen else f"NOT SEEN ({_fact(ws, evidence.fact)})"
    fixed_hits = [f"{f.rule} {f.message}" for f in fs.findings if f.rule in evidence.seen]
    fixed_obs = _fact(fs, evidence.fact) if not fixed_hits else "NOT PROTECTED: " + "; ".join(fixed_hits)
    holds = bool(seen) and not fixed_hits
    cells = [
        evidence.rule,
        f"`{evidence.weak}`: {evidence.change}",
        _lint_verdict(evidence.rule, weak),
        _lint_verdict(evidence.rule, fixed),
        f"{ws.url}: {weak_obs}",
        f"{fs.url}: {fixed_obs}",
        "yes" if holds else "**no**",
    ]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


HEADER = """\
# Evidence: the policy rules against real daemons

Generated by the live test suite (`tests/live/test_live_evidence.py`, run as root by the test
command and CI): each row starts real Postfix {postfix} and Dovecot {dovecot} on 127.0.0.1 from a
configuration that opens one weakness (the *weak* side), and from the secure baseline (the
*fixed* side), lints both with `mailconf lint`, and observes both with `mailconf probe` from
127.0.0.2 (outside `mynetworks`, and not Dovecot's own address). Nothing is ever delivered: the
probe never sends DATA and the test configurations discard everything.

The secure baseline: submission and smtps with `smtpd_tls_security_level=encrypt` /
`smtpd_tls_wrappermode=yes`, SASL through Dovecot's socket in the Postfix queue directory and
`permit_sasl_authenticated,reject`; port 25 with opportunistic STARTTLS and
`permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination`, `mynetworks =
127.0.0.1/32`; Dovecot with `ssl = required`, `disable_plaintext_auth = yes`, POP3/IMAP and
POP3S/IMAPS listeners. See `tests/live/_configs.py` and `tests/live/_variants.py`.

| Rule | Weak configuration | lint, weak | lint, fixed | Probe, weak side | Probe, fixed side | Holds |
|---|---|---|---|---|---|---|
"""

FOOTER = """
Notes from the real daemons:

- **RELAY101**: Postfix 3.x does not run as an open relay without a relay guard: `smtpd` exits
  with `fatal: in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at
  least one working instance of: reject_unauth_destination, ...` and `master` throttles the
  service, so the port accepts connections and then stalls. The weakness seen live is a dead
  service, not an open relay.
- **XREF301/XREF302**: when the SASL socket is missing or not usable, `smtpd` exits with `fatal: no
  SASL authentication mechanisms` at the first EHLO after TLS; the client sees the connection
  close, so nobody can log in on 587/465.
- **TLS105**: without a certificate Postfix still offers STARTTLS on port 25 but answers it with
  `454 4.7.0 TLS not available due to local problem` (log: `No server certs available. TLS won't
  be enabled`).
- **TLS203**: on Debian 12 (OpenSSL 3), `ssl_min_protocol = TLSv1` alone does not make Dovecot
  speak TLSv1 or TLSv1.1: OpenSSL's default security level still refuses them. They are accepted
  only when `ssl_cipher_list` also lowers the level (`@SECLEVEL=0`), as in the weak side here.
  Postfix 3.7 with its default `smtpd_tls_protocols` does accept TLSv1 and TLSv1.1 (TLS106).
- **TLS201/TLS202**: with `ssl = yes` and `disable_plaintext_auth = yes`, Dovecot hides PLAIN/LOGIN
  before TLS but offers CRAM-MD5, which logs in without TLS; with `ssl = required` no mechanism
  is offered before STARTTLS.
- **Debian 13** (Postfix 3.10.13, Dovecot 2.4.1; run in a chroot): the suite writes the same
  configurations in Dovecot 2.4's form, chosen from `dovecot --version` (`dovecot_config_version`
  and `dovecot_storage_version` first, `ssl_server_cert_file`/`ssl_server_key_file`,
  `auth_allow_cleartext`, `mail_driver`/`mail_path`, `passdb passwd-file {}`, `userdb static {}`).
  Every row holds there with the same lint verdicts; the suite checks that and leaves this page
  as it is. Differences: **AUTH202**'s weak side also sets `ssl = yes`, because Dovecot 2.4
  requires TLS from `login_trusted_networks` too when `ssl = required` (2.4.0 NEWS): with `ssl =
  required` the probe sees `LOGINDISABLED`, yet lint still flags AUTH202 on such a 2.4 file.
  **XREF301/XREF302**: the client sees the connection reset rather than closed. POP3 answers
  `Cleartext authentication disallowed` (2.3: `Plaintext`). Postfix 3.10's `cleanup` logs
  `removed (canceled)` for each transaction the probe abandons; nothing is queued.
"""


def render_table(live: LiveRuns) -> str:
    import subprocess

    postfix = subprocess.run(["postconf", "-dh", "mail_version"], capture_output=True, text=True, check=False)
    dovecot = subprocess.run(["dovecot", "--version"], capture_output=True, text=True, check=False)
    header = HEADER.format(postfix=postfix.stdout.strip() or "?", dovecot=(dovecot.stdout.split() or ["?"])[0])
    fixed = live.get("secure")
    rows = [_row(e, live.get(e.weak), fixed) for e in EVIDENCE]
    return header + "\n".join(rows) + "\n" + FOOTER


def test_evidence_table_is_written(live: LiveRuns) -> None:
    """The page records Dovecot 2.3 (Debian 12, CI). Under 2.4 the table is checked, not written:
    every row must hold there too, with the same lint verdicts as the page."""
    table = render_table(live)
    assert table.count("\n| ") == len(EVIDENCE) + 1
    if dovecot_series() != "2.3":
        rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| ") and " | `" in line]
        recorded = {r[0]: r for r in (line.split(" | ") for line in DOC.read_text(encoding="utf-8").splitlines())}
        assert [r[0] for r in rows if r[-1] != "yes |"] == []
        assert [r[0] for r in rows if r[2:4] != recorded[r[0]][2:4]] == []
        return
    if not DOC.exists() or DOC.read_text(encoding="utf-8") != table:
        DOC.write_text(table, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == table


@pytest.mark.parametrize("rule", sorted(DAEMON_LOG))
def test_daemon_log_confirms(live: LiveRuns, rule: str) -> None:
    evidence = next(e for e in EVIDENCE if e.rule == rule)
    assert DAEMON_LOG[rule] in live.get(evidence.weak).maillog
    assert DAEMON_LOG[rule] not in live.get("secure").maillog
