"""Just enough DER to describe a server certificate: subject, issuer, validity, DNS names.

The standard library only decodes a peer certificate it has verified; a probe must also describe
certificates it could not verify (self-signed, expired), so it reads the DER bytes itself. Any
malformed input raises :class:`ValueError`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

_OID_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "1.2.840.113549.1.9.1": "emailAddress",
}
_OID_SAN = "2.5.29.17"


@dataclass(frozen=True)
class Certificate:
    subject: str
    issuer: str
    not_before: _dt.datetime
    not_after: _dt.datetime
    dns_names: tuple[str, ...]

    @property
    def self_issued(self) -> bool:
        return self.subject == self.issuer


def _read(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the element at ``pos``."""
    if pos + 2 > len(data):
        raise ValueError("truncated DER element")
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise ValueError("DER element runs past the end")
    return tag, pos, end


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    out = []
    pos = start
    while pos < end:
        tag, cstart, cend = _read(data, pos)
        out.append((tag, cstart, cend))
        pos = cend
    return out


def _oid(raw: bytes) -> str:
    if not raw:
        raise ValueError("empty OID")
    parts = [raw[0] // 40, raw[0] % 40]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def _name(data: bytes, start: int, end: int) -> str:
    parts = []
    for _tag, s, e in _children(data, start, end):  # RDN sets
        for _t, as_, ae in _children(data, s, e):  # AttributeTypeAndValue
            items = _children(data, as_, ae)
            if len(items) != 2:
                raise ValueError("bad attribute in name")
            oid = _oid(data[items[0][1] : items[0][2]])
            vtag, vs, ve = items[1]
            raw = data[vs:ve]
            text = raw.decode("utf-16-be", "replace") if vtag == 0x1E else raw.decode("utf-8", "replace")
            parts.append(f"{_OID_NAMES.get(oid, oid)}={text}")
    return ", ".join(parts)


def _time(tag: int, raw: bytes) -> _dt.datetime:
    text = raw.decode("ascii")
    if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    elif tag != 0x18:  # GeneralizedTime
        raise ValueError("bad time in validity")
    return _dt.datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=_dt.UTC)


def _dns_names(data: bytes, start: int, end: int) -> tuple[str, ...]:
    """DNS names from the extensions block ([3] EXPLICIT Extensions)."""
    names: list[str] = []
    (_tag, s, e), *_ = _children(data, start, end)
    for _t, xs, xe in _children(data, s, e):
        items = _children(data, xs, xe)
        if _oid(data[items[0][1] : items[0][2]]) != _OID_SAN:
            continue
        _vt, os_, oe = items[-1]  # OCTET STRING holding GeneralNames
        (_gt, gs, ge), *_ = _children(data, os_, oe)
        for gtag, ns, ne in _children(data, gs, ge):
            if gtag == 0x82:  # dNSName
                names.append(data[ns:ne].decode("ascii", "replace"))
    return tuple(names)


def parse_certificate(der: bytes) -> Certificate:
    """Describe a DER-encoded X.509 certificate (raises ValueError when it is not one)."""
    try:
        tag, start, end = _read(der, 0)
        if tag != 0x30:
            raise ValueError("not a certificate")
        tag, tstart, tend = _children(der, start, end)[0]
        fields = _children(der, tstart, tend)
        if fields and fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        # serial, signature algorithm, issuer, validity, subject, public key, [1] [2] [3]
        issuer = _name(der, fields[2][1], fields[2][2])
        validity = _children(der, fields[3][1], fields[3][2])
        not_before = _time(validity[0][0], der[validity[0][1] : validity[0][2]])
        not_after = _time(validity[1][0], der[validity[1][1] : validity[1][2]])
        subject = _name(der, fields[4][1], fields[4][2])
        dns: tuple[str, ...] = ()
        for ftag, fs, fe in fields[6:]:
            if ftag == 0xA3:
                dns = _dns_names(der, fs, fe)
    except (IndexError, UnicodeDecodeError) as exc:
        raise ValueError(f"malformed certificate: {exc}") from exc
    return Certificate(subject, issuer, not_before, not_after, dns)
