"""``mailconf doveconf``: a stand-in for Dovecot's ``doveconf`` (2.x up to 2.3 syntax, and 2.4).

``python -m mailconf doveconf -c FILE [-n] [-N] [-a] [-P] [name ...]`` prints what doveconf prints
for the same file (without the header comment lines), or fails with doveconf's message
``doveconf: Fatal: Error in configuration file F line N: MSG`` and exit status 89. A file whose
first setting is ``dovecot_config_version`` (or ``--dovecot-version 2.4``) gets doveconf 2.4's
output (``-n``, ``-N``, ``-a`` and lookups).
"""

from __future__ import annotations

import sys
from typing import Any

# what doveconf prints when the managesieve-login run for the capability lines fails
HELPER_FAILED = "doveconf: Error: managesieve-login: dump-capability process returned 89"
# Pigeonhole's settings plugin: with it installed doveconf starts managesieve-login on every run
MANAGESIEVE_SETTINGS = "/usr/lib/dovecot/modules/settings/libmanagesieve_login_settings.so"
USAGE = "usage: mailconf doveconf [-c FILE] [-n | -N | -a] [-P] [-h] [--dovecot-version 2.3|2.4] [name ...]"
EX_CONFIG = 89


def run(argv: list[str]) -> int:
    path = "/etc/dovecot/dovecot.conf"
    mode: str | None = None  # doveconf 2.3 prints -a by default, 2.4 -n
    hide = True
    hide_key = False
    version: str | None = None
    names: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--help":
            print(USAGE)
            return 0
        if a in ("-c", "--version", "--dovecot-version"):
            if i + 1 >= len(args):
                print(USAGE, file=sys.stderr)
                return 64
            if a == "-c":
                path = args[i + 1]
            else:
                version = args[i + 1]
            i += 2
            continue
        if a.startswith("-") and len(a) > 1 and a != "-":
            for ch in a[1:]:
                if ch in "nNa":
                    mode = ch
                elif ch == "P":
                    hide = False
                elif ch == "h":
                    hide_key = True
                else:
                    print(f"doveconf: Fatal: Unknown option -{ch}\n{USAGE}", file=sys.stderr)
                    return 64
            i += 1
            continue
        names.append(a)
        i += 1

    from mailconf.dovecot.config import config_from_tree, detect_version, load_config, reading_error
    from mailconf.dovecot.tree import load
    from mailconf.errors import ParseError

    if version is not None and version.startswith("2.4"):
        return _run24(path, mode or "n", hide, names, hide_key)
    try:
        if version is None:
            # read once: the reader tells 2.4 from the main file's first setting; a 2.4 tree
            # whose first setting comes from an include is read again with the 2.4 rules
            tree = load(path)
            first = next((st for st in tree.walk() if st.kind == "setting"), None)
            if tree.version == "2.4" or (first is not None and first.key == "dovecot_config_version"):
                return _run24(path, mode or "n", hide, names, hide_key, tree if tree.version == "2.4" else None)
            mode = mode or "a"
            cfg = config_from_tree(tree)
        else:
            mode = mode or "a"
            cfg = load_config(path, version)
    except ParseError as error:
        if version is None and "2.4" in (_first_setting_version(path), detect_version(path)):
            # a 2.4 file the reader refused: doveconf 2.4's wording
            return _run24(path, mode or "n", hide, names, hide_key)
        exc = reading_error(error, version)
        # a block left open is found at the end of everything read: doveconf names the main file
        where = path if exc.message.startswith("Missing '}'") or not exc.path else f"{exc.path}"
        partial = getattr(exc, "partial", None)
        if partial is not None:  # refused by a check after reading, or a block left open
            return _checks_failed(partial, exc.message, where, mode or "a", hide, names, hide_key)
        warnings = getattr(exc, "warnings", None)
        warned = [f"doveconf: Warning: {w}" for w in warnings or []]
        native = getattr(exc, "doveconf", None)  # the reader's error carries doveconf's whole text
        if native:
            msg = f"doveconf: Fatal: {native}"
        elif exc.message.startswith("open(") and exc.line == 0:
            msg = f"doveconf: Fatal: {exc.message}"
        elif exc.line and not exc.message.startswith("Missing '}'"):
            at = getattr(exc, "end_line", None) or exc.line
            msg = f"doveconf: Fatal: Error in configuration file {where} line {at}: {exc.message}"
        else:
            msg = f"doveconf: Fatal: Error in configuration file {where}: {exc.message}"
        if _capability_helper() and not msg.startswith("doveconf: Fatal: open("):
            # the managesieve-login run reads the same files first and fails the same way, unless its
            # expanded values (<file read, $name replaced) fail earlier or differently, or pass
            helper_error = getattr(exc, "helper_error", None)
            if helper_error:
                print("\n".join([*warned, f"doveconf: Fatal: {helper_error}", HELPER_FAILED]), file=sys.stderr)
            elif getattr(exc, "helper_passes", False):
                if warned:
                    print("\n".join(warned), file=sys.stderr)
            else:
                print("\n".join([*warned, msg, HELPER_FAILED]), file=sys.stderr)
        print("\n".join([*warned, msg]), file=sys.stderr)
        return EX_CONFIG
    except (OSError, RecursionError, ValueError) as exc:
        print(f"doveconf: Fatal: {exc}", file=sys.stderr)
        return EX_CONFIG
    warned = [f"doveconf: Warning: {w}" for w in cfg.warnings]
    if _capability_helper():
        # doveconf runs Pigeonhole's managesieve-login for the capability lines; it reads the same
        # files first (its warnings come twice), and fails on what only it expands (<file in plugin {})
        helper = warned + ([f"doveconf: Fatal: {cfg.helper_error}", HELPER_FAILED] if cfg.helper_error else [])
        if helper:
            print("\n".join(helper), file=sys.stderr)
    for w in cfg.main_warnings():  # doveconf's own run has a few more (base_dir prefixes)
        print(f"doveconf: Warning: {w}", file=sys.stderr)
    for e in cfg.errors:
        print(f"doveconf: Error: {e}", file=sys.stderr)
    sys.stdout.write(cfg.dump(mode, hide_passwords=hide, names=names or None, hide_key=hide_key))
    return 0


def _checks_failed(cfg: Any, message: str, where: str, mode: str, hide: bool, names: list[str], hide_key: bool) -> int:
    """doveconf 2.3's output for a file refused by a check after reading (DovecotConfig.check): the
    managesieve-login run's lines (its Fatal when a check it makes fails), doveconf's own warnings, the
    settings (without capability lines when that run failed), an Error line for the first failure of
    each settings root of the global settings, then the first failure as the Fatal. A lookup prints
    the values and succeeds: no Fatal, and the Error lines only for each name answered with a section."""
    fatal = "doveconf: Fatal: Error in configuration file {}: {}"
    warned = [f"doveconf: Warning: {w}" for w in cfg.warnings]
    if _capability_helper():
        helper = warned + [f"doveconf: Warning: {w}" for w in cfg.helper_warnings]
        if cfg.helper_error:
            helper += [f"doveconf: Fatal: {cfg.helper_error}", HELPER_FAILED]
        elif cfg.helper_check_error:
            helper += [fatal.format(where, cfg.helper_check_error), HELPER_FAILED]
        if helper:
            print("\n".join(helper), file=sys.stderr)
    for w in cfg.main_warnings():
        print(f"doveconf: Warning: {w}", file=sys.stderr)
    sys.stdout.write(cfg.dump(mode, hide_passwords=hide, names=names or None, hide_key=hide_key))
    sys.stdout.flush()
    for _ in range(cfg.section_lookups(names, mode) if names else 1):
        for e in cfg.check_errors:
            print(f"doveconf: Error: {e}", file=sys.stderr)
    if names:
        return 0
    print(fatal.format(where, message), file=sys.stderr)
    return EX_CONFIG


def _run24(path: str, mode: str, hide: bool, names: list[str], hide_key: bool = False, tree: object = None) -> int:
    from mailconf.dovecot.config24 import config24_from_tree, load_config24
    from mailconf.errors import ParseError

    try:
        if tree is not None:  # doveconf checks the users against this machine's
            cfg = config24_from_tree(tree, path, check_users=True)
        else:
            cfg = load_config24(path, check_users=True)
    except ParseError as exc:
        for warning in getattr(exc, "warnings", []):  # doveconf warns while reading
            print(f"doveconf: Warning: {warning}", file=sys.stderr)
        partial = getattr(exc, "partial", None)
        if partial is not None and names:
            # checks after reading, group uses and a missing '}' do not stop a lookup: doveconf
            # prints the checks' errors and answers
            for line in getattr(exc, "errors", []):
                print(f"doveconf: Error: {line}", file=sys.stderr)
            return _lookup24(partial, names, hide_key, hide)
        if partial is not None:  # doveconf prints the settings, then fails
            sys.stdout.write(partial.dump(mode, hide_passwords=hide))
            sys.stdout.flush()
            for line in getattr(exc, "errors", []):  # checks after reading: each failure as an error
                print(f"doveconf: Error: {line}", file=sys.stderr)
        print(f"doveconf: Fatal: {getattr(exc, 'doveconf', None) or exc.message}", file=sys.stderr)
        return EX_CONFIG
    except (OSError, RecursionError, ValueError) as exc:
        print(f"doveconf: Fatal: {exc}", file=sys.stderr)
        return EX_CONFIG
    for warning in cfg.warnings:
        print(f"doveconf: Warning: {warning}", file=sys.stderr)
    if names:
        return _lookup24(cfg, names, hide_key, hide)
    sys.stdout.write(cfg.dump(mode, hide_passwords=hide))
    return 0


def _lookup24(cfg: Any, names: list[str], hide_key: bool, hide: bool) -> int:
    from mailconf.errors import ParseError

    try:
        sys.stdout.write(cfg.lookup(names, hide_key=hide_key, hide_passwords=hide))
    except ParseError as exc:
        sys.stdout.write(getattr(exc, "printed", ""))  # doveconf prints the names before the failing one
        sys.stdout.flush()
        print(f"doveconf: Fatal: {exc.message}", file=sys.stderr)
        return EX_CONFIG
    return 0


def _first_setting_version(path: str) -> str | None:
    """ "2.4" when the main file's first line that is not blank or a comment sets
    dovecot_config_version, "2.3" for another setting, None otherwise (an include, unreadable)."""
    try:
        with open(path, "rb") as f:
            for raw in f:
                line = raw.strip()
                if not line or line.startswith(b"#"):
                    continue
                key = line.split(b"=", 1)[0].strip() if b"=" in line else b""
                if not key or key.startswith(b"!"):
                    return None
                return "2.4" if key == b"dovecot_config_version" else "2.3"
    except OSError:
        return None
    return None


def _capability_helper() -> bool:
    import os

    return os.path.exists(os.environ.get("MAILCONF_MANAGESIEVE_SETTINGS", MANAGESIEVE_SETTINGS))
