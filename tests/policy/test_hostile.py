"""Hostile input: a clear message naming the file, exit 1 or 2, no traceback, bounded time and
memory, files untouched."""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.policy._helpers import ROOT

LIMIT_SECONDS = 60
LIMIT_BYTES = 2 << 30


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def _digest(base: Path) -> dict[str, str]:
    out = {}
    for p in sorted(base.rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _lint(base: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "mailconf", "lint", "--no-config", str(base)],
        capture_output=True,
        text=True,
        timeout=LIMIT_SECONDS * 2,
        preexec_fn=_limits,
        cwd=ROOT,
        env=dict(os.environ, NO_COLOR="1"),
        check=False,
    )
    return proc, time.monotonic() - start


def _main_cf(text: str | bytes) -> Callable[[Path], str]:
    def make(base: Path) -> str:
        (base / "postfix").mkdir(parents=True)
        data = text.encode("latin-1") if isinstance(text, str) else text
        (base / "postfix/main.cf").write_bytes(data)
        return "main.cf"

    return make


def _dovecot(text: str | bytes, extra: Callable[[Path], None] | None = None) -> Callable[[Path], str]:
    def make(base: Path) -> str:
        (base / "dovecot").mkdir(parents=True)
        data = text.encode("latin-1") if isinstance(text, str) else text
        (base / "dovecot/dovecot.conf").write_bytes(data)
        if extra is not None:
            extra(base / "dovecot")
        return "dovecot.conf"

    return make


def _many_includes(d: Path) -> None:
    (d / "conf.d").mkdir()
    for i in range(3000):
        (d / f"conf.d/{i:05d}.conf").write_text(f"# file {i}\nmail_max_userip_connections = {i % 50 + 1}\n")


def _include_loop(d: Path) -> None:
    (d / "a.conf").write_text("!include b.conf\n")
    (d / "b.conf").write_text("!include a.conf\n")


def _symlink_loop(base: Path) -> str:
    (base / "postfix").mkdir(parents=True)
    (base / "postfix/main.cf").symlink_to(base / "postfix/main.cf")
    return "main.cf"


def _blowup() -> str:
    lines = ["a0 = xxxxxxxxxx"] + [f"a{i} = $a{i - 1} $a{i - 1}" for i in range(1, 60)]
    return "\n".join(lines) + "\nsmtpd_tls_security_level = $a59\nmyhostname = $a59\n"


CASES: dict[str, Callable[[Path], str]] = {
    "binary": _main_cf(bytes(range(256)) * 64),
    "nul-bytes": _dovecot(b"ssl = required\x00\nprotocols = imap\x00\x00\n"),
    "megabyte-line": _main_cf("mynetworks = " + "127.0.0.1 " * 110_000 + "\n"),
    "300000-lines": _main_cf("".join(f"p{i} = v{i}\n" for i in range(300_000))),
    "macro-blowup": _main_cf(_blowup()),
    "self-reference": _main_cf("a = $b\nb = $a\nsmtpd_tls_security_level = $a\n"),
    "deep-sections": _dovecot("service a {\n" * 20_000 + "}\n" * 20_000),
    "include-loop": _dovecot("!include a.conf\n", _include_loop),
    "symlink-loop": _symlink_loop,
    "thousands-of-includes": _dovecot("!include conf.d/*.conf\n", _many_includes),
    "invalid-utf8": _main_cf(b"myhostname = mail.\xff\xfe.example\n# \xc3\x28 comment\n"),
    "empty": _main_cf(b""),
    "empty-dovecot": _dovecot(b""),
}


# Inputs the daemon refuses or cannot read: never "clean", always SYN001 and exit 2.
MUST_FAIL = {"binary", "symlink-loop", "include-loop", "deep-sections"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input(name: str, tmp_path: Path) -> None:
    base = tmp_path / "host"
    base.mkdir()
    CASES[name](base)
    before = _digest(base)
    proc, elapsed = _lint(base)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode in (0, 1, 2), proc.returncode
    if name in MUST_FAIL:
        assert proc.returncode == 2, proc.stdout[:2000]
    assert elapsed < LIMIT_SECONDS, f"{name}: {elapsed:.1f}s"
    if proc.returncode == 2:
        first = proc.stdout.splitlines()[0] if proc.stdout else proc.stderr
        assert str(base) in first and "SYN001" in first, first[:500]
    assert _digest(base) == before
