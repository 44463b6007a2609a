"""The pre-commit hook for real: ``pre-commit try-repo`` this repository in a repository of configs.

try-repo clones this repository's committed HEAD and installs the package in its own
environment (from PyPI for the dependencies), then runs the hook on the test repository's files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

from tests.policy._helpers import ROOT
from tests.support import IN_CI

PRE_COMMIT = Path(os.environ.get("PRE_COMMIT_BIN", str(ROOT / ".venv" / "bin" / "pre-commit")))


def _git(repo: Path, *args: str) -> None:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.org",
    )
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def _hook() -> dict[str, object]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "mailconf-lint"]
    assert isinstance(hook, dict)
    return hook


def test_manifest_files_pattern() -> None:
    hook = _hook()
    assert hook["language"] == "python" and hook["entry"] == "mailconf lint" and hook["require_serial"] is True
    pattern = re.compile(str(hook["files"]))
    for path in (
        "etc/postfix/main.cf",
        "main.cf",
        "hosts/a/etc/postfix/master.cf",
        "etc/dovecot/dovecot.conf",
        "etc/dovecot/conf.d/10-ssl.conf",
        "etc/dovecot/conf.d/auth-sql.conf.ext",
        "etc/mailman3/mailman.cfg",
        "etc/mailman/mm_cfg.py",
    ):
        assert pattern.search(path), path
    for path in ("etc/nginx/nginx.conf", "README.md", "main.cf.orig", "etc/postfix/sasl_passwd"):
        assert not pattern.search(path), path


@pytest.mark.slow
def test_try_repo_fails_on_insecure_and_passes_on_fixed(tmp_path: Path) -> None:
    if not PRE_COMMIT.exists() or shutil.which("git") is None:
        message = "pre-commit or git is not installed"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    head = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", "HEAD:.pre-commit-hooks.yaml"], check=False)
    if head.returncode != 0:
        pytest.skip("the hook manifest is not committed yet (try-repo uses the committed HEAD)")
    repo = tmp_path / "configs"
    host = repo / "hosts" / "mail1" / "etc"
    shutil.copytree(ROOT / "examples" / "insecure", host)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "insecure")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), NO_COLOR="1")

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PRE_COMMIT), "try-repo", str(ROOT), "mailconf-lint", "--all-files"],
            cwd=repo,
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
            check=False,
        )

    bad = run()
    assert bad.returncode != 0, bad.stdout + bad.stderr
    assert "TLS101" in bad.stdout and "hosts/mail1/etc/postfix/main.cf" in bad.stdout
    shutil.rmtree(host)
    shutil.copytree(ROOT / "examples" / "office", host)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "fixed")
    good = run()
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
