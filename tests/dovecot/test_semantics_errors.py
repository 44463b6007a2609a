"""Each error doveconf raises while reading, with its wording, file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

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
