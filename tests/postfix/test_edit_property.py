"""Properties of the edit API on generated files: untouched lines stay byte-identical, and the
edited value means what the edit says — checked by the real postconf reading the result."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mailconf.postfix import parse_main, parse_master
from mailconf.postfix._edit import balanced, list_tokens
from tests.postfix.edit_strategies import NAMES, OVERRIDE_VALUE, no_lookups, postconf, touched_only
from tests.postfix.strategies import main_cf, master_cf
from tests.support import require_tool

ITEM = st.from_regex(r"[a-z][a-z0-9_:/.]{0,10}", fullmatch=True)
SLOW = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    max_examples=min(settings().max_examples, 150),
)


def _winning_lines(data: bytes, name: str) -> set[int]:
    param = parse_main(data).get(name)
    return {line.number for line in param.lines} if param is not None else set()


def _postconf_list(tmp_path: Path, data: bytes, name: str) -> list[str]:
    (tmp_path / "main.cf").write_bytes(data)
    res = postconf(require_tool("postconf"), tmp_path, "-h", name)
    assert res.status == 0, res.stderr
    return list_tokens(res.stdout.rstrip("\n"))


@given(data=main_cf().map(no_lookups), choice=st.data())
def test_list_edits_keep_other_lines_and_the_list_layout_meaning(data: bytes, choice: st.DataObject) -> None:
    doc = parse_main(data)
    names = sorted({p.name for p in doc.parameters if p.name in NAMES})
    assume(names)
    name = choice.draw(st.sampled_from(names))
    param = doc.get(name)
    assert param is not None
    assume(balanced(param.value))
    old = list_tokens(param.value)
    remove: bool = choice.draw(st.booleans())
    if old and remove:
        item = choice.draw(st.sampled_from(old))
        count = doc.remove_list_item(name, item)
        expected = [t for t in old if t != item]
        assert count == len(old) - len(expected)
    else:
        item = choice.draw(ITEM)
        assume(item not in old)
        where = choice.draw(st.sampled_from(["end", "after", "before"])) if old else "end"
        anchor = choice.draw(st.sampled_from(old)) if old else None
        if where == "after" and anchor is not None:
            assert doc.add_list_item(name, item, after=anchor)
            at = old.index(anchor) + 1
        elif where == "before" and anchor is not None:
            assert doc.add_list_item(name, item, before=anchor)
            at = old.index(anchor)
        else:
            assert doc.add_list_item(name, item)
            at = len(old)
        expected = [*old[:at], item, *old[at:]]
    after = doc.to_bytes()
    assert touched_only(data, after, _winning_lines(data, name)) == []
    reparsed = parse_main(after).get(name)
    assert reparsed is not None and list_tokens(reparsed.value) == expected


@pytest.mark.oracle
@SLOW
@given(
    data=main_cf().map(no_lookups),
    name=st.sampled_from(["relay_domains", "alias_maps", "smtpd_relay_restrictions", "mydestination"]),
    value=ITEM,
    choice=st.data(),
)
def test_set_and_list_edits_mean_what_postconf_reads(
    tmp_path: Path, data: bytes, name: str, value: str, choice: st.DataObject
) -> None:
    require_tool("postconf")
    doc = parse_main(data)
    assume("$" not in data.decode("latin-1"))  # expansion warnings and fatals are not the point here
    assume(all(balanced(p.value) for p in doc.parameters))
    doc.set(name, value + " " + value + "_2")
    doc.add_list_item(name, value + "_3", after=value)
    doc.remove_list_item(name, value + "_2")
    after = doc.to_bytes()
    assert touched_only(data, after, _winning_lines(data, name)) == []
    assert _postconf_list(tmp_path, after, name) == [value, value + "_3"]


@pytest.mark.oracle
@SLOW
@given(data=master_cf().map(no_lookups), param=st.sampled_from(NAMES), value=OVERRIDE_VALUE, choice=st.data())
def test_override_edits_mean_what_postconf_reads(
    tmp_path: Path, data: bytes, param: str, value: str, choice: st.DataObject
) -> None:
    tool = require_tool("postconf")
    assume(data.endswith(b"\n"))
    assume(b"$" not in data)  # a malformed macro makes postconf -P fail whatever the edit
    doc = parse_master(data)
    keys = sorted({s.key for s in doc.services})
    assume(keys)
    name, type_ = choice.draw(st.sampled_from(keys))
    remove = choice.draw(st.booleans())
    if remove:
        doc.remove_override(name, type_, param)
    else:
        doc.set_override(name, type_, param, value)
    after = doc.to_bytes()
    allowed = {line.number for s in parse_master(data).services if s.key == (name, type_) for line in s.lines}
    assert touched_only(data, after, allowed) == []
    (tmp_path / "main.cf").write_bytes(b"")
    (tmp_path / "master.cf").write_bytes(after)
    res = postconf(tool, tmp_path, "-P", f"{name}/{type_}/{param}")
    entries = sum(1 for s in doc.services if s.key == (name, type_))
    if remove:
        assert res.stdout == ""
    else:
        assert res.stdout.splitlines() == [f"{name}/{type_}/{param} = {value}".rstrip(" ")] * entries


ODD = st.text(alphabet=st.sampled_from(list("ab ,#{}$=\t\n-o")), max_size=12)


@given(data=main_cf(), ops=st.lists(st.tuples(st.sampled_from(range(5)), st.sampled_from(NAMES), ODD), max_size=6))
def test_any_main_edit_either_applies_cleanly_or_raises_edit_error(
    data: bytes, ops: list[tuple[int, str, str]]
) -> None:
    from mailconf.errors import EditError

    doc = parse_main(data)
    for op, name, text in ops:
        before = doc.to_bytes()
        try:
            if op == 0:
                doc.set(name, text)
            elif op == 1:
                doc.remove(name)
            elif op == 2:
                doc.comment_out(name)
            elif op == 3:
                doc.add_list_item(name, text, default="")
            else:
                doc.remove_list_item(name, text)
        except EditError:
            assert doc.to_bytes() == before
            continue
        assert parse_main(doc.to_bytes()).to_bytes() == doc.to_bytes()
        if op == 0:
            param = doc.get(name)
            assert param is not None
            assert " ".join(param.value.split()) == " ".join(text.split())


@given(
    data=master_cf(),
    ops=st.lists(st.tuples(st.sampled_from(range(6)), st.sampled_from(NAMES), ODD), max_size=6),
    choice=st.data(),
)
def test_any_master_edit_either_applies_cleanly_or_raises_edit_error(
    data: bytes, ops: list[tuple[int, str, str]], choice: st.DataObject
) -> None:
    from mailconf.errors import EditError
    from mailconf.postfix._edit import MASTER_FIELDS

    doc = parse_master(data)
    for op, param, text in ops:
        keys = sorted({s.key for s in doc.services}) or [("smtp", "inet")]
        name, type_ = choice.draw(st.sampled_from(keys))
        before = doc.to_bytes()
        try:
            if op == 0:
                doc.set_override(name, type_, param, text)
            elif op == 1:
                doc.remove_override(name, type_, param)
            elif op == 2:
                doc.set_field(name, type_, choice.draw(st.sampled_from(MASTER_FIELDS)), text)
            elif op == 3:
                doc.set_service(f"{name} {type_} - - n - - {text}")
            elif op == 4:
                doc.remove_service(name, type_)
            else:
                doc.add_service(param, "unix", command="smtp", args=[text], overrides={param: text})
        except EditError:
            assert doc.to_bytes() == before
            continue
        assert parse_master(doc.to_bytes()).to_bytes() == doc.to_bytes()
        if op == 0:
            svc = doc.get(name, type_)
            assert svc is not None
            found = svc.override(param)
            assert found is not None and found.value == text.strip(" \t")
