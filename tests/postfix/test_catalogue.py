"""The Postfix parameter catalogue shipped with the package."""

from __future__ import annotations

import gzip
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mailconf.postfix.catalogue import Catalogue, installed_version, version_key
from tests.support import ROOT, backdate, require_tool


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
def test_catalogue_matches_installed_postconf_d(tmp_path: Path) -> None:
    """Every name and default of the installed version (machine-computed values aside): 3.7.11 on
    Debian 12, 3.10.13 on Debian 13; the catalogue is generated from both."""
    tool = require_tool("postconf")
    (tmp_path / "main.cf").write_text("")
    (tmp_path / "master.cf").write_text("")
    backdate(tmp_path)
    out = subprocess.run([tool, "-c", str(tmp_path), "-d"], capture_output=True, text=True, check=True).stdout
    real: dict[str, str] = {}
    for line in out.splitlines():
        name, _, value = line.partition(" = ")
        real[name.rstrip(" =")] = value
    cat = Catalogue.for_version(installed_version())
    generated_from = cat.default("mail_version") or ""
    if real["mail_version"] != generated_from:
        # patch releases add back-ported names and change defaults (3.10.8: milter_default_action)
        pytest.skip(
            f"the catalogue's {cat.version} data come from Postfix {generated_from}, not {real['mail_version']}"
        )
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


def test_since_is_the_parameters_own_available_sentence() -> None:
    cat = Catalogue.for_version("3.10")
    since = {name: spec.since for name, spec in cat.specs().items()}
    assert since["relayhost"] is None  # "supported in Postfix 3.5 and later" is about a later change
    assert since["smtpd_client_restrictions"] is None
    assert since["smtpd_relay_restrictions"] == "2.10"
    assert since["milter_default_action"] == "2.3"  # not 3.11 of the "shutdown" value's item
    assert since["postscreen_denylist_action"] == "3.6"  # not "Available as postscreen_blacklist_action in 2.8"
    assert since["tls_ffdhe_auto_groups"] == "3.8"  # not "OpenSSL 3.0" of the same sentence
    assert since["smtp_tls_CAfile"] == "2.2"  # upper-case names have sections too
    assert since["always_add_missing_headers"] == "2.6"
    assert since["smtpd_client_event_limit_exceptions"] == "2.2"
    # back-ported to 3.7.9 ("Postfix >= 3.9, 3.8.4, 3.7.9, 3.6.13, 3.5.23"): the oldest line
    assert since["smtpd_forbid_unauth_pipelining"] == "3.5"
    assert Catalogue.for_version("2.9").spec("smtpd_relay_restrictions") is None
    assert Catalogue.for_version("2.10").spec("smtpd_relay_restrictions") is not None
    assert Catalogue.for_version("2.6").spec("relayhost") is not None


def test_since_never_exceeds_the_release_that_has_the_name() -> None:
    old, new = Catalogue.for_version("3.7"), Catalogue.for_version("3.10")
    for cat in (old, new):
        for spec in cat.specs().values():
            assert spec.since is None or version_key(spec.since) <= version_key(cat.version), spec.name
    for name in set(new.names()) - set(old.names()):
        added = new.spec(name)
        assert added is not None and added.since is not None and version_key(added.since) > (3, 7), name


def test_37_and_310_names() -> None:
    old, new = Catalogue.for_version("3.7"), Catalogue.for_version("3.10")
    assert (len(old), len(new)) == (831, 857)
    assert set(old.names()) < set(new.names())
    for name, since in [
        ("smtp_tlsrpt_enable", "3.10"),
        ("lmtp_tlsrpt_socket_name", "3.10"),
        ("smtp_sasl_password_result_delimiter", "3.9"),
        ("lmtp_sasl_password_result_delimiter", "3.9"),  # the lmtp_* twin takes the smtp_* date
        ("use_srv_lookup", "3.8"),
    ]:
        assert old.spec(name) is None, name
        spec = new.spec(name)
        assert spec is not None and spec.since == since, name
    assert Catalogue.for_version("3.8").spec("smtp_sasl_password_result_delimiter") is None
    assert Catalogue.for_version("3.9").spec("smtp_sasl_password_result_delimiter") is not None


def test_defaults_follow_the_version() -> None:
    v37, v38, v39, v310 = (Catalogue.for_version(v) for v in ("3.7", "3.8", "3.9", "3.10"))
    assert v37.default("mail_version") == "3.7.11" and v310.default("mail_version") == "3.10.13"
    assert v37.default("milter_default_action") == "tempfail"
    assert v310.default("milter_default_action") == "shutdown"
    assert v38.default("smtpd_forbid_unauth_pipelining") == "no"
    assert v39.default("smtpd_forbid_unauth_pipelining") == "yes"
    assert v37.default("tls_low_cipherlist") != "" and v310.default("tls_low_cipherlist") == ""
    assert v37.default("smtp_tls_dane_insecure_mx_policy") == "${{$smtp_tls_security_level} == {dane} ? {dane} : {may}}"
    assert v310.default("smtp_tls_dane_insecure_mx_policy") == "dane"


def test_computed_defaults_are_typed_by_their_alternatives() -> None:
    cat = Catalogue.for_version("3.10")

    def kind(name: str) -> tuple[str, str | None]:
        spec = cat.spec(name)
        assert spec is not None, name
        return spec.type, spec.unit

    assert kind("smtpd_hard_error_limit") == ("int", None)  # ${stress?{1}:{20}}
    assert kind("address_verify_poll_count") == ("int", None)
    assert kind("postscreen_dnsbl_allowlist_threshold") == ("int", None)  # ${legacy?{$legacy}:{0}}
    assert kind("postscreen_command_time_limit") == ("time", "s")  # ${stress?{10}:{300}}s
    assert kind("smtpd_per_request_deadline") == ("bool", None)
    assert kind("postscreen_post_queue_limit") == ("int", None)  # $default_process_limit
    assert kind("command_time_limit") == ("time", "s")  # 1000s
    assert kind("lmtp_sasl_auth_cache_time") == ("time", "d")  # $smtp_sasl_auth_cache_time
    # digits, but strings in Postfix
    for name in ("compatibility_level", "mail_release_date", "milter_protocol", "lmtp_tcp_port"):
        assert kind(name) == ("string", None), name
    counts: dict[str, int] = {}
    for spec in cat.specs().values():
        counts[spec.type] = counts.get(spec.type, 0) + 1
    assert counts == {"string": 465, "bool": 155, "int": 117, "time": 107, "raw": 9, "long": 4}


def test_list_maps_and_restriction_subtypes() -> None:
    cat = Catalogue.for_version("3.10")

    def subtype(name: str) -> str | None:
        spec = cat.spec(name)
        assert spec is not None, name
        return spec.subtype

    restrictions = {name for name, spec in cat.specs().items() if spec.subtype == "restrictions"}
    assert restrictions == {
        f"smtpd_{stage}_restrictions"
        for stage in ("client", "helo", "sender", "relay", "recipient", "data", "end_of_data", "etrn")
    }
    assert subtype("smtpd_relay_before_recipient_restrictions") is None  # a yes/no
    for name in ("alias_maps", "header_checks", "smtp_tls_per_site", "alias_database", "smtpd_command_filter"):
        assert subtype(name) == "maps", name
    for name in ("mydestination", "inet_interfaces", "mynetworks", "smtpd_milters", "smtpd_restriction_classes"):
        assert subtype(name) == "list", name
    assert subtype("lmtp_tls_protocols") == "list"  # "The LMTP-specific version of smtp_tls_protocols"
    assert subtype("tlsproxy_tls_protocols") == "list"  # $smtpd_tls_protocols
    assert subtype("myhostname") is None


def _builder() -> ModuleType:
    path = ROOT / "scripts" / "build_postfix_catalogue.py"
    spec = importlib.util.spec_from_file_location("build_postfix_catalogue", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


MANUAL = r""".SH NAME
postconf
.SH one_param (default: 1)
Text. Since Postfix 3.5 and later this works differently.
.IP "\fBvalue\fR"
A value. This feature is available in Postfix 3.11 and later.
.PP
This feature is available in Postfix 2.10 and later. This feature is available in Postfix 3.0 and later.
.SH backported (default: no)
This feature is available in Postfix >= 3.9, 3.8.4, 3.7.9, when built with OpenSSL 3.0.
.SH renamed_param (default: no)
This feature is available in Postfix 3.6 and later.
.PP
Available as old_param in Postfix 2.8 \- 3.5.
.SH Upper_CAfile (default: empty)
This feature is available in Postfix version 2.2 and later.
.SH old_param (default: no)
Postfix 2.6 and later behave differently.
"""


def test_builder_reads_since_from_the_parameters_own_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "postconf.5.gz"
    path.write_bytes(gzip.compress(MANUAL.encode()))
    builder = _builder()
    found = {name: builder.since_of(paragraphs) for name, paragraphs in builder.man_sections(path).items()}
    assert found == {
        "one_param": "2.10",
        "backported": "3.7",
        "renamed_param": "3.6",
        "Upper_CAfile": "2.2",
        "old_param": None,
    }


def test_legacy_names_that_defaults_still_honour() -> None:
    """``legacy``: old name -> [since, replaced_in, replacement], from postconf(5) of 3.10; the
    loader does not expose it yet, so the test reads the shipped data."""
    import json

    from mailconf.postfix.catalogue import DATA

    data = json.loads(Path(DATA).read_text(encoding="utf-8"))
    legacy = data["legacy"]
    assert set(legacy) == set(data["default_refs"])
    assert legacy["postscreen_blacklist_action"] == ["2.8", "3.6", "postscreen_denylist_action"]
    assert legacy["smtpd_per_record_deadline"] == ["2.9", "3.7", "smtpd_per_request_deadline"]
    assert legacy["fallback_relay"] == [None, "2.3", "smtp_fallback_relay"]  # "With Postfix 2.3 ... renamed"
    assert legacy["virtual_maps"] == [None, "2.0", "virtual_alias_maps"]  # "Available before Postfix version 2.0"
    # the manual never dates this rename
    assert legacy["smtpd_client_connection_limit_exceptions"] == [None, None, "smtpd_client_event_limit_exceptions"]
    cat = Catalogue.for_version("3.10")
    for old, (_since, _replaced, new) in legacy.items():
        assert old not in cat and new in cat, old
