"""Invariants (Hypothesis): rules never crash on any configuration Postfix accepts, findings
always point inside the linted files, and the small parsers behave."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailconf.policy.registry import Rule, select_rules
from mailconf.policy.rules._postfix import catalogue, restriction_steps, split_list
from mailconf.policy.rules.tls import PROTOCOLS, admitted, weak_ciphers
from mailconf.policy.suppress import scan
from tests.policy._helpers import run_lint

INTERESTING = [
    "smtpd_tls_security_level",
    "smtpd_sasl_auth_enable",
    "smtpd_relay_restrictions",
    "smtpd_recipient_restrictions",
    "smtpd_client_restrictions",
    "smtpd_tls_wrappermode",
    "smtpd_tls_protocols",
    "smtpd_tls_mandatory_protocols",
    "smtpd_sasl_security_options",
    "smtpd_sasl_path",
    "smtpd_sasl_type",
    "mynetworks",
    "mynetworks_style",
    "compatibility_level",
    "smtp_tls_security_level",
    "smtpd_use_tls",
    "tls_high_cipherlist",
    "mailbox_transport",
    "queue_directory",
]
WORDS = [
    "yes",
    "no",
    "may",
    "encrypt",
    "none",
    "dovecot",
    "private/auth",
    "inet:10.1.2.3:12345",
    "permit_mynetworks",
    "permit_sasl_authenticated",
    "reject_unauth_destination",
    "reject",
    "permit",
    "check_sender_access hash:/etc/x",
    "0.0.0.0/0",
    "127.0.0.0/8",
    "[::1]/128",
    "10.0.0.0/8",
    "subnet",
    "host",
    "2",
    "3.6",
    "0",
    ">=TLSv1.2",
    "!SSLv2",
    "SSLv3",
    "TLSv1",
    "noanonymous",
    "noplaintext",
    "lmtp:unix:private/dovecot-lmtp",
    "$mua",
    "${mua?x}",
    "$$",
    "{ a = b }",
    "RC4:ALL",
    "$undefined_x",
]
values = st.lists(st.sampled_from(WORDS), min_size=0, max_size=4).map(lambda ws: ", ".join(ws))
params = st.dictionaries(st.sampled_from([*INTERESTING, "mua"]), values, max_size=10)
services = st.lists(
    st.tuples(
        st.sampled_from(["smtp", "submission", "smtps", "127.0.0.1:10025", "2525", "[::1]:587"]),
        st.sampled_from(["y", "n", "-"]),
        st.dictionaries(
            st.sampled_from(INTERESTING), st.sampled_from(WORDS).filter(lambda w: " " not in w), max_size=4
        ),
    ),
    max_size=4,
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(params, services)
def test_rules_never_crash_and_point_into_the_files(
    main: dict[str, str], master: list[tuple[str, str, dict[str, str]]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "host"
        (base / "postfix").mkdir(parents=True)
        (base / "postfix/main.cf").write_text("".join(f"{k} = {v}\n" for k, v in main.items()))
        lines = []
        for name, chroot, overrides in master:
            lines.append(f"{name} inet n - {chroot} - - smtpd\n")
            lines += [f"  -o {k}={v}\n" for k, v in overrides.items()]
        (base / "postfix/master.cf").write_text("".join(lines))
        result = run_lint([base])  # strict_errors: a rule exception fails the test
        files = set(result.files)
        for f in result.findings:
            assert f.path in files
            assert f.line >= 1 and f.column >= 1
            assert f.severity in ("error", "warning", "info")


@given(
    st.lists(
        st.sampled_from(["!SSLv2", "!SSLv3", "!TLSv1", "TLSv1.2", "TLSv1.3", ">=TLSv1.1", "<=TLSv1.2", "SSLv3"]),
        max_size=5,
    )
)
def test_protocol_lists(tokens: list[str]) -> None:
    allowed = admitted(", ".join(tokens))
    assert allowed <= set(PROTOCOLS)
    for token in tokens:
        if token.startswith("!"):
            assert token[1:] not in allowed


@given(st.lists(st.sampled_from(["RC4", "!RC4", "-RC4", "HIGH", "aNULL", "!aNULL", "EXPORT"]), max_size=6))
def test_weak_ciphers_removed_stay_removed(parts: list[str]) -> None:
    weak = weak_ciphers(":".join(parts))
    for name in ("RC4", "aNULL", "EXPORT"):
        if f"!{name}" in parts or f"-{name}" in parts:
            assert name not in weak
        elif name in parts:
            assert name in weak


@given(st.lists(st.sampled_from(WORDS), max_size=8))
def test_lists_and_restriction_steps(words: list[str]) -> None:
    value = ", ".join(words)
    items = split_list(value)
    assert all(item.strip() and "," not in item.replace("{ a = b }", "") for item in items)
    steps = restriction_steps(value)
    assert len(steps) <= len(items)


SUPPRESSION_LINES = [
    "a = b",
    "",
    "  c",
    "# x",
    "# mailconf: disable=TLS1",
    "# mailconf: disable-file=X1",
    "d = e # mailconf: disable=AUTH",
]


@given(st.lists(st.sampled_from(SUPPRESSION_LINES), max_size=12))
def test_suppression_targets_are_entries(lines: list[str]) -> None:
    text = "\n".join(lines)
    for sup in scan(text, "f", trailing=True):
        assert sup.line >= 1 and sup.ids
        if sup.target is not None and sup.target > 0:
            assert sup.target >= sup.line
            target = lines[sup.target - 1].strip()
            assert target and not target.startswith("#")


@given(
    st.lists(st.sampled_from(["TLS", "TLS1", "TLS101", "AUTH", "ALL", "RELAY1"]), max_size=3),
    st.lists(st.sampled_from(["TLS", "TLS2", "AUTH105", "RELAY"]), max_size=3),
)
def test_selection_is_a_subset_and_ignore_wins_when_more_specific(select: list[str], ignore: list[str]) -> None:
    rules = [Rule(i, "error", i, frozenset(), None) for i in ("TLS101", "TLS201", "AUTH105", "RELAY101")]
    chosen = select_rules(rules, select or None, ignore)
    assert set(chosen) <= set(rules)
    for r in chosen:
        assert not any(r.id == i for i in ignore)


def test_catalogue_loads() -> None:
    assert "smtpd_tls_security_level" in catalogue()["params"]
