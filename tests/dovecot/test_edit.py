"""Editing Dovecot files and trees: only the bytes that must change change; doveconf agrees."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mailconf.dovecot import load, parse
from mailconf.dovecot._syntax import unescape
from mailconf.errors import EditError, ParseError
from tests.dovecot import doveconf, printed, scoped_values
from tests.dovecot.test_parse_oracle import KEYS as ORACLE_KEYS
from tests.dovecot.test_parse_oracle import SCOPES, Gen
from tests.dovecot.test_parse_oracle import _write as write_gen
from tests.dovecot.test_parse_oracle import tree as oracle_tree
from tests.support import dovecot24_header, require_doveconf_generation, require_tool

STOCK = Path("/etc/dovecot")
LISTENER = [("service", "imap-login"), ("inet_listener", "imap")]


def changed_span(old: str, new: str) -> tuple[int, int, int]:
    """(start, old_end, new_end) of the one region where ``old`` and ``new`` differ."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return start, end_old, end_new


@pytest.fixture
def stock(tmp_path: Path) -> Path:
    """A copy of this machine's stock /etc/dovecot; the tests that hand it to doveconf edit 2.3 settings
    (``$mail_plugins``, ``namespace inbox``) and so call :func:`require_doveconf_generation` first."""
    if not (STOCK / "dovecot.conf").is_file():
        pytest.skip("no stock /etc/dovecot tree on this machine")
    target = tmp_path / "dovecot"
    shutil.copytree(STOCK, target, symlinks=True, ignore=shutil.ignore_patterns("private"))
    return target / "dovecot.conf"


def stock_generation(main: Path) -> str:
    """The Dovecot generation a stock tree is written for: 2.4 trees start with dovecot_config_version."""
    return "2.4" if b"dovecot_config_version" in main.read_bytes() else "2.3"


def test_set_in_nested_section_of_the_stock_tree(stock: Path) -> None:
    require_doveconf_generation("2.3")  # the Debian 12 stock tree and its 2.3 settings
    tree = load(stock)
    master = stock.parent / "conf.d/10-master.conf"
    before = master.read_text(encoding="latin-1")
    tree.set("port", "0", LISTENER)
    tree.set("ssl", "required")
    tree.set("mail_plugins", "$mail_plugins quota", "protocol imap")
    assert sorted(Path(d.name or "").name for d in tree.changed()) == ["10-master.conf", "10-ssl.conf", "20-imap.conf"]
    tree.write()
    after = master.read_text(encoding="latin-1")
    at = before.index("  }", before.index("inet_listener imap {"))
    assert after == before[:at] + "    port = 0\n" + before[at:]
    real = doveconf(stock)
    assert real.fatal is None, real.stderr
    values = scoped_values(real.stdout)
    assert values[(tuple(LISTENER), "port")] == "0"
    assert values[((), "ssl")] == "required"
    assert values[((("protocol", "imap"),), "mail_plugins")] == '" quota"'


def test_replace_keeps_everything_but_the_value(stock: Path) -> None:
    require_doveconf_generation("2.3")  # the Debian 12 stock tree and its 2.3 settings
    tree = load(stock)
    auth = stock.parent / "conf.d/10-auth.conf"
    before = auth.read_text(encoding="latin-1")
    tree.set("auth_mechanisms", "plain login")
    tree.write()
    after = auth.read_text(encoding="latin-1")
    start, end_old, end_new = changed_span(before, after)
    assert after[start:end_new] == " login"
    assert before[end_old:] == after[end_new:]
    assert scoped_values(doveconf(stock).stdout)[((), "auth_mechanisms")] == "plain login"


def test_drop_in_file(stock: Path) -> None:
    require_doveconf_generation(stock_generation(stock))  # settings and sections both generations have
    tree = load(stock)
    tree.set("ssl_min_protocol", "TLSv1.3", file="conf.d/99-local.conf")
    tree.add_section([("service", "imap-login"), ("inet_listener", "imaps")], {"port": "993", "ssl": "yes"})
    tree.write()
    drop = stock.parent / "conf.d/99-local.conf"
    assert drop.read_text() == "ssl_min_protocol = TLSv1.3\n"
    real = doveconf(stock)
    assert real.fatal is None, real.stderr
    values = scoped_values(real.stdout)
    assert values[((), "ssl_min_protocol")] == "TLSv1.3"
    assert values[((("service", "imap-login"), ("inet_listener", "imaps")), "port")] == "993"


def test_drop_in_that_would_not_win_is_refused(stock: Path) -> None:
    tree = load(stock)
    before = {name: doc.text for name, doc in tree.documents.items()}
    with pytest.raises(EditError, match="would not take effect"):
        tree.set("ssl", "required", file="conf.d/00-early.conf")  # 10-ssl.conf sets ssl, in 2.3 and 2.4
    assert not tree.changed()
    assert {name: doc.text for name, doc in tree.documents.items()} == before
    with pytest.raises(EditError):
        tree.set("auth_mechanisms", "login", file="not-included.conf")
    assert not tree.changed()


def test_remove_setting_and_section(stock: Path) -> None:
    require_doveconf_generation(stock_generation(stock))  # sections both generations' stock trees have
    tree = load(stock)
    tree.set("port", "0", LISTENER)
    assert tree.remove("port", LISTENER) == 1
    assert not tree.changed()  # back to the original bytes
    assert tree.remove_section("namespace inbox") == 2  # 10-mail.conf and 15-mailboxes.conf
    tree.write()
    real = doveconf(stock)
    assert real.fatal is None, real.stderr
    assert not any(key[0] and key[0][0] == ("namespace", "inbox") for key in scoped_values(real.stdout))


def test_write_refuses_a_tree_that_no_longer_reads(stock: Path) -> None:
    tree = load(stock)
    tree.set("ssl", "required")
    ssl_conf = stock.parent / "conf.d/10-ssl.conf"
    before = ssl_conf.read_bytes()
    auth = tree.document("conf.d/10-auth.conf")
    auth.text += "}\n"  # a stray brace, written by hand
    with pytest.raises(ParseError, match="Unexpected"):
        tree.write()
    assert ssl_conf.read_bytes() == before
    standalone = parse(b"a = 1\n", stock.parent / "x.conf")
    standalone.text += "}\n"
    with pytest.raises(ParseError, match="Unexpected"):
        standalone.write()
    assert not (stock.parent / "x.conf").exists()


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("plain", "plain"),
        ("", ""),
        ("two words", "two words"),
        (" lead", '" lead"'),
        ("hash # inside", '"hash # inside"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\", '"back\\\\"'),
        ("<not a file", '"<not a file"'),
        ("it's", '"it\'s"'),
    ],
)
def test_values_are_quoted_when_they_must_be(tmp_path: Path, value: str, written: str) -> None:
    # 2.3 takes any key in plugin { }; 2.4 has no plugin section and refuses unknown keys, so there
    # the value goes to a free-text setting of a protocol filter (printed the same way)
    header = dovecot24_header()
    section, key = ("protocol imap", "imap_logout_format") if header else ("plugin", "k")
    scope = (("protocol", "imap"),) if header else (("plugin", None),)
    config = tmp_path / "dovecot.conf"
    config.write_text(f"{header}protocols = imap\n{section} {{\n  {key} = old\n}}\n")
    doc = parse(config.read_bytes(), config)
    doc.set(key, value, section)
    line = f"  {key} = {written}\n" if written else f"  {key} =\n"
    assert doc.text == f"{header}protocols = imap\n{section} {{\n{line}}}\n"
    doc.write()
    real = doveconf(config)
    assert real.fatal is None, real.stderr
    assert scoped_values(real.stdout).get((scope, key), "") == printed(value)


def test_house_style_crlf_tabs_and_no_final_newline() -> None:
    doc = parse(b"plugin {\r\n\tx=1\r\n}")
    doc.set("y", "2", "plugin")
    doc.set("z", "3")
    assert doc.text == "plugin {\r\n\tx=1\r\n\ty=2\r\n}\r\nz=3\r\n"


def test_new_nested_sections_follow_the_indent_unit() -> None:
    doc = parse(b"service imap {\n    vsz_limit = 1G\n}\n")
    doc.set("port", "0", LISTENER)
    assert doc.text.endswith("service imap-login {\n    inet_listener imap {\n        port = 0\n    }\n}\n")


def test_continued_value_is_replaced_whole() -> None:
    doc = parse(b"plugin {\n  k = a \\\n    b # note\n  j =\n}\n")
    doc.set("k", "c", "plugin")
    doc.set("j", "d", "plugin")
    assert doc.text == "plugin {\n  k = c # note\n  j = d\n}\n"


def test_file_reference() -> None:
    doc = parse(b"ssl_cert = </etc/old.pem\n")
    doc.set("ssl_cert", "/etc/new.pem", file_ref=True)
    assert doc.text == "ssl_cert = </etc/new.pem\n"
    with pytest.raises(EditError):
        doc.set("ssl_cert", "bad\nvalue")
    with pytest.raises(EditError):
        doc.set("bad key", "x")


def test_section_names_are_quoted_when_needed() -> None:
    doc = parse(b"namespace inbox {\n}\n")
    doc.add_section([("namespace", "inbox"), ("mailbox", "Sent Messages")], {"special_use": "\\Sent"})
    assert doc.text == 'namespace inbox {\n  mailbox "Sent Messages" {\n    special_use = \\Sent\n  }\n}\n'
    assert doc.remove_section([("namespace", "inbox"), ("mailbox", "Sent Messages")]) == 1
    assert doc.text == "namespace inbox {\n}\n"


KEYS = ["ka", "kb", "kc"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(KEYS), st.text(alphabet="ab #'\"\\ \t", max_size=6)), max_size=4),
    st.sampled_from(KEYS),
    st.text(alphabet="xy #'\"\\\t", max_size=6),
)
def test_random_edits_touch_only_their_bytes(existing: list[tuple[str, str]], key: str, value: str) -> None:
    lines = "".join(f"  {k} = {v.strip()} # c{i}\n" for i, (k, v) in enumerate(existing) if "\\" not in v)
    data = f"# head\nplugin {{\n{lines}}}\n# tail\n".encode("latin-1")
    doc = parse(data)
    old = doc.text
    doc.set(key, value, "plugin")
    assert doc.get(key, "plugin") is not None
    assert doc.get(key, "plugin").value == value  # type: ignore[union-attr]
    if doc.text == old:
        return
    start, end_old, _ = changed_span(old, doc.text)
    target = [s for s in parse(data).settings() if s.key == key]
    if target:  # the value bytes of the last occurrence (and blanks after "="), nothing else
        comment = old.index("#", target[-1].value_end)
        assert target[-1].key_end <= start and end_old <= comment
    else:  # one inserted line before the closing brace
        assert start == end_old == old.index("}\n# tail")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    oracle_tree(),
    st.sampled_from(SCOPES),
    st.sampled_from(ORACLE_KEYS),
    st.text(alphabet="xy #'\"\\\t=", max_size=6),
)
def test_random_tree_edits_mean_what_doveconf_reads(
    gen: Gen, scope: list[tuple[str, str]], key: str, value: str
) -> None:
    require_tool("doveconf")
    with tempfile.TemporaryDirectory() as tmp:
        main = write_gen(Path(tmp), gen)
        try:
            tree = load(main)
        except ParseError:
            return
        before = doveconf(main)
        if before.fatal is not None:
            return
        section = [(typ, unescape(name.strip('"'))) for typ, name in scope] + [("plugin", None)]
        try:
            tree.set(key, value, section)
        except EditError as exc:
            assert "continues a '\\' line" in str(exc)
            return
        originals = {name: Path(name).read_bytes() for name in tree.documents if Path(name).exists()}
        written = tree.write()
        event(f"edited {len(written)} file(s)")
        for name, data in originals.items():
            if name not in written:
                assert Path(name).read_bytes() == data
        after = doveconf(main)
        assert after.fatal is None, after.stderr
        expected = scoped_values(before.stdout)
        expected[(tuple(section), key)] = printed(value)
        assert scoped_values(after.stdout) == expected


def test_quote_choice_for_24_variables() -> None:
    doc = parse(b"dovecot_config_version = 2.4.1\nk = old\n")
    assert doc.set("k", "$SET:default_internal_user").variable
    assert doc.text.endswith("k = $SET:default_internal_user\n")
    literal = doc.set("k", "pa$$word", quote=True)
    assert (literal.value, literal.variable, literal.quoted) == ("pa$$word", False, True)
    assert doc.text.endswith('k = "pa$$word"\n')
    with pytest.raises(EditError, match="needs quotes"):
        doc.set("k", " lead", quote=False)


def test_files_outside_the_configuration_directory_are_not_edited(tmp_path: Path) -> None:
    system = tmp_path / "usr/protocols.d"
    system.mkdir(parents=True)
    (system / "imapd.protocol").write_text("protocols = $protocols imap\n")
    etc = tmp_path / "etc"
    etc.mkdir()
    config = etc / "dovecot.conf"
    config.write_text(f"{dovecot24_header()}!include_try {system}/*.protocol\nlisten = *\n")
    tree = load(config)
    tree.set("protocols", "imap pop3")
    assert [Path(d.name or "").name for d in tree.changed()] == ["dovecot.conf"]
    assert tree.main.text.endswith("listen = *\nprotocols = imap pop3\n")
    with pytest.raises(EditError, match="outside the configuration directory"):
        tree.remove("protocols")
    tree.write()
    assert (system / "imapd.protocol").read_text() == "protocols = $protocols imap\n"
    assert scoped_values(doveconf(config).stdout)[((), "protocols")] == "imap pop3"


def test_emptying_a_value_that_starts_with_equals() -> None:
    doc = parse(b"plugin {\n  pa = =x\n  pb ==\n}\n")
    doc.set("pa", "", "plugin")
    doc.set("pb", "", "plugin")
    assert doc.text == "plugin {\n  pa =\n  pb =\n}\n"
