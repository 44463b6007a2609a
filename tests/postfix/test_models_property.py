"""Hypothesis: generated models render to main.cf/master.cf text that parses back to an equal model;
generated files (with every syntax quirk) always give a model, which renders and reads back equal."""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from mailconf.errors import ParseError
from mailconf.postfix import _values
from mailconf.postfix.catalogue import Catalogue
from mailconf.postfix.models import (
    Bool,
    Choice,
    CipherGrade,
    FifoService,
    Group,
    InetService,
    Int,
    ListValue,
    MapRef,
    PassService,
    PostfixModel,
    ProtocolItem,
    Raw,
    Restriction,
    RestrictionList,
    Setting,
    Size,
    Text,
    Time,
    TlsCipherGrade,
    TlsLevel,
    TlsProtocol,
    TlsProtocols,
    TlsSecurityLevel,
    UnixDgramService,
    UnixService,
    Wakeup,
    Word,
    kind_from_spec,
)
from tests.postfix.strategies import main_cf, master_cf

V = "3.7"
VERSIONS = ["2.6", "3.7", "3.10"]
DIRECTORY = "/etc/postfix"


@functools.cache
def names_by_kind(version: str) -> dict[str, list[str]]:
    catalogue = Catalogue.for_version(version)
    found: dict[str, list[str]] = defaultdict(list)
    for name in catalogue.names():
        if name in ("smtpd_restriction_classes", "config_directory"):
            continue  # these change how other names are read
        found[kind_from_spec(name, catalogue.spec(name)).kind].append(name)
    return dict(found)


def balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/@+-"
word_text = st.text(SAFE, min_size=1, max_size=10).filter(lambda w: not w.startswith("-o"))
words = st.builds(Word, text=word_text.map(lambda w: w.lstrip("{")).filter(bool))
maps = st.builds(
    MapRef,
    type=st.sampled_from(sorted(_values.TABLE_TYPES)),
    name=st.text(SAFE + ":", min_size=1, max_size=12).filter(lambda n: not n.startswith(":")),
)
group_texts = st.lists(st.one_of(word_text, maps.map(lambda m: m.render())), min_size=0, max_size=3).map(", ".join)
groups = st.builds(Group, text=group_texts)
items = st.one_of(words, maps, groups)
items_2x = st.one_of(words, maps)  # no {} groups before Postfix 3.0

ONE_ARG = ["check_client_access", "check_sender_access", "check_policy_service", "reject_rbl_client", "sleep"]
NO_ARG = ["permit_mynetworks", "permit_sasl_authenticated", "reject_unauth_destination", "reject", "warn_if_reject"]


def restrictions(elements: st.SearchStrategy[Any]) -> st.SearchStrategy[Restriction]:
    return st.one_of(
        st.builds(Restriction, name=st.sampled_from(NO_ARG)),
        st.builds(Restriction, name=maps.map(lambda m: m.render())),
        st.builds(lambda n, a: Restriction(name=n, args=(a,)), st.sampled_from(ONE_ARG), elements),
    )


text_values = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_characters="$"), min_size=0, max_size=15
).flatmap(lambda t: st.sampled_from([t, f"{t} x".strip(), f"a  {t}".strip()]))
INT_MAX = 2**31 - 1


@st.composite
def times(draw: st.DrawFn, unit: str) -> Time:
    chosen = draw(st.sampled_from(["s", "m", "h", "d", "w", ""]))
    factor = _values.TIME_UNITS[chosen or unit]
    amount = draw(st.integers(0, INT_MAX // factor - 1 if factor > 1 else INT_MAX))
    return Time(amount=amount, unit=chosen or unit, text=f"{amount}{chosen}")


def values_for(kind: str, name: str, version: str) -> st.SearchStrategy[Any]:
    spec = Catalogue.for_version(version).spec(name)
    if kind == "bool":
        return st.builds(Bool, value=st.booleans())
    if kind == "int":
        return st.builds(Int, value=st.integers(-(2**31), INT_MAX))
    if kind == "size":
        return st.builds(Size, bytes=st.integers(-(2**63), 2**63 - 1))
    if kind == "time":
        return times(spec.unit if spec is not None and spec.unit else "s")
    if kind == "tls_level":
        return st.builds(TlsLevel, level=st.one_of(st.none(), st.sampled_from(list(TlsSecurityLevel))))
    if kind == "cipher_grade":
        return st.builds(CipherGrade, grade=st.sampled_from(list(TlsCipherGrade)))
    if kind == "tls_protocols":
        ops = ["", "!", ">=", "<="] if version not in ("2.6",) else ["", "!"]  # ranges: Postfix 3.6 and later
        item = st.builds(ProtocolItem, op=st.sampled_from(ops), protocol=st.sampled_from(list(TlsProtocol)))
        return st.builds(TlsProtocols, items=st.lists(item, max_size=4).map(tuple))
    if kind == "choice":
        return st.builds(Choice, value=st.sampled_from(kind_from_spec(name, spec).choices))
    if kind == "compatibility_level":
        return st.builds(Choice, value=st.sampled_from(["0", "1", "2", "3.6", "3.10"]))
    if kind in ("list", "maps"):
        elements = items_2x if version == "2.6" else items
        if name == "inet_protocols":
            elements = st.sampled_from(["all", "ipv4", "ipv6"]).map(lambda t: Word(text=t))
        return st.builds(ListValue, kind=st.just(kind), items=st.lists(elements, max_size=4).map(tuple))
    if kind == "restrictions":
        elements = items_2x if version == "2.6" else items
        return st.builds(RestrictionList, items=st.lists(restrictions(elements), max_size=5).map(tuple))
    if kind == "raw":
        return st.builds(Raw, value=st.text(SAFE + " $#{}", max_size=20).map(lambda t: t.strip()))
    return st.builds(Text, value=text_values)


@st.composite
def settings(draw: st.DrawFn, version: str, source: str = "main") -> Setting:
    by_kind = names_by_kind(version)
    if draw(st.integers(0, 9)) == 0:
        name, kind = f"usr{draw(st.integers(0, 99))}", "string"
    else:
        kind = draw(st.sampled_from(sorted(by_kind)))
        name = draw(st.sampled_from(by_kind[kind]))
    value = draw(values_for(kind, name, version))
    if source == "master":  # master.cf cannot write a value with blanks and unbalanced braces
        text = value.render()
        assume(not any(c in text for c in " \t") or balanced(text))
    return Setting(name=name, raw=value.render(), value=value, source=source)


def setting_dict(version: str, source: str, max_size: int) -> st.SearchStrategy[dict[str, Setting]]:
    return st.lists(settings(version, source), max_size=max_size).map(lambda ss: {s.name: s for s in ss})


SERVICE_TYPES = {
    "inet": (InetService, ["smtp", "submission", "127.0.0.1:10025", "[::1]:2525", "2525"]),
    "unix": (UnixService, ["pickup", "policy", "relay2", "retry"]),
    "unix-dgram": (UnixDgramService, ["postlog"]),
    "fifo": (FifoService, ["oldpickup"]),
    "pass": (PassService, ["smtpd", "tlsproxy"]),
}
flags = st.one_of(st.none(), st.booleans())
args = st.lists(st.one_of(word_text, st.tuples(word_text, word_text).map(" ".join), st.just("x  y")), max_size=3).map(
    tuple
)


@st.composite
def services(draw: st.DrawFn, version: str) -> Any:
    type_ = draw(st.sampled_from(sorted(SERVICE_TYPES)))
    cls, names = SERVICE_TYPES[type_]
    return cls(
        name=draw(st.sampled_from(names)),
        private=draw(flags),
        unprivileged=draw(flags),
        chroot=draw(flags),
        wakeup=draw(st.one_of(st.none(), st.builds(Wakeup, seconds=st.integers(0, 3600), conditional=st.booleans()))),
        process_limit=draw(st.one_of(st.none(), st.integers(0, 1000))),
        command=draw(st.sampled_from(["smtpd", "pickup", "spawn", "qmgr", "proxymap"])),
        args=draw(args),
        overrides=draw(setting_dict(version, "master", 4)),
    )


@st.composite
def models(draw: st.DrawFn) -> PostfixModel:
    version = draw(st.sampled_from(VERSIONS))
    return PostfixModel(
        version=version,
        directory=DIRECTORY,
        main=draw(setting_dict(version, "main", 12)),
        services=tuple(draw(st.lists(services(version), max_size=4))),
    )


@given(models())
def test_generated_models_render_and_parse_back_equal(model: PostfixModel) -> None:
    assert model.reparse().without_origins() == model


@given(main_cf(), master_cf())
def test_generated_files_always_give_a_model_that_renders_back(main: bytes, master: bytes) -> None:
    try:
        model = PostfixModel.parse(main, master, version=V, directory=DIRECTORY)
    except ParseError:
        return  # a file Postfix rejects: the document layer reports it
    again = model.reparse()
    assert again.without_origins() == model.without_origins()
    assert PostfixModel.model_validate_json(model.model_dump_json()) == model
