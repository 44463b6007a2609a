"""Re-record tests/postfix/data/postconf_versions.json: what the real postconf of each release
prints (-n) for each case's main.cf/master.cf.

    sudo bash scripts/debian13_oracles.sh      # Postfix 3.10 in a trixie chroot
    .venv/bin/python scripts/record_postconf_versions.py 3.7=postconf 3.10=/srv/trixie-bin/postconf

The scratch directory is made under TMPDIR; the chroot wrapper needs it visible inside the
chroot (TMPDIR=/srv/trixie-tmp). New cases: add {"main": ..., "master": ...} entries, then run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "postfix" / "data" / "postconf_versions.json"


def main(argv: list[str]) -> int:
    tools = dict(arg.split("=", 1) for arg in argv)
    if not tools:
        print(__doc__, file=sys.stderr)
        return 2
    cases = json.loads(DATA.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="postconf-versions-") as scratch:
        directory = Path(scratch)
        for case in cases:
            for name in ("main", "master"):
                path = directory / f"{name}.cf"
                path.write_text(case[name], encoding="utf-8")
                os.utime(path, (1577836800, 1577836800))  # postconf re-reads files younger than 1 s
            for version, tool in tools.items():
                proc = subprocess.run([tool, "-c", str(directory), "-n"], capture_output=True, text=True, check=False)
                case[version] = {
                    "status": proc.returncode,
                    "stdout": proc.stdout.replace(str(directory), "DIR"),
                    "stderr": proc.stderr.replace(str(directory), "DIR"),
                }
    DATA.write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases recorded for {', '.join(tools)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
