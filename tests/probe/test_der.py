"""The certificate reader: right on real certificates, only ValueError on anything else."""

from __future__ import annotations

import contextlib
import ssl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailconf.probe._der import Certificate, parse_certificate
from tests.probe._fake import make_cert
from tests.support import require_tool


@pytest.fixture(scope="module")
def der(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    require_tool("openssl")
    cert, _ = make_cert(tmp_path_factory.mktemp("der"))
    return ssl.PEM_cert_to_DER_cert(cert.read_text())


def test_reads_a_real_certificate(der: bytes) -> None:
    cert = parse_certificate(der)
    assert cert.subject == "CN=fake.test, O=Probe Tests"
    assert cert.self_issued
    assert cert.dns_names == ("fake.test", "www.fake.test")
    assert 364 <= (cert.not_after - cert.not_before).days <= 366


@given(st.binary(max_size=300))
def test_random_bytes_give_value_error(data: bytes) -> None:
    with contextlib.suppress(ValueError):
        parse_certificate(data)


def test_every_truncation_and_bit_flip_is_handled(der: bytes) -> None:
    for cut in range(0, len(der), 7):
        try:
            result = parse_certificate(der[:cut])
        except ValueError:
            continue
        assert isinstance(result, Certificate)
    for i in range(0, len(der), 5):
        flipped = der[:i] + bytes([der[i] ^ 0x80]) + der[i + 1 :]
        with contextlib.suppress(ValueError):
            parse_certificate(flipped)
