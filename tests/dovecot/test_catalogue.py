"""Dovecot catalogues: 2.3 (built from doveconf), 2.4 (from the upgrade notes), renamed names."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mailconf.dovecot.catalogue import RENAMED, Catalogue, load_23, load_24
from mailconf.dovecot.config import check_version_rules, detect_version, legacy_names
from tests.support import require_tool


def test_23_types_and_defaults() -> None:
    c = load_23()
    assert c.spec("ssl") is not None
    assert (c.spec("ssl").type, c.spec("ssl").values) == ("enum", ("yes", "no", "required"))  # type: ignore[union-attr]
    assert c.spec("disable_plaintext_auth").type == "bool"  # type: ignore[union-attr]
    assert c.spec("auth_cache_ttl").default == "1 hours"  # type: ignore[union-attr]
    assert c.spec("auth_cache_size").type == "size"  # type: ignore[union-attr]
    assert c.section("service/unix_listener").settings["mode"].type == "octal"  # type: ignore[union-attr]
    assert c.section("service/inet_listener").settings["port"].type == "port"  # type: ignore[union-attr]
    assert c.section("passdb").unique is False  # type: ignore[union-attr]
    assert c.section("plugin").strlist is True  # type: ignore[union-attr]
    assert "imap-login" in c.service_defaults
    assert len(c.settings) > 300


def test_24_renames() -> None:
    c = load_24()
    assert c.spec("ssl_server_cert_file") is not None
    assert c.spec("ssl_cert") is None
    assert c.spec("disable_plaintext_auth") is None
    assert c.spec("auth_allow_cleartext").type == "bool"  # type: ignore[union-attr]
    assert c.renamed_from_23["mail_location"] == "mail_driver"
    assert "plugin" not in c.sections
    assert Catalogue.for_version("2.4.1") is c
    assert Catalogue.for_version("2.3.19") is load_23()


def test_renamed_legacy_names() -> None:
    for old in ("ssl_cert_file", "ssl_disable", "protocols = imaps", "auth default"):
        assert old in RENAMED


def test_catalogue_matches_installed_doveconf() -> None:
    """Every setting doveconf -a lists is in the catalogue with the same default (2.3 only)."""
    exe = require_tool("doveconf")
    out = subprocess.run([exe, "-c", "/dev/null", "-a"], capture_output=True, text=True).stdout
    if out.startswith("# 2.4"):
        pytest.skip("installed doveconf is 2.4")
    c = load_23()
    for line in out.splitlines():
        if line.startswith(("#", " ", "}")) or (" = " not in line and not line.endswith(" =")):
            continue
        key, _, value = line.partition(" = ")
        key = key.rstrip(" =")
        assert key in c.settings, key
        if value.startswith('"') and value.endswith('"'):
            continue
        assert c.settings[key].default == value, key


def test_detect_version_and_24_rules(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text("dovecot_config_version = 2.4.1\nssl_cert = </x\nplugin {\n  quota = x\n}\n")
    assert detect_version(f) == "2.4"
    msgs = [e.message for e in check_version_rules(f)]
    assert "dovecot_storage_version is not set" in msgs
    assert "Unknown setting: ssl_cert (2.4: replaced by ssl_server_cert_file)" in msgs
    assert any(m.startswith("Unknown section: plugin") for m in msgs)


def test_24_first_setting_rule(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text("ssl = yes\ndovecot_config_version = 2.4.1\ndovecot_storage_version = 2.4.1\n")
    errs = check_version_rules(f, "2.4")
    assert [(e.message, e.line) for e in errs] == [("The first setting must be dovecot_config_version", 1)]


def test_24_names_in_23_file(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text("ssl = yes\nauth_allow_cleartext = no\n")
    assert detect_version(f) == "2.3"
    errs = check_version_rules(f)
    assert [(e.message, e.line) for e in errs] == [("Unknown setting: auth_allow_cleartext (a Dovecot 2.4 name)", 2)]


def test_legacy_names(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text("protocols = imap imaps\nssl_cert_file = /x\nauth default {\n  mechanisms = plain\n}\n")
    found = [(x.name, x.line) for x in legacy_names(f)]
    assert found == [("protocols = imaps", 1), ("ssl_cert_file", 2), ("auth default {}", 3)]
