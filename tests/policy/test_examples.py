"""The shipped examples: office lints clean, insecure gives exactly the report in docs/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]

from tests.policy._helpers import ROOT, cli


def test_office_lints_clean_through_the_cli() -> None:
    proc = cli("examples/office", cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("All checks passed")


def test_insecure_report_in_docs_is_the_real_output() -> None:
    proc = cli("examples/insecure", cwd=ROOT, env={"NO_COLOR": "1"})
    assert proc.returncode == 1, proc.stderr
    page = (ROOT / "docs" / "examples-insecure-report.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n(.*?)\n```", page, re.S)
    assert block is not None
    assert block.group(1) == proc.stdout.rstrip("\n")


def test_insecure_json_and_sarif_are_valid() -> None:
    proc = cli("--format", "json", "examples/insecure", cwd=ROOT)
    data = json.loads(proc.stdout)
    jsonschema.validate(data, json.loads((ROOT / "docs/lint-output.schema.json").read_text()))
    assert data["summary"]["exit_code"] == 1 and data["summary"]["total"] == len(data["findings"]) > 10
    proc = cli("--format", "sarif", "examples/insecure", cwd=ROOT)
    sarif = json.loads(proc.stdout)
    schema = json.loads((ROOT / "tests/data/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema).validate(sarif)
    run = sarif["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "examples/insecure/postfix/main.cf" in uris
    assert {r["ruleId"] for r in run["results"]} <= {r["id"] for r in run["tool"]["driver"]["rules"]}
    proc = cli("--format", "github", "examples/insecure", cwd=ROOT)
    assert proc.stdout.startswith("::error file=examples/insecure/") or proc.stdout.startswith("::warning")


def test_examples_are_accepted_by_postconf(tmp_path: Path) -> None:
    """postconf reads both examples without errors or warnings (insecure is wrong by policy, not by
    syntax), except the warning Postfix 3.9 and later give for insecure's obsolete ``smtpd_use_tls``
    (DEPRECATION_README: ``xxx_use_tls`` warned as of 3.9; LEG101 reports it on every version)."""
    import shutil
    import subprocess

    from tests.support import backdate, require_tool

    postconf = require_tool("postconf")
    for name in ("office", "insecure"):
        work = tmp_path / name
        shutil.copytree(ROOT / "examples" / name, work)
        backdate(work)
        version = subprocess.run(
            [postconf, "-c", str(work / "postfix"), "-h", "mail_version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        deprecation_warnings = tuple(int(n) for n in version.split(".")[:2]) >= (3, 9)
        for flags in (["-n"], ["-M"]):
            proc = subprocess.run(
                [postconf, "-c", str(work / "postfix"), *flags], capture_output=True, text=True, timeout=60, check=False
            )
            expected = ""
            if name == "insecure" and flags == ["-n"] and deprecation_warnings:
                expected = (
                    f"postconf: warning: {work}/postfix/main.cf: support for parameter "
                    '"smtpd_use_tls" will be removed; instead, specify "smtpd_tls_security_level"\n'
                )
            assert proc.returncode == 0 and proc.stderr == expected, (name, flags, version, proc.stderr)


def test_examples_are_accepted_by_doveconf(tmp_path: Path) -> None:
    """doveconf reads both examples without errors or warnings. They are Dovecot 2.3 configurations
    (Debian 12), which a 2.4 doveconf refuses from their first line on."""
    import shutil
    import subprocess

    from tests.support import require_doveconf_generation

    doveconf = require_doveconf_generation("2.3")
    for name in ("office", "insecure"):
        work = tmp_path / name
        shutil.copytree(ROOT / "examples" / name, work)
        proc = subprocess.run(
            [doveconf, "-c", str(work / "dovecot" / "dovecot.conf"), "-n"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0 and "Warning" not in proc.stderr, (name, proc.stderr)
