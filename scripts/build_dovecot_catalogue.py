#!/usr/bin/env python3
"""Rebuild mailconf/dovecot/data/catalogue_2_3.json from the installed Dovecot 2.3 ``doveconf``.

Usage: ``.venv/bin/python scripts/build_dovecot_catalogue.py [--doveconf PATH] [--out FILE]``, then
``.venv/bin/python scripts/build_dovecot_catalogue.py --v24`` for the 2.4 catalogue (derived from
the 2.3 one and the 2.4 upgrade notes transcribed below).

What it asks doveconf (nothing is copied from Dovecot's sources):

* ``doveconf -c /dev/null -a``: every global setting with its default (in doveconf's export
  format) and the built-in services with their per-service defaults and listeners;
* ``doveconf -a`` on small probe files (``namespace x { mailbox y {} }``, ``passdb {}``, ...):
  the settings of each section type;
* each setting set to an invalid value: the error message tells its type (bool, number, size,
  time, enum, port, string); a time setting set to ``1s`` tells seconds from milliseconds;
* enum values: the ``a:b:c`` strings in Dovecot's binaries that start with the default value;
* ``doveconf -c /dev/null -n``: the lines doveconf prints for an empty configuration (settings
  whose default is computed at run time, e.g. managesieve capabilities).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "mailconf" / "dovecot" / "data" / "catalogue_2_3.json"

# (section type, probe file text opening it, closing text, path of the block in -a output)
PROBES: list[tuple[str, str, str, str]] = [
    ("namespace", "namespace probens {\n", "}\n", "namespace probens"),
    (
        "namespace/mailbox",
        "namespace probens {\nmailbox probembox {\n",
        "}\n}\n",
        "namespace probens/mailbox probembox",
    ),
    ("passdb", "passdb {\n", "}\n", "passdb"),
    ("userdb", "userdb {\n", "}\n", "userdb"),
    ("service", "service probesvc {\n", "}\n", "service probesvc"),
    (
        "service/inet_listener",
        "service probesvc {\ninet_listener probel {\n",
        "}\n}\n",
        "service probesvc/inet_listener probel",
    ),
    (
        "service/unix_listener",
        "service probesvc {\nunix_listener probel {\n",
        "}\n}\n",
        "service probesvc/unix_listener probel",
    ),
    (
        "service/fifo_listener",
        "service probesvc {\nfifo_listener probel {\n",
        "}\n}\n",
        "service probesvc/fifo_listener probel",
    ),
    ("metric", "metric probemetric {\n", "}\n", "metric probemetric"),
    ("event_exporter", "event_exporter probeexp {\n", "}\n", "event_exporter probeexp"),
]
STRLISTS = ["plugin", "dict"]  # sections taking any key = value


def doveconf(exe: str, text: str, *args: str) -> tuple[int, str, str]:
    with tempfile.NamedTemporaryFile("w", suffix=".conf", encoding="latin-1") as f:
        f.write(text)
        f.flush()
        proc = subprocess.run([exe, "-c", f.name, *args], capture_output=True, timeout=60)
    return proc.returncode, proc.stdout.decode("latin-1"), proc.stderr.decode("latin-1")


def parse_dump(text: str) -> dict[str, Any]:
    """doveconf output as nested dicts: {"settings": {..}, "blocks": [(header, dict), ...]}."""
    root: dict[str, Any] = {"settings": {}, "blocks": []}
    stack = [root]
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        s = line.strip()
        if s == "}":
            stack.pop()
        elif s.endswith(" {") and " = " not in s:
            node: dict[str, Any] = {"settings": {}, "blocks": []}
            stack[-1]["blocks"].append((s[:-2], node))
            stack.append(node)
        else:
            key, _, value = s.partition(" = ")
            if key.endswith(" ="):
                key, value = key[:-2], ""
            if len(value) >= 2 and value[0] == '"' and value[-1] == '"':  # doveconf quotes some values
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            stack[-1]["settings"][key] = value
    return root


def find_block(tree: dict[str, Any], path: str) -> dict[str, Any]:
    node = tree
    for part in path.split("/"):
        node = next(n for h, n in node["blocks"] if h == part)
    return node


def classify(err: str) -> str | None:
    table = [
        ("Invalid boolean value", "bool"),
        ("Invalid size", "size"),
        ("Invalid time interval", "time"),
        ("is missing units", "time"),
        ("Invalid port", "port"),
        ("Invalid number", "number"),
        ("Invalid value", "enum"),
    ]
    for needle, kind in table:
        if needle in err:
            return kind
    return None


# Settings doveconf checks word by word after reading (errors without a line number). The
# candidate words (from the Dovecot documentation) are each verified with the installed doveconf;
# only the accepted ones are kept. "whole": the value is one name, not a list.
WORD_CHECKS: dict[str, tuple[list[str], bool]] = {
    "imap_client_workarounds": (["delay-newmail", "tb-extra-mailbox-sep", "tb-lsub-flags"], False),
    "pop3_client_workarounds": (["outlook-no-nuls", "oe-ns-eoh"], False),
    "lmtp_client_workarounds": (["whitespace-before-path", "mailbox-for-path"], False),
    "submission_client_workarounds": (
        ["whitespace-before-path", "mailbox-for-path", "implicit-auth-external", "exotic-mail-params"],
        False,
    ),
    "managesieve_client_workarounds": ([], False),
    "imapc_features": (
        [
            "rfc822.size",
            "fetch-headers",
            "gmail-migration",
            "search",
            "zimbra-workarounds",
            "no-examine",
            "proxyauth",
            "fetch-msn-workarounds",
            "fetch-fix-broken-mails",
            "modseq",
            "delay-login",
            "no-metadata",
            "no-qresync",
            "throttle",
            "fetch-bodystructure",
            "acl",
            "no-acl",
            "fetch-empty-is-expunged",
            "send-id",
        ],
        False,
    ),
    "pop3c_features": (["no-pipelining"], False),
    "dsync_features": (["empty-header-workaround", "no-header-hashes"], False),
    "mail_attachment_detection_options": (
        ["add-flags", "add-flags-on-save", "exclude-inlined", "content-type=x"],
        False,
    ),
    "ssl_options": (["no_compression", "no_ticket"], False),
    "syslog_facility": (
        ["auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog", "user", "uucp"]
        + [f"local{i}" for i in range(8)],
        True,
    ),
    "protocols": (["imap", "pop3", "lmtp", "sieve", "submission", "none"], False),
}


def word_checks(exe: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, (candidates, whole) in WORD_CHECKS.items():
        _rc, _out, err = doveconf(exe, f"{name} = zzprobe\n", "-n")
        m = re.search(r"Error in configuration file [^:]*: (.*zzprobe.*)", err)
        message = m.group(1).replace("zzprobe", "{}") if m else f"{name}: Unknown value: {{}}"
        valid = [w for w in candidates if doveconf(exe, f"{name} = {w}\n", "-n")[0] == 0]
        valid = [w[:-1] if w.endswith("=x") else w for w in valid]  # "content-type=": a prefix
        out[name] = {"valid": valid, "message": message, "whole": whole}
    return out


def enum_strings(root: Path = Path("/")) -> list[list[str]]:
    found: set[str] = set()
    lib = root / "usr/lib/dovecot"
    paths = [p for p in lib.rglob("*") if p.is_file() and not p.is_symlink()]
    paths += [root / "usr/sbin/dovecot", root / "usr/bin/doveconf", root / "usr/bin/doveadm"]
    pat = re.compile(rb"(?:[a-z0-9][a-z0-9_.+-]*)?(?::[a-z0-9_.+-]*)+")  # ":a:b": an empty default first
    for p in paths:
        try:
            data = p.read_bytes()
        except OSError:
            continue
        for m in re.finditer(rb"(?<=\x00)" + pat.pattern + rb"(?=\x00)", data):
            found.add(m.group().decode())
    return [s.split(":") for s in sorted(found)]


# Dovecot 2.4 facts from the documentation's 2.3 -> 2.4 upgrade pages (names, not code).
# RENAMED_24: 2.3 name -> 2.4 replacement ("" when removed). NEW_24: 2.4 names with (type, default).
RENAMED_24: dict[str, str] = {
    "acl": "acl_driver",
    "acl_anyone": "imap_acl_allow_anyone",
    "auth_debug": "log_debug",
    "auth_default_realm": "auth_default_domain",
    "auth_policy_server_timeout_msecs": "http_client_request_timeout",
    "auth_worker_max_count": "",
    "default_idle_kill": "default_idle_kill_interval",
    "disable_plaintext_auth": "auth_allow_cleartext",
    "doveadm_http_rawlog_dir": "http_client_rawlog_dir",
    "push_notification_backend": "push_notification_driver",
    "mail_crypt_require_encrypted_user_key": "crypt_user_key_require_encrypted",
    "verbose_ssl": "log_debug",
    "mail_attachment_dir": "mail_ext_attachment_path",
    "mail_attachment_fs": "fs",
    "mail_attachment_hash": "mail_ext_attachment_hash",
    "mail_attachment_min_size": "mail_ext_attachment_min_size",
    "mail_attribute_dict": "dict",
    "mail_location": "mail_driver",
    "notify_status_dict": "dict",
    "notify_status_mailbox": "mailbox_notify_status",
    "fts_autoindex_exclude": "fts_autoindex",
    "fts_decoder": "fts_decoder_driver",
    "fts_enforced": "fts_search_add_missing",
    "fts_index_timeout": "fts_search_timeout",
    "fts_solr": "fts_solr_url",
    "fts_tika": "fts_decoder_tika_url",
    "fts_language_config": "textcat_config_path",
    "fts_languages": "language",
    "fts_filters": "language_filters",
    "fts_tokenizers": "language_tokenizers",
    "lazy_expunge": "lazy_expunge_mailbox",
    "quota_grace": "quota_storage_grace",
    "quota_over_flag": "quota_over_status_current",
    "quota_over_flag_lazy_check": "quota_over_status_lazy_check",
    "quota_over_flag_value": "quota_over_status_mask",
    "quota_over_script": "quota_over_status",
    "quota_max_mail_size": "quota_mail_size",
    "ssl_alt_cert": "ssl_server_alt_cert_file",
    "ssl_alt_key": "ssl_server_alt_key_file",
    "ssl_ca": "ssl_server_ca_file",
    "ssl_ca_dir": "ssl_client_ca_dir",
    "ssl_ca_file": "ssl_client_ca_file",
    "ssl_cert": "ssl_server_cert_file",
    "ssl_cert_username_field": "ssl_server_cert_username_field",
    "ssl_client_cert": "ssl_client_cert_file",
    "ssl_client_key": "ssl_client_key_file",
    "ssl_dh": "ssl_server_dh_file",
    "ssl_key": "ssl_server_key_file",
    "ssl_key_password": "ssl_server_key_password",
    "ssl_prefer_server_ciphers": "ssl_server_prefer_ciphers",
    "ssl_require_crl": "ssl_server_require_crl",
    "ssl_verify_client_cert": "ssl_server_request_client_cert",
    "stats_http_rawlog_dir": "http_client_rawlog_dir",
    # removed outright
    "auth_stats": "",
    "dict_db_config": "",
    "imap_id_log": "",
    "login_access_sockets": "",
    "quota_set": "",
    "sieve_dir": "",
    "sieve_global_dir": "",
    "sieve_global_path": "",
    "sieve_vacation_max_subject_codepoints": "",
}

# section-level renames (2.3 name inside the section -> 2.4 name)
SECTION_RENAMED_24: dict[str, dict[str, str]] = {
    "service": {"idle_kill": "idle_kill_interval", "service_count": "restart_request_count"},
    "passdb": {"default_fields": "passdb_fields", "override_fields": "passdb_fields"},
    "userdb": {"default_fields": "userdb_fields", "override_fields": "userdb_fields"},
    "namespace": {"location": "mail_driver"},
    "inet_listener": {"address": "listen"},
}

# sections gone in 2.4 ("plugin" settings became global settings)
REMOVED_SECTIONS_24 = ("plugin",)

NEW_24: dict[str, tuple[str, str]] = {
    "dovecot_config_version": ("string", ""),
    "dovecot_storage_version": ("string", ""),
    "acl_driver": ("string", ""),
    "imap_acl_allow_anyone": ("bool", "no"),
    "auth_default_domain": ("string", ""),
    "auth_allow_cleartext": ("bool", "no"),
    "default_idle_kill_interval": ("time", "1 mins"),
    "http_client_request_timeout": ("time_msecs", "1 mins"),
    "http_client_rawlog_dir": ("string", ""),
    "push_notification_driver": ("string", ""),
    "crypt_user_key_require_encrypted": ("bool", "no"),
    "crypt_user_key_password": ("string", ""),
    "crypt_user_key_encryption_key": ("string", ""),
    "event_exporter_time_format": ("string", "rfc3339"),
    "event_exporter_driver": ("string", "log"),
    "mail_ext_attachment_path": ("string", ""),
    "mail_ext_attachment_hash": ("string", "%{sha1}"),
    "mail_ext_attachment_min_size": ("size", "128 k"),
    "mail_driver": ("string", ""),
    "mail_path": ("string", ""),
    "mail_index_path": ("string", ""),
    "mail_index_private_path": ("string", ""),
    "mail_inbox_path": ("string", ""),
    "mail_control_path": ("string", ""),
    "mail_cache_path": ("string", ""),
    "mail_alt_path": ("string", ""),
    "mailbox_list_layout": ("string", "fs"),
    "mailbox_notify_status": ("bool", "no"),
    "fts_autoindex": ("bool", "no"),
    "fts_decoder_driver": ("string", ""),
    "fts_decoder_script_socket_path": ("string", ""),
    "fts_decoder_tika_url": ("string", ""),
    "fts_search_add_missing": ("bool", "yes"),
    "fts_search_read_fallback": ("bool", "yes"),
    "fts_search_timeout": ("time", "30 secs"),
    "fts_solr_url": ("string", ""),
    "textcat_config_path": ("string", ""),
    "language_filters": ("string", ""),
    "language_tokenizers": ("string", ""),
    "lazy_expunge_mailbox": ("string", ""),
    "quota_storage_grace": ("string", "10%"),
    "quota_over_status_current": ("string", ""),
    "quota_over_status_lazy_check": ("bool", "no"),
    "quota_over_status_mask": ("string", ""),
    "quota_mail_size": ("size", "0"),
    "ssl_server_alt_cert_file": ("string", ""),
    "ssl_server_alt_key_file": ("string", ""),
    "ssl_server_ca_file": ("string", ""),
    "ssl_client_ca_file": ("string", ""),
    "ssl_client_ca_dir": ("string", ""),
    "ssl_server_cert_file": ("string", ""),
    "ssl_server_cert_username_field": ("string", "commonName"),
    "ssl_client_cert_file": ("string", ""),
    "ssl_client_key_file": ("string", ""),
    "ssl_server_dh_file": ("string", ""),
    "ssl_server_key_file": ("string", ""),
    "ssl_server_key_password": ("string", ""),
    "ssl_server_prefer_ciphers": ("string", "client"),
    "ssl_server_require_crl": ("bool", "yes"),
    "ssl_server_request_client_cert": ("bool", "no"),
    "passdb_fields": ("string", ""),
    "userdb_fields": ("string", ""),
    "passdb_driver": ("string", ""),
    "userdb_driver": ("string", ""),
    # "added settings" of the upgrade notes (defaults not given there are left empty)
    "auth_internal_failure_delay": ("time", ""),
    "fts_message_max_size": ("size", ""),
    "login_socket_path": ("string", ""),
    "quota_mailbox_count": ("string", ""),
    "quota_mailbox_message_count": ("string", ""),
    "submission_add_received_header": ("bool", ""),
    "cassandra_log_retries": ("bool", ""),
    # defaults the upgrade notes give as changed in 2.4
    "mailbox_list_drop_noselect": ("bool", "yes"),
    "mail_cache_max_headers_count": ("number", "100"),
    "mail_cache_max_header_name_length": ("number", "100"),
}


def build_24(base_path: Path, out: Path) -> None:
    """The 2.4 catalogue: 2.3's names minus what 2.4 renamed or removed, plus 2.4's new names.

    Source of the 2.4 facts: the Dovecot documentation's 2.3 -> 2.4 upgrade pages (tables
    above). The result is marked ``"complete": false``: names 2.4 added that the upgrade pages
    do not list are missing.
    """
    base = json.loads(base_path.read_text(encoding="utf-8"))
    settings = {k: v for k, v in base["settings"].items() if k not in RENAMED_24}
    for name, (kind, default) in NEW_24.items():
        settings[name] = {"type": kind, "default": default}
    sections = {}
    for path, sec in base["sections"].items():
        if path in REMOVED_SECTIONS_24:
            continue
        renamed = SECTION_RENAMED_24.get(path.split("/")[-1], {})
        new_settings = {k: v for k, v in sec["settings"].items() if k not in renamed}
        for new in renamed.values():
            new_settings.setdefault(new, {"type": "string", "default": ""})
        sections[path] = {"settings": new_settings, "strlist": sec.get("strlist", False)}
    data = {
        "version": "2.4",
        "complete": False,
        "generated_by": "scripts/build_dovecot_catalogue.py --v24",
        "settings": dict(sorted(settings.items())),
        "sections": sections,
        "renamed_from_23": RENAMED_24,
        "section_renamed_from_23": SECTION_RENAMED_24,
        "removed_sections": list(REMOVED_SECTIONS_24),
    }
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"{out}: {len(settings)} settings (2.4, from the 2.3 catalogue and the upgrade notes)")


# Dovecot 2.4, asked from a real 2.4 doveconf (e.g. in a Debian 13 chroot: --doveconf24 "chroot
# /srv/trixie doveconf" --root24 /srv/trixie). Probe files are written below ROOT/tmp and named to
# doveconf by their path inside ROOT.
V24_HEAD = "dovecot_config_version = 2.4.1\ndovecot_storage_version = 2.4.1\n"


class Doveconf24:
    def __init__(self, command: str, root: str) -> None:
        self.command = shlex.split(command)
        self.root = Path(root)

    def run(self, text: str, *args: str, head: bool = True) -> tuple[int, str, str]:
        tmp = self.root / "tmp"
        with tempfile.NamedTemporaryFile("w", suffix=".conf", dir=tmp, encoding="latin-1") as f:
            f.write((V24_HEAD if head else "") + text)
            f.flush()
            inner = "/" + str(Path(f.name).relative_to(self.root))
            proc = subprocess.run([*self.command, "-c", inner, *args], capture_output=True, timeout=60)
        return proc.returncode, proc.stdout.decode("latin-1"), proc.stderr.decode("latin-1")

    def error(self, text: str) -> str:
        """The message of doveconf's first error for TEXT ("" when it accepts it)."""
        _rc, _out, err = self.run(text, "-n")
        m = re.search(r"(?:Fatal|Error): (?:Error in configuration file .* line \d+: )?(.*)", err)
        return m.group(1) if m else ""


REFUSED = ("Unknown section", "Unknown setting", "Expecting", "not allowed", "Invalid", "missing section name")


def classify24(err: str) -> str | None:
    if "Setting is a string list" in err:
        return "strlist"
    return classify(err)


def build_24_real(dc: Doveconf24, out: Path, root: Path) -> None:
    """The 2.4 catalogue from a real Dovecot 2.4 doveconf: ``-d`` gives every setting and its
    default; probes give types, list kinds, enum values, secrets, filters."""
    _rc, text, _err = dc.run("", "-d", "-s")  # -s: the hidden settings too (base_dir, ...)
    header = text.splitlines()[0]
    version = header.split()[1]
    dump = parse_dump(text)
    shown = set(parse_dump(dc.run("", "-d")[1])["settings"])
    settings: dict[str, dict[str, Any]] = {k: {"default": v} for k, v in dump["settings"].items()}
    for name, spec in settings.items():
        if name not in shown:
            spec["hidden"] = True
    # read by the config parser itself, never listed (it must be the first setting)
    settings["dovecot_config_version"] = {"default": ""}
    service_defaults: dict[str, Any] = {}
    filter_defaults: dict[str, Any] = {}  # defaults Dovecot sets inside filters (mbox { ... }) and groups
    for head, node in dump["blocks"]:
        kind, _, name = head.partition(" ")
        if kind == "group" or (service_defaults and kind != "service"):
            filter_defaults[head] = node
        elif kind == "service":
            entry: dict[str, Any] = {"settings": node["settings"], "listeners": {}, "lists": {}}
            for h, child in node["blocks"]:
                ltype, _, lname = h.partition(" ")
                if lname:
                    entry["listeners"].setdefault(ltype, {})[parse_name(lname)] = child["settings"]
                else:  # a list setting the service changes (imap_capability)
                    entry["lists"][ltype] = child["settings"]
            service_defaults[name] = entry
        else:  # a list setting with a non-empty default
            settings[head] = {"default": "", "list_default": node["settings"]}

    def probe(item: tuple[str, dict[str, Any]]) -> None:
        name, spec = item
        kind = classify24(dc.error(f"{name} = @probe\n"))
        if kind is None:
            block = dc.error(f"{name} {{\n  probekey = @probe\n}}\n")
            if "Invalid boolean value" in block:
                kind = "boollist"
            elif not block and "list_default" in spec:
                kind = "strlist"
        spec["type"] = kind or "string"
        if spec["type"] == "number" and re.fullmatch(r"0[0-7]+", spec["default"]):
            spec["type"] = "octal"
        if spec["type"] == "time" and (spec["default"].endswith(" ms") or not dc.error(f"{name} = 100ms\n")):
            spec["type"] = "time_msecs"

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(probe, list(settings.items())))

    def secret(item: tuple[str, dict[str, Any]]) -> None:
        name, spec = item
        _rc, text, _err = dc.run(f"{name} = zzsecret\n", "-n")
        if "= # hidden" in text:
            spec["secret"] = True

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(secret, [(n, s) for n, s in settings.items() if s["type"] == "string"]))

    def not_in_net_filter(item: tuple[str, dict[str, Any]]) -> None:
        name, spec = item
        value = spec["default"] or "x"
        text = f"local 192.0.2.1 {{\n{name} {{\nprobe = yes\n}}\n}}\n" if spec["type"].endswith("list") else ""
        text = text or f"local 192.0.2.1 {{\n{name} = {value}\n}}\n"
        if "not supported inside local/remote blocks" in dc.error(text):
            spec["no_net_filter"] = True

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(not_in_net_filter, list(settings.items())))

    candidates = enum_strings(root)

    def enum_values(item: tuple[str, dict[str, Any]]) -> None:
        name, spec = item
        matches = [c for c in candidates if c[0] == spec["default"] and any(c)]
        # only "Invalid value" refuses a word (later checks may fail for other reasons)
        good = [c for c in matches if all("Invalid value" not in dc.error(f"{name} = {v}\n") for v in c if v)]
        best = sorted(good, key=len, reverse=True)[:1]
        spec["values"] = best[0] if best else [spec["default"]]

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(enum_values, [(n, s) for n, s in settings.items() if s["type"] == "enum"]))

    # filters: prefixes of setting names that open a section (named "x {" or plain "x {")
    prefixes = set()
    for name in settings:
        parts = name.split("_")
        for i in (1, 2, 3):
            if len(parts) > i:
                prefixes.add("_".join(parts[:i]))
    prefixes -= set(settings)
    # filters whose settings do not share their name (dict_server holds dict sections)
    prefixes |= {"protocol", "local", "remote", "local_name", "metric", "event_exporter", "unix_listener"}
    prefixes |= {"dict_server", "mail_attribute", "mail_attachment", "quota_clone", "auth_policy"}
    filters: dict[str, dict[str, Any]] = {}

    def refused(text: str) -> bool:  # a later check (e.g. a missing metric filter) still means the section exists
        err = dc.error(text)
        return any(w in err for w in REFUSED)

    def filter_probe(prefix: str) -> None:
        named = not refused(f"{prefix} probename {{\n}}\n")
        plain = not refused(f"{prefix} {{\n}}\n")
        if named or plain:
            filters[prefix] = {"named": named, "plain": plain}

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(filter_probe, sorted(prefixes)))
    for head in filter_defaults:  # filters Dovecot itself fills (mbox, sdbox, passdb_passwd_file ...)
        if " " not in head:
            filters.setdefault(head, {"named": False, "plain": True})
    sections: dict[str, dict[str, Any]] = {}
    for prefix in sorted(filters):
        own = {k[len(prefix) + 1 :]: v for k, v in settings.items() if k.startswith(prefix + "_")}
        sections[prefix] = {"settings": own, "strlist": False, **filters[prefix]}
    for parent, child in (
        ("namespace", "mailbox"),
        ("service", "inet_listener"),
        ("service", "unix_listener"),
        ("service", "fifo_listener"),
    ):
        if child in sections:
            sections[f"{parent}/{child}"] = sections[child]

    # boolean lists doveconf checks word by word after reading: the message, and which of the
    # candidate words (the 2.3 lists, the documentation's event and field names) it accepts
    candidates24 = {name: words for name, (words, _whole) in WORD_CHECKS.items()}
    candidates24["mail_log_events"] = [
        "delete", "undelete", "expunge", "save", "copy", "mailbox_create", "mailbox_delete",
        "mailbox_rename", "flag_change", "append",
    ]  # fmt: skip
    candidates24["mail_log_fields"] = ["uid", "box", "msgid", "size", "vsize", "flags", "from", "subject"]
    word_checks: dict[str, Any] = {}
    for name, spec in settings.items():
        if spec["type"] != "boollist":
            continue
        m = re.search(r"Error in configuration file [^:]*: (.*zzprobe.*)", dc.run(f"{name} = zzprobe\n", "-n")[2])
        if not m:
            continue
        valid = [w for w in candidates24.get(name, []) if not dc.error(f"{name} = {w}\n")]
        valid = [w[:-1] if w.endswith("=x") else w for w in valid]  # "content-type=": a prefix
        word_checks[name] = {"valid": valid, "message": m.group(1).replace("zzprobe", "{}")}

    _rc, _out, err = dc.run("dovecot_config_version = 0\n", "-n", head=False)
    m = re.search(r"Currently supported versions are: (.*)", err)
    config_versions = m.group(1).split() if m else []

    data = {
        "version": version,
        "complete": True,
        "config_versions": config_versions,
        "generated_by": "scripts/build_dovecot_catalogue.py --v24 --doveconf24 ... --root24 ...",
        "settings": dict(sorted(settings.items())),
        "sections": sections,
        "service_defaults": service_defaults,
        "filter_defaults": filter_defaults,
        "word_checks": word_checks,
        "baseline_n": [],
        # the upgrade pages' renames, minus old names the real 2.4 still knows (auth_debug)
        "renamed_from_23": {k: v for k, v in RENAMED_24.items() if k not in settings},
        "section_renamed_from_23": SECTION_RENAMED_24,
        "removed_sections": list(REMOVED_SECTIONS_24),
    }
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    kinds: dict[str, int] = {}
    for spec in settings.values():
        kinds[spec["type"]] = kinds.get(spec["type"], 0) + 1
    print(
        f"{out}: Dovecot {version}: {len(settings)} settings {kinds}, {len(filters)} filters, "
        f"{len(service_defaults)} services"
    )


def parse_name(text: str) -> str:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--doveconf", default="doveconf")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--v24", action="store_true", help="build catalogue_2_4.json")
    ap.add_argument("--doveconf24", help="a Dovecot 2.4 doveconf command, e.g. 'chroot /srv/trixie doveconf'")
    ap.add_argument("--root24", default="/", help="the root the 2.4 command sees (the chroot directory)")
    ns = ap.parse_args()
    if ns.v24 and ns.doveconf24:
        root = Path(ns.root24)
        build_24_real(Doveconf24(ns.doveconf24, str(root)), OUT.with_name("catalogue_2_4.json"), root)
        return 0
    if ns.v24:
        build_24(Path(ns.out), OUT.with_name("catalogue_2_4.json"))
        return 0
    exe = ns.doveconf

    _rc, out, _ = doveconf(exe, "", "-a")
    header = out.splitlines()[0]
    version = header.split()[1]
    base = parse_dump(out)
    settings: dict[str, dict[str, Any]] = {k: {"default": v} for k, v in base["settings"].items()}
    services: dict[str, Any] = {}
    for head, node in base["blocks"]:
        kind, _, name = head.partition(" ")
        if kind == "service":
            services[name] = node

    sections: dict[str, dict[str, Any]] = {}
    for kind, opener, closer, path in PROBES:
        _rc, out, _err = doveconf(exe, opener + closer, "-a")
        block = find_block(parse_dump(out), path)
        sections[kind] = {
            "settings": {k: {"default": v} for k, v in block["settings"].items()},
            "strlist": False,
        }
    for kind in STRLISTS:
        sections[kind] = {"settings": {}, "strlist": True}

    # type probes
    jobs: list[tuple[dict[str, Any], str]] = []
    for name, spec in settings.items():
        jobs.append((spec, f"{name} = @probe\n"))
    for kind, opener, closer, _path in PROBES:
        for name, spec in sections[kind]["settings"].items():
            jobs.append((spec, f"{opener}{name} = @probe\n{closer}"))

    def probe(job: tuple[dict[str, Any], str]) -> None:
        spec, text = job
        _rc, _out, err = doveconf(exe, text, "-n")
        # only errors doveconf raises while reading a line tell the type; later checks do not
        m = re.search(r"Error in configuration file .* line \d+: (.*)", err)
        kind = classify(m.group(1)) if m else None
        spec["type"] = kind or "string"
        if m and kind is None:
            spec["probe_error"] = m.group(1)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(probe, jobs))

    # number vs octal; time vs milliseconds
    def refine(spec: dict[str, Any]) -> None:
        default = spec["default"]
        if spec["type"] == "number" and re.fullmatch(r"0[0-7]+", default):
            spec["type"] = "octal"
        if spec["type"] == "time" and default.endswith(" ms"):
            spec["type"] = "time_msecs"

    for spec in settings.values():
        refine(spec)
    for sec in sections.values():
        for spec in sec["settings"].values():
            refine(spec)

    # milliseconds settings whose default is 0 cannot be told by their default: ask doveconf
    def msec_probe(item: tuple[str, dict[str, Any], str, str]) -> None:
        name, spec, opener, closer = item
        rc, _out, _err = doveconf(exe, f"{opener}{name} = 100ms\n{closer}", "-n")
        if rc == 0:  # plain time settings refuse milliseconds
            spec["type"] = "time_msecs"

    items = [(n, s, "", "") for n, s in settings.items() if s["type"] == "time"]
    for kind, opener, closer, _path in PROBES:
        items += [(n, s, opener, closer) for n, s in sections[kind]["settings"].items() if s["type"] == "time"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(msec_probe, items))

    # settings doveconf -n prints when set to the value -a shows as their default (the built-in
    # default differs from what -a prints, e.g. a size that -a shows as 0)
    def set_prints(item: tuple[str, dict[str, Any]]) -> None:
        name, spec = item
        value = spec["default"]
        shown = f'"{value}"' if value != value.strip() or "#" in value else value
        _rc, out, _err = doveconf(exe, f"{name} = {shown}\n", "-n")
        if any(line.startswith(name + " =") for line in out.splitlines()):
            spec["set_prints"] = True

    dynamic = {ln.partition(" = ")[0] for ln in doveconf(exe, "", "-n")[1].splitlines()}

    # settings doveconf refuses inside local/remote filters (the auth process's settings)
    def not_in_net_filter(item: tuple[str, dict[str, Any]]) -> None:
        name, spec = item
        _rc, _out, err = doveconf(exe, f"remote 192.0.2.1 {{\n{name} = {spec['default'] or 'x'}\n}}\n", "-n")
        if "not supported inside local/remote blocks" in err:
            spec["no_net_filter"] = True

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(not_in_net_filter, list(settings.items())))

    # settings doveconf -n hides ("# hidden, use -P to show it")
    def secret(item: tuple[str, dict[str, Any]]) -> None:
        name, spec = item
        _rc, out, _err = doveconf(exe, f"{name} = zzsecret\n", "-n")
        if f"{name} = # hidden" in out:
            spec["secret"] = True

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(secret, [(n, s) for n, s in settings.items() if s["type"] == "string"]))
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(set_prints, [(n, s) for n, s in settings.items() if n not in dynamic]))

    # enum values
    candidates = enum_strings()

    def enum_values(spec: dict[str, Any], name: str) -> None:
        default = spec["default"]
        matches = [c for c in candidates if c[0] == default]
        if len(matches) > 1:  # several lists start with the same default: ask doveconf which
            good = []
            for cand in matches:
                ok = all(
                    "Invalid value" not in doveconf(exe, f"{spec['_opener']}{name} = {v}\n{spec['_closer']}", "-n")[2]
                    for v in cand
                    if v
                )
                if ok:
                    good.append(cand)
            matches = sorted(good, key=len, reverse=True)[:1]
        spec["values"] = matches[0] if matches else [default]

    for name, spec in settings.items():
        if spec["type"] == "enum":
            spec["_opener"], spec["_closer"] = "", ""
            enum_values(spec, name)
    for kind, opener, closer, _path in PROBES:
        for name, spec in sections[kind]["settings"].items():
            if spec["type"] == "enum":
                spec["_opener"], spec["_closer"] = opener, closer
                enum_values(spec, name)
    for spec in list(settings.values()) + [s for sec in sections.values() for s in sec["settings"].values()]:
        spec.pop("_opener", None)
        spec.pop("_closer", None)

    _rc, base_n, _ = doveconf(exe, "", "-n")
    baseline = [ln for ln in base_n.splitlines() if not ln.startswith("# ")]

    service_defaults: dict[str, Any] = {}
    for name, node in services.items():
        entry: dict[str, Any] = {"settings": node["settings"], "listeners": {}}
        for head, child in node["blocks"]:
            ltype, _, lname = head.partition(" ")
            entry["listeners"].setdefault(ltype, {})[lname] = child["settings"]
        service_defaults[name] = entry

    data = {
        "version": version,
        "generated_by": "scripts/build_dovecot_catalogue.py",
        "settings": dict(sorted(settings.items())),
        "sections": sections,
        "service_defaults": service_defaults,
        "baseline_n": baseline,
        "word_checks": word_checks(exe),
    }
    Path(ns.out).write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{ns.out}: {len(settings)} settings, {len(sections)} section types, {len(services)} services")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
