"""Fixtures for the live suite: real Postfix and Dovecot on loopback (root only; CI runs as root)."""

from __future__ import annotations

import os
import socket
import subprocess
from typing import NoReturn

import pytest

from tests.live._run import LiveRuns
from tests.live._servers import CLIENT, make_certificate
from tests.support import IN_CI, require_tool


def _unavailable(message: str) -> NoReturn:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def require_live() -> None:
    for tool in ("postfix", "postconf", "dovecot", "doveadm", "openssl"):
        require_tool(tool)
    version = subprocess.run(["dovecot", "--version"], capture_output=True, text=True, check=False).stdout
    if not version.startswith(("2.3.", "2.4.")):
        _unavailable(f"the live configurations are written for Dovecot 2.3 and 2.4; this is Dovecot {version.strip()}")
    if os.geteuid() != 0:
        _unavailable("the live tests start Postfix and Dovecot and must run as root (CI does)")
    try:
        with socket.socket() as s:
            s.bind((CLIENT, 0))
    except OSError as exc:
        _unavailable(f"cannot bind a client to {CLIENT}: {exc}")


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> LiveRuns:
    require_live()
    cert, key = make_certificate(tmp_path_factory.mktemp("live-cert"))
    return LiveRuns(cert, key, _unavailable)
