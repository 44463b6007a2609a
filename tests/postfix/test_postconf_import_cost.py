"""What a warm ``mailconf postconf -n`` run imports. Lark is needed only when the token cache
misses; pydantic, ``dataclasses`` (with ``inspect``), ``json``, ``subprocess``, ``shutil``,
``socket``, ``typing``, ``pathlib`` and ``re`` with ``enum`` (patterns come from mailconf._lazyre's
cache of compiled programs) cost milliseconds each and the read-only path needs none of them. No timing here:
timings are measured by benchmarks/bench_postconf.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

AVOIDED = (
    "lark",
    "pydantic",
    "dataclasses",
    "json",
    "subprocess",
    "shutil",
    "socket",
    "typing",
    "pathlib",
    "re",
    "enum",
)
PROBE = f"""
import sys
from mailconf.cli import main
code = main(["postconf", "-c", sys.argv[1], "-n"])
loaded = [name for name in {AVOIDED!r} if name in sys.modules]
sys.stdout.flush()
print("\\nPROBE", code, ",".join(loaded))
"""
STOCK = Path("/usr/share/postfix")


def _run(directory: Path, cache: Path) -> tuple[int, list[str]]:
    env = {**os.environ, "MAILCONF_CACHE_DIR": str(cache)}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(directory)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    last = proc.stdout.strip().splitlines()[-1].split(" ")
    assert last[0] == "PROBE", proc.stdout + proc.stderr
    return int(last[1]), [name for name in (last[2] if len(last) > 2 else "").split(",") if name]


def test_warm_postconf_n_imports_none_of_the_costly_modules(tmp_path: Path) -> None:
    if not (STOCK / "main.cf.dist").exists():
        pytest.skip("Debian's stock main.cf.dist is not installed")
    conf = tmp_path / "etc"
    conf.mkdir()
    shutil.copy(STOCK / "main.cf.dist", conf / "main.cf")
    shutil.copy(STOCK / "master.cf.dist", conf / "master.cf")
    cache = tmp_path / "cache"
    code, first = _run(conf, cache)
    assert code == 0
    assert "lark" in first, "a cold run parses with Lark (else this test checks nothing)"
    code, warm = _run(conf, cache)
    assert (code, warm) == (0, [])
