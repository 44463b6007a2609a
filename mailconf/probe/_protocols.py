"""Minimal SMTP, POP3 and IMAP client dialogues on top of :class:`~mailconf.probe._net.Conn`.

Only what a probe needs: greetings, capabilities, STARTTLS/STLS, envelope commands that never
reach DATA, and logins. Anything the server says that does not fit the protocol is a
``ProbeError("protocol", ...)`` quoting (a short, sanitised piece of) what it said.
"""

from __future__ import annotations

import base64
import contextlib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Self

from mailconf.probe._net import MAX_LINES, Conn, ProbeError

EHLO_NAME = "probe.mailconf.invalid"
_SMTP_LINE = re.compile(r"^([2-5][0-9][0-9])([ -]|$)(.*)$")


def shorten(text: str, limit: int = 80) -> str:
    """A short printable rendering of server text for messages."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in text)
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."


def garbage(line: str, expected: str) -> ProbeError:
    return ProbeError("protocol", f"garbage from the server where {expected} was expected: {shorten(line)!r}")


@contextlib.contextmanager
def _step(line: str) -> Iterator[None]:
    """Name the command (never its arguments: they may hold a password) in protocol errors."""
    try:
        yield
    except StartTlsRefused:
        raise
    except ProbeError as exc:
        if exc.kind != "protocol" or "(after " in exc.message:
            raise
        verb = line.split(" ", 1)[0].upper()
        raise ProbeError(exc.kind, f"{exc.message} (after {verb})") from None


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str

    def __repr__(self) -> str:  # never show the password
        return f"Credentials(user={self.user!r}, password='***')"


@dataclass(frozen=True)
class Reply:
    code: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    def __str__(self) -> str:
        return shorten(f"{self.code} {self.text}".strip(), 120)

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 400


class StartTlsRefused(ProbeError):
    """The server offered STARTTLS/STLS but refused to start it."""

    def __init__(self, answer: str) -> None:
        super().__init__("starttls", f"STARTTLS refused: {shorten(answer, 120)}")
        self.answer = answer


class _Session:
    """A protocol dialogue on one connection; closing the session closes the connection."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def quit(self) -> None:
        self.conn.close()


class Smtp(_Session):
    def __init__(self, conn: Conn) -> None:
        super().__init__(conn)
        self.exts: dict[str, str] = {}

    def reply(self) -> Reply:
        lines: list[str] = []
        code = None
        while True:
            line = self.conn.readline()
            match = _SMTP_LINE.match(line)
            if match is None:
                raise garbage(line, "an SMTP reply")
            this = int(match.group(1))
            if code is not None and this != code:
                raise garbage(line, f"the rest of a {code} reply")
            code = this
            lines.append(match.group(3))
            if match.group(2) != "-":
                return Reply(code, tuple(lines))
            if len(lines) > MAX_LINES:
                raise ProbeError("protocol", "garbage from the server: an endless SMTP reply")

    def command(self, line: str, label: str | None = None) -> Reply:
        with _step(label or line):
            self.conn.send(line)
            return self.reply()

    def greet(self) -> Reply:
        greeting = self.reply()
        if greeting.code != 220:
            raise ProbeError("protocol", f"the server does not accept the session: {greeting}")
        return greeting

    def ehlo(self) -> dict[str, str]:
        """Extensions (upper-cased keyword to parameters); HELO fallback gives none."""
        answer = self.command(f"EHLO {EHLO_NAME}")
        if answer.code != 250:
            helo = self.command(f"HELO {EHLO_NAME}")
            if helo.code != 250:
                raise ProbeError("protocol", f"the server refuses EHLO and HELO: {helo}")
            self.exts = {}
            return self.exts
        exts: dict[str, str] = {}
        for line in answer.lines[1:]:
            keyword, _, params = line.strip().partition(" ")
            exts[keyword.upper()] = params.strip()
        self.exts = exts
        return exts

    def starttls(self, ctx: ssl.SSLContext) -> None:
        answer = self.command("STARTTLS")
        if answer.code != 220:
            raise StartTlsRefused(str(answer))
        self.conn.starttls(ctx)

    def login(self, creds: Credentials, mechanisms: list[str]) -> Reply:
        if "PLAIN" in mechanisms or "LOGIN" not in mechanisms:
            token = base64.b64encode(f"\0{creds.user}\0{creds.password}".encode()).decode("ascii")
            return self.command(f"AUTH PLAIN {token}")
        answer = self.command("AUTH LOGIN")
        for value in (creds.user, creds.password):
            if answer.code != 334:
                return answer
            answer = self.command(base64.b64encode(value.encode()).decode("ascii"), label="AUTH")
        return answer

    def quit(self) -> None:
        with contextlib.suppress(ProbeError):
            self.command("RSET")
            self.command("QUIT")


def auth_mechanisms(exts: dict[str, str]) -> list[str]:
    return exts["AUTH"].upper().split() if "AUTH" in exts else []


class Pop3(_Session):
    def __init__(self, conn: Conn) -> None:
        super().__init__(conn)
        self.caps: list[str] = []

    def status(self) -> tuple[bool, str]:
        line = self.conn.readline()
        if line.startswith("+OK"):
            return True, line[3:].strip()
        if line.startswith("-ERR"):
            return False, line[4:].strip()
        raise garbage(line, "+OK or -ERR")

    def command(self, line: str) -> tuple[bool, str]:
        with _step(line):
            self.conn.send(line)
            return self.status()

    def greet(self) -> str:
        ok, text = self.status()
        if not ok:
            raise ProbeError("protocol", f"the server does not accept the session: -ERR {shorten(text)}")
        return "+OK " + text

    def capa(self) -> list[str]:
        ok, _ = self.command("CAPA")
        self.caps = []
        if not ok:
            return self.caps
        lines: list[str] = []
        while True:
            line = self.conn.readline()
            if line == ".":
                self.caps = lines
                return lines
            lines.append(line)
            if len(lines) > MAX_LINES:
                raise ProbeError("protocol", "garbage from the server: an endless CAPA list")

    def starttls(self, ctx: ssl.SSLContext) -> None:
        ok, text = self.command("STLS")
        if not ok:
            raise StartTlsRefused("-ERR " + text)
        self.conn.starttls(ctx)

    def login(self, creds: Credentials) -> tuple[bool, str]:
        ok, text = self.command(f"USER {creds.user}")
        if not ok:
            return ok, text
        return self.command(f"PASS {creds.password}")

    def quit(self) -> None:
        with contextlib.suppress(ProbeError):
            self.command("QUIT")


def pop3_mechanisms(capa: list[str]) -> list[str]:
    for line in capa:
        words = line.split()
        if words and words[0].upper() == "SASL":
            return [w.upper() for w in words[1:]]
    return []


def _imap_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Imap(_Session):
    def __init__(self, conn: Conn) -> None:
        super().__init__(conn)
        self._tag = 0
        self.caps: list[str] = []

    def greet(self) -> str:
        line = self.conn.readline()
        if line.startswith("* OK") or line.startswith("* PREAUTH"):
            return line
        if line.startswith("* BYE"):
            raise ProbeError("protocol", f"the server does not accept the session: {shorten(line)}")
        raise garbage(line, "an IMAP greeting")

    def command(self, line: str) -> tuple[str, str, list[str]]:
        """(status OK/NO/BAD, text, untagged lines)."""
        self._tag += 1
        tag = f"m{self._tag}"
        with _step(line):
            return self._tagged(tag, line)

    def _tagged(self, tag: str, line: str) -> tuple[str, str, list[str]]:
        self.conn.send(f"{tag} {line}")
        untagged: list[str] = []
        while True:
            answer = self.conn.readline()
            if answer.startswith(tag + " "):
                status, _, text = answer[len(tag) + 1 :].partition(" ")
                if status.upper() not in ("OK", "NO", "BAD"):
                    raise garbage(answer, "an IMAP status")
                return status.upper(), text, untagged
            if not answer.startswith(("*", "+")):
                raise garbage(answer, "an IMAP response")
            untagged.append(answer)
            if len(untagged) > MAX_LINES:
                raise ProbeError("protocol", "garbage from the server: endless IMAP responses")

    def capability(self) -> list[str]:
        status, _, untagged = self.command("CAPABILITY")
        self.caps = []
        if status == "OK":
            for line in untagged:
                words = line.split()
                if len(words) > 1 and words[1].upper() == "CAPABILITY":
                    self.caps = [w.upper() for w in words[2:]]
        return self.caps

    def starttls(self, ctx: ssl.SSLContext) -> None:
        status, text, _ = self.command("STARTTLS")
        if status != "OK":
            raise StartTlsRefused(f"{status} {text}")
        self.conn.starttls(ctx)

    def login(self, creds: Credentials) -> tuple[bool, str]:
        status, text, _ = self.command(f"LOGIN {_imap_quote(creds.user)} {_imap_quote(creds.password)}")
        return status == "OK", f"{status} {text}"

    def quit(self) -> None:
        with contextlib.suppress(ProbeError):
            self.command("LOGOUT")


def imap_mechanisms(caps: list[str]) -> list[str]:
    return [c[5:] for c in caps if c.startswith("AUTH=")]
