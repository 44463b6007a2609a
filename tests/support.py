"""Helpers for tests: the shared corpus and the real tools as oracles.

Tests that need the real postconf/doveconf call :func:`require_tool`: outside CI a missing tool
skips the test with a printed reason; under CI (``CI`` set) it fails, so nothing skips silently.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
IN_CI = bool(os.environ.get("CI"))


def require_tool(name: str) -> str:
    """The path of an installed tool; skip (outside CI) or fail (in CI) without it."""
    path = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None
    )
    if path is None:
        message = f"{name} is not installed (the README test command installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def corpus_sets(kind: str | None = None) -> list[Path]:
    """The shared real-world configuration sets (``../shared/corpus``), optionally of one kind."""
    if not CORPUS.is_dir():
        return []
    manifest = CORPUS / "MANIFEST.tsv"
    kinds: dict[str, str] = {}
    if manifest.exists():
        for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            if len(cols) > 1:
                kinds[cols[0]] = cols[1]
    return sorted(p for p in CORPUS.iterdir() if p.is_dir() and (kind is None or kinds.get(p.name) == kind))


def require_corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


def backdate(*paths: Path) -> None:
    """Set mtimes an hour back: postconf re-reads (and re-warns about) files newer than ~1 s."""
    import time

    old = time.time() - 3600
    for path in paths:
        for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
            os.utime(p, (old, old), follow_symlinks=False)


def run_postconf(
    args: Sequence[str], *, executable: str | None = None, timeout: float = 60
) -> tuple[int, bytes, bytes]:
    """Run postconf and return (status, stdout, stderr), without its one-second sleep on a fatal error.

    Postfix's msg_fatal() writes the message, then sleeps a second before ``_exit(1)``; stdout is
    not flushed by ``_exit``, so once the fatal line is on stderr nothing more can arrive. Killing
    the process there gives exactly what waiting would, and keeps the differential tests (which
    provoke thousands of fatal errors) from spending most of their time asleep.
    """
    import selectors
    import subprocess
    import time

    tool = executable or require_tool("postconf")
    proc = subprocess.Popen(
        ["postconf", *args], executable=tool, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    assert proc.stdout is not None and proc.stderr is not None
    chunks: dict[int, list[bytes]] = {1: [], 2: []}
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ, 1)
    selector.register(proc.stderr, selectors.EVENT_READ, 2)
    deadline = time.monotonic() + timeout
    fatal = False
    try:
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise subprocess.TimeoutExpired(proc.args, timeout)
            for key, _ in selector.select(left):
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fileobj)
                    continue
                chunks[key.data].append(data)
                if key.data == 2 and not fatal:
                    err = b"".join(chunks[2])
                    at = err.find(b": fatal: ")
                    fatal = at >= 0 and err.find(b"\n", at) >= 0
            if fatal:
                # drain what stdout already holds, then stop the sleeper
                selector.unregister(proc.stderr)
                while selector.get_map() and selector.select(0):
                    data = os.read(proc.stdout.fileno(), 65536)
                    if not data:
                        break
                    chunks[1].append(data)
                proc.kill()
                break
    finally:
        selector.close()
        if proc.poll() is None and not fatal:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    status = 1 if fatal else proc.returncode
    return status, b"".join(chunks[1]), b"".join(chunks[2])
