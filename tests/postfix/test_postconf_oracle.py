"""Run the real postconf and the stand-in on the same directory and compare what they print."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.support import backdate, require_tool, run_postconf, run_postconf_standin

# Lines that differ between two runs of the real postconf itself (its own process id).
_VOLATILE = re.compile(r"^(process_id = |debugger_command = .* \d+ & sleep)|^\s+\S*postconf \d+ & sleep")


@dataclass
class Result:
    status: int
    stdout: str
    stderr: set[str]


def _clean(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not _VOLATILE.search(line))


def real(directory: Path, *flags: str) -> Result:
    backdate(directory)
    status, out, err = run_postconf(["-c", str(directory), *flags])
    return Result(status, _clean(out.decode("latin-1")), set(err.decode("latin-1").splitlines()))


def ours(directory: Path, *flags: str) -> Result:
    status, out, err = run_postconf_standin(["-c", str(directory), *flags])
    return Result(status, _clean(out), set(err.splitlines()))


def assert_same(directory: Path, *flags: str, stderr: bool = True) -> None:
    want, got = real(directory, *flags), ours(directory, *flags)
    where = f"postconf -c {directory} {' '.join(flags)}"
    assert got.status == (1 if want.status else 0), f"{where}: exit {got.status}, postconf {want.status}"
    if want.status not in (0, 1):
        return  # postconf itself crashed (it does, e.g. on some recursive expressions): nothing to compare
    assert got.stdout == want.stdout, where
    if stderr and want.status:
        # With several problems, which one postconf reports (and so the fatal line) follows the
        # order of its hash tables, which differs from run to run: accept any fatal line that
        # postconf prints in one of a few runs.
        ours_fatal = {line for line in got.stderr if ": fatal: " in line}
        seen = {line for line in want.stderr if ": fatal: " in line}
        for _ in range(16):
            if ours_fatal <= seen:
                break
            seen |= {line for line in real(directory, *flags).stderr if ": fatal: " in line}
        assert ours_fatal <= seen, where
    elif stderr:
        assert got.stderr == want.stderr, where


# -- the shared corpus -------------------------------------------------------------------------

import shutil  # noqa: E402

import pytest  # noqa: E402

from tests.support import corpus_sets  # noqa: E402

CORPUS_FLAGS = [("-n",), ("-M",), ("-Mf",), ("-P",), ("-F",), ("-nfx",), ("-x",), ("-Px",)]


def _postfix_sets() -> list[Path]:
    return [s for s in corpus_sets("postfix") if (s / "main.cf").exists() or (s / "master.cf").exists()]


@pytest.mark.oracle
@pytest.mark.parametrize("setdir", _postfix_sets(), ids=lambda p: p.name)
def test_corpus_agrees_with_postconf(setdir: Path, tmp_path: Path) -> None:
    """Every Postfix set of ../shared/corpus: same stdout, exit status and warnings."""
    require_tool("postconf")
    work = tmp_path / setdir.name
    shutil.copytree(setdir, work, symlinks=True)
    for flags in CORPUS_FLAGS:
        assert_same(work, *flags)


def test_corpus_is_present() -> None:
    from tests.support import require_corpus

    require_corpus()
    assert _postfix_sets(), "no Postfix sets in the corpus"
