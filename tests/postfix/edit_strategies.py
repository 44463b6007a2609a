"""Helpers for the edit tests: run an edit with mailconf and with the real postconf on copies of
the same directory, and compare what postconf then says about both; strategies for edits."""

from __future__ import annotations

import difflib
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from tests.support import backdate, run_postconf

NAMES = [
    "myhostname",
    "mydomain",
    "mynetworks",
    "relay_domains",
    "smtpd_tls_security_level",
    "smtpd_relay_restrictions",
    "compatibility_level",
    "alias_maps",
    "my_var",
    "custom_x",
]


def no_lookups(data: bytes) -> bytes:
    """Rename inet_interfaces and compatibility_level in a generated file: postconf resolves
    the first (a DNS lookup that takes a second to fail for random words) and stops with a
    fatal error (after a one-second pause) on a malformed second."""
    return data.replace(b"inet_interfaces", b"inet_xnterfaces").replace(b"compatibility_level", b"compat_level")


SAFE_VALUE = st.from_regex(r"[A-Za-z0-9_.:/,@\[\]-]{1,10}( [A-Za-z0-9_.:/,@-]{1,8}){0,2}", fullmatch=True)
OVERRIDE_VALUE = st.from_regex(r"[A-Za-z0-9_.:/,@\[\]-]{0,12}", fullmatch=True)


@dataclass
class Outcome:
    status: int
    stdout: str
    stderr: str


def postconf(postconf_path: str, directory: Path, *args: str) -> Outcome:
    backdate(directory)
    status, out, err = run_postconf(["-c", str(directory), *args], executable=postconf_path)
    return Outcome(status, out.decode("latin-1"), err.decode("latin-1"))


def views(postconf_path: str, directory: Path, flags: Sequence[str] = ("-n", "-M", "-F", "-P")) -> dict[str, str]:
    """What postconf says about a directory: -n, -M, -F, -P (directory name replaced by DIR)."""
    out: dict[str, str] = {}
    for flag in flags:
        if flag != "-n" and not (directory / "master.cf").exists():
            continue
        res = postconf(postconf_path, directory, flag)
        out[flag] = f"{res.status}\n{res.stdout}".replace(str(directory), "DIR")
    return out


def make_pair(tmp: Path, main: bytes | None, master: bytes | None) -> tuple[Path, Path]:
    ours, ref = tmp / "ours", tmp / "ref"
    for d in (ours, ref):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        if main is not None:
            (d / "main.cf").write_bytes(main)
        if master is not None:
            (d / "master.cf").write_bytes(master)
    return ours, ref


def run_ours(directory: Path, argv: Sequence[str]) -> int:
    from mailconf.cli import _postconf_edit

    return _postconf_edit.run(["-c", str(directory), *argv])


def touched_only(before: bytes, after: bytes, allowed: Iterable[int]) -> list[str]:
    """Lines of ``before`` (1-based numbers) that changed although not in ``allowed``.

    A last line that only gained its missing newline does not count as changed.
    """
    old = before.decode("latin-1").splitlines(keepends=True)
    new = after.decode("latin-1").splitlines(keepends=True)
    if old and not old[-1].endswith("\n") and new and new[-1] != old[-1]:
        for line in reversed(new):
            if line in (old[-1] + "\n", old[-1] + "\r\n"):
                old[-1] = line  # the old last line gained the newline it lacked
                break
    ok = set(allowed)
    bad: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            bad.extend(f"{n}: {old[n - 1]!r}" for n in range(i1 + 1, i2 + 1) if n not in ok)
    return bad
