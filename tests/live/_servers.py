"""Real Postfix and Dovecot on loopback, from a configuration under test.

Everything lives in one private directory (under /var/tmp, so that ``maillog_file`` passes
Postfix's ``maillog_file_prefixes``). Daemons listen on 127.0.0.1 only; outbound delivery is
disabled (``default_transport``/``relay_transport = error``) and the tests never send DATA.
Every wait is bounded; :meth:`LiveServers.stop` always runs and cleans up.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
CLIENT = "127.0.0.2"  # outside mynetworks, and not Dovecot's own address
PORTS = {
    "smtp": 2525,
    "submission": 2587,
    "smtps": 2465,
    "pop3": 2110,
    "pop3s": 2995,
    "imap": 2143,
    "imaps": 2993,
}
USER = "probeuser"
PASSWORD = "live-test-password-7"
GLOBAL_MAIN = Path("/etc/postfix/main.cf")
LOCK_FILE = Path("/tmp/mailconf-live-tests.lock")
MARKER = "# written by the mailconf live tests; removed afterwards\n"
WAIT = 15.0


class ServerError(RuntimeError):
    """A daemon did not start or stop as expected (the message carries its log)."""


class Busy(ServerError):
    """Another live test run kept the machine's test ports for too long."""


def run(argv: list[str], timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    """Run a command; daemons it forks get no pipes (they would keep the output open)."""
    with tempfile.TemporaryFile("w+") as out:
        result = subprocess.run(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False
        )
        out.seek(0)
        return subprocess.CompletedProcess(argv, result.returncode, out.read(), "")


def port_open(port: int, host: str = HOST) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def wait_ports(ports: list[int], up: bool, timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(port_open(p) == up for p in ports):
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def exclusive(timeout: float = 300.0) -> Iterator[None]:
    """One live run per machine at a time (they share ports and /etc/postfix/main.cf)."""
    with open(LOCK_FILE, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Busy(f"another live test run held {LOCK_FILE} for {timeout:g} s") from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def make_certificate(directory: Path, days: int = 365) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    result = run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
            "-days", str(days), "-subj", "/CN=mail.example.test",
            "-addext", "subjectAltName=DNS:mail.example.test",
            "-keyout", str(key), "-out", str(cert),
        ]
    )  # fmt: skip
    if result.returncode != 0:
        raise ServerError(f"openssl failed: {result.stderr}")
    key.chmod(0o600)
    cert.chmod(0o644)
    return cert, key


@dataclass
class Config:
    """One configuration under test: the three files, as text, with placeholders filled in."""

    name: str
    main_cf: str
    master_cf: str
    dovecot_conf: str
    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class Paths:
    base: Path
    cert: Path
    key: Path

    @property
    def postfix_dir(self) -> Path:
        return self.base / "etc" / "postfix"

    @property
    def dovecot_file(self) -> Path:
        return self.base / "etc" / "dovecot" / "dovecot.conf"

    @property
    def queue(self) -> Path:
        return self.base / "spool"

    @property
    def data(self) -> Path:
        return self.base / "lib"

    @property
    def run_dir(self) -> Path:
        return self.base / "run"

    @property
    def maillog(self) -> Path:
        return self.base / "maillog"

    @property
    def dovecot_log(self) -> Path:
        return self.base / "dovecot.log"

    @property
    def password_file(self) -> Path:
        return self.base / "password"

    def fill(self, text: str) -> str:
        return (
            text.replace("@QUEUE@", str(self.queue))
            .replace("@DATA@", str(self.data))
            .replace("@BASE@", str(self.base))
            .replace("@CERT@", str(self.cert))
            .replace("@KEY@", str(self.key))
            .replace("@MAILLOG@", str(self.maillog))
        )


class LiveServers:
    """Postfix and Dovecot started from one :class:`Config`; use as a context manager."""

    def __init__(self, config: Config, cert: Path, key: Path) -> None:
        self.config = config
        base = Path(tempfile.mkdtemp(prefix=f"mailconf-live-{config.name}-", dir="/var/tmp"))
        base.chmod(0o755)
        self.paths = Paths(base, cert, key)
        self._global_backup: bytes | None = None
        self._global_written = False
        self._postfix_started = False
        self._dovecot_started = False

    # -- files ----------------------------------------------------------------------------------

    def write(self) -> None:
        p = self.paths
        p.postfix_dir.mkdir(parents=True)
        p.dovecot_file.parent.mkdir(parents=True)
        (p.postfix_dir / "main.cf").write_text(p.fill(self.config.main_cf))
        (p.postfix_dir / "master.cf").write_text(p.fill(self.config.master_cf))
        p.dovecot_file.write_text(p.fill(self.config.dovecot_conf))
        p.queue.mkdir()
        p.data.mkdir()
        shutil.chown(p.data, "postfix", "postfix")
        (p.queue / "private").mkdir()
        shutil.chown(p.queue / "private", "postfix", "root")
        p.run_dir.mkdir()
        home = p.base / "home" / USER
        home.mkdir(parents=True)
        shutil.chown(home, "nobody", "nogroup")
        (p.base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        p.password_file.write_text(PASSWORD + "\n")
        old = time.time() - 3600
        for path in (p.postfix_dir / "main.cf", p.postfix_dir / "master.cf", p.dovecot_file):
            os.utime(path, (old, old))

    def _set_global_main(self) -> None:
        line = f"alternate_config_directories = {self.paths.postfix_dir}\n"
        if GLOBAL_MAIN.exists() and not GLOBAL_MAIN.read_text(encoding="latin-1").startswith(MARKER):
            self._global_backup = GLOBAL_MAIN.read_bytes()
            content = self._global_backup.decode("latin-1")
            if content and not content.endswith("\n"):
                content += "\n"
            GLOBAL_MAIN.write_text(content + line, encoding="latin-1")
        else:
            GLOBAL_MAIN.write_text(MARKER + line)  # ours (or left behind by a killed run): removed after
        self._global_written = True
        old = time.time() - 3600
        os.utime(GLOBAL_MAIN, (old, old))

    def _restore_global_main(self) -> None:
        if not self._global_written:
            return
        if self._global_backup is None:
            GLOBAL_MAIN.unlink(missing_ok=True)
        else:
            GLOBAL_MAIN.write_bytes(self._global_backup)
        self._global_written = False

    # -- start / stop ---------------------------------------------------------------------------

    def logs(self) -> str:
        parts = []
        for path in (self.paths.maillog, self.paths.dovecot_log):
            with contextlib.suppress(OSError):
                parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)

    def start(self) -> None:
        busy = [p for p in PORTS.values() if port_open(p)]
        if busy:
            raise ServerError(f"ports already in use on {HOST}: {busy} (a stale test server?)")
        self.write()
        self._set_global_main()
        self._postfix_started = True
        result = run(["postfix", "-c", str(self.paths.postfix_dir), "start"])
        if result.returncode != 0:
            raise ServerError(f"postfix start failed: {result.stdout}{result.stderr}\n{self.logs()}")
        self._dovecot_started = True
        result = run(["dovecot", "-c", str(self.paths.dovecot_file)])
        if result.returncode != 0:
            raise ServerError(f"dovecot failed: {result.stdout}{result.stderr}\n{self.logs()}")
        if not wait_ports(list(PORTS.values()), up=True):
            missing = [name for name, p in PORTS.items() if not port_open(p)]
            raise ServerError(f"not listening after {WAIT:g} s: {missing}\n{self.logs()}")

    def _pid(self, path: Path) -> int | None:
        try:
            return int(path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _wait_gone(self, pid: int | None) -> None:
        if pid is None:
            return
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        """Stop both daemons (both asked first, then both awaited), restore main.cf, clean up."""
        try:
            pids = []
            if self._postfix_started:
                pids.append(self._pid(self.paths.queue / "pid" / "master.pid"))
                run(["postfix", "-c", str(self.paths.postfix_dir), "stop"])
                self._postfix_started = False
            if self._dovecot_started:
                pids.append(self._pid(self.paths.run_dir / "master.pid"))
                run(["doveadm", "-c", str(self.paths.dovecot_file), "stop"])
                self._dovecot_started = False
            for pid in pids:
                self._wait_gone(pid)
            wait_ports(list(PORTS.values()), up=False, timeout=5.0)
        finally:
            self._restore_global_main()
            shutil.rmtree(self.paths.base, ignore_errors=True)

    def __enter__(self) -> LiveServers:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
