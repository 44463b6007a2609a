"""Dovecot 2.4 corpus sets load with the 2.4 catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf.dovecot.config import load_config
from tests.support import corpus_sets, require_corpus


def sets() -> list[Path]:
    return [p for p in corpus_sets("dovecot") if (p / "dovecot.conf").exists()]


@pytest.mark.parametrize("setdir", sets(), ids=lambda p: p.name)
def test_24_sets_load_with_the_24_catalogue(setdir: Path) -> None:
    require_corpus()
    main = setdir / "dovecot.conf"
    if b"dovecot_config_version" not in main.read_bytes():
        pytest.skip("2.3 syntax")
    cfg = load_config(main, version="2.4")
    assert cfg.files and cfg.files[0] == str(main)
    assert cfg.effective("dovecot_config_version").path == str(main)
