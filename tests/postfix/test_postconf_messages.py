"""Each warning and fatal error of the postconf stand-in, checked against the real postconf."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.postfix.test_postconf_oracle import assert_same, ours

CASES: list[tuple[str, bytes, bytes | None, tuple[str, ...], str, int]] = [
    ("orphan", b"  indented\nmyhostname = a.b\n", b"", ("-n",), "logical line must not start with whitespace", 0),
    (
        "override",
        b"a = 1\nmail_name = x\nmail_name = y\n",
        b"",
        ("-n",),
        "line 3: overriding earlier entry: mail_name=x",
        0,
    ),
    ("same-value", b"mail_name = x\nmail_name = x\n", b"", ("-n",), "", 0),
    ("unused", b"stray = 1\n", b"", ("-n",), "main.cf: unused parameter: stray=1", 0),
    ("unused-o", b"", b"a unix - - n - - smtpd -o stray=1\n", ("-M",), "master.cf: unused parameter: stray=1", 0),
    ("undefined", b"smtpd_banner = $nosuch\n", b"", ("-n",), "main.cf: undefined parameter: nosuch", 0),
    (
        "undefined-o",
        b"",
        b"a unix - - n - - smtpd -o smtpd_banner=$nosuch\n",
        ("-P",),
        "master.cf: undefined parameter: nosuch",
        0,
    ),
    ("missing-eq", b"oops\n", b"", ("-n",), "main.cf, line 1: missing '=' after attribute name: \"oops\"", 1),
    ("missing-name", b"= x\n", b"", ("-n",), 'main.cf, line 1: missing attribute name: "= x"', 1),
    ("truncated", b"smtpd_banner = ${a\n", b"", ("-n",), 'truncated macro reference: "${a"', 1),
    ("empty-name", b"smtpd_banner = $\n", b"", ("-n",), 'empty macro name: "$"', 1),
    ("unknown-user-macro", b"mine = ${a\nother = $mine\n", b"", ("-n",), 'truncated macro reference: "${a"', 0),
    ("nesting", b"smtpd_banner = $smtpd_banner\n", b"", ("-x",), "unreasonable macro call nesting", 1),
    ("nesting-name", b"smtpd_banner = $aa\naa = $bb\nbb = $aa\n", b"", ("-xh", "smtpd_banner"), "nesting", 1),
    ("compat", b"compatibility_level = 3.x\n", b"", ("-n",), 'malformed compatibility level syntax: "3.x"', 1),
    ("bad-field-count", b"", b"smtp inet n - y - -\n", ("-M",), "master.cf: line 1: bad field count", 1),
    ("bad-type", b"", b"smtp tcp n - y - - smtpd\n", ("-M",), 'invalid type field "tcp"', 1),
    ("bad-private", b"", b"smtp inet q - y - - smtpd\n", ("-M",), 'invalid private field "q"', 1),
    ("bad-wakeup", b"", b"smtp inet n - y 1x - smtpd\n", ("-M",), 'invalid wakeup field "1x"', 1),
    ("bad-maxproc", b"", b"smtp inet n - y - x smtpd\n", ("-M",), 'invalid process_limit field "x"', 1),
    ("no-master", b"", None, ("-n",), "open DIR/master.cf: No such file or directory", 0),
    ("no-master-M", b"", None, ("-M",), "fatal: open DIR/master.cf: No such file or directory", 1),
    ("unmatched", b"", b"smtp inet n - y - - smtpd\n", ("-M", "nosuch"), 'unmatched request: "nosuch"', 0),
    ("bad-pattern", b"", b"smtp inet n - y - - smtpd\n", ("-M", "smtp*"), "-M option requires service_name[/type]", 1),
    (
        "bad-field",
        b"",
        b"smtp inet n - y - - smtpd\n",
        ("-F", "smtp/inet/bogus"),
        'invalid service attribute name: "bogus"',
        1,
    ),
    ("unknown-name", b"", b"", ("mail_nam",), "mail_nam: unknown parameter", 0),
    (
        "dbms",
        b"virtual_alias_maps = mysql:/nonexistent/x.cf\n",
        b"",
        ("-n",),
        'open "mysql" configuration "/nonexistent/x.cf"',
        0,
    ),
]


def _dir(tmp_path: Path, main: bytes, master: bytes | None) -> Path:
    (tmp_path / "main.cf").write_bytes(main)
    if master is not None:
        (tmp_path / "master.cf").write_bytes(master)
    return tmp_path


@pytest.mark.parametrize(("case", "main", "master", "flags", "message", "status"), CASES, ids=[c[0] for c in CASES])
def test_message(
    case: str, main: bytes, master: bytes | None, flags: tuple[str, ...], message: str, status: int, tmp_path: Path
) -> None:
    directory = _dir(tmp_path, main, master)
    got = ours(directory, *flags)
    assert got.status == status
    text = "\n".join(sorted(got.stderr)).replace(str(directory), "DIR")
    if message:
        assert message in text
    else:
        assert text == ""
    if shutil.which("postconf") or Path("/usr/sbin/postconf").exists():
        assert_same(directory, *flags)


def test_main_cf_missing_is_fatal(tmp_path: Path) -> None:
    got = ours(tmp_path, "-n")
    assert got.status == 1
    assert got.stderr == {f"postconf: fatal: open {tmp_path}/main.cf: No such file or directory"}


def test_command_line_runs_as_a_process(tmp_path: Path) -> None:
    (tmp_path / "main.cf").write_bytes(b"myhostname = mx.example.com\n")
    (tmp_path / "master.cf").write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "mailconf", "postconf", "-c", str(tmp_path), "-n"],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stdout == f"config_directory = {tmp_path}\nmyhostname = mx.example.com\n".encode()
    proc = subprocess.run(
        [sys.executable, "-m", "mailconf", "postconf", "-c", str(tmp_path / "nosuch"), "-n"],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith(b"postconf: fatal: open ")
