"""Mailman 3 mailman.cfg: lossless documents that read like configparser (Mailman's reader)."""

from __future__ import annotations

import configparser
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import mailconf
from mailconf.errors import EditError, ParseError
from mailconf.mailman import Mailman3Document, parse_mailman_cfg
from tests.support import CORPUS, corpus_sets


def oracle(text: str) -> dict[str, dict[str, str]]:
    """What Mailman reads: lazr.config = RawConfigParser(strict=False) over dedent(text),
    the file opened in text mode (universal newlines)."""
    parser = configparser.RawConfigParser(strict=False)
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    parser.read_string(textwrap.dedent(normalised))
    return {name: dict(parser.items(name)) for name in parser.sections()}


def mailman_cfg_files() -> list[Path]:
    files: list[Path] = []
    for folder in corpus_sets("mailman"):
        files += sorted(folder.glob("*.cfg"))
    return files


def test_corpus_has_mailman3_files() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    assert len(mailman_cfg_files()) >= 6


@pytest.mark.parametrize("path", mailman_cfg_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_round_trip_and_meaning(path: Path) -> None:
    data = path.read_bytes()
    doc = mailconf.parse_file(path, kind="mailman3")
    assert isinstance(doc, Mailman3Document)
    assert doc.to_bytes() == data
    assert doc.values() == oracle(data.decode("utf-8"))


SAMPLE = b"""# site config
[mailman]
site_owner: owner@example.org
layout = fhs

[mta]
incoming: mailman.mta.postfix.LMTP
lmtp_port: 8024 # not a comment
# a comment inside the section
smtp_host:
    mail.example.org
  ; indented comment, skipped

    second line
[paths.fhs]
var_dir=/srv/mailman
"""


def test_sample_reads_like_configparser() -> None:
    doc = parse_mailman_cfg(SAMPLE, path="mailman.cfg")
    assert doc.values() == oracle(SAMPLE.decode())
    option = doc.get("mta", "smtp_host")
    assert option is not None
    assert option.value == "\nmail.example.org\n\nsecond line"
    assert (option.line, option.end_line) == (10, 14)
    port = doc.get("mta", "lmtp_port")
    assert port is not None and port.value == "8024 # not a comment"
    assert (port.value_line, port.value_column) == (8, 12)
    layout = doc.get("mailman", "layout")
    assert layout is not None and layout.separator == "="


def test_keys_are_lowercased_last_wins_and_sections_merge() -> None:
    text = b"[mta]\nLMTP_Port: 1\n[other]\nx: 1\n[mta]\nlmtp_port: 2\n"
    doc = parse_mailman_cfg(text)
    option = doc.get("mta", "lmtp_port")
    assert option is not None and option.value == "2" and option.line == 6
    assert doc.section_names() == ["mta", "other"]
    assert doc.values() == oracle(text.decode())


def test_default_section_feeds_every_section() -> None:
    text = b"[DEFAULT]\nsmtp_port: 2525\n[mta]\nlmtp_port: 24\n"
    doc = parse_mailman_cfg(text)
    option = doc.get("mta", "smtp_port")
    assert option is not None and option.value == "2525"
    assert doc.values() == oracle(text.decode())


def test_crlf_and_lone_cr_and_no_final_newline() -> None:
    text = b"[mta]\r\nlmtp_port: 8024\rsmtp_port: 25"
    doc = parse_mailman_cfg(text)
    assert doc.to_bytes() == text
    assert doc.values() == {"mta": {"lmtp_port": "8024", "smtp_port": "25"}}
    option = doc.get("mta", "smtp_port")
    assert option is not None and option.line == 3


def test_utf8_survives_and_other_encodings_are_errors() -> None:
    text = "# café\n[mailman]\nsite_owner: rémy@example.org\n".encode()
    doc = parse_mailman_cfg(text)
    assert doc.to_bytes() == text
    option = doc.get("mailman", "site_owner")
    assert option is not None and option.value.encode("latin-1").decode() == "rémy@example.org"
    with pytest.raises(ParseError) as info:
        parse_mailman_cfg(b"# ok\n[mailman]\nsite_owner: r\xe9my@example.org\n", path="m.cfg")
    assert (info.value.line, info.value.column) == (3, 14)
    assert "UTF-8" in info.value.message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        (b"key: value\n[mta]\n", 1, 1),
        (b"# c\n\n  lone: x\n", 3, 3),
        (b"[mta]\nno delimiter here\n", 2, 1),
        (b"[mta]\nok: 1\n  : empty name\nnot ok\n", 4, 1),
        (b"[mta]\n= value\n", 2, 1),
    ],
)
def test_errors_point_at_the_line(text: bytes, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        parse_mailman_cfg(text, path="m.cfg")
    assert (info.value.line, info.value.column) == (line, column)
    assert info.value.path == "m.cfg"
    with pytest.raises(configparser.Error):
        oracle(text.decode())


def test_indented_header_after_option_is_a_continuation() -> None:
    text = b"[mta]\nincoming: x\n  [paths.fhs]\n"
    doc = parse_mailman_cfg(text)
    assert doc.values() == oracle(text.decode()) == {"mta": {"incoming": "x\n[paths.fhs]"}}


# -- Hypothesis: generated files round-trip and mean what configparser says ----------------

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.", min_size=1, max_size=8).filter(
    lambda s: s[0] not in "._" and s != "default"
)
values = st.text(alphabet="abc xyz019/:=#;[]$.-", max_size=12)
blanks = st.sampled_from(["", " ", "  ", "\t", "    "])
newlines = st.sampled_from(["\n", "\r\n"])


@st.composite
def cfg_files(draw: st.DrawFn) -> str:
    out: list[str] = []
    nl = draw(newlines)
    for _ in range(draw(st.integers(1, 4))):
        out.append(f"{draw(blanks)}[{draw(names)}]{draw(blanks)}{nl}")
        for _ in range(draw(st.integers(0, 4))):
            kind = draw(st.sampled_from(["option", "option", "comment", "blank", "continuation"]))
            if kind == "option":
                sep = draw(st.sampled_from([":", "=", " : ", " = ", ":  "]))
                out.append(f"{draw(names)}{sep}{draw(values).strip()}{draw(blanks)}{nl}")
            elif kind == "comment":
                out.append(f"{draw(blanks)}{draw(st.sampled_from(['#', ';']))}{draw(values)}{nl}")
            elif kind == "blank":
                out.append(f"{draw(blanks)}{nl}")
            elif out and not out[-1].lstrip().startswith("["):
                body = draw(values).strip()
                if body and body[0] not in "#;":
                    out.append(f"    {body}{nl}")
    text = "".join(out)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text


@given(cfg_files())
def test_generated_files_round_trip_and_match_configparser(text: str) -> None:
    data = text.encode()
    try:
        expected = oracle(text)
    except configparser.Error:
        with pytest.raises(ParseError):
            parse_mailman_cfg(data)
        return
    doc = parse_mailman_cfg(data)
    assert doc.to_bytes() == data
    assert doc.values() == expected


@given(st.binary(max_size=300))
def test_any_bytes_round_trip_or_fail_cleanly(data: bytes) -> None:
    try:
        doc = parse_mailman_cfg(data)
    except ParseError as error:
        assert error.line >= 1
        return
    assert doc.to_bytes() == data


# -- edits -------------------------------------------------------------------------------


def test_set_existing_value_touches_only_its_lines() -> None:
    doc = parse_mailman_cfg(SAMPLE)
    doc.set("mta", "smtp_host", "relay.example.org")
    old = b"smtp_host:\n    mail.example.org\n  ; indented comment, skipped\n\n    second line\n"
    new = b"smtp_host: relay.example.org\n  ; indented comment, skipped\n"
    assert doc.to_bytes() == SAMPLE.replace(old, new)
    assert oracle(doc.to_bytes().decode())["mta"]["smtp_host"] == "relay.example.org"


def test_set_keeps_key_spelling_and_separator() -> None:
    doc = parse_mailman_cfg(b"[paths.fhs]\nvar_dir=/srv/mailman\n")
    doc.set("paths.fhs", "var_dir", "/var/lib/mailman3")
    assert doc.to_bytes() == b"[paths.fhs]\nvar_dir=/var/lib/mailman3\n"


def test_set_new_option_in_house_style_and_new_section() -> None:
    doc = parse_mailman_cfg(b"[mta]\nlmtp_host = 127.0.0.1\n\n[webservice]\nport = 8001\n")
    doc.set("mta", "lmtp_port", "8024")
    doc.set("paths.debian", "var_dir", "/var/lib/mailman3")
    assert doc.to_bytes() == (
        b"[mta]\nlmtp_host = 127.0.0.1\nlmtp_port = 8024\n\n[webservice]\nport = 8001\n"
        b"\n[paths.debian]\nvar_dir = /var/lib/mailman3\n"
    )


def test_remove_option_with_its_continuations() -> None:
    doc = parse_mailman_cfg(b"[styles]\npaths:\n    a\n    b\ndefault: x\n")
    doc.remove("styles", "paths")
    assert doc.to_bytes() == b"[styles]\ndefault: x\n"
    with pytest.raises(EditError):
        doc.remove("styles", "paths")


def test_multiline_set() -> None:
    doc = parse_mailman_cfg(b"[styles]\npaths:\n  a\n")
    doc.set("styles", "paths", "\nx\ny")
    assert doc.to_bytes() == b"[styles]\npaths:\n  x\n  y\n"
    assert oracle(doc.to_bytes().decode())["styles"]["paths"] == "\nx\ny"


line_bodies = st.one_of(
    st.builds(lambda n: f"[{n}]", names),
    st.builds(lambda n, v: f"{n}: {v}", names, values),
    st.builds(lambda n, v: f"{n}={v}", names, values),
    st.builds(lambda n, v: f"{n} = {v}", names, values),
    values,
    st.sampled_from(["#", ";", "# x", "[]", "[a]]", "[a] trailing", ": v", "k:", "K = V"]),
)


@given(
    st.lists(st.tuples(st.sampled_from(["", "", " ", "  ", "\t", "    "]), line_bodies), max_size=12),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_random_line_soup_matches_configparser(lines: list[tuple[str, str]], newline: str) -> None:
    text = "[first]\n" + newline.join(indent + body for indent, body in lines)
    data = text.encode()
    try:
        expected = oracle(text)
    except configparser.Error:
        with pytest.raises(ParseError):
            parse_mailman_cfg(data)
        return
    doc = parse_mailman_cfg(data)
    assert doc.to_bytes() == data
    assert doc.values() == expected


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [("mta", "lmtp_port", "1\n# not a value"), ("mta", "a:b", "x"), ("mta", "#k", "x"), ("mta", "[k]", "v")],
)
def test_edits_that_would_not_read_back_are_refused(section: str, key: str, value: str) -> None:
    doc = parse_mailman_cfg(SAMPLE)
    with pytest.raises(EditError):
        doc.set(section, key, value)
    assert doc.to_bytes() == SAMPLE


@given(cfg_files(), names, names, values.map(lambda v: v.strip(" \t")))
def test_set_changes_exactly_one_value(text: str, section: str, key: str, value: str) -> None:
    try:
        before = oracle(text)
    except configparser.Error:
        return
    doc = parse_mailman_cfg(text.encode())
    sections = list(before)
    if sections and len(section) % 2:
        section = sections[len(key) % len(sections)]
    try:
        doc.set(section, key, value)
    except EditError:
        assert value.startswith(("#", ";")) or "\n" in value
        assert doc.to_bytes() == text.encode()
        return
    after = oracle(doc.to_bytes().decode())
    expected = {name: dict(options) for name, options in before.items()}
    expected.setdefault(section, {})[key] = value
    assert after == expected
