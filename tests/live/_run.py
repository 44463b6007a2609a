"""One run per configuration variant: start the daemons, probe them, lint the files, stop.

Results are cached for the whole test session, so every variant is started exactly once.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from mailconf.probe import Credentials, ProbeOptions, ProbeReport, run_probe
from tests.live._servers import CLIENT, HOST, PASSWORD, PORTS, USER, Busy, LiveServers, exclusive, make_certificate
from tests.live._variants import VARIANTS

PROBE_TIMEOUT = 5.0
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LintResult:
    status: int
    findings: list[dict[str, Any]]
    error: str | None = None

    def rules(self) -> set[str]:
        return {str(f["rule"]) for f in self.findings}


@dataclass
class VariantRun:
    name: str
    probe: ProbeReport
    lint: LintResult
    maillog: str
    dovecot_log: str
    extra: dict[str, Any] = field(default_factory=dict)


def options(cert: Path, *, password: str = PASSWORD, ports: dict[str, int] | None = None) -> ProbeOptions:
    return ProbeOptions(
        HOST,
        dict(ports or PORTS),
        timeout=PROBE_TIMEOUT,
        source_address=CLIENT,
        credentials=Credentials(USER, password),
        ca_file=str(cert),
    )


STANDARD = {"smtp": 25, "submission": 587, "smtps": 465, "pop3": 110, "pop3s": 995, "imap": 143, "imaps": 993}


def standard_ports(etc: Path, target: Path) -> Path:
    """A copy of the configuration the daemons run from, with the test listeners moved back to the
    standard ports (``127.0.0.1:2587 inet`` becomes ``submission inet``, ``port = 2143`` becomes
    ``port = 143``): the rules know services by their standard names and ports. Nothing else changes.
    """
    shutil.copytree(etc, target)
    master = target / "postfix" / "master.cf"
    text = master.read_text()
    for service in ("smtp", "submission", "smtps"):
        text = text.replace(f"127.0.0.1:{PORTS[service]} inet", f"{service} inet")
    master.write_text(text)
    dovecot = target / "dovecot" / "dovecot.conf"
    text = dovecot.read_text()
    for service in ("pop3", "pop3s", "imap", "imaps"):
        text = text.replace(f"port = {PORTS[service]}\n", f"port = {STANDARD[service]}\n")
    dovecot.write_text(text)
    return target


def lint(directory: Path) -> LintResult:
    """``mailconf lint --format json --root / DIR``: the certificate files are on this machine."""
    argv = [sys.executable, "-m", "mailconf", "lint", "--format", "json", "--exit-zero", "--root", "/", str(directory)]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return LintResult(-1, [], "lint timed out")
    try:
        data = json.loads(done.stdout)
    except ValueError:
        return LintResult(done.returncode, [], f"lint gave no JSON (exit {done.returncode}): {done.stderr[-2000:]}")
    return LintResult(done.returncode, list(data.get("findings", [])))


def probe_cli(cert: Path, password_file: Path) -> tuple[int, dict[str, Any], str]:
    """The probe command itself, as a user runs it (JSON output)."""
    argv = [sys.executable, "-m", "mailconf", "probe", HOST, "--source-address", CLIENT]
    for service, port in PORTS.items():
        argv += [f"--{service}", str(port)]
    argv += ["--user", USER, "--password-file", str(password_file), "--ca-file", str(cert)]
    argv += ["--format", "json", "--timeout", str(PROBE_TIMEOUT)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    return done.returncode, json.loads(done.stdout), done.stdout + done.stderr


def _terminate(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt(f"signal {signum}")


class LiveRuns:
    """Runs of the variants, each started once per test session.

    The machine-wide lock (ports, /etc/postfix/main.cf) is held only while daemons run, so
    parallel test sessions interleave; ``on_busy`` decides what a lock timeout means (skip or fail).
    """

    def __init__(self, cert: Path, key: Path, on_busy: Callable[[str], NoReturn]) -> None:
        self.cert = cert
        self.key = key
        self.on_busy = on_busy
        self.runs: dict[str, VariantRun] = {}

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """The machine-wide lock; a SIGTERM meanwhile unwinds (stopping the daemons) instead of
        killing the process with daemons left running."""
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if main else None
        try:
            with exclusive():
                yield
        except Busy as exc:
            self.on_busy(str(exc))
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)

    def get(self, name: str) -> VariantRun:
        if name not in self.runs:
            with self.lock():
                self.runs[name] = self._run(name)
        return self.runs[name]

    def _run(self, name: str) -> VariantRun:
        config = VARIANTS[name]
        if "cert_days" not in config.notes:
            return self._serve(name, self.cert, self.key)
        own = Path(tempfile.mkdtemp(prefix="mailconf-live-cert-", dir="/var/tmp"))
        try:
            cert, key = make_certificate(own, days=int(config.notes["cert_days"]))
            return self._serve(name, cert, key)
        finally:
            shutil.rmtree(own, ignore_errors=True)

    def _serve(self, name: str, cert: Path, key: Path) -> VariantRun:
        with LiveServers(VARIANTS[name], cert, key) as servers:
            report = run_probe(options(cert))
            extra: dict[str, Any] = {}
            if name == "secure":
                mailbox = {s: PORTS[s] for s in ("submission", "smtps", "pop3", "imap")}
                extra["wrong_password"] = run_probe(options(self.cert, password="wrong-password", ports=mailbox))
                extra["cli"] = probe_cli(self.cert, servers.paths.password_file)
                extra["files"] = {
                    "main.cf": (servers.paths.postfix_dir / "main.cf").read_text(),
                    "master.cf": (servers.paths.postfix_dir / "master.cf").read_text(),
                    "dovecot.conf": servers.paths.dovecot_file.read_text(),
                }
            linted = lint(standard_ports(servers.paths.base / "etc", servers.paths.base / "lint" / "etc"))
            maillog = servers.paths.maillog.read_text(errors="replace") if servers.paths.maillog.exists() else ""
            dovecot_log = servers.paths.dovecot_log.read_text(errors="replace")
        return VariantRun(name, report, linted, maillog, dovecot_log, extra)
