"""Record the order in which the installed doveconf 2.3 reports "Conflict in setting X".

Every setting that may stand in a remote filter is set in ``protocol imap {}`` and in
``remote 10.0.0.0/8 { protocol imap {} }``; doveconf names one conflict; that setting is taken out
and doveconf runs again. The named sections are then placed by bisection. The result goes to
``mailconf/dovecot/data/conflict_order_2_3.txt``.

Usage: python scripts/record_dovecot_conflict_order.py [DOVECONF]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailconf.dovecot.catalogue import load_23  # noqa: E402

OUT = ROOT / "mailconf/dovecot/data/conflict_order_2_3.txt"
SECTIONS = {
    "service {": "service imap {\n}\n",
    "namespace {": "namespace inbox {\n}\n",
    "metric {": "metric m {\n filter = event=x\n}\n",
    "event_exporter {": "event_exporter e {\n format = json\n transport = log\n format_args = time-rfc3339\n}\n",
}
HEADER = """\
# Dovecot 2.3.19.1: the order in which doveconf looks for a "Conflict in setting X found from
# filter at F:L" (its modules' setting definitions in order), learnt from the real doveconf by
# scripts/record_dovecot_conflict_order.py: a setting set in two overlapping filters is reported
# before every setting listed after it. "TYPE {" lines: a named section opened in both filters.
# Settings of the auth process are missing: they cannot be set in local/remote filters, so they
# never conflict.
"""


def conflict(exe: str, work: Path, body: str) -> str | None:
    conf = work / "dovecot.conf"
    conf.write_text(f"protocol imap {{\n{body}}}\nremote 10.0.0.0/8 {{\n protocol imap {{\n{body} }}\n}}\n")
    proc = subprocess.run([exe, "-c", str(conf), "-n"], capture_output=True, text=True, timeout=60)
    m = re.search(r"Conflict in setting (\S+) found", proc.stderr)
    return m.group(1) if m else None


def main() -> int:
    exe = sys.argv[1] if len(sys.argv) > 1 else "doveconf"
    cat = load_23()
    values = {k: s.default for k, s in cat.settings.items() if not s.no_net_filter and k != "listen"}
    order: list[str] = []
    left = list(values)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        while left:
            key = conflict(exe, work, "".join(f"  {k} = {values[k]}\n" for k in left))
            if key is None or key not in left:
                break
            order.append(key)
            left.remove(key)
        places: list[tuple[int, int, str]] = []
        for head, block in SECTIONS.items():
            lo, hi = 0, len(order)  # the first setting the section is reported before
            while lo < hi:
                mid = (lo + hi) // 2
                k = order[mid]
                got = conflict(exe, work, block + f"{k} = {values[k]}\n")
                lo, hi = (mid + 1, hi) if got == k else (lo, mid)
            places.append((lo, len(places), head))
    # from the end, so that the places stay right; at one place SECTIONS' order (metric before event_exporter)
    for lo, _i, head in sorted(places, reverse=True):
        order.insert(lo, head)
    OUT.write_text(HEADER + "\n".join(order) + "\n")
    print(f"{len(order)} entries; not ordered: {' '.join(left) or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
