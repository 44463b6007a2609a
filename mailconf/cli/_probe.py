"""``mailconf probe HOST --smtp PORT ...``: check a running mail server against the policy.

Exit status: 0 clean, 1 findings, 2 usage error or a service that could not be checked
(connection refused, timeout, garbage, failed TLS handshake).
"""

from __future__ import annotations

import argparse
import sys

_PORT_OPTIONS = (
    ("smtp", "SMTP on port 25 (STARTTLS, relay)"),
    ("submission", "submission, usually 587 (STARTTLS, AUTH)"),
    ("smtps", "SMTPS, usually 465 (TLS at once, AUTH)"),
    ("pop3", "POP3, usually 110 (STLS)"),
    ("pop3s", "POP3S, usually 995 (TLS at once)"),
    ("imap", "IMAP, usually 143 (STARTTLS)"),
    ("imaps", "IMAPS, usually 993 (TLS at once)"),
)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"port out of range: {value}")
    return value


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 300:
        raise argparse.ArgumentTypeError("timeout must be between 0 and 300 seconds")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mailconf probe",
        description="Check a running mail server against the mailconf policy. Connects only to the "
        "ports named; never sends a message; never sends a password before TLS.",
    )
    p.add_argument("host", metavar="HOST", help="server name or address")
    for name, help_ in _PORT_OPTIONS:
        p.add_argument(f"--{name}", type=_port, metavar="PORT", help=help_)
    p.add_argument("--user", metavar="NAME", help="test login after TLS (needs --password-file)")
    p.add_argument("--password-file", metavar="FILE", help="file whose first line is the password")
    p.add_argument("--source-address", metavar="IP", help="local address to connect from")
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    p.add_argument("--timeout", type=_timeout, default=10.0, metavar="SECONDS", help="per step (default 10)")
    p.add_argument("--ca-file", metavar="FILE", help="trusted CA certificates (default: the system's)")
    p.add_argument("--no-tls-versions", action="store_true", help="do not test TLSv1/TLSv1.1 acceptance")
    return p


def _read_password(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        first = handle.readline()
    return first.rstrip("\r\n")


def run(argv: list[str]) -> int:
    from mailconf.probe import Credentials, ProbeOptions, render, run_probe

    p = parser()
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    ports = {name: getattr(args, name) for name, _ in _PORT_OPTIONS if getattr(args, name) is not None}
    if not ports:
        print("mailconf probe: name at least one port (--smtp, --submission, ...)", file=sys.stderr)
        return 2
    if (args.user is None) != (args.password_file is None):
        print("mailconf probe: --user and --password-file go together", file=sys.stderr)
        return 2
    credentials = None
    if args.user is not None:
        try:
            credentials = Credentials(args.user, _read_password(args.password_file))
        except (OSError, UnicodeDecodeError) as exc:
            print(f"mailconf probe: cannot read the password file {args.password_file}: {exc}", file=sys.stderr)
            return 2
    if args.ca_file is not None:
        import ssl

        try:
            ssl.create_default_context(cafile=args.ca_file)
        except (OSError, ValueError) as exc:
            print(f"mailconf probe: cannot use the CA file {args.ca_file}: {exc}", file=sys.stderr)
            return 2
    options = ProbeOptions(
        host=args.host,
        ports=ports,
        timeout=args.timeout,
        source_address=args.source_address,
        credentials=credentials,
        ca_file=args.ca_file,
        tls_versions=not args.no_tls_versions,
    )
    report = run_probe(options)
    sys.stdout.write(render(report, args.format))
    return report.exit_status()
