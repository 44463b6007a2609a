"""The rules' effective Postfix values agree with ``postconf -x`` / ``postconf -Px`` (the oracle)
on the shared corpus: main.cf values, defaults at the compatibility level, and -o overrides."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mailconf.policy.discovery import ConfigSet
from mailconf.policy.engine import Context, _load
from mailconf.policy.profiles import OFFICE
from mailconf.policy.rules._postfix import PostfixView
from tests.support import backdate, corpus_sets, require_corpus, require_tool

NAMES = [
    "compatibility_level",
    "smtpd_tls_security_level",
    "smtpd_relay_restrictions",
    "smtpd_recipient_restrictions",
    "smtpd_client_restrictions",
    "mynetworks_style",
    "smtp_tls_security_level",
    "smtpd_sasl_auth_enable",
    "smtpd_sasl_type",
    "smtpd_sasl_path",
    "smtpd_sasl_security_options",
    "smtpd_sasl_tls_security_options",
    "smtpd_tls_auth_only",
    "smtpd_tls_protocols",
    "smtpd_tls_mandatory_protocols",
    "smtpd_tls_ciphers",
    "smtpd_tls_cert_file",
    "smtpd_tls_key_file",
    "smtpd_tls_wrappermode",
    "queue_directory",
    "mail_owner",
    "mailbox_transport",
    "virtual_transport",
]


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.oracle
def test_effective_values_agree_with_postconf(tmp_path: Path) -> None:
    postconf = require_tool("postconf")
    require_corpus()
    checked = agreed = 0
    mismatches: list[str] = []
    for src in corpus_sets("postfix"):
        if not (src / "main.cf").exists():
            continue
        work = tmp_path / src.name
        shutil.copytree(src, work)
        backdate(work)
        main = subprocess.run(
            [postconf, "-c", str(work), "-xh", *NAMES], capture_output=True, text=True, timeout=60, check=False
        )
        if main.returncode != 0:
            continue  # postconf refuses the file: mailconf reports SYN001 there (tested elsewhere)
        ctx = Context(ConfigSet(work, postfix_dir=work), OFFICE, None, None, None)
        failures: list[object] = []
        _load(ctx, failures)  # type: ignore[arg-type]
        if ctx.postfix is None:
            continue
        view = PostfixView(ctx)
        for name, expected in zip(NAMES, main.stdout.split("\n"), strict=False):
            checked += 1
            got = view.value(name).value
            if _norm(got) == _norm(expected):
                agreed += 1
            else:
                mismatches.append(f"{src.name}: {name}: postconf {expected!r} mailconf {got!r}")
        if (work / "master.cf").exists():
            per = subprocess.run(
                [postconf, "-c", str(work), "-Px"], capture_output=True, text=True, timeout=60, check=False
            )
            services = {(s.service.name, s.service.type): s for s in view.smtpd_services() if s.service is not None}
            for line in per.stdout.splitlines():
                key, _, expected = line.partition(" = ")
                parts = key.split("/")
                if len(parts) != 3 or (parts[0], parts[1]) not in services or parts[2] not in NAMES:
                    continue
                checked += 1
                got = view.value(parts[2], services[(parts[0], parts[1])]).value
                if _norm(got) == _norm(expected):
                    agreed += 1
                else:
                    mismatches.append(f"{src.name}: {key}: postconf {expected!r} mailconf {got!r}")
    print(f"postconf agreement: {agreed}/{checked}")
    assert checked > 500
    assert mismatches == []
