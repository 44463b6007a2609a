"""The shared corpus: every Dovecot file prints back byte for byte; trees read as doveconf reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf.dovecot import DovecotParseError, load, parse
from tests.dovecot import doveconf
from tests.support import corpus_sets, require_corpus, require_doveconf_generation

SYNTAX = ("Expecting '{'", "Garbage after '{'", "Unexpected '}'", "Missing '}'", "Missing key name", "No matches")


def dovecot_files() -> list[Path]:
    out: list[Path] = []
    for directory in corpus_sets("dovecot"):
        out.extend(
            p
            for p in sorted(directory.rglob("*"))
            if p.is_file() and (p.name == "dovecot.conf" or p.name.endswith((".conf", ".conf.ext")))
        )
    return out


def tree_roots() -> list[Path]:
    return [d / "dovecot.conf" for d in corpus_sets("dovecot") if (d / "dovecot.conf").is_file()]


def oracle_reads(data: bytes) -> None:
    """Skip the comparison with the installed doveconf when it cannot read the file's generation:
    a 2.4 doveconf refuses every file without dovecot_config_version on its first setting, so it
    says nothing about how 2.3 (or older) files read. On a 2.3 doveconf every file is compared
    (2.4 files there fail on their version setting, which is no syntax error)."""
    if b"dovecot_config_version" not in data:
        require_doveconf_generation("2.3")


def test_corpus_has_dovecot_files() -> None:
    require_corpus()
    assert len(dovecot_files()) > 100


@pytest.mark.parametrize("path", dovecot_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_file_round_trips(path: Path) -> None:
    data = path.read_bytes()
    doc = parse(data, path, strict=False)
    assert doc.to_bytes() == data
    try:
        parse(data, path)
    except DovecotParseError as exc:
        # only files doveconf refuses as well: Berkeley DB DB_CONFIG files, templates, broken copies
        oracle_reads(data)
        real = doveconf(path)
        assert real.fatal is not None, f"doveconf accepts {path} but mailconf says {exc}"
        if not parse(data, path, strict=False).includes() and "Unknown setting" not in real.fatal:
            assert real.fatal == exc.doveconf


@pytest.mark.parametrize("config", tree_roots(), ids=lambda p: p.parent.name)
def test_trees_fail_where_doveconf_fails_for_syntax(config: Path) -> None:
    try:
        tree = load(config)
    except DovecotParseError as exc:
        oracle_reads(config.read_bytes())
        assert doveconf(config).fatal == exc.doveconf
        return
    for doc in tree.documents.values():
        assert doc.path is not None and doc.to_bytes() == doc.path.read_bytes()
    oracle_reads(config.read_bytes())
    real = doveconf(config)
    if real.fatal is not None:
        assert not real.fatal.endswith(SYNTAX), real.fatal
