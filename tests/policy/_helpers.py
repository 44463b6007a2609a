"""Helpers for the policy tests: write a configuration set to a temporary directory and lint it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from mailconf.policy._finding import Finding
from mailconf.policy.engine import LintResult, Options, lint
from mailconf.policy.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def write_tree(base: Path, files: dict[str, str | bytes]) -> Path:
    """Create ``files`` (relative path -> text, dedented) under ``base``; return ``base``."""
    for rel, content in files.items():
        target = base / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="latin-1")
    return base


def run_lint(paths: list[Path], **options: Any) -> LintResult:
    settings = options.pop("settings", None) or Settings()
    return lint(paths, settings, Options(strict_errors=True, **options))


def rules_of(result: LintResult) -> list[str]:
    return [f.rule for f in result.findings]


def only(result: LintResult, rule_id: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule_id]


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m mailconf lint ARGS`` in a subprocess."""
    full_env = dict(os.environ)
    full_env.pop("NO_COLOR", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mailconf", "lint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=120,
        check=False,
    )


def cli_json(*args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
    proc = cli("--format", "json", *args, cwd=cwd)
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)
