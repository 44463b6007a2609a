"""Check a running mail server against the policy: ``mailconf probe HOST --smtp 25 ...``.

>>> from mailconf.probe import ProbeOptions, run_probe
>>> report = run_probe(ProbeOptions("127.0.0.1", {"submission": 587}))  # doctest: +SKIP
>>> sorted(report.rules())  # doctest: +SKIP
['TLS101']

Only the standard library is used (socket, ssl). The probe connects only to the ports it is
given, bounds every wait by ``timeout``, never sends DATA (envelope tests end with RSET/QUIT),
never sends a password before TLS, and never prints one.
"""

from __future__ import annotations

from mailconf.probe._checks import SERVICES, ProbeOptions, run_probe, service_url
from mailconf.probe._model import (
    CONNECTION_RULES,
    PROBE_RULES,
    CertInfo,
    Finding,
    ProbeReport,
    ServiceReport,
    TlsInfo,
)
from mailconf.probe._protocols import Credentials
from mailconf.probe._report import render

__all__ = [
    "CONNECTION_RULES",
    "PROBE_RULES",
    "SERVICES",
    "CertInfo",
    "Credentials",
    "Finding",
    "ProbeOptions",
    "ProbeReport",
    "ServiceReport",
    "TlsInfo",
    "render",
    "run_probe",
    "service_url",
]
