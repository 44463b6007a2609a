"""Each error doveconf raises while reading, with its wording, file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf.dovecot.catalogue import load_23
from mailconf.dovecot.config import load_config
from mailconf.errors import IncludeError, ParseError

CASES = [
    ("unknownsetting = 1\n", 1, "Unknown setting: unknownsetting"),
    ("abc def {\n}\n", 1, "Unknown setting: abc { abc"),
    ("service imap {\n  foo = 1\n}\n", 2, "Unknown setting: service { foo"),
    ("service imap {\n  namespace x {\n  }\n}\n", 2, "Unknown setting: service { namespace { namespace"),
    ("auth_debug = maybe\n", 1, "Invalid boolean value: maybe (use yes or no)"),
    ("auth_debug = n\n", 1, "Invalid boolean value: n (use yes or no)"),
    ("auth_debug {\n}\n", 1, "Invalid boolean value: 0 (use yes or no)"),
    ("first_valid_uid = 10k\n", 1, "Invalid number 10k: Not a valid number"),
    ("first_valid_uid = -1\n", 1, "Invalid number -1: Number too small"),
    ("first_valid_uid = 99999999999\n", 1, "Invalid number 99999999999: Number too large"),
    ("auth_cache_size = 10x\n", 1, "Invalid size: 10x"),
    ("auth_cache_ttl = 3600\n", 1, "Time interval '3600' is missing units (add e.g. 's' for seconds)"),
    ("auth_cache_ttl = 1h 30m\n", 1, "Invalid time interval: 1h 30m"),
    ("auth_cache_ttl = 100ms\n", 1, "Milliseconds not supported for this setting: 100ms"),
    ("doveadm_port = 70000\n", 1, "Invalid port number 70000"),
    ("mail_fsync = xx\n", 1, "Invalid value: xx"),
    ("service imap {\n unix_listener x {\n  mode = 08\n }\n}\n", 3, "Invalid number: 08"),
    ("remote 10.0.0.0/33 {\n}\n", 1, "Invalid network mask: 33"),
    ("protocol imap {\n  protocol pop3 {\n  }\n}\n", 2, "Nested protocol { protocol { .. } } block not allowed"),
    (
        "protocol imap {\n  local 1.2.3.4 {\n  }\n}\n",
        2,
        "protocol { local { .. } } not allowed (use local { protocol { .. } } instead)",
    ),
    (
        "remote 10.0.0.0/8 {\n  local 1.2.3.4 {\n  }\n}\n",
        2,
        "remote { local { .. } } not allowed (use local { remote { .. } } instead)",
    ),
    ("auth_debug\n", 1, "Expecting '{'"),
    ("service imap{\n}\n", 1, "Expecting '{'"),
    ("service imap { x\n}\n", 1, "Garbage after '{'"),
    ("= yes\n", 1, "Missing key name ('=' at the beginning of line)"),
    # a filter's settings are read as top-level ones; the first error in reading order wins
    ("protocol imap {\n= v\n}\n", 2, "Missing key name ('=' at the beginning of line)"),
    ("local 1.2.3.4 {\n= v\n}\n", 2, "Missing key name ('=' at the beginning of line)"),
    ("protocol imap {\n  plugin {\n  }\n  = v\n}\n}\n", 4, "Missing key name ('=' at the beginning of line)"),
    ("plugin {\n  foo = $foo x\n}\n", 2, "Unknown variable: $foo"),
    ("service imap {\n  vsz_limit = $vsz_limit\n}\n", 2, "Unknown variable: $vsz_limit"),
    ("}\n", 1, "Unexpected '}'"),
    ("plugin {\n  x {\n  }\n}\n", 2, "Section not allowed here"),
    ("passdb x {\n driver = pam\n}\npassdb x {\n}\n", 4, "passdb/x already exists"),
]


@pytest.mark.parametrize(("text", "line", "message"), CASES)
def test_error_message(tmp_path: Path, text: str, line: int, message: str) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(text)
    with pytest.raises(ParseError) as info:
        load_config(f)
    assert info.value.message == message
    assert info.value.line == line
    assert info.value.path == str(f)


def test_missing_close_brace_names_the_opening_line(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text("auth_debug = yes\nservice imap {\n")
    with pytest.raises(ParseError) as info:
        load_config(f)
    assert info.value.message == f"Missing '}}' (section started at {f}:2)"


def test_include_without_match(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text("auth_debug = yes\n!include conf.d/*.conf\n")
    with pytest.raises(IncludeError) as info:
        load_config(f)
    assert (info.value.message, info.value.line) == ("No matches", 2)


def test_include_try_without_match_is_silent(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text("!include_try conf.d/*.conf\nauth_debug = yes\n")
    assert load_config(f).effective("auth_debug").value == "yes"


def test_recursive_include(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text("!include dovecot.conf\n")
    with pytest.raises(IncludeError) as info:
        load_config(f)
    assert info.value.message == f"Recursive include file: {f}"


def test_error_in_included_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "10-a.conf").write_text("\n\nssl = maybe\n")
    f = tmp_path / "dovecot.conf"
    f.write_text("!include conf.d/*.conf\n")
    with pytest.raises(ParseError) as info:
        load_config(f)
    assert (info.value.path, info.value.line) == (str(tmp_path / "conf.d" / "10-a.conf"), 3)
    assert info.value.message == "Invalid value: maybe"


def test_deep_nesting_is_bounded(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text("plugin {\n" * 5000)
    with pytest.raises(ParseError):
        load_config(f)


def test_long_include_chains_are_read(tmp_path: Path) -> None:
    """doveconf has no include depth limit; neither has the reader (it is iterative)."""
    for i in range(300):
        (tmp_path / f"f{i}.conf").write_text(f"!include f{i + 1}.conf\n")
    (tmp_path / "f300.conf").write_text("ssl = no\n")
    assert load_config(tmp_path / "f0.conf").effective("ssl").value == "no"


CHECKS = [
    ("passdb {\n}\n", "passdb is missing driver"),
    ("service {\n}\n", f"Service #{len(load_23().service_defaults)} is missing name"),
    ("service auth {\n  process_limit = 2\n}\n", "service(auth): process_limit must be 1"),
    ("imap_client_workarounds = tb-lsub-flags bogus\n", "imap_client_workarounds: Unknown workaround: bogus"),
    ("protocols = imap nosuch\n", "protocols: Unknown protocol: nosuch"),
    ("last_valid_uid = 1\n", "first_valid_uid can't be larger than last_valid_uid"),
    ("pop3_uidl_format = x\n", "pop3_uidl_format setting doesn't contain any %% variables."),
    ("default_login_user = nosuchuser-mailconf\n", "default_login_user doesn't exist: nosuchuser-mailconf"),
    ("auth_policy_server_url = http://x/\n", "auth_policy_hash_nonce must be set when policy server is used"),
    ("namespace {\n  separator = ab\n}\n", "Namespace '': Hierarchy separator must be only one character long"),
    (
        "protocols = imap\nservice imap-login {\n  inet_listener imap {\n    port = 993\n  }\n}\n",
        "duplicate listener: 993:",
    ),
]


@pytest.mark.parametrize(("text", "message"), CHECKS)
def test_checks_after_reading(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(text)
    with pytest.raises(ParseError) as info:
        load_config(f)
    assert (info.value.message, info.value.line) == (message, 0)


LINE_ERRORS = [
    (
        "remote 10.0.0.0/8 {\n  auth_mechanisms = plain\n}\n",
        2,
        "Auth settings not supported inside local/remote blocks: auth_mechanisms",
    ),
    (
        "local 10.1.0.0/16 {\n  local 10.0.0.0/8 {\n  }\n}\n",
        2,
        "local net1 { local net2 { .. } } requires net2 to be inside net1",
    ),
    ("service imap {\n  user = $user x\n}\n", 2, "Unknown variable: $user"),
    ("verbose_ssl = <file\n", 1, "Invalid boolean value: <file (use yes or no)"),
]


@pytest.mark.parametrize(("text", "line", "message"), LINE_ERRORS)
def test_more_line_errors(tmp_path: Path, text: str, line: int, message: str) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(text)
    with pytest.raises(ParseError) as info:
        load_config(f)
    assert (info.value.message, info.value.line) == (message, line)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # inside plugin {}, "key = $key" takes the global setting of that name as it stands there
        ("plugin {\n  auth_anonymous_username = $auth_anonymous_username\n}\n", "anonymous"),
        ("plugin {\n  base_dir = $base_dir x\n}\n", "/run/dovecot x"),
        ("plugin {\n  mail_location = $mail_location x\n}\n", " x"),
        ("protocols = imap\nplugin {\n  protocols = $protocols x\n}\nprotocols = pop3\n", "imap x"),
    ],
)
def test_plugin_self_reference_takes_the_global_setting(tmp_path: Path, text: str, value: str) -> None:
    """Checked against doveconf 2.3.19.1 (found by the generated-settings oracle test)."""
    f = tmp_path / "dovecot.conf"
    f.write_text(text)
    config = load_config(f)
    (plugin,) = config.global_scope.sections["plugin"]
    key = text.split("plugin {\n  ", 1)[1].split(" =", 1)[0]
    assert plugin.values[key].value == value
