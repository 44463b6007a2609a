"""The lint engine: load each configuration set, run the selected rules, apply suppressions.

``lint(paths, options) -> LintResult`` is the library entry point; the CLI (``mailconf lint``) is
a thin layer over it. Files that cannot be read or parsed are SYN001 findings and make
``LintResult.failed`` true: a set with such a file is never reported clean.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from mailconf import _paths
from mailconf._lazyre import MULTILINE, Lazy
from mailconf._record import MutableRecord
from mailconf.policy._finding import Finding, parse_severity
from mailconf.policy.discovery import ConfigSet, discover, is_live
from mailconf.policy.profiles import OFF, Profile
from mailconf.policy.registry import Rule, Version, load_rules, select_rules
from mailconf.policy.settings import Settings
from mailconf.policy.suppress import Suppression, scan

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from mailconf._paths import PathArg
    from mailconf.policy._finding import Severity


class Options(MutableRecord):
    """What the command line (or a library caller) asks for; None means "from the settings"."""

    __slots__ = ("dovecot_version", "ignore", "postfix_version", "profile", "root", "select", "strict_errors")

    def __init__(
        self,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        profile: str | None = None,
        postfix_version: Version | None = None,
        dovecot_version: Version | None = None,
        root: PathArg | None = None,  # kept as given (a str or a Path)
        strict_errors: bool = False,  # re-raise exceptions from rules (tests)
    ) -> None:
        self.select = select
        self.ignore: list[str] = [] if ignore is None else ignore
        self.profile = profile
        self.postfix_version = postfix_version
        self.dovecot_version = dovecot_version
        self.root = root
        self.strict_errors = strict_errors


class SetReport(MutableRecord):
    __slots__ = ("dovecot_version", "files", "name", "postfix_version", "profile")

    def __init__(
        self,
        name: str,
        postfix_version: Version | None,
        dovecot_version: Version | None,
        profile: str,
        files: list[str],
    ) -> None:
        self.name = name
        self.postfix_version = postfix_version
        self.dovecot_version = dovecot_version
        self.profile = profile
        self.files = files


class LintResult(MutableRecord):
    __slots__ = ("failed", "files", "findings", "internal_errors", "rules", "sets")

    def __init__(
        self,
        findings: list[Finding],
        files: list[str],
        sets: list[SetReport],
        rules: dict[str, Rule],  # the rules that ran, for reporters (SARIF tool.driver.rules)
        failed: bool,  # some file could not be read or parsed
        internal_errors: list[str] | None = None,
    ) -> None:
        self.findings = findings
        self.files = files
        self.sets = sets
        self.rules = rules
        self.failed = failed
        self.internal_errors: list[str] = [] if internal_errors is None else internal_errors

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] += 1
        return out


class Context:
    """What a rule sees: one configuration set, loaded, with its versions and profile.

    ``root`` (a :class:`pathlib.Path`, made on request) is the directory that stands for ``/``;
    ``root_name`` is the same as a string, which the built-in rules use."""

    def __init__(
        self,
        cs: ConfigSet,
        profile: Profile,
        postfix_version: Version | None,
        dovecot_version: Version | None,
        root: PathArg | None,
    ) -> None:
        self.cs = cs
        self.profile = profile
        self.postfix_version = postfix_version
        self.dovecot_version = dovecot_version
        self.root_name = None if root is None else _paths.norm(root)
        self.postfix: Any = None  # mailconf.postfix PostfixConfig, when loaded
        self.dovecot: Any = None  # mailconf.dovecot config tree, when loaded
        self.mailman: list[Any] = []  # mailconf.mailman documents
        self.files: list[str] = []
        self.findings: list[Finding] = []
        self.rule: Rule | None = None
        self._cache: dict[str, Any] = {}
        self.texts: dict[str, str] = {}  # file texts read once per set (latin-1)

    root = _paths.OptionalPath("root_name")

    def text(self, path: PathArg) -> str | None:
        """The text of a file of this set (latin-1), read once; None when it cannot be read."""
        key = path if isinstance(path, str) else str(path)
        if key not in self.texts:
            try:
                self.texts[key] = _paths.read_bytes(key).decode("latin-1")
            except OSError:
                return None
        return self.texts[key]

    # -- versions -------------------------------------------------------------------------
    def postfix_at_least(self, version: Version, *, unknown: bool = True) -> bool:
        """Target Postfix >= version (``unknown`` when the version is not known)."""
        return unknown if self.postfix_version is None else self.postfix_version >= version

    def dovecot_at_least(self, version: Version, *, unknown: bool = True) -> bool:
        return unknown if self.dovecot_version is None else self.dovecot_version >= version

    def option(self, name: str) -> Any:
        return self.profile.option(name)

    def cached(self, key: str, factory: Any) -> Any:
        """A value computed once per set and shared between rules."""
        if key not in self._cache:
            self._cache[key] = factory()
        return self._cache[key]

    # -- reporting ------------------------------------------------------------------------
    def report(
        self,
        message: str,
        *,
        path: PathArg | None,
        line: int = 1,
        column: int = 1,
        end_line: int | None = None,
        end_column: int | None = None,
        fix: str | None = None,
        severity: str | None = None,
        rule: str | None = None,
    ) -> None:
        """Record a finding of the running rule (``severity`` overrides the rule's default)."""
        assert self.rule is not None or rule is not None
        rule_id = rule or (self.rule.id if self.rule else "")
        sev: Severity = parse_severity(severity) if severity else (self.rule.severity if self.rule else "error")
        self.findings.append(
            Finding(
                rule_id,
                sev,
                message,
                str(path) if path is not None else self.cs.name,
                line,
                column,
                end_line,
                end_column,
                fix,
            )
        )


# -- loading ----------------------------------------------------------------------------------


def _error_finding(error: BaseException, fallback: str) -> Finding:
    from mailconf.errors import ParseError

    if (
        isinstance(error, ParseError)
        and error.message.startswith("Unknown setting: ")
        and "{" not in error.message
        and error.path
    ):
        name = error.message.split(": ", 1)[1].split()[-1]
        hint = _dovecot_guess(name)
        return Finding(
            "SYN004",
            "error",
            f"unknown setting {name}: Dovecot refuses to start ({error.message})"
            + (f"; did you mean {hint}?" if hint else "; remove it or check the spelling and the target version"),
            error.path,
            max(error.line, 1),
            max(error.column, 1),
            fix=hint,
        )
    if isinstance(error, ParseError):
        message = error.message
        if message == "No matches":
            message = "!include matches no file (doveconf: No matches); write !include_try for optional files"
        return Finding(
            "SYN001",
            "error",
            message,
            error.path or str(fallback),
            max(error.line, 1),
            max(error.column, 1),
            fix="correct the file so that the daemon can read it",
        )
    if isinstance(error, OSError):
        where = error.filename if getattr(error, "filename", None) else fallback
        return Finding(
            "SYN001", "error", f"cannot read: {error.strerror or error}", str(where), fix="make the file readable"
        )
    if isinstance(error, RecursionError):
        return Finding("SYN001", "error", "nesting too deep to read", str(fallback), fix="flatten the file")
    if isinstance(error, MemoryError):
        return Finding("SYN001", "error", "file too large to read", str(fallback))
    return Finding("SYN001", "error", f"cannot read ({type(error).__name__}: {error})", str(fallback))


def _dovecot_guess(name: str) -> str | None:
    import difflib

    try:
        from mailconf.dovecot.catalogue import Catalogue

        names = sorted(Catalogue.for_version(None).settings)
    except Exception:
        return None
    found = difflib.get_close_matches(name, names, n=1, cutoff=0.8)
    return found[0] if found else None


def _unreadable(paths: list[str], failures: list[Finding]) -> bool:
    """SYN001 for files that are there but cannot be read (symlink loops, permissions, dirs)."""
    bad = False
    for path in paths:
        if not (_paths.exists(path) or _paths.is_symlink(path)):
            continue
        try:
            with open(path, "rb") as handle:
                handle.read(1)
        except OSError as error:
            failures.append(_error_finding(error, path))
            bad = True
    return bad


def _load(ctx: Context, failures: list[Finding]) -> None:
    cs = ctx.cs
    postfix_dir, dovecot_conf = cs.postfix_dir_name, cs.dovecot_conf_name
    postfix_files = [] if postfix_dir is None else [_paths.join(postfix_dir, n) for n in ("main.cf", "master.cf")]
    if postfix_dir is not None and _unreadable(postfix_files, failures):
        ctx.files += postfix_files
    elif postfix_dir is not None:
        try:
            postfix: Any = importlib.import_module("mailconf.postfix")
            ctx.postfix = postfix.load(postfix_dir)
            ctx.files += [f for f in postfix_files if _paths.exists(f)]
        except (Exception, RecursionError, MemoryError) as error:
            failures.append(_error_finding(error, postfix_files[0]))
            ctx.files += [f for f in postfix_files if _paths.exists(f)]
    if dovecot_conf is not None and _unreadable([dovecot_conf], failures):
        ctx.files.append(dovecot_conf)
    elif dovecot_conf is not None:
        try:
            config: Any = importlib.import_module("mailconf.dovecot.config")
            # Only 2.4 changes how the files are read. Apart from the live /etc (where the
            # installed Dovecot decides), the top file alone tells 2.4: the full detection then
            # runs on the texts the reader has read, instead of reading every file twice.
            decided, version = _dovecot_version_from_top(ctx)
            if not decided and is_live(cs):
                version = detect_dovecot_version(ctx)
            tree: Any = None
            if version is not None and version >= (2, 4):
                # read once; the 2.4 doveconf stand-in below judges the same tree
                tree = importlib.import_module("mailconf.dovecot.tree").load(dovecot_conf, version="2.4")
                ctx.dovecot = config.config_from_tree(tree, "2.4")
            else:
                ctx.dovecot = config.load_config(dovecot_conf)
            for name, text in getattr(ctx.dovecot, "texts", {}).items():
                if text:  # a directory reads as "" for doveconf, as None for ctx.text
                    ctx.texts.setdefault(name, text)
            ctx.files += dovecot_files(ctx.dovecot, dovecot_conf)
        except (Exception, RecursionError, MemoryError) as error:
            failures.append(_error_finding(error, dovecot_conf))
            from mailconf.policy.rules._dovecot import include_files

            ctx.files += include_files(dovecot_conf)
        else:
            if tree is not None:
                # the rules read 2.4 files leniently; what doveconf 2.4 refuses is a SYN001/SYN004
                # error all the same (mailconf.dovecot.config24 is the 2.4 doveconf stand-in)
                try:
                    importlib.import_module("mailconf.dovecot.config24").config24_from_tree(tree, dovecot_conf)
                except (Exception, RecursionError, MemoryError) as error:
                    if _judges_24(ctx, dovecot_conf):
                        failures.append(_error_finding(error, dovecot_conf))
    for path in cs.mailman_names:
        ctx.files.append(path)
        try:
            mailman: Any = importlib.import_module("mailconf.mailman")
            data = _paths.read_bytes(path)
            if _paths.name(path) == "mm_cfg.py":
                ctx.mailman.append(mailman.parse_mm_cfg(data, path=path))
            else:
                ctx.mailman.append(mailman.parse_mailman_cfg(data, path=path))
        except (Exception, RecursionError, MemoryError) as error:
            failures.append(_error_finding(error, path))


def _judges_24(ctx: Context, top: str) -> bool:
    """Can this machine say what doveconf 2.4 makes of the set? Not when the set includes files
    from outside its directory (Debian's /usr/share/dovecot/protocols.d) while the installed
    Dovecot is of another generation: those shared files are then not the ones the set's host has."""
    base = _paths.resolve(_paths.parent(top))
    if all(_paths.resolve(f).startswith(base) for f in ctx.files if f):
        return True
    installed = _installed_dovecot()
    return installed is not None and installed >= (2, 4)


def dovecot_files(config: Any, top: PathArg) -> list[str]:
    """Every file of a Dovecot configuration (top first): the layer's list, else its includes."""
    files = [str(f) for f in getattr(config, "files", None) or []]
    if files:
        return files
    from mailconf.policy.rules._dovecot import include_files

    return include_files(top)


# -- versions ---------------------------------------------------------------------------------

_DOC_VERSION = Lazy(r"postfix-(\d+\.\d+(?:\.\d+)?)")


def detect_postfix_version(ctx: Context) -> Version | None:
    """From the files: mail_version, the versioned doc directories of stock configs (CentOS 6's
    ``readme_directory = /usr/share/doc/postfix-2.6.6/...``); from postconf for the live /etc;
    else None (unknown: version-specific rules assume a current Postfix)."""
    pf = ctx.postfix
    if pf is None or getattr(pf, "main", None) is None:
        return _installed_postfix() if is_live(ctx.cs) else None
    values: dict[str, str] = pf.main.values()
    if "mail_version" in values:
        try:
            return _version_prefix(values["mail_version"])
        except ValueError:
            pass
    for name in ("readme_directory", "sample_directory", "html_directory", "manpage_directory"):
        value = values.get(name, "")
        match = _DOC_VERSION.search(value) if "postfix-" in value else None
        if match:
            return _version_prefix(match.group(1))
    if is_live(ctx.cs):
        installed = _installed_postfix()
        if installed is not None:
            return installed
    # compatibility_level only says "3.0 or later": not a target version, so it is not used here.
    return None


def _version_prefix(text: str) -> Version:
    match = _VERSION_NUMBER.match(text.strip())
    if not match:
        raise ValueError(text)
    return tuple(int(p) for p in match.group(0).split("."))


def _installed_postfix() -> Version | None:
    return _tool_version(["postconf", "-h", "mail_version"])


def _installed_dovecot() -> Version | None:
    return _tool_version(["dovecot", "--version"]) or _tool_version(["doveconf", "-h", "version"])


def _tool_version(argv: list[str]) -> Version | None:
    import shutil
    import subprocess

    exe = shutil.which(argv[0]) or (f"/usr/sbin/{argv[0]}" if _paths.exists(f"/usr/sbin/{argv[0]}") else None)
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, *argv[1:]], capture_output=True, text=True, timeout=10, check=False).stdout
        return _version_prefix(out)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


_DOVECOT_HEADER = Lazy(r"^#\s*(\d+\.\d+(?:\.\d+)*)[\s:(]", MULTILINE)
_VERSION_NUMBER = Lazy(r"\d+(?:\.\d+)*")
_CONFIG_VERSION = Lazy(r"^\s*dovecot_config_version\s*=\s*(\S+)", MULTILINE)
_SSL_PROTOCOLS = Lazy(r"^\s*ssl_protocols\s*=", MULTILINE)
_SSL_MIN_PROTOCOL = Lazy(r"^\s*ssl_min_protocol\s*=", MULTILINE)


def detect_dovecot_version(ctx: Context) -> Version | None:
    """2.4 from dovecot_config_version; a doveconf -n header; the installed tool for the live /etc;
    1.x/2.0-2.2 from settings that only those versions know; else None. Computed once per set."""
    if "dovecot-version" not in ctx._cache:
        ctx._cache["dovecot-version"] = _detect_dovecot_version(ctx)
    result: Version | None = ctx._cache["dovecot-version"]
    return result


def _dovecot_version_from_top(ctx: Context) -> tuple[bool, Version | None]:
    """(True, version) when the top file decides it (dovecot_config_version, a doveconf -n
    header, or an unreadable file: None), else (False, None)."""
    if ctx.cs.dovecot_conf_name is None:
        return True, None
    full = ctx.text(ctx.cs.dovecot_conf_name)
    if full is None:
        return True, None
    head = full[:65536]
    match = _CONFIG_VERSION.search(head) if "dovecot_config_version" in head else None
    if match:
        try:
            return True, _version_prefix(match.group(1))
        except ValueError:
            return True, (2, 4)
    match = _DOVECOT_HEADER.search(head)
    if match:
        return True, _version_prefix(match.group(1))
    return False, None


def _detect_dovecot_version(ctx: Context) -> Version | None:
    decided, version = _dovecot_version_from_top(ctx)
    if decided or ctx.cs.dovecot_conf_name is None:
        return version
    read = getattr(ctx.dovecot, "files", None)
    if read and all(name in ctx.texts for name in read):
        paths = read  # what the Dovecot reader read (its texts are in ctx.texts)
    else:
        from mailconf.policy.rules._dovecot import include_files

        paths = include_files(ctx.cs.dovecot_conf_name, ctx.texts)
    text = "\n".join(ctx.texts[name][:65536] for name in paths[:200] if name in ctx.texts)
    if "ssl_protocols" in text and _SSL_PROTOCOLS.search(text) and not _SSL_MIN_PROTOCOL.search(text):
        return (2, 2)  # ssl_protocols is the 2.1/2.2 setting that 2.3 replaced by ssl_min_protocol
    if is_live(ctx.cs):
        installed = _installed_dovecot()
        if installed is not None:
            return installed
    return None


# -- the run ----------------------------------------------------------------------------------


def _paths_of(cs: ConfigSet) -> list[str]:
    out = [cs.name]
    if cs.postfix_dir_name is not None:
        out.append(cs.postfix_dir_name)
    if cs.dovecot_conf_name is not None:
        out.append(cs.dovecot_conf_name)
    return out + cs.mailman_names


def lint_sets(sets: Iterable[ConfigSet], settings: Settings, options: Options | None = None) -> LintResult:
    """Lint already discovered sets."""
    opts = options or Options()
    registry = load_rules()
    all_findings: list[Finding] = []
    all_files: list[str] = []
    reports: list[SetReport] = []
    ran: dict[str, Rule] = {}
    failed = False
    internal: list[str] = []
    for cs in sets:
        # Settings, then per-path overrides, then the command line.
        profile_name = settings.profile
        select = settings.select
        ignore = list(settings.ignore)
        pf_version = settings.postfix_version
        dc_version = settings.dovecot_version
        root = settings.root_name
        for override in settings.overrides:
            if override.matches(_paths_of(cs)):
                profile_name = override.profile or profile_name
                select = override.select if override.select is not None else select
                ignore += override.ignore or []
                pf_version = override.postfix_version or pf_version
                dc_version = override.dovecot_version or dc_version
                root = override.root_name or root
        profile = settings.get_profile(opts.profile or profile_name)
        if opts.select is not None:
            select = opts.select
        ignore += opts.ignore
        ctx = Context(cs, profile, None, None, opts.root if opts.root is not None else root)
        failures: list[Finding] = []
        _load(ctx, failures)
        ctx.postfix_version = opts.postfix_version or pf_version or detect_postfix_version(ctx)
        ctx.dovecot_version = opts.dovecot_version or dc_version or detect_dovecot_version(ctx)
        if failures:
            failed = True
        chosen = select_rules(registry.values(), select, ignore)
        enabled = {}
        for r in chosen:
            level = profile.override_for(r.id)
            if level == OFF:
                continue
            enabled[r.id] = r
        loaded = {
            "postfix": ctx.postfix is not None,
            "dovecot": ctx.dovecot is not None,
            "mailman": bool(ctx.mailman),
        }
        loaded["cross"] = loaded["postfix"] and loaded["dovecot"]
        # Rules that read the Dovecot text itself also run when doveconf's reading failed.
        loaded["dovecot-text"] = cs.dovecot_conf_name is not None
        for r in enabled.values():
            if r.func is None or not all(loaded.get(n, False) for n in r.needs):
                continue
            if not r.applies_to(ctx.postfix_version, ctx.dovecot_version):
                continue
            ctx.rule = r
            try:
                r.func(ctx)
            except Exception as error:
                if opts.strict_errors:
                    raise
                internal.append(f"{cs.name}: rule {r.id} failed: {type(error).__name__}: {error}")
        ctx.rule = None
        findings = _dedupe(failures + ctx.findings)
        # Profile severities, then suppressions.
        adjusted: list[Finding] = []
        failed_here = {id(f) for f in failures}  # a file that could not be read is always reported
        for f in findings:
            level = profile.override_for(f.rule)
            if id(f) in failed_here:
                adjusted.append(f)
                continue
            if f.rule not in enabled:
                continue
            if level is not None and level != OFF and level != f.severity:
                f = Finding(
                    f.rule, parse_severity(level), f.message, f.path, f.line, f.column, f.end_line, f.end_column, f.fix
                )
            adjusted.append(f)
        adjusted = _apply_suppressions(adjusted, ctx.files, enabled, registry, failed_here, ctx.text)
        if any(f.rule == "SYN001" for f in adjusted):
            failed = True  # e.g. a malformed macro: the daemon would not start
        all_findings += adjusted
        for name in ctx.files:
            if name not in all_files:
                all_files.append(name)
        ran.update(enabled)
        reports.append(SetReport(cs.name, ctx.postfix_version, ctx.dovecot_version, profile.name, ctx.files))
    all_findings.sort(key=Finding.sort_key)
    used = {f.rule for f in all_findings}
    rules_out = {k: v for k, v in registry.items() if k in ran or k in used}
    return LintResult(all_findings, all_files, reports, rules_out, failed, internal)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Identical findings once (several services inheriting one bad line give one finding); a
    rule's different messages at one place are all kept."""
    seen: set[tuple[str, str, int, int, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.path, f.line, f.column, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _apply_suppressions(
    findings: list[Finding],
    files: list[str],
    enabled: dict[str, Rule],
    registry: dict[str, Rule],
    protected: set[int] | frozenset[int] = frozenset(),
    read: Callable[[str], str | None] | None = None,
) -> list[Finding]:
    by_file: dict[str, list[Suppression]] = {}
    for file in files:
        text = read(file) if read is not None else _read_text(file)
        if text is None:
            continue
        trailing = not file.endswith(".cf")
        found = scan(text, file, trailing=trailing)
        if found:
            by_file[file] = found
    if not by_file:
        return findings
    kept: list[Finding] = []
    for f in findings:
        silenced = False
        if f.rule != "SYN001" and id(f) not in protected:
            for sup in by_file.get(f.path, []):
                sel = sup.covers(f.rule, f.line)
                if sel is not None:
                    sup.used.add(sel)
                    silenced = True
        if not silenced:
            kept.append(f)
    if "SYN007" in enabled:
        unused: list[Finding] = []
        for file, sups in by_file.items():
            for sup in sups:
                for sel in sup.ids:
                    if sel in sup.used:
                        continue
                    if not any(rule_id.startswith(sel) for rule_id in registry):
                        msg = f"suppression names unknown rule {sel!r}; write an existing rule ID or remove it"
                    elif any(rule_id.startswith(sel) for rule_id in enabled):
                        what = "this line" if sup.target is not None else "this file"
                        msg = f"unused suppression: {sel} reports nothing on {what}; remove {sel} from the comment"
                    else:
                        continue
                    unused.append(
                        Finding(
                            "SYN007",
                            enabled["SYN007"].severity,
                            msg,
                            file,
                            sup.line,
                            sup.column,
                            fix="remove the stale suppression",
                        )
                    )
        # SYN007 itself obeys disable-file=SYN007.
        for f in unused:
            if not any(s.target is None and s.covers("SYN007", f.line) for s in by_file.get(f.path, [])):
                kept.append(f)
    return kept


def _read_text(path: str) -> str | None:
    try:
        return _paths.read_bytes(path).decode("latin-1")
    except OSError:
        return None


def lint(paths: Sequence[PathArg], settings: Settings, options: Options | None = None) -> LintResult:
    """Discover the sets under ``paths`` and lint them (raises DiscoveryError for bad paths)."""
    return lint_sets(discover(paths), settings, options)


def is_loopback_network(text: str) -> bool:
    """True for 127.0.0.0/8 and ::1 networks (``[::1]/128`` bracket form accepted)."""
    import ipaddress

    value = text.strip().replace("[", "").replace("]", "")
    try:
        return ipaddress.ip_network(value, strict=False).is_loopback
    except ValueError:
        return False
