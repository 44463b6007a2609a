"""The ``mailconf`` command line: ``python -m mailconf COMMAND ...``.

Each subcommand lives in its own module ``mailconf.cli._<name>`` exposing
``run(argv: list[str]) -> int``; it is imported only when used, so start-up stays fast.
"""

from __future__ import annotations

import importlib
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
    args = sys.argv[1:] if argv is None else argv
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
