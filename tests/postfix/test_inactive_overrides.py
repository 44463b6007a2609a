"""An ``-o`` after a master.cf service's first non-option argument is a command argument, not an
override: the document keeps it (``active=False``), but neither the semantic layer nor the typed
model lets it set a parameter, as postconf -P and the daemons' getopt ignore it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf import postfix
from mailconf.postfix.config import PostfixConfig, _override
from mailconf.postfix.models import PostfixModel
from tests.support import backdate, require_tool, run_postconf

MASTER = (
    b"x         inet  n       -       n       -       -       smtpd -o a_b=1 -o smtpd_banner=one\n"
    b"    flags=R -o smtpd_banner=two -o syslog_name=late\n"
)


def _config() -> PostfixConfig:
    return PostfixConfig(
        directory="/etc/postfix",
        main=postfix.parse_main(b"smtpd_banner = hello\n", path="/etc/postfix/main.cf"),
        master=postfix.parse_master(MASTER, path="/etc/postfix/master.cf"),
        version="3.7",
    )


def test_the_document_keeps_the_late_options_as_inactive() -> None:
    svc = _config().services[0]
    assert [(o.name, o.value, o.active) for o in svc.overrides] == [
        ("a_b", "1", True),
        ("smtpd_banner", "one", True),
        ("smtpd_banner", "two", False),
        ("syslog_name", "late", False),
    ]


def test_the_semantic_layer_uses_only_active_options() -> None:
    config = _config()
    svc = config.services[0]
    assert config.effective("smtpd_banner", svc).raw == "one"
    assert config.effective("syslog_name", svc).source == "default"
    found = _override(svc, "smtpd_banner")
    assert found is not None and (found.value, found.line, found.column) == ("one", 1, 72)


def test_the_model_has_only_active_overrides() -> None:
    model = PostfixModel.from_config(_config())
    overrides = model.services[0].overrides
    assert sorted(overrides) == ["a_b", "smtpd_banner"]
    assert overrides["smtpd_banner"].raw == "one"


@pytest.mark.oracle
def test_postconf_shows_the_same_overrides(tmp_path: Path) -> None:
    tool = require_tool("postconf")
    (tmp_path / "main.cf").write_bytes(b"smtpd_banner = hello\n")
    (tmp_path / "master.cf").write_bytes(MASTER)
    backdate(tmp_path)
    status, out, _err = run_postconf(["-c", str(tmp_path), "-P"], executable=tool)
    assert status == 0
    model = PostfixModel.from_config(postfix.load(tmp_path, version="3.7"))
    shown = {f"x/inet/{name} = {setting.raw}" for name, setting in model.services[0].overrides.items()}
    assert shown == set(out.decode().splitlines())
