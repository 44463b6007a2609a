"""The typed models refuse exactly the bool, int, size and time values the real Postfix refuses.

``postmap -c DIR -q KEY inline:{...}`` reads main.cf and its global parameters (soft_bounce,
default_process_limit, message_size_limit, ipc_timeout) the way every daemon does, and dies with
``fatal: bad boolean configuration`` (or numerical, or time) on a value of the wrong type.
Postfix sleeps a second before it exits on a fatal error, so the cases run concurrently.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def postfix_verdicts(cases: list[tuple[str, str]]) -> list[str | None]:
    """For each (name, value): the fatal type error the real Postfix prints, or None."""
    postmap = require_tool("postmap")
    with tempfile.TemporaryDirectory() as tmp:
        procs = []
        for i, (name, text) in enumerate(cases):
            directory = Path(tmp) / str(i)
            directory.mkdir()
            (directory / "main.cf").write_text(f"{name} = {text}\n", encoding="latin-1")
            backdate(directory)
            procs.append(
                subprocess.Popen(
                    [postmap, "-c", str(directory), "-q", "a", "inline:{a=b}"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        verdicts: list[str | None] = []
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            verdicts.append(next((line for line in err.splitlines() if any(e in line for e in TYPE_ERRORS)), None))
    return verdicts


def check(name: str, text: str, fatal: str | None) -> None:
    # the model follows the installed Postfix's version, as the postconf stand-in does
    setting = PostfixModel.parse(f"{name} = {text}\n", None).main[name]
    if fatal is None:
        assert not setting.invalid, f"postfix accepts {name} = {text!r}"
    else:
        assert isinstance(setting.value, Invalid), f"postfix refuses {name} = {text!r}: {fatal}"
        assert fatal.endswith(f"fatal: {setting.value.error}")


@pytest.fixture(scope="module")
def verdicts() -> dict[tuple[str, str], str | None]:
    return dict(zip(CASES, postfix_verdicts(CASES), strict=True))


@pytest.mark.parametrize(("name", "text"), CASES)
def test_invalid_exactly_when_postfix_refuses(
    verdicts: dict[tuple[str, str], str | None], name: str, text: str
) -> None:
    check(name, text, verdicts[(name, text)])


near_numbers = st.text(alphabet="0123456789+- smhdwHMx.", max_size=7).map(lambda t: t.strip(" "))
values = st.one_of(near_numbers, st.sampled_from(["yes", "no", "YeS", "nO", "y", "n", "yes no", ""]))
PARAMETERS = ["soft_bounce", "default_process_limit", "message_size_limit", "ipc_timeout"]


@settings(max_examples=12, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PARAMETERS), values), min_size=12, max_size=12))
def test_generated_values_invalid_exactly_when_postfix_refuses(cases: list[tuple[str, str]]) -> None:
    for (name, text), fatal in zip(cases, postfix_verdicts(cases), strict=True):
        check(name, text, fatal)
