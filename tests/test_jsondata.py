"""The cache of decoded JSON data files: same value as json, never trusted blindly."""

from __future__ import annotations

import json
import marshal
from pathlib import Path

import pytest

from mailconf import _jsondata

DATA = {"params": {"a": {"type": "bool", "default": "yes"}, "é": [1, 2.5, None, True]}, "version": "3.7"}


@pytest.fixture
def data_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MAILCONF_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MAILCONF_CACHE", "1")
    path = tmp_path / "data.json"
    path.write_text(json.dumps(DATA, ensure_ascii=False), encoding="utf-8")
    return path


def test_cached_value_equals_json(data_file: Path) -> None:
    assert _jsondata.load(str(data_file)) == DATA
    (entry,) = (data_file.parent / "cache").glob("json-*.bin")
    assert _jsondata.load(str(data_file)) == DATA
    assert marshal.loads(entry.read_bytes())[1] == DATA


def test_changed_file_and_tampered_entry_are_not_trusted(data_file: Path) -> None:
    _jsondata.load(str(data_file))
    (entry,) = (data_file.parent / "cache").glob("json-*.bin")
    entry.write_bytes(marshal.dumps((b"other bytes", {"evil": 1})))
    assert _jsondata.load(str(data_file)) == DATA
    entry.write_bytes(b"\x00garbage")
    assert _jsondata.load(str(data_file)) == DATA
    data_file.write_text(json.dumps({"version": "3.8"}), encoding="utf-8")
    assert _jsondata.load(str(data_file)) == {"version": "3.8"}


def test_cache_off(data_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILCONF_CACHE", "0")
    assert _jsondata.load(str(data_file)) == DATA
    assert not (data_file.parent / "cache").exists()
