"""CERT101-103: certificate and key files, checked only when they are on this machine (--root)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.policy._helpers import ROOT, only, run_lint

OFFICE = ROOT / "examples" / "office"
CERT = "etc/ssl/certs/mail.example.org.pem"
KEY = "etc/ssl/private/mail.example.org.key"


def _openssl() -> str:
    exe = shutil.which("openssl")
    if exe is None:
        pytest.skip("openssl is not installed")
    return exe


def make_pair(root: Path, days: int = 365, *, other_key: bool = False) -> None:
    exe = _openssl()
    (root / CERT).parent.mkdir(parents=True, exist_ok=True)
    (root / KEY).parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            exe,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=mail.example.org",
            "-days",
            str(days),
            "-keyout",
            str(root / KEY),
            "-out",
            str(root / CERT),
        ],
        check=True,
        capture_output=True,
    )
    if other_key:
        subprocess.run([exe, "genpkey", "-algorithm", "RSA", "-out", str(root / KEY)], check=True, capture_output=True)
    (root / KEY).chmod(0o600)


def test_no_root_no_file_checks() -> None:
    result = run_lint([OFFICE])
    assert not [f for f in result.findings if f.rule.startswith("CERT1")]


def test_cert101_missing_files(tmp_path: Path) -> None:
    result = run_lint([OFFICE], root=tmp_path)
    found = only(result, "CERT101")
    assert {f.path.split("/")[-1] for f in found} == {"main.cf", "10-ssl.conf"}
    make_pair(tmp_path)
    assert only(run_lint([OFFICE], root=tmp_path), "CERT101") == []


def test_cert102_key_readable_by_others(tmp_path: Path) -> None:
    make_pair(tmp_path)
    (tmp_path / KEY).chmod(0o644)
    found = only(run_lint([OFFICE], root=tmp_path), "CERT102")
    assert found and all(f.severity == "error" for f in found)
    (tmp_path / KEY).chmod(0o600)
    assert only(run_lint([OFFICE], root=tmp_path), "CERT102") == []


def test_cert103_expiring_certificate(tmp_path: Path) -> None:
    make_pair(tmp_path, days=5)
    found = only(run_lint([OFFICE], root=tmp_path), "CERT103")
    assert found and "expires in" in found[0].message
    make_pair(tmp_path, days=400)
    assert only(run_lint([OFFICE], root=tmp_path), "CERT103") == []


def test_cert103_key_mismatch(tmp_path: Path) -> None:
    make_pair(tmp_path, other_key=True)
    found = only(run_lint([OFFICE], root=tmp_path), "CERT103")
    assert found and "does not match" in found[0].message
