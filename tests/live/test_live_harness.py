"""The harness itself: daemons always stopped, files restored, also when a start fails."""

from __future__ import annotations

import dataclasses
import os
import signal
import time

import pytest

from tests.live._run import LiveRuns
from tests.live._servers import GLOBAL_MAIN, PORTS, LiveServers, ServerError, port_open
from tests.live._variants import VARIANTS

pytestmark = pytest.mark.live


def _global_state() -> bytes | None:
    return GLOBAL_MAIN.read_bytes() if GLOBAL_MAIN.exists() else None


def test_start_and_stop_leave_nothing_behind(live: LiveRuns) -> None:
    with live.lock():  # other test sessions use the same ports and /etc/postfix/main.cf
        before = _global_state()
        servers = LiveServers(VARIANTS["secure"], live.cert, live.key)
        with servers:
            assert all(port_open(p) for p in PORTS.values())
            assert GLOBAL_MAIN.exists()
            assert str(servers.paths.postfix_dir) in GLOBAL_MAIN.read_text()
            assert (servers.paths.queue / "private" / "auth").is_socket()
        assert not any(port_open(p) for p in PORTS.values())
        assert _global_state() == before
        assert not servers.paths.base.exists()


def test_failed_start_cleans_up(live: LiveRuns) -> None:
    broken = dataclasses.replace(VARIANTS["secure"], name="broken", main_cf="= no name\n")
    with live.lock():
        before = _global_state()
        servers = LiveServers(broken, live.cert, live.key)
        with pytest.raises(ServerError, match="postfix start failed"), servers:
            pass
        assert not any(port_open(p) for p in PORTS.values())
        assert _global_state() == before
        assert not servers.paths.base.exists()


def test_sigterm_stops_the_daemons(live: LiveRuns) -> None:
    """A test run terminated while daemons run unwinds: daemons stopped, files restored."""
    with live.lock():
        before = _global_state()
        servers = LiveServers(VARIANTS["secure"], live.cert, live.key)
        with pytest.raises(KeyboardInterrupt), servers:  # live.lock() turns SIGTERM into this
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the signal arrives first
        assert not any(port_open(p) for p in PORTS.values())
        assert _global_state() == before
        assert not servers.paths.base.exists()
