"""Loading the Lark grammars shipped with mailconf.

In a wheel the grammars live in ``mailconf/_grammars``; in a source checkout (editable install)
they are the top-level ``grammars/`` directory. Parsers are LALR with the contextual lexer and
Lark's cache, built once per process.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark import Lark

_HERE = Path(__file__).resolve().parent


def grammar_dir() -> Path:
    for candidate in (_HERE / "_grammars", _HERE.parent / "grammars"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("mailconf grammars not found (broken installation)")


@functools.cache
def parser(name: str) -> Lark:
    """The LALR parser for ``grammars/<name>.lark``."""
    from lark import Lark

    path = grammar_dir() / f"{name}.lark"
    return Lark(
        path.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        cache=True,
        maybe_placeholders=False,
        propagate_positions=False,
    )
