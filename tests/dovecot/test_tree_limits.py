"""Include trees beyond the limits fail with a clear error, in bounded time."""

from __future__ import annotations

from pathlib import Path

import pytest

import mailconf.dovecot.tree as tree_module
from mailconf.dovecot import DovecotIncludeError, load


def test_thousands_of_included_files(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    for i in range(2000):
        (tmp_path / "c" / f"{i:05}.conf").write_text(f"k{i} = {i}\n")
    (tmp_path / "dovecot.conf").write_text("plugin {\n!include c/*.conf\n}\n")
    tree = load(tmp_path / "dovecot.conf")
    assert len(tree.documents) == 2001
    assert [st.key for st in tree.walk() if st.kind == "setting"][-1] == "k1999"


def test_too_many_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tree_module, "MAX_READS", 100)
    (tmp_path / "c").mkdir()
    for i in range(150):
        (tmp_path / "c" / f"{i:03}.conf").write_text("\n")
    (tmp_path / "dovecot.conf").write_text("!include c/*.conf\n")
    with pytest.raises(DovecotIncludeError, match="Too many included files"):
        load(tmp_path / "dovecot.conf")


def test_exponential_includes_are_bounded(tmp_path: Path) -> None:
    for level in range(30):
        (tmp_path / f"l{level}.conf").write_text(f"!include l{level + 1}.conf\n!include l{level + 1}.conf\n")
    (tmp_path / "l30.conf").write_text("k = v\n")
    with pytest.raises(DovecotIncludeError, match="Too many included files"):
        load(tmp_path / "l0.conf")


def test_deep_include_chain(tmp_path: Path) -> None:
    depth = tree_module.MAX_DEPTH + 10
    for level in range(depth):
        (tmp_path / f"l{level}.conf").write_text(f"!include l{level + 1}.conf\n")
    (tmp_path / f"l{depth}.conf").write_text("\n")
    with pytest.raises(DovecotIncludeError, match="nested too deeply") as info:
        load(tmp_path / "l0.conf")
    assert info.value.path == str(tmp_path / f"l{tree_module.MAX_DEPTH}.conf")


def test_growing_paths_through_a_directory_symlink(tmp_path: Path) -> None:
    (tmp_path / "sub").symlink_to(".")
    (tmp_path / "dovecot.conf").write_text("!include sub/dovecot.conf\n")
    with pytest.raises(DovecotIncludeError):
        load(tmp_path / "dovecot.conf")


def test_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tree_module, "MAX_FILE_BYTES", 1000)
    (tmp_path / "big.conf").write_text("# " + "x" * 2000 + "\n")
    (tmp_path / "dovecot.conf").write_text("!include big.conf\n")
    with pytest.raises(DovecotIncludeError, match="too large"):
        load(tmp_path / "dovecot.conf")
