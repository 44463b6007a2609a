"""The wheel carries the grammars and py.typed: an installed copy parses without the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support import ROOT


def test_wheel_ships_grammars_and_parses_away_from_the_source_tree(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(ROOT), "-w", str(dist)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("mailconf-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "mailconf/py.typed" in names
    for grammar in (ROOT / "grammars").glob("*.lark"):
        assert f"mailconf/_grammars/{grammar.name}" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import mailconf, mailconf.postfix as p;"
        f"assert mailconf.__file__.startswith({str(site)!r}), mailconf.__file__;"
        "d = p.parse_main(b'a = 1\\n  b\\n');"
        "print(d.get('a').value)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": str(site), "MAILCONF_CACHE": "0", "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1  b"
