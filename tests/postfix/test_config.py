"""PostfixConfig: effective values, compatibility_level defaults, master.cf defaults and -o."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf import postfix
from mailconf.postfix.config import PostfixConfig

MASTER = (
    b"smtp      inet  n       -       y       -       -       smtpd\n"
    b"submission inet n       -       -       -       -       smtpd\n"
    b"  -o syslog_name=postfix/submission\n"
    b"  -o smtpd_tls_security_level=encrypt\n"
    b"  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n"
    b"relay     unix  -       -       n       -       -       smtp -o syslog_name=postfix/$service_name\n"
    b"odd       unix  -       -       n       -       -       smtpd flags=R -o smtpd_banner=not-an-override\n"
)


def make(main: bytes, master: bytes = MASTER, version: str = "3.7") -> PostfixConfig:
    return PostfixConfig(
        directory="/etc/postfix",
        main=postfix.parse_main(main, path="/etc/postfix/main.cf"),
        master=postfix.parse_master(master, path="/etc/postfix/master.cf"),
        version=version,
    )


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("0", {"append_dot_mydomain": "yes", "smtputf8_enable": "no", "mynetworks_style": "subnet"}),
        ("1", {"append_dot_mydomain": "no", "smtputf8_enable": "yes", "mynetworks_style": "subnet"}),
        ("2", {"mynetworks_style": "host", "relay_domains": "", "respectful_logging": "no"}),
        ("3.6", {"smtp_tls_fingerprint_digest": "sha256", "smtpd_relay_before_recipient_restrictions": "yes"}),
        ("3.10", {"respectful_logging": "yes"}),
    ],
)
def test_compatibility_level_defaults(level: str, expected: dict[str, str]) -> None:
    config = make(f"compatibility_level = {level}\nmydestination = example.com\n".encode())
    assert config.compatibility_level == level
    for name, value in expected.items():
        found = config.effective(name)
        assert found.expanded == value, name
        assert found.source == "default"


def test_relay_restrictions_default_from_level_1() -> None:
    assert make(b"").effective("smtpd_relay_restrictions").expanded == ""
    assert (
        make(b"compatibility_level = 1\n").effective("smtpd_relay_restrictions").expanded
        == "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination"
    )
    assert make(b"").effective("relay_domains").expanded == make(b"").effective("mydestination").expanded


def test_main_value_with_span_and_expansion() -> None:
    config = make(b"# c\nmyhostname = mx.example.com\nsmtpd_banner = $myhostname ESMTP\n")
    found = config.effective("smtpd_banner")
    assert (found.raw, found.expanded, found.source) == ("$myhostname ESMTP", "mx.example.com ESMTP", "main")
    assert (found.path, found.line, found.column) == ("/etc/postfix/main.cf", 3, 1)


def test_raw_parameters_are_not_expanded() -> None:
    config = make(b"mailbox_command = /usr/bin/procmail -a $EXTENSION\n")
    found = config.effective("mailbox_command")
    assert found.expanded == found.raw == "/usr/bin/procmail -a $EXTENSION"


def test_overrides_win_for_their_service_only() -> None:
    config = make(b"smtpd_tls_security_level = may\n")
    sub = config.effective("smtpd_tls_security_level", "submission/inet")
    assert (sub.expanded, sub.source, sub.path, sub.line) == ("encrypt", "master", "/etc/postfix/master.cf", 2)
    assert config.effective("smtpd_tls_security_level", "smtp/inet").expanded == "may"
    assert config.effective("smtpd_tls_security_level").source == "main"
    braced = config.effective("smtpd_client_restrictions", ("submission", "inet"))
    assert braced.expanded == "permit_sasl_authenticated, reject"


def test_service_name_expands_in_service_scope() -> None:
    config = make(b"")
    assert config.effective("syslog_name", "relay/unix").expanded == "postfix/relay"


def test_o_after_an_argument_is_not_an_override() -> None:
    config = make(b"smtpd_banner = hello\n")
    assert config.effective("smtpd_banner", "odd/unix").expanded == "hello"


def test_master_dash_defaults_follow_compatibility_level() -> None:
    old = make(b"")
    assert old.service_field("submission/inet", "chroot") == "y"
    assert old.service_field("submission/inet", "unprivileged") == "y"
    assert old.service_field("relay/unix", "private") == "y"
    assert old.service_field("smtp/inet", "private") == "n"
    assert old.service_field("smtp/inet", "wakeup") == "0"
    assert old.service_field("smtp/inet", "process_limit") == "100"
    new = make(b"compatibility_level = 2\ndefault_process_limit = 7\n")
    assert new.service_field("submission/inet", "chroot") == "n"
    assert new.service_field("smtp/inet", "chroot") == "y"
    assert new.service_field("smtp/inet", "process_limit") == "7"


def test_service_derived_and_user_defined_names() -> None:
    config = make(b"relay_destination_concurrency_limit = 5\nmy_var = x\nother = $my_var\nstray = 1\n")
    assert config.is_known("relay_destination_concurrency_limit")
    assert config.effective("relay_destination_rate_delay").raw == "$default_destination_rate_delay"
    assert not config.is_known("submission_destination_concurrency_limit")  # smtpd has none
    assert config.is_used("my_var")
    assert not config.is_used("other")
    assert not config.is_used("stray")


def test_restriction_classes_and_database_settings_are_used() -> None:
    config = make(
        b"smtpd_restriction_classes = fromus\nfromus = permit_mynetworks, reject\n"
        b"virtual_alias_maps = ldap:aliases\naliases_server_host = ldap.example.com\n"
    )
    assert config.is_used("fromus")
    assert config.is_used("aliases_server_host")


def test_unknown_service_is_an_error() -> None:
    with pytest.raises(KeyError):
        make(b"").effective("mail_name", "nosuch/unix")


def test_load_builds_a_config(tmp_path: Path) -> None:
    (tmp_path / "main.cf").write_bytes(b"myhostname = a.example\n")
    config = postfix.load(tmp_path, version="3.7")
    assert config.version == "3.7"
    assert config.master is None
    assert config.effective("myorigin").expanded == "a.example"
    assert config.effective("config_directory").expanded == str(tmp_path)
