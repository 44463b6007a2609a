"""``mailconf lint``: check configuration sets against the policy.

Exit status: 0 nothing at or above ``--fail-on`` (default: warning), 1 findings at or above it,
2 usage error, or a file that could not be read or parsed (also reported as SYN001).
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import TextIO

EPILOG = """\
exit status: 0 clean (nothing at or above --fail-on), 1 findings, 2 usage error or a file that
could not be read or parsed (reported as SYN001; --exit-zero does not hide it).
Configuration: [tool.mailconf] in pyproject.toml or .mailconf.toml, found upwards from the first PATH.
"""


def _formatter(*, prog: str) -> argparse.HelpFormatter:
    """argparse's formatter with the width computed here: argparse would import shutil for it
    (several milliseconds of every commit hook's run)."""
    import argparse
    import os

    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 80
        except (AttributeError, ValueError, OSError):
            columns = 80
    return argparse.RawDescriptionHelpFormatter(prog, width=max(columns - 2, 20))


def _parser() -> argparse.ArgumentParser:
    import argparse

    p = argparse.ArgumentParser(
        prog="mailconf lint",
        description="Check Postfix, Dovecot and Mailman configuration sets against a security policy.",
        epilog=EPILOG,
        formatter_class=_formatter,
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="Postfix/Dovecot/Mailman directories, single files, or directories holding them at any depth "
        "(default: /etc/postfix, /etc/dovecot, /etc/mailman3, /etc/mailman)",
    )
    p.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text", help="output format")
    p.add_argument("--select", action="append", metavar="IDS", help="only these rule IDs or prefixes (comma list)")
    p.add_argument("--ignore", action="append", metavar="IDS", help="skip these rule IDs or prefixes (comma list)")
    p.add_argument("--profile", metavar="NAME", help="office (default), strict, or a profile from the config")
    p.add_argument(
        "--fail-on", choices=("error", "warning", "info"), help="lowest severity that fails (default warning)"
    )
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (not on unreadable files)")
    p.add_argument("--postfix-version", metavar="X.Y", help="target Postfix version (default: detected)")
    p.add_argument("--dovecot-version", metavar="X.Y", help="target Dovecot version (default: detected)")
    p.add_argument("--root", metavar="DIR", help="treat DIR as / for certificate and key files (CERT rules)")
    p.add_argument("--config", metavar="FILE", help="use this .mailconf.toml / pyproject.toml")
    p.add_argument("--no-config", action="store_true", help="ignore configuration files")
    p.add_argument("--explain", metavar="ID", help="print the documentation of a rule and exit")
    p.add_argument("--list-rules", action="store_true", help="list the rules (with the selected profile's levels)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    return p


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [s.strip() for v in values for s in v.split(",") if s.strip()]


def _usage(message: str) -> int:
    print(f"mailconf lint: error: {message}", file=sys.stderr)
    return 2


# The usual command lines of a hook, read without argparse (its import, its parser and gettext's
# look-ups cost several milliseconds of every run). Anything else (help, errors, abbreviations,
# "--", values starting with "-") goes to argparse, which is the reference: for every command
# line that quick_args accepts, argparse gives the same values (tests/policy/test_cli_args.py).
_FLAGS = {"--exit-zero": "exit_zero", "--no-config": "no_config", "--list-rules": "list_rules"}
_VALUED = {
    "--format": "format",
    "--select": "select",
    "--ignore": "ignore",
    "--profile": "profile",
    "--fail-on": "fail_on",
    "--postfix-version": "postfix_version",
    "--dovecot-version": "dovecot_version",
    "--root": "root",
    "--config": "config",
    "--explain": "explain",
    "--output": "output",
    "-o": "output",
}
_CHOICES = {"format": ("text", "json", "sarif", "github"), "fail_on": ("error", "warning", "info")}


def quick_args(argv: list[str]) -> SimpleNamespace | None:
    """The parsed command line when it is a plain one, else None (then argparse reads it)."""
    values: dict[str, object] = {dest: None for dest in _VALUED.values()}
    values.update({dest: False for dest in _FLAGS.values()})
    values["format"] = "text"
    paths: list[str] = []
    state = 0  # 0: no path yet, 1: reading paths, 2: paths done (argparse takes one run of them)
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-"):
            if state == 2:
                return None
            state = 1
            paths.append(arg)
            i += 1
            continue
        if state == 1:
            state = 2
        flag = _FLAGS.get(arg)
        if flag is not None:
            values[flag] = True
            i += 1
            continue
        name, eq, value = arg.partition("=")
        dest = _VALUED.get(name)
        if dest is None or (eq and not name.startswith("--")):
            return None
        if not eq:
            if i + 1 >= len(argv):
                return None
            value = argv[i + 1]
            i += 1
        i += 1
        if not value or value.startswith("-") or value not in _CHOICES.get(dest, (value,)):
            return None
        if dest in ("select", "ignore"):
            listed = values[dest]
            values[dest] = [*listed, value] if isinstance(listed, list) else [value]
        else:
            values[dest] = value
    return SimpleNamespace(paths=paths, **values)


def run(argv: list[str]) -> int:
    args: SimpleNamespace | argparse.Namespace | None = quick_args(argv)
    if args is None:
        parser = _parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exit_:
            return 0 if exit_.code in (0, None) else 2
    return _run(args)


def _run(args: SimpleNamespace | argparse.Namespace) -> int:
    from mailconf.policy.registry import load_rules, parse_version, unknown_selectors

    if args.explain:
        from mailconf.policy.docs import explain

        rules = load_rules()
        rule_id = args.explain.strip().upper()
        page = explain(rule_id)
        if page is None:
            if rule_id in rules:
                r = rules[rule_id]
                page = f"# {r.id}: {r.summary}\n\nDefault severity: {r.severity}.\n"
            else:
                return _usage(f"unknown rule {args.explain!r} (see --list-rules)")
        sys.stdout.write(page if page.endswith("\n") else page + "\n")
        return 0

    from mailconf import _paths
    from mailconf.policy.settings import Settings, SettingsError, discover_settings, load_settings

    paths = [_paths.norm(p) for p in args.paths]
    try:
        if args.no_config:
            settings = Settings()
        elif args.config:
            settings = load_settings(args.config)
        else:
            settings = discover_settings(paths)
        if args.profile:
            settings.get_profile(args.profile)
        pf_version = parse_version(args.postfix_version) if args.postfix_version else None
        dc_version = parse_version(args.dovecot_version) if args.dovecot_version else None
    except (SettingsError, ValueError) as error:
        return _usage(str(error))

    rules = load_rules()
    select = _split(args.select)
    ignore = _split(args.ignore) or []
    bad = unknown_selectors([*(select or []), *ignore], rules.values())
    if bad:
        return _usage(f"unknown rule selector(s): {', '.join(bad)} (see --list-rules)")

    if args.list_rules:
        return _list_rules(settings.get_profile(args.profile), args.format)

    from mailconf.policy.discovery import ConfigSet, DiscoveryError, discover
    from mailconf.policy.engine import LintResult, Options, lint_sets

    options = Options(
        select=select,
        ignore=ignore,
        profile=args.profile,
        postfix_version=pf_version,
        dovecot_version=dc_version,
        root=args.root or None,
    )
    extra = []
    existing = []
    for path in paths:
        if _paths.exists(path) or _paths.is_symlink(path):
            existing.append(path)
        else:
            from mailconf.policy._finding import Finding

            extra.append(Finding("SYN001", "error", "cannot read: No such file or directory", path))
    sets: list[ConfigSet] = []
    if existing or not paths:
        try:
            sets = discover(existing)
        except DiscoveryError as error:
            return _usage(str(error))
    unique: dict[object, ConfigSet] = {}
    for cs in sets:
        unique.setdefault(cs.key(), cs)
    try:
        result = lint_sets(list(unique.values()), settings, options)
    except ValueError as error:  # an unknown profile named in an override, etc.
        return _usage(str(error))
    if extra:
        result = LintResult(
            sorted(extra + result.findings, key=lambda f: f.sort_key()),
            [*result.files, *(f.path for f in extra)],
            result.sets,
            result.rules | {"SYN001": rules["SYN001"]} if "SYN001" in rules else result.rules,
            True,
            result.internal_errors,
        )
    fail_on = args.fail_on or settings.fail_on
    code = exit_code(result, fail_on, args.exit_zero)
    output = render(result, args.format, code)
    for message in result.internal_errors:
        print(f"mailconf lint: internal error: {message}", file=sys.stderr)
    return _emit(output, args.output, code)


def exit_code(result: object, fail_on: str, exit_zero: bool) -> int:
    from mailconf.policy._finding import severity_rank
    from mailconf.policy.engine import LintResult

    assert isinstance(result, LintResult)
    if result.failed or result.internal_errors:
        return 2
    if exit_zero:
        return 0
    threshold = severity_rank(fail_on)
    return 1 if any(severity_rank(f.severity) >= threshold for f in result.findings) else 0


def render(result: object, fmt: str, code: int, stream: TextIO | None = None) -> str:
    from mailconf.cli import _reporters
    from mailconf.policy.engine import LintResult

    assert isinstance(result, LintResult)
    if fmt == "json":
        return _reporters.as_json(result, exit_code=code)
    if fmt == "sarif":
        return _reporters.sarif(result)
    if fmt == "github":
        return _reporters.github(result)
    return _reporters.text(result, colour=_reporters.use_colour(stream or sys.stdout))


def _emit(output: str, target: str | None, code: int) -> int:
    if target:
        try:
            from mailconf import _paths

            with open(_paths.norm(target), "w", encoding="utf-8", errors="surrogateescape") as handle:
                handle.write(output)
        except OSError as error:
            return _usage(f"cannot write {target}: {error.strerror}")
    else:
        sys.stdout.write(output)
        sys.stdout.flush()
    return code


def _list_rules(profile: object, fmt: str) -> int:
    import json

    from mailconf.policy.profiles import OFF, Profile
    from mailconf.policy.registry import FAMILIES, format_version, load_rules

    assert isinstance(profile, Profile)
    rows = []
    for r in load_rules().values():
        level = profile.override_for(r.id) or r.severity
        versions = []
        for product, (low, high) in (("postfix", r.postfix), ("dovecot", r.dovecot)):
            if low is not None:
                versions.append(f"{product}>={format_version(low)}")
            if high is not None:
                versions.append(f"{product}<{format_version(high)}")
        rows.append(
            {
                "id": r.id,
                "family": r.family,
                "severity": r.severity,
                "level": level,
                "summary": r.summary,
                "needs": sorted(r.needs),
                "versions": versions,
            }
        )
    if fmt == "json":
        sys.stdout.write(json.dumps({"profile": profile.name, "rules": rows}, indent=2) + "\n")
        return 0
    family = ""
    for row in rows:
        if row["family"] != family:
            family = str(row["family"])
            print(f"{family}: {FAMILIES.get(family, '')}")
        level = str(row["level"])
        shown = "off" if level == OFF else level
        print(f"  {row['id']:<9} {shown:<8} {row['summary']}")
    print(f"\nprofile {profile.name}: {profile.description}")
    return 0
