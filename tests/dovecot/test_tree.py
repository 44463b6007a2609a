"""Include trees: doveconf's reading order, glob rules, include errors (checked with the real doveconf)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from mailconf.dovecot import DovecotIncludeError, DovecotParseError, load
from tests.dovecot import doveconf, scoped_values
from tests.support import dovecot24_header, installed_doveconf_generation, require_tool

HEAD = "protocols = imap\n"
# Dovecot 2.4 has no plugin section and refuses unknown settings elsewhere; its import_environment
# is a string list of free keys, so the same include and continuation cases run there (see write)
V24 = installed_doveconf_generation() == "2.4"
SECTION = "import_environment" if V24 else "plugin"
SHIFT = 2 if V24 else 0  # the version lines a 2.4 main file starts with
HEAD_KEYS = ["dovecot_config_version", "dovecot_storage_version", "protocols"] if V24 else ["protocols"]


def write(root: Path, files: dict[str, str]) -> Path:
    """Write the files; for a 2.4 doveconf, a main file starting with HEAD gets the version lines
    first and ``plugin {`` becomes ``import_environment {`` (line numbers of the main file: +SHIFT)."""
    for name, text in files.items():
        if V24:
            if name == "dovecot.conf" and text.startswith(HEAD):
                text = dovecot24_header() + text
            text = text.replace("plugin {", f"{SECTION} {{")
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("latin-1"))
    return root / "dovecot.conf"


def plugin_values(config: Path) -> dict[str, str]:
    tree = load(config)
    out: dict[str, str] = {}
    for where, stmt in tree.scoped():
        if stmt.kind == "setting" and where == ((SECTION, None),):
            out[stmt.key] = stmt.value
    return out


def real_plugin_values(config: Path) -> dict[str, str]:
    result = doveconf(config)
    assert result.fatal is None, result.stderr
    values = {k[1]: v for k, v in scoped_values(result.stdout).items() if k[0] == ((SECTION, None),)}
    # 2.4 prints import_environment's default entries too: upper-case names, the tests' keys are lower-case
    return {k: v for k, v in values.items() if not (V24 and k.isupper())}


def assert_same_error(config: Path, message: str) -> DovecotParseError:
    with pytest.raises(DovecotParseError) as info:
        load(config)
    assert info.value.message == message
    real = doveconf(config)
    assert real.fatal == info.value.doveconf
    return info.value


def test_includes_are_read_where_they_stand_also_inside_sections(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        {
            "dovecot.conf": HEAD + "plugin {\n  a = main\n  !include conf.d/*.conf\n  b = after\n}\n",
            "conf.d/10-x.conf": "a = ten\nc = ten\n",
            "conf.d/20-y.conf": "c = twenty\nb = twenty\n",
        },
    )
    assert plugin_values(config) == {"a": "ten", "b": "after", "c": "twenty"}
    assert real_plugin_values(config) == plugin_values(config)
    tree = load(config)
    (record,) = tree.includes
    want = (str(config), 4 + SHIFT, "conf.d/*.conf", False)
    assert (record.path, record.line, record.pattern, record.optional) == want
    assert record.documents == (str(tmp_path / "conf.d/10-x.conf"), str(tmp_path / "conf.d/20-y.conf"))
    assert [st.path for st in tree.walk() if st.kind == "setting" and st.key == "c"] == list(record.documents)


def test_relative_to_the_including_file(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        {
            "dovecot.conf": HEAD + "plugin {\n  !include conf.d/a.conf\n}\n",
            "conf.d/a.conf": "!include sub/b.conf\n",
            "conf.d/sub/b.conf": "x = deep\n",
        },
    )
    assert plugin_values(config) == {"x": "deep"} == real_plugin_values(config)


def test_brace_alternatives_keep_their_order(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        {
            "dovecot.conf": HEAD + "plugin {\n  !include d/{b,a}.conf\n}\n",
            "d/a.conf": "k = from-a\n",
            "d/b.conf": "k = from-b\n",
        },
    )
    assert plugin_values(config) == {"k": "from-a"} == real_plugin_values(config)


def test_section_closed_in_another_file(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        {"dovecot.conf": HEAD + "plugin {\n  !include close.conf\nk = top\n", "close.conf": "k = in\n}\n"},
    )
    tree = load(config)
    kinds = [(st.kind, Path(st.path or "").name) for st in tree.walk() if st.kind != "setting" or st.key == "k"]
    assert kinds == [
        ("open", "dovecot.conf"),
        ("setting", "close.conf"),
        ("close", "close.conf"),
        ("setting", "dovecot.conf"),
    ]
    real = doveconf(config)
    assert real.fatal is not None and "Unknown setting: k" in real.fatal  # k is no global setting


def test_include_try_is_silent_and_include_without_match_is_fatal(tmp_path: Path) -> None:
    config = write(
        tmp_path, {"dovecot.conf": HEAD + "!include_try nothing/*.conf\nplugin {\n  !include missing.conf\n}\n"}
    )
    error = assert_same_error(config, "No matches")
    assert isinstance(error, DovecotIncludeError)
    assert (error.path, error.line) == (str(config), 4 + SHIFT)


def test_recursive_include(tmp_path: Path) -> None:
    config = write(tmp_path, {"dovecot.conf": HEAD + "!include a.conf\n", "a.conf": "plugin {\n}\n!include a.conf\n"})
    assert_same_error(config, f"Recursive include file: {tmp_path}/a.conf")


def test_same_file_twice_in_one_glob_is_recursive_at_line_zero(tmp_path: Path) -> None:
    config = write(tmp_path, {"dovecot.conf": HEAD + "!include d/{a,a}.conf\n", "d/a.conf": "\n"})
    error = assert_same_error(config, f"Recursive include file: {tmp_path}/d/a.conf")
    assert error.line == 0


def test_pending_sibling_is_on_the_stack(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        {"dovecot.conf": HEAD + "!include d/*.conf\n", "d/a.conf": "!include b.conf\n", "d/b.conf": "\n"},
    )
    assert_same_error(config, f"Recursive include file: {tmp_path}/d/b.conf")


def test_symlink_loop(tmp_path: Path) -> None:
    config = write(tmp_path, {"dovecot.conf": HEAD + "!include loop1\n"})
    os.symlink("loop2", tmp_path / "loop1")
    os.symlink("loop1", tmp_path / "loop2")
    assert_same_error(config, f"Couldn't open include file {tmp_path}/loop1: Too many levels of symbolic links")
    write(tmp_path, {"dovecot.conf": HEAD + "!include_try loop1\n"})
    assert [st.key for st in load(config).walk()] == HEAD_KEYS


def test_directory_match_reads_nothing(tmp_path: Path) -> None:
    config = write(tmp_path, {"dovecot.conf": HEAD + "!include d\n", "d/x.conf": "k = v\n"})
    assert [st.key for st in load(config).walk()] == HEAD_KEYS
    assert doveconf(config).fatal is None


def test_file_values_are_never_read(tmp_path: Path) -> None:
    config = write(tmp_path, {"dovecot.conf": HEAD + "ssl_key = < keys/secret.pem\n"})
    (st,) = [s for s in load(config).walk() if s.key == "ssl_key"]
    assert (st.value, st.file_ref, st.raw) == ("keys/secret.pem", f"{tmp_path}/keys/secret.pem", "< keys/secret.pem")


def test_missing_close_across_files_and_unexpected_close(tmp_path: Path) -> None:
    config = write(tmp_path, {"dovecot.conf": HEAD + "!include a.conf\n", "a.conf": "plugin {\n"})
    assert_same_error(config, f"Missing '}}' (section started at {tmp_path}/a.conf:1)")
    config = write(tmp_path, {"dovecot.conf": HEAD + "!include a.conf\n", "a.conf": "}\n"})
    assert_same_error(config, "Unexpected '}'")


def test_errors_come_in_reading_order(tmp_path: Path) -> None:
    config = write(tmp_path, {"dovecot.conf": HEAD + "!include a.conf\nservice x y {\n}\n", "a.conf": "}\n"})
    error = assert_same_error(config, "Unexpected '}'")
    assert error.path == f"{tmp_path}/a.conf"


def test_version_detection(tmp_path: Path) -> None:
    config = write(tmp_path, {"dovecot.conf": "# c\ndovecot_config_version = 2.4.1\ndovecot_storage_version = 2.4.1\n"})
    assert load(config).version == "2.4"
    config = write(tmp_path, {"dovecot.conf": "ssl_min_protocol = TLSv1.2\n"})
    assert load(config).version == "2.3"
    config = write(tmp_path, {"dovecot.conf": "ssl_protocols = !SSLv3\n"})
    assert load(config).version == "2.0"
    assert load(config, version="2.4").version == "2.4"
    config = write(tmp_path, {"dovecot.conf": "protocols = imaps pop3s\nauth default {\n}\n"})
    assert load(config).version == "2.0"  # 1.x names: the oldest family mailconf knows


def test_24_rules_reach_included_files(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        {
            "dovecot.conf": "dovecot_config_version = 2.4.1\n!include inc.conf\n",
            "inc.conf": 'mail_plugins {\n  quota = yes\n}\n"key with space" = x\ngroup @g name {\n}\n',
        },
    )
    tree = load(config)
    sts = [(st.kind, st.key, st.section_type, st.section_name, st.label) for st in tree.walk()]
    assert ("open", "mail_plugins", "mail_plugins", None, None) in sts
    assert ("setting", "key with space", None, None, None) in sts
    assert ("open", "group", "group", "name", "@g") in sts


@pytest.mark.parametrize(
    ("files", "expected", "joined"),
    [
        # doveconf's line buffer outlives the file: the open continuation takes the next line read
        (
            {"dovecot.conf": HEAD + "plugin {\n  !include inc.conf\n  tail\n}\n", "inc.conf": "k = head \\\n"},
            {"k": "head tail"},
            1,
        ),
        # ... unless that line is blank or a comment, which drops it
        (
            {"dovecot.conf": HEAD + "plugin {\n  !include inc.conf\n\n  j = 1\n}\n", "inc.conf": "k = head \\\n"},
            {"j": "1"},
            0,
        ),
        # ... into the next file of the same glob
        (
            {
                "dovecot.conf": HEAD + "plugin {\n  !include d/*.conf\n}\n",
                "d/a.conf": "k = a \\\n",
                "d/b.conf": "b\nj = 2\n",
            },
            {"k": "a b", "j": "2"},
            1,
        ),
        # ... through an empty file
        (
            {
                "dovecot.conf": HEAD + "plugin {\n  !include d/*.conf\n  z\n}\n",
                "d/a.conf": "k = a \\\n",
                "d/b.conf": "",
            },
            {"k": "a z"},
            1,
        ),
    ],
)
def test_continuation_across_files(
    tmp_path: Path, files: dict[str, str], expected: dict[str, str], joined: int
) -> None:
    config = write(tmp_path, files)
    assert plugin_values(config) == expected == real_plugin_values(config)
    assert len([st for st in load(config).walk() if st.joined]) == joined


def test_continuation_across_files_can_swallow_a_brace(tmp_path: Path) -> None:
    config = write(tmp_path, {"dovecot.conf": HEAD + "plugin {\n  !include inc.conf\n}\n", "inc.conf": "k = x \\\n"})
    assert_same_error(config, f"Missing '}}' (section started at {config}:{2 + SHIFT})")


NAMES = ["a", "b", "c", "d"]


@st.composite
def include_graph(draw: st.DrawFn) -> dict[str, str]:
    """Files that include each other (cycles, globs, braces, missing files, stray braces)."""
    files: dict[str, str] = {}
    for name in NAMES:
        lines = []
        for i in range(draw(st.integers(0, 4))):
            kind = draw(st.sampled_from(["set", "set", "inc", "try", "glob", "brace", "open", "close"]))
            if kind == "set":
                lines.append(f"k{name} = {name}{i}")
            elif kind == "inc":
                lines.append(f"!include {draw(st.sampled_from([*NAMES, 'missing']))}.conf")
            elif kind == "try":
                lines.append(f"!include_try {draw(st.sampled_from([*NAMES, 'missing']))}.conf")
            elif kind == "glob":
                lines.append("!include_try sub/*.conf")
            elif kind == "brace":
                first, second = draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=2))
                lines.append(f"!include {{{first},{second}}}.conf")
            elif kind == "open":
                lines.append("plugin {")
            else:
                lines.append("}")
        files[f"{name}.conf"] = "".join(line + "\n" for line in lines)
    files["sub/x.conf"] = "kx = x\n!include_try /nonexistent/*.conf\n"
    files["sub/y.conf"] = "ky = y\n"
    root = draw(st.sampled_from(NAMES))
    files["dovecot.conf"] = f"protocols = imap\nplugin {{\n!include {root}.conf\n}}\n"
    return files


@settings(max_examples=80, deadline=None)
@given(include_graph())
def test_include_graphs_as_doveconf(files: dict[str, str]) -> None:
    require_tool("doveconf")
    with tempfile.TemporaryDirectory() as tmp:
        config = write(Path(tmp), files)
        real = doveconf(config)
        try:
            values = plugin_values(config)
        except DovecotParseError as exc:
            if real.fatal is not None and ("Section not allowed" in real.fatal or "Unknown setting" in real.fatal):
                return  # a semantic error doveconf meets first (plugin in plugin, a setting outside plugin)
            assert real.fatal == exc.doveconf
            event(f"same error: {exc.message.split(':')[0]}")
            return
        if real.fatal is not None:
            event("doveconf semantic error")
            assert "Section not allowed" in real.fatal or "Unknown setting" in real.fatal, real.fatal
            return
        assert values == real_plugin_values(config)
        event("same values")


def test_main_file_missing(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.conf"
    with pytest.raises(DovecotParseError) as info:
        load(missing)
    assert info.value.doveconf == f"open({missing}) failed: No such file or directory"
    # doveconf (2.3 and 2.4) adds " (copy example configs from EXAMPLE_CONFIG_DIR/)" when that directory
    # exists: Debian's /usr/share/doc/dovecot-core/example-config, absent where docs are not installed
    # (this Debian 12 machine), present in the Debian 13 chroot. The reader's message has no hint.
    real = doveconf(missing).fatal
    hint = r"( \(copy example configs from /\S+/example-config/\))?"
    assert real is not None and re.fullmatch(re.escape(info.value.doveconf) + hint, real), real


def test_main_file_a_directory(tmp_path: Path) -> None:
    assert list(load(tmp_path).walk()) == []
    # read as an empty file, which 2.4 (unlike 2.3) then refuses for its missing version settings
    assert doveconf(tmp_path).fatal == ("dovecot_storage_version setting must be set" if V24 else None)


def test_warnings_in_reading_order(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        {
            "dovecot.conf": HEAD + "plugin {\n  a = 1#x\n  !include inc.conf\n  b = 2#y\n  !include inc.conf\n}\n",
            "inc.conf": "c = 3#z\n",
        },
    )
    tree = load(config)
    assert [(Path(w.path or "").name, w.line) for w in tree.warnings] == [
        ("dovecot.conf", 3 + SHIFT),
        ("inc.conf", 1),
        ("dovecot.conf", 5 + SHIFT),
        ("inc.conf", 1),
    ]
    real = [w for w in doveconf(config).warnings if "Ambiguous" in w]
    assert real[: len(tree.warnings)] == [w.doveconf for w in tree.warnings]
