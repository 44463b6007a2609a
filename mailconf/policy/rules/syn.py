"""SYN: syntax and validity (0xx any file, 1xx Postfix, 2xx Dovecot)."""

from __future__ import annotations

from collections.abc import Iterator

from mailconf._lazyre import IGNORECASE, Lazy
from mailconf.policy.engine import Context
from mailconf.policy.registry import declare, rule
from mailconf.policy.rules._postfix import PostfixView, view

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Reported by the engine itself (SYN001 also by the macro check below).
declare("SYN001", "error", "file cannot be read or parsed as the daemon would")
declare("SYN007", "warning", "suppression comment that silences nothing, or names an unknown rule")

# Postfix parameters newer than the catalogue's Postfix (3.7): known names, not typos.
NEWER_POSTFIX = {
    "smtpd_forbid_bare_newline",
    "smtpd_forbid_bare_newline_exclusions",
    "smtpd_forbid_bare_newline_reject_code",
    "smtpd_forbid_unauth_pipelining",
    "smtp_tls_enable_rpk",
    "smtpd_tls_enable_rpk",
    "tls_config_file",
    "tls_config_name",
    "smtpd_hide_client_session",
    "smtp_tls_security_level_default",
    "force_mime_input_conversion",
    "smtpd_reject_filter_maps",
    "smtp_reply_filter",
    "lmtp_reply_filter",
    "tls_required_enable",
    "smtp_tlsrpt_enable",
    "smtp_tlsrpt_socket_name",
    "smtp_tlsrpt_skip_reused_handshakes",
    "default_ns_lookup",
}
RAW_POSTFIX = {
    "mailbox_command",
    "forward_path",
    "luser_relay",
    "smtpd_reject_footer",
    "default_rbl_reply",
    "smtpd_expansion_filter",
    "postscreen_reject_footer",
    "postscreen_expansion_filter",
    "command_execution_directory",
    "execution_directory_expansion_filter",
    "local_command_shell",
}
_REF = Lazy(r"\$(?:\{|\()?([A-Za-z0-9_]+)")


def _references(value: str) -> list[str]:
    return [m.group(1) for m in _REF.finditer(value.replace("$$", ""))]


def _all_settings(pv: PostfixView) -> Iterator[tuple[str, str, str, int, int, Any]]:
    """(name, raw value, path, line, column, service or None) of main.cf and every -o."""
    if pv.main is not None:
        for p in pv.main.parameters:
            yield p.name, p.value, pv.main_path, p.line, p.column, None
    if pv.master is not None:
        for s in pv.master.services:
            for o in s.overrides:
                if o.value is not None:
                    yield o.name, o.value, pv.master_path, o.line, o.column, s


@rule("SYN001", "error", "file cannot be read or parsed as the daemon would", needs=("postfix",))
def syn001_macros(ctx: Context) -> None:
    """Malformed ``$`` macros in known parameters: postconf and the daemons stop with
    'macro processing error' (unknown parameters only get a warning, and SYN004)."""
    from mailconf.postfix.expand import expand

    pv = view(ctx)
    for name, value, path, line, column, _service in _all_settings(pv):
        if "$" not in value or name in RAW_POSTFIX or name not in pv.params:
            continue
        result = expand(value, lambda _name: "", scan=True)
        if result.error:
            detail = result.warnings[0] if result.warnings else "malformed macro"
            ctx.report(
                f"{name}: {detail}: Postfix stops with 'macro processing error'; close the macro "
                "(${name}, ${name?value}, ${name:value}) or write $$ for a literal $",
                path=path,
                line=line,
                column=column,
                fix="close the macro or write $$",
            )


@rule("SYN002", "warning", "main.cf/master.cf starts with an indented line", needs=("postfix",))
def syn002(ctx: Context) -> None:
    pv = view(ctx)
    for doc, path in ((pv.main, pv.main_path), (pv.master, pv.master_path)):
        if doc is None:
            continue
        orphans = doc.orphans() if callable(doc.orphans) else doc.orphans
        for orphan in orphans:
            ctx.report(
                "the file starts with an indented line, which Postfix ignores ('logical line must not start "
                "with whitespace'); remove the indentation or the line",
                path=path,
                line=orphan.line,
                column=1,
                fix="remove the leading whitespace",
            )


def _syn003_dovecot(ctx: Context) -> None:
    """Dovecot: the same setting twice in one section of one file (later files overriding earlier
    ones, like conf.d/99-local.conf, are the intended pattern and not reported)."""
    current = ""
    stack: list[str] = []
    seen: dict[tuple[str, ...], tuple[int, str]] = {}
    for path, number, text in _dovecot_content(ctx):
        if path != current:
            current, stack = path, []
        stripped = text.split("#", 1)[0].strip() if "#" in text else text.strip()
        if not stripped or stripped.startswith("!"):
            continue
        if stripped.endswith("{"):
            stack.append(f"{number}:{stripped[:-1].strip()}")  # each block on its own (passdb { } twice)
            continue
        if stripped == "}":
            if stack:
                stack.pop()
            continue
        m = _SETTING.match(text)
        if not m:
            continue
        value = stripped.split("=", 1)[1].strip()
        key = (path, *stack, m.group(1))
        earlier = seen.get(key)
        if earlier is not None and earlier[1] != value and not value.startswith("$"):
            ctx.report(
                f"{m.group(1)} is set again in this {'section' if stack else 'file'} (first on line {earlier[0]} to "
                f"'{earlier[1]}'); the later value wins silently: delete one of the two",
                path=path,
                line=number,
                column=m.start(1) + 1,
                fix=f"delete line {earlier[0]} or this one",
            )
        seen[key] = (number, value)


@rule("SYN003", "warning", "the same parameter set twice with different values", needs=())
def syn003(ctx: Context) -> None:
    if ctx.cs.dovecot_conf_name is not None:
        _syn003_dovecot(ctx)
    if ctx.postfix is None:
        return
    pv = view(ctx)
    if pv.main is not None:
        seen: dict[str, Any] = {}
        for p in pv.main.parameters:
            earlier = seen.get(p.name)
            if earlier is not None and " ".join(earlier.value.split()) != " ".join(p.value.split()):
                ctx.report(
                    f"{p.name} is set again (first on line {earlier.line} to '{earlier.value}'); this later value "
                    "wins: delete one of the two",
                    path=pv.main_path,
                    line=p.line,
                    column=p.column,
                    fix=f"delete line {earlier.line} or this one",
                )
            seen[p.name] = p
    if pv.master is not None:
        for s in pv.master.services:
            given: dict[str, Any] = {}
            for o in s.overrides:
                if o.value is None:
                    continue
                earlier = given.get(o.name)
                if earlier is not None and earlier.value != o.value:
                    ctx.report(
                        f"service '{s.name} {s.type}' sets -o {o.name} twice (first '{earlier.value}' on line "
                        f"{earlier.line}); the later one wins: delete one",
                        path=pv.master_path,
                        line=o.line,
                        column=o.column,
                        fix="delete one of the two -o options",
                    )
                given[o.name] = o


def _known_postfix(pv: PostfixView) -> set[str]:
    known = set(pv.params) | NEWER_POSTFIX
    from mailconf.policy.rules._postfix import catalogue

    known |= set(catalogue().get("computed", []))
    known |= {"service_name", "process_name", "process_id"}
    return known


def _service_param(pv: PostfixView, name: str) -> bool:
    """``<service>_<parameter>`` for a master.cf service (any prefix when there is no master.cf)."""
    suffixes: set[str] = set(view_catalogue()["service_params"])
    services = {s.name for s in pv.master.services} if pv.master is not None else None
    start = name.find("_")
    while start > 0:
        if name[start + 1 :] in suffixes and (services is None or name[:start] in services):
            return True
        start = name.find("_", start + 1)
    return False


def view_catalogue() -> dict[str, Any]:
    from mailconf.policy.rules._postfix import catalogue

    return catalogue()


# Dovecot settings that appeared in 2.3: a 2.0-2.2 target does not know them (and refuses to start).
DOVECOT_23_NAMES = {
    "ssl_min_protocol": (2, 3),
    "ssl_dh": (2, 3),
    "ssl_curve_list": (2, 3),
    "submission_host": (2, 3),
    "submission_relay_host": (2, 3),
    "mail_attachment_detection_options": (2, 3),
    "ssl_client_require_valid_cert": (2, 3),
}


def _syn004_dovecot(ctx: Context) -> None:
    from mailconf.policy.registry import format_version

    target = ctx.dovecot_version
    if target is None or target >= (2, 3):
        return
    for path, number, text in _dovecot_content(ctx):
        m = _SETTING.match(text)
        if not m or m.group(1) not in DOVECOT_23_NAMES:
            continue
        name = m.group(1)
        ctx.report(
            f"{name} is a Dovecot {format_version(DOVECOT_23_NAMES[name])} setting; the target Dovecot "
            f"{format_version(target)} refuses to start on it (Unknown setting)"
            + ("; use ssl_protocols = !SSLv2 !SSLv3 there" if name == "ssl_min_protocol" else ""),
            path=path,
            line=number,
            column=m.start(1) + 1,
            fix=f"delete {name}",
            severity="error",
        )


@rule("SYN004", "warning", "setting name unknown to the target version (Dovecot: error)", needs=())
def syn004(ctx: Context) -> None:
    if ctx.cs.dovecot_conf_name is not None:
        _syn004_dovecot(ctx)
    if ctx.postfix is None:
        return
    pv = view(ctx)
    known = _known_postfix(pv)
    referenced: set[str] = set()
    settings = list(_all_settings(pv))
    for _name, value, *_ in settings:
        referenced.update(_references(value))
    reported: set[tuple[str, int]] = set()
    candidates = sorted(pv.params)
    for name, value, path, line, column, _service in settings:
        if name in known or name in referenced or _service_param(pv, name) or (path, line) in reported:
            continue
        reported.add((path, line))
        import difflib

        # did-you-mean for the first names only: a 300,000-line file must stay fast
        guess = difflib.get_close_matches(name, candidates, n=1, cutoff=0.8) if len(reported) <= 200 else []
        hint = f"; did you mean {guess[0]}?" if guess else "; remove it or check the spelling"
        ctx.report(
            f"unknown parameter {name} = {value}: Postfix ignores it ('unused parameter'){hint}",
            path=path,
            line=line,
            column=column,
            fix=f"{guess[0]} = {value}" if guess else f"delete {name}",
        )


@rule("SYN005", "warning", "$name refers to a parameter defined nowhere", needs=("postfix",))
def syn005(ctx: Context) -> None:
    pv = view(ctx)
    known = _known_postfix(pv) | set(pv.main_values)
    if pv.master is not None:
        known |= {o.name for s in pv.master.services for o in s.overrides}
    reported: set[tuple[str, int, str]] = set()
    for name, value, path, line, column, _service in _all_settings(pv):
        if name in RAW_POSTFIX:
            continue
        for ref in _references(value):
            if ref in known or _service_param(pv, ref) or (path, line, ref) in reported:
                continue
            reported.add((path, line, ref))
            ctx.report(
                f"{name} refers to ${ref}, which is defined nowhere and expands to empty ('undefined "
                f"parameter: {ref}'); define {ref} in main.cf or correct the name",
                path=path,
                line=line,
                column=column,
                fix=f"{ref} = ...",
            )


_TIME = Lazy(r"^\d+[smhdw]?$")
_TIME_PREFIX = Lazy(r"^\d+[smhdw]")
_INT = Lazy(r"-?\d+")
_DIGITS = Lazy(r"\d+")
_LEVEL = Lazy(r"\d+(\.\d+)*")
_PROTOCOL_SPLIT = Lazy(r"[\s,:]+")
_WAKEUP = Lazy(r"\d+\??")
_PROTO_TOKEN = Lazy(r"^(!|>=|<=)?(SSLv2|SSLv3|TLSv1|TLSv1\.1|TLSv1\.2|TLSv1\.3)$", IGNORECASE)


def _type_problem(name: str, value: str, spec: list[Any], enums: dict[str, list[str]]) -> tuple[str, str] | None:
    """(severity, message) for a value of the wrong type, or None."""
    kind = spec[0]
    text = value.strip()
    if kind == "bool" and text.lower() not in ("yes", "no"):
        return "error", f"{name} = {text} is not a boolean; write yes or no"
    if kind == "int" and name != "compatibility_level" and not _INT.fullmatch(text):
        return "error", f"{name} = {text} is not a number (no units: Postfix refuses '{text}')"
    if kind == "long" and not _DIGITS.fullmatch(text):
        return "error", f"{name} = {text} is not a plain number of bytes (Postfix has no size units)"
    if kind == "time" and not _TIME.match(text):
        if _TIME_PREFIX.match(text):
            return (
                "warning",
                f"{name} = {text} is read as {_TIME_PREFIX.match(text).group(0)} (only the first unit counts); "  # type: ignore[union-attr]
                "write one number and one unit",
            )
        return "error", f"{name} = {text} is not a time (a number with one of s m h d w)"
    if name == "compatibility_level" and not _LEVEL.fullmatch(text):
        return "error", f"compatibility_level = {text} is not a level like 2 or 3.6"
    if name in enums and spec[4] == "enum" and name != "compatibility_level" and " " not in text and "," not in text:
        allowed = enums[name]
        if text.lower() not in [a.lower() for a in allowed]:  # Postfix compares these case-insensitively
            return "error", f"{name} = {text} is not one of {', '.join(allowed)}"
    if name.endswith("_protocols") and "tls" in name:
        bad = [t for t in _PROTOCOL_SPLIT.split(text) if t and not _PROTO_TOKEN.match(t)]
        if bad:
            return "error", f"{name}: {', '.join(bad)} is not a TLS protocol name (SSLv3, TLSv1 ... TLSv1.3)"
    return None


@rule("SYN006", "error", "typed Postfix value invalid", needs=("postfix",))
def syn006(ctx: Context) -> None:
    pv = view(ctx)
    enums: dict[str, list[str]] = view_catalogue()["enums"]
    for name, value, path, line, column, _service in _all_settings(pv):
        spec = pv.params.get(name)
        if spec is None or "$" in value or not value.strip() or name in NEWER_POSTFIX:
            continue
        problem = _type_problem(name, value, spec, enums)
        if problem is not None:
            severity, message = problem
            ctx.report(message, path=path, line=line, column=column, severity=severity, fix=None)


@rule("SYN101", "error", "master.cf -o written so that the daemon fails or postconf misreads it", needs=("postfix",))
def syn101(ctx: Context) -> None:
    pv = view(ctx)
    if pv.master is None:
        return
    for s in pv.master.services:
        for o in s.overrides:
            if o.glued:
                what = f"'-o{o.name}=...' is glued: postconf misreads it; write '-o {o.name}=...'"
            elif o.spaced:
                what = (
                    f"'-o {o.name} = ...' has spaces around '=' without braces: the daemon fails at start; "
                    f"write '-o {o.name}=value' or '-o {{ {o.name} = value }}'"
                )
            elif o.value is None:
                what = f"'-o {o.name}' has no '=': the daemon fails at start; write '-o {o.name}=value'"
            else:
                continue
            ctx.report(
                f"service '{s.name} {s.type}': {what}",
                path=pv.master_path,
                line=o.line,
                column=o.column,
                fix=f"-o {o.name}=value",
            )


@rule("SYN102", "warning", "master.cf duplicate service, inet with private=y, or bad wakeup", needs=("postfix",))
def syn102(ctx: Context) -> None:
    pv = view(ctx)
    if pv.master is None:
        return
    seen: dict[tuple[str, str], Any] = {}
    for s in pv.master.services:
        earlier = seen.get(s.key)
        if earlier is not None:
            ctx.report(
                f"service '{s.name} {s.type}' is defined again (first on line {earlier.line}): master(8) refuses "
                "duplicates; delete one",
                path=pv.master_path,
                line=s.line,
                column=1,
                fix="delete one of the two entries",
            )
        seen[s.key] = s
        if s.type == "inet" and s.private == "y":
            ctx.report(
                f"inet service '{s.name}' has private = y: master(8) refuses it; write n in the private column",
                path=pv.master_path,
                line=s.line,
                column=1,
                fix="private = n",
            )
        if s.wakeup != "-" and not _WAKEUP.fullmatch(s.wakeup):
            ctx.report(
                f"service '{s.name} {s.type}': wakeup '{s.wakeup}' is not a number (optionally with ?) or '-'",
                path=pv.master_path,
                line=s.line,
                column=1,
                fix="wakeup = -",
            )


# -- Dovecot ----------------------------------------------------------------------------------


def _dovecot_lines(ctx: Context) -> Iterator[tuple[str, int, str]]:
    from mailconf.policy.rules._dovecot import view as dview

    return iter(dview(ctx).raw_lines())


def _dovecot_content(ctx: Context) -> Iterator[tuple[str, int, str]]:
    """The Dovecot lines that are neither blank nor comments, for the rules that skip those."""
    from mailconf.policy.rules._dovecot import view as dview

    return iter(dview(ctx).content_lines())


def _glued_hash(text: str) -> int | None:
    """Column of a '#' glued to a word outside quotes (doveconf's 'Ambiguous #'), else None."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == "\\":
                continue
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "#":
            if i > 0 and text[i - 1] not in " \t":
                return i + 1
            return None
    return None


@rule("SYN201", "warning", "Dovecot '#' glued to a word, or a quote that hides a comment", needs=("dovecot-text",))
def syn201(ctx: Context) -> None:
    for path, number, text in _dovecot_content(ctx):
        if "#" not in text:
            continue
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        column = _glued_hash(text)
        if column is not None:
            ctx.report(
                "'#' glued to a word starts a comment here ('Ambiguous '#' character'): "
                "the value ends before it; put a space before '#' or quote the value",
                path=path,
                line=number,
                column=column,
                fix='key = "value#with#hash"',
            )
            continue
        before = text.split("#", 1)[0] if "#" in text else text
        if "#" in text and (before.count('"') % 2 == 1 or before.count("'") % 2 == 1):
            ctx.report(
                "an unbalanced quote makes the '#' comment part of the value; close the quote",
                path=path,
                line=number,
                column=text.index("#") + 1,
                fix="close the quote",
            )


@rule("SYN202", "error", "Dovecot blank or comment line inside a '\\' continuation", needs=("dovecot-text",))
def syn202(ctx: Context) -> None:
    pending = False
    current = ""
    # only a line ending in "\\" starts a continuation: files without a backslash are skipped
    from mailconf.policy.rules._dovecot import view as dview

    plain = {path for path in dview(ctx).files if "\\" not in (ctx.text(path) or "")}
    for path, number, text in _dovecot_lines(ctx):
        if path in plain:
            continue
        if path != current:
            current, pending = path, False
        stripped = text.strip()
        if pending and (not stripped or stripped.startswith("#")):
            ctx.report(
                "a blank or comment line inside a '\\' continuation: Dovecot silently drops the buffered "
                "value; remove this line or the '\\' on the line before",
                path=path,
                line=number,
                column=1,
                fix="remove the line",
            )
            pending = False
            continue
        pending = bool(stripped) and not stripped.startswith("#") and text.rstrip().endswith("\\")


_OCTAL = Lazy(r"^\s*([a-z_]+)\s*=\s*([0-9]+)\s*(?:#.*)?$")
_OPEN = Lazy(r"^\s*([A-Za-z0-9_]+)(\s+\S+)?\s*\{\s*(#.*)?$")
_SETTING = Lazy(r"^\s*([A-Za-z0-9_]+)\s*=")
_OCTAL_KEYS = {"mode", "umask", "mail_umask"}


@rule("SYN203", "error", "Dovecot octal setting without a leading 0", needs=("dovecot-text",))
def syn203(ctx: Context) -> None:
    for path, number, text in _dovecot_content(ctx):
        if "mode" not in text and "umask" not in text:
            continue
        m = _OCTAL.match(text)
        if not m or m.group(1) not in _OCTAL_KEYS:
            continue
        value = m.group(2)
        if value.startswith("0") or len(value) < 3:
            continue
        ctx.report(
            f"{m.group(1)} = {value} is read as decimal ({int(value):o} in octal); write {m.group(1)} = 0{value}",
            path=path,
            line=number,
            column=m.start(2) + 1,
            fix=f"{m.group(1)} = 0{value}",
        )


LIST_SETTINGS_24 = {
    "protocols",
    "mail_plugins",
    "mail_global_plugins",
    "auth_mechanisms",
    "login_trusted_networks",
    "haproxy_trusted_networks",
    "listen",
    "import_environment",
    "mail_access_groups",
    "auth_policy_request_attributes",
    "ssl_curve_list",
    "namespace_list",
}


def _section_types() -> set[str]:
    from mailconf.dovecot.catalogue import Catalogue

    cat = Catalogue.for_version(None)
    names: set[str] = {"protocol", "local", "remote", "local_name", "plugin", "service", "dict"}

    def walk(sections: dict[str, Any]) -> None:
        for name, spec in sections.items():
            names.add(name)
            walk(getattr(spec, "sections", {}) or {})

    walk(cat.sections)
    return names


@rule("SYN204", "error", "Dovecot plain setting opened as a section", needs=("dovecot-text",))
def syn204(ctx: Context) -> None:
    from mailconf.dovecot.catalogue import Catalogue

    cat = Catalogue.for_version(None)
    sections = _section_types()
    if ctx.dovecot_at_least((2, 4), unknown=False):
        sections |= LIST_SETTINGS_24  # 2.4 writes list settings as blocks: mail_plugins { quota = yes }
    for path, number, text in _dovecot_content(ctx):
        if "{" not in text:
            continue
        m = _OPEN.match(text)
        if not m or m.group(1) in sections:
            continue
        if cat.spec(m.group(1)) is None:
            continue
        ctx.report(
            f"{m.group(1)} is a plain setting, not a section: write '{m.group(1)} = value'",
            path=path,
            line=number,
            column=m.start(1) + 1,
            fix=f"{m.group(1)} = value",
        )


ONLY_23 = {"ssl_cert", "ssl_key", "ssl_ca", "ssl_dh", "disable_plaintext_auth", "mail_location", "ssl_protocols"}
ONLY_24 = {
    "ssl_server_cert_file",
    "ssl_server_key_file",
    "ssl_server_ca_file",
    "ssl_server_dh_file",
    "auth_allow_cleartext",
    "mail_driver",
    "mail_path",
    "dovecot_storage_version",
}


@rule(
    "SYN205",
    "error",
    "Dovecot 2.3 and 2.4 settings mixed, or a 2.4 file without its version lines",
    needs=("dovecot-text",),
)
def syn205(ctx: Context) -> None:
    first: tuple[str, int, str] | None = None
    found23: list[tuple[str, int, str]] = []
    found24: list[tuple[str, int, str]] = []
    config_version: tuple[str, int] | None = None
    storage = False
    for path, number, text in _dovecot_content(ctx):
        m = _SETTING.match(text)
        if not m:
            continue
        key = m.group(1)
        if first is None:
            first = (path, number, key)
        if key == "dovecot_config_version":
            config_version = (path, number)
        elif key == "dovecot_storage_version":
            storage = True
        if key in ONLY_23:
            found23.append((path, number, key))
        elif key in ONLY_24:
            found24.append((path, number, key))
    if config_version is not None:
        if first is not None and first[2] != "dovecot_config_version":
            ctx.report(
                "dovecot_config_version must be the first setting of a Dovecot 2.4 configuration; move it to "
                "the top of dovecot.conf",
                path=first[0],
                line=first[1],
                column=1,
                fix="dovecot_config_version = 2.4.0 (first line)",
            )
        if not storage:
            ctx.report(
                "a Dovecot 2.4 configuration needs dovecot_storage_version; add dovecot_storage_version = 2.4.0",
                path=config_version[0],
                line=config_version[1],
                column=1,
                fix="dovecot_storage_version = 2.4.0",
            )
        for path, number, key in found23:
            ctx.report(
                f"{key} is a Dovecot 2.3 setting in a 2.4 configuration (doveconf: Unknown setting); use its 2.4 name",
                path=path,
                line=number,
                column=1,
                fix="rename to the 2.4 setting",
            )
    elif found24:
        path, number, key = found24[0]
        ctx.report(
            f"{key} is a Dovecot 2.4 setting but the configuration has no dovecot_config_version (it reads as "
            "2.3); write the 2.3 name, or convert the whole file to 2.4",
            path=path,
            line=number,
            column=1,
            fix="use the 2.3 name",
        )
