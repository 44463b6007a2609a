"""``mailconf postconf``: a stand-in for Postfix's postconf(1), read-only part.

``python -m mailconf postconf -c DIR [-n] [-d] [-x] [-h] [-M] [-f] [-F] [-P] [--postfix-version V]
[name | service/type ...]`` prints what the installed postconf prints for the same files and
flags (stdout byte for byte; the same warnings on stderr, in a fixed order where postconf's own
order is hash-randomised), and fails with postconf's fatal messages and exit status 1.

The editing flags (``-e``, ``-X``, ``-#``) are handled by :mod:`mailconf.cli._postconf_edit`.
"""

from __future__ import annotations

import os
import sys

from mailconf import _paths
from mailconf._lazyre import Lazy
from mailconf.postfix.catalogue import version_key
from mailconf.postfix.config import _DBMS_REF, group_end
from mailconf.postfix.config import service_arguments as _service_args
from mailconf.postfix.config import service_overrides as _service_overrides
from mailconf.postfix.expand import (
    Fatal,  # "postconf: fatal: MESSAGE", exit status 1
    expand,
    references,
    simple_names,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from mailconf.postfix.catalogue import ParamSpec
    from mailconf.postfix.config import PostfixConfig
    from mailconf.postfix.document import Service

    Lookup = Callable[[str], str | None]

USAGE = (
    "usage: mailconf postconf [-c config_dir] [-n | -d] [-x] [-h] [-f] [-M | -F | -P] "
    "[--postfix-version V] [name | service[/type[/name]] ...]"
)
EDIT_FLAGS = frozenset("eX#")
BLANKS = " \t\n\v\f\r"
_BLANK_RUN = Lazy("[ \t\n\v\f\r]+")
LINE_LIMIT = 80
INDENT = "    "
COLUMN_GOALS = (0, 11, 17, 25, 33, 41, 49, 57)
MASK_STYLES = ("class", "subnet", "host")

# Behaviour that changed after 3.7 (checked against 3.7.11 and 3.10.13; the release in between
# where each began is from Postfix's own notes: the deprecation table is "as of Postfix 3.9",
# the #comment warning was seen on 3.8.6).
COMMENT_CHECK_SINCE = (3, 8)
DEPRECATION_SINCE = (3, 9)
FULL_PATH_BRACE_WARNINGS_SINCE = (3, 9)

# postconf 3.9+: parameters it warns about, with the alternative it suggests (its own wording,
# including the one entry that lacks 'specify "..."').
DEPRECATED = {
    "disable_dns_lookups": 'specify "smtp_dns_support_level"',
    "lmtp_use_tls": 'specify "lmtp_tls_security_level"',
    "postscreen_use_tls": 'specify "postscreen_tls_security_level"',
    "smtp_use_tls": 'specify "smtp_tls_security_level"',
    "smtpd_use_tls": 'specify "smtpd_tls_security_level"',
    "tlsproxy_client_use_tls": 'specify "tlsproxy_client_security_level"',
    "tlsproxy_use_tls": 'specify "tlsproxy_tls_security_level"',
    "lmtp_enforce_tls": "lmtp_tls_security_level",
    "postscreen_enforce_tls": 'specify "postscreen_tls_security_level"',
    "smtp_enforce_tls": 'specify "smtp_tls_security_level"',
    "smtpd_enforce_tls": 'specify "smtpd_tls_security_level"',
    "tlsproxy_client_enforce_tls": 'specify "tlsproxy_client_security_level"',
    "tlsproxy_enforce_tls": 'specify "tlsproxy_tls_security_level"',
    "lmtp_tls_per_site": 'specify "lmtp_tls_policy_maps"',
    "smtp_tls_per_site": 'specify "smtp_tls_policy_maps"',
    "tlsproxy_client_per_site": 'specify "tlsproxy_client_policy_maps"',
    "smtpd_tls_dh1024_param_file": "do not specify (leave at default)",
    "smtpd_tls_eecdh_grade": "do not specify (leave at default)",
    "deleted-test-only": "do not specify",
}
FIELDS = ("service", "type", "private", "unprivileged", "chroot", "wakeup", "process_limit", "command")


class Options:
    __slots__ = ("args", "config_dir", "flags", "overrides", "version")

    def __init__(self) -> None:
        self.config_dir: str | None = None
        self.flags: set[str] = set()
        self.version: str | None = None
        self.args: list[str] = []
        self.overrides: list[str] = []  # -o name=value


class Output:
    """Collected stdout text and stderr lines (latin-1 text; one char per byte)."""

    __slots__ = ("err", "out")

    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []

    def warn(self, message: str) -> None:
        if not (message.isascii() and message.isprintable()):
            message = printable(message)
        self.err.append(f"postconf: warning: {message}\n")

    def line(self, text: str) -> None:
        self.out.append(text + "\n")


def printable(text: str) -> str:
    """Postfix's msg_* output: bytes that are not printable ASCII become '?'."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch if " " <= ch <= "~" else "?" for ch in text)


def parse_args(argv: list[str]) -> Options:
    opts = Options()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            opts.args.extend(argv[i + 1 :])
            break
        if arg == "--postfix-version" or arg.startswith("--postfix-version="):
            if "=" in arg:
                opts.version = arg.split("=", 1)[1]
            else:
                if i + 1 >= len(argv):
                    raise SystemExit(_usage_error("--postfix-version needs a value"))
                opts.version = argv[i + 1]
                i += 1
            i += 1
            continue
        if arg in ("--help",):
            print(USAGE)
            raise SystemExit(0)
        if arg.startswith("-") and len(arg) > 1:
            j = 1
            while j < len(arg):
                flag = arg[j]
                if flag in "co":
                    value = arg[j + 1 :]
                    if not value:
                        if i + 1 >= len(argv):
                            raise SystemExit(_usage_error(f"option requires an argument -- '{flag}'"))
                        value = argv[i + 1]
                        i += 1
                    if flag == "c":
                        opts.config_dir = value
                    else:
                        opts.overrides.append(value)
                    break
                if flag not in "dfhnxMFPHeX#aAblmtTpqv":
                    raise SystemExit(_usage_error(f"invalid option -- '{flag}'"))
                opts.flags.add(flag)
                j += 1
            i += 1
            continue
        opts.args.append(arg)
        i += 1
    return opts


def _usage_error(message: str) -> int:
    sys.stderr.write(f"postconf: {message}\n{USAGE}\n")
    return 2


def run(argv: list[str]) -> int:
    opts = parse_args(argv)
    if opts.args and "=" in opts.args[0] and not opts.flags & set("aAbltmT"):
        opts.flags.add("e")  # postconf: a name=value argument means -e
    if opts.flags & EDIT_FLAGS and opts.overrides:
        edit = next(f for f in "eX#" if f in opts.flags)
        pair = "-e -o" if edit == "e" else f"-o -{edit}"
        sys.stderr.write(f"postconf: fatal: specify one of {pair}\n")
        return 1
    if opts.flags & EDIT_FLAGS:
        try:
            from mailconf.cli import _postconf_edit  # type: ignore[attr-defined,unused-ignore]
        except ImportError:
            sys.stderr.write("postconf: fatal: editing (-e, -X, -#) is not available in this version\n")
            return 1
        result: int = _postconf_edit.run_edit(opts)
        return result
    output = Output()
    try:
        show(opts, output)
        status = 0
    except Fatal as exc:
        for message in getattr(exc, "warnings", ()):
            output.warn(message)
        output.err.append(f"postconf: fatal: {printable(str(exc))}\n")
        output.out.clear()  # postconf exits without flushing what it had formatted
        status = 1
    _flush(output)
    return status


def _flush(output: Output) -> None:
    stdout = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    data = "".join(output.out)
    if stdout is not None:
        stdout.write(data.encode("latin-1", "replace"))
        stdout.flush()
    else:  # pragma: no cover - captured streams in tests
        sys.stdout.write(data)
    err = "".join(output.err)
    if hasattr(sys.stderr, "buffer"):
        sys.stderr.flush()
        sys.stderr.buffer.write(err.encode("latin-1", "replace"))
        sys.stderr.buffer.flush()
    else:  # pragma: no cover
        sys.stderr.write(err)


# -- reading ---------------------------------------------------------------------------------


def load(opts: Options, output: Output) -> PostfixConfig:
    """Read main.cf and master.cf as postconf does (warnings into ``output``)."""
    from mailconf.errors import ParseError
    from mailconf.postfix.config import PostfixConfig
    from mailconf.postfix.document import MainDocument, MasterDocument, parse_main, parse_master

    directory = opts.config_dir if opts.config_dir is not None else "/etc/postfix"
    main_path = os.path.join(directory, "main.cf")
    master_path = os.path.join(directory, "master.cf")
    shown_main = f"{directory}/main.cf"
    shown_master = f"{directory}/master.cf"

    def read_master() -> MasterDocument | None:
        master = None
        try:
            master_data: bytes | None = _paths.read_bytes(master_path)
        except OSError as exc:
            master_data = None
            if opts.flags & set("MFP"):
                raise Fatal(f"open {shown_master}: {exc.strerror}") from None
            output.warn(f"open {shown_master}: {exc.strerror}")
        if master_data is not None:
            try:
                master = parse_master(master_data, path=shown_master)
            except ParseError as exc:
                if exc.message == "bad field count":
                    raise Fatal(f"file {shown_master}: line {exc.line}: {exc.message}") from None
                raise Fatal(exc.message) from None
            for morphan in master.orphans:
                output.warn(
                    f'{shown_master}: logical line must not start with whitespace: "{_printable(morphan.logical)}"'
                )
        return master

    def read_main() -> MainDocument:
        try:
            data = _paths.read_bytes(main_path)
        except OSError as exc:
            raise Fatal(f"open {shown_main}: {exc.strerror}") from None
        try:
            main = parse_main(data, path=shown_main)
        except ParseError as exc:
            raise Fatal(f"{shown_main}, line {exc.line}: {exc.message}") from None
        for orphan in main.orphans:
            output.warn(f'{shown_main}: logical line must not start with whitespace: "{_printable(orphan.logical)}"')
        seen: dict[str, str] = {}
        if opts.config_dir is not None:
            seen["config_directory"] = opts.config_dir
        earlier_value, warn = seen.get, output.warn
        for name, value, line in main.entries():
            earlier = earlier_value(name)
            if earlier is not None and earlier != value:
                warn(f"{shown_main}, line {line}: overriding earlier entry: {name}={earlier}")
            seen[name] = value
        if opts.config_dir is not None and "config_directory" not in main.values():
            main.prepend_unwritten("config_directory", opts.config_dir)
        for text in opts.overrides:  # -o name=value: read as if main.cf ended with it
            name, eq, value = text.partition("=")
            name = name.strip(BLANKS)
            if not eq:
                raise Fatal(f"invalid parameter override: {text}: missing '=' after attribute name")
            if not name:
                raise Fatal(f"invalid parameter override: {text}: missing attribute name")
            main.append_unwritten(name, value.strip(BLANKS))
        return main

    if opts.flags & set("MFP"):
        master = read_master()
        main = read_main()
    else:
        main = read_main()
        master = read_master()
    config = PostfixConfig(directory=directory, main=main, master=master, version=opts.version)
    return config


def _computed_defaults(config: PostfixConfig, output: Output, runaway: list[Fatal]) -> None:
    """What postconf does when it computes the mynetworks, myhostname and mydomain defaults
    (each only when main.cf does not set it): it reads their inputs from main.cf alone
    (mail_conf_lookup_eval), where a malformed or runaway macro is fatal.

    An input that loops through a relational operand (postconf crashes on it, in the random order
    in which it computes these) goes to ``runaway`` and is not read further, as in check()."""
    from mailconf.postfix.expand import Runaway, expand

    main = config.main_values

    def read(name: str) -> bool:
        raw = main.get(name)
        if raw is not None and "$" in raw:
            try:
                early = expand(raw, main.get)
            except Runaway as exc:
                runaway.append(exc)
                return False
            if early.error:
                for message in early.warnings:
                    output.warn(message)
                raise Fatal("dictionary mail_dict: macro processing error")
        return True

    # Postfix's table of computed defaults: myhostname, mydomain, then mynetworks
    if "myhostname" not in main:
        read("mydomain")
    if "mydomain" not in main:
        read("myhostname")
    style: str | None = None
    if "mynetworks" not in main and read("inet_interfaces"):
        raw_style = main.get("mynetworks_style")
        if raw_style is None:
            # the compatibility_level-dependent default expression
            try:
                result = config.expand(config.default("mynetworks_style") or "")
            except Runaway as exc:
                runaway.append(exc)
                return
            if result.error:
                for message in result.warnings:
                    output.warn(message)
                raise Fatal("macro processing error")
            style = result.value
        elif read("mynetworks_style"):
            style = expand(raw_style, main.get).value
        else:
            return
        if not read("inet_protocols"):
            return
    if style is not None:
        words = [w for w in style.replace(",", " ").split() if w]
        for word in words:
            if word not in MASK_STYLES:
                raise Fatal(f'unknown mynetworks mask style value "{word}" in "{style}"')
        if len(words) != 1:
            raise Fatal(f"bad mynetworks_style value: {style}; specify exactly one value")
        _check_interfaces(config)


def _check_interfaces(config: PostfixConfig) -> None:
    """postconf resolves inet_interfaces when it starts: unknown hosts and non-local addresses
    are fatal."""
    import _socket as socket  # the C module: socket.py imports enum and selectors (milliseconds)
    import ipaddress

    from mailconf.postfix.config import _ipv4_addresses, _ipv6_addresses, _main_only

    value = _main_only(config, "inet_interfaces")
    if not value:
        return
    local: set[ipaddress.IPv4Address | ipaddress.IPv6Address] | None = None
    resolved: list[tuple[str, list[ipaddress.IPv4Address | ipaddress.IPv6Address]]] = []
    for word in value.replace(",", " ").split():
        if word.lower() in ("all", "loopback-only"):
            continue
        host = word[1:-1] if word.startswith("[") and word.endswith("]") else word
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            addresses = []
        if not addresses:
            try:  # inet_aton's shorthand forms: "3.6" is 3.0.0.6
                shown = socket.inet_ntoa(socket.inet_aton(host))
                addresses = [ipaddress.ip_address(shown)]
                word = shown
            except OSError:
                pass
        if not addresses:
            try:
                infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
            except (OSError, UnicodeError):
                raise Fatal(f"config variable inet_interfaces: host not found: {word}") from None
            addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        resolved.append((word, addresses))
    # every name is resolved first (host not found), then each must be a local address
    for word, addresses in resolved:
        if local is None:
            local = {ipaddress.ip_address(a) for a, _ in _ipv4_addresses()}
            local |= {ipaddress.ip_address(a) for a, _ in _ipv6_addresses()}
        if not any(a in local for a in addresses):
            raise Fatal(f"parameter inet_interfaces: no local interface found for {word}")


def _printable(text: str) -> str:
    return text.rstrip(BLANKS)


def check(
    config: PostfixConfig, output: Output, shown_main: str, shown_master: str, runaway: list[Fatal] | None = None
) -> None:
    """postconf's checks of the values: syntax warnings, undefined names, then fatal errors.

    ``runaway``: values passed over so far because they would crash postconf (see below); the
    first is fatal when nothing else is."""
    from mailconf.postfix.expand import Fatal as ExpandFatal
    from mailconf.postfix.expand import Runaway

    specs = config.specs()
    comments = version_key(config.version) >= COMMENT_CHECK_SINCE
    full_path = version_key(config.version) >= FULL_PATH_BRACE_WARNINGS_SINCE
    main_where = shown_main if full_path else "main.cf"
    master_where = shown_master if full_path else "master.cf"

    def words(value: str, brace_where: str, comment_where: str) -> None:
        if "{" in value or (comments and "#" in value):
            _word_checks(value, output, brace_where, comment_where if comments else None)

    def one_value(
        spec: ParamSpec | None, value: str, look: Lookup, scan_look: Lookup, brace_where: str, shown: str
    ) -> list[str]:
        """Scan (undefined names), expand and word-check one value of a built-in parameter (only
        scan a user-defined one); the warnings of a fatal expansion, else []."""
        if spec is not None and spec.raw:
            return []
        if "$" not in value:  # nothing to scan or expand
            if spec is not None:
                words(value, brace_where, shown)
            return []
        _scan(scan_look, value, output, shown)
        if spec is None:
            return []
        result = expand(value, look)
        if result.error:
            return list(result.warnings)
        words(result.value, brace_where, shown)
        return []

    # postconf checks the values in its hash tables' order, which changes from run to run; a value
    # that loops through a relational operand kills it (SIGSEGV) when it comes first, and a run
    # that meets another fatal value first prints that one. Such values are passed over (and
    # their warnings taken back) so that ours prints what those runs print.
    if runaway is None:
        runaway = []

    def checked(
        spec: ParamSpec | None, value: str, look: Lookup, scan_look: Lookup, brace_where: str, shown: str
    ) -> list[str]:
        mark = len(output.err)
        try:
            return one_value(spec, value, look, scan_look, brace_where, shown)
        except Runaway as exc:
            del output.err[mark:]
            runaway.append(exc)
            return []

    fatal_warnings: list[str] = []
    try:
        # postconf checks the -o tables after reading all of master.cf: one table per
        # service/type, shared by every entry with that key (each entry scans it once), where a
        # later duplicate entry's values replace an earlier one's
        owners = _service_tables(config)
        last = {(svc.name, svc.type): svc for svc, _ in owners}
        for owner, table in owners:
            svc = last[(owner.name, owner.type)]
            look = _lookup(config, svc)
            where = f"{master_where}:{svc.name}/{svc.type}"
            for oname, ovalue in table.items():
                fatal_warnings = checked(specs.get(oname), ovalue, look, look, where, shown_master)
                if fatal_warnings:
                    break
            if fatal_warnings:
                break
        if not fatal_warnings:
            look = _lookup(config, None)
            # a name that only master.cf -o defines is defined for postconf's scan of main.cf
            # (not for another service's -o values)
            master_names = {name for _, table in owners for name in table}

            def scan_look(name: str) -> str | None:
                found = look(name)
                return "" if found is None and name in master_names else found

            _scan_computed_defaults(config, scan_look, output, shown_main, runaway)
            for name, value in config.main_values.items():
                fatal_warnings = checked(specs.get(name), value, look, scan_look, main_where, shown_main)
                if fatal_warnings:
                    break
    except ExpandFatal as exc:
        raise Fatal(str(exc)) from None
    if fatal_warnings:
        for message in fatal_warnings:
            output.warn(message)
        raise Fatal("macro processing error")
    if runaway:
        raise Fatal(str(runaway[0]))


def _word_checks(text: str, output: Output, brace_where: str, comment_where: str | None) -> bool:
    """postconf's checks of the words of a built-in parameter's expanded value (True: stop).

    Words are split at commas and blanks, ``{...}`` groups staying whole wherever they start. A
    word that starts with ``{`` must end at its ``}`` ("missing '}'", "syntax error after '}'");
    the inside of a group is checked the same way. From Postfix 3.8 on (``comment_where`` given),
    a word that starts with ``#`` draws a warning quoting it and up to 20 characters of what
    follows, and ends the checks.
    """
    i, n = 0, len(text)
    while i < n:
        while i < n and (text[i] in BLANKS or text[i] == ","):
            i += 1
        if i == n:
            return False
        start, depth = i, 0
        while i < n:
            ch = text[i]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif depth <= 0 and (ch in BLANKS or ch == ","):
                break
            i += 1
        word = text[start:i]
        i += 1  # the separator
        if word.startswith("#") and comment_where is not None:
            rest = text[i:] if i < n else ""
            output.warn(f"{comment_where}: #comment after other text is not allowed: {word} {rest[:20]}...")
            return True
        if not word.startswith("{"):
            tail = word[6:] if word.startswith("proxy:") else word
            colon = _top_level_colon(tail)
            if colon is None or not tail[colon + 1 :].startswith("{"):
                continue
            word = tail[colon + 1 :]
        end = group_end(word)
        if end is None:
            output.warn(f"{brace_where}: missing '}}' in \"{word}\"")
            inner = word[1:]
        elif end + 1 < len(word):
            output.warn(f"{brace_where}: syntax error after '}}' in \"{word}\"")
            continue
        else:
            inner = word[1:end]
        if _word_checks(inner, output, brace_where, comment_where):
            return True
    return False


def _lookup(config: PostfixConfig, svc: Service | None) -> Callable[[str], str | None]:
    """``config.lookup`` in the scope of ``svc``, each name looked up once (the checks look up
    the same few names for thousands of values)."""
    known: dict[str, str | None] = {}

    def look(name: str) -> str | None:
        try:
            return known[name]
        except KeyError:
            found = known[name] = config.lookup(name, svc)
            return found

    return look


def _scan_computed_defaults(
    config: PostfixConfig, look: Callable[[str], str | None], output: Output, shown_main: str, runaway: list[Fatal]
) -> None:
    """postconf scans the default values too; the computed myhostname and mydomain defaults
    carry main.cf's expanded mydomain or myhostname, so ``mydomain = $$b`` makes the default
    myhostname ``host.$b`` and postconf warns about ``b`` (a looping one crashes it: ``runaway``)."""
    from mailconf.postfix.config import _computed_default
    from mailconf.postfix.expand import Runaway

    for name in ("myhostname", "mydomain"):
        if name not in config.main_values:
            try:
                value = _computed_default(name, config)
            except Runaway as exc:
                runaway.append(exc)
                continue
            if "$" in value:
                _scan(look, value, output, shown_main)


def _scan(look: Callable[[str], str | None], value: str, output: Output, shown: str) -> None:
    """postconf's first pass over a value: syntax warnings and undefined names."""
    names = simple_names(value)
    if names is not None:
        for name in names:
            if look(name) is None:
                output.warn(f"{shown}: undefined parameter: {name}")
        return

    def warn_undefined(name: str) -> str | None:
        found = look(name)
        if found is None:
            output.warn(f"{shown}: undefined parameter: {name}")
        return found

    result = expand(value, warn_undefined, scan=True)
    for message in result.warnings:
        output.warn(message)


def unused(config: PostfixConfig, output: Output, shown_main: str, shown_master: str, main: bool) -> None:
    """Unused parameters; from 3.9 on also deprecated ones ("will be removed" when still known,
    "has been removed" when not)."""
    specs, user = config.specs(), config.user_defined
    deprecated = DEPRECATED if version_key(config.version) >= DEPRECATION_SINCE else {}

    def flag(shown: str, name: str, value: str, used: bool) -> None:
        alternative = deprecated.get(name)
        if not used:
            if alternative is None:
                output.warn(f"{shown}: unused parameter: {name}={value}")
            else:
                output.warn(f"{shown}: support for parameter {name} has been removed; instead, {alternative}")
        elif alternative is not None:
            output.warn(f'{shown}: support for parameter "{name}" will be removed; instead, {alternative}')

    warn = output.warn
    for name, value in config.main_values.items() if main else ():
        if name in deprecated:
            flag(shown_main, name, value, name in specs or name in user)
        elif name not in specs and name not in user:
            warn(f"{shown_main}: unused parameter: {name}={value}")
    tables = _service_tables(config)
    # A $name in a -o value marks a -o name used in its own table (or a main.cf name); a name
    # that only another service's -o values refer to stays unused there.
    outside_names: set[str] | None = None

    def outside() -> set[str]:
        nonlocal outside_names
        if outside_names is None:
            outside_names = set(config.catalogue.default_refs)
            for name, value in config.main_values.items():
                if "$" in value and not (name in specs and specs[name].raw):
                    outside_names.update(references(value))
            classes = config.lookup("smtpd_restriction_classes") or ""
            outside_names.update(classes.replace(",", " ").split())
        return outside_names

    for _svc, table in tables:
        own: set[str] | None = None
        for name, value in table.items():
            used = config.is_used(name)
            if used and name in user and name not in config.main_values and name not in outside():
                if own is None:
                    own = {
                        ref
                        for n, v in table.items()
                        if "$" in v and not (n in specs and specs[n].raw)
                        for ref in references(v)
                    }
                used = name in own
            flag(shown_master, name, value, used)


def _top_level_colon(word: str) -> int | None:
    """Index of the first ``:`` outside ``{}`` in ``word``."""
    depth = 0
    for index, ch in enumerate(word):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == ":" and depth <= 0:
            return index
    return None


def _dbms_warnings(config: PostfixConfig, output: Output) -> None:
    pattern = _DBMS_REF
    seen: set[tuple[str, str]] = set()
    values: list[tuple[str, str, Service | None]] = [(n, v, None) for n, v in config.main_values.items() if ":" in v]
    for service in config.services:
        values += [(n, v, service) for n, v in _service_overrides(service, ordered=True) if ":" in v]
    for name, value, svc in values:
        spec = config.spec(name)
        if spec is None or spec.raw:
            continue
        value = config.expand(value, svc).value
        for match in pattern.finditer(value):
            key = (match.group(1), match.group(2))
            if key in seen:
                continue
            seen.add(key)
            path = match.group(2)
            if "/" not in path:
                continue
            shown = path if path.startswith("/") else f"{config.config_directory}/{path}"
            if not os.path.exists(shown):
                output.warn(f'open "{match.group(1)}" configuration "{shown}": No such file or directory')


# -- showing -----------------------------------------------------------------------------------


def show(opts: Options, output: Output) -> None:
    flags = opts.flags
    modes = flags & set("MFP")
    if len(modes) > 1:
        raise Fatal("specify one of -F, -M, or -P")  # postconf's wording differs per pair
    if "n" in flags and "d" in flags:
        raise Fatal("specify one of -d -n")
    config = load(opts, output)
    directory = opts.config_dir if opts.config_dir is not None else "/etc/postfix"
    shown_main, shown_master = f"{directory}/main.cf", f"{directory}/master.cf"
    if "d" not in flags:
        runaway: list[Fatal] = []
        _computed_defaults(config, output, runaway)
        check(config, output, shown_main, shown_master, runaway)
        _dbms_warnings(config, output)
    if "M" in flags:
        show_services(config, opts, output)
    elif "F" in flags:
        show_fields(config, opts, output)
    elif "P" in flags:
        show_service_params(config, opts, output)
    elif "d" in flags:
        from mailconf.postfix.config import PostfixConfig
        from mailconf.postfix.document import parse_main

        defaults = PostfixConfig(
            directory="/etc/postfix", main=parse_main(b""), master=config.master, version=opts.version
        )
        show_params(defaults, opts, output)
    else:
        show_params(config, opts, output)
    if "d" not in flags:
        unused(config, output, shown_main, shown_master, main=not flags & set("MFP"))


def fold_blanks(value: str) -> str:
    """Runs of blanks become one space; none at either end."""
    return _BLANK_RUN.sub(" ", value).strip(" ")


def format_param(name: str, value: str, flags: set[str]) -> str:
    value = fold_blanks(value)
    if "h" in flags:
        text = value
    else:
        text = f"{name} = {value}" if value else f"{name} ="
    if "f" in flags:
        return fold_line(text)
    return text


def fold_line(text: str) -> str:
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= LINE_LIMIT:
            current += " " + word
        else:
            lines.append(current)
            current = INDENT + word
    lines.append(current)
    return "\n".join(lines)


def show_params(config: PostfixConfig, opts: Options, output: Output) -> None:
    flags = opts.flags
    if "n" in flags:
        specs, user = config.specs(), config.user_defined
        values = {name: value for name, value in config.main_values.items() if name in specs or name in user}
    elif "d" in flags:
        names = set(config.catalogue.names()) | set(config.service_params)
        values = {name: config.default(name) or "" for name in names}
    else:
        names = set(config.catalogue.names()) | set(config.service_params)
        names |= {name for name in config.main_values if name in config.user_defined}
        values = {name: _value(config, name) for name in names}
    if opts.args:
        selected: list[tuple[str, str]] = []
        for name in opts.args:
            if not config.is_known(name) and not (name in config.user_defined and name in config.main_values):
                output.warn(f"{name}: unknown parameter")
                continue
            if name in values:
                selected.append((name, values[name]))
    else:
        selected = sorted(values.items())
    for name, value in selected:
        if "x" in flags:
            value = _expanded(config, name, value)
        output.line(format_param(name, value, flags))


def _value(config: PostfixConfig, name: str) -> str:
    found = config.main_values.get(name)
    if found is not None:
        return found
    return config.default(name) or ""


def _expanded(config: PostfixConfig, name: str, value: str, svc: Service | None = None) -> str:
    from mailconf.postfix.expand import Fatal as ExpandFatal

    spec = config.spec(name)
    if spec is not None and spec.raw:
        return value
    try:
        result = config.expand(value, svc)
    except ExpandFatal as exc:
        raise Fatal(str(exc)) from None
    if result.error:
        raise _MacroError(result.warnings)
    return result.value


class _MacroError(Fatal):
    """A malformed or runaway macro during -x: postconf warns, then "macro processing error"."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__("macro processing error")
        self.warnings = warnings


# -- master.cf -------------------------------------------------------------------------------


def _split_pattern(arg: str, parts: int, message: str) -> list[str]:
    fields = arg.split("/")
    if len(fields) > parts or any(not f for f in fields):
        raise Fatal(message)
    for f in fields:
        if "*" in f and f != "*":
            raise Fatal(message)
    return fields + ["*"] * (parts - len(fields))


def _match(pattern: str, value: str) -> bool:
    return pattern == "*" or pattern == value


def format_service(svc: Service, fold: bool) -> str:
    fields = [svc.name, svc.type, svc.private, svc.unpriv, svc.chroot, svc.wakeup, svc.maxproc, svc.command]
    line = ""
    for goal, value in zip(COLUMN_GOALS, fields, strict=True):
        if line:
            line += " "
            while len(line) < goal:
                line += " "
        line += value
    return _append_args([line], len(line), _service_args(svc), fold)


def _append_args(out: list[str], length: int, items: list[tuple[str, bool]], fold: bool) -> str:
    """Add the daemon arguments as postconf does: a blank between items once the line is longer
    than the indentation; with folding, a new line before and after each ``-o`` group and before
    an item that would pass column 80."""
    force = False
    for text, group in items:
        if length > len(INDENT) or (group and length > 0):
            if not fold or (not force and not group and length + 1 + len(text) < LINE_LIMIT):
                out.append(" ")
                length += 1
            else:
                out.append("\n" + INDENT)
                length = len(INDENT)
        out.append(text)
        length += len(text)
        force = group and fold
    return "".join(out)


def format_field(svc: Service, fld: str, flags: set[str]) -> str:
    """One ``-F`` line: ``service/type/field = value`` (``-h``: the value alone)."""
    values = {
        "service": svc.name,
        "type": svc.type,
        "private": svc.private,
        "unprivileged": svc.unpriv,
        "chroot": svc.chroot,
        "wakeup": svc.wakeup,
        "process_limit": svc.maxproc,
        "command": svc.command,
    }
    value = values[fld]
    out: list[str] = []
    length = 0
    if "h" not in flags:
        out.append(f"{svc.name}/{svc.type}/{fld} = ")
        length = len(out[0])
    if length > 0 and length + len(value) > LINE_LIMIT:
        out.append("\n" + INDENT)
        length = len(INDENT)
    out.append(value)
    length += len(value)
    if fld != "command":
        return "".join(out)
    return _append_args(out, length, _service_args(svc), "f" in flags)


def show_services(config: PostfixConfig, opts: Options, output: Output) -> None:
    patterns = [_split_pattern(arg, 2, "-M option requires service_name[/type]") for arg in opts.args]
    matched = [False] * len(patterns)
    for svc in config.services:
        if patterns:
            hits = [i for i, (name, type_) in enumerate(patterns) if _match(name, svc.name) and _match(type_, svc.type)]
            if not hits:
                continue
            for i in hits:
                matched[i] = True
        output.line(format_service(svc, "f" in opts.flags))
    for arg, hit in zip(opts.args, matched, strict=True):
        if not hit:
            output.warn(f'unmatched request: "{arg}"')


def show_fields(config: PostfixConfig, opts: Options, output: Output) -> None:
    message = "-F option requires service_name[/type[/field]]"
    patterns = [_split_pattern(arg, 3, message) for arg in opts.args]
    for _name, _type, fld in patterns:
        if fld != "*" and fld not in FIELDS:
            raise Fatal(f'invalid service attribute name: "{fld}"')
    matched = [False] * len(patterns)
    for svc in config.services:
        for fld in FIELDS:
            if patterns:
                hits = [
                    i
                    for i, (name, type_, want) in enumerate(patterns)
                    if _match(name, svc.name) and _match(type_, svc.type) and _match(want, fld)
                ]
                if not hits:
                    continue
                for i in hits:
                    matched[i] = True
            output.line(format_field(svc, fld, opts.flags))
    for arg, hit in zip(opts.args, matched, strict=True):
        if not hit:
            output.warn(f'unmatched request: "{arg}"')


def _command_text(svc: Service) -> str:
    return " ".join([svc.command, *(text for text, _ in _service_args(svc))])


def _service_tables(config: PostfixConfig) -> list[tuple[Service, dict[str, str]]]:
    """The ``-o`` parameter table of each master.cf entry, as postconf keeps them: one table per
    service/type, created by the first entry with ``-o`` and shared (merged, later values
    winning) by every entry with that key parsed after it; earlier entries have none."""
    merged: dict[tuple[str, str], dict[str, str]] = {}
    owners: list[tuple[Service, tuple[str, str]]] = []
    for svc in config.services:
        key = (svc.name, svc.type)
        own = _service_overrides(svc, ordered=True)
        if own or key in merged:
            merged.setdefault(key, {}).update(own)
            owners.append((svc, key))
    return [(svc, merged[key]) for svc, key in owners]


def show_service_params(config: PostfixConfig, opts: Options, output: Output) -> None:
    message = "-P option requires service_name[/type[/parameter]]"
    patterns = [_split_pattern(arg, 3, message) for arg in opts.args]
    matched = [False] * len(patterns)
    for svc, table in _service_tables(config):
        for name, value in sorted(table.items()):
            if patterns:
                hits = [
                    i
                    for i, (sname, type_, want) in enumerate(patterns)
                    if _match(sname, svc.name) and _match(type_, svc.type) and _match(want, name)
                ]
                if not hits:
                    continue
                for i in hits:
                    matched[i] = True
            if "x" in opts.flags:
                value = _expanded(config, name, value, svc)
            output.line(format_param(f"{svc.name}/{svc.type}/{name}", value, opts.flags))
    for arg, hit in zip(opts.args, matched, strict=True):
        if not hit:
            output.warn(f'unmatched request: "{arg}"')
