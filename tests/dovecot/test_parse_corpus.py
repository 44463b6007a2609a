"""The shared corpus: every Dovecot file prints back byte for byte; trees read as doveconf reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf.dovecot import DovecotParseError, load, parse
from tests.dovecot import doveconf
from tests.support import corpus_sets, require_corpus

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
        real = doveconf(path)
        assert real.fatal is not None, f"doveconf accepts {path} but mailconf says {exc}"
        if not parse(data, path, strict=False).includes() and "Unknown setting" not in real.fatal:
            assert real.fatal == exc.doveconf


@pytest.mark.parametrize("config", tree_roots(), ids=lambda p: p.parent.name)
def test_trees_fail_where_doveconf_fails_for_syntax(config: Path) -> None:
    real = doveconf(config)
    try:
        tree = load(config)
    except DovecotParseError as exc:
        assert real.fatal == exc.doveconf
        return
    if real.fatal is not None:
        assert not real.fatal.endswith(SYNTAX), real.fatal
    for doc in tree.documents.values():
        assert doc.path is not None and doc.to_bytes() == doc.path.read_bytes()
