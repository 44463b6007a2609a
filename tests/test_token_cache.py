"""The content-addressed token cache: same tokens as a fresh parse, never trusted blindly."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf import _grammars
from mailconf.postfix import parse_main

BIG = b"".join(b"param_%d = value_%d, $other\n# comment %d\n\n  continued\n" % (i, i, i) for i in range(200))


def test_cached_parse_equals_fresh_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILCONF_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("MAILCONF_CACHE", "1")
    first = parse_main(BIG)
    entries = list(tmp_path.glob("postfix_main-*.bin"))
    assert len(entries) == 1
    second = parse_main(BIG)
    assert second.to_bytes() == BIG
    assert [(p.name, p.value, p.line) for p in first.parameters] == [
        (p.name, p.value, p.line) for p in second.parameters
    ]


def test_tampered_cache_entry_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import marshal

    monkeypatch.setenv("MAILCONF_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("MAILCONF_CACHE", "1")
    parse_main(BIG)
    (entry,) = tmp_path.glob("postfix_main-*.bin")
    entry.write_bytes(marshal.dumps([("entry", "evil = 1\n")]))
    doc = parse_main(BIG)
    assert doc.get("evil") is None and doc.to_bytes() == BIG
    entry.write_bytes(b"\x00garbage")
    assert parse_main(BIG).to_bytes() == BIG


def test_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILCONF_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("MAILCONF_CACHE", "0")
    parse_main(BIG)
    assert not list(tmp_path.iterdir())


def test_cache_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILCONF_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("MAILCONF_CACHE", "1")
    monkeypatch.setattr(_grammars, "_CACHE_MAX_FILES", 6)
    for i in range(10):
        parse_main(BIG + b"x%d = 1\n" % i)
    assert len(list(tmp_path.glob("*.bin"))) <= 6
