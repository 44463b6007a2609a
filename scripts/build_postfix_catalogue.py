#!/usr/bin/env python3
"""Build mailconf/postfix/data/catalogue.json from the installed Postfix.

Sources (see docs/catalogue.md):

* ``postconf -d`` run with an empty configuration directory: every built-in name and its default
  expression for the installed version; run again with a master.cf that names one service per
  delivery agent to learn the service-derived ``<service>_*`` names;
* the installed postconf(5) manual (``/usr/share/man/man5/postconf.5.gz``): the version that
  introduced each parameter ("This feature is available in Postfix X.Y and later") and the
  default unit of time parameters ("The default time unit is ...");
* ``scripts/postfix_catalogue_extra.json``-style knowledge kept in this script (``LONG``, ``RAW``,
  ``ENUMS``, ``NEWER``): facts from the Postfix sources (mail_params.h, the postconf tables) and
  the postconf(5) text of newer releases that cannot be read off the installed tool.

Run: ``.venv/bin/python scripts/build_postfix_catalogue.py`` (needs ``postconf`` and its manual).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "mailconf" / "postfix" / "data" / "catalogue.json"
MAN = Path("/usr/share/man/man5/postconf.5.gz")

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

# Parameters added in Postfix 3.8, 3.9 and 3.10, read from proto/postconf.proto of the Postfix
# sources ("%PARAM name default" and "This feature is available in Postfix >= X.Y"): name ->
# (type, default, since, time unit). Names from 3.11 and later (requiretls_*, smtp_log_tls_feature_status,
# smtpd_reject_filter_maps, ...) are deliberately not listed. Partial: parameters documented
# outside the proto's chronological tail may be missing (see docs/catalogue.md).
NEWER: dict[str, tuple[str, str, str, str]] = {
    "use_srv_lookup": ("string", "", "3.8", ""),
    "ignore_srv_lookup_error": ("bool", "no", "3.8", ""),
    "allow_srv_lookup_fallback": ("bool", "no", "3.8", ""),
    "smtpd_client_ipv4_prefix_length": ("int", "32", "3.8", ""),
    "smtpd_client_ipv6_prefix_length": ("int", "84", "3.8", ""),
    "tls_ffdhe_auto_groups": ("string", "ffdhe2048 ffdhe3072", "3.8", ""),
    "maillog_file_permissions": ("string", "0600", "3.9", ""),
    "smtpd_tls_enable_rpk": ("bool", "no", "3.9", ""),
    "tlsproxy_tls_enable_rpk": ("bool", "$smtpd_tls_enable_rpk", "3.9", ""),
    "smtp_tls_enable_rpk": ("bool", "no", "3.9", ""),
    "lmtp_tls_enable_rpk": ("bool", "no", "3.9", ""),
    "tls_config_name": ("string", "", "3.9", ""),
    "force_mime_input_conversion": ("bool", "no", "3.9", ""),
    "smtp_tlsrpt_enable": ("bool", "no", "3.10", ""),
    "smtp_tlsrpt_socket_name": ("string", "", "3.10", ""),
    "smtp_tlsrpt_skip_reused_handshakes": ("bool", "yes", "3.10", ""),
    "smtp_tls_enforce_sts_mx_patterns": ("bool", "yes", "3.10", ""),
    "lmtp_tls_enforce_sts_mx_patterns": ("bool", "yes", "3.10", ""),
    "full_name_encoding_charset": ("string", "utf-8", "3.10", ""),
    "socketmap_max_reply_size": ("int", "100000", "3.10", ""),
    "tls_required_enable": ("bool", "yes", "3.10", ""),
    "smtpd_hide_client_session": ("bool", "no", "3.10", ""),
}
# Defaults that changed in later releases (same source): (since, name, default).
DEFAULT_CHANGES: list[tuple[str, str, str]] = [
    ("3.9", "smtpd_forbid_bare_newline", "normalize"),
    ("3.9", "smtpd_forbid_unauth_pipelining", "yes"),
]


def postconf_d(directory: Path) -> dict[str, str]:
    out = subprocess.run(["postconf", "-c", str(directory), "-d"], check=True, capture_output=True, text=True).stdout
    result: dict[str, str] = {}
    for line in out.splitlines():
        name, _, value = line.partition(" = ")
        if not value and line.endswith(" ="):
            name, value = line[:-2], ""
        result[name] = value
    return result


def man_sections() -> dict[str, str]:
    text = gzip.decompress(MAN.read_bytes()).decode("latin-1")
    sections: dict[str, str] = {}
    for chunk in re.split(r"^\.SH ", text, flags=re.M)[1:]:
        head, _, body = chunk.partition("\n")
        name = head.split(" ", 1)[0]
        if re.fullmatch(r"[a-z0-9_]+", name):
            body = re.sub(r"\\f[BIRP]", "", body).replace("\\-", "-")
            sections[name] = " ".join(body.split())
    return sections


def since_of(body: str) -> str | None:
    found = re.search(r"available in Postfix (?:version )?(\d+\.\d+)", body)
    if found is None:
        found = re.search(r"Postfix (\d+\.\d+) and later", body)
    return found.group(1) if found else None


def unit_of(body: str) -> str | None:
    found = re.search(r"default time unit is (\w)", body)
    return found.group(1) if found else None


def subtype_of(name: str, body: str) -> str | None:
    if name in ENUMS:
        return "enum"
    if name.endswith("_restrictions") or name == "smtpd_restriction_classes":
        return "restrictions" if name.endswith("_restrictions") else "list"
    if name.endswith(("_maps", "_checks")) or '"type:name" lookup table' in body:
        return "maps"
    if "separated by comma" in body or "separated by whitespace" in body or "Specify a list" in body:
        return "list"
    return None


def infer_type(name: str, default: str, body: str, defaults: dict[str, str], depth: int = 0) -> str:
    if name in RAW:
        return "raw"
    if name in LONG:
        return "long"
    if unit_of(body) is not None:
        return "time"
    if default in ("yes", "no") or re.search(r"\{(yes|no)\} : \{(yes|no)\}", default):
        return "bool"
    if re.fullmatch(r"-?\d+", default):
        return "int"
    if re.fullmatch(r"\d+[smhdw]", default):
        return "time"
    ref = re.fullmatch(r"\$\{?(\w+)\}?", default)
    if ref and ref.group(1) in defaults and depth < 5:
        target = ref.group(1)
        return infer_type(target, defaults[target], "", defaults, depth + 1)
    return "string"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        empty, services = Path(tmp) / "empty", Path(tmp) / "services"
        empty.mkdir()
        services.mkdir()
        for d in (empty, services):
            (d / "main.cf").write_text("")
        (empty / "master.cf").write_text("")
        agents = ["local", "error", "virtual", "smtp", "lmtp", "pipe", "spawn"]
        (services / "master.cf").write_text("".join(f"zzsvc{agent} unix - n n - - {agent}\n" for agent in agents))
        old = time.time() - 3600
        for p in [*empty.iterdir(), *services.iterdir()]:
            os.utime(p, (old, old))
        builtin = postconf_d(empty)
        with_services = postconf_d(services)
    version = builtin["mail_version"]
    sections = man_sections()
    service_params: dict[str, list[object]] = {}
    for name, default in with_services.items():
        if not name.startswith("zzsvc"):
            continue
        agent, _, suffix = name[len("zzsvc") :].partition("_")
        entry = service_params.setdefault(suffix, ["", default, []])
        entry_agents = entry[2]
        assert isinstance(entry_agents, list)
        entry_agents.append(agent)
    params: dict[str, list[object]] = {}
    for name in sorted(builtin):
        default = "" if name in ("process_id",) else builtin[name]
        body = sections.get(name, "")
        ptype = infer_type(name, default, body, builtin)
        params[name] = [
            ptype,
            default,
            since_of(body),
            unit_of(body) if ptype == "time" else None,
            subtype_of(name, body),
        ]
    installed = ".".join(version.split(".")[:2])
    for spec in params.values():
        since = spec[2]
        if isinstance(since, str) and tuple(map(int, since.split("."))) > tuple(map(int, installed.split("."))):
            spec[2] = installed  # a back-ported feature ("Postfix >= 3.9, 3.8.4, 3.7.9")
    default_refs = sorted(
        {
            ref
            for name, default in builtin.items()
            if name not in RAW
            for ref in re.findall(r"\$\{?\(?(\w+)", default)
            if ref not in builtin
        }
    )
    for entry in service_params.values():
        default = str(entry[1])
        ref = default[1:] if default.startswith("$") else ""
        entry[0] = str(params[ref][0]) if ref in params else "string"
    for name, (ptype, default, since, unit) in NEWER.items():
        params.setdefault(name, [ptype, default, since, unit or None, subtype_of(name, "")])
    data = {
        "source": f"postconf -d of Postfix {version}, postconf(5) of {version}",
        "installed": version,
        "computed": COMPUTED,
        "default_refs": default_refs,
        "default_changes": DEFAULT_CHANGES,
        "enums": ENUMS,
        "params": params,
        "service_params": service_params,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"{OUT}: {len(params)} parameters, {len(service_params)} service suffixes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
