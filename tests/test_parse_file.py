"""mailconf.parse_file: kind detection from the file name, and forcing a kind."""

from __future__ import annotations

from pathlib import Path

import pytest

import mailconf


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("main.cf", "postfix-main"),
        ("master.cf", "postfix-master"),
        ("dovecot.conf", "dovecot"),
        ("10-auth.conf", "dovecot"),
        ("auth-sql.conf.ext", "dovecot"),
        ("mailman.cfg", "mailman3"),
        ("mm_cfg.py", "mailman2"),
        ("dovecot-db.conf.ext", "opaque"),
        ("README", None),
    ],
)
def test_detect_kind(name: str, kind: str | None) -> None:
    assert mailconf.detect_kind(Path("/etc/x") / name) == kind


def test_berkeley_db_config_is_kept_as_bytes(tmp_path: Path) -> None:
    path = tmp_path / "dovecot-db.conf.ext"
    data = b"# DB_CONFIG\nset_tx_max 1000\nset_lg_max 1048576\n"
    path.write_bytes(data)
    doc = mailconf.parse_file(path)
    assert doc.kind == "opaque" and doc.to_bytes() == data


def test_kind_can_be_forced(tmp_path: Path) -> None:
    path = tmp_path / "postfix-main.txt"
    path.write_bytes(b"a = 1\n")
    assert mailconf.parse_file(path, kind="postfix-main").kind == "postfix-main"
    with pytest.raises(mailconf.MailconfError):
        mailconf.parse_file(path)
    with pytest.raises(mailconf.MailconfError):
        mailconf.parse_file(path, kind="nonsense")


def test_rejected_file_raises_parse_error_with_location(tmp_path: Path) -> None:
    path = tmp_path / "main.cf"
    path.write_bytes(b"ok = 1\nbroken line\n")
    with pytest.raises(mailconf.ParseError) as info:
        mailconf.parse_file(path)
    assert (info.value.path, info.value.line, info.value.column) == (str(path), 2, 7)
