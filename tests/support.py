"""Helpers for tests: the shared corpus and the real tools as oracles.

Tests that need the real postconf/doveconf call :func:`require_tool`: outside CI a missing tool
skips the test with a printed reason; under CI (``CI`` set) it fails, so nothing skips silently.
"""

from __future__ import annotations

import os
import shutil
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
