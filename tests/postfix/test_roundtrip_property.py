"""Property: every generated file Postfix accepts prints back byte for byte."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mailconf.postfix import parse_main, parse_master
from tests.postfix.strategies import main_cf, master_cf


@given(main_cf())
def test_generated_main_cf_round_trips(data: bytes) -> None:
    assert parse_main(data).to_bytes() == data


@given(master_cf())
def test_generated_master_cf_round_trips(data: bytes) -> None:
    assert parse_master(data).to_bytes() == data


@given(st.binary(max_size=300))
def test_any_bytes_either_parse_exactly_or_raise_parse_error(data: bytes) -> None:
    from mailconf.errors import ParseError

    for parse in (parse_main, parse_master):
        try:
            doc = parse(data)
        except ParseError as exc:
            assert exc.line >= 1 and exc.column >= 1
        else:
            assert doc.to_bytes() == data
