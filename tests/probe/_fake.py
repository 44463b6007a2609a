"""Small fake servers on loopback (one thread per connection) for the probe's robustness tests."""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Self

Handler = Callable[["Peer"], None]


class Peer:
    """The server side of one accepted connection, with line helpers and a log of what came in."""

    def __init__(self, sock: socket.socket, server: FakeServer) -> None:
        self.sock = sock
        self.server = server
        self._buf = b""
        sock.settimeout(5.0)

    def send(self, data: str | bytes) -> None:
        self.sock.sendall(data.encode("latin-1") if isinstance(data, str) else data)

    def line(self) -> str:
        while b"\n" not in self._buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError
            self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\n")
        text = raw.rstrip(b"\r").decode("latin-1")
        self.server.received.append(text)
        return text

    def starttls(self, ctx: ssl.SSLContext) -> None:
        self.sock = ctx.wrap_socket(self.sock, server_side=True)
        self.server.received.append("<TLS>")

    def hang(self) -> None:
        """Say nothing until the server is stopped."""
        self.server.stopping.wait(30)


class FakeServer:
    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.received: list[str] = []
        self.stopping = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port: int = self.listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        peer = Peer(conn, self)
        try:
            if self.tls is not None:
                peer.starttls(self.tls)
            self.handler(peer)
        except (OSError, EOFError, ValueError):
            pass
        finally:
            with contextlib.suppress(OSError):
                peer.sock.close()

    def __enter__(self) -> Self:
        self._accepter.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.listener.close()
        self._accepter.join(5)
        for thread in self._threads:
            thread.join(5)


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def make_cert(directory: Path, *, expired: bool = False) -> tuple[Path, Path]:
    """A self-signed certificate for fake.test (valid a year, or expired in 2020)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    if not expired:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365",
             "-subj", "/CN=fake.test/O=Probe Tests", "-addext", "subjectAltName=DNS:fake.test,DNS:www.fake.test",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        return cert, key
    (directory / "ca.cnf").write_text(
        "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n"
        "default_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n"
    )
    (directory / "index.txt").write_text("")
    (directory / "serial").write_text("01\n")
    csr = directory / "req.csr"
    subprocess.run(
        ["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=expired.test",
         "-keyout", str(key), "-out", str(csr)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    subprocess.run(
        ["openssl", "ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", str(key), "-in", str(csr),
         "-out", str(cert), "-startdate", "20200101000000Z", "-enddate", "20200201000000Z", "-notext"],
        check=True, capture_output=True, timeout=60, cwd=directory,
    )  # fmt: skip
    return cert, key


def smtp_handler(
    *,
    exts: tuple[str, ...] = ("PIPELINING", "STARTTLS"),
    tls_exts: tuple[str, ...] = ("PIPELINING", "AUTH PLAIN LOGIN"),
    starttls: str = "ok",
    tls: ssl.SSLContext | None = None,
    mail: str = "250 2.1.0 Ok",
    mail_tls: str = "250 2.1.0 Ok",
    rcpt: str = "554 5.7.1 Relay access denied",
    auth: str = "535 5.7.8 Error: authentication failed",
) -> Handler:
    """A scripted SMTP server. ``starttls``: ok, stall (say 220 then hang), refuse (454)."""

    def handle(peer: Peer) -> None:
        secure = peer.server.tls is not None
        peer.send("220 fake.test ESMTP\r\n")
        while True:
            line = peer.line()
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                listed = tls_exts if secure else exts
                out = ["fake.test", *listed]
                peer.send("".join(f"250{'-' if i < len(out) - 1 else ' '}{x}\r\n" for i, x in enumerate(out)))
            elif verb == "STARTTLS":
                if starttls == "refuse":
                    peer.send("454 4.7.0 TLS not available due to local problem\r\n")
                    continue
                peer.send("220 2.0.0 Ready to start TLS\r\n")
                if starttls == "stall" or tls is None:
                    peer.hang()
                    return
                peer.starttls(tls)
                secure = True
            elif verb == "MAIL":
                peer.send((mail_tls if secure else mail) + "\r\n")
            elif verb == "RCPT":
                peer.send(rcpt + "\r\n")
            elif verb == "AUTH":
                peer.send(auth + "\r\n")
            elif verb == "QUIT":
                peer.send("221 2.0.0 Bye\r\n")
                return
            else:
                peer.send("250 2.0.0 Ok\r\n")

    return handle
