"""The shared corpus: every set lints without an internal error, and a set is never clean when
the real tool refuses one of its files (SYN001 there, exit 2)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mailconf.policy.discovery import discover
from mailconf.policy.engine import Options, lint_sets
from mailconf.policy.settings import Settings
from tests.support import CORPUS, backdate, corpus_sets, require_corpus, require_tool


def test_whole_corpus_lints_without_internal_errors() -> None:
    require_corpus()
    sets = discover([CORPUS])
    result = lint_sets(sets, Settings(), Options(strict_errors=True))
    assert result.internal_errors == []
    assert len(result.sets) >= 80
    print(f"corpus: {len(result.sets)} sets, {len(result.files)} files, {len(result.findings)} findings")


@pytest.mark.oracle
def test_postfix_refusals_are_syn001(tmp_path: Path) -> None:
    postconf = require_tool("postconf")
    require_corpus()
    agree = total = 0
    for src in corpus_sets("postfix"):
        work = tmp_path / src.name
        shutil.copytree(src, work)
        backdate(work)
        refused = False
        for flag in ("-n", "-M"):
            proc = subprocess.run(
                [postconf, "-c", str(work), flag], capture_output=True, text=True, timeout=60, check=False
            )
            refused |= proc.returncode != 0 and "fatal" in proc.stderr and "open " + str(work) not in proc.stderr
        result = lint_sets(discover([work]), Settings(), Options(strict_errors=True))
        flagged = any(f.rule == "SYN001" for f in result.findings)
        total += 1
        agree += flagged == refused
        assert flagged == refused, (src.name, refused, [f.message for f in result.findings if f.rule == "SYN001"])
    print(f"postconf refusal agreement: {agree}/{total}")


@pytest.mark.oracle
def test_doveconf_refusals_are_never_clean(tmp_path: Path) -> None:
    doveconf = require_tool("doveconf")
    require_corpus()
    refused_sets = 0
    header = subprocess.run([doveconf, "-n", "-c", "/dev/null"], capture_output=True, text=True, check=False).stdout
    installed_24 = header.startswith("# 2.4")
    for src in corpus_sets("dovecot"):
        top = src / "dovecot.conf"
        if not top.exists():
            continue
        if ("dovecot_config_version" in top.read_text(encoding="latin-1")) != installed_24:
            continue  # written for the other major version than the installed doveconf reads
        proc = subprocess.run([doveconf, "-c", str(top), "-n"], capture_output=True, text=True, timeout=60, check=False)
        result = lint_sets(discover([top]), Settings(), Options(strict_errors=True))
        if proc.returncode != 0:
            refused_sets += 1
            assert result.failed or any(f.severity == "error" for f in result.findings), src.name
    print(f"doveconf refused {refused_sets} corpus sets; none linted clean")
