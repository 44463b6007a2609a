"""Benchmark: the whole ``python -m mailconf lint`` process against ``postconf -n`` plus
``doveconf -n`` on Debian's stock Postfix + Dovecot configuration.

The stock configuration is assembled as Debian's postinst does it: main.cf from
/usr/share/postfix/main.cf.debian + main.cf.tls, master.cf from master.cf.dist, and the
installed /etc/dovecot tree. Goal: lint at most 2x the time of the two real tools.

    .venv/bin/python benchmarks/bench_lint.py [--runs 20]

Not a test: timings depend on the machine. The numbers are reported in docs/benchmarks.md and
docs/commands/lint.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STOCK_POSTFIX = Path("/usr/share/postfix")
STOCK_DOVECOT = Path("/etc/dovecot")


def tool(name: str) -> str:
    found = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None
    )
    if found is None:
        sys.exit(f"{name} is not installed")
    return found


def assemble(base: Path) -> Path:
    host = base / "etc"
    (host / "postfix").mkdir(parents=True)
    main = (STOCK_POSTFIX / "main.cf.debian").read_text(encoding="latin-1")
    main += (STOCK_POSTFIX / "main.cf.tls").read_text(encoding="latin-1")
    (host / "postfix" / "main.cf").write_text(main, encoding="latin-1")
    shutil.copy(STOCK_POSTFIX / "master.cf.dist", host / "postfix" / "master.cf")
    shutil.copytree(STOCK_DOVECOT, host / "dovecot", ignore=shutil.ignore_patterns("private"))
    old = time.time() - 3600  # postconf re-reads files newer than about a second
    for p in [host, *host.rglob("*")]:
        os.utime(p, (old, old))
    return host


# As installed: bytecode caches written and read (an installed wheel has them precompiled).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=False)
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    postconf, doveconf = tool("postconf"), tool("doveconf")
    with tempfile.TemporaryDirectory() as tmp:
        host = assemble(Path(tmp))
        # A token cache of its own: other processes sharing ~/.cache/mailconf (test suites with
        # thousands of generated files) would evict these entries between runs.
        ENV["MAILCONF_CACHE_DIR"] = str(Path(tmp) / "cache")
        lint = [sys.executable, "-m", "mailconf", "lint", "--no-config", "--exit-zero", str(host)]
        first = timed(lint, 1)[0]  # cold: fills the token cache for these files
        # mailconf._grammars skips the cache for small files once a miss has imported Lark, so
        # a few more runs are needed until every file is cached (as in a hook on unchanged files).
        timed(lint, 8)
        lint_times = timed(lint, args.runs)
        pc = timed([postconf, "-c", str(host / "postfix"), "-n"], args.runs)
        dc = timed([doveconf, "-c", str(host / "dovecot" / "dovecot.conf"), "-n"], args.runs)
        tools = [a + b for a, b in zip(pc, dc, strict=True)]
        lint_med, tools_med = statistics.median(lint_times), statistics.median(tools)
        print(f"configuration: {host} (Debian stock Postfix + Dovecot)")
        print(f"mailconf lint, first run:       {first * 1000:8.1f} ms")
        print(f"mailconf lint, median of {args.runs:3d}:  {lint_med * 1000:8.1f} ms (min {min(lint_times) * 1000:.1f})")
        print(f"postconf -n, median:            {statistics.median(pc) * 1000:8.1f} ms")
        print(f"doveconf -n, median:            {statistics.median(dc) * 1000:8.1f} ms")
        print(f"postconf -n + doveconf -n:      {tools_med * 1000:8.1f} ms")
        print(f"ratio lint / (postconf + doveconf): {lint_med / tools_med:.2f}x (goal: at most 2x)")
        print(f"ratio of the fastest runs:          {min(lint_times) / min(tools):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
