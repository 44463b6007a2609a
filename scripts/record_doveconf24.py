#!/usr/bin/env python3
"""Record what a real Dovecot 2.4 ``doveconf`` prints, for tests that run without one.

Usage (e.g. with Debian 13 in a chroot, see docs/dovecot.md)::

    .venv/bin/python scripts/record_doveconf24.py --doveconf "chroot /srv/trixie doveconf" --root /srv/trixie

Writes:

* ``tests/dovecot/doveconf24/expected.json``: for each fixture directory there (our own configs),
  ``-n`` and ``-N`` stdout without the header comment lines, the exit status, the last stderr
  line and (``-n``) the whole stderr, with the directory the fixture was copied to replaced by ``DIR``;
* ``tests/dovecot/doveconf24/corpus_digests.json``: the same for the 2.4-syntax Dovecot sets of the
  shared corpus, as SHA-256 digests only (corpus files and their output are never committed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "dovecot" / "doveconf24"
sys.path.insert(0, str(ROOT))

from tests.support import corpus_sets  # noqa: E402


def main_file(setdir: Path) -> Path | None:
    """The main file of a corpus or fixture set: dovecot.conf, else a lone dovecot.conf.in."""
    for name in ("dovecot.conf", "dovecot.conf.in"):
        if (setdir / name).is_file():
            return setdir / name
    return None


def strip_header(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("# "))


def run_real(command: list[str], root: Path, setdir: Path) -> dict[str, Any]:
    """Copy SETDIR below ROOT/tmp, run the real doveconf on its main file (-n and -N)."""
    main = main_file(setdir)
    assert main is not None
    with tempfile.TemporaryDirectory(dir=root / "tmp", prefix="mailconf-d24-") as tmp:
        work = Path(tmp) / setdir.name
        shutil.copytree(setdir, work, symlinks=True)
        inner = "/" + str(work.relative_to(root))
        result: dict[str, Any] = {}
        for mode in ("n", "N"):
            proc = subprocess.run([*command, "-c", f"{inner}/{main.name}", f"-{mode}"], capture_output=True, timeout=60)
            out = strip_header(proc.stdout.decode("latin-1")).replace(inner, "DIR")
            err = proc.stderr.decode("latin-1").strip().splitlines()
            result[mode] = out
            result["rc"] = proc.returncode
            result["fatal"] = err[-1].replace(inner, "DIR") if proc.returncode and err else ""
            if mode == "n":  # every line, for the errors doveconf prints before failing
                result["stderr"] = proc.stderr.decode("latin-1").replace(inner, "DIR")
        lookups = setdir / "lookups.txt"  # one argument list a line: doveconf -c FILE ARGS
        if lookups.exists():
            result["lookups"] = {}
            for line in lookups.read_text(encoding="utf-8").splitlines():
                proc = subprocess.run([*command, "-c", f"{inner}/{main.name}", *line.split()], capture_output=True)
                err = proc.stderr.decode("latin-1").strip().splitlines()
                result["lookups"][line] = {
                    "out": strip_header(proc.stdout.decode("latin-1")),
                    "rc": proc.returncode,
                    "fatal": err[-1] if proc.returncode and err else "",
                }
        return result


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("latin-1")).hexdigest()


def corpus24() -> list[Path]:
    out = []
    for setdir in corpus_sets("dovecot"):
        main = main_file(setdir)
        if main is not None and b"dovecot_config_version" in main.read_bytes():
            out.append(setdir)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--doveconf", required=True, help="the 2.4 doveconf command, e.g. 'chroot /srv/trixie doveconf'")
    ap.add_argument("--root", default="/", help="the root directory that command sees")
    ns = ap.parse_args()
    command, root = shlex.split(ns.doveconf), Path(ns.root)
    expected = {d.name: run_real(command, root, d) for d in sorted(FIXTURES.iterdir()) if main_file(d)}
    (FIXTURES / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    digests = {}
    for setdir in corpus24():
        got = run_real(command, root, setdir)
        digests[setdir.name] = {
            "n": digest(got["n"]),
            "N": digest(got["N"]),
            "rc": got["rc"],
            "fatal": digest(got["fatal"]),
        }
    path = FIXTURES / "corpus_digests.json"
    path.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(expected)} fixtures, {len(digests)} corpus sets recorded")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
