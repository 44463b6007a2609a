"""What a warm ``mailconf lint`` run imports: the hook runs in every commit, so Lark (only needed
when the token cache misses) and pydantic (the typed models) must stay out of it, and so must
``dataclasses`` (with ``inspect`` several milliseconds: the lint path uses ``mailconf._record.Record``),
``json``, ``argparse``, ``typing`` (annotations only: ``TYPE_CHECKING = False`` blocks), ``pathlib``
(it pulls in ``urllib.parse``, ``ntpath`` and ``fnmatch``: the lint path keeps paths as strings, see
``mailconf._paths``), ``re`` with ``enum`` (patterns come from mailconf._lazyre's cache of compiled
programs) and (without an mm_cfg.py) ``ast``. No timing here: timings are
measured by benchmarks/bench_lint.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.policy._helpers import ROOT

PROBE = """
import sys
importers = []  # the mailconf lines on the stack when pathlib is imported (for the failure message)
class Spy:
    def find_spec(self, name, path=None, target=None):
        frame = sys._getframe(1) if name == "pathlib" and not importers else None
        while frame is not None:
            if "/mailconf/" in frame.f_code.co_filename:
                importers.append(f"{frame.f_code.co_filename.rsplit('/mailconf/', 1)[1]}:{frame.f_lineno}")
            frame = frame.f_back
        return None
sys.meta_path.insert(0, Spy())
from mailconf.cli import main
code = main(["lint", "--no-config", "--exit-zero", *sys.argv[1:]])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("lark", "pydantic", "dataclasses_json", "tomllib"))
AVOID = ("lark", "dataclasses", "json", "argparse", "ast", "typing", "pathlib", "re", "enum")
loaded = {name: name in sys.modules for name in AVOID}
import json
print(json.dumps({"code": code, "heavy": heavy, **loaded, "pathlib_from": importers}))
"""


def _run(paths: list[Path], cache: Path) -> dict[str, object]:
    env = {**os.environ, "MAILCONF_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_warm_lint_imports_neither_lark_nor_pydantic(tmp_path: Path) -> None:
    host = tmp_path / "etc"
    shutil.copytree(ROOT / "examples" / "office", host)
    cache = tmp_path / "cache"
    first = _run([host], cache)
    assert first["code"] == 0
    assert first["lark"], "a cold run parses with Lark (else this test checks nothing)"
    # Once Lark is imported the token cache skips small files: each run adds at least one entry
    # (the first miss), so at most one run per file fills it.
    last = first
    for _ in range(16):
        last = _run([host], cache)
        if not last["heavy"]:
            break
    assert last["heavy"] == [], last


STOCK_POSTFIX = Path("/usr/share/postfix")
STOCK_DOVECOT = Path("/etc/dovecot")


def _stock(host: Path) -> None:
    """Debian's stock Postfix + Dovecot configuration, as benchmarks/bench_lint.py assembles it."""
    if not (STOCK_POSTFIX / "main.cf.debian").is_file() or not (STOCK_DOVECOT / "dovecot.conf").is_file():
        pytest.skip("Debian's stock Postfix and Dovecot files are not installed")
    (host / "postfix").mkdir(parents=True)
    main = (STOCK_POSTFIX / "main.cf.debian").read_bytes() + (STOCK_POSTFIX / "main.cf.tls").read_bytes()
    (host / "postfix" / "main.cf").write_bytes(main)
    shutil.copy(STOCK_POSTFIX / "master.cf.dist", host / "postfix" / "master.cf")
    shutil.copytree(STOCK_DOVECOT, host / "dovecot", ignore=shutil.ignore_patterns("private"))


@pytest.mark.parametrize("config", ["office", "stock"])
def test_warm_lint_imports_no_dataclasses_json_argparse_typing_or_pathlib(tmp_path: Path, config: str) -> None:
    host = tmp_path / "etc"
    if config == "office":
        shutil.copytree(ROOT / "examples" / "office", host)  # Postfix, Dovecot and Mailman 3
    else:
        _stock(host)
    cache = tmp_path / "cache"
    result = _run([host], cache)
    for _ in range(16):
        if not result["lark"]:
            break
        result = _run([host], cache)
    assert not result["lark"], "the token cache never became warm (else this test checks nothing)"
    # json (the catalogues come from a marshal cache), argparse (plain command lines), typing and pathlib too
    forbidden = ("dataclasses", "json", "argparse", "ast", "typing", "pathlib", "re", "enum")
    loaded = [name for name in forbidden if result[name]]
    assert loaded == [], f"imported: {loaded}; pathlib imported from (innermost first): {result['pathlib_from']}"


def test_lint_never_imports_pydantic_even_cold(tmp_path: Path) -> None:
    host = tmp_path / "etc"
    shutil.copytree(ROOT / "examples" / "office", host)
    result = _run([host], tmp_path / "cache")
    assert not any(str(m).startswith("pydantic") for m in result["heavy"]), result  # type: ignore[attr-defined]
