"""The Python examples of docs/models.md run, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "models.md"


def test_models_doc_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 8
    namespace: dict[str, object] = {}
    for number, block in enumerate(blocks, 1):
        code = compile(block, f"{DOC.name}[python block {number}]", "exec")
        exec(code, namespace)
