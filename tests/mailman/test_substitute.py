"""Mailman's path substitution (``string.Template.safe_substitute``) without the string module,
which imports re: the same results as the standard Template (Hypothesis)."""

from __future__ import annotations

from string import Template

from hypothesis import given
from hypothesis import strategies as st

from mailconf.mailman.config import safe_substitute

MAPPING = {"var_dir": "/var/lib/mailman3", "a": "X", "B_c": "$b", "x1": ""}
PIECES = ["$", "$$", "{", "}", "var_dir", "a", "A", "B_c", "x1", "1", "/", " ", "é", "_", "unknown"]


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_safe_substitute_is_string_templates(text: str) -> None:
    assert safe_substitute(text, MAPPING) == Template(text).safe_substitute(MAPPING)
