"""Hostile input for the Dovecot reader: bounded time, exact bytes, clear errors, no tracebacks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailconf.dovecot import DovecotParseError, load, parse
from tests.dovecot import doveconf
from tests.support import dovecot24_header, installed_doveconf_generation


def test_twenty_thousand_nested_sections_are_linear() -> None:
    data = b"plugin {\n" * 20000 + b"}\n" * 20000
    start = time.monotonic()
    doc = parse(data)
    assert time.monotonic() - start < 20
    assert len(doc.statements()) == 40000
    assert doc.to_bytes() == data
    with pytest.raises(DovecotParseError) as info:
        parse(b"plugin {\n" * 20000)
    assert info.value.message == "Missing '}' (section started at <string>:20000)"


def test_one_megabyte_line() -> None:
    data = b"plugin {\n  k = " + b"x" * 1_000_000 + b"\n}\n"
    doc = parse(data)
    (setting,) = doc.settings()
    assert len(setting.value) == 1_000_000
    assert doc.to_bytes() == data


def test_nul_byte_ends_the_line_as_in_doveconf(tmp_path: Path) -> None:
    config = tmp_path / "dovecot.conf"
    # 2.4: version lines first, and import_environment for a free key (it has no plugin section)
    v24 = installed_doveconf_generation() == "2.4"
    section = b"import_environment" if v24 else b"plugin"
    config.write_bytes(
        (dovecot24_header() if v24 else "").encode() + b"protocols = imap\n" + section + b" {\n  k = a\0b c\n}\n"
    )
    tree = load(config)
    (setting,) = [s for s in tree.walk() if s.key == "k"]
    assert setting.value == "a"
    assert [w.code for w in tree.warnings] == ["nul-byte"]
    assert "  k = a\n" in doveconf(config).stdout


def test_invalid_utf8_survives() -> None:
    data = b"# \xff\xfe comment\nplugin {\n  k = caf\xe9 \x80\n}\n"
    doc = parse(data)
    assert doc.to_bytes() == data
    assert doc.settings()[0].value == "caf\xe9 \x80"


def test_bom_is_part_of_the_first_key() -> None:
    doc = parse(b"\xef\xbb\xbfprotocols = imap\n")
    assert doc.settings()[0].key == "\xef\xbb\xbfprotocols"  # doveconf: Unknown setting: <BOM>protocols


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_round_trip_or_fail_cleanly(data: bytes) -> None:
    assert parse(data, strict=False).to_bytes() == data
    try:
        parse(data)
    except DovecotParseError as exc:
        assert exc.line >= 0 and exc.column >= 1 and exc.doveconf.startswith("Error in configuration file")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab =#\"'\\{}\t\r\n<$!", max_size=200))
def test_config_like_text_round_trips(text: str) -> None:
    data = text.encode("latin-1")
    for version in ("2.3", "2.4"):
        assert parse(data, strict=False, version=version).to_bytes() == data


def test_long_continuation_is_linear() -> None:
    data = b"k = start \\\n" + b"  part \\\n" * 50000 + b"  end\n"
    began = time.monotonic()
    (setting,) = parse(data).settings()
    assert time.monotonic() - began < 30
    assert setting.value == "start " + "part " * 50000 + "end"
    assert setting.end_line == 50002
