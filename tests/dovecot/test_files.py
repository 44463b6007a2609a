"""``<path`` values are read only on request, and their content is never shown."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from mailconf.cli._doveconf import run
from mailconf.dovecot.config import Value, load_config
from mailconf.dovecot.files import FileContent, file_path, read_file

KEY = b"-----BEGIN PRIVATE KEY-----\nTOPSECRET\n-----END PRIVATE KEY-----\n"


def tree(tmp_path: Path) -> Path:
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "key.pem").write_bytes(KEY)
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "10-ssl.conf").write_text("ssl_ca = <../private/key.pem\n", encoding="latin-1")
    main = tmp_path / "dovecot.conf"
    main.write_text(
        f"ssl = required\nssl_key = <private/key.pem\nssl_cert = <{tmp_path}/private/key.pem\n!include conf.d/*.conf\n",
        encoding="latin-1",
    )
    return main


def test_paths_resolve_against_the_file_that_set_them(tmp_path: Path) -> None:
    cfg = load_config(tree(tmp_path))
    assert file_path(cfg.effective("ssl_key")) == tmp_path / "private" / "key.pem"
    assert file_path(cfg.effective("ssl_cert")) == tmp_path / "private" / "key.pem"
    assert file_path(cfg.effective("ssl_ca")) == tmp_path / "conf.d" / ".." / "private" / "key.pem"
    assert file_path(cfg.effective("ssl")) is None
    assert file_path(cfg.effective("ssl_dh")) is None  # a default


def test_read_on_request_only(tmp_path: Path) -> None:
    cfg = load_config(tree(tmp_path))
    assert cfg.effective("ssl_key").value == "<private/key.pem"  # loading never reads the file
    content = read_file(cfg.effective("ssl_key"))
    assert content.data == KEY
    assert content.text().startswith("-----BEGIN PRIVATE KEY-----")
    with pytest.raises(ValueError, match="not a <file value"):
        read_file(cfg.effective("ssl"))
    with pytest.raises(FileNotFoundError):
        read_file(Value("<missing.pem", str(tmp_path / "dovecot.conf"), 1, 1))
    with pytest.raises(ValueError, match="larger than 10 bytes"):
        read_file(cfg.effective("ssl_key"), max_bytes=10)


def test_content_never_shown(tmp_path: Path) -> None:
    content = read_file(load_config(tree(tmp_path)).effective("ssl_key"))
    assert isinstance(content, FileContent)
    for shown in (repr(content), str(content), f"{content}"):
        assert "TOPSECRET" not in shown
        assert f"{len(KEY)} bytes" in shown
    out = io.StringIO()
    with redirect_stdout(out):
        assert run(["-c", str(tmp_path / "dovecot.conf"), "-n", "-P"]) == 0
    assert "TOPSECRET" not in out.getvalue()
    assert "ssl_key = <private/key.pem\n" in out.getvalue()
