"""Mailman's built-in defaults for the settings mailconf models.

Sources (facts, read through the project's search tool; no code copied):

- Mailman 3: ``src/mailman/config/schema.cfg`` (the lazr.config schema: every key with its default),
  ``src/mailman/config/mailman.cfg`` (the base configuration pushed before the user's file: the
  ``paths.local``, ``paths.dev``, ``paths.here`` and ``paths.fhs`` layouts) and
  ``src/mailman/config/postfix.cfg`` (``[postfix] transport_file_type: hash``), as shipped in the
  GitHub mirror wikimedia/operations-debs-mailman3 (Mailman 3.3 series; the same text is corpus set
  132 in ../shared/corpus). ``src/mailman/config/config.py`` shows how ``[paths.<layout>]`` is chosen
  and ``$var`` substitutions are expanded; ``src/mailman/mta/postfix.py`` that the generated maps are
  ``<data_dir>/postfix_lmtp``, ``postfix_domains`` and ``postfix_vmap``, with next hops
  ``lmtp:[lmtp_host]:lmtp_port``, and that ``transport_file_type: hash`` runs ``postmap`` (so the
  Postfix type is the indexed default type) while ``regex`` writes ``regexp:`` tables.
- Mailman 2: ``Mailman/Defaults.py.in`` and ``Mailman/MTA/Postfix.py`` (mirror
  jaredmauch/mailman2-python3): ``MTA = 'Manual'``, ``POSTFIX_STYLE_VIRTUAL_DOMAINS = []``, the aliases
  map is ``DATA_DIR/aliases`` (built with ``POSTFIX_ALIAS_CMD``), the virtual map
  ``DATA_DIR/virtual-mailman`` (built with ``POSTFIX_MAP_CMD``), ``DATA_DIR = VAR_PREFIX/data``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final


#: ``[section] key`` defaults from schema.cfg for the keys mailconf reads.
MAILMAN3_SCHEMA: Final[dict[str, dict[str, str]]] = {
    "mailman": {
        "site_owner": "changeme@example.com",
        "layout": "here",
        "noreply_address": "noreply",
        "default_language": "en",
    },
    "mta": {
        "incoming": "mailman.mta.postfix.LMTP",
        "outgoing": "mailman.mta.deliver.deliver",
        "smtp_host": "localhost",
        "smtp_port": "25",
        "smtp_user": "",
        "smtp_pass": "",
        "lmtp_host": "127.0.0.1",
        "lmtp_port": "8024",
        "verp_delimiter": "+",
        # Newer Mailman 3 (mailman/mta/connection.py SecureMode: smtp, smtps, starttls).
        "smtp_secure_mode": "smtp",
        "configuration": "python:mailman.config.postfix",
    },
}

#: ``[paths.master]``: the template every ``[paths.*]`` section starts from.
PATHS_MASTER: Final[dict[str, str]] = {
    "var_dir": "/var/tmp/mailman",
    "queue_dir": "$var_dir/queue",
    "bin_dir": "$argv",
    "list_data_dir": "$var_dir/lists",
    "log_dir": "$var_dir/logs",
    "lock_dir": "$var_dir/locks",
    "data_dir": "$var_dir/data",
    "cache_dir": "$var_dir/cache",
    "etc_dir": "$var_dir/etc",
    "messages_dir": "$var_dir/messages",
    "archive_dir": "$var_dir/archives",
    "template_dir": "$var_dir/templates",
    "pid_file": "$var_dir/master.pid",
    "lock_file": "$lock_dir/master.lck",
}

#: Layouts defined by Mailman's base mailman.cfg (over ``PATHS_MASTER``).
BASE_LAYOUTS: Final[dict[str, dict[str, str]]] = {
    "local": {},
    "dev": {"var_dir": "$cfg_file/../.."},
    "here": {"var_dir": "$cwd/var"},
    "fhs": {
        "bin_dir": "/sbin",
        "var_dir": "/var/lib/mailman",
        "queue_dir": "/var/spool/mailman",
        "log_dir": "/var/log/mailman",
        "lock_dir": "/var/lock/mailman",
        "etc_dir": "/etc",
        "ext_dir": "/etc/mailman.d",
        "pid_file": "/var/run/mailman/master.pid",
    },
}

#: The Postfix MTA configuration Mailman 3 ships (``python:mailman.config.postfix``).
POSTFIX_CFG: Final[dict[str, str]] = {"postmap_command": "/usr/sbin/postmap", "transport_file_type": "hash"}
BUILTIN_MTA_CONFIGURATION: Final[str] = "python:mailman.config.postfix"
#: The ``incoming`` class that makes Mailman write Postfix maps.
POSTFIX_LMTP_INCOMING: Final[str] = "mailman.mta.postfix.LMTP"

#: Mailman 2 Defaults.py values for the names mailconf models (``None``: set by configure).
MAILMAN2_DEFAULTS: Final[dict[str, object]] = {
    "MTA": "Manual",
    "POSTFIX_STYLE_VIRTUAL_DOMAINS": [],
    "POSTFIX_ALIAS_CMD": "/usr/sbin/postalias",
    "POSTFIX_MAP_CMD": "/usr/sbin/postmap",
    "DEFAULT_EMAIL_HOST": None,
    "DEFAULT_URL_HOST": None,
    "VIRTUAL_MAILMAN_LOCAL_DOMAIN": None,
    "MAILMAN_SITE_LIST": "mailman",
}

#: Where distributions put Mailman 2's data directory (VAR_PREFIX/data).
MAILMAN2_DATA_DIRS: Final[tuple[str, ...]] = (
    "/var/lib/mailman/data",  # Debian, Ubuntu, Fedora, RHEL
    "/usr/local/mailman/data",  # source install (configure default prefix)
    "/var/mailman/data",  # older source installs with --with-var-prefix
)
