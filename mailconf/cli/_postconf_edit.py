"""``mailconf postconf -e/-X/-#``: postconf's editing flags, touching only the lines they must.

``run_edit(opts)`` is called by :mod:`mailconf.cli._postconf` when ``-e``, ``-X`` or ``-#`` is
given (``opts``: its ``Options`` with ``config_dir``, ``flags`` and ``args``); ``run(argv)``
parses a command line itself. Supported, with postconf's meaning and messages:

- ``-e name=value ...``, ``-X name ...``, ``-# name ...`` on main.cf;
- ``-M -e service/type='entry'``, ``-M -X service/type``, ``-M -# service/type``;
- ``-F -e service/type/field=value``;
- ``-P -e service/type/name=value``, ``-P -X service/type/name``.

postconf rewrites the entries it edits (and moves or refolds them); mailconf changes only the
value, field or option that the request names, and writes the file atomically (mode and owner
kept) after checking that the result parses. Errors are printed as ``postconf: fatal: ...``
with exit status 1; nothing is written then.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

BLANKS = " \t\n\v\f\r"
FIELDS = ("service", "type", "private", "unprivileged", "chroot", "wakeup", "process_limit", "command")
MASTER_EDIT_OPTS = "-Me, -Fe, -Pe, -X, or -#"

# postconf's option bits, in the order of its name table (the order of its messages).
_NAMES = "aAbCdefFhHlmMnopPtTxX#"
_MAJOR = set("aAblmtpMFPT")
_EXCLUSIVE = ("den#X", "fe#X", "xe#X", "ode#X", "he#XH")
_COMPATIBLE = {
    "p": set("eX#fhCxdnoH"),
    "M": set("eX#fox"),
    "F": set("efhoxH"),
    "P": set("eXfhoxH"),
}


class Fatal(Exception):
    """``postconf: fatal: MESSAGE``; exit status 1."""


class EditOptions(Protocol):
    config_dir: str | None
    flags: set[str]
    args: list[str]


class _Options:
    __slots__ = ("args", "config_dir", "flags")

    def __init__(self) -> None:
        self.config_dir: str | None = None
        self.flags: set[str] = set()
        self.args: list[str] = []


def _ordered(flags: set[str]) -> str:
    return " ".join(f"-{ch}" for ch in _NAMES if ch in flags)


def check_options(flags: set[str]) -> None:
    """postconf's checks of mutually exclusive and incompatible options (its messages)."""
    major = flags & _MAJOR
    if len(major) > 1:
        raise Fatal(f"specify one of {_ordered(major)}")
    for group in _EXCLUSIVE:
        both = flags & set(group)
        if len(both) > 1:
            raise Fatal(f"specify one of {_ordered(both)}")
    mode = next(iter(major), "p")
    allowed = _COMPATIBLE.get(mode)
    if allowed is not None:
        excess = flags - allowed - {mode, "c", "v", "q"}
        if excess:
            raise Fatal(f"with option -{mode}, do not specify {_ordered(excess)}")


def _split_nameval(text: str) -> tuple[str, str]:
    from mailconf.postfix.document import split_nameval

    result = split_nameval(text)
    if isinstance(result, str):
        raise Fatal(f'{result}: "{text}"')
    return result[0], result[1]


def _config_dir(opts: EditOptions) -> str:
    if opts.config_dir is not None:
        return opts.config_dir
    return os.environ.get("MAIL_CONFIG", "/etc/postfix")


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise Fatal(f"open {path} for reading: No such file or directory") from None
    except PermissionError:
        raise Fatal(f"open {path} for reading: Permission denied") from None
    except OSError as exc:
        raise Fatal(f"open {path} for reading: {exc.strerror}") from None


def _warn(message: str) -> None:
    sys.stderr.write(f"postconf: warning: {message}\n")


# -- main.cf ----------------------------------------------------------------------------------


def edit_main(directory: str, action: str, args: Sequence[str]) -> None:
    """``postconf -e``/``-X``/``-#`` on DIRECTORY/main.cf."""
    from mailconf.errors import EditError, ParseError
    from mailconf.postfix.document import parse_main

    requests: dict[str, str | None] = {}
    for raw in args:
        if "\n" in raw:
            raise Fatal("-e, -X, or -# accepts no multi-line input")
        text = raw.lstrip(BLANKS)
        if text.startswith("#"):
            raise Fatal("-e, -X, or -# accepts no comment input")
        value: str | None
        if action == "e":
            name, value = _split_nameval(text)
        else:
            if not text:
                raise Fatal("-X or -# requires non-blank parameter names")
            if "=" in text:
                raise Fatal("-X or -# requires parameter names without value")
            name, value = text.rstrip(BLANKS), None
        if name in requests:
            earlier = requests.pop(name)
            _warn(f"ignoring earlier request: '{name} = {earlier if earlier is not None else '(null)'}'")
        requests[name] = value
    path = f"{directory}/main.cf"
    data = _read(path)
    try:
        doc = parse_main(data, path=path)
        for name, new in requests.items():
            if action == "e":
                assert new is not None
                doc.set(name, new)
            elif action == "X":
                doc.remove(name)
            else:
                doc.comment_out(name)
        if doc.to_bytes() != data:
            doc.write()
    except ParseError as exc:
        raise Fatal(f"{path}, line {exc.line}: {exc.message}") from None
    except (EditError, OSError) as exc:
        raise Fatal(str(exc)) from None


# -- master.cf --------------------------------------------------------------------------------


class _Request:
    __slots__ = ("matched", "pattern", "raw", "value")

    def __init__(self, raw: str, pattern: list[str], value: str | None) -> None:
        self.raw = raw
        self.pattern = pattern
        self.value = value
        self.matched = 0


def _pattern(text: str, parts: int, message: str) -> list[str]:
    fields = text.split("/")
    if len(fields) != parts or any(not f for f in fields):
        raise Fatal(message)
    return fields


def _matches(pattern: Sequence[str], name: str, type_: str) -> bool:
    return pattern[0] in ("*", name) and pattern[1] in ("*", type_)


def _field_problem(index: int, value: str) -> str | None:
    """postconf's check of one edited master.cf field (its message names the new value)."""
    name = FIELDS[index]
    bad = False
    if index == 1:
        bad = value not in ("inet", "unix", "unix-dgram", "fifo", "pass")
    elif index in (2, 3, 4):
        bad = value not in ("y", "n", "-")
    elif index == 5:
        digits = value[:-1] if value.endswith("?") else value
        bad = value != "-" and not (digits == "" or (digits.isascii() and digits.isdigit()))
    elif index == 6:
        bad = value != "-" and not (value == "" or (value.isascii() and value.isdigit()))
    return f'invalid {name} field "{value}" in "{value}"' if bad else None


def edit_master(directory: str, mode: str, action: str, args: Sequence[str]) -> None:
    """``postconf -M``/``-F``/``-P`` with ``-e``/``-X``/``-#`` on DIRECTORY/master.cf."""
    from mailconf.errors import EditError, ParseError
    from mailconf.postfix.document import parse_master

    requests: list[_Request] = []
    for raw in args:
        if "\n" in raw:
            raise Fatal(f"{MASTER_EDIT_OPTS} accept no multi-line input")
        text = raw.lstrip(BLANKS)
        if text.startswith("#"):
            raise Fatal(f"{MASTER_EDIT_OPTS} accept no comment input")
        value: str | None = None
        if action == "e":
            try:
                pattern_text, value = _split_nameval(text)
            except Fatal:
                raise Fatal(f'{_split_error(text)}: "{raw}"') from None
        else:
            if "=" in text:
                raise Fatal("-X or -# requires names without value")
            pattern_text = text.rstrip(BLANKS)
        if mode == "M":
            pattern = _pattern(pattern_text, 2, "-Me, -MX or -M# requires service_name/type")
        elif mode == "F":
            pattern = _pattern(pattern_text, 3, "-Fe or -FX requires service_name/type/field_name")
            if pattern[2] == "*":
                raise Fatal("-Fe does not accept wild-card field name")
            if pattern[2] not in FIELDS:
                raise Fatal(f'invalid service attribute name: "{pattern[2]}"')
            if value is not None and FIELDS.index(pattern[2]) < 7 and any(ch in BLANKS for ch in value):
                raise Fatal("-Fe does not accept whitespace in non-command field")
        else:
            pattern = _pattern(pattern_text, 3, "-Pe or -PX requires service_name/type/parameter")
            if pattern[2] == "*":
                raise Fatal("-Pe does not accept wild-card parameter name")
            if value is not None and any(ch in BLANKS for ch in value):
                raise Fatal("-Pe does not accept whitespace in parameter value")
        requests.append(_Request(raw, pattern, value))
    path = f"{directory}/master.cf"
    data = _read(path)
    try:
        doc = parse_master(data, path=path)
    except ParseError as exc:
        raise Fatal(f"file {path}: line {exc.line}: {exc.message}") from None
    try:
        for req in requests:
            keys = list(dict.fromkeys(s.key for s in doc.services if _matches(req.pattern, *s.key)))
            req.matched = len(keys)
            if mode == "M":
                _edit_entry(doc, req, action, keys)
                continue
            if not keys:
                _warn(f'unmatched service_name/type: "{req.raw}"')
                continue
            for name, type_ in keys:
                if mode == "F":
                    assert req.value is not None
                    index = FIELDS.index(req.pattern[2])
                    problem = _field_problem(index, req.value)
                    if problem is not None:
                        raise Fatal(problem)
                    doc.set_field(name, type_, req.pattern[2], req.value)
                elif action == "e":
                    assert req.value is not None
                    doc.set_override(name, type_, req.pattern[2], req.value)
                else:
                    doc.remove_override(name, type_, req.pattern[2])
        if doc.to_bytes() != data:
            doc.write()
    except (EditError, OSError) as exc:
        raise Fatal(str(exc)) from None


def _split_error(text: str) -> str:
    from mailconf.postfix.document import split_nameval

    result = split_nameval(text)
    return result if isinstance(result, str) else ""


def _edit_entry(doc: object, req: _Request, action: str, keys: list[tuple[str, str]]) -> None:
    from mailconf.errors import EditError
    from mailconf.postfix.document import MasterDocument, parse_master

    assert isinstance(doc, MasterDocument)
    if action == "X":
        for name, type_ in keys:
            doc.remove_service(name, type_)
        return
    if action == "#":
        for name, type_ in keys:
            doc.comment_out_service(name, type_)
        return
    assert req.value is not None
    from mailconf.errors import ParseError

    try:
        parsed = parse_master(req.value.strip(BLANKS) + "\n").services
    except ParseError as exc:
        if exc.message == "bad field count":
            raise Fatal(f'bad field count: "{req.raw}"') from None
        raise Fatal(exc.message) from None
    if len(parsed) != 1:
        raise Fatal(f'bad field count: "{req.raw}"')
    try:
        doc.set_service(req.value, match=lambda s: _matches(req.pattern, s.name, s.type))
    except EditError as exc:
        raise Fatal(str(exc)) from None


# -- entry points -----------------------------------------------------------------------------


def run_edit(opts: EditOptions) -> int:
    """Apply the edit requested by ``opts`` (flags include e, X or #); 0 on success, 1 on fatal."""
    try:
        flags = set(opts.flags)
        check_options(flags)
        action = "e" if "e" in flags else "X" if "X" in flags else "#"
        if "e" in flags and not opts.args:
            raise Fatal("-e requires name=value argument")
        if not opts.args:
            raise Fatal("missing service argument")
        mode = next((m for m in "MFP" if m in flags), None)
        directory = _config_dir(opts)
        if mode is None:
            edit_main(directory, action, opts.args)
        else:
            edit_master(directory, mode, action, opts.args)
    except Fatal as exc:
        sys.stderr.write(f"postconf: fatal: {exc}\n")
        return 1
    return 0


def run(argv: list[str]) -> int:
    """Parse a postconf edit command line (``-c DIR`` and flags, then arguments) and run it."""
    opts = _Options()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            opts.args.extend(argv[i + 1 :])
            break
        if arg.startswith("-") and len(arg) > 1:
            j = 1
            while j < len(arg):
                ch = arg[j]
                if ch == "c":
                    value = arg[j + 1 :]
                    if not value:
                        if i + 1 >= len(argv):
                            sys.stderr.write("postconf: option requires an argument -- 'c'\n")
                            return 1
                        i += 1
                        value = argv[i]
                    opts.config_dir = value
                    break
                opts.flags.add(ch)
                j += 1
        else:
            opts.args.append(arg)
        i += 1
    if opts.args and "=" in opts.args[0] and not opts.flags & set("aAbltmT"):
        opts.flags.add("e")  # postconf: a name=value argument means -e
    return run_edit(opts)
