#!/usr/bin/env python3
"""Build mailconf/postfix/data/catalogue.json from real Postfix releases.

Sources (see docs/catalogue.md):

* ``postconf -d`` run with an empty configuration directory: every built-in name and its default
  expression; run again with a master.cf that names one service per delivery agent to learn the
  service-derived ``<service>_*`` names;
* the postconf(5) manual of the same release: the version that introduced each parameter (the
  first "This feature is available in Postfix X.Y and later" sentence of the parameter's own
  section), the default unit of time parameters ("The default time unit is ..."), list and
  lookup-table wording for subtypes;
* facts kept in this script (``LONG``, ``RAW``, ``STRING``, ``SINCE``, ``LISTS``, ``ENUMS``,
  ``CHANGED_IN``) from the Postfix sources and manual that cannot be read off postconf or the
  manual's regular sentences.

Two releases are read: the base (``--postconf``, by default the installed ``postconf``, Postfix
3.7 on Debian 12) and optionally a newer one (``--postconf310``, e.g. ``"chroot /srv/trixie
postconf"`` for Debian 13's Postfix 3.10). Defaults are the base release's; the newer release adds
its new names and the defaults that changed (``default_changes``).

Run: ``.venv/bin/python scripts/build_postfix_catalogue.py [--postconf310 "chroot DIR postconf"]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "mailconf" / "postfix" / "data" / "catalogue.json"
MAN = "usr/share/man/man5/postconf.5.gz"
AGENTS = ["local", "error", "virtual", "smtp", "lmtp", "pipe", "spawn"]
PREFIX = "zzsvc"

# Parameters that Postfix never expands (CONFIG_RAW_TABLE entries in the Postfix sources).
RAW = [
    "command_execution_directory",
    "default_rbl_reply",
    "forward_path",
    "luser_relay",
    "mailbox_command",
    "postscreen_expansion_filter",
    "postscreen_reject_footer",
    "smtpd_expansion_filter",
    "smtpd_reject_footer",
]
# Parameters stored as C long (CONFIG_LONG_TABLE): byte sizes.
LONG = ["mailbox_size_limit", "message_size_limit", "queue_minfree", "virtual_mailbox_limit"]
# Strings in the Postfix sources although their default is all digits.
STRING = ["compatibility_level", "lmtp_tcp_port", "mail_release_date", "maillog_file_permissions", "milter_protocol"]
# Introduced before any "available in" sentence says so: (version, what postconf(5) says instead).
SINCE: dict[str, str] = {
    "always_add_missing_headers": "2.6",  # "Postfix 2.6 and later add these headers only when ..."
    "undisclosed_recipients_header": "2.4",  # "With Postfix 2.4-2.7, specify an empty value to disable"
}
# Comma/whitespace lists whose manual text does not say "separated by comma or whitespace".
LISTS = [
    "canonical_classes",
    "debug_peer_list",
    "defer_transports",
    "hash_queue_names",
    "inet_interfaces",
    "known_tcp_ports",
    "lmtp_discard_lhlo_keywords",
    "maps_rbl_domains",
    "masquerade_domains",
    "non_smtpd_milters",
    "notify_classes",
    "parent_domain_matches_subdomains",
    "permit_mx_backup_networks",
    "postscreen_discard_ehlo_keywords",
    "postscreen_forbidden_commands",
    "propagate_unmatched_extensions",
    "proxy_interfaces",
    "receive_override_options",
    "recipient_canonical_classes",
    "sender_canonical_classes",
    "smtp_connection_cache_destinations",
    "smtp_discard_ehlo_keywords",
    "smtp_sasl_security_options",
    "smtp_sasl_tls_security_options",
    "smtp_sasl_tls_verified_security_options",
    "smtp_tls_fingerprint_cert_match",
    "smtp_tls_mandatory_exclude_ciphers",
    "smtpd_discard_ehlo_keywords",
    "smtpd_forbid_bare_newline_exclusions",
    "smtpd_forbidden_commands",
    "smtpd_milters",
    "smtpd_noop_commands",
    "smtpd_restriction_classes",
    "smtpd_sasl_security_options",
    "smtpd_sasl_tls_security_options",
    "smtpd_tls_mandatory_exclude_ciphers",
    "smtputf8_autodetect_classes",
    "tls_disable_workarounds",
    "tls_eecdh_auto_curves",
    "tls_ffdhe_auto_groups",
    "tls_ssl_options",
    "virtual_mailbox_domains",
]
# Values are computed by Postfix at run time (host name, interfaces, process): `postconf -d`
# shows the value for this machine.
COMPUTED = ["myhostname", "mydomain", "mynetworks", "process_id", "process_name"]

TLS_LEVELS_CLIENT = ["none", "may", "encrypt", "dane", "dane-only", "fingerprint", "verify", "secure"]
TLS_LEVELS_SERVER = ["none", "may", "encrypt"]
CIPHER_GRADES = ["export", "low", "medium", "high", "null"]
DIGESTS = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"]
ENUMS: dict[str, list[str]] = {
    "smtp_tls_security_level": TLS_LEVELS_CLIENT,
    "lmtp_tls_security_level": TLS_LEVELS_CLIENT,
    "smtpd_tls_security_level": TLS_LEVELS_SERVER,
    "postscreen_tls_security_level": TLS_LEVELS_SERVER,
    "tlsproxy_tls_security_level": TLS_LEVELS_SERVER,
    "tlsproxy_client_security_level": TLS_LEVELS_CLIENT,
    "tlsproxy_client_level": TLS_LEVELS_CLIENT,
    "smtp_tls_dane_insecure_mx_policy": ["dane", "may"],
    "lmtp_tls_dane_insecure_mx_policy": ["dane", "may"],
    "mynetworks_style": ["class", "subnet", "host"],
    "inet_protocols": ["all", "ipv4", "ipv6"],
    "compatibility_level": ["0", "1", "2", "3.6"],
    "smtpd_tls_ciphers": CIPHER_GRADES,
    "smtpd_tls_mandatory_ciphers": CIPHER_GRADES,
    "smtp_tls_ciphers": CIPHER_GRADES,
    "smtp_tls_mandatory_ciphers": CIPHER_GRADES,
    "lmtp_tls_ciphers": CIPHER_GRADES,
    "lmtp_tls_mandatory_ciphers": CIPHER_GRADES,
    "tlsproxy_tls_ciphers": CIPHER_GRADES,
    "tlsproxy_tls_mandatory_ciphers": CIPHER_GRADES,
    "tlsproxy_client_ciphers": CIPHER_GRADES,
    "tlsproxy_client_mandatory_ciphers": CIPHER_GRADES,
    "smtpd_tls_fingerprint_digest": DIGESTS,
    "smtp_tls_fingerprint_digest": DIGESTS,
    "lmtp_tls_fingerprint_digest": DIGESTS,
    "tlsproxy_tls_fingerprint_digest": DIGESTS,
    "tlsproxy_client_fingerprint_digest": DIGESTS,
    "postscreen_dnsbl_action": ["ignore", "enforce", "drop"],
    "postscreen_greet_action": ["ignore", "enforce", "drop"],
    "postscreen_blacklist_action": ["ignore", "enforce", "drop"],
    "postscreen_denylist_action": ["ignore", "enforce", "drop"],
    "postscreen_bare_newline_action": ["ignore", "enforce", "drop"],
    "postscreen_non_smtp_command_action": ["ignore", "enforce", "drop"],
    "postscreen_pipelining_action": ["ignore", "enforce", "drop"],
    "smtpd_sasl_type": ["cyrus", "dovecot"],
    "smtp_sasl_type": ["cyrus", "dovecot"],
    "lmtp_sasl_type": ["cyrus", "dovecot"],
}

# The release line that first shipped a default that differs between the base and the newer
# release (postconf(5) of 3.10 and the release notes). A change back-ported to patch releases
# counts from the oldest line after the base that got it; names not listed count from the newer
# release itself (the change may be older: then 3.8 and 3.9 show the base default).
CHANGED_IN: dict[str, str] = {
    # "The default setting is "dane" as of Postfix versions 3.6.17, 3.7.13, 3.8.8, 3.9.2, 3.10.0"
    "smtp_tls_dane_insecure_mx_policy": "3.8",
    # "shutdown ... Available in Postfix 3.11, 3.10.8, 3.9.9, 3.8.15, 3.7.20" and "The current
    # default action is shutdown": taken as the default from those patch releases on (not verified)
    "milter_default_action": "3.8",
    # "(default: Postfix >= 3.9: normalize)", "(default: Postfix >= 3.9: yes)"
    "smtpd_forbid_bare_newline": "3.9",
    "smtpd_forbid_unauth_pipelining": "3.9",
    # "Ignored as of Postfix 3.8" (export and low grades are gone, the others exclude more ciphers)
    "tls_export_cipherlist": "3.8",
    "tls_low_cipherlist": "3.8",
}

_FONT = re.compile(r"\\f[BIRP]")
# The sentence of a parameter's own paragraphs that says when it appeared: "This feature is
# available in Postfix 2.10 and later.", "This feature is available in Postfix >= 3.9, 3.8.4,
# 3.7.9", "Available in Postfix version 2.2 and later."
_AVAILABLE = re.compile(
    r"(?:^|(?<=[.:] ))((?:This (?:feature|parameter)[^.]*? available|Available) (?:in|with|since) Postfix"
    r" (?:version )?(?:>= ?)?(\d+\.\d+(?:\.\d+)?(?:,? (?:and )?\d+\.\d+(?:\.\d+)?)*)(?:[^.]|\.\d)*)"
)
_VERSION = re.compile(r"\b(\d+)\.(\d+)(?:\.\d+)?\b")
_LIST_WORDS = re.compile(
    r"separated by (?:a )?(?:whitespace|white space|commas?|space)|(?:comma|whitespace)-(?: or whitespace-)?separated"
    r"|comma- or whitespace-separated|Specify a list of|list of zero or more|separated by whitespace and/or commas"
)
_MAPS_WORDS = re.compile(
    r'(?:Specify|Optional) (?:zero or more |one or more |the name of a )?"?type:(?:table|name)"? lookup table'
    r"|Optional lookup tables?|Specify zero or more lookup tables"
)
_MAP_SUFFIXES = ("_maps", "_checks", "_map", "_per_site")
_MAP_NAMES = ("alias_database",)


@dataclass
class Release:
    """What one Postfix release says about its parameters."""

    version: str  # "3.7.11"
    builtin: dict[str, str]  # name -> default, empty master.cf
    services: dict[str, str]  # zzsvc<agent>_<suffix> -> default
    sections: dict[str, list[tuple[bool, str]]]  # postconf(5): name -> paragraphs (is an .IP item, text)

    @property
    def line(self) -> str:
        return ".".join(self.version.split(".")[:2])


def key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def parse_postconf(out: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for line in out.splitlines():
        name, _, value = line.partition(" = ")
        if not value and line.endswith(" ="):
            name, value = line[:-2], ""
        result[name] = value
    return result


def chroot_of(command: list[str]) -> Path | None:
    """The root directory when the command runs postconf in a chroot (``chroot DIR postconf``)."""
    if len(command) >= 3 and Path(command[0]).name == "chroot":
        return Path(command[1])
    return None


def man_sections(path: Path) -> dict[str, list[tuple[bool, str]]]:
    """postconf(5) per parameter: its paragraphs, each flagged when it belongs to an ``.IP`` item
    (a value's description rather than the parameter's own text)."""
    text = gzip.decompress(path.read_bytes()).decode("latin-1")
    sections: dict[str, list[tuple[bool, str]]] = {}
    for chunk in re.split(r"^\.SH ", text, flags=re.M)[1:]:
        head, _, body = chunk.partition("\n")
        name = head.split(" ", 1)[0]
        if not re.fullmatch(r"[A-Za-z0-9_]+", name) or name.isupper():
            continue
        paragraphs: list[tuple[bool, str]] = []
        item, words = False, list[str]()
        for line in body.splitlines():
            if line.startswith((".PP", ".IP", ".TP", ".sp")):
                if words:
                    paragraphs.append((item, " ".join(" ".join(words).split())))
                words = []
                if line.startswith(".PP"):
                    item = False
                elif line.startswith((".IP", ".TP")):
                    item = True
                continue
            if re.match(r"\.(?:nf|fi|ad|na|br|in|ft)\b", line):
                continue
            words.append(_FONT.sub("", line).replace("\\-", "-").replace("\\&", ""))
        if words:
            paragraphs.append((item, " ".join(" ".join(words).split())))
        sections[name] = paragraphs
    return sections


def read_release(command: list[str], man: Path, prefix: str) -> Release:
    root = chroot_of(command)
    scratch = (root / "tmp") if root is not None else None
    with tempfile.TemporaryDirectory(prefix=prefix, dir=scratch) as tmp:
        empty, services = Path(tmp) / "empty", Path(tmp) / "services"
        for d in (empty, services):
            d.mkdir()
            (d / "main.cf").write_text("")
        (empty / "master.cf").write_text("")
        (services / "master.cf").write_text("".join(f"{PREFIX}{a} unix - n n - - {a}\n" for a in AGENTS))
        old = time.time() - 3600
        for p in [*empty.iterdir(), *services.iterdir()]:
            os.utime(p, (old, old))

        def run(directory: Path) -> dict[str, str]:
            inside = "/" + str(directory.relative_to(root)) if root is not None else str(directory)
            out = subprocess.run([*command, "-c", inside, "-d"], check=True, capture_output=True, text=True).stdout
            return parse_postconf(out)

        builtin = run(empty)
        with_services = run(services)
    return Release(
        builtin["mail_version"],
        builtin,
        {n: v for n, v in with_services.items() if n.startswith(PREFIX)},
        man_sections(man),
    )


def own_text(paragraphs: list[tuple[bool, str]]) -> str:
    return " ".join(text for item, text in paragraphs if not item)


def since_of(paragraphs: list[tuple[bool, str]]) -> str | None:
    """The first "available in Postfix X.Y" sentence of the parameter's own paragraphs (not of a
    value's item, not "Available as <old name>", not "... and earlier"); when it lists back-ports
    ("3.9, 3.8.4, 3.7.9") the oldest release line."""
    for item, text in paragraphs:
        if item:
            continue
        for found in _AVAILABLE.finditer(text):
            sentence, listed = found.group(1), found.group(2)
            if "and earlier" in sentence or sentence.startswith(("Available as", "Available before")):
                continue
            oldest = min((int(a), int(b)) for a, b in _VERSION.findall(listed))
            return f"{oldest[0]}.{oldest[1]}"
    return None


def unit_of(paragraphs: list[tuple[bool, str]]) -> str | None:
    found = re.search(r"default time unit is (\w)", own_text(paragraphs))
    return found.group(1) if found else None


_CHOICE = re.compile(r"\?\s*\{([^{}]*)\}\s*:\s*\{([^{}]*)\}")
_FALLBACK = re.compile(r"^\$\{\w+:([^{}]*)\}$")


def value_type(value: str, types: dict[str, str]) -> str | None:
    """bool/int/time/string of one literal or ``$name`` value; None when it says nothing (empty, unknown name)."""
    value = value.strip()
    if not value:
        return None
    if value in ("yes", "no"):
        return "bool"
    if re.fullmatch(r"-?\d+", value):
        return "int"
    if re.fullmatch(r"\d+[smhdw]", value):
        return "time"
    ref = re.fullmatch(r"\$\{?(\w+)\}?", value)
    if ref:
        return types.get(ref.group(1))
    return "string"


def infer_type(
    name: str, default: str, paragraphs: list[tuple[bool, str]], types: dict[str, str], pending: set[str]
) -> str | None:
    """The storage type; None when it is ``$name`` of a parameter in ``pending`` (not typed yet)."""
    if name in RAW:
        return "raw"
    if name in LONG:
        return "long"
    if name in STRING:
        return "string"
    if unit_of(paragraphs) is not None:
        return "time"
    alternatives = _CHOICE.findall(default)
    fallback = _FALLBACK.match(default)
    if alternatives:
        values = [v for pair in alternatives for v in pair]
        if any((ref := re.fullmatch(r"\$\{?(\w+)\}?", v.strip())) and ref.group(1) in pending for v in values):
            return None
        unit = re.search(r"\}([smhdw])$", default)
        found = {value_type(v, types) for v in values} - {None}
        if unit and found <= {"int"}:
            return "time"
        if len(found) == 1 and found <= {"bool", "int", "time"}:
            return found.pop()
        return "string"
    if fallback is not None:
        found_type = value_type(fallback.group(1), types)
        return found_type if found_type in ("bool", "int", "time") else "string"
    ref = re.fullmatch(r"\$\{?(\w+)\}?", default)
    if ref and ref.group(1) in pending:
        return None
    found_type = value_type(default, types)
    return found_type or "string"


def subtype_of(name: str, ptype: str, paragraphs: list[tuple[bool, str]]) -> str | None:
    if name in ENUMS:
        return "enum"
    if ptype != "string":
        return None
    text = own_text(paragraphs)
    if re.fullmatch(r"smtpd_\w+_restrictions", name):
        return "restrictions"
    if name in LISTS:
        return "list"
    if name.endswith(_MAP_SUFFIXES) or name in _MAP_NAMES or _MAPS_WORDS.search(text):
        return "maps"
    if _LIST_WORDS.search(text):
        return "list"
    return None


def type_all(defaults: dict[str, str], sections: dict[str, list[tuple[bool, str]]]) -> dict[str, str]:
    """Types of every name; ``$name`` defaults take the type of the parameter they name."""
    types: dict[str, str] = {}
    pending = set(defaults)
    for _ in range(10):
        for name in sorted(pending):
            found = infer_type(name, defaults[name], sections.get(name, []), types, pending)
            if found is not None:
                types[name] = found
        pending.difference_update(types)
        if not pending:
            break
    for name in pending:
        types[name] = "string"
    return types


def service_table(release: Release, types: dict[str, str]) -> dict[str, list[object]]:
    table: dict[str, list[object]] = {}
    for name, default in release.services.items():
        agent, _, suffix = name[len(PREFIX) :].partition("_")
        ref = default[1:] if default.startswith("$") else ""
        entry = table.setdefault(suffix, [types.get(ref, "string"), default, []])
        agents = entry[2]
        assert isinstance(agents, list)
        agents.append(agent)
    return table


def default_refs(release: Release, known: set[str]) -> set[str]:
    return {
        ref
        for name, default in release.builtin.items()
        if name not in RAW
        for ref in re.findall(r"\$\{?\(?(\w+)", default)
        if ref not in known
    }


_REPLACED = re.compile(
    r"(?:renamed|replaced)[^.]*? in Postfix (?:version )?(\d+\.\d+)"
    r"|Postfix (?:version )?(\d+\.\d+) (?:this parameter is )?renamed"
    r"|Available before Postfix version (\d+\.\d+)"
)


def legacy_names(
    refs: set[str], params: dict[str, list[object]], sections: dict[str, list[tuple[bool, str]]]
) -> dict[str, list[object]]:
    """Old names that built-in defaults still honour: ``old -> [since, replaced_in, replacement]``.
    ``since`` from the old name's own section, ``replaced_in`` the replacement's date when it is
    later, else what the old section says ("renamed ... in Postfix 3.7", "Postfix version 2.1
    renamed", "Available before Postfix version 2.0"); None when the manual does not say."""
    table: dict[str, list[object]] = {}
    for old in sorted(refs):
        users = [name for name, spec in params.items() if re.search(rf"\$\{{?\(?{old}\b", str(spec[1]))]
        if len(users) != 1:
            continue
        new = users[0]
        paragraphs = sections.get(old, [])
        since = since_of(paragraphs)
        new_since = params[new][2]
        replaced: str | None = None
        if since is not None and isinstance(new_since, str) and key(new_since) > key(since):
            replaced = new_since
        else:
            found = _REPLACED.search(own_text(paragraphs))
            replaced = next((g for g in found.groups() if g), None) if found else None
        table[old] = [since, replaced, new]
    return table


def build(base: Release, newer: Release | None) -> dict[str, object]:
    releases = [base] if newer is None else [base, newer]
    defaults = dict(base.builtin)
    for release in releases[1:]:
        for name, default in release.builtin.items():
            defaults.setdefault(name, default)
    defaults["process_id"] = ""
    # The newest manual describes every name; the base manual fills the gaps.
    sections = dict(base.sections)
    for release in releases[1:]:
        sections.update(release.sections)
    types = type_all(defaults, sections)
    params: dict[str, list[object]] = {}
    for name in sorted(defaults):
        ptype = types[name]
        paragraphs = sections.get(name, [])
        unit = unit_of(paragraphs) if ptype == "time" else None
        if ptype == "time" and unit is None:
            # the unit letter of the default ("1000s", "${stress?{10}:{300}}s"), else that of the
            # parameter the default names; Postfix falls back to seconds
            letter = re.search(r"[\d}]([smhdw])$", defaults[name])
            ref = re.fullmatch(r"\$\{?(\w+)\}?", defaults[name])
            unit = letter.group(1) if letter else unit_of(sections.get(ref.group(1), [])) if ref else None
            unit = unit or "s"
        since = SINCE.get(name) or since_of(paragraphs)
        params[name] = [ptype, defaults[name], since, unit, subtype_of(name, ptype, paragraphs)]
    # lmtp_* twins ("The LMTP-specific version of ...") and "$name" defaults read as the parameter
    # they follow.
    for _ in range(3):
        for name, spec in params.items():
            ref = re.fullmatch(r"\$\{?(\w+)\}?", str(spec[1]))
            twin = "smtp_" + name[5:] if name.startswith("lmtp_") else ref.group(1) if ref else ""
            if spec[4] is None and twin in params and params[twin][4] not in (None, "enum") and spec[0] == "string":
                spec[4] = params[twin][4]
    # "since" must agree with what each release's postconf knows: a name of the base release is at
    # most the base line (back-ports: "3.9, 3.8.4, 3.7.9"); a name new in the newer release is
    # after the base line (lmtp_* twins of undated smtp_* names take the smtp_* date).
    for name, spec in params.items():
        dated = spec[2]
        if name in base.builtin:
            if isinstance(dated, str) and key(dated) > key(base.line):
                spec[2] = base.line
            continue
        assert newer is not None
        if dated is None and name.startswith("lmtp_"):
            dated = params.get("smtp_" + name[5:], [None, None, None])[2]
        if not isinstance(dated, str) or key(dated) <= key(base.line):
            print(f"warning: {name}: new in {newer.line}, manual says {dated}; using {newer.line}", file=sys.stderr)
            dated = newer.line
        spec[2] = dated if key(dated) <= key(newer.line) else newer.line
    changes: list[list[str]] = []
    if newer is not None:
        for name in sorted(set(base.builtin) & set(newer.builtin)):
            if name in COMPUTED or base.builtin[name] == newer.builtin[name]:
                continue
            changes.append([CHANGED_IN.get(name, newer.line), name, newer.builtin[name]])
    service_params = service_table(base, types)
    for release in releases[1:]:
        for suffix, entry in service_table(release, types).items():
            if suffix not in service_params or service_params[suffix][1:] != entry[1:]:
                print(f"warning: service suffix {suffix} differs in {release.version}", file=sys.stderr)
            service_params.setdefault(suffix, entry)
    refs = set().union(*(default_refs(r, set(defaults)) for r in releases))
    return {
        "source": "postconf -d and postconf(5) of Postfix " + " and ".join(r.version for r in releases),
        "installed": base.version,
        "versions": [r.version for r in releases],
        "computed": COMPUTED,
        "default_refs": sorted(refs),
        "default_changes": changes,
        "legacy": legacy_names(refs, params, sections),
        "enums": ENUMS,
        "params": params,
        "service_params": service_params,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--postconf", default="postconf", help="base release's postconf command (default: postconf)")
    parser.add_argument("--man", type=Path, help=f"base release's postconf(5) (default: /{MAN} of its root)")
    parser.add_argument("--postconf310", help='newer release\'s postconf, e.g. "chroot /srv/trixie postconf"')
    parser.add_argument("--man310", type=Path, help=f"newer release's postconf(5) (default: /{MAN} of its chroot)")
    parser.add_argument("--scratch-prefix", default="mailconf-catalogue-", help="name prefix of the scratch dirs")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)

    def release(command_text: str, man: Path | None) -> Release:
        command = shlex.split(command_text)
        root = chroot_of(command) or Path("/")
        return read_release(command, man or root / MAN, args.scratch_prefix)

    base = release(args.postconf, args.man)
    newer = release(args.postconf310, args.man310) if args.postconf310 else None
    if newer is not None and key(newer.line) <= key(base.line):
        parser.error(f"--postconf310 runs Postfix {newer.version}, not newer than {base.version}")
    data = build(base, newer)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    params = data["params"]
    assert isinstance(params, dict)
    print(
        f"{args.output}: {len(params)} parameters from {', '.join(r.version for r in [base, newer] if r)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
