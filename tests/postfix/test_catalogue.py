"""The Postfix parameter catalogue shipped with the package."""

from __future__ import annotations

import subprocess

import pytest

from mailconf.postfix.catalogue import Catalogue, installed_version, version_key
from tests.support import backdate, require_tool


def test_37_knows_every_builtin_name_with_types() -> None:
    cat = Catalogue.for_version("3.7")
    assert len(cat) == 831
    assert cat.spec("smtpd_banner") is not None
    spec = cat.spec("message_size_limit")
    assert spec is not None and spec.type == "long" and spec.default == "10240000"
    spec = cat.spec("smtpd_timeout")
    assert spec is not None and spec.type == "time" and spec.unit == "s"
    spec = cat.spec("address_verify_negative_expire_time")
    assert spec is not None and spec.unit == "d"
    spec = cat.spec("smtpd_tls_auth_only")
    assert spec is not None and spec.type == "bool"
    spec = cat.spec("smtpd_soft_error_limit")
    assert spec is not None and spec.type == "int"
    assert cat.spec("nosuch_parameter") is None


def test_raw_parameters() -> None:
    cat = Catalogue.for_version("3.7")
    raw = {name for name in cat.names() if (s := cat.spec(name)) is not None and s.raw}
    assert raw == {
        "command_execution_directory",
        "default_rbl_reply",
        "forward_path",
        "luser_relay",
        "mailbox_command",
        "postscreen_expansion_filter",
        "postscreen_reject_footer",
        "smtpd_expansion_filter",
        "smtpd_reject_footer",
    }


def test_subtypes_and_enums() -> None:
    cat = Catalogue.for_version("3.7")
    level = cat.spec("smtp_tls_security_level")
    assert level is not None and level.subtype == "enum" and "dane" in level.values
    relay = cat.spec("smtpd_relay_restrictions")
    assert relay is not None and relay.subtype == "restrictions"
    maps = cat.spec("virtual_alias_maps")
    assert maps is not None and maps.subtype == "maps"


def test_since_versions_filter_older_releases() -> None:
    new = Catalogue.for_version("3.7")
    old = Catalogue.for_version("2.6")
    spec = new.spec("smtputf8_enable")
    assert spec is not None and spec.since == "3.0"
    assert old.spec("smtputf8_enable") is None
    assert old.spec("smtpd_banner") is not None
    assert len(old) < len(new)
    compat = new.spec("compatibility_level")
    assert compat is not None and compat.since == "3.0"


def test_compatibility_level_defaults_are_expressions() -> None:
    cat = Catalogue.for_version("3.7")
    assert cat.default("smtputf8_enable") == "${{$compatibility_level} <level {1} ? {no} : {yes}}"
    assert cat.default("mynetworks_style") == "${{$compatibility_level} <level {2} ? {subnet} : {host}}"


def test_service_derived_names() -> None:
    cat = Catalogue.for_version("3.7")
    assert len(cat.service_suffixes("smtp")) == 16
    assert len(cat.service_suffixes("pipe")) == 17
    assert set(cat.service_suffixes("spawn")) == {"time_limit"}
    assert cat.service_suffixes("smtpd") == {}
    spec = cat.service_spec("relay", "smtp", "relay_destination_concurrency_limit")
    assert spec is not None and spec.default == "$default_destination_concurrency_limit" and spec.service


def test_version_key() -> None:
    assert version_key("3.10") > version_key("3.9") > version_key("3.7.11") > version_key("2.6")


@pytest.mark.oracle
def test_catalogue_matches_installed_postconf_d(tmp_path: object) -> None:
    """Every name and default of the installed version (machine-computed values aside)."""
    from pathlib import Path

    tool = require_tool("postconf")
    directory = Path(str(tmp_path))
    (directory / "main.cf").write_text("")
    (directory / "master.cf").write_text("")
    backdate(directory)
    out = subprocess.run([tool, "-c", str(directory), "-d"], capture_output=True, text=True, check=True).stdout
    real: dict[str, str] = {}
    for line in out.splitlines():
        name, _, value = line.partition(" = ")
        real[name.rstrip(" =")] = value
    cat = Catalogue.for_version(installed_version())
    if real["mail_version"].rsplit(".", 1)[0] != cat.installed.rsplit(".", 1)[0]:
        pytest.skip(f"catalogue generated from Postfix {cat.installed}, installed {real['mail_version']}")
    assert set(real) == set(cat.names())
    for name, default in real.items():
        if name in cat.computed:
            continue
        assert cat.default(name) == default, name


def test_newer_releases_add_names_and_change_defaults() -> None:
    old, new = Catalogue.for_version("3.7"), Catalogue.for_version("3.10")
    assert old.spec("smtpd_hide_client_session") is None
    hide = new.spec("smtpd_hide_client_session")
    assert hide is not None and hide.since == "3.10" and hide.type == "bool"
    assert Catalogue.for_version("3.8").spec("use_srv_lookup") is not None
    assert Catalogue.for_version("3.8").spec("smtp_tls_enable_rpk") is None  # 3.9
    assert old.default("smtpd_forbid_bare_newline") == "no"
    assert new.default("smtpd_forbid_bare_newline") == "normalize"
    assert new.spec("requiretls_enable") is None  # 3.11
