"""Mailman 2 mm_cfg.py: read with ast, never executed; unknown code reported, not guessed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import mailconf
from mailconf.errors import EditError, ParseError
from mailconf.mailman import Mailman2Document, load_mailman2, parse_mm_cfg
from tests.support import CORPUS, corpus_sets


def mm_cfg_files() -> list[Path]:
    files: list[Path] = []
    for folder in corpus_sets("mailman"):
        files += sorted(folder.glob("mm_cfg.py"))
    return files


def test_corpus_has_mailman2_files() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    assert len(mm_cfg_files()) >= 4


@pytest.mark.parametrize("path", mm_cfg_files(), ids=lambda p: p.parent.name)
def test_corpus_round_trip_and_model(path: Path) -> None:
    data = path.read_bytes()
    doc = mailconf.parse_file(path)
    assert isinstance(doc, Mailman2Document)
    assert doc.to_bytes() == data
    config = load_mailman2(path)
    assert config.mta.source in ("file", "default")
    assert all(s.reason for s in doc.not_understood)
    # every top-level statement is accounted for, in order
    lines = [s.line for s in doc.statements]
    assert lines == sorted(lines)


def test_corpus_purdue_uses_postfix() -> None:
    path = CORPUS / "134-PurdueIEEE-ServerConfig" / "mm_cfg.py"
    if not path.exists():
        pytest.skip("corpus set 134 not present")
    config = load_mailman2(path)
    assert config.uses_postfix
    assert config.default_email_host.value == "lists.purdueieee.org"
    assert [(v.url_host, v.email_host) for v in config.virtual_hosts] == [
        ("lists.purdueieee.org", "lists.purdueieee.org")
    ]


SAMPLE = b'''"""Site settings."""
from Defaults import *
import socket
MTA = 'Postfix'
DEFAULT_EMAIL_HOST = 'lists.example.org'
DEFAULT_URL_HOST = 'www.example.org'
add_virtualhost(DEFAULT_URL_HOST, DEFAULT_EMAIL_HOST)
add_virtualhost('www.other.org')
POSTFIX_STYLE_VIRTUAL_DOMAINS = ['other.org']
HOST = socket.getfqdn()
add_virtualhost(HOST)
if HOST:
    MTA = None
'''


def test_literals_virtual_hosts_and_not_understood_code() -> None:
    doc = parse_mm_cfg(SAMPLE, path="mm_cfg.py")
    assert [s.kind for s in doc.statements] == [
        "docstring",
        "defaults import",
        "not understood",
        "assignment",
        "assignment",
        "assignment",
        "add_virtualhost",
        "add_virtualhost",
        "assignment",
        "not understood",
        "not understood",
        "not understood",
    ]
    assert [(v.url_host, v.email_host) for v in doc.virtual_hosts] == [
        ("www.example.org", "lists.example.org"),
        ("www.other.org", None),
    ]
    host = doc.get("HOST")
    assert host is not None and not host.known
    # MTA is assigned inside an `if`: mailconf does not know which value wins
    mta = doc.get("MTA")
    assert mta is not None and not mta.known and mta.line == 12
    assert doc.values()["POSTFIX_STYLE_VIRTUAL_DOMAINS"] == ["other.org"]
    bad = [s for s in doc.not_understood]
    assert bad[0].source == "import socket" and bad[0].reason
    assert bad[1].names == ["HOST"] and "computed" in (bad[1].reason or "")
    assert "HOST" in (bad[2].reason or "")
    assert bad[3].names == ["MTA"] and bad[3].end_line == 13


def test_model_defaults_and_unknowns() -> None:
    doc = parse_mm_cfg(SAMPLE)
    from mailconf.mailman.config import Mailman2Config

    config = Mailman2Config(doc, "/etc/mailman/mm_cfg.py")
    assert not config.uses_postfix  # unknown: set inside an if
    assert config.mta.known is False
    assert config.postfix_style_virtual_domains == ["other.org"]
    assert config.value("POSTFIX_ALIAS_CMD").value == "/usr/sbin/postalias"
    assert config.value("POSTFIX_ALIAS_CMD").source == "default"
    assert "/var/lib/mailman/data/aliases" in config.aliases_maps


def test_data_dir_from_file_or_location() -> None:
    from mailconf.mailman.config import Mailman2Config

    doc = parse_mm_cfg(b"VAR_PREFIX = '/srv/mailman'\n")
    assert Mailman2Config(doc, "/etc/mailman/mm_cfg.py").aliases_maps == ("/srv/mailman/data/aliases",)
    doc = parse_mm_cfg(b"MTA = 'Postfix'\n")
    maps = Mailman2Config(doc, "/opt/mm/Mailman/mm_cfg.py").aliases_maps
    assert maps[0] == "/opt/mm/data/aliases"


def test_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = f"open({str(marker)!r}, 'w').write('x')\nMTA = 'Postfix'\n".encode()
    doc = parse_mm_cfg(source)
    assert not marker.exists()
    assert doc.values() == {"MTA": "Postfix"}
    assert len(doc.not_understood) == 1


@pytest.mark.parametrize(
    ("source", "line"),
    [
        (b"MTA = 'Postfix'\ndef f(:\n    pass\n", 2),
        (b"x = (\n", 1),
        (b"MTA = 'Postfix'\n  DEFAULT_URL_HOST = 'x'\n", 2),
        (b"try:\n    import x\nexcept ImportError, e:\n    pass\n", 3),
    ],
)
def test_syntax_errors_are_parse_errors(source: bytes, line: int) -> None:
    with pytest.raises(ParseError) as info:
        parse_mm_cfg(source, path="mm_cfg.py")
    assert info.value.line == line
    assert info.value.path == "mm_cfg.py"
    assert "syntax" in info.value.message


PYTHON2 = b"""# -*- coding: iso-8859-1 -*-
# caf\xe9
from Defaults import *
UMASK = 0007
LIMIT = 100L
print "loading site settings", UMASK
print >>sys.stderr, (
    "two lines")
MTA = 'Postfix'
"""


def test_python2_literals_and_print_statements_are_read() -> None:
    """Mailman 2 runs mm_cfg.py on Python 2: its octal/long literals mean what Python 2 says,
    print statements are kept and reported, and every position stays that of the file."""
    doc = parse_mm_cfg(PYTHON2)
    assert doc.to_bytes() == PYTHON2
    assert doc.values() == {"UMASK": 7, "LIMIT": 100, "MTA": "Postfix"}
    umask = doc.get("UMASK")
    assert umask is not None and (umask.value_column, umask.end_column) == (9, 13)
    prints = doc.not_understood
    assert [(s.line, s.end_line, s.source) for s in prints] == [
        (6, 6, 'print "loading site settings", UMASK'),
        (7, 8, 'print >>sys.stderr, (\n    "two lines")'),
    ]
    assert all("Python 2 print" in (s.reason or "") for s in prints)
    doc.set("UMASK", 0o22)
    assert doc.to_bytes() == PYTHON2.replace(b"UMASK = 0007", b"UMASK = 18")


def test_set_replaces_only_the_literal() -> None:
    source = b"# comment\nMTA = 'Manual'   # was manual\nX = 1\n"
    doc = parse_mm_cfg(source)
    doc.set("MTA", "Postfix")
    assert doc.to_bytes() == b"# comment\nMTA = 'Postfix'   # was manual\nX = 1\n"
    doc.set("POSTFIX_STYLE_VIRTUAL_DOMAINS", ["example.org"])
    assert doc.to_bytes().endswith(b"X = 1\nPOSTFIX_STYLE_VIRTUAL_DOMAINS = ['example.org']\n")
    assert doc.values()["POSTFIX_STYLE_VIRTUAL_DOMAINS"] == ["example.org"]


def test_set_refuses_computed_names() -> None:
    doc = parse_mm_cfg(b"import os\nHOST = os.uname()[1]\n")
    with pytest.raises(EditError):
        doc.set("HOST", "x")
    with pytest.raises(EditError):
        doc.set("MTA", object())


# -- Hypothesis: generated mm_cfg.py files ---------------------------------------------------

identifiers = st.from_regex(r"[A-Z][A-Z0-9_]{0,10}", fullmatch=True)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 10**6),
    st.text(alphabet="abc.-_@/%() ", max_size=10),
)
literals = st.one_of(scalars, st.lists(st.text(alphabet="abc.", max_size=6), max_size=3))
trivia = st.sampled_from(["", "# comment\n", "\n", "   # indented comment\n"])


@given(st.lists(st.tuples(identifiers, literals, trivia, st.booleans()), max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_generated_assignments_are_read_exactly(items: list[tuple[str, object, str, bool]], newline: str) -> None:
    lines: list[str] = ["from Defaults import *\n"]
    expected: dict[str, object] = {}
    for name, value, comment, computed in items:
        lines.append(comment)
        if computed:
            lines.append(f"{name} = len({value!r})\n")
            expected.pop(name, None)
        elif isinstance(value, int) and not isinstance(value, bool) and value > 0 and len(lines) % 2:
            lines.append(f"{name} = 0{value:o}  # Python 2 octal\n")
            expected[name] = value
        else:
            lines.append(f"{name} = {value!r}  # trailing\n")
            expected[name] = value
    data = "".join(lines).replace("\n", newline).encode()
    doc = parse_mm_cfg(data)
    assert doc.to_bytes() == data
    assert doc.values() == expected
    computed_names = {n for n, _, _, c in items if c} - set(expected)
    assert {n for s in doc.not_understood for n in s.names} >= computed_names
    for name in computed_names:
        assignment = doc.get(name)
        assert assignment is not None and not assignment.known


@pytest.mark.parametrize(
    "source",
    [b"X = (" + b"1+" * 50000 + b"1)\n", b"X = " + b"[" * 1000 + b"]" * 1000 + b"\n", b"MTA = 'x'\x00\n"],
    ids=["deep-expression", "nested-brackets", "nul"],
)
def test_hostile_sources_are_parse_errors(source: bytes) -> None:
    with pytest.raises(ParseError):
        parse_mm_cfg(source, path="mm_cfg.py")


def test_many_statements_in_bounded_time() -> None:
    import time

    source = b"".join(b"NAME_%d = %d\n" % (i, i) for i in range(20000))
    start = time.perf_counter()
    doc = parse_mm_cfg(source)
    assert len(doc.values()) == 20000
    assert time.perf_counter() - start < 10


def test_defaults_constants_and_time_helpers() -> None:
    source = b"""from Defaults import *
VIRTUAL_HOST_OVERVIEW = Off
PENDING_REQUEST_LIFE = days(3)
BOUNCE_INFO_STALE_AFTER = hours(2)
FLAGS = [Yes, No]
add_virtualhost('www.example.org')
def minutes(x):
    return x
LATER = minutes(5)
"""
    doc = parse_mm_cfg(source)
    assert doc.values() == {
        "VIRTUAL_HOST_OVERVIEW": False,
        "PENDING_REQUEST_LIFE": 3 * 86400,
        "BOUNCE_INFO_STALE_AFTER": 7200,
        "FLAGS": [True, False],
    }
    assert doc.virtual_hosts[0].mail_domain == "example.org"
    later = doc.get("LATER")
    assert later is not None and not later.known  # minutes() is the file's own function now
    # without `from Defaults import *` those names do not exist
    bare = parse_mm_cfg(b"X = Off\nY = days(1)\n")
    assert bare.values() == {} and len(bare.not_understood) == 2
