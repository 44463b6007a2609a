"""Typed models for every Postfix set of the shared corpus (../shared/corpus, never copied here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf.errors import ParseError
from mailconf.postfix import load
from mailconf.postfix.models import PostfixModel
from tests.support import corpus_sets

SETS = corpus_sets("postfix")


def _classification(directory: Path) -> str:
    manifest = directory.parent / "MANIFEST.tsv"
    for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if cols[0] == directory.name and len(cols) > 7:
            return cols[7]
    return ""


@pytest.mark.skipif(not SETS, reason="shared corpus (../shared/corpus) not found")
@pytest.mark.parametrize("directory", SETS, ids=[p.name for p in SETS])
def test_corpus_set_builds_a_model(directory: Path) -> None:
    try:
        config = load(directory, version="3.7")
    except ParseError:
        # Only the sets the real postconf rejects may fail, and they fail in the document layer.
        assert _classification(directory).startswith("fails"), f"{directory.name} should parse"
        return
    model = PostfixModel.from_config(config)
    # every main.cf entry is in the model, at the line of its last (winning) entry
    assert config.main is None or set(model.main) == set(config.main.values())
    if config.main is not None:
        for name, setting in model.main.items():
            entry = config.main.get(name)
            assert entry is not None and setting.origin is not None
            assert (setting.origin.line, setting.raw) == (entry.line, entry.value)
    # every master.cf service, in order, with its type
    services = config.master.services if config.master is not None else []
    assert [(s.name, s.type) for s in model.services] == [(s.name, s.type) for s in services]
    # rendering and reading back gives the same meaning; JSON round-trips
    assert model.reparse().without_origins() == model.without_origins()
    assert PostfixModel.model_validate_json(model.model_dump_json()) == model


@pytest.mark.skipif(not SETS, reason="shared corpus (../shared/corpus) not found")
def test_most_corpus_values_are_valid() -> None:
    """Real configs that Postfix runs with are almost entirely well-typed: a sanity check on the
    typing itself (a wrongly typed parameter would show up as many invalid values)."""
    total = invalid = 0
    for directory in SETS:
        try:
            model = PostfixModel.load(directory, version="3.7")
        except ParseError:
            continue
        settings = [*model.main.values(), *(s for svc in model.services for s in svc.overrides.values())]
        total += len(settings)
        invalid += sum(s.invalid for s in settings)
    assert total > 1000
    assert invalid <= total // 200, f"{invalid} of {total} values invalid"


@pytest.mark.skipif(not SETS, reason="shared corpus (../shared/corpus) not found")
def test_effective_values_agree_with_the_semantic_layer() -> None:
    """For every service with overrides, the model's effective value of every main.cf name,
    override and ``$``-referencing default is the one PostfixConfig.effective computes (which the
    postconf oracle tests check against the real Postfix)."""
    checked = 0
    for directory in SETS:
        try:
            config = load(directory, version="3.7")
        except ParseError:
            continue
        model = PostfixModel.from_config(config, defaults=True)
        entries = config.master.services if config.master is not None else []
        for entry, service in zip(entries, model.services, strict=True):
            if not service.overrides:
                continue
            names = set(model.main) | set(service.overrides) | {k for k, s in model.defaults.items() if "$" in s.raw}
            for name in sorted(names):
                want = config.effective(name, entry)
                got = model.effective(name, service)
                assert got is not None, (directory.name, service.name, name)
                assert (got.text, got.source) == (want.expanded, want.source), (directory.name, service.name, name)
                checked += 1
    assert checked > 10_000
