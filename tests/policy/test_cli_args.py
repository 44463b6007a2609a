"""Start-up shortcuts of the command line: ``mailconf lint`` reads plain command lines without
argparse (``_lint.quick_args``; argparse is the reference: whatever quick_args accepts, argparse
must accept with the same values), and a program run turns the garbage collector off and back."""

from __future__ import annotations

import contextlib
import gc
import io
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailconf.cli import _lint

WORDS = [
    *("--exit-zero", "--no-config", "--list-rules", "--exit", "--no-config=1", "--help", "-h", "--", "-", "-x"),
    *("--format", "--format=json", "--format=", "json", "text", "sarif", "github", "yaml"),
    *("--select", "--ignore", "--select=TLS", "TLS,AUTH", "TLS101", "--fail-on", "error", "info", "--fail-on=warn"),
    *("--profile", "strict", "--postfix-version", "3.7", "--dovecot-version=2.4", "--root", "--config", "--explain"),
    *("-o", "--output", "-oout.txt", "-o=out.txt", "out.txt", "/etc/postfix", "etc", "", "a b", "-1", "x=y"),
]


def _argparse(argv: list[str]) -> dict[str, object] | None:
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            return vars(_lint._parser().parse_args(argv))
        except SystemExit:
            return None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=7))
def test_quick_args_agree_with_argparse(argv: list[str]) -> None:
    quick = _lint.quick_args(argv)
    if quick is not None:
        assert vars(quick) == _argparse(argv), argv


def test_hook_command_lines_take_the_quick_path() -> None:
    plain = [
        ["--no-config", "--exit-zero", "/etc"],
        ["--format", "json", "--select", "TLS", "--select", "AUTH1", "a", "b"],
        ["a", "b", "--format=sarif", "-o", "report.sarif"],
        [],
    ]
    for argv in plain:
        quick = _lint.quick_args(argv)
        assert quick is not None, argv
        assert vars(quick) == _argparse(argv), argv
    # argparse's own cases: help, errors, abbreviations, paths split by an option
    for argv in (["--help"], ["--format", "yaml"], ["--exit"], ["a", "--exit-zero", "b"], ["--root"]):
        assert _lint.quick_args(argv) is None, argv


def test_program_run_restores_gc(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # main() without argv is a run of the program: the cyclic collector is off during the
    # command (a speed measure) and back as it was afterwards.
    from mailconf.cli import main

    monkeypatch.setattr(sys, "argv", ["mailconf", "--version"])
    try:
        assert gc.isenabled()
        assert main() == 0
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what existed at the end is no longer scanned
        assert capsys.readouterr().out.startswith("mailconf ")
        gc.disable()
        assert main() == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()  # the rest of the test session collects as usual
