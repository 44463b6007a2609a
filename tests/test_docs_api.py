"""docs/api.md stays true: its Python code blocks run, in order, from the repository root."""

from __future__ import annotations

import os
import re

from tests.support import ROOT


def test_api_page_examples_run() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 5
    namespace: dict[str, object] = {}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for block in blocks:
            exec(compile(block, "docs/api.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
