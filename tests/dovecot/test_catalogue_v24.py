"""The 2.4 catalogue, built from a real Dovecot 2.4.1 ``doveconf -d`` (scripts/build_dovecot_catalogue.py --v24)."""

from __future__ import annotations

import json
from pathlib import Path

from mailconf.dovecot.catalogue import load_24

DATA = Path(__file__).resolve().parents[2] / "mailconf" / "dovecot" / "data" / "catalogue_2_4.json"


def test_complete_and_from_a_real_doveconf() -> None:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    assert raw["complete"] is True
    assert raw["version"].startswith("2.4.")
    assert len(raw["settings"]) > 650


def test_types_and_defaults_as_doveconf_24_reports_them() -> None:
    c = load_24()
    expect = {
        "ssl": ("enum", "yes"),
        "auth_allow_cleartext": ("bool", "no"),
        "auth_cache_ttl": ("time", "1 hours"),
        "default_vsz_limit": ("size", "256 M"),
        "inet_listener_port": ("port", "0"),
        "unix_listener_mode": ("octal", "0600"),
        "mail_plugins": ("boollist", ""),
        "import_environment": ("strlist", ""),
        "ssl_server_cert_file": ("string", ""),
        "http_client_request_timeout": ("time_msecs", "1 mins"),
    }
    got = {name: (c.settings[name].type, c.settings[name].default) for name in expect}
    assert got == expect
    assert c.settings["ssl"].values == ("yes", "no", "required")


def test_old_names_are_gone_and_new_ones_present() -> None:
    c = load_24()
    for old in ("ssl_cert", "ssl_key", "disable_plaintext_auth", "mail_location", "verbose_ssl"):
        assert old not in c.settings, old
        assert old in c.renamed_from_23
    for new in ("dovecot_config_version", "dovecot_storage_version", "mail_driver", "mail_path", "passdb_driver"):
        assert new in c.settings
    assert "plugin" not in c.sections


def test_filters_and_their_settings() -> None:
    c = load_24()
    for name in ("namespace", "mailbox", "passdb", "userdb", "service", "inet_listener", "ssl_server", "protocol"):
        assert name in c.sections, name
    assert "port" in c.sections["inet_listener"].settings
    assert c.section("service/inet_listener") is not None
    assert c.section("namespace/mailbox") is not None
    assert c.service_defaults["imap-login"]["listeners"]["inet_listener"]["imaps"]["port"] == "993"


def test_secrets_are_marked() -> None:
    raw = json.loads(DATA.read_text(encoding="utf-8"))["settings"]
    secrets = {name for name, spec in raw.items() if spec.get("secret")}
    assert {"ssl_server_key_password", "passdb_static_password", "imapc_password"} <= secrets
    assert "ssl_server_key_file" not in secrets


def test_renames_keep_only_names_the_real_24_refuses() -> None:
    c = load_24()
    assert "auth_debug" in c.settings  # the upgrade pages call it renamed; 2.4.1 still has it
    assert "auth_debug" not in c.renamed_from_23
    assert all(old not in c.settings for old in c.renamed_from_23)


def test_filter_rules_and_enum_words_from_the_real_24() -> None:
    c = load_24()
    assert c.settings["auth_verbose"].no_net_filter  # "Auth settings not supported inside local/remote blocks"
    assert c.settings["auth_mechanisms"].no_net_filter
    assert not c.settings["ssl"].no_net_filter
    # words a later check refuses on their own are still values of the enum
    assert c.settings["pop3_delete_type"].values == ("default", "expunge", "flag")
    assert c.settings["oauth2_introspection_mode"].values == ("", "auth", "get", "post", "local")
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    assert raw["config_versions"][0] == "2.4.0"
