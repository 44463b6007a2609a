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


def run_postconf_standin(args: Sequence[str]) -> tuple[int, str, str]:
    """Run mailconf's postconf in-process and return (status, stdout, stderr) as the command prints
    them: on a fatal error the warnings before it, the fatal line, and no stdout."""
    from mailconf.cli._postconf import Output, parse_args, printable, show
    from mailconf.postfix.expand import Fatal

    output = Output()
    status = 0
    try:
        show(parse_args(list(args)), output)
    except Fatal as exc:
        for message in getattr(exc, "warnings", ()):
            output.warn(message)
        output.err.append(f"postconf: fatal: {printable(str(exc))}\n")
        output.out.clear()
        status = 1
    return status, "".join(output.out), "".join(output.err)


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


_DOVECONF_VERSIONS: dict[str, str] = {}


def doveconf_version(executable: str | None = None) -> str:
    """The installed doveconf's version ("2.3.19.1", "2.4.1-4"), from the header of ``doveconf -n``.

    The header is printed before any check of the file, so ``-c /dev/null`` gives it on both
    generations (2.4 then fails on the missing version settings, which does not matter here).
    """
    import subprocess

    tool = executable or require_tool("doveconf")
    if tool not in _DOVECONF_VERSIONS:
        proc = subprocess.run([tool, "-c", "/dev/null", "-n"], capture_output=True, timeout=60, check=False)
        first = proc.stdout.decode("latin-1").partition("\n")[0]
        if not first.startswith("# ") or not first[2:3].isdigit():
            pytest.fail(f"cannot read the version of {tool} from its header: {first!r}")
        _DOVECONF_VERSIONS[tool] = first[2:].split()[0].rstrip(":")
    return _DOVECONF_VERSIONS[tool]


def doveconf_generation(executable: str | None = None) -> str:
    """The configuration syntax generation the installed doveconf reads: "2.3" or "2.4"."""
    return ".".join(doveconf_version(executable).split(".")[:2])


def installed_doveconf_generation() -> str | None:
    """The installed doveconf's generation ("2.3", "2.4"), or None without one (never skips or fails:
    for tests that read files without the oracle too and only adapt them to the installed generation)."""
    path = shutil.which("doveconf") or next((p for p in ("/usr/bin/doveconf",) if os.access(p, os.X_OK)), None)
    return None if path is None else doveconf_generation(path)


def require_doveconf_generation(generation: str) -> str:
    """The installed doveconf when it is of ``generation`` ("2.3" or "2.4"); otherwise skip, naming it.

    For oracle tests whose subject is one generation's behaviour (its setting names, its messages):
    the other generation's behaviour has its own tests (2.4: tests/dovecot/test_doveconf24*.py).
    Without doveconf at all this fails under CI, as :func:`require_tool` does.
    """
    tool = require_tool("doveconf")
    version = doveconf_version(tool)
    if doveconf_generation(tool) != generation:
        pytest.skip(
            f"tests Dovecot {generation} behaviour; the installed doveconf is {version} "
            f"(its generation has its own tests: tests/dovecot/test_doveconf24*.py for 2.4)"
        )
    return tool


def dovecot24_header(executable: str | None = None) -> str:
    """The two lines a 2.4 doveconf requires first in its main file, naming the installed version;
    empty for a 2.3 doveconf (which refuses them as unknown settings)."""
    tool = executable or require_tool("doveconf")
    if doveconf_generation(tool) == "2.3":
        return ""
    version = doveconf_version(tool).split("-")[0]
    return f"dovecot_config_version = {version}\ndovecot_storage_version = {version}\n"
