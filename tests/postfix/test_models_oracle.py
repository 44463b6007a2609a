"""The typed models refuse exactly the bool, int, size and time values the real Postfix refuses.

``postmap -c DIR -q KEY inline:{...}`` reads main.cf and its global parameters (soft_bounce,
default_process_limit, message_size_limit, ipc_timeout) the way every daemon does, and dies with
``fatal: bad boolean configuration`` (or numerical, or time) on a value of the wrong type.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mailconf.postfix.models import Invalid, PostfixModel
from tests.support import backdate, require_tool

pytestmark = pytest.mark.oracle

CASES = [
    *(("soft_bounce", v) for v in ["yes", "YES", "No", "true", "1", "on", "yes x"]),
    *(("default_process_limit", v) for v in ["100", "+7", "10M", "0x10", "1e3", "2147483647", "2147483648", "1 0"]),
    *(("message_size_limit", v) for v in ["0", "99999999999", "10M", "-1", "+5", "1.5"]),
    *(
        ("ipc_timeout", v)
        for v in ["3600", "1h30m", "100ms", "10x", "-5", "+3h", "3 h", "3H", "2147483647", "2147483648", "59w", "2w"]
    ),
]
TYPE_ERRORS = ("bad boolean configuration", "bad numerical configuration", "bad time value or unit")


@pytest.mark.parametrize(("name", "text"), CASES)
def test_invalid_exactly_when_postfix_refuses(tmp_path: Path, name: str, text: str) -> None:
    postmap = require_tool("postmap")
    (tmp_path / "main.cf").write_text(f"{name} = {text}\n")
    backdate(tmp_path)
    result = subprocess.run(
        [postmap, "-c", str(tmp_path), "-q", "a", "inline:{a=b}"], capture_output=True, text=True, timeout=60
    )
    fatal = next((line for line in result.stderr.splitlines() if any(e in line for e in TYPE_ERRORS)), None)
    # the model follows the installed Postfix's version, as the postconf stand-in does
    setting = PostfixModel.parse(f"{name} = {text}\n", None).main[name]
    if fatal is None:
        assert not setting.invalid, f"postfix accepts {name} = {text!r}: {result.stderr}"
    else:
        assert isinstance(setting.value, Invalid), f"postfix refuses {name} = {text!r}: {fatal}"
        assert fatal.endswith(f"fatal: {setting.value.error}")
