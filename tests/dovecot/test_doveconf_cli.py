"""The ``mailconf doveconf`` command line (in-process; the oracle tests compare with doveconf)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailconf.cli._doveconf import run

CONF = """\
ssl = required
ssl_key = </etc/ssl/key.pem
protocols = imap
service imap-login {
  inet_listener imap {
    port = 0
  }
}
"""


def test_n_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(CONF)
    assert run(["-c", str(f), "-n"]) == 0
    out = capsys.readouterr().out
    assert "ssl = required\n" in out
    assert "ssl_key = # hidden, use -P to show it\n" in out
    assert "service imap-login {\n  inet_listener imap {\n    port = 0\n  }\n}\n" in out
    assert not out.startswith("#")


def test_show_secrets_names_and_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(CONF)
    assert run(["-c", str(f), "-P", "-n", "ssl_key"]) == 0
    assert capsys.readouterr().out == "ssl_key = </etc/ssl/key.pem\n"
    assert run(["-c", str(f), "-h", "ssl"]) == 0
    assert capsys.readouterr().out == "required\n"
    assert run(["-c", str(f), "service/imap-login/inet_listener/imap/port"]) == 0
    assert capsys.readouterr().out == "service/imap-login/inet_listener/imap/port = 0\n"


def test_fatal_message_and_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILCONF_MANAGESIEVE_SETTINGS", str(tmp_path / "absent.so"))  # no Pigeonhole
    f = tmp_path / "dovecot.conf"
    f.write_text("ssl = maybe\n")
    assert run(["-c", str(f), "-n"]) == 89
    assert capsys.readouterr().err == f"doveconf: Fatal: Error in configuration file {f} line 1: Invalid value: maybe\n"


def test_with_pigeonhole_the_capability_run_fails_first_and_warnings_come_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin = tmp_path / "libmanagesieve_login_settings.so"
    plugin.write_bytes(b"")
    monkeypatch.setenv("MAILCONF_MANAGESIEVE_SETTINGS", str(plugin))
    f = tmp_path / "dovecot.conf"
    f.write_text("ssl_disable = no\nssl = maybe\n")
    assert run(["-c", str(f), "-n"]) == 89
    warning = f"doveconf: Warning: Obsolete setting in {f}:1: ssl_disable has been renamed to ssl\n"
    fatal = f"doveconf: Fatal: Error in configuration file {f} line 2: Invalid value: maybe\n"
    helper = "doveconf: Error: managesieve-login: dump-capability process returned 89\n"
    err = capsys.readouterr().err
    # the helper's run (its warnings, its Fatal), the line for its failure, then doveconf's own run
    half = err[: err.index(helper)]
    assert half.endswith(fatal) and warning in half
    assert err == f"{half}{helper}{half}"
    f.write_text("ssl_disable = no\n")
    assert run(["-c", str(f), "-n"]) == 0
    err = capsys.readouterr().err
    assert err.count(warning) == 2


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.conf"
    assert run(["-c", str(missing), "-n"]) == 89
    assert capsys.readouterr().err == f"doveconf: Fatal: open({missing}) failed: No such file or directory\n"


def test_check_error_has_no_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILCONF_MANAGESIEVE_SETTINGS", str(tmp_path / "absent.so"))  # no Pigeonhole
    f = tmp_path / "dovecot.conf"
    f.write_text("passdb {\n}\n")
    assert run(["-c", str(f), "-n"]) == 89
    # doveconf's output checks the global settings again: an Error line, then the delayed Fatal
    assert capsys.readouterr().err == (
        f"doveconf: Error: passdb is missing driver\n"
        f"doveconf: Fatal: Error in configuration file {f}: passdb is missing driver\n"
    )


def test_warnings_go_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text("ssl_disable = no\n")
    assert run(["-c", str(f), "-n"]) == 0
    captured = capsys.readouterr()
    assert f"doveconf: Warning: Obsolete setting in {f}:1: ssl_disable has been renamed to ssl\n" in captured.err
    assert "ssl = yes" not in captured.out  # yes is the default


def test_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    assert "usage:" in capsys.readouterr().out
    assert run(["-Z"]) == 64


@given(st.binary(max_size=300))
def test_any_bytes_no_traceback(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "dovecot.conf"
        f.write_bytes(data)
        assert run(["-c", str(f), "-n"]) in (0, 89)
