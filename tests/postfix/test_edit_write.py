"""Writing edited files: atomic, mode and owner kept, nothing written for a bad result."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from mailconf.errors import EditError, ParseError
from mailconf.postfix import parse_main, parse_master
from mailconf.postfix._syntax import Line

MAIN = b"# main.cf\nmyhostname = mx.example.com\nmynetworks = 127.0.0.0/8\n"
MASTER = b"smtp      inet  n       -       y       -       -       smtpd\n"


def test_write_keeps_mode_and_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "main.cf"
    path.write_bytes(MAIN)
    path.chmod(0o640)
    before = path.stat().st_ino
    doc = parse_main(path.read_bytes(), path=path)
    doc.set("myhostname", "mail.example.org")
    doc.write()
    assert path.read_bytes() == MAIN.replace(b"mx.example.com", b"mail.example.org")
    st = path.stat()
    assert st.st_mode & 0o7777 == 0o640
    assert st.st_ino != before  # a new file renamed into place, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.cf"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing a file's owner needs root")
def test_write_keeps_owner(tmp_path: Path) -> None:
    path = tmp_path / "master.cf"
    path.write_bytes(MASTER)
    os.chown(path, 4321, 4322)
    doc = parse_master(path.read_bytes(), path=path)
    doc.set_field("smtp", "inet", "chroot", "n")
    doc.write()
    st = path.stat()
    assert (st.st_uid, st.st_gid) == (4321, 4322)
    assert path.read_bytes() == MASTER.replace(b"y       -       -       smtpd", b"n       -       -       smtpd")


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "main.cf"
    path.write_bytes(MAIN)
    doc = parse_main(MAIN, path=path)
    doc.set("myhostname", "other")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        doc.write()
    assert path.read_bytes() == MAIN
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.cf"]


def test_nothing_written_when_the_result_would_not_parse(tmp_path: Path) -> None:
    path = tmp_path / "main.cf"
    path.write_bytes(MAIN)
    doc = parse_main(MAIN, path=path)
    # Corrupt the document behind the edit API's back: write() parses before writing.
    doc.items[1].lines[0] = Line("entry", "myhostname mx.example.com\n", 2)
    with pytest.raises(ParseError):
        doc.write()
    assert path.read_bytes() == MAIN


def test_refused_edits_change_neither_document_nor_file(tmp_path: Path) -> None:
    path = tmp_path / "master.cf"
    path.write_bytes(MASTER)
    doc = parse_master(MASTER, path=path)
    edits: list[Callable[[], object]] = [
        lambda: doc.set_field("smtp", "inet", "wakeup", "soon"),
        lambda: doc.set_field("smtp", "inet", "type", "tcp"),
        lambda: doc.set_override("smtp", "inet", "a", "unbalanced }"),
        lambda: doc.set_service("smtp inet n"),
    ]
    for edit in edits:
        with pytest.raises(EditError):
            edit()
    assert doc.to_bytes() == MASTER
    doc.write()
    assert path.read_bytes() == MASTER


def test_cli_edit_keeps_mode(tmp_path: Path) -> None:
    from mailconf.cli._postconf_edit import run

    path = tmp_path / "main.cf"
    path.write_bytes(MAIN)
    path.chmod(0o600)
    assert run(["-c", str(tmp_path), "-e", "mynetworks=127.0.0.0/8 [::1]/128"]) == 0
    assert path.stat().st_mode & 0o7777 == 0o600
    assert path.read_bytes() == MAIN.replace(b"127.0.0.0/8\n", b"127.0.0.0/8 [::1]/128\n")
