"""A small line-oriented client connection with strict limits and bounded waits.

Every read and write is bounded by the timeout; lines are capped in length; every failure is a
:class:`ProbeError` whose ``kind`` says what happened (connect, protocol, tls, verify).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import socket
import ssl
import time
import warnings
from dataclasses import dataclass
from typing import Self

from mailconf.probe._der import parse_certificate
from mailconf.probe._model import CertInfo, TlsInfo

MAX_LINE = 8192
MAX_LINES = 200


class ProbeError(Exception):
    """A connection-level failure. ``kind``: connect, protocol, tls or verify."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    timeout: float
    source: str | None = None


def _is_ip(host: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        return True
    return False


def client_context(
    *,
    verify: bool,
    ca_file: str | None = None,
    host: str = "",
    version: ssl.TLSVersion | None = None,
) -> ssl.SSLContext:
    """A client context: verifying against ``ca_file`` (or the system CAs), or accepting anything.

    ``version`` pins both ends of the protocol range (used to test whether old versions work).
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if verify:
        ctx.check_hostname = bool(host) and not _is_ip(host)
        ctx.verify_mode = ssl.CERT_REQUIRED
        if ca_file:
            ctx.load_verify_locations(cafile=ca_file)
        else:
            ctx.load_default_certs()
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if version is not None:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():  # old versions are deprecated: testing for them is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = version
            ctx.maximum_version = version
    return ctx


def describe_certificate(der: bytes | None, verified: bool, verify_error: str | None) -> CertInfo | None:
    if not der:
        return None
    try:
        cert = parse_certificate(der)
    except ValueError as exc:
        return CertInfo(
            subject=f"(unreadable: {exc})",
            issuer="",
            not_before="",
            not_after="",
            dns_names=[],
            self_signed=False,
            days_left=0,
            verified=verified,
            verify_error=verify_error,
        )
    now = _dt.datetime.now(_dt.UTC)
    return CertInfo(
        subject=cert.subject,
        issuer=cert.issuer,
        not_before=cert.not_before.strftime("%Y-%m-%d %H:%M:%S UTC"),
        not_after=cert.not_after.strftime("%Y-%m-%d %H:%M:%S UTC"),
        dns_names=list(cert.dns_names),
        self_signed=cert.self_issued,
        days_left=(cert.not_after - now).days,
        verified=verified,
        verify_error=verify_error,
    )


class Conn:
    """A connected client socket that reads CRLF lines and can switch to TLS."""

    def __init__(self, endpoint: Endpoint, tls: ssl.SSLContext | None = None) -> None:
        self.endpoint = endpoint
        self._buf = b""
        self.tls_info: TlsInfo | None = None
        try:
            source = (endpoint.source, 0) if endpoint.source else None
            self.sock: socket.socket = socket.create_connection(
                (endpoint.host, endpoint.port), timeout=endpoint.timeout, source_address=source
            )
        except TimeoutError:
            raise ProbeError("connect", f"no connection within {endpoint.timeout:g} s") from None
        except OSError as exc:
            raise ProbeError("connect", f"cannot connect: {exc.strerror or exc}") from None
        self.sock.settimeout(endpoint.timeout)
        if tls is not None:
            self.starttls(tls)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def secure(self) -> bool:
        return isinstance(self.sock, ssl.SSLSocket)

    def starttls(self, ctx: ssl.SSLContext) -> TlsInfo:
        """Wrap the socket in TLS (handshake bounded by the timeout) and describe the session."""
        if self._buf:
            raise ProbeError("protocol", "the server sent data before the TLS handshake")
        try:
            server_name = self.endpoint.host if ctx.check_hostname else None
            self.sock = ctx.wrap_socket(self.sock, server_hostname=server_name)
        except ssl.SSLCertVerificationError as exc:
            self.close()
            raise ProbeError("verify", exc.verify_message or str(exc)) from None
        except TimeoutError:
            self.close()
            raise ProbeError("tls", f"TLS handshake stalled (no answer within {self.endpoint.timeout:g} s)") from None
        except ssl.SSLError as exc:
            self.close()
            raise ProbeError("tls", f"TLS handshake failed: {exc.reason or exc}") from None
        except OSError as exc:
            self.close()
            raise ProbeError("tls", f"TLS handshake failed: connection lost ({exc.strerror or exc})") from None
        assert isinstance(self.sock, ssl.SSLSocket)
        cipher = self.sock.cipher()
        der = self.sock.getpeercert(binary_form=True)
        verified = ctx.verify_mode == ssl.CERT_REQUIRED
        self.tls_info = TlsInfo(
            version=self.sock.version() or "?",
            cipher=cipher[0] if cipher else "?",
            certificate=describe_certificate(der, verified, None),
        )
        return self.tls_info

    def send(self, line: str) -> None:
        try:
            self.sock.sendall(line.encode("latin-1") + b"\r\n")
        except TimeoutError:
            raise ProbeError("protocol", "the server stopped reading (send timed out)") from None
        except OSError as exc:
            raise ProbeError("protocol", f"connection lost while sending: {exc.strerror or exc}") from None

    def readline(self) -> str:
        """One line without its line ending (decoded as latin-1), within one timeout in total."""
        deadline = time.monotonic() + self.endpoint.timeout
        while b"\n" not in self._buf:
            if len(self._buf) > MAX_LINE:
                raise ProbeError("protocol", f"garbage from the server: a line longer than {MAX_LINE} bytes")
            try:
                self.sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = self.sock.recv(4096)
            except TimeoutError:
                raise ProbeError(
                    "protocol", f"the server stopped answering (nothing within {self.endpoint.timeout:g} s)"
                ) from None
            except ssl.SSLError as exc:
                raise ProbeError("protocol", f"TLS error while reading: {exc.reason or exc}") from None
            except OSError as exc:
                raise ProbeError("protocol", f"connection lost: {exc.strerror or exc}") from None
            if not chunk:
                if self._buf:
                    raise ProbeError("protocol", "the server closed the connection in the middle of a line")
                raise ProbeError("protocol", "the server closed the connection")
            self._buf += chunk
        self.sock.settimeout(self.endpoint.timeout)
        line, _, self._buf = self._buf.partition(b"\n")
        if len(line) > MAX_LINE:
            raise ProbeError("protocol", f"garbage from the server: a line longer than {MAX_LINE} bytes")
        return line.rstrip(b"\r").decode("latin-1")

    def pending(self) -> bool:
        return bool(self._buf)
