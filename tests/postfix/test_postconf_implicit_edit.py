"""``mailconf postconf`` with a bare ``name=value`` operand and no ``-e``.

postconf(1): "-e is no longer needed with Postfix 2.8 and later": when the first operand holds
'=', postconf edits (main.cf, or master.cf with -M/-F/-P) as if -e were given, and refuses the
flags -e cannot be combined with. These cases run through the command's entry point, so the
choice between showing and editing is what is tested, against the real postconf.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from tests.postfix.edit_strategies import make_pair, postconf, views
from tests.support import require_tool

MAIN = b"a = 1\nbiff = no\n"
MASTER = (
    b"smtp      inet  n       -       y       -       -       smtpd\n"
    b"pickup    unix  n       -       y       60      1       pickup\n"
)

CASES = [
    ["biff=yes"],
    ["new_param=2", "biff=yes"],
    ["-P", "smtp/inet/smtpd_upstream_proxy_protocol=haproxy"],
    ["-F", "pickup/unix/wakeup=3600"],
    ["-M", "relay/unix=relay unix - - n - - smtp"],
    ["myhostname", "foo=bar"],  # the first operand decides: this one shows
    ["foo=bar", "myhostname"],  # an edit whose second operand lacks '='
    ["-n", "foo=bar"],
    ["-d", "foo=bar"],
    ["-x", "foo=bar"],
    ["-h", "foo=bar"],
    ["-X", "foo=bar"],
]


def _ours(directory: Path, argv: list[str]) -> tuple[int, str, str]:
    from mailconf.cli import _postconf

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = _postconf.run(["-c", str(directory), *argv])
    return status, out.getvalue(), err.getvalue()


@pytest.mark.oracle
@pytest.mark.parametrize("argv", CASES, ids=[" ".join(c) for c in CASES])
def test_a_bare_assignment_edits_as_postconf_does(tmp_path: Path, argv: list[str]) -> None:
    tool = require_tool("postconf")
    ours, ref = make_pair(tmp_path, MAIN, MASTER)
    status, out, err = _ours(ours, argv)
    real = postconf(tool, ref, *argv)
    assert (status, out, err.replace(str(ours), "DIR")) == (
        real.status,
        real.stdout,
        real.stderr.replace(str(ref), "DIR"),
    )
    assert views(tool, ours) == views(tool, ref)


def test_a_bare_assignment_changes_main_cf(tmp_path: Path) -> None:
    ours, _ = make_pair(tmp_path, MAIN, MASTER)
    assert _ours(ours, ["biff=yes"]) == (0, "", "")
    assert (ours / "main.cf").read_bytes() == b"a = 1\nbiff = yes\n"


def test_a_bare_assignment_with_a_show_flag_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    ours, _ = make_pair(tmp_path, MAIN, MASTER)
    assert _ours(ours, ["-n", "biff=yes"]) == (1, "", "postconf: fatal: specify one of -e -n\n")
    assert (ours / "main.cf").read_bytes() == MAIN
