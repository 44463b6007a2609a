"""Lint configuration: ``[tool.mailconf]`` in pyproject.toml, or a ``.mailconf.toml``.

The file is looked for upwards from the linted paths (the first path given; the current
directory when none). In one directory ``.mailconf.toml`` wins over ``pyproject.toml``, and a
pyproject.toml without a ``[tool.mailconf]`` table is passed over. Keys (``-`` or ``_``)::

    profile = "office"                 # or "strict", or one of [profiles.*]
    select = ["TLS", "AUTH"]           # IDs or prefixes; default: all rules of the profile
    ignore = ["AUTH202"]
    fail-on = "warning"                # error | warning | info
    postfix-version = "3.7"
    dovecot-version = "2.3"
    root = "snapshot"                  # treat this dir as / for CERT checks (relative to the file)

    [profiles.ours]                    # custom profiles (see mailconf.policy.profiles)
    extends = "office"
    severity = { TLS205 = "off" }

    [[overrides]]                      # per-path: sets whose files match one of the globs
    paths = ["hosts/centos6-*/**"]
    postfix-version = "2.6"
    dovecot-version = "2.0"
    ignore = ["LEG101"]
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from mailconf import _paths
from mailconf._record import MutableRecord
from mailconf.policy._finding import parse_severity
from mailconf.policy.profiles import BUILTIN, Profile, ProfileError, resolve_profiles
from mailconf.policy.registry import Version, parse_version

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path
    from typing import Any

    from mailconf._paths import PathArg
    from mailconf.policy._finding import Severity

CONFIG_NAMES = (".mailconf.toml", "pyproject.toml")
_TOP_KEYS = {
    "profile",
    "select",
    "ignore",
    "extend_ignore",
    "fail_on",
    "postfix_version",
    "dovecot_version",
    "root",
    "profiles",
    "overrides",
}
_OVERRIDE_KEYS = {"paths", "profile", "select", "ignore", "postfix_version", "dovecot_version", "root"}


class SettingsError(ValueError):
    """A configuration file that cannot be used (reported as a usage error, exit 2)."""


class Override(MutableRecord):
    """Settings for the sets whose files match ``paths`` (globs relative to ``base``).

    ``base`` and ``root`` are :class:`pathlib.Path` objects made on request; ``base_name`` and
    ``root_name`` are the same as strings (normalised as ``str(Path(...))``)."""

    __slots__ = ("base_name", "dovecot_version", "ignore", "paths", "postfix_version", "profile", "root_name", "select")
    _compare = __slots__
    _fields_shown = ("base", "dovecot_version", "ignore", "paths", "postfix_version", "profile", "root", "select")

    def __init__(
        self,
        paths: list[str],
        base: PathArg,
        profile: str | None = None,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        postfix_version: Version | None = None,
        dovecot_version: Version | None = None,
        root: PathArg | None = None,
    ) -> None:
        self.paths = paths
        self.base_name = _paths.norm(base)
        self.profile = profile
        self.select = select
        self.ignore = ignore
        self.postfix_version = postfix_version
        self.dovecot_version = dovecot_version
        self.root_name = None if root is None else _paths.norm(root)

    def _fields(self) -> tuple[str, ...]:
        return self._fields_shown

    @property
    def base(self) -> Path:
        return _paths.to_path(self.base_name)

    @base.setter
    def base(self, value: PathArg) -> None:
        self.base_name = _paths.norm(value)

    root = _paths.OptionalPath("root_name")

    def matches(self, files: Sequence[PathArg]) -> bool:
        from mailconf import _glob as fnmatch  # fnmatch.fnmatch without re

        for given in files:
            file = _paths.norm(given)
            try:
                rel = _paths.relative_to(_paths.resolve(file), _paths.resolve(self.base_name))
            except ValueError:
                rel = file
            for pattern in self.paths:
                pattern = pattern.rstrip("/")
                if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern + "/*"):
                    return True
                if rel == pattern or rel.startswith(pattern + "/"):
                    return True
        return False


class Settings(MutableRecord):
    """What a configuration file says (the defaults without one).

    ``root`` and ``source`` are :class:`pathlib.Path` objects made on request; ``root_name`` and
    ``source_name`` are the same as strings (normalised as ``str(Path(...))``)."""

    __slots__ = (
        "dovecot_version",
        "fail_on",
        "ignore",
        "overrides",
        "postfix_version",
        "profile",
        "profiles",
        "root_name",
        "select",
        "source_name",
    )
    _compare = __slots__
    _fields_shown = (
        "dovecot_version",
        "fail_on",
        "ignore",
        "overrides",
        "postfix_version",
        "profile",
        "profiles",
        "root",
        "select",
        "source",
    )

    def __init__(
        self,
        profile: str = "office",
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        fail_on: Severity = "warning",
        postfix_version: Version | None = None,
        dovecot_version: Version | None = None,
        root: PathArg | None = None,
        profiles: dict[str, Profile] | None = None,
        overrides: list[Override] | None = None,
        source: PathArg | None = None,
    ) -> None:
        self.profile = profile
        self.select = select
        self.ignore: list[str] = [] if ignore is None else ignore
        self.fail_on: Severity = fail_on
        self.postfix_version = postfix_version
        self.dovecot_version = dovecot_version
        self.root_name = None if root is None else _paths.norm(root)
        self.profiles: dict[str, Profile] = dict(BUILTIN) if profiles is None else profiles
        self.overrides: list[Override] = [] if overrides is None else overrides
        self.source_name = None if source is None else _paths.norm(source)

    def _fields(self) -> tuple[str, ...]:
        return self._fields_shown

    root = _paths.OptionalPath("root_name")

    source = _paths.OptionalPath("source_name")

    def get_profile(self, name: str | None = None) -> Profile:
        key = name or self.profile
        if key not in self.profiles:
            raise SettingsError(f"unknown profile {key!r} (known: {', '.join(self.profiles)})")
        return self.profiles[key]


def find_config(start: PathArg) -> Path | None:
    """The nearest .mailconf.toml, or pyproject.toml with [tool.mailconf], at or above ``start``."""
    found = find_config_name(start)
    return None if found is None else _paths.to_path(found)


def find_config_name(start: PathArg) -> str | None:
    """:func:`find_config` as a string."""
    try:
        here = _paths.resolve(start)
    except OSError:
        return None
    if not _paths.is_dir(here):
        here = _paths.parent(here)
    while True:
        candidate = _paths.join(here, ".mailconf.toml")
        if _paths.is_file(candidate):
            return candidate
        candidate = _paths.join(here, "pyproject.toml")
        if _paths.is_file(candidate):
            try:
                with open(candidate, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                text = ""
            if "[tool.mailconf" in text:
                return candidate
        up = _paths.parent(here)
        if up == here:
            return None
        here = up


def _norm(table: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k).replace("-", "_"): v for k, v in table.items()}


def _str_list(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        return [s.strip() for s in value.split(",") if s.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value]
    raise SettingsError(f"{where}: '{key}' must be a list of rule IDs or prefixes")


def _version(value: Any, key: str, where: str) -> Version:
    try:
        return parse_version(str(value))
    except ValueError as error:
        raise SettingsError(f"{where}: '{key}': {error}") from None


def load_settings(given: PathArg) -> Settings:
    """Read one configuration file (raises SettingsError with the file name on any problem)."""
    import tomllib

    path = _paths.norm(given)
    try:
        with open(path, encoding="utf-8") as handle:
            data = tomllib.loads(handle.read())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"{path}: cannot read configuration: {error}") from None
    if _paths.name(path) == "pyproject.toml":
        table = data.get("tool", {}).get("mailconf", {})
    else:
        table = data.get("tool", {}).get("mailconf", data) if "tool" in data else data
    if not isinstance(table, Mapping):
        raise SettingsError(f"{path}: [tool.mailconf] must be a table")
    table = _norm(table)
    unknown = set(table) - _TOP_KEYS
    if unknown:
        raise SettingsError(f"{path}: unknown keys: {', '.join(sorted(unknown))}")
    settings = Settings(source=path)
    base = _paths.parent(path)
    try:
        settings.profiles = resolve_profiles(table.get("profiles", {}))
    except ProfileError as error:
        raise SettingsError(f"{path}: {error}") from None
    if "profile" in table:
        settings.profile = str(table["profile"])
        settings.get_profile()
    if "select" in table:
        settings.select = _str_list(table["select"], "select", path)
    if "ignore" in table:
        settings.ignore = _str_list(table["ignore"], "ignore", path)
    if "extend_ignore" in table:
        settings.ignore += _str_list(table["extend_ignore"], "extend-ignore", path)
    if "fail_on" in table:
        try:
            settings.fail_on = parse_severity(str(table["fail_on"]))
        except ValueError as error:
            raise SettingsError(f"{path}: fail-on: {error}") from None
    if "postfix_version" in table:
        settings.postfix_version = _version(table["postfix_version"], "postfix-version", path)
    if "dovecot_version" in table:
        settings.dovecot_version = _version(table["dovecot_version"], "dovecot-version", path)
    if "root" in table:
        settings.root_name = _paths.join(base, str(table["root"]))
    overrides = table.get("overrides", [])
    if not isinstance(overrides, list):
        raise SettingsError(f"{path}: 'overrides' must be an array of tables ([[tool.mailconf.overrides]])")
    for raw in overrides:
        if not isinstance(raw, Mapping):
            raise SettingsError(f"{path}: each override must be a table")
        entry = _norm(raw)
        bad = set(entry) - _OVERRIDE_KEYS
        if bad:
            raise SettingsError(f"{path}: override: unknown keys: {', '.join(sorted(bad))}")
        if "paths" not in entry:
            raise SettingsError(f"{path}: override without 'paths'")
        override = Override(paths=_str_list(entry["paths"], "paths", path), base=base)
        if "profile" in entry:
            override.profile = str(entry["profile"])
            settings.get_profile(override.profile)
        if "select" in entry:
            override.select = _str_list(entry["select"], "select", path)
        if "ignore" in entry:
            override.ignore = _str_list(entry["ignore"], "ignore", path)
        if "postfix_version" in entry:
            override.postfix_version = _version(entry["postfix_version"], "postfix-version", path)
        if "dovecot_version" in entry:
            override.dovecot_version = _version(entry["dovecot_version"], "dovecot-version", path)
        if "root" in entry:
            override.root_name = _paths.join(base, str(entry["root"]))
        settings.overrides.append(override)
    return settings


def discover_settings(paths: Sequence[PathArg]) -> Settings:
    """Settings from the configuration file found upwards from the first path (or the cwd)."""
    found = find_config_name(paths[0] if paths else os.getcwd())
    return load_settings(found) if found is not None else Settings()
