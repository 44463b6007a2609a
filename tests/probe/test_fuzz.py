"""Whatever bytes a server sends, the probe ends with a report: no exception, no hang."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailconf.probe import ProbeOptions, run_probe
from tests.probe._fake import FakeServer, Peer

PROTOCOL_BITS = [
    b"220 ok\r\n", b"220-", b"250-STARTTLS\r\n", b"250 AUTH PLAIN\r\n", b"530 no\r\n", b"250 ok\r\n",
    b"+OK\r\n", b"-ERR\r\n", b".\r\n", b"* OK [CAPABILITY IMAP4rev1]\r\n", b"m1 OK done\r\n",
    b"* CAPABILITY STARTTLS\r\n", b"\r\n", b"\n", b"\x16\x03\x01\x00\x05", b"\xff\x00",
]  # fmt: skip

chunks = st.lists(st.one_of(st.sampled_from(PROTOCOL_BITS), st.binary(max_size=40)), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=chunks, service=st.sampled_from(["smtp", "submission", "smtps", "pop3", "imap", "imaps"]))
def test_any_server_bytes_give_a_report(data: list[bytes], service: str) -> None:
    def handle(peer: Peer) -> None:
        for chunk in data:
            peer.send(chunk)
            try:
                peer.sock.settimeout(0.05)
                peer.sock.recv(4096)
            except OSError:
                pass

    with FakeServer(handle) as server:
        started = time.monotonic()
        report = run_probe(ProbeOptions("127.0.0.1", {service: server.port}, timeout=0.3))
        elapsed = time.monotonic() - started
    assert report.exit_status() in (0, 1, 2)
    assert elapsed < 15
    assert all(f.rule and f.message for f in report.findings)
    assert not any("unexpected failure" in f.message for f in report.findings), report.findings
