"""How Postfix 3.7 counts macro nesting, relational operands included (issue #2).

Postfix counts nesting levels per expansion context and stops at 101 with "unreasonable macro
call nesting". Each operand of ``${{left} op {right}}`` is expanded in a new context whose count
starts at zero, while ``?``/``:`` branches and ``$name`` values stay in the current one. A value
that reaches its own operand again therefore recurses without bound: postconf dies of a stack
overflow (SIGSEGV). Which value postconf checks first follows its randomised hash tables, so a
configuration with one such value and one ordinary nesting error either crashes or prints the
ordinary error; the stand-in prints the latter.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf.postfix.expand import Fatal, Runaway, expand
from tests.support import backdate, require_tool, run_postconf, run_postconf_standin

NESTING = "unreasonable macro call nesting: "


def _chain(links: int, last: str) -> dict[str, str]:
    """a0 = $a1, ..., a(links-1) = last."""
    table = {f"a{i}": f"$a{i + 1}" for i in range(links - 1)}
    table[f"a{links - 1}"] = last
    return table


# -- the expansion contexts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "table",
    [
        {"s": "${{$s}=={x}}"},
        {"s": "${{x} == {$s}}"},
        {"s": "${{$s} == {a} ? {a} : {a}}"},
        {"s": "$a", "a": "${{$b}=={x}}", "b": "${{$a}=={x}}"},
        {"s": "${{$a}=={x}}", "a": "$b", "b": "${{$a}=={y}}"},
    ],
    ids=["left", "right", "ternary", "two-operands", "through-names"],
)
def test_an_operand_that_needs_itself_is_a_runaway(table: dict[str, str]) -> None:
    with pytest.raises(Runaway, match=NESTING):
        expand("$s", table.get)
    assert issubclass(Runaway, Fatal)


@pytest.mark.parametrize("value", ["${{x}=={x} ? {$s} : {y}}", "${{x}=={y} ? {a} : {$s}}", "${s?{$s}}"])
def test_branches_stay_in_the_context_and_stop_at_101_levels(value: str) -> None:
    result = expand("$s", {"s": value}.get)
    assert result.error
    assert result.warnings == [f'{NESTING}"{value[2:-1]}"']


def test_each_operand_counts_its_own_levels() -> None:
    # both operands run into the limit in their own context: one message each
    result = expand("$s", {"s": "${{$a}=={$b}}", "a": "$a", "b": "$b"}.get)
    assert result.error
    assert result.warnings == [f'{NESTING}"a"', f'{NESTING}"b"']


def test_a_long_chain_of_operands_is_followed_to_its_end() -> None:
    # postconf follows 10,000 such links (30,000 overflow its stack)
    table = {f"a{i}": f"${{{{$a{i + 1}}} == {{deep}} ? {{deep}} : {{no}}}}" for i in range(2000)}
    table["a2000"] = "deep"
    result = expand("$a0", table.get)
    assert not result.error
    assert result.value == "deep"


@pytest.mark.parametrize(
    ("links", "message"), [(99, None), (100, '"{$s}=={x}"'), (101, '"a100"')], ids=["99", "100", "101"]
)
def test_names_before_a_looping_operand_count_in_the_outer_context(links: int, message: str | None) -> None:
    # $s -> a0 -> ... -> a(links-1) = ${{$s}=={x}}: with 100 names in between the outer context
    # reaches its limit before the operand starts over (postconf 3.7: no crash from 100 on)
    table = _chain(links, "${{$s}=={x}}")
    table["s"] = "$a0"
    if message is None:
        with pytest.raises(Runaway):
            expand("$s", table.get)
    else:
        result = expand("$s", table.get)
        assert result.error
        assert result.warnings == [NESTING + message]


# -- postconf -x/-n: compared with the real postconf -----------------------------------------


def _write(tmp_path: Path, main: str) -> Path:
    (tmp_path / "main.cf").write_text(main, encoding="latin-1")
    (tmp_path / "master.cf").write_text("")
    backdate(tmp_path / "main.cf", tmp_path / "master.cf")
    return tmp_path


def _ours(directory: Path, flags: tuple[str, ...]) -> tuple[int, str, str]:
    return run_postconf_standin(["-c", str(directory), *flags])


def _real_outcomes(directory: Path, flags: tuple[str, ...], runs: int) -> tuple[set[tuple[int, str, str]], int]:
    """The distinct (status, stdout, stderr) of runs that did not crash, and the number of crashes."""
    seen: set[tuple[int, str, str]] = set()
    crashes = 0
    for _ in range(runs):
        status, out, err = run_postconf(["-c", str(directory), *flags])
        if status in (0, 1):
            seen.add((status, out.decode("latin-1"), err.decode("latin-1")))
        else:
            crashes += 1
    return seen, crashes


ISSUE_2 = "myhostname = $myhostname\nmydomain = $mydomain $myhostname\nmyhostname = {}\n"
X_FLAGS = ("-x", "smtpd_banner", "relay_domains", "my_var")


@pytest.mark.parametrize(
    ("main", "flags"),
    [
        # issue #2: postconf either crashes on myhostname or stops on mydomain first
        (ISSUE_2.format("${{$myhostname}=={a}}"), X_FLAGS),
        (ISSUE_2.format("${{$myhostname} == {a} ? {a} : {a}}"), X_FLAGS),
        ("mydomain = $mydomain\nmyhostname = ${{$myhostname}=={x}}\n", ("-n",)),
        ("mydomain = $mydomain\nmyhostname = ${{$myhostname}=={x}}\n", ("-nxh",)),
        # the computed mydomain default reads myhostname (a crash); the mynetworks_style default
        # meets a malformed compatibility level instead (found by the property test)
        (
            "relay_domains = $mailbox_command ${myhostname?a}\nmyhostname = ${{$myhostname}<level{}}\n"
            "compatibility_level = $inet_interfaces $relay_domains\n",
            ("-n",),
        ),
        # no crash possible: the same output every run
        ("smtpd_banner = ${{x}=={x} ? {$smtpd_banner} : {y}}\n", ("-n",)),
        ("smtpd_banner = ${{$a}=={$b}}\na = $a\nb = $b\n", ("-n",)),
        ("smtpd_banner = ${{$mail_name}=={x}} $smtpd_banner\n", ("-n",)),
        ("smtpd_banner = ${{$a} ==level {3.6} ? {$b} : {$c}}\na = $a\n", ("-n",)),
        ("my_var = ${{$my_var}=={x}}\nsmtpd_banner = x\n", ("-n",)),
        (
            "smtpd_banner = $a0\n" + "".join(f"{k} = {v}\n" for k, v in _chain(100, "${{$smtpd_banner}=={x}}").items()),
            ("-n",),
        ),
        (
            "smtpd_banner = $a0\n"
            + "".join(f"a{i} = ${{{{$a{i + 1}}}=={{x}}}}\n" for i in range(1000))
            + "a1000 = x\n",
            ("-xh", "smtpd_banner"),
        ),
    ],
    ids=[
        "issue-2",
        "issue-2-ternary",
        "other-error-n",
        "other-error-nxh",
        "computed-default",
        "branch",
        "both-operands",
        "operand-error",
        "level-operand",
        "user-defined",
        "chain-100",
        "operand-chain-1000",
    ],
)
def test_postconf_prints_what_a_run_without_crash_prints(main: str, flags: tuple[str, ...], tmp_path: Path) -> None:
    require_tool("postconf")
    directory = _write(tmp_path, main)
    got = _ours(directory, flags)
    seen: set[tuple[int, str, str]] = set()
    for _ in range(6):  # each round is a few runs; postconf crashes in about half of them here
        outcomes, _crashes = _real_outcomes(directory, flags, 5)
        seen |= outcomes
        if got in seen:
            break
    assert seen, "postconf crashed in every run"
    assert got in seen, (got, seen)


@pytest.mark.parametrize(
    "main",
    [
        "smtpd_banner = ${{$smtpd_banner}=={x}}\n",
        "smtpd_banner = ${{x}=={$smtpd_banner}}\n",
        "mail_name = ${{$myhostname}=={x}}\nmyhostname = ${{$mail_name}=={x}}\n",
    ],
)
def test_a_value_that_always_crashes_postconf_is_fatal(main: str, tmp_path: Path) -> None:
    require_tool("postconf")
    directory = _write(tmp_path, main)
    outcomes, crashes = _real_outcomes(directory, ("-n",), 3)
    assert not outcomes and crashes == 3
    status, out, err = _ours(directory, ("-n",))
    assert (status, out) == (1, "")
    assert err.endswith("\n") and err.splitlines()[-1].startswith(f"postconf: fatal: {NESTING}")
