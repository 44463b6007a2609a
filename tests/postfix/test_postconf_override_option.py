"""``postconf -o name=value``: a main.cf value given on the command line, against the real postconf."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.postfix.test_postconf_oracle import assert_same, ours

MAIN = b"myhostname = a\nsmtpd_banner = $myhostname x\n"


@pytest.mark.oracle
@pytest.mark.parametrize(
    "flags",
    [
        ("-o", "myhostname=b", "-x", "-n"),  # replaces the main.cf value, and what refers to it
        ("-o", "newp=1", "-n"),  # an unused user name: warned about, not shown
        ("-o", "newp=1", "-o", "zz=$newp", "smtpd_banner"),
        ("-omyhostname=c", "-o", "myhostname=d", "-n"),  # the last one wins
        ("-o", " myhostname = e ", "-n"),
        ("-o", "smtpd_banner=zz", "-o", "relayhost=r", "-n"),  # built-in names not in main.cf are shown
        ("-o", "relayhost=r", "-h", "relayhost"),
        ("-o", "myhostname", "-n"),  # fatal: missing '='
        ("-o", "=b", "-n"),  # fatal: missing name
        ("-o", "a=b", "-M"),
    ],
)
def test_override_option_like_postconf(tmp_path: Path, flags: tuple[str, ...]) -> None:
    (tmp_path / "main.cf").write_bytes(MAIN)
    (tmp_path / "master.cf").write_bytes(b"")
    assert_same(tmp_path, *flags)


def test_override_option_with_an_edit_is_refused(tmp_path: Path) -> None:
    """postconf: 'specify one of -e -o' (and '-o -X', '-o -#'); main.cf stays as it was."""
    import subprocess
    import sys

    (tmp_path / "main.cf").write_bytes(MAIN)
    for edit, pair in (("-e", "-e -o"), ("-X", "-o -X"), ("-#", "-o -#")):
        arg = "foo=1" if edit == "-e" else "foo"
        proc = subprocess.run(
            [sys.executable, "-m", "mailconf", "postconf", "-c", str(tmp_path), "-o", "a=b", edit, arg],
            capture_output=True,
            text=True,
            check=False,
        )
        assert (proc.returncode, proc.stderr) == (1, f"postconf: fatal: specify one of {pair}\n")
    assert (tmp_path / "main.cf").read_bytes() == MAIN
    assert ours(tmp_path, "-n").status == 0
