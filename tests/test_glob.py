"""mailconf._glob matches as the standard glob and fnmatch modules do (it only avoids their re)."""

from __future__ import annotations

import fnmatch
import glob as stdlib_glob
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mailconf._glob import fnmatch as our_fnmatch
from mailconf._glob import fnmatchcase, glob

NAME_CHARS = "ab.c-é/"
PATTERN_PIECES = ["*", "?", "a", "b", ".", "c", "/", "é", "**", "*.c", "[ab]", "[!a]"]


@given(st.text(NAME_CHARS, max_size=8), st.lists(st.sampled_from(PATTERN_PIECES), max_size=5).map("".join))
def test_fnmatchcase_is_the_standard_one(name: str, pattern: str) -> None:
    assert fnmatchcase(name, pattern) == fnmatch.fnmatchcase(name, pattern)
    assert our_fnmatch(name, pattern) == fnmatch.fnmatch(name, pattern)


def _tree(root: Path) -> None:
    for rel in ["a.conf", "b.conf", ".hidden.conf", "c.txt", "conf.d/10-x.conf", "conf.d/.y.conf", "conf.d/sub/z.conf"]:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("")
    (root / "empty.d").mkdir()
    (root / "link.conf").symlink_to(root / "missing")  # a dangling link is listed, as lexists does
    (root / "Mixed\xe9.conf").write_bytes(b"")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["*", "?", "conf", ".d", "*.conf", ".*", "/", "a", "sub", "*/", "empty.d", "x", "[ab]"]),
        min_size=1,
        max_size=5,
    ).map("".join)
)
def test_glob_is_the_standard_one(tmp_path_factory: object, pattern: str) -> None:
    root = Path(str(tmp_path_factory.mktemp("g")))  # type: ignore[attr-defined]
    _tree(root)
    for candidate in (f"{root}/{pattern}", pattern):
        cwd = os.getcwd()
        os.chdir(root)
        try:
            want = sorted(p.decode("latin-1") for p in stdlib_glob.glob(candidate.encode("latin-1")))
            got = sorted(glob(candidate))
        finally:
            os.chdir(cwd)
        assert got == want, candidate


def test_non_utf8_names_come_back_byte_for_byte(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    name = b"caf\xe9.conf"  # latin-1, not UTF-8
    (Path(os.fsdecode(bytes(tmp_path / "d") + b"/" + name))).write_bytes(b"")
    pattern = f"{tmp_path}/d/*.conf"
    assert glob(pattern) == [f"{tmp_path}/d/{name.decode('latin-1')}"]
    assert glob(f"{tmp_path}/d/caf?.conf") == [f"{tmp_path}/d/{name.decode('latin-1')}"]
