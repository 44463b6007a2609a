"""What Dovecot 2.4's ``doveconf -n`` / ``-N`` / ``-a`` prints for a 2.4 configuration.

2.4 differs from 2.3 in ways that make a separate emulation simpler than a mode of
:mod:`mailconf.dovecot.config` (facts checked against doveconf 2.4.1, see
tests/dovecot/test_doveconf24.py):

* setting names are flat (``inet_listener_port``); inside a filter ``T`` a key ``K`` means ``T_K``
  (or ``T_NAME_K``, or ``K`` itself); the output strips ``T_`` again;
* values are printed as written (``auth_cache_ttl = 3600s`` stays ``3600s``), only checked;
* at the top level ``-n`` prints values that differ from the default; inside a filter every
  setting that was set is printed, even to its default;
* a top-level setting whose name starts with a plain filter's prefix (``ssl_server_cert_file``)
  is printed inside that filter (``ssl_server { cert_file = ... }``);
* filters are printed in the order they were first opened; named list filters (``namespace x``,
  ``service x``) always, other filters only when something inside them is printed;
* boolean lists: ``name = a b`` replaces the list and prints as one string; blocks
  (``name { a = yes }``) add to it and print as a block unless a string assignment came first;
  a block starts from the default at the top level and in a built-in service, empty elsewhere.

Also emulated (facts from doveconf 2.4.1, fixtures under tests/dovecot/doveconf24/):

* ``NAME`` lookups (``-h``: values only), of settings, of filters (``namespace``, ``passdb``,
  ``ssl_server``, a group label ``@tls``) and of settings a group included at the top level gives;
  ``-h`` on a name holding several values fails with "Multiple settings matched with -h parameter";
* doveconf's checks after reading (errors without a line number; see :meth:`Config24.check` for
  the order): Sieve's start-up (``Failed to initialize Sieve`` after Sieve's own lines; Sieve
  plugins not in ``sieve_plugin_dir``: this machine's when asked (the command) and Dovecot 2.4's,
  else Debian 13's list), then every block's failures, printed as errors, the
  first one fatal: the services of the top level (types, protocols, limits, ``vsz_limit``,
  listeners), a service inside a filter, uid/gid ranges, users that do not exist on this machine,
  ``listen``, the word lists (``*_workarounds``, ``*_features``, ``dsync_features``,
  ``ssl_options``), event filters (``log_debug``, ...), oauth2, the client certificate, Sieve's
  settings, ``acl_id`` identifiers, ``auth_verbose_passwords``, ``mail_nfs_index``,
  ``pop3_uidl_format``'s variable, the scheme of ``mail_server_admin`` URIs,
  ``mail_ext_attachment_hash`` (``%{method:bits}``, not expanded), ``metric`` blocks (filter,
  exporter) and ``event_exporter`` formats (also of any block setting ``metric_name`` or
  ``event_exporter_name``: ``metric_name = x`` at the top level is "metric x { filter } is
  empty"), a top-level ``service_name`` naming every built-in service without a block ("Service
  #N is missing name" when empty, before its type; "Duplicate service name: x" after the
  second one's type), named filters that require a setting (``metric``,
  ``acl``, ``quota_warning``: at their ``}``), a block's ``language`` defaults, duplicate listeners
  (unix/fifo paths, inet ``port:address`` for each address of ``listen``; sorted, the first
  duplicate reported; a listener block at the top level belongs to every service, first of its
  kind, its values over the built-in listener's and under its service's), zero limits
  (``fts_search_timeout``, ``http_client_*``, ``imapc_*``, ...), URLs
  and addresses;
* ``$SET:name`` / ``$ENV:name``: doveconf 2.4.1 prints them unexpanded (``-n``, ``-N``, lookups),
  and so does mailconf; a value with ``%{...}`` is checked as ``UNKNOWN_VALUE_WITH_VARIABLES``,
  and its type is not checked while reading (``mail_debug = %{env:X}`` is read as written);
* the groups of settings doveconf gets after reading, which expand ``%{...}`` with no user
  variables (only ``env:``, ``system:``, ``process:``, ``dovecot:`` and functions, whose
  parameters are judged: "substr: Too many positional parameters", "index: 'a' is not a
  number", "hash: Unsupported algorithm 'sha224'", a failure forgiven by a ``default`` right
  after it): Sieve's
  groups, each passdb then userdb of a block (part of the auth check, after
  ``auth_verbose_passwords``), and every listener of the top level's services (part of the
  master check, after the users and before ``listen``; at the first service whose own settings
  it cannot get, it stops silently and checks no service):
  "Failed to get inet_listener imap: master settings: ... Failed to expand libexec_dir setting
  variables: Unknown variable 'user'";
  the expanded value of a number, boolean or enum is then checked ("Invalid setting ssl=bad
  (before expansion: %{env:SSL}): ..."; ``literal("x")`` and ``dovecot:`` fields as Debian 13's
  2.4.1 gives them; ``env:`` and ``system:`` only by the command: lint does not know the machine
  a file is meant for), and a ``$SET:``/``$ENV:`` value as written ("Invalid
  setting first_valid_uid=$SET:x: Invalid number $SET:x: Not a valid number");
* opening a named filter again sets its name again (an earlier ``namespace_name``, or a unix/fifo
  listener's ``path``, is dropped);
* a boolean list's string as doveconf reads it ("'\"' in the middle of a string", "Missing ending
  '\"'", "Expected ',' or ' ' after '\"'"; a value quoted whole loses its quotes first);
* ``-a``: every top-level setting (hidden ones only when set) with its value or default, then the
  filters as ``-n`` prints them.

Not emulated: ``-d``; checks that need more than the
values (URIs of ``mail_server_admin`` past their scheme, ``pop3_uidl_format`` variable
names when it has several variables, ``%{...}`` functions that fail on the value they work on
(offsets past it, ``hex``, ``index``, ``regexp`` patterns, ...), the expanded value of
``process:`` variables and of functions but ``lower``, ``upper``, ``reverse``, ``default``,
plugins (not Sieve's) that do not exist); ``T_name`` inside a
``T`` block (it renames the block); a filter name looked up in a file with a block left open
(doveconf prints nothing).

Warnings, printed first: "Global setting X won't change the setting inside an earlier filter"
(a top-level setting read after a protocol/local/remote block set it; not lists, not the
blocks' setting groups), "Ambiguous '#'", and during the master check "You should remove
base_dir prefix from unix_listener: PATH" for each unix/fifo listener of a checked service under
``base_dir``. A block left open (``Missing '}'``): the settings are printed, the group uses
checked, no check after reading; a lookup answers with exit status 0.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import itertools
import json
import os
import re
from pathlib import Path
from typing import Any

from mailconf import _paths
from mailconf.errors import ParseError

SPECIAL_FILTERS = ("protocol", "local", "remote", "local_name")
UINT_MAX = 2**32 - 1
# -n hides these at their real default "0" (use default_*); lookups show the default_* value
UNSET_DEFAULTS = {f"service_{k}": "0" for k in ("client_limit", "process_limit", "vsz_limit", "idle_kill_interval")}
# -n prints these whenever set, even to the default -a shows (doveconf 2.4.1)
SHOWN_AT_DEFAULT = ("submission_max_mail_size",)
# secrets whose default the catalogue holds as "# hidden, use -P to show it" (doveconf 2.4.1 -a -P)
SECRET_DEFAULTS = {"last_login_key": "last-login/%{user}"}
# defaults doveconf computes at run time (-d shows them, a block does not start from them)
DYNAMIC_DEFAULTS = ("managesieve_sieve_capability", "managesieve_notify_capability")

HTTP_CLIENT_NOT_ZERO = {
    "http_client_max_parallel_connections": "http_client_max_parallel_connections",
    "http_client_max_pipelined_requests": "http_client_max_pipelined_requests",
    "http_client_request_max_attempts": "request_max_attempts",
    "http_client_request_timeout": "http_client_request_timeout_msecs",
    "http_client_connect_backoff_time": "http_client_connect_backoff_time_msecs",
}
# named filters whose block must set this (doveconf 2.4.1 fails at the block's '}')
REQUIRED_IN_FILTER = {"acl": "acl_rights", "metric": "metric_filter", "quota_warning": "execute"}
EXPORTER_FORMATS = ("json", "tab-text", "none")
DSYNC_FEATURES = ("empty-header-workaround", "no-header-hashes")
SYSLOG_FACILITIES = (
    *("auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog", "user", "uucp"),
    *(f"local{i}" for i in range(8)),
)


class Doveconf24Error(ParseError):
    """A configuration doveconf 2.4 refuses; ``doveconf`` is its whole text after ``Fatal: ``."""

    def __init__(
        self, message: str, *, path: str | None = None, line: int = 0, errors: list[str] | None = None
    ) -> None:
        super().__init__(message, path=path, line=line)
        # checks after reading: the lines doveconf prints as "Error: ..." before failing
        self.errors = errors if errors is not None else ([] if line else [message])
        where = f"Error in configuration file {path}" + (f" line {line}" if line else "")
        self.doveconf = f"{where}: {message}" if path else message
        # errors found once everything is read (group checks): doveconf prints its output first
        self.partial: Config24 | None = None
        self.warnings: list[str] = []  # printed before the error (doveconf warns while reading)
        self.prints_nothing = False  # a failure that stops doveconf before it prints (Sieve plugins)


@functools.cache
def _catalogue() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (Path(__file__).parent / "data" / "catalogue_2_4.json").read_text(encoding="utf-8")
    )
    for name, default in SECRET_DEFAULTS.items():  # the catalogue recorded doveconf's mask
        data["settings"][name]["default"] = default
    return data


class ListValue:
    """A boolean list or string list: items in the order they were added."""

    __slots__ = ("as_string", "items", "words")

    def __init__(self, items: dict[str, str] | None = None) -> None:
        self.items: dict[str, str] = dict(items or {})
        self.as_string = False
        self.words: list[str] | None = None  # a string assignment's words, repeats kept (printed so)

    def shown(self) -> list[str]:
        """The words its string form prints."""
        if self.words is not None:
            return self.words
        return [k for k, v in self.items.items() if v.lower() in ("yes", "y", "1")]


class Node:
    """One filter block (the root is ``kind == ""``)."""

    __slots__ = ("children", "includes", "kind", "label", "lists", "name", "serial", "values")

    _created = itertools.count()

    def __init__(self, kind: str, name: str | None = None, label: str | None = None) -> None:
        self.serial = next(Node._created)  # doveconf checks setting groups in the order they were created
        self.kind = kind
        self.name = name
        self.label = label
        self.values: dict[str, str] = {}  # full setting name -> value as written
        self.lists: dict[str, ListValue] = {}
        self.children: list[Node] = []
        self.includes: list[tuple[str, str]] = []  # "@label = name" group uses, printed last

    def child(self, kind: str, name: str | None, label: str | None = None) -> Node:
        for c in self.children:
            if (c.kind, c.name, c.label) == (kind, name, label):
                return c
        node = Node(kind, name, label)
        self.children.append(node)
        return node


def _is_time(value: str, msecs: bool) -> bool:
    m = re.fullmatch(r"(\d+)\s*([a-z]*)", value.lower())
    if not m:
        return value in ("infinite", "unlimited")
    units = {"", "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute", "minutes"}
    units |= {"h", "hour", "hours", "d", "day", "days", "w", "week", "weeks"}
    if msecs:
        units |= {"ms", "msec", "msecs", "millisecond", "milliseconds"}
    return m.group(2) in units


def _check_value(kind: str, spec: dict[str, Any], key: str, value: str) -> str | None:
    """doveconf's message for a value its type refuses while reading, or None."""
    if "$" in value or "%{" in value:  # checked once expanded (doveconf 2.4.1 reads it as it is)
        return None
    return _type_error(kind, spec, key, value)


def _type_error(kind: str, spec: dict[str, Any], key: str, value: str) -> str | None:
    """doveconf's message for a value its type refuses, or None."""
    if kind == "bool":
        if value.lower() in ("yes", "y", "no") or value == "1":
            return None
        return f"{key}: Invalid boolean value: {value} (use yes or no)"
    if kind in ("number", "octal"):
        if value == "unlimited" and kind == "number":
            return None
        if not re.fullmatch(r"-?\d+", value):
            return f"{key}: Invalid number {value}: Not a valid number"
        if value.startswith("-"):
            return f"{key}: Invalid number {value}: Number too small"
        if int(value) > UINT_MAX:
            return f"{key}: Invalid number {value}: Number too large"
        return None
    if kind == "size":
        if value == "unlimited" or re.fullmatch(r"\d+\s*([bkmgt]b?)?", value.lower()):
            return None
        return f"{key}: Invalid size: {value}"
    if kind in ("time", "time_msecs"):
        if value.isdigit() and value != "0":
            return f"{key}: Time interval '{value}' is missing units (add e.g. 's' for seconds)"
        if _is_time(value, kind == "time_msecs"):
            return None
        if _is_time(value, True):
            return f"{key}: Milliseconds not supported for this setting: {value}"
        return f"{key}: Invalid time interval: {value}"
    if kind == "port":
        if value.isdigit() and int(value) <= 65535:
            return None
        return f"{key}: Invalid port number {value}"
    if kind == "enum":
        values = spec.get("values") or []
        if len(values) > 1 and (value not in values or (not value and spec.get("default"))):
            return f"{key}: Invalid value: {value}"
    return None


class Config24:
    """The settings of a 2.4 tree as doveconf 2.4 holds them."""

    def __init__(self, path: str | None = None) -> None:
        cat = _catalogue()
        self.path = path
        self.settings: dict[str, dict[str, Any]] = cat["settings"]
        self.sections: dict[str, dict[str, Any]] = {k: v for k, v in cat["sections"].items() if "/" not in k}
        self.named = {k for k, v in self.sections.items() if not v.get("plain") and k not in SPECIAL_FILTERS}
        self.plain = {k for k, v in self.sections.items() if v.get("plain") and k not in SPECIAL_FILTERS}
        self.root = Node("")
        self.config_version: str | None = None
        self.groups: set[tuple[str, str]] = set()  # (label, name) of "group @label name {"
        self.group_uses: list[tuple[str, str, Any]] = []
        # doveconf asks this machine's user database for default_login_user/default_internal_user,
        # reads its Sieve plugin directory and expands %{env:NAME} from its environment; off unless
        # asked for (lint judges files meant for another machine)
        self.check_users = False
        self.warnings: list[str] = []  # doveconf's warnings while reading, printed first
        self._filter_lines: dict[str, tuple[str, int]] = {}  # setting -> where a filter first set it

    def check(self) -> None:
        """The checks doveconf makes once everything is read (errors without a line).

        Sieve's start-up reads the top level's Sieve settings first and fails alone ("Failed to
        initialize Sieve", after its own error lines). Otherwise doveconf checks every block and
        reports every failure as an error, then fails with the first: the top level, the
        protocol/local/remote blocks in the order they were opened, then the groups their prefixed
        settings form (``oauth2 { }``, ``ssl_server { }``) in the order they were first created,
        whichever block holds them, then those inside ``group`` blocks, then the named blocks
        (``namespace``, ``passdb``, ``service``, ...) in the order they were created; then, one
        level down, the groups and the named blocks inside those (a passdb's ``oauth2 { }``, a
        namespace's ``mailbox``), and so on
        (whose other settings are not checked). A block is checked with its own values
        over the defaults, not the enclosing ones (first_valid_uid = 1000 at the top and
        last_valid_uid = 500 in protocol imap pass)."""
        plugins = self.root.lists.get("sieve_plugins")
        enabled = [k for k, v in plugins.items.items() if v.lower() in ("yes", "y", "1")] if plugins else []
        sieve = _sieve_start(self.root.values, enabled, self.check_users)
        if sieve:
            raise Doveconf24Error("Failed to initialize Sieve", path=self.path, errors=sieve)
        specials = self._special_blocks(self.root)
        # a group's own settings are not checked (not even where it is used), its setting groups
        # (ssl_server { } inside it) are, after the others
        named_groups = [c for node in specials for c in node.children if c.kind == "group"]
        order, level = list(specials), specials
        while level:  # level by level: the setting groups, then the named blocks, each as created
            children = [c for node in level for c in node.children if c.kind not in SPECIAL_FILTERS]
            plain = sorted((c for c in children if c.kind in self.plain), key=lambda n: n.serial)
            named = sorted((c for c in children if c.kind in self.named), key=lambda n: n.serial)
            order += plain
            if level is specials:
                order += [g for node in named_groups for g in self._groups(node)]
            order += named
            level = plain + named
        errors = [e for node in order for e in self._block_errors(node)]
        if errors:
            raise Doveconf24Error(errors[0], path=self.path, errors=errors)

    def _special_blocks(self, node: Node) -> list[Node]:
        out = [node]
        for child in node.children:
            if child.kind in SPECIAL_FILTERS:
                out += self._special_blocks(child)
        return out

    def _groups(self, node: Node) -> list[Node]:
        out = []
        for child in node.children:
            if child.kind in self.plain and child.kind not in SPECIAL_FILTERS:
                out += [child, *self._groups(child)]
        return out

    def _block_errors(self, node: Node) -> list[str]:
        """doveconf's checks of one block: one message at most per group of settings, the groups
        in the order doveconf 2.4.1 checks them (submission's workarounds are checked twice)."""
        values = node.values
        if node.kind == "acl" and "acl_id" not in values:  # an acl block's name is its identifier
            values = {**values, "acl_id": node.name or ""}

        def words(name: str) -> str | None:
            return self._word_error(node, name)

        auth = _check_auth_cache(values) or _check_verbose_passwords(values) or self._auth_db_error(node)
        out = [self._exporter_error(node) if node is self.root else None, _check_acl_id(values), auth]
        out += [_check_dsync(values), _check_fts(values)]
        out += [_check_http_client(values)]
        out += [_check_http_server(values)]
        out += [words("imap_client_workarounds"), self._language_error(node)]
        out += [words("lmtp_client_workarounds") or _check_lmtp(values)]
        out += [words("mail_log_fields") or words("mail_log_events")]
        out += [_check_namespace(values, (node.name or "") if node.kind == "namespace" else "")]
        out += [_check_mail_storage(values) or words("mail_attachment_detection_options"), _check_log(values)]
        out += [self._master_error(node), words("pop3_client_workarounds") or _check_pop3(values)]
        out += [_check_execute(values), _check_ox(values), _check_redis(values), _check_ssl_options(values)]
        out += self._stats_errors(node)
        out += [words("submission_client_workarounds"), words("submission_client_workarounds")]
        out += [words("managesieve_client_workarounds"), _check_editheader(values)]
        out += [_check_address(values, "sieve_report_from"), _check_sieve_test("spamtest", values)]
        out += [_check_vacation(values), _check_variables(values), _check_sieve_test("virustest", values)]
        out += [_check_imapsieve(values), _check_address(values, "sieve_notify_mailto_envelope_from")]
        # in a block the redirect address comes before the user's address (Sieve's start-up: after)
        out += [_check_address(values, "sieve_redirect_envelope_from") or _check_user_email(values)]
        out += [_check_sieve_script(values)]
        out += [_check_attachment_hash(values)]
        out += [_check_imapc(values) or words("imapc_features"), words("pop3c_features")]
        out += [_check_auth_policy(values), _check_oauth2(values), _check_client_cert(values)]
        return [m for m in out if m]

    def _language_error(self, node: Node) -> str | None:
        """A block's own ``language`` blocks: exactly one with ``default = yes`` (its own value,
        else the block's, else the top level's)."""
        if node.kind and node.kind not in SPECIAL_FILTERS:
            return None
        defaults = []
        for language in (c for c in node.children if c.kind == "language"):
            value = next(
                (
                    v["language_default"]
                    for v in (language.values, node.values, self.root.values)
                    if "language_default" in v
                ),
                "no",
            )
            if value.lower() in ("yes", "y", "1"):
                defaults.append(language.name or "")
        if any(c.kind == "language" for c in node.children) and not defaults:
            return "No language with { default = yes } found"
        if len(defaults) > 1:
            return (
                f"Only one language with with {{ default = yes }} is allowed "
                f"(default is '{defaults[0]}', cannot set '{defaults[1]}' too)"
            )
        return None

    def _exporter_error(self, node: Node) -> str | None:
        """The top level's check starts with its ``metric`` blocks: each exporter must be a
        top-level ``event_exporter``."""
        exporters = {c.name for c in node.children if c.kind == "event_exporter"}
        for metric in (c for c in node.children if c.kind == "metric"):
            exporter = metric.values.get("metric_exporter", "")
            if exporter and "%{" not in exporter and exporter not in exporters:
                return f"metric {metric.name} refers to non-existent exporter '{exporter}'"
        return None

    def _stats_errors(self, node: Node) -> list[str | None]:
        """An event exporter's format, then a metric's filter (set empty, or refused by the event
        filter parser): of an ``event_exporter`` or ``metric`` block, or of any block that sets
        ``event_exporter_name`` or ``metric_name`` (doveconf checks the group of every block whose
        name is set: ``metric_name = x`` at the top level fails with an empty filter). A value with
        ``%{...}`` is checked as ``UNKNOWN_VALUE_WITH_VARIABLES``."""
        values = node.values
        out: list[str | None] = [None, None]
        if node.kind == "event_exporter" or values.get("event_exporter_name"):
            fmt = _expanded(values, "event_exporter_format")
            if not fmt:
                out[0] = "Exporter format name can't be empty"
            elif fmt not in EXPORTER_FORMATS:
                out[0] = f"Unknown exporter format '{fmt}'"
        if node.kind == "metric" or values.get("metric_name"):
            name = node.name if node.kind == "metric" else _expanded(values, "metric_name")
            text = _expanded(values, "metric_filter") if node.kind != "metric" or "metric_filter" in values else None
            if text is not None and not text.strip():
                out[1] = f"metric {name} {{ filter }} is empty - will not match anything"
            elif text is not None:
                message = _event_filter_error(text)
                out[1] = f"event filter: {message}" if message else None
        return out

    def _word_error(self, node: Node, name: str) -> str | None:
        """The first word a checked list (``imap_client_workarounds``) does not know."""
        check: dict[str, Any] | None = _catalogue().get("word_checks", {}).get(name)
        words = node.lists.get(name)
        if check is None or words is None:
            return None
        valid = check["valid"]
        for word, value in words.items.items():
            known = word in valid or any(v.endswith("=") and word.startswith(v) for v in valid)
            if value.lower() in ("yes", "y", "1") and not known:
                return str(check["message"]).replace("{}", word)
        return None

    def _master_error(self, node: Node) -> str | None:
        """The master settings' checks: uid/gid ranges, users, listen, the top level's services."""
        for kind in ("uid", "gid"):
            first, last = (_setting(node.values, f"{end}_valid_{kind}") for end in ("first", "last"))
            if first.isdigit() and last.isdigit() and int(last) and int(first) > int(last):
                return f"first_valid_{kind} can't be larger than last_valid_{kind}"
        for name in ("default_login_user", "default_internal_user"):
            # only a user set here: the defaults' users exist wherever Dovecot is installed
            user = _expanded(node.values, name) if name in node.values and self.check_users else None
            if user is not None and not _user_exists(user):
                return f"{name} doesn't exist: {user}"
        listener, stopped = self._listener_error() if node is self.root else (None, False)
        if listener is not None:
            return listener
        listen = node.lists.get("listen")
        enabled = [v for v in listen.items.values() if v.lower() in ("yes", "y", "1")] if listen else []
        if listen is not None and listen.items and not enabled:
            return "listen can't be set empty"
        # a filter's own services are checked with the filter's (empty) listen list
        if node is not self.root and any(c.kind == "service" for c in node.children):
            return "listen can't be set empty"
        return self._check_services() if node is self.root and not stopped else None

    def _service_unexpandable(self, values: dict[str, str]) -> bool:
        """Does doveconf fail to get a service's settings (VALUES: the top level's and its
        block's)? A value it cannot expand, an expanded value its type refuses, or (assumed) a
        value whose expansion is not known here, of another type than string or cut by ``substr``
        or ``index`` (which fail past the value)."""
        names = tuple(k for k in values if k.startswith("service_"))
        if _expansion_failure(values, names, self.check_users) is not None:
            return True
        return any(
            "%{" in values[k]
            and _env_expanded(values[k], self.check_users) is None
            and (self.settings.get(k, {}).get("type") != "string" or re.search(r"\|\s*(substr|index)\b", values[k]))
            for k in names
        )

    def _path(self, target: Node) -> list[Node]:
        """The blocks from the top level down to TARGET (protocol/local/remote ones)."""
        for child in self.root.children if target is not self.root else ():
            if child.kind in SPECIAL_FILTERS:
                inner = Config24._subpath(child, target)
                if inner:
                    return [self.root, *inner]
        return [self.root]

    @staticmethod
    def _subpath(node: Node, target: Node) -> list[Node]:
        if node is target:
            return [node]
        for child in node.children:
            if child.kind in SPECIAL_FILTERS:
                inner = Config24._subpath(child, target)
                if inner:
                    return [node, *inner]
        return []

    def _auth_db_error(self, node: Node) -> str | None:
        """The auth check gets each passdb, then each userdb, of this block (in the order they were
        opened) with its settings over the enclosing blocks' ones; doveconf knows no user
        variables there: "Failed to get passdb NAME: auth_passdb settings (filter=passdb/NAME)..."."""
        path = self._path(node)
        for kind in ("passdb", "userdb"):
            for db in (c for c in node.children if c.kind == kind):
                values: dict[str, str] = {}
                for block in path:
                    values.update(block.values)
                values[f"{kind}_name"] = db.name or ""  # the block's name, unless the block sets one
                for block in path:
                    same = [c for c in block.children if (c.kind, c.name) == (kind, db.name)]
                    for c in same:
                        values.update(c.values)
                names = tuple(f"{kind}_{k}" for k in AUTH_DB_EXPANDED[kind])
                failure = _expansion_failure(values, names, self.check_users)
                if failure is not None:
                    name = db.name or ""
                    where = f"auth_{kind} settings (filter={kind}/{_filter_name(name)})"
                    return f"Failed to get {kind} {name}: {where}: {failure}"
        return None

    def _listener_error(self) -> tuple[str | None, bool]:
        """doveconf gets every listener of the top level's services (enabled protocols or not;
        built-in services in name order, then the others as opened; in a service its unix, fifo,
        then inet listeners), an inet listener after the master settings in its filter (before
        them when it has a block at the top level). A value it cannot expand fails: "Failed to
        get unix_listener NAME: unix_listener settings ...". A service whose own settings doveconf
        cannot get stops it silently, and the services are not checked (True)."""
        builtin: dict[str, Any] = _catalogue()["service_defaults"]
        blocks = {c.name or "": c for c in self.root.children if c.kind == "service"}
        for service in sorted(builtin) + [n for n in blocks if n not in builtin]:
            block = blocks.get(service)
            if self._service_unexpandable({**self.root.values, **(block.values if block is not None else {})}):
                return None, True
            for kind, name, node in self._service_listeners(service):
                top = self._top_listener(kind, name)
                values = {**self.root.values, **(top.values if top is not None else {})}
                values |= {**(block.values if block is not None else {}), **(node.values if node is not None else {})}
                head = f"Failed to get {kind} {name}: "
                keys = INET_LISTENER_EXPANDED if kind == "inet_listener" else FILE_LISTENER_EXPANDED
                failure = _expansion_failure(values, tuple(f"{kind}_{k}" for k in keys), self.check_users)
                own = f"{head}{kind} settings (filter={kind}/{_filter_name(name)}): {failure}" if failure else None
                if own is not None and top is not None:  # a top-level block's: its own settings first
                    return own, False
                if kind == "inet_listener":
                    failure = _expansion_failure(values, MASTER_EXPANDED, self.check_users)
                    if failure is not None:
                        return f"{head}master settings: {failure}", False
                if own is not None:
                    return own, False
        return None, False

    def _blocks(self, node: Node) -> list[dict[str, str]]:
        """The values of the top level and of each protocol/local/remote block, each with the
        settings its prefix groups (``ssl_server { }``) hold, in the order the blocks were opened."""

        def own(n: Node) -> dict[str, str]:
            values = dict(n.values)
            for child in n.children:
                if child.kind in self.plain and child.kind not in SPECIAL_FILTERS:
                    values.update(own(child))
            return values

        out = [own(node)]
        for child in node.children:
            if child.kind in SPECIAL_FILTERS:
                out += self._blocks(child)
        return out

    def _check_services(self) -> str | None:
        """doveconf's checks of the top level's services: types, protocols, then service by
        service (built-in ones in name order, then the others in the order they were opened)."""
        cat = _catalogue()
        builtin: dict[str, Any] = cat["service_defaults"]
        top = self._blocks(self.root)[0]
        blocks = {c.name or "": c for c in self.root.children if c.kind == "service"}
        names = sorted(builtin) + [n for n in blocks if n not in builtin]

        def value(name: str, key: str) -> str:
            raw = setting(name, key)
            expanded = _env_expanded(raw, self.check_users) if "%{" in raw else None
            return raw if expanded is None else expanded

        def setting(name: str, key: str) -> str:
            block = blocks.get(name)
            if block is not None and f"service_{key}" in block.values:
                return block.values[f"service_{key}"]
            if f"service_{key}" in top:
                return top[f"service_{key}"]
            if key in builtin.get(name, {}).get("settings", {}):
                return str(builtin[name]["settings"][key])
            if f"default_{key}" in self.settings:
                return str(top.get(f"default_{key}", self.settings[f"default_{key}"]["default"]))
            return str(self.settings[f"service_{key}"]["default"])

        # a top-level service_name names every built-in service without a block of its own
        renamed = self.root.values.get("service_name")
        seen: set[str] = set()
        for index, name in enumerate(names):
            own = renamed if renamed is not None and name in builtin and name not in blocks else name
            if not own:
                return f"Service #{index} is missing name"
            kind = value(name, "type")
            if kind not in ("", "log", "config", "anvil", "login", "startup", "worker"):
                return f"Unknown service type: {kind}"
            if own in seen:
                return f"Duplicate service name: {own}"
            seen.add(own)
        protocols = self.root.lists.get("protocols")
        enabled = [k for k, v in protocols.items.items() if v.lower() in ("yes", "y", "1")] if protocols else []
        offered = {value(name, "protocol") for name in names}
        for protocol in enabled:
            if protocol not in offered:
                return f"protocols: Unknown protocol: {protocol}"
        for name in names:
            protocol = value(name, "protocol")
            if protocol and protocol not in enabled:
                continue  # a protocol not enabled: its services are not checked
            message = self._check_service(name, value)
            if message:
                return f"service({name}): {message}"
        checked = [n for n in names if not value(n, "protocol") or value(n, "protocol") in enabled]
        return self._duplicate_listener(checked, str(top.get("base_dir", self.settings["base_dir"]["default"])))

    def _duplicate_listener(self, names: list[str], base_dir: str) -> str | None:
        """Two listeners of the checked services on one place: unix/fifo ones (mode not 0) on one
        path (a relative one is under base_dir), inet ones (port not 0) on one port and address
        of their ``listen`` list. doveconf sorts them all and reports the first duplicate:
        "duplicate listener: /run/x" or "duplicate listener: 993:*"."""
        places: list[str] = []
        for service in names:
            for kind, name, node in self._service_listeners(service):
                if kind != "inet_listener":
                    mode = self._listener_value(service, kind, name, node, "mode")
                    path = self._listener_value(service, kind, name, node, "path", name)
                    if not re.fullmatch(r"0+", mode):
                        places.append(path if path.startswith("/") else f"{base_dir}/{path}")
                    continue
                port = self._listener_value(service, kind, name, node, "port")
                if port.isdigit() and int(port):
                    places += [f"{int(port)}:{address}" for address in self._listen(service, name, node)]
        places.sort()
        return next((f"duplicate listener: {a}" for a, b in itertools.pairwise(places) if a == b), None)

    def _service_listeners(self, service: str) -> list[tuple[str, str, Node | None]]:
        """A top-level service's listeners: unix, fifo, then inet ones; of each kind the top
        level's listener blocks (doveconf gives them to every service), the built-in ones, then
        those with a block of their own as opened (a built-in or top-level one moves there too).
        The node is the service's own block of the listener, if any."""
        block = next((c for c in self.root.children if c.kind == "service" and c.name == service), None)
        defaults = _catalogue()["service_defaults"].get(service, {}).get("listeners", {})
        out: list[tuple[str, str, Node | None]] = []
        for kind in ("unix_listener", "fifo_listener", "inet_listener"):
            listeners: dict[str, Node | None] = {c.name or "": None for c in self.root.children if c.kind == kind}
            listeners |= {name: None for name in defaults.get(kind, {}) if name not in listeners}
            for child in block.children if block is not None else []:
                if child.kind == kind:
                    listeners.pop(child.name or "", None)
                    listeners[child.name or ""] = child
            out += [(kind, name, node) for name, node in listeners.items()]
        return out

    def _top_listener(self, kind: str, name: str) -> Node | None:
        """A listener block of the top level (every service has it)."""
        return next((c for c in self.root.children if c.kind == kind and c.name == name), None)

    def _listener_value(
        self, service: str, kind: str, name: str, node: Node | None, key: str, default: str | None = None
    ) -> str:
        """A listener's setting: its block in the service, its service's block, its block at the
        top level, the top level, then the built-in listener's default, DEFAULT, and the
        setting's default."""
        full = f"{kind}_{key}"
        block = next((c for c in self.root.children if c.kind == "service" and c.name == service), None)
        top = self._top_listener(kind, name)
        sources = (node.values if node else {}, block.values if block else {}, top.values if top else {})
        for values in (*sources, self.root.values):
            if full in values:
                return values[full]
        builtin = _catalogue()["service_defaults"].get(service, {}).get("listeners", {}).get(kind, {}).get(name, {})
        if key in builtin or default is not None:
            return str(builtin.get(key, default))
        return str(self.settings[full]["default"] if full in self.settings else "")

    def _listen(self, service: str, name: str, node: Node | None) -> list[str]:
        """The addresses an inet listener listens on: the nearest ``listen`` list (the listener's
        in the service, its service's, its block at the top level, the top level's), its words
        once each."""
        block = next((c for c in self.root.children if c.kind == "service" and c.name == service), None)
        for n in (node, block, self._top_listener("inet_listener", name), self.root):
            if n is not None and "listen" in n.lists:
                return [w for w, v in n.lists["listen"].items.items() if v.lower() in ("yes", "y", "1")]
        return list(dict.fromkeys(str(self.settings["listen"]["default"]).split()))

    def _check_service(self, name: str, value: Any) -> str | None:
        hint = ' (did you mean "unlimited"?)'
        if value(name, "drop_priv_before_exec").lower() in ("yes", "y", "1") and value(name, "chroot"):
            return "drop_priv_before_exec=yes can't be used with chroot"
        process_limit = _number(value(name, "process_limit"))
        if process_limit == 0:
            return "process_limit must be higher than 0"
        min_avail = _number(value(name, "process_min_avail"))
        if process_limit is not None and min_avail is not None and min_avail > process_limit:
            return "process_min_avail is higher than process_limit"
        if _number(value(name, "client_limit")) == 0:
            return "client_limit must be higher than 0"
        if _number(value(name, "restart_request_count")) == 0:
            return "restart_request_count must be higher than 0" + hint
        if _seconds(value(name, "idle_kill_interval")) == 0:
            return "idle_kill_interval must be higher than 0" + hint
        vsz = _bytes(value(name, "vsz_limit"))
        if vsz is not None and vsz < 1024 * 1024:
            return "vsz_limit is too low" + hint
        if name in ("anvil", "auth", "indexer", "log") and process_limit is not None and process_limit > 1:
            return "process_limit must be 1"
        return self._check_listeners(name)

    def _check_listeners(self, name: str) -> str | None:
        """A unix/fifo listener's path (its block's, its service's or the top level's ``path``,
        else the listener's name) must not be empty; an absolute one under base_dir is warned
        about ("You should remove base_dir prefix from unix_listener: PATH", fifo ones too)."""
        base_dir = self.root.values.get("base_dir", str(self.settings["base_dir"]["default"])).rstrip("/")
        for kind, listener, node in self._service_listeners(name):
            if kind == "inet_listener":
                continue
            path = self._listener_value(name, kind, listener, node, "path", listener)
            if not path:
                return f"{kind}: path must not be empty"
            if path.startswith(base_dir + "/"):
                self.warnings.append(f"You should remove base_dir prefix from unix_listener: {path}")
        return None

    def check_groups(self) -> None:
        """doveconf checks "@label = name" against the groups once the files are read."""
        labels = {label for label, _name in self.groups}
        for label, name, st in self.group_uses:
            if label not in labels:
                raise self._fail(f"Unknown group label {label}", st)
            if (label, name) not in self.groups:
                raise self._fail(f"Unknown group {label}={name}", st)

    # -- reading ------------------------------------------------------------------------------

    def _fail(self, message: str, st: Any) -> Doveconf24Error:
        return Doveconf24Error(message, path=st.path, line=st.line)

    def _resolve(self, stack: list[Node], key: str) -> str | None:
        owner = next((n for n in reversed(stack) if n.kind in self.named or n.kind in self.plain), None)
        names = []
        if owner is not None:
            names.append(f"{owner.kind}_{key}")
            if owner.name:
                names.append(f"{owner.kind}_{owner.name}_{key}")
        names.append(key)
        return next((n for n in names if n in self.settings), None)

    def _unknown(self, stack: list[Node], key: str) -> str:
        owner = next((n for n in reversed(stack) if n.kind in self.named or n.kind in self.plain), None)
        if owner is None:
            return f"{key}: Unknown setting: {key}"
        alts = f"{owner.kind}_{key}" + (f" or {owner.kind}_{owner.name}_{key}" if owner.name else "")
        return f"{key}: Unknown setting: {key} ({alts} not found either.)"

    def _home(self, node: Node, full: str) -> Node:
        """The node a setting lands in: a plain filter named by its prefix, else ``node``."""
        best = ""
        for prefix in self.plain:
            if full.startswith(prefix + "_") and len(prefix) > len(best):
                best = prefix
        if best and not any(full.startswith(own) and len(own) > len(best) for own in _own_prefixes(node)):
            return node.child(best, None)
        return node

    def apply(self, statements: Any) -> None:
        stack = [self.root]
        # open list blocks (None: a filter): the list, its type, the name that is refused in a
        # local/remote block (each item is, "auth_realms/b") or None
        lists: list[tuple[ListValue, str, str | None] | None] = []
        first = True
        for st in statements:
            if st.kind == "close":
                if lists and lists[-1] is None:
                    self._check_required(stack[-1], st)
                    stack.pop()
                if lists:
                    lists.pop()
                continue
            if st.kind == "setting":
                if first:
                    first = False
                    if st.key != "dovecot_config_version":
                        raise self._fail("The first setting must be dovecot_config_version", st)
                    supported = _catalogue().get("config_versions", [])
                    if supported and st.value not in supported:
                        raise self._fail(
                            "Invalid dovecot_config_version: Currently supported versions are: " + " ".join(supported),
                            st,
                        )
                    self.config_version = st.value
                    continue
                if lists and lists[-1] is not None:
                    lv, lkind, refused = lists[-1]
                    if lkind == "boollist" and (msg := _check_value("bool", {}, st.key, st.value)):
                        raise self._fail(msg, st)
                    if refused is not None:
                        raise self._fail(
                            f"{st.key}: Auth settings not supported inside local/remote blocks: {refused}/{st.key}", st
                        )
                    lv.items[st.key] = st.value  # a key set again keeps its place
                    lv.words = None
                    continue
                if st.key.startswith("@"):  # "@group = name": the group's settings apply here
                    stack[-1].includes.append((st.key, st.value))
                    self.group_uses.append((st.key, st.value, st))
                    continue
                self._set(stack, st)
                continue
            if st.kind == "include" and first:  # even an include may not come first
                raise self._fail("The first setting must be dovecot_config_version", st)
            if st.kind != "open":
                continue
            if first:
                first = False
                raise self._fail("The first setting must be dovecot_config_version", st)
            kind = st.section_type or ""
            if lists and lists[-1] is not None:
                raise self._fail("Section not allowed here", st)
            full = self._resolve(stack, kind) if kind not in self.sections else None
            if full and self.settings[full]["type"] in ("boollist", "strlist"):
                in_net = any(n.kind in ("local", "remote", "local_name") for n in stack)
                refused = full if in_net and self.settings[full].get("no_net_filter") else None
                home = self._home(stack[-1], full)
                lv = self._list(home, full)
                lists.append((lv, self.settings[full]["type"], refused))
                continue
            if kind in SPECIAL_FILTERS:
                self._check_nesting(stack, kind, st)
            if kind == "group":
                node = stack[-1].child("group", st.section_name, st.label)
                self.groups.add((st.label or "", st.section_name or ""))
            elif kind in SPECIAL_FILTERS or kind in self.plain or kind in self.named:
                if kind in self.named and not st.section_name:
                    raise self._fail(f"{kind} {{ }} is missing section name", st)
                if kind in ("passdb", "userdb") and any(n.kind in ("local", "remote", "local_name") for n in stack):
                    raise self._fail(
                        f"Failed to set {kind}={st.section_name} for struct auth: "
                        f"Auth settings not supported inside local/remote blocks: {kind}",
                        st,
                    )
                node = stack[-1].child(kind, st.section_name)
                if kind in self.named:  # opening it sets its name again (a path for unix/fifo listeners)
                    key = "path" if kind in ("unix_listener", "fifo_listener") else "name"
                    node.values.pop(f"{kind}_{key}", None)
            else:
                raise self._fail(f"Unknown section name: {kind}", st)
            stack.append(node)
            lists.append(None)

    def _check_required(self, node: Node, st: Any) -> None:
        """A named filter doveconf requires a setting in, checked where its block closes."""
        required = REQUIRED_IN_FILTER.get(node.kind)
        if required is None:
            return
        if required in node.values or required in node.lists or any(c.kind == required for c in node.children):
            return
        raise self._fail(f"Named filter {node.kind} is required to have {required} setting, but it is missing", st)

    def _check_nesting(self, stack: list[Node], kind: str, st: Any) -> None:
        """doveconf's rules for protocol/local/remote/local_name blocks inside other blocks."""
        order = ["local", "local_name", "remote", "protocol"]  # the allowed nesting order
        for outer in reversed(stack[1:]):
            if outer.kind == "protocol" and kind == "protocol":
                raise self._fail("Nested protocol { protocol { .. } } block not allowed", st)
            if outer.kind in order and order.index(outer.kind) > order.index(kind):
                raise self._fail(
                    f"{outer.kind} {{ {kind} {{ .. }} }} not allowed (use {kind} {{ {outer.kind} {{ .. }} }} instead)",
                    st,
                )
            if outer.kind not in order and outer.kind != "group":
                raise self._fail(
                    f"{outer.kind} {{ {kind} {{ .. }} }} not allowed (use {kind} {{ {outer.kind} {{ .. }} }} instead)",
                    st,
                )
            if outer.kind == kind and kind in ("local", "remote") and outer.name and st.section_name:
                inner_net, outer_net = _network(st.section_name), _network(outer.name)
                if inner_net is not None and outer_net is not None and not _inside(inner_net, outer_net):
                    raise self._fail(f"{kind} net1 {{ {kind} net2 {{ .. }} }} requires net2 to be inside net1", st)

    def _net_check(self, stack: list[Node], full: str, key: str, st: Any) -> None:
        if any(n.kind in ("local", "remote", "local_name") for n in stack) and self.settings[full].get("no_net_filter"):
            raise self._fail(f"{key}: Auth settings not supported inside local/remote blocks: {key}", st)

    @staticmethod
    def _filter_default(node: Node, full: str) -> dict[str, str] | str | None:
        """A default Dovecot sets inside this filter (``mbox { read_locks }``, a built-in service's
        ``extra_groups``): a block's items, a string, or None."""
        cat = _catalogue()
        names = (full, full[len(node.kind) + 1 :] if full.startswith(node.kind + "_") else full)
        if node.kind == "service" and node.name in cat["service_defaults"]:
            svc = cat["service_defaults"][node.name]
            for name in names:
                if name in svc.get("lists", {}):
                    return dict(svc["lists"][name])
                if name in svc["settings"]:
                    return str(svc["settings"][name])
            return None
        in_filter = cat.get("filter_defaults", {}).get(node.kind, {})
        for head, block in in_filter.get("blocks", ()):
            if head in names:
                return dict(block["settings"])
        for name in names:
            if name in in_filter.get("settings", {}):
                return str(in_filter["settings"][name])
        return None

    def _list(self, node: Node, full: str) -> ListValue:
        lv = node.lists.get(full)
        if lv is None:
            spec = self.settings[full]
            items = spec.get("list_default")
            default = spec["default"]
            inherited = self._filter_default(node, full)
            if isinstance(inherited, dict):
                items = inherited
            elif isinstance(inherited, str):
                items, default = None, inherited
            # a block starts from the default only at the top level (and in the top-level groups
            # of prefixed names, mbox { read_locks {} }) or from a built-in service's own default;
            # inside any other filter it starts empty
            top = node is self.root or (node.kind in self.plain and node in self.root.children)
            builtin_service = node.kind == "service" and node in self.root.children  # not one inside a filter
            if full in DYNAMIC_DEFAULTS or (not top and inherited is None) or (not top and not builtin_service):
                items = {}
            elif items is None:  # -d shows a short default as a string: "plain", "login=%{...} pwhash=%{...}"
                words = default.split()
                if spec["type"] == "strlist":
                    items = dict(w.partition("=")[::2] for w in words)
                else:
                    items = dict.fromkeys(words, "yes")
            lv = node.lists[full] = ListValue(items)
        return lv

    def _set(self, stack: list[Node], st: Any) -> None:
        full = self._resolve(stack, st.key)
        if full is None:
            raise self._fail(self._unknown(stack, st.key), st)
        spec = self.settings[full]
        kind = spec["type"]
        home = self._home(stack[-1], full)
        if kind == "strlist":
            raise self._fail(f"{st.key}: Setting is a string list, use '{st.key} {{'", st)
        value = f"<{st.value}" if st.file_ref is not None else st.value  # "<path" stays as written
        message = _check_value(kind, spec, st.key, value)
        if message:  # the value's type is checked before the filter rules
            raise self._fail(message, st)
        self._net_check(stack, full, st.key, st)
        if kind == "boollist":
            refused = _boollist_error(st.value)
            if refused is not None:
                raise self._fail(f"{st.key}: {refused}", st)
            lv = self._list(home, full)
            lv.words = _list_words(st.value)
            lv.items = dict.fromkeys(lv.words, "yes")
            lv.as_string = True
            return
        self._warn_global(home, full, st)
        home.values[full] = value

    def _warn_global(self, home: Node, full: str, st: Any) -> None:
        """A top-level setting read after a protocol/local/remote block set it: doveconf warns that
        it does not change that block (at the block's first such line; a continued value's last line)."""
        where = (st.path, getattr(st, "end_line", 0) or st.line)
        if home.kind in SPECIAL_FILTERS:
            self._filter_lines.setdefault(full, where)
        elif home is self.root and full in self._filter_lines:
            path, line = self._filter_lines[full]
            self.warnings.append(
                f"{where[0]} line {where[1]}: Global setting {full} won't change the setting inside an earlier filter "
                f"at {path} line {line} (if this is intentional, avoid this warning by moving the global setting "
                f"before {path} line {line})"
            )

    # -- output -------------------------------------------------------------------------------

    def lookup(self, names: list[str], *, hide_key: bool = False, hide_passwords: bool = True) -> str:
        """``doveconf NAME ...`` (``-h``: values only), as doveconf 2.4.1 answers.

        Names in the order given (a name given twice is printed twice). A setting: its top-level
        value, else its default (a setting grouped into a filter, ``ssl_server_cert_file``, shows
        its default); a password named is shown. A filter name (``namespace``, ``passdb``,
        ``ssl_server``): the top level's blocks of that filter as ``-n`` prints them; with ``-h``
        the one value they hold (a hidden password: nothing), and doveconf fails with "Multiple
        settings matched with -h parameter" when they hold more than one. Any other name prints
        nothing, or an empty line with ``-h``. ``service`` without a service block at the top level
        prints every built-in service with its defaults.
        """
        out: list[str] = []
        for name in names:
            if name in self.settings and name != "dovecot_config_version":
                out += self._lookup_setting(name, hide_key, hide_passwords)
            elif name in self.named or (name in self.plain and name not in SPECIAL_FILTERS) or name.startswith("@"):
                if name.startswith("@"):  # a group label: its groups
                    nodes = [c for c in self.root.children if c.kind == "group" and c.label == name]
                else:
                    nodes = [c for c in self.root.children if c.kind == name]
                if name == "service" and not nodes:  # no service block: the built-in services
                    nodes = self._builtin_services()
                lines = [line for node in nodes for line in self._block_with_head(node, 0, hide_passwords)]
                if not hide_key:
                    out += lines
                    continue
                values = [v for node in nodes for v in self._values(node, hide_passwords)]
                if len(values) > 1:
                    raise LookupFailed("Multiple settings matched with -h parameter", "".join(out))
                if not values:
                    out.append("\n")
                elif values[0] != "# hidden, use -P to show it":
                    out.append(f"{values[0]}\n")
            elif hide_key:
                out.append("\n")
        return "".join(out)

    @staticmethod
    def _builtin_services() -> list[Node]:
        """The built-in services with their defaults, by name."""
        out = []
        for name, defaults in sorted(_catalogue()["service_defaults"].items()):
            node = Node("service", name)
            node.values = {f"service_{k}": str(v) for k, v in defaults.get("settings", {}).items()}
            node.lists = {k: ListValue(dict(v)) for k, v in defaults.get("lists", {}).items()}
            for kind, listeners in defaults.get("listeners", {}).items():
                for path, settings in listeners.items():
                    node.child(kind, path).values = {f"{kind}_{k}": str(v) for k, v in settings.items()}
            out.append(node)
        return out

    def _values(self, node: Node, hide: bool) -> list[str]:
        """What ``-h`` prints for a block: its values, a list block's ``key = value`` lines."""
        out = []
        for full, value in node.values.items():
            secret = hide and value and self.settings[full].get("secret")
            out.append("# hidden, use -P to show it" if secret else _quote_value(value))
        for lv in node.lists.values():
            out += (
                [_join_words(lv.shown())] if lv.as_string else [f"{k} = {_quote_value(v)}" for k, v in lv.items.items()]
            )
        return out + [v for child in node.children for v in self._values(child, hide)]

    def _used_groups(self) -> list[Node]:
        """The groups the top level includes (``@label = name``), in the order of those lines."""
        by_key = {(c.label, c.name): c for c in self.root.children if c.kind == "group"}
        return [by_key[use] for use in self.root.includes if use in by_key]

    def _lookup_setting(self, full: str, hide_key: bool, hide_passwords: bool) -> list[str]:
        spec = self.settings[full]
        lv = self.root.lists.get(full)
        value = self.root.values.get(full)
        if lv is None and value is None:  # a setting of the top level's groups
            lv = next((g.lists[full] for g in self._used_groups() if full in g.lists), None)
            value = next((g.values[full] for g in self._used_groups() if full in g.values), None)
        if lv is None and spec.get("list_default"):  # an untouched list whose default is a block
            lv = ListValue(spec["list_default"])
        if lv is not None and not lv.as_string:
            entries = sorted(lv.items.items()) if spec["type"] == "strlist" else list(lv.items.items())
            pad = "" if hide_key else "  "
            body = [f"{pad}{k} = {_quote_value(v)}\n" for k, v in entries]
            return body if hide_key else [f"{full} {{\n", *body, "}\n"]
        if lv is not None:
            value = _join_words(lv.shown())
        else:
            value = _quote_value(value if value is not None else spec["default"])
        return [f"{value}\n" if hide_key else f"{full} = {value}\n"]  # a password named is shown

    def dump(self, mode: str = "n", *, hide_passwords: bool = True) -> str:
        """``doveconf -n`` / ``-N`` / ``-a`` without the header comment lines."""
        if mode == "a":
            return self._dump_all(hide_passwords)
        out: list[str] = []
        if self.config_version is not None:
            out.append(f"dovecot_config_version = {self.config_version}\n")
        out.extend(self._block(self.root, 0, mode, hide_passwords))
        return "".join(out)

    def _dump_all(self, hide: bool) -> str:
        """``-a``: every top-level setting but the hidden ones (those only when set), sorted, with
        its value or default (a list's default prints empty: it is a block default), then the
        filters as ``-n`` prints them."""
        out = [f"dovecot_config_version = {self.config_version or ''}\n"]
        shown = {n for n, spec in self.settings.items() if not spec.get("hidden")}
        for full in sorted(shown | set(self.root.values) | set(self.root.lists)):
            if full == "dovecot_config_version":
                continue
            spec = self.settings[full]
            lv = self.root.lists.get(full)
            if lv is not None and lv.as_string:
                words = _join_words(lv.shown())
                out.append(f"{full} = {words}\n")
            elif lv is not None:
                entries = sorted(lv.items.items()) if spec["type"] == "strlist" else list(lv.items.items())
                out += [f"{full} {{\n", *(f"  {k} = {_quote_value(v)}\n" for k, v in entries), "}\n"]
            else:
                if full in self.root.values:
                    value = self.root.values[full]
                    shown_value = _quote_value(value)
                else:
                    value = "" if spec["type"] in ("boollist", "strlist") else UNSET_DEFAULTS.get(full, spec["default"])
                    shown_value = _quote_value(value)
                secret = hide and value and spec.get("secret")
                out.append(f"{full} = {'# hidden, use -P to show it' if secret else shown_value}\n")
        for child in self.root.children:
            out += self._block_with_head(child, 0, hide, "N")
        out += [f"{label} = {_quote_value(name)}\n" for label, name in self.root.includes]
        return "".join(out)

    def _block_with_head(self, node: Node, indent: int, hide: bool, mode: str = "n") -> list[str]:
        """A child block with its head line, or nothing when it prints nothing (a named list
        filter prints even empty)."""
        inner = self._block(node, indent + 1, mode, hide)
        if not inner and node.kind not in self.named:
            return []
        pad = "  " * indent
        head = f"group {node.label}" if node.kind == "group" else node.kind
        if node.name is not None:
            head += f" {_quote_name(node.name)}"
        return [f"{pad}{head} {{\n", *inner, f"{pad}}}\n"]

    def _block(self, node: Node, indent: int, mode: str, hide: bool) -> list[str]:
        pad = "  " * indent
        prefixes = _own_prefixes(node)

        def shown(full: str) -> str:
            return next((full[len(p) :] for p in prefixes if full.startswith(p)), full)

        items: list[tuple[str, list[str]]] = []
        for full, value in node.values.items():
            default = UNSET_DEFAULTS.get(full, self.settings[full]["default"])
            if not node.kind and mode == "n" and value == default and full not in SHOWN_AT_DEFAULT:
                continue
            key = shown(full)
            if hide and value and self.settings[full].get("secret"):
                items.append((full, [f"{pad}{key} = # hidden, use -P to show it\n"]))
            else:
                items.append((full, [f"{pad}{key} = {_quote_value(value)}\n"]))
        for full, lv in node.lists.items():
            key = shown(full)
            if lv.as_string:
                words = _join_words(lv.shown())
                items.append((full, [f"{pad}{key} = {words}\n"]))
            else:
                entries = list(lv.items.items())
                if self.settings[full]["type"] == "strlist":  # string lists print sorted, boolean lists as added
                    entries.sort()
                lines = [f"{pad}{key} {{\n"]
                lines += [f"{pad}  {k} = {_quote_value(v)}\n" for k, v in entries]
                items.append((full, [*lines, f"{pad}}}\n"]))
        out = [line for _full, lines in sorted(items, key=lambda i: i[0]) for line in lines]
        for child in node.children:
            out += self._block_with_head(child, indent, hide, mode)
        out += [f"{pad}{label} = {_quote_value(name)}\n" for label, name in node.includes]
        return out


def _number(value: str) -> int | None:
    if value == "unlimited":
        return UINT_MAX
    return int(value) if value.isdigit() else None


def _bytes(value: str) -> int | None:
    """A size setting in bytes (``unlimited``: None)."""
    m = re.fullmatch(r"(\d+)\s*([bkmgt]?)b?", value.lower())
    if not m:
        return None
    power: int = "bkmgt".index(m.group(2) or "b")
    return int(m.group(1)) << (10 * power)


def _seconds(value: str) -> float | None:
    """A time setting in seconds (``infinite``/``unlimited``: None)."""
    m = re.fullmatch(r"(\d+)\s*([a-z]*)", value.lower())
    if not m:
        return None
    unit = m.group(2)
    if unit.startswith("m") and unit.startswith(("ms", "msec", "milli")):
        scale = 0.001
    elif unit.startswith("m"):
        scale = 60
    else:
        scale = {"h": 3600, "d": 86400, "w": 7 * 86400}.get(unit[:1], 1)
    return int(m.group(1)) * scale


# Sieve's start-up: each group of settings in its order, with its settings in the order doveconf
# 2.4.1 expands them (every type: a number or boolean with %{...} is read as it is written)
SIEVE_EXPANDED = {
    "sieve": (
        *("sieve_enabled", "sieve_max_script_size", "sieve_max_actions", "sieve_max_redirects"),
        *("sieve_max_cpu_time", "sieve_resource_usage_timeout", "sieve_redirect_envelope_from"),
        *("sieve_redirect_duplicate_period", "sieve_user_email", "sieve_user_log_path", "sieve_trace_dir"),
        *("sieve_trace_level", "sieve_trace_debug", "sieve_trace_addresses", "sieve_plugin_dir"),
    ),
    "sieve_vacation": (
        *("sieve_vacation_min_period", "sieve_vacation_max_period", "sieve_vacation_default_period"),
        *("sieve_vacation_default_subject", "sieve_vacation_default_subject_template"),
        *("sieve_vacation_use_original_recipient", "sieve_vacation_check_recipient"),
        *("sieve_vacation_send_from_recipient", "sieve_vacation_to_header_ignore_envelope"),
    ),
    "sieve_subaddress": ("recipient_delimiter",),
    "sieve_include": ("sieve_include_max_nesting_depth", "sieve_include_max_includes"),
    "sieve_variables": ("sieve_variables_max_scope_count", "sieve_variables_max_value_size"),
    "sieve_notify_mailto": ("sieve_notify_mailto_envelope_from",),
    "sieve_duplicate": ("sieve_duplicate_default_period", "sieve_duplicate_max_period"),
}
SIEVE_EXTENSIONS = {"sieve_vacation": "vacation", "sieve_subaddress": "subaddress", "sieve_include": "include"}
SIEVE_EXTENSIONS |= {"sieve_variables": "variables", "sieve_notify_mailto": "enotify", "sieve_duplicate": "duplicate"}


def _sieve_start(values: dict[str, str], plugins: list[str] | None = None, on_this_machine: bool = False) -> list[str]:
    """The error lines of Sieve's start-up with the top level's settings (empty: it starts):
    a group's values that cannot be expanded (doveconf knows no ``%{...}`` variable there),
    else its checks; a failing extension group is followed by "failed to load". The plugins are
    loaded after the first group, before the extensions' groups."""
    for group, expanded in SIEVE_EXPANDED.items():
        if group != "sieve":
            _load_sieve_plugins(values, plugins or [], on_this_machine)
        message = _expansion_failure(values, expanded, on_this_machine)
        if message is None:
            invalid = _check_sieve_group(group, values)
            message = f"Invalid settings: {invalid}" if invalid else None
        if message is not None:
            lines = [f"sieve: {group} settings: {message}"]
            if group in SIEVE_EXTENSIONS:
                lines.append(f"sieve: failed to load '{SIEVE_EXTENSIONS[group]}' extension support.")
            return lines
    return []


# what doveconf's variable expansion knows when it gets a group of settings: no user or session
# variables, only these providers (env takes any name)
EXPANSION_PROVIDERS = {
    "system": ("hostname", "cpu_count", "os", "os-version"),
    "process": ("pid", "uid", "gid"),
    "dovecot": ("name", "version", "support-url", "support-email", "revision"),
}
EXPANSION_FUNCTIONS = (
    *("lower", "upper", "default", "substr", "truncate", "text", "reverse", "concat", "domain", "username"),
    *("index", "regexp", "literal", "list", "hash", "md5", "sha1", "sha256", "sha384", "sha512", "hex"),
    *("hexlify", "unhexlify", "unhex", "base64", "unbase64", "encrypt", "decrypt"),
)
BARE_FUNCTION_ERRORS = dict.fromkeys(
    ("substr", "hash", "truncate", "concat", "index", "regexp", "literal"), "Missing parameters"
)
BARE_FUNCTION_ERRORS |= {"domain": "No value to get domain from", "username": "No value to get username from"}
BARE_FUNCTION_ERRORS |= {"list": "No value to generate list from"}
BARE_FUNCTION_ERRORS |= dict.fromkeys(("encrypt", "decrypt"), "Encryption key missing")
# the settings each group doveconf gets after reading expands, in the group's order (doveconf 2.4.1)
MASTER_EXPANDED: tuple[str, ...] = (
    "base_dir",
    "state_dir",
    "libexec_dir",
    "instance_name",
    "ssl",
    "default_internal_group",
)
MASTER_EXPANDED += ("version_ignore", "first_valid_uid", "last_valid_uid", "first_valid_gid", "last_valid_gid")
INET_LISTENER_EXPANDED = ("name", "type", "port", "ssl", "reuse_port", "haproxy")
FILE_LISTENER_EXPANDED = ("type", "mode", "user", "group")
AUTH_DB_EXPANDED = {
    "passdb": (
        *("name", "driver", "fields_import_all", "username_filter", "default_password_scheme", "skip"),
        *("result_success", "result_failure", "result_internalfail", "deny", "master", "use_cache", "use_worker"),
    ),
    "userdb": (
        *("name", "driver", "fields_import_all", "skip", "result_success", "result_failure"),
        *("result_internalfail", "use_cache", "use_worker"),
    ),
}


def _filter_name(name: str) -> str:
    """A filter's name as doveconf prints it in "(filter=...)": '/' escaped as '\\s'."""
    return name.replace("/", "\\s")


def _variable_error(value: str) -> str | None:
    """Why doveconf cannot expand VALUE's ``%{...}`` when it gets a group of settings, or None:
    its variable, then its functions in turn (:func:`_pipeline_error`); syntax errors are not
    judged (doveconf 2.4.1 crashes on them)."""
    for m in re.finditer(r"%(%|\{((?:'[^']*'|\"[^\"]*\"|[^}'\"])*)\})?", value):
        if m.group(2) is None:
            continue
        parts = [p.strip() for p in re.findall(r"(?:'[^']*'|\"[^\"]*\"|\([^)]*\)|[^|])+", m.group(2))]
        if not parts or not all(parts):
            continue
        functions = [p.partition("(")[0].strip() for p in parts[1:]]
        head = parts[0]
        if "(" in head:  # %{literal('x')}: a function, no variable
            functions.insert(0, head.partition("(")[0].strip())
        unknown = next((f for f in functions if f not in EXPANSION_FUNCTIONS), None)
        if unknown is not None and (unknown == "safe" or not re.fullmatch(r"[\w.-]+", unknown)):
            continue  # "safe" crashes doveconf 2.4.1; a syntax error too
        if head in EXPANSION_FUNCTIONS:  # %{lower}: the function, with no value to work on
            if unknown is not None:
                return f"No such function '{unknown}'"
            message = BARE_FUNCTION_ERRORS.get(head, "No value to {}").format(head)
            if head == "default":
                continue
            return f"{head}: {message}"
        if "(" not in head and not re.fullmatch(r"[\w.:-]*", head):
            continue
        failure = _pipeline_error(parts, None if "(" in head else _provider_error(head))
        if failure is not None:
            return failure
    return None


def _provider_error(name: str) -> str | None:
    """Why a variable (an expression's head or a function's argument) is unknown, or None."""
    provider, colon, field = name.partition(":")
    if not colon:
        return f"Unknown variable '{name}'"
    if provider not in ("env", *EXPANSION_PROVIDERS):
        return f"Unsupported prefix '{provider}'"
    if not field:
        return f"{provider}: Missing field"
    if provider != "env" and field not in EXPANSION_PROVIDERS[provider]:
        return f"{provider}: Unsupported field '{field}'"
    return None


# doveconf 2.4.1's functions that take no positional parameter, and those whose positional
# parameters it checks (most, least, each one's type: n number, s string, * any); hash's
# algorithms as its own names (sha224 and upper case names are refused)
NO_PARAMETERS = (
    *("lower", "upper", "reverse", "text", "domain", "username", "md5", "sha1", "sha256", "sha384"),
    *("sha512", "unhex", "base64", "unbase64", "unhexlify"),
)
PARAMETERS = {
    "substr": (1, 2, "nn"),
    "truncate": (1, 1, "n"),
    "hash": (1, 1, "s"),
    "concat": (1, 99, "*" * 99),
    "index": (2, 2, "sn"),
    "regexp": (2, 2, "**"),
    "list": (0, 1, "s"),
    "hexlify": (0, 2, "nn"),
    "literal": (1, 99, "*" * 99),
}
MISSING_PARAMETER = {("index", 1): "Missing index parameter", ("regexp", 1): "Missing replacement parameter"}
HASH_ALGORITHMS = ("md4", "md5", "sha1", "sha256", "sha384", "sha512", "sha3-256", "sha3-512")
# functions that can fail on the value they work on (not known here): nothing after them is judged
VALUE_DEPENDENT = ("hex", "unhex", "unhexlify", "unbase64", "encrypt", "decrypt", "regexp", "index")


def _pipeline_error(parts: list[str], pending: str | None) -> str | None:
    """The first of an expression's functions (left to right) that doveconf refuses whatever the
    value: its parameters are evaluated first ("substr: Unknown variable 'a'"), then counted
    ("Missing parameters", "Too many positional parameters") and typed ("'a' is not a number",
    "1 is not a string"), then its own checks (hash's algorithm, truncate's and hexlify's
    bounds). A failure (PENDING: the variable's) is forgiven by a ``default`` right after it,
    and overridden by an unknown function right after it ("No such function 'x'").
    Judging stops at a function whose result depends on the value (an offset into it,
    ``hex``, ``regexp``, ...) or at parameters it cannot read (named ones, expressions)."""
    for index, part in enumerate(parts):
        name, paren, rest = part.partition("(")
        name = name.strip()
        if index == 0 and not paren:
            continue  # the variable
        if name not in EXPANSION_FUNCTIONS and index == 0:
            pending = f"Unknown variable '{name}'"  # %{foo("x")}: a variable as doveconf reads it
            continue
        if name not in EXPANSION_FUNCTIONS:
            return f"No such function '{name}'"
        if pending is not None:
            if name != "default":
                return pending
            pending = None
            continue
        pending = _function_error(name, paren, rest)
        if pending == "":
            return None  # not judged from here on
    return pending


def _function_error(name: str, paren: str, rest: str) -> str | None:
    """Why doveconf refuses one function of an expression, None, or "" when that depends on
    the value (see :func:`_pipeline_error`)."""
    if paren and not rest.rstrip().endswith(")"):
        return ""
    args = [a.strip() for a in re.findall(r"(?:'[^']*'|\"[^\"]*\"|[^,])+", rest.rstrip()[:-1])] if paren else []
    if any(not a or "=" in a for a in args):
        return ""
    values: list[tuple[str, str]] = []  # (type, text)
    for arg in args:
        if arg[0] in "'\"" and len(arg) > 1 and arg[-1] == arg[0]:
            values.append(("s", arg[1:-1]))
        elif re.fullmatch(r"-?\d+", arg):
            values.append(("n", arg))
        elif re.fullmatch(r"-?\d+\.\d*", arg):
            return ""
        elif re.fullmatch(r"[\w.:-]+", arg):
            error = _provider_error(arg)
            if error is not None and name != "default":
                return f"{name}: {error}"
            values.append(("v", arg))
        else:
            return ""
    if name == "default":
        return None
    if name in ("encrypt", "decrypt"):
        return f"{name}: Too many positional parameters" if values else f"{name}: Encryption key missing"
    if name in NO_PARAMETERS:
        if values:
            return f"{name}: Too many positional parameters"
    elif name in PARAMETERS:
        least, most, kinds = PARAMETERS[name]
        if len(values) < least:
            return f"{name}: " + MISSING_PARAMETER.get((name, len(values)), "Missing parameters")
        if len(values) > most:
            return f"{name}: Too many positional parameters"
        for kind, (got, text) in zip(kinds, values, strict=False):
            if got == "v" and kind != "*":
                return ""  # a variable's value, not known here
            if kind == "n" and got == "s":
                return f"{name}: '{text}' is not a number"
            if kind == "s" and got == "n":
                return f"{name}: {text} is not a string"
        numbers = [int(text) for got, text in values if got == "n"]
        if name == "hash" and values[0][1] not in HASH_ALGORITHMS:
            return f"{name}: Unsupported algorithm '{values[0][1]}'"
        if name == "truncate" and numbers[0] < 0:
            return f"{name}: Value of out of bounds"
        if name == "hexlify" and numbers and numbers[0] < 0:
            return f"{name}: Width must be positive"
        if name == "substr" and numbers != [0]:
            return ""  # an offset or a length past the value fails
    if name in VALUE_DEPENDENT:
        return ""
    return None


# what %{dovecot:FIELD} gives with Debian 13's doveconf 2.4.1
DOVECOT_FIELDS = {
    "name": "Dovecot",
    "version": "2.4.1-4",
    "support-url": "https://www.dovecot.org/",
    "support-email": "dovecot@dovecot.org",
    "revision": "7d8c0e5759",
}


def _known_value(expression: str, on_this_machine: bool) -> str | None:
    """What one ``%{...}`` expression gives, when that is known here: ``literal("x")``,
    ``dovecot:`` fields, and (ON_THIS_MACHINE: doveconf's run sees the same) ``env:``,
    ``system:`` and ``process:`` ones, through ``lower``, ``upper``, ``reverse`` and ``default("x")``; else None."""
    parts = [p.strip() for p in re.findall(r"(?:'[^']*'|\"[^\"]*\"|\([^)]*\)|[^|])+", expression)]
    if not parts:
        return None
    head = parts[0]
    literal = re.fullmatch(r"literal\(\s*(?:'([^']*)'|\"([^\"]*)\")\s*\)", head)
    provider, _colon, field = head.partition(":")
    value: str | None = None
    if literal is not None:
        value = literal.group(1) if literal.group(1) is not None else literal.group(2)
    elif provider == "dovecot":
        value = DOVECOT_FIELDS.get(field)
    elif provider == "env" and on_this_machine and re.fullmatch(r"[^\s}|]+", field):
        value = os.environ.get(field, "")
    elif provider == "process" and on_this_machine:  # doveconf's own pid differs: a number all the same
        value = {"pid": str(os.getpid()), "uid": str(os.getuid()), "gid": str(os.getgid())}.get(field)
    elif provider == "system" and on_this_machine:
        uname = os.uname()
        machine = {"hostname": uname.nodename, "os": uname.sysname, "os-version": uname.release}
        value = machine.get(field, str(os.cpu_count()) if field == "cpu_count" else None)
    for function in parts[1:]:
        fallback = re.fullmatch(r"default\(\s*(?:'([^']*)'|\"([^\"]*)\")\s*\)", function)
        if value is None:
            return None
        if function == "default":
            continue
        if function in ("lower", "upper", "reverse"):
            value = {"lower": value.lower(), "upper": value.upper(), "reverse": value[::-1]}[function]
        elif fallback is not None:
            value = value or (fallback.group(1) if fallback.group(1) is not None else fallback.group(2))
        else:
            return None
    return value


def _env_expanded(value: str, on_this_machine: bool) -> str | None:
    """VALUE with its ``%{...}`` expanded as doveconf's run does (see :func:`_known_value`), or
    None when it holds anything whose value is not known here (lint: the environment and the
    host of the machine a file is meant for)."""
    out, pos = [], 0
    for m in re.finditer(r"%(%|\{((?:'[^']*'|\"[^\"]*\"|[^}'\"])*)\})?", value):
        if m.group(1) == "%":
            out += [value[pos : m.start()], "%"]
        elif m.group(2) is None:
            return None
        else:
            known = _known_value(m.group(2), on_this_machine)
            if known is None:
                return None
            out += [value[pos : m.start()], known]
        pos = m.end()
    return "".join(out) + value[pos:]


def _expansion_failure(values: dict[str, str], names: tuple[str, ...], on_this_machine: bool) -> str | None:
    """The first of NAMES (a group's settings in its order) whose value doveconf cannot expand,
    or whose type refuses the expanded value (``ssl = %{env:SSL}`` with SSL unset; only
    ON_THIS_MACHINE: elsewhere the environment is not known)."""
    settings = _catalogue()["settings"]
    for name in names:
        value = values.get(name, "")
        error = _variable_error(value)
        if error is not None:
            return f"Failed to parse configuration: Failed to expand {name} setting variables: {error}"
        spec = settings.get(name)
        expanded = _env_expanded(value, on_this_machine) if "%{" in value and spec is not None else None
        if spec is not None and expanded is not None:
            refused = _type_error(spec["type"], spec, name, expanded)
            if refused is not None:
                return (
                    f"Failed to parse configuration: Invalid setting {name}={expanded} "
                    f"(before expansion: {value}): {refused.removeprefix(name + ': ')}"
                )
        elif spec is not None and "$" in value and "%{" not in value:  # $SET:/$ENV: as written
            refused = _type_error(spec["type"], spec, name, value)
            if refused is not None:
                refused = refused.removeprefix(name + ": ")
                return f"Failed to parse configuration: Invalid setting {name}={value}: {refused}"
    return None


# lib*_NAME_plugin.so in Debian 13's /usr/lib/dovecot/modules/sieve (dovecot-sieve 2.4.1): the
# plugins judged where this machine's directory cannot be read or is not Dovecot 2.4's (lint)
SIEVE_PLUGINS = ("sieve_extprograms", "sieve_imapsieve", "sieve_storage_ldap")


def _installed_sieve_plugins(directory: str, *, require_24: bool) -> list[str] | None:
    """The plugins of a Sieve plugin directory on this machine (``lib<N>_<name>_plugin.so``,
    as doveconf names them), or None when it cannot be read, or (REQUIRE_24) when none of its
    plugins carries Dovecot 2.4's ABI tag (Debian 12's dovecot-sieve installs 2.3's there)."""
    try:
        files = sorted(os.listdir(directory))
    except OSError:
        return None
    names: list[str] = []
    current = not require_24
    for name in files:
        m = re.fullmatch(r"lib\d*_(.+?)(?:_plugin)?\.so", name)
        if m is None:
            continue
        names.append(m.group(1))
        if not current:
            with contextlib.suppress(OSError):
                current = b"2.4.ABIv" in _paths.read_bytes(os.path.join(directory, name))
    return names if current else None


def _load_sieve_plugins(values: dict[str, str], plugins: list[str], on_this_machine: bool) -> None:
    """doveconf fails at once, printing nothing before, on a Sieve plugin it cannot find in
    ``sieve_plugin_dir``: the first missing name in sorted order. The command reads this machine's
    directory (the default one when it holds Dovecot 2.4's plugins, else Debian 13's list; a
    directory set in the file as it is, "opendir(DIR) failed" when it does not exist); lint judges
    the default directory by Debian 13's list and leaves a set one alone. Names starting with
    ``lib`` are not judged (doveconf 2.4.1 crashes on some of them, and on ``NAME.so`` when NAME
    is there)."""
    if not plugins or any(n.startswith("lib") for n in plugins):
        return
    default_dir = str(_catalogue()["settings"]["sieve_plugin_dir"]["default"])
    directory = values.get("sieve_plugin_dir", default_dir)
    if directory == default_dir:
        known = (_installed_sieve_plugins(directory, require_24=True) if on_this_machine else None) or SIEVE_PLUGINS
    elif not on_this_machine:
        return
    elif not os.path.exists(directory):
        exc = Doveconf24Error(f"opendir({directory}) failed: No such file or directory", errors=[])
        exc.prints_nothing = True
        raise exc
    else:
        found = _installed_sieve_plugins(directory, require_24=False)
        if found is None:
            return
        known = found
    # doveconf looks "x.so.1" up as "x", and crashes when such a name is there
    names = {n: n.partition(".so")[0] for n in plugins}
    if any(".so" in n and (not short or short in known) for n, short in names.items()):
        return
    missing = next((names[n] for n in sorted(plugins) if names[n] not in known), None)  # doveconf sorts them
    if missing is not None:
        exc = Doveconf24Error(f"Plugin '{missing}' not found from directory {directory}", errors=[])
        exc.prints_nothing = True
        raise exc


def _check_sieve_group(group: str, values: dict[str, str]) -> str | None:
    if group == "sieve":
        return _check_user_email(values) or _check_address(values, "sieve_redirect_envelope_from")
    if group == "sieve_vacation":
        return _check_vacation(values)
    if group == "sieve_variables":
        return _check_variables(values)
    if group == "sieve_notify_mailto":
        return _check_address(values, "sieve_notify_mailto_envelope_from")
    return None


def _check_user_email(values: dict[str, str]) -> str | None:
    email = values.get("sieve_user_email", "")
    if "%{" in email:
        email = "UNKNOWN_VALUE_WITH_VARIABLES"
    if email and "@" not in email:
        return f"sieve_user_email: Invalid SMTP address '{email}': Missing domain"
    return None


def _check_sieve_script(values: dict[str, str]) -> str | None:
    for name, shown in (("sieve_script_storage", "script storage name"), ("sieve_script_name", "script name")):
        value = values.get(name, "")
        if "/" in value and "%{" not in value:
            return f"Invalid {shown} '{value}'"
    return None


def _setting(values: dict[str, str], name: str) -> str:
    return values.get(name, str(_catalogue()["settings"][name]["default"]))


def _check_vacation(values: dict[str, str]) -> str | None:
    periods = [_seconds(_setting(values, f"sieve_vacation_{k}_period")) for k in ("min", "default", "max")]
    if periods[2] == 0:
        return "sieve_vacation_max_period must not be 0"
    low, default, high = periods
    if low is not None and default is not None and high is not None and not low <= default <= high:
        return "Violated sieve_vacation_min_period < sieve_vacation_default_period < sieve_vacation_max_period"
    return None


def _check_variables(values: dict[str, str]) -> str | None:
    scopes = _number(_setting(values, "sieve_variables_max_scope_count"))
    if scopes is not None and scopes < 128:
        return "Setting sieve_variables_max_scope_count is lower than required by standards (>= 128 items)"
    size = _bytes(_setting(values, "sieve_variables_max_value_size"))
    if size is not None and size < 4000:
        return "Setting sieve_variables_max_variable_size is lower than required by standards (>= 4000 bytes)"
    return None


def _check_sieve_test(test: str, values: dict[str, str]) -> str | None:
    header = values.get(f"sieve_{test}_status_header", "")
    if not header or values.get(f"sieve_{test}_status_type", "score") == "text":
        return None
    if values.get(f"sieve_{test}_score_max_header") or values.get(f"sieve_{test}_score_max_value"):
        return None
    return f"None of sieve_{test}_score_max_header or sieve_{test}_score_max_value is configured"


def _check_address(values: dict[str, str], name: str) -> str | None:
    """An address source: a keyword or ``<local@domain>`` (``<>`` too)."""
    value = values.get(name, "")
    if "%{" in value:  # doveconf checks a value it cannot expand as this placeholder
        value = "UNKNOWN_VALUE_WITH_VARIABLES"
    keywords = ("", "sender", "recipient", "orig_recipient", "user_email", "postmaster")
    if value.lower() in keywords or re.fullmatch(r"<([^<>@\s]+@[^<>@\s]+)?>", value):
        return None
    return f"{name}: Invalid address source '{value}'"


def _expanded(values: dict[str, str], name: str) -> str:
    """A value as doveconf checks it: one with ``%{...}`` it cannot expand is a placeholder."""
    value = _setting(values, name)
    return "UNKNOWN_VALUE_WITH_VARIABLES" if "%{" in value else value


def _quantity(name: str, value: str) -> float | None:
    kind = _catalogue()["settings"][name]["type"]
    if kind == "size":
        return _bytes(value)
    if kind.startswith("time"):
        return _seconds(value)
    return _number(value)


def _zero(values: dict[str, str], name: str, shown: str | None = None, hint: str = "") -> str | None:
    if name in values and _quantity(name, values[name]) == 0:
        return f"{shown or name} must not be 0{hint}"
    return None


def _user_exists(name: str) -> bool:
    """Does the system know this user (doveconf asks the same machine's user database)?"""
    import pwd

    try:
        pwd.getpwnam(name)
    except (KeyError, ValueError):
        return False
    return True


def _check_dsync(values: dict[str, str]) -> str | None:
    if values.get("dsync_hashed_headers", "x") == "":
        return "dsync_hashed_headers must not be empty"
    value = _expanded(values, "dsync_features")
    bad = next((w for w in re.split(r"[\s,]+", value) if w and w not in DSYNC_FEATURES), None)
    return None if bad is None else f"dsync_features: Unknown feature: {bad}"


def _check_fts(values: dict[str, str]) -> str | None:
    if values.get("fts_decoder_driver") == "script" and not values.get("fts_decoder_script_socket_path"):
        return "decoder_script_socket_path is required when fts_decoder_driver = script"
    return _zero(values, "fts_search_timeout")


def _check_http_client(values: dict[str, str]) -> str | None:
    if not any(k.startswith("http_client_") for k in values):
        return None
    for name, shown in HTTP_CLIENT_NOT_ZERO.items():
        if _quantity(name, _setting(values, name)) == 0:
            return f"{shown} must not be 0"
    backoff = _seconds(_setting(values, "http_client_connect_backoff_time"))
    backoff_max = _seconds(_setting(values, "http_client_connect_backoff_max_time"))
    if backoff is not None and backoff_max is not None and backoff_max < backoff:
        # doveconf 2.4.1 names the two values the other way round
        return (
            f"http_client_connect_backoff_time_msecs ({round(backoff_max * 1000)}) must not be smaller than "
            f"http_client_connect_backoff_max_time_msecs ({round(backoff * 1000)})"
        )
    proxy = _expanded(values, "http_client_proxy_url")
    if proxy and not re.match(r"https?://", proxy, re.IGNORECASE):
        reason = "Not an HTTP URL" if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", proxy) else "Relative HTTP URL not allowed"
        return f"Invalid http_client_proxy_url: {reason}"
    return None


def _check_http_server(values: dict[str, str]) -> str | None:
    return _zero(values, "http_server_max_pipelined_requests")


def _check_lmtp(values: dict[str, str]) -> str | None:
    return _zero(values, "lmtp_user_concurrency_limit", hint=' (did you mean "unlimited"?)')


def _check_namespace(values: dict[str, str], name: str) -> str | None:
    if len(_expanded(values, "namespace_separator")) > 1:
        return f"Namespace {name}: Hierarchy separator must be only one character long"
    return None


def _check_mail_storage(values: dict[str, str]) -> str | None:
    message = _zero(values, "mailbox_idle_check_interval")
    if not message and _setting(values, "mail_nfs_index").lower() in ("yes", "y", "1"):
        if _setting(values, "mmap_disable").lower() not in ("yes", "y", "1"):
            message = "mail_nfs_index=yes requires mmap_disable=yes"
        elif _setting(values, "mail_fsync") != "always":
            message = "mail_nfs_index=yes requires mail_fsync=always"
    percentage = _number(values.get("mail_cache_purge_delete_percentage", "0"))
    if not message and percentage is not None and percentage > 100:
        message = "mail_cache_purge_delete_percentage can't be over 100"
    uidl = values.get("pop3_uidl_format")
    if not message and uidl is not None and "%{" not in uidl:
        message = "pop3_uidl_format setting doesn't contain any %{variables}."
    elif not message and uidl is not None:
        message = _uidl_variable_error(uidl)
    admin = _expanded(values, "mail_server_admin")
    if not message and admin:
        message = _uri_scheme_error(admin)
    for name in ("mailbox_list_visible_escape_char", "mailbox_list_storage_escape_char"):
        value = values.get(name, "")
        if not message and len(value) > 1 and "%{" not in value:
            message = f"{name} value must be a single character"
    return message


def _uidl_variable_error(uidl: str) -> str | None:
    """A pop3_uidl_format whose one variable is not a UIDL one (``%{user}``). With several
    variables doveconf's choice is not simply the first unknown one: not emulated."""
    names = [m.split("|")[0].strip() for m in re.findall(r"%\{([^}]*)\}", uidl)]
    if len(names) == 1 and names[0] not in ("uidvalidity", "uid", "md5", "filename", "guid"):
        return f"Unknown pop3_uidl_format variable: %{{{names[0]}}}"
    return None


def _uri_scheme_error(uri: str) -> str | None:
    """doveconf's complaint about a mail_server_admin URI's scheme (the rest is not checked here)."""
    if not uri[:1].isascii() or not uri[:1].isalpha():
        reason = "Missing scheme"
    elif not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", uri):
        reason = "Invalid URI scheme"
    else:
        return None
    return f"mail_server_admin: '{uri}' is not a valid URI: {reason}"


def _check_log(values: dict[str, str]) -> str | None:
    facility = _expanded(values, "syslog_facility")
    if "syslog_facility" in values and facility not in SYSLOG_FACILITIES:
        return f"Unknown syslog_facility: {facility}"
    for name in ("log_debug", "log_core_filter", "process_shutdown_filter"):
        message = _event_filter_error(_expanded(values, name)) if values.get(name) else None
        if message:
            return f"Invalid {name}: event filter: {message}"
    return None


_FILTER_TOKENS = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<word>[A-Za-z0-9_.*?:%/-]+)|(?P<op>[()=<>])|(?P<bad>.))'
)


def _filter_tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) of an event filter: TOKEN, STRING, AND/OR/NOT, '(' ... and "invalid token"."""
    out = []
    for m in _FILTER_TOKENS.finditer(text):
        if m.group("string") is not None:
            out.append(("STRING", m.group("string")))
        elif m.group("word") is not None:
            word = m.group("word")
            keyword = word.upper() if word.upper() in ("AND", "OR", "NOT") else None
            out.append((keyword, word) if keyword else ("TOKEN", word))
        elif m.group("op") is not None:
            out.append((f"'{m.group('op')}'", m.group("op")))
        elif m.group("bad") is not None and not m.group("bad").isspace():
            out.append(("invalid token", m.group("bad")))
    return out


def _event_filter_error(text: str) -> str | None:
    """The message of doveconf 2.4.1's event filter parser (Bison's wording) for TEXT, or None.

    States: a term may start with TOKEN, STRING, NOT or '('; a key is followed by '=', '>' or '<'
    (``>=``/``<=`` too), then a value; a finished term by AND/OR, by ')' inside parentheses, by
    the end outside them."""
    tokens = [*_filter_tokens(text), ("end of file", "")]
    state, depth, i = "first", 0, 0
    while i < len(tokens):
        kind, word = tokens[i]
        if state in ("first", "term"):
            if kind in ("TOKEN", "STRING"):
                state, key = "key", word.strip('"')
            elif kind == "NOT":
                state = "term"
            elif kind == "'('":
                state, depth = "term", depth + 1
            elif state == "first" and kind == "end of file":
                return None
            elif state == "first":
                return f"syntax error, unexpected {kind}, expecting end of file"
            else:
                return f"syntax error, unexpected {kind}, expecting TOKEN or STRING or NOT or '('"
        elif state == "key":
            if kind not in ("'='", "'>'", "'<'"):
                return f"syntax error, unexpected {kind}, expecting '=' or '>' or '<'"
            if kind != "'='" and tokens[i + 1][0] == "'='":
                i += 1
            if kind != "'='" and key.lower() in ("event", "category"):
                return "Only fields support inequality comparisons"
            state = "value"
        elif state == "value":
            if kind not in ("TOKEN", "STRING"):
                return f"syntax error, unexpected {kind}"
            state = "done"
        elif kind in ("AND", "OR"):
            state = "term"
        elif depth and kind == "')'":
            depth -= 1
        elif depth:
            return f"syntax error, unexpected {kind}, expecting AND or OR or ')'"
        elif kind != "end of file":
            return f"syntax error, unexpected {kind}, expecting end of file"
        else:
            return None
        i += 1
    return None


def _check_acl_id(values: dict[str, str]) -> str | None:
    ident = _expanded(values, "acl_id")
    if ident in ("", "anyone", "anonymous", "authenticated", "owner"):
        return None
    if ident.startswith(("user=", "group=", "group-override=")):
        return None
    return f"Invalid identifier '{ident}'"


def _check_auth_cache(values: dict[str, str]) -> str | None:
    size = _bytes(values.get("auth_cache_size", "0"))
    if size is not None and 0 < size < 1024:
        return f"auth_cache_size value is too small ({size} bytes)"
    return None


def _check_verbose_passwords(values: dict[str, str]) -> str | None:
    """``no``, ``yes``, ``plain`` or ``sha1``, the last two with an optional ``:LENGTH``."""
    head, colon, length = _expanded(values, "auth_verbose_passwords").partition(":")
    if head not in ("no", "yes", "plain", "sha1"):
        return "auth_verbose_passwords: Invalid value"
    if colon and head in ("plain", "sha1") and not (length.isdigit() and int(length) > 0):
        return f"auth_verbose_passwords: Invalid truncation number: '{length}'"
    return None


def _check_pop3(values: dict[str, str]) -> str | None:
    if values.get("pop3_delete_type") == "flag" and not values.get("pop3_deleted_flag"):
        return "pop3_delete_type=flag, but pop3_deleted_flag not set"
    return None


def _check_execute(values: dict[str, str]) -> str | None:
    if values.get("execute_driver") == "tcp" and _number(_setting(values, "execute_tcp_port")) == 0:
        return "execute_tcp_port must not be 0 with execute_driver=tcp"
    return None


def _check_ox(values: dict[str, str]) -> str | None:
    url = _expanded(values, "push_notification_ox_url")
    if "push_notification_ox_url" in values and url and not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", url):
        return f"Invalid push_notification_ox_url '{url}': Relative HTTP URL not allowed"
    return _zero(values, "push_notification_ox_cache_ttl")


def _check_redis(values: dict[str, str]) -> str | None:
    if "redis_host" in values and _network(_expanded(values, "redis_host")) is None:
        return "redis_host is not a valid IP"
    return None


def _check_ssl_options(values: dict[str, str]) -> str | None:
    options = _expanded(values, "ssl_options")
    bad = next((w for w in re.split(r"[\s,]+", options) if w and w not in ("compression", "no_ticket")), None)
    return None if bad is None else f"ssl_options: unknown flag: '{bad}'"


def _check_editheader(values: dict[str, str]) -> str | None:
    size = _bytes(values.get("sieve_editheader_max_header_size", "2k"))
    if size is not None and size < 1024:  # doveconf's message ends with a blank
        return f"sieve_editheader_max_header_size: Value (={size}) is less than the minimum (=1024) "
    return None


def _check_imapsieve(values: dict[str, str]) -> str | None:
    url = _expanded(values, "imapsieve_url")
    if url and not url.lower().startswith("sieve://"):
        return f"Invalid URL for imapsieve_url setting: {url}"
    return None


HASH_METHOD_BITS = {"md4": 128, "md5": 128, "sha1": 160, "sha256": 256, "sha384": 384, "sha512": 512}


def _check_attachment_hash(values: dict[str, str]) -> str | None:
    """``mail_ext_attachment_hash``: text with ``%{method}`` / ``%{method:bits}`` (read as it is
    written, not expanded; doveconf 2.4.1 still names the setting by its 2.3 name)."""
    value = values.get("mail_ext_attachment_hash")
    if value is None or re.search(r"%\{[^}]*$", value):
        return None  # an unclosed %{ crashes doveconf 2.4.1
    for char in "/-":
        if char in value:
            return f"mail_attachment_hash setting must not contain '{char}' characters"
    for m in re.finditer(r"%(\{([^}]*)\})?", value):
        if m.group(1) is None:
            return "Invalid mail_attachment_hash setting: No '{' after '%'"
        method, colon, bits = m.group(2).partition(":")
        if method not in HASH_METHOD_BITS:
            return f"Invalid mail_attachment_hash setting: Unknown hash method: {method}"
        if colon and not (bits.isdigit() and 0 < int(bits) <= HASH_METHOD_BITS[method]):
            return f"Invalid mail_attachment_hash setting: Invalid :bits number: {bits}"
        if colon and int(bits) % 8:
            return f"Invalid mail_attachment_hash setting: Currently :bits must be divisible by 8: {bits}"
    return None


def _check_imapc(values: dict[str, str]) -> str | None:
    return _zero(values, "imapc_max_idle_time") or _zero(values, "imapc_max_line_length")


def _check_auth_policy(values: dict[str, str]) -> str | None:
    if values.get("auth_policy_server_url") and not values.get("auth_policy_hash_nonce"):
        return "auth_policy_hash_nonce must be set when policy server is used"
    return None


def _check_client_cert(values: dict[str, str]) -> str | None:
    wants_cert = values.get("ssl_server_request_client_cert", "no").lower() in ("yes", "y", "1")
    if wants_cert and not values.get("ssl_server_ca_file"):
        return "ssl_server_request_client_cert set, but ssl_server_ca_file not"
    return None


def _check_oauth2(values: dict[str, str]) -> str | None:
    mode = values.get("oauth2_introspection_mode", "")
    mode = "" if "%{" in mode else mode  # doveconf 2.4.1 checks an enum it cannot expand as empty
    urls = [values.get(f"oauth2_{k}_url", "") for k in ("tokeninfo", "introspection", "grant")]
    if not mode and any(urls):
        return "Missing oauth2_introspection_mode"
    if mode and mode != "local" and not (urls[0] or urls[1]):
        return "Need at least one of oauth2_tokeninfo_url or oauth2_introspection_url"
    if bool(values.get("oauth2_client_id")) != bool(values.get("oauth2_client_secret")):
        return "oauth2_client_id and oauth2_client_secret must be provided together"
    if values.get("oauth2_active_value") and not values.get("oauth2_active_attribute"):
        return "Cannot have empty active_attribute if active_value is set"
    return None


class LookupFailed(Doveconf24Error):
    """A lookup doveconf fails (``-h`` matching several values); ``printed``: its output before."""

    def __init__(self, message: str, printed: str) -> None:
        super().__init__(message)
        self.printed = printed


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _inside(
    inner: ipaddress.IPv4Network | ipaddress.IPv6Network, outer: ipaddress.IPv4Network | ipaddress.IPv6Network
) -> bool:
    return inner.version == outer.version and inner.subnet_of(outer)  # type: ignore[arg-type]


def _own_prefixes(node: Node) -> list[str]:
    """Name prefixes a filter's settings drop in the output, longest first (``passdb_static_``, ``passdb_``)."""
    if not node.kind or node.kind in ("group", *SPECIAL_FILTERS):
        return []
    out = [f"{node.kind}_{node.name}_"] if node.name else []
    return [*out, f"{node.kind}_"]


def _boollist_error(value: str) -> str | None:
    """Why doveconf 2.4.1 refuses a boolean list's string (as read: a value quoted whole has
    lost its quotes, ``"a" "b"`` is ``a" "b``): a quoted item must be closed and followed by a
    separator, and no other item may hold a quote."""
    pos = 0
    while pos < len(value):
        if value[pos] in " ,":
            pos += 1
        elif value[pos] == '"':
            m = re.compile(r'"(?:[^"\\]|\\.)*"').match(value, pos)
            if m is None:
                return "Missing ending '\"'"
            pos = m.end()
            if pos < len(value) and value[pos] not in " ,":
                return "Expected ',' or ' ' after '\"'"
        else:
            end = re.compile(r"[^ ,]*").match(value, pos)
            assert end is not None
            if '"' in end.group():
                return "'\"' in the middle of a string"
            pos = end.end()
    return None


def _list_words(value: str) -> list[str]:
    """The items of ``name = a b,c "d e"``: blank- or comma-separated, ``"..."`` one item."""
    words = []
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"|([^\s,]+)', value):
        # only \\ and \" are escapes (special_use = \Sent keeps its backslash)
        words.append(re.sub(r'\\([\\"])', r"\1", m.group(1) if m.group(1) is not None else m.group(2)))
    return words


def _join_words(words: Any) -> str:
    """A boolean list as doveconf 2.4 prints its string form: items with ``=``, a blank, ``\\``
    or ``"`` quoted one by one."""
    out = []
    for word in words:
        if not word or any(c in word for c in '= \\"'):
            word = '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out.append(word)
    return " ".join(out)


def _quote_value(value: str) -> str:
    """A setting's value as doveconf 2.4.1 prints it: quoted (with ``\\`` and ``"`` escaped) when
    it starts or ends with a blank or holds ``#``; a backslash alone does not quote it."""
    if value != value.strip() or "#" in value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _quote_name(name: str) -> str:
    """A filter name as doveconf 2.4.1 prints it: quoted with a blank, brace, quote, ``#``, ``=``,
    ``$`` or ``<`` in it, backslashes and quotes escaped."""
    if not name or any(c in name for c in " {}\"'#=$<"):
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'") + '"'
    return name


def load_config24(path: str | Path, *, check_users: bool = False) -> Config24:
    """Read a 2.4 tree (includes followed) as doveconf 2.4 does; raises :class:`ParseError`."""
    from mailconf.dovecot.tree import load

    try:
        tree = load(path, version="2.4")
    except ParseError as exc:
        partial_tree = getattr(exc, "partial_tree", None)
        if exc.message.startswith("Missing '}'") and partial_tree is not None:
            raise _unclosed(partial_tree, path, exc, check_users) from None
        # doveconf applies each setting as it reads it: one it refuses before the syntax error
        # is the error, and its warnings come first
        cfg = Config24(str(path))
        try:
            if partial_tree is not None:
                _apply(cfg, partial_tree)
        except Doveconf24Error as first:
            first.warnings = cfg.warnings
            raise first from None
        if exc.message.startswith("Missing key name"):  # 2.4 reads "= v" as the setting "" (unknown)
            error = Doveconf24Error(": Unknown setting: ", path=exc.path, line=exc.line)
            error.warnings = cfg.warnings
            raise error from None
        exc.warnings = cfg.warnings  # type: ignore[attr-defined]
        raise
    return config24_from_tree(tree, path, check_users=check_users)


def _apply(cfg: Config24, tree: Any) -> None:
    """Read a tree's statements into CFG, with the reader's "Ambiguous '#'" warnings first (those
    past a setting refused are not printed: doveconf stops reading there)."""
    hashes = [w for w in getattr(tree, "warnings", ()) if w.code == "ambiguous-hash"]
    cfg.warnings[:0] = [f"Configuration file {w.path} line {w.line}: {w.message}" for w in hashes]
    try:
        cfg.apply(tree.walk(includes=True))
    except Doveconf24Error as exc:
        late = [w for w in hashes if str(w.path) == str(exc.path) and exc.line and w.line > exc.line]
        for w in late:
            cfg.warnings.remove(f"Configuration file {w.path} line {w.line}: {w.message}")
        raise


def _unclosed(tree: Any, path: str | Path, exc: ParseError, check_users: bool) -> Doveconf24Error:
    """A block left open at the end: doveconf 2.4.1 reads every setting (a refused one is the
    error), checks the group uses, then prints the settings and fails with "Missing '}'" without
    the checks after reading; a lookup answers, with exit status 0."""
    cfg = Config24(str(path))
    cfg.check_users = check_users
    try:
        _apply(cfg, tree)
        cfg.check_groups()
    except Doveconf24Error as refused:
        refused.warnings = cfg.warnings
        if not refused.line or refused.message.startswith("Unknown group"):
            refused.partial = cfg  # a group use: doveconf prints the settings first
        return refused
    unclosed = Doveconf24Error(exc.message, path=str(path), errors=[])  # the main file, where reading ended
    unclosed.partial = cfg
    unclosed.warnings = cfg.warnings
    return unclosed


def config24_from_tree(tree: Any, path: str | Path, *, check_users: bool = False) -> Config24:
    """:func:`load_config24` on a tree already loaded with ``version="2.4"``."""
    cfg = Config24(str(path))
    cfg.check_users = check_users
    try:
        _apply(cfg, tree)
    except Doveconf24Error as exc:
        exc.warnings = cfg.warnings
        raise
    try:
        cfg.check_groups()
        cfg.check()
    except Doveconf24Error as exc:
        exc.partial = None if exc.prints_nothing else cfg
        exc.warnings = cfg.warnings
        raise
    if "dovecot_storage_version" not in cfg.root.values:
        raise Doveconf24Error("dovecot_storage_version setting must be set")
    return cfg
