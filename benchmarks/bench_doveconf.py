#!/usr/bin/env python3
"""Benchmark (not a test): ``mailconf doveconf -n`` against the real ``doveconf -n``.

Times the whole process, start-up included, several runs each, and prints the medians:

    .venv/bin/python benchmarks/bench_doveconf.py [-c /etc/dovecot/dovecot.conf] [-r 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

# Byte-compiled modules as an installed package has them: let Python write .pyc files (one
# untimed warm-up run writes them) even where PYTHONDONTWRITEBYTECODE is set.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], runs: int) -> list[float]:
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
        out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-c", dest="config", default="/etc/dovecot/dovecot.conf")
    ap.add_argument("-r", dest="runs", type=int, default=15)
    ns = ap.parse_args()
    mine = [sys.executable, "-m", "mailconf", "doveconf", "-c", ns.config, "-n"]
    rows = [("mailconf doveconf -n", timed(mine, ns.runs))]
    real = shutil.which("doveconf")
    if real:
        rows.append(("doveconf -n", timed([real, "-c", ns.config, "-n"], ns.runs)))
    for name, samples in rows:
        print(
            f"{name:<22} median {statistics.median(samples) * 1000:7.1f} ms"
            f"  min {min(samples) * 1000:7.1f} ms  ({len(samples)} runs)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
