#!/usr/bin/env python3
"""Time ``python -m mailconf postconf -c DIR -n`` against the real ``postconf -c DIR -n``.

Two inputs: (a) Debian's stock files (/usr/share/postfix/main.cf.dist and master.cf.dist copied
into a temporary directory) and (b) a generated 10,000-line main.cf. Each command runs as a whole
process (interpreter start-up and imports included; modules byte-compiled and the token cache
warm, after one untimed run), several times; the median wall time and the median CPU time
(user + system) are reported, the second being steadier on a busy machine.

Run: ``.venv/bin/python benchmarks/bench_postconf.py [--runs N]`` (use the virtualenv's python,
not a pyenv shim, which adds ~150 ms per start). Goal: within 3x of postconf on (b).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STOCK = Path("/usr/share/postfix")
# Byte-compiled modules as an installed package has them: let Python write .pyc files (the
# untimed warm-up run writes them, and the token cache entry) even where
# PYTHONDONTWRITEBYTECODE is set.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def generated_main(lines: int) -> str:
    """A large main.cf: known parameters, user variables referencing each other, continuations."""
    out: list[str] = ["# generated for the benchmark\n", "compatibility_level = 3.6\n"]
    i = 0
    while len(out) < lines:
        out.append(f"var_{i} = value {i} $myhostname\n")
        out.append(f"smtpd_banner = $var_{i} ESMTP\n")
        out.append(f"# comment {i}\n")
        out.append(f"list_{i} = a, b,\n    c, d\n")
        i += 1
    return "".join(out[:lines])


def time_command(cmd: list[str], runs: int) -> tuple[float, float, bytes]:
    """Median wall time and median CPU time (user + system, from the rusage of waited-for
    children) of ``runs`` runs, and the last run's stdout. On a shared machine the CPU time is
    the steadier figure."""
    walls: list[float] = []
    cpus: list[float] = []
    output = b""
    subprocess.run(cmd, capture_output=True, check=False, env=ENV)  # warm-up, untimed
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, check=False, env=ENV)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        output = proc.stdout
    return statistics.median(walls), statistics.median(cpus), output


def backdate(directory: Path) -> None:
    old = time.time() - 3600
    for path in directory.iterdir():
        os.utime(path, (old, old))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args()
    postconf = shutil.which("postconf") or "/usr/sbin/postconf"
    if not Path(postconf).exists():
        print("postconf is not installed", file=sys.stderr)
        return 2
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        cases: list[tuple[str, Path]] = []
        stock = Path(tmp) / "stock"
        stock.mkdir()
        if (STOCK / "main.cf.dist").exists():
            shutil.copy(STOCK / "main.cf.dist", stock / "main.cf")
            shutil.copy(STOCK / "master.cf.dist", stock / "master.cf")
            cases.append(("(a) Debian stock main.cf + master.cf", stock))
        big = Path(tmp) / "big"
        big.mkdir()
        (big / "main.cf").write_text(generated_main(args.lines))
        if (STOCK / "master.cf.dist").exists():
            shutil.copy(STOCK / "master.cf.dist", big / "master.cf")
        else:
            (big / "master.cf").write_text("")
        cases.append((f"(b) generated {args.lines}-line main.cf", big))
        print(f"{'case':40} {'':5} {'postconf':>10} {'mailconf':>10} {'ratio':>7}  same output")
        for label, directory in cases:
            backdate(directory)
            real, real_cpu, real_out = time_command([postconf, "-c", str(directory), "-n"], args.runs)
            ours, our_cpu, our_out = time_command(
                [python, "-m", "mailconf", "postconf", "-c", str(directory), "-n"], args.runs
            )
            same = real_out == our_out
            print(f"{label:40} {'wall':5} {real * 1000:8.1f}ms {ours * 1000:8.1f}ms {ours / real:6.2f}x  {same}")
            print(f"{'':40} {'cpu':5} {real_cpu * 1000:8.1f}ms {our_cpu * 1000:8.1f}ms {our_cpu / real_cpu:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
