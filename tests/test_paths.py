"""mailconf._paths gives what pathlib gives (the lint path's paths are strings: the paths it
reports, compares and sorts must be the ones ``Path`` objects gave)."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailconf import _paths

PIECES = ["", ".", "..", "a", "b", "a-b", "a.b", "-x", ".h", "a b", "é", "A", "etc", "Z"]
paths = st.lists(
    st.tuples(st.sampled_from(PIECES), st.sampled_from(["/", "//", "///", ""])), min_size=0, max_size=5
).map(lambda pairs: "".join(piece + sep for piece, sep in pairs))


@given(paths)
def test_norm_parts_name_parent_are_purepath_s(text: str) -> None:
    pure = PurePosixPath(text)
    normal = _paths.norm(text)
    assert normal == str(pure)
    assert _paths.norm(normal) == normal
    assert _paths.parts(normal) == pure.parts
    assert _paths.from_parts(_paths.parts(normal)) == normal
    assert _paths.name(normal) == pure.name
    assert _paths.parent(normal) == str(pure.parent)


@given(paths, st.sampled_from(["main.cf", "a/b", "/abs", "..", "x/./y/"]))
def test_join_is_purepath_division(text: str, name: str) -> None:
    assert _paths.join(text, name) == str(PurePosixPath(text) / name)


@given(st.lists(paths, max_size=12))
def test_sort_key_orders_as_paths(texts: list[str]) -> None:
    normal = [_paths.norm(t) for t in texts]
    assert sorted(normal, key=_paths.sort_key) == [str(p) for p in sorted(PurePosixPath(t) for t in texts)]


def test_sort_key_is_not_string_order() -> None:
    """The case that makes the key necessary: "/" sorts after "-" as a character."""
    names = ["h/a-b", "h/a/b", "/x", "..", "-y"]
    expected = [str(p) for p in sorted(map(PurePosixPath, names))]
    assert sorted(names, key=_paths.sort_key) == expected
    assert sorted(names) != expected


@given(paths, paths)
def test_relative_to_is_purepath_s(text: str, base: str) -> None:
    path, other = _paths.norm(text), _paths.norm(base)
    try:
        expected: str | None = str(PurePosixPath(path).relative_to(other))
    except ValueError:
        expected = None
    try:
        got: str | None = _paths.relative_to(path, other)
    except ValueError:
        got = None
    assert got == expected


@given(paths)
def test_absolute_is_path_s(text: str) -> None:
    normal = _paths.norm(text)
    assert _paths.absolute(normal) == str(Path(normal).absolute())


def test_file_tests_and_resolve_are_path_s(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("x")
    (tmp_path / "link").symlink_to("file")
    (tmp_path / "dangling").symlink_to("nowhere")
    (tmp_path / "loop").symlink_to("loop")
    for name in ("dir", "file", "link", "dangling", "loop", "missing", "file/below", "nul\0byte", "dir/../file"):
        path = Path(tmp_path, name)
        text = str(tmp_path / name)
        assert _paths.exists(text) == path.exists(), name
        assert _paths.is_dir(text) == path.is_dir(), name
        assert _paths.is_file(text) == path.is_file(), name
        assert _paths.is_symlink(text) == path.is_symlink(), name
        if name == "loop":
            with pytest.raises(RuntimeError):
                path.resolve()
            with pytest.raises(RuntimeError):
                _paths.resolve(text)
        elif "\0" not in name:
            assert _paths.resolve(text) == str(path.resolve()), name
    assert _paths.to_path(str(tmp_path)) == tmp_path


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every directory")
def test_errors_other_than_missing_are_raised_as_pathlib_raises(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    (closed / "inner").mkdir(parents=True)
    closed.chmod(0)
    try:
        for check, text in ((Path.exists, "exists"), (Path.is_file, "is_file"), (Path.is_dir, "is_dir")):
            with pytest.raises(PermissionError):
                check(closed / "inner")
            with pytest.raises(PermissionError):
                getattr(_paths, text)(str(closed / "inner"))
    finally:
        closed.chmod(0o755)
