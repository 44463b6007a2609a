"""The semantics built from the parser's tree (mailconf.dovecot.load) equal the direct reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf.dovecot.config import config_from_tree, load_config
from mailconf.errors import ParseError
from tests.support import corpus_sets, require_corpus


def sets() -> list[Path]:
    return [p for p in corpus_sets("dovecot") if (p / "dovecot.conf").exists()]


@pytest.mark.parametrize("setdir", sets(), ids=lambda p: p.name)
def test_tree_and_direct_reading_agree(setdir: Path) -> None:
    require_corpus()
    from mailconf.dovecot import load

    main = setdir / "dovecot.conf"
    if b"dovecot_config_version" in main.read_bytes():
        pytest.skip("2.4 syntax")
    try:
        direct = load_config(main).dump("n")
    except ParseError:
        direct = None
    try:
        via_tree = config_from_tree(load(main)).dump("n")
    except Exception as exc:  # the parser raises its own error classes
        if direct is None:
            return
        raise AssertionError(f"tree reading failed where direct reading worked: {exc}") from exc
    assert via_tree == direct


@pytest.mark.parametrize("setdir", sets(), ids=lambda p: p.name)
def test_24_sets_load_with_the_24_catalogue(setdir: Path) -> None:
    require_corpus()
    main = setdir / "dovecot.conf"
    if b"dovecot_config_version" not in main.read_bytes():
        pytest.skip("2.3 syntax")
    cfg = load_config(main, version="2.4")
    assert cfg.files and cfg.files[0] == str(main)
    assert cfg.effective("dovecot_config_version").path == str(main)
