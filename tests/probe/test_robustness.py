"""The probe against misbehaving fake servers: a clear finding and exit status, never a hang."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import time
import warnings
from pathlib import Path

import pytest

from mailconf.cli._probe import run as cli
from mailconf.probe import Credentials, ProbeOptions, ProbeReport, run_probe
from tests.probe._fake import FakeServer, Peer, make_cert, server_context, smtp_handler
from tests.support import require_tool

TIMEOUT = 0.5
SECRET = "s3cret-never-shown"


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    require_tool("openssl")
    return make_cert(tmp_path_factory.mktemp("cert"))


@pytest.fixture(scope="module")
def expired_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    require_tool("openssl")
    return make_cert(tmp_path_factory.mktemp("expired"), expired=True)


def probe(service: str, port: int, **kw: object) -> ProbeReport:
    started = time.monotonic()
    report = run_probe(ProbeOptions("127.0.0.1", {service: port}, timeout=TIMEOUT, **kw))  # type: ignore[arg-type]
    assert time.monotonic() - started < 15, "the probe must not hang"
    return report


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        port: int = s.getsockname()[1]
    return port


# -- connection-level trouble: exit status 2 ------------------------------------------------------


def test_refused_connection_is_prb001() -> None:
    report = probe("smtp", free_port())
    assert report.rules() == {"PRB001"}
    assert "cannot connect" in report.findings[0].message
    assert report.exit_status() == 2
    assert not report.services[0].reachable


@pytest.mark.parametrize("service", ["smtp", "submission", "smtps", "pop3", "pop3s", "imap", "imaps"])
def test_silent_server_times_out(service: str) -> None:
    with FakeServer(lambda peer: peer.hang()) as server:
        started = time.monotonic()
        report = probe(service, server.port)
        elapsed = time.monotonic() - started
    rules = report.rules()
    # implicit-TLS ports stall in the handshake, the others wait for a greeting
    assert rules == ({"PRB003"} if service.endswith("s") else {"PRB002"}), report.findings
    assert "stalled" in report.findings[0].message or "stopped answering" in report.findings[0].message
    assert report.exit_status() == 2
    assert elapsed < 3 * TIMEOUT + 2


@pytest.mark.parametrize("service", ["smtp", "submission", "pop3", "imap"])
def test_server_closing_at_once(service: str) -> None:
    with FakeServer(lambda peer: None) as server:
        report = probe(service, server.port)
    assert report.rules() == {"PRB002"}
    assert "closed the connection" in report.findings[0].message
    assert report.exit_status() == 2


@pytest.mark.parametrize("service", ["smtp", "submission", "pop3", "imap"])
def test_garbage_greeting(service: str) -> None:
    def handle(peer: Peer) -> None:
        peer.send(b"\x16\x03\x01 HELLO \xff\xfe world\r\n")
        peer.hang()

    with FakeServer(handle) as server:
        report = probe(service, server.port)
    assert report.rules() == {"PRB002"}
    message = report.findings[0].message
    assert "garbage" in message and "HELLO" in message
    assert report.exit_status() == 2


def test_endless_line_is_cut_off() -> None:
    def handle(peer: Peer) -> None:
        for _ in range(20):
            peer.send(b"2" * 1000)
        peer.hang()

    with FakeServer(handle) as server:
        report = probe("smtp", server.port)
    assert report.rules() == {"PRB002"}
    assert "longer than" in report.findings[0].message


def test_garbage_after_ehlo() -> None:
    def handle(peer: Peer) -> None:
        peer.send("220 fake.test ESMTP\r\n")
        peer.line()
        peer.send("250-fake.test\r\n299 what\r\n")
        peer.hang()

    with FakeServer(handle) as server:
        report = probe("submission", server.port)
    assert report.rules() == {"PRB002"}
    assert "299 what" in report.findings[0].message


def test_stall_mid_starttls(cert: tuple[Path, Path]) -> None:
    with FakeServer(smtp_handler(starttls="stall", mail="530 5.7.0 Must issue a STARTTLS command first")) as srv:
        started = time.monotonic()
        report = probe("submission", srv.port)
        elapsed = time.monotonic() - started
    assert report.rules() == {"PRB003"}
    assert "stalled" in report.findings[0].message
    assert report.exit_status() == 2
    assert elapsed < 3 * TIMEOUT + 2


def test_garbage_instead_of_tls_handshake() -> None:
    def handle(peer: Peer) -> None:
        peer.send("220 fake.test ESMTP\r\n")
        peer.line()
        peer.send("250-fake.test\r\n250 STARTTLS\r\n")
        peer.line()  # MAIL
        peer.send("530 5.7.0 Must issue a STARTTLS command first\r\n")
        while not peer.line().startswith("QUIT"):
            peer.send("250 ok\r\n")

    def tls_garbage(peer: Peer) -> None:
        peer.send("220 fake.test ESMTP\r\n")
        peer.line()
        peer.send("250-fake.test\r\n250 STARTTLS\r\n")
        peer.line()
        peer.send("220 go ahead\r\n")
        peer.send(b"this is not a TLS record at all\r\n" * 4)
        peer.hang()

    calls = {"n": 0}

    def dispatch(peer: Peer) -> None:
        calls["n"] += 1
        (handle if calls["n"] == 1 else tls_garbage)(peer)

    with FakeServer(dispatch) as server:
        report = probe("submission", server.port)
    assert report.rules() == {"PRB003"}
    assert "handshake failed" in report.findings[0].message


def test_starttls_refused_is_tls105() -> None:
    handler = smtp_handler(starttls="refuse", mail="530 5.7.0 Must issue a STARTTLS command first")
    with FakeServer(handler) as server:
        report = probe("submission", server.port)
    assert report.rules() == {"TLS105"}
    assert "454" in report.findings[0].message
    assert report.exit_status() == 1


# -- certificates ---------------------------------------------------------------------------------


def test_expired_self_signed_certificate(expired_cert: tuple[Path, Path]) -> None:
    tls = server_context(*expired_cert)
    with FakeServer(smtp_handler(rcpt="554 5.7.1 no"), tls=tls) as server:
        report = probe("smtps", server.port, tls_versions=False)
    assert report.rules() == {"PRB004", "CERT103"}
    s = report.services[0]
    assert s.tls is not None and s.tls.certificate is not None
    cert = s.tls.certificate
    assert cert.subject == "CN=expired.test" and cert.self_signed
    assert cert.not_after == "2020-02-01 00:00:00 UTC"
    assert not cert.verified and cert.verify_error
    assert report.exit_status() == 1


def test_certificate_verified_with_ca_file(cert: tuple[Path, Path]) -> None:
    tls = server_context(*cert)
    with FakeServer(smtp_handler(rcpt="554 5.7.1 no"), tls=tls) as server:
        report = probe("smtps", server.port, ca_file=str(cert[0]), tls_versions=False)
    assert report.rules() == set()
    s = report.services[0]
    assert s.tls_at_once is True
    assert s.tls is not None and s.tls.certificate is not None
    assert s.tls.certificate.verified
    assert s.tls.certificate.dns_names == ["fake.test", "www.fake.test"]
    assert s.tls.certificate.subject == "CN=fake.test, O=Probe Tests"
    assert s.auth_after_tls == ["PLAIN", "LOGIN"]
    assert report.exit_status() == 0


def test_plaintext_on_the_tls_port_is_tls102() -> None:
    with FakeServer(smtp_handler(exts=("AUTH PLAIN",))) as server:
        report = probe("smtps", server.port)
    assert report.rules() == {"TLS102", "AUTH103"}
    assert report.services[0].tls_at_once is False


def test_plaintext_on_pop3s_is_prb006() -> None:
    def handle(peer: Peer) -> None:
        peer.send("+OK fake ready\r\n")
        while not peer.line().startswith("QUIT"):
            peer.send("-ERR no\r\n")
        peer.send("+OK bye\r\n")

    with FakeServer(handle) as server:
        report = probe("pop3s", server.port)
    assert report.rules() == {"PRB006"}


# -- policy findings from dialogue --------------------------------------------------------------


def test_submission_weaknesses_seen(cert: tuple[Path, Path]) -> None:
    handler = smtp_handler(exts=("STARTTLS", "AUTH PLAIN LOGIN"), tls=server_context(*cert), rcpt="250 2.1.5 Ok")
    with FakeServer(handler) as server:
        report = probe("submission", server.port, tls_versions=False, ca_file=str(cert[0]))
    assert report.rules() == {"TLS101", "AUTH103", "AUTH102", "RELAY101"}
    s = report.services[0]
    assert s.auth_before_tls == ["PLAIN", "LOGIN"]
    assert s.checks["mail_before_tls"].startswith("250")
    assert s.checks["local_without_auth"] == "RCPT TO:<postmaster@fake.test>: 250 2.1.5 Ok"


def test_submission_without_starttls() -> None:
    with FakeServer(smtp_handler(exts=("PIPELINING",))) as server:
        report = probe("submission", server.port)
    assert report.rules() == {"TLS101"}
    assert report.services[0].starttls_offered is False


def test_port_25_without_starttls_and_open_relay() -> None:
    with FakeServer(smtp_handler(exts=("PIPELINING",), rcpt="250 2.1.5 Ok")) as server:
        report = probe("smtp", server.port, source_address="127.0.0.2")
    assert report.rules() == {"TLS103", "RELAY101"}
    relay = next(f for f in report.findings if f.rule == "RELAY101")
    assert "from 127.0.0.2" in relay.message


def test_pop3_plaintext_login_allowed() -> None:
    def handle(peer: Peer) -> None:
        peer.send("+OK fake\r\n")
        while True:
            line = peer.line()
            if line == "CAPA":
                peer.send("+OK\r\nUSER\r\nSASL PLAIN CRAM-MD5\r\n.\r\n")
            elif line.startswith("QUIT"):
                peer.send("+OK bye\r\n")
                return
            else:
                peer.send("+OK\r\n")

    with FakeServer(handle) as server:
        report = probe("pop3", server.port)
    assert report.rules() == {"AUTH201", "TLS201"}
    assert report.services[0].checks["user_before_tls"].startswith("+OK")
    assert report.services[0].auth_before_tls == ["PLAIN", "CRAM-MD5"]


def test_imap_without_logindisabled() -> None:
    def handle(peer: Peer) -> None:
        peer.send("* OK fake\r\n")
        while True:
            tag, _, command = peer.line().partition(" ")
            if command == "CAPABILITY":
                peer.send(f"* CAPABILITY IMAP4rev1 STARTTLS\r\n{tag} OK done\r\n")
            elif command == "STARTTLS":
                peer.send(f"{tag} NO not today\r\n")
            else:
                peer.send(f"* BYE\r\n{tag} OK bye\r\n")
                return

    with FakeServer(handle) as server:
        report = probe("imap", server.port)
    assert report.rules() == {"AUTH201", "TLS201", "TLS105"}


# -- credentials ----------------------------------------------------------------------------------


def test_password_never_sent_in_clear_nor_printed(
    cert: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password_file = tmp_path / "pw"
    password_file.write_text(SECRET + "\n")
    handler = smtp_handler(exts=("STARTTLS", "AUTH PLAIN"), tls=server_context(*cert), mail="530 first TLS")
    with FakeServer(handler) as server:
        for fmt in ("text", "json", "sarif"):
            argv = ["127.0.0.1", "--submission", str(server.port), "--user", "alice"]
            argv += ["--password-file", str(password_file), "--format", fmt, "--timeout", "2"]
            status = cli([*argv, "--no-tls-versions"])
            out, err = capsys.readouterr()
            assert status == 1
            assert SECRET not in out and SECRET not in err
            assert "PRB005" in out
    received = server.received
    first_tls = received.index("<TLS>")
    assert not any(line.upper().startswith("AUTH") for line in received[:first_tls])
    assert any(line.startswith("AUTH PLAIN ") for line in received[first_tls:])
    assert "DATA" not in [line.upper() for line in received]
    assert repr(Credentials("alice", SECRET)).count(SECRET) == 0


# -- the command line -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["127.0.0.1"],
        ["127.0.0.1", "--smtp", "0"],
        ["127.0.0.1", "--smtp", "x"],
        ["127.0.0.1", "--smtp", "25", "--user", "a"],
        ["127.0.0.1", "--smtp", "25", "--user", "a", "--password-file", "/nonexistent/pw"],
        ["127.0.0.1", "--smtp", "25", "--ca-file", "/nonexistent/ca.pem"],
        ["127.0.0.1", "--smtp", "25", "--format", "xml"],
        ["127.0.0.1", "--smtp", "25", "--timeout", "-1"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(argv) == 2
    assert capsys.readouterr().err


def test_json_and_sarif_shapes(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeServer(smtp_handler(exts=("PIPELINING",), rcpt="250 2.1.5 Ok")) as server:
        assert cli(["127.0.0.1", "--smtp", str(server.port), "--format", "json"]) == 1
        data = json.loads(capsys.readouterr().out)
        assert cli(["127.0.0.1", "--smtp", str(server.port), "--format", "sarif"]) == 1
        sarif = json.loads(capsys.readouterr().out)
    keys = {"rule", "severity", "message", "path", "line", "column", "end_line", "end_column", "fix"}
    assert {"version", "findings", "files", "summary", "services"} <= set(data)
    assert all(set(f) == keys for f in data["findings"])
    assert {f["rule"] for f in data["findings"]} == {"TLS103", "RELAY101"}
    assert all(f["path"] == f"smtp://127.0.0.1:{server.port}" and f["line"] == 1 for f in data["findings"])
    assert data["summary"]["exit_code"] == 1
    assert all(f["fix"] for f in data["findings"])
    assert data["services"][0]["starttls_offered"] is False
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"TLS103", "RELAY101"}


def test_clean_server_exits_0(capsys: pytest.CaptureFixture[str], cert: tuple[Path, Path]) -> None:
    tls = server_context(*cert)
    with FakeServer(smtp_handler(), tls=tls) as server:
        status = cli(["127.0.0.1", "--smtps", str(server.port), "--ca-file", str(cert[0]), "--no-tls-versions"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "All checks passed" in out
    assert "subject CN=fake.test, O=Probe Tests" in out


def test_auth_login_never_names_the_password(cert: tuple[Path, Path]) -> None:
    """AUTH LOGIN sends the password base64-encoded on a line of its own: errors must not quote it."""

    def handle(peer: Peer) -> None:
        peer.send("220 fake.test ESMTP\r\n")
        secure = False
        while True:
            line = peer.line()
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                peer.send("250-fake.test\r\n250 AUTH LOGIN\r\n" if secure else "250-fake.test\r\n250 STARTTLS\r\n")
            elif verb == "STARTTLS":
                peer.send("220 go\r\n")
                peer.starttls(server_context(*cert))
                secure = True
            elif verb == "AUTH":
                peer.send("334 VXNlcm5hbWU6\r\n")
                peer.line()
                peer.send("334 UGFzc3dvcmQ6\r\n")
                peer.line()
                return  # close without an answer
            else:
                peer.send("554 no\r\n")

    with FakeServer(handle) as server:
        report = probe(
            "submission",
            server.port,
            credentials=Credentials("alice", SECRET),
            tls_versions=False,
            ca_file=str(cert[0]),
        )
    encoded = base64.b64encode(SECRET.encode()).decode()
    assert report.rules() == {"PRB002"}
    message = report.findings[0].message
    assert "(after AUTH)" in message
    assert SECRET not in message and encoded not in message
    assert encoded in server.received  # it was sent, after TLS
    assert server.received.index(encoded) > server.received.index("<TLS>")


def test_source_address_is_used() -> None:
    peers: list[str] = []

    def handle(peer: Peer) -> None:
        peers.append(peer.sock.getpeername()[0])
        smtp_handler(exts=("PIPELINING",))(peer)

    with FakeServer(handle) as server:
        probe("smtp", server.port, source_address="127.0.0.2")
    assert peers and set(peers) == {"127.0.0.2"}


def test_old_tls_versions_are_reported(cert: tuple[Path, Path]) -> None:
    ctx = server_context(*cert)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
    with FakeServer(smtp_handler(rcpt="554 5.7.1 no"), tls=ctx) as server:
        report = probe("smtps", server.port, ca_file=str(cert[0]))
    s = report.services[0]
    assert s.tls is not None
    if not s.tls.old_versions_accepted:
        pytest.skip("this OpenSSL cannot speak TLSv1/TLSv1.1 at all")
    assert report.rules() == {"TLS106"}
    assert "TLSv1" in s.tls.old_versions_accepted


def test_only_named_ports_are_contacted() -> None:
    with FakeServer(smtp_handler(exts=("PIPELINING",))) as named, FakeServer(lambda peer: None) as other:
        report = probe("smtp", named.port)
    assert [s.port for s in report.services] == [named.port]
    assert other.received == [] and named.received


def test_same_address_is_noted_for_mailbox_protocols() -> None:
    def handle(peer: Peer) -> None:
        peer.send("* OK fake\r\n")
        while True:
            tag, _, command = peer.line().partition(" ")
            if command == "CAPABILITY":
                peer.send(f"* CAPABILITY IMAP4rev1 LOGINDISABLED\r\n{tag} OK done\r\n")
            else:
                peer.send(f"* BYE\r\n{tag} OK bye\r\n")
                return

    with FakeServer(handle) as server:
        same = probe("imap", server.port)
        other = probe("imap", server.port, source_address="127.0.0.2")
    assert "same_address" in same.services[0].checks
    assert "same_address" not in other.services[0].checks
    assert same.rules() == other.rules() == {"TLS201"}  # no STARTTLS offered
