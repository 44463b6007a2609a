"""The ``mailconf`` command line: ``python -m mailconf COMMAND ...``.

Each subcommand lives in its own module ``mailconf.cli._<name>`` exposing
``run(argv: list[str]) -> int``; it is imported only when used, so start-up stays fast.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "lint": ("mailconf.cli._lint", "check configuration sets against the policy"),
    "postconf": ("mailconf.cli._postconf", "postconf(1) stand-in: show and edit main.cf/master.cf"),
    "doveconf": ("mailconf.cli._doveconf", "doveconf(1) stand-in: show a Dovecot configuration"),
    "schema": ("mailconf.cli._schema", "print the JSON Schema of the typed models"),
    "probe": ("mailconf.cli._probe", "check a running mail server against the policy"),
}


def usage() -> str:
    lines = ["usage: mailconf COMMAND [ARGS ...]", "", "commands:"]
    lines += [f"  {name:<10} {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "Run 'mailconf COMMAND --help' for the options of a command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    if argv is not None:
        return _main(argv)
    # A run of the program (argv from the command line) is short-lived: the cyclic garbage
    # collector only costs time there, about 10 ms of a lint run (its passes over catalogues and
    # documents while they are built, and the full pass at interpreter exit). Collection stays
    # off during the command, and what exists at its end is frozen (never scanned again; garbage
    # cycles left by the command are not reclaimed, which an exiting process does not need).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _main(sys.argv[1:])
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def run_and_exit() -> None:
    """Run the command line and end the process with its exit status.

    The process ends with ``os._exit`` once the output is flushed: interpreter teardown (freeing
    every module and object one by one) costs a few milliseconds of every run and does nothing an
    exiting command needs. Commands write their files atomically and synchronously before they
    return, so nothing is pending at that point.
    """
    status = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):  # reader gone, or stream closed
            stream.flush()
    os._exit(status)


def _main(args: list[str]) -> int:
    if not args or args[0] in ("-h", "--help"):
        print(usage())
        return 0 if args else 2
    if args[0] == "--version":
        from mailconf import __version__

        print(f"mailconf {__version__}")
        return 0
    entry = COMMANDS.get(args[0])
    if entry is None:
        print(f"mailconf: unknown command {args[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(entry[0])
    try:
        result: int = module.run(args[1:])
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return result
