"""``$name`` expansion: each form and each quirk, with the results and messages of postconf 3.7.

The expected values were observed with ``postconf -x`` (see docs/catalogue.md); the oracle
tests in test_postconf_property.py compare generated expressions with the real tool.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailconf.postfix.expand import Fatal, compat_level, expand, references

VALUES = {"a": "1", "b": "x", "empty": "", "mail_name": "Postfix", "ref": "$b$b", "n10": "10"}


def run(value: str, recurse: bool = True) -> str:
    result = expand(value, VALUES.get, recurse=recurse)
    assert not result.error, result.warnings
    return result.value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$a", "1"),
        ("${a}", "1"),
        ("$(a)", "1"),
        ("$$", "$"),
        ("$$a", "$a"),
        ("x$a.y", "x1.y"),
        ("$ref", "xx"),
        ("${a?yes}", "yes"),
        ("${empty?yes}", ""),
        ("${nosuch?yes}", ""),
        ("${a:no}", ""),
        ("${empty:no}", "no"),
        ("${nosuch:no}", "no"),
        ("${a?{yes}:{no}}", "yes"),
        ("${empty?{yes}:{no}}", "no"),
        ("${a?{x} :{y} }", "x"),
        ("${a??foo:{b}ar}", "?foo:{b}ar"),  # 2.11 compatibility: no braces, raw text
        ("${{$mail_name} == {Postfix} ? {yes} : {no}}", "yes"),
        ("${{x} != {y} ? {ne} : {eq}}", "ne"),
        ("${{010} == {10} ? {eq} : {ne}}", "eq"),  # numeric when both are digits
        ("${{10} < {9} ? {lt} : {ge}}", "ge"),
        ("${{a} < {b} ? {lt} : {ge}}", "lt"),
        ("${{ 10 } < {9} ? {lt} : {ge}}", "lt"),  # blanks inside braces are data: string compare
        ("${{$n10} >= {10} ? {ge} : {lt}}", "ge"),
        ("${{3.10} >=level {3.6} ? {ge} : {lt}}", "ge"),
        ("${{1} ==level {1.0} ? {eq} : {ne}}", "eq"),
        ("${{x} == {y} ? {a}}", ""),
        ("${{x} == {y} ? a : b}", ""),  # without braces the rest is the ?-text
        ("${{1} < {2}}", "true"),
        ("${{1} > {2}}", ""),
    ],
)
def test_forms(value: str, expected: str) -> None:
    assert run(value) == expected


def test_without_recursion_values_are_inserted_verbatim() -> None:
    assert run("$ref", recurse=False) == "$b$b"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("$", 'empty macro name: "$"'),
        ("x$ z", 'empty macro name: "x$ z"'),
        ("${}", 'empty macro name: "${}"'),
        ("${b", 'truncated macro reference: "${b"'),
        ("$(b}", 'truncated macro reference: "$(b}"'),
        ("${b c}", 'attribute name syntax error at: "...b>>> c"'),
        ("${b-c}", 'attribute name syntax error at: "...b>>>-c"'),
        (
            "${{x} = {y} ? {a} : {b}}",
            '"==" or "!="" or "<"" or "<="" or ">="" or ">" expected at: "...x}>>>= {y} ? {a} : {b}"',
        ),
        ("${{x} == y ? {a} : {b}}", '"{expression}" expected at: "...{x} ==>>> y ? {a} : {b}"'),
        ("${{1}< level{2}?{lt}:{ge}}", '"{expression}" expected at: "...{1} <>>> level{2}?{lt}:{ge}"'),
        ("${{x} == {y} junk ? {a} : {b}}", '"?" or ":" expected at: "...}>>>junk ? {a} : {b}"'),
        ("${{x} == {y} ? {a} : {b} junk}", 'unexpected input at: "...b}>>>junk"'),
        ("${mail_name?{x}y}", '":" expected at: "...x}>>>y"'),
        ("${mail_name?{x}:{y}:{z}}", 'unexpected input at: "...y}>>>:{z}"'),
        ("${mail_name:{x}?{y}}", 'unexpected input at: "...x}>>>?{y}"'),
        ("${{abc} <level {2} ? {lt} : {ge}}", 'malformed compatibility level syntax: "abc"'),
    ],
)
def test_malformed_macros_warn_like_postconf(value: str, message: str) -> None:
    result = expand(value, VALUES.get)
    assert result.error
    assert result.warnings == [message]


def test_huge_numbers_are_fatal() -> None:
    with pytest.raises(Fatal, match="mac_exp_eval: bad conversion: 99999999999999999999"):
        expand("${{99999999999999999999} < {2} ? {lt} : {ge}}", VALUES.get)


def test_undefined_names_expand_to_nothing_and_are_flagged() -> None:
    result = expand("[$nosuch]", VALUES.get)
    assert result.value == "[]"
    assert result.undefined and not result.error


@pytest.mark.parametrize("table", [{"a": "$b", "b": "$a"}, {"a": "x$a"}, {"a": "$a"}])
def test_self_reference_stops_after_100_levels(table: dict[str, str]) -> None:
    result = expand("$a", table.get)
    assert result.error
    assert result.warnings
    assert all(w.startswith("unreasonable macro call nesting: ") for w in result.warnings)


def test_nesting_messages_name_the_literal_and_the_parameter() -> None:
    # postconf 3.7 with "smtpd_banner = x$smtpd_banner": both messages, then fatal
    result = expand("$a", {"a": "x$a"}.get)
    assert result.warnings == ['unreasonable macro call nesting: "x"', 'unreasonable macro call nesting: "a"']


def test_scan_parses_both_branches_and_collects_names() -> None:
    assert references("${a?{$b}:{$c}} $(d) ${{$e} == {x}}") == ["a", "b", "c", "d", "e"]
    value = "${a?{x}:{${b c}}}"
    result = expand(value, VALUES.get, scan=True)
    assert result.error  # a syntax error in the branch not taken is still found when scanning
    assert result.warnings == ['attribute name syntax error at: "...b>>> c"']
    assert expand(value, VALUES.get).value == "x"  # ... but not when expanding
    assert not expand(value, VALUES.get).error


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # each part is read as C's strtol reads it: white space and a sign before the digits
        (" 1", (1, 0, 0)),
        ("  +3.6", (3, 6, 0)),
        ("3. 6", (3, 6, 0)),
        ("3.+6", (3, 6, 0)),
        ("-0", (0, 0, 0)),
        ("3.06", (3, 6, 0)),
        ("3.1023", (3, 1023, 0)),
        ("3.6.1023", (3, 6, 1023)),
        ("8796093022207", (8796093022207, 0, 0)),
        # ... but nothing after them, no negative numbers, minor and patch at most 1023
        ("1 ", None),
        ("3.6 ", None),
        ("-1", None),
        ("3.-1", None),
        ("+-1", None),
        ("+", None),
        ("3.6.", None),
        (".5", None),
        ("3.1024", None),
        ("3.6.1024", None),
        ("8796093022208", None),
        ("99999999999999999999", None),
    ],
)
def test_compat_level_reads_parts_as_postfix_does(text: str, level: tuple[int, int, int] | None) -> None:
    # observed with postconf 3.7: ${{$p} <level {3.6} ? {lt} : {ge}} for each p
    assert compat_level(text) == level


def test_compat_level() -> None:
    assert compat_level("3.6") == (3, 6, 0)
    assert compat_level("3.10") > compat_level("3.6")  # type: ignore[operator]
    assert compat_level("2") == (2, 0, 0)
    assert compat_level("") is None
    assert compat_level("3.x") is None
    assert compat_level("1 2") is None


@given(st.text(alphabet="ab$${}()?:=<> \t", max_size=30))
def test_expansion_never_raises_unexpectedly(value: str) -> None:
    result = expand(value, VALUES.get)
    assert isinstance(result.value, str)
    if "$" not in value:
        assert result.value == value and not result.error
