"""Typed Postfix models: one example per value kind, services, origins, rendering, JSON."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mailconf.postfix import _values
from mailconf.postfix.models import (
    Bool,
    Choice,
    CipherGrade,
    FifoService,
    Group,
    InetService,
    Int,
    Invalid,
    ListValue,
    MapRef,
    PassService,
    PostfixModel,
    Raw,
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
    typed_value,
)

V = "3.7"


def main(text: str) -> PostfixModel:
    return PostfixModel.parse(text, None, version=V)


def value(name: str, text: str) -> object:
    return main(f"{name} = {text}\n").main[name].value


# -- scalars -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("yes", True), ("YES", True), ("No", False)])
def test_bool_any_case(text: str, expected: bool) -> None:
    assert value("soft_bounce", text) == Bool(value=expected)


@pytest.mark.parametrize("text", ["true", "1", "on", "yes x", ""])
def test_bool_refused_is_invalid_with_postfix_message(text: str) -> None:
    got = value("soft_bounce", text)
    assert isinstance(got, Invalid)
    assert got.expected == "bool"
    assert got.error == f"bad boolean configuration: soft_bounce = {text}"


@pytest.mark.parametrize(("text", "expected"), [("100", 100), ("+10", 10), ("-1", -1), ("2147483647", 2**31 - 1)])
def test_int(text: str, expected: int) -> None:
    assert value("default_process_limit", text) == Int(value=expected)


@pytest.mark.parametrize("text", ["10M", "0x10", "1e3", "2147483648", "10 x", ""])
def test_int_refused(text: str) -> None:
    got = value("default_process_limit", text)
    assert isinstance(got, Invalid)
    assert got.error == f"bad numerical configuration: default_process_limit = {text}"


def test_size_is_a_long() -> None:
    assert value("message_size_limit", "99999999999") == Size(bytes=99_999_999_999)
    assert isinstance(value("message_size_limit", "10M"), Invalid)


@pytest.mark.parametrize(
    ("name", "text", "amount", "unit", "seconds", "ignored"),
    [
        ("ipc_timeout", "3600s", 3600, "s", 3600, ""),
        ("ipc_timeout", "300", 300, "s", 300, ""),
        ("maximal_queue_lifetime", "5", 5, "d", 5 * 86400, ""),  # default unit of this parameter: days
        ("ipc_timeout", "1h30m", 1, "h", 3600, "30m"),  # only the first unit letter counts
        ("ipc_timeout", "100ms", 100, "m", 6000, "s"),  # 100 minutes, not milliseconds
        ("ipc_timeout", "2w", 2, "w", 2 * 604800, ""),
        ("ipc_timeout", "s", 0, "s", 0, ""),  # strtol: no digits read as 0
    ],
)
def test_time_keeps_unit_and_first_letter_quirk(
    name: str, text: str, amount: int, unit: str, seconds: int, ignored: str
) -> None:
    got = value(name, text)
    assert isinstance(got, Time)
    assert (got.amount, got.unit, got.seconds, got.ignored, got.text) == (amount, unit, seconds, ignored, text)


@pytest.mark.parametrize("text", ["10x", "-5", "3 h", "3H", "2147483648", "35791394m", ""])
def test_time_refused(text: str) -> None:
    got = value("ipc_timeout", text)
    assert isinstance(got, Invalid)
    assert got.error == f"parameter ipc_timeout: bad time value or unit: {text}"


def test_time_text_after_the_unit_is_refused_by_newer_postfix() -> None:
    newer = PostfixModel.parse("ipc_timeout = 1h30m\nsmtpd_timeout = 30s\n", None, version="3.11")
    assert isinstance(newer.main["ipc_timeout"].value, Invalid)
    assert newer.main["smtpd_timeout"].value == Time(amount=30, unit="s", text="30s")
    assert isinstance(typed_value("ipc_timeout", "100ms", version="3.11"), Invalid)
    assert isinstance(typed_value("ipc_timeout", "100ms", version="3.7"), Time)


def test_time_of() -> None:
    assert Time.of(5, "m") == Time(amount=5, unit="m", text="5m")
    assert Time.of(5, "m").seconds == 300


def test_tls_level_enum_any_case_and_empty() -> None:
    assert value("smtpd_tls_security_level", "MAY") == TlsLevel(level=TlsSecurityLevel.MAY)
    assert value("smtp_tls_security_level", "dane-only") == TlsLevel(level=TlsSecurityLevel.DANE_ONLY)
    assert value("smtpd_tls_security_level", "") == TlsLevel(level=None)
    got = value("smtpd_tls_security_level", "encrpyt")
    assert isinstance(got, Invalid) and got.expected == "tls_level"


def test_cipher_grade() -> None:
    assert value("smtpd_tls_mandatory_ciphers", "High") == CipherGrade(grade=TlsCipherGrade.HIGH)
    assert isinstance(value("smtpd_tls_ciphers", "strong"), Invalid)


def test_tls_protocols_exclusions_and_ranges() -> None:
    got = value("smtpd_tls_protocols", "!SSLv2, !SSLv3")
    assert isinstance(got, TlsProtocols)
    assert [i.render() for i in got.items] == ["!SSLv2", "!SSLv3"]
    assert got.enabled() == {TlsProtocol.TLSV1, TlsProtocol.TLSV1_1, TlsProtocol.TLSV1_2, TlsProtocol.TLSV1_3}
    ranged = value("smtp_tls_mandatory_protocols", ">=TLSv1.2")
    assert isinstance(ranged, TlsProtocols)
    assert ranged.enabled() == {TlsProtocol.TLSV1_2, TlsProtocol.TLSV1_3}
    colon = value("smtpd_tls_protocols", "TLSv1.2:tlsv1.3")
    assert isinstance(colon, TlsProtocols)
    assert colon.enabled() == {TlsProtocol.TLSV1_2, TlsProtocol.TLSV1_3}
    assert isinstance(value("smtpd_tls_protocols", "!SSLv2, TLSv1.4"), Invalid)


def test_choice_from_catalogue_and_compatibility_level() -> None:
    assert value("smtpd_sasl_type", "dovecot") == Choice(value="dovecot")
    assert isinstance(value("smtpd_sasl_type", "courier"), Invalid)
    assert value("compatibility_level", "3.6") == Choice(value="3.6")
    assert isinstance(value("compatibility_level", "three"), Invalid)
    # Postfix's strtol-based parser: leading blanks and signs are accepted (postconf -x agrees)
    for text in ("3. 6", "+3.6", "-0", "3.10.1"):
        assert value("compatibility_level", text) == Choice(value=text)
    for text in ("3.", "3.6.1.2", "-1", "3.1024"):
        assert isinstance(value("compatibility_level", text), Invalid)


def test_raw_parameter_is_never_expanded() -> None:
    setting = main("mailbox_command = /usr/bin/procmail -a $EXTENSION\n").main["mailbox_command"]
    assert setting.value == Raw(value="/usr/bin/procmail -a $EXTENSION")
    assert setting.expanded is None


# -- lists, groups, maps, restrictions -------------------------------------------------------------


def test_list_with_groups_and_endpoints() -> None:
    got = value("smtpd_milters", "{ inet:localhost:8891, connect_timeout=10s }, inet:localhost:8892")
    assert isinstance(got, ListValue)
    group, endpoint = got.items
    assert isinstance(group, Group)
    assert group.text == "inet:localhost:8891, connect_timeout=10s"
    assert group.items == (MapRef(type="inet", name="localhost:8891"), Word(text="connect_timeout=10s"))
    assert endpoint == MapRef(type="inet", name="localhost:8892")


def test_maps_list() -> None:
    got = value("virtual_alias_maps", "hash:/etc/postfix/virtual proxy:mysql:/etc/postfix/v.cf, inline:{ a=b, c=d }")
    assert isinstance(got, ListValue) and got.kind == "maps"
    assert got.maps == (
        MapRef(type="hash", name="/etc/postfix/virtual"),
        MapRef(type="proxy", name="mysql:/etc/postfix/v.cf"),
        MapRef(type="inline", name="{ a=b, c=d }"),
    )


def test_list_keeps_networks_and_ipv6() -> None:
    got = value("mynetworks", "127.0.0.0/8, [::1]/128 !192.168.1.1 cidr:/etc/postfix/nets")
    assert isinstance(got, ListValue)
    assert got.items == (
        Word(text="127.0.0.0/8"),
        Word(text="[::1]/128"),
        Word(text="!192.168.1.1"),
        MapRef(type="cidr", name="/etc/postfix/nets"),
    )


def test_split_list_braces_and_separators() -> None:
    assert _values.split_list("a,b  c\t{d, e} f{g h}i, }x") == ["a", "b", "c", "{d, e}", "f{g h}i", "}x"]
    assert _values.map_reference("fe80::1") is None
    assert _values.map_reference("[::1]:25") is None


def test_restriction_list_items_with_arguments() -> None:
    text = (
        "permit_mynetworks, check_client_access hash:/etc/postfix/access,"
        " reject_rbl_client zen.spamhaus.org=127.0.0.[2..11],"
        " check_policy_service { inet:127.0.0.1:10023, default_action=DUNNO },"
        " hash:/etc/postfix/bare, warn_if_reject reject_unknown_helo_hostname, reject_unauth_destination"
    )
    got = value("smtpd_recipient_restrictions", text)
    assert isinstance(got, RestrictionList)
    assert got.names == (
        "permit_mynetworks",
        "check_client_access",
        "reject_rbl_client",
        "check_policy_service",
        "hash:/etc/postfix/bare",
        "warn_if_reject",
        "reject_unknown_helo_hostname",
        "reject_unauth_destination",
    )
    items = got.items
    assert items[1].args == (MapRef(type="hash", name="/etc/postfix/access"),)
    assert items[2].args == (Word(text="zen.spamhaus.org=127.0.0.[2..11]"),)
    assert items[3].args == (Group(text="inet:127.0.0.1:10023, default_action=DUNNO"),)
    assert items[4].table == MapRef(type="hash", name="/etc/postfix/bare")
    assert items[0].table is None
    assert got.render() == (
        "permit_mynetworks, check_client_access hash:/etc/postfix/access,"
        " reject_rbl_client zen.spamhaus.org=127.0.0.[2..11],"
        " check_policy_service { inet:127.0.0.1:10023, default_action=DUNNO },"
        " hash:/etc/postfix/bare, warn_if_reject, reject_unknown_helo_hostname, reject_unauth_destination"
    )


def test_restriction_missing_argument_at_end() -> None:
    got = value("smtpd_client_restrictions", "permit_mynetworks, check_client_access")
    assert isinstance(got, RestrictionList)
    assert got.items[-1].name == "check_client_access" and got.items[-1].args == ()


def test_restriction_classes_are_typed_as_restriction_lists() -> None:
    model = main(
        "smtpd_restriction_classes = from_freemail, strict\n"
        "from_freemail = check_sender_access hash:/etc/postfix/freemail, reject\n"
        "strict = reject_unverified_sender\n"
        "other = reject\n"
    )
    assert isinstance(model.main["from_freemail"].value, RestrictionList)
    assert isinstance(model.main["strict"].value, RestrictionList)
    assert model.main["other"].value == Text(value="reject")


# -- expansion, unknown names, invalid values ------------------------------------------------------


def test_value_is_typed_after_expansion_and_keeps_raw() -> None:
    model = main("my_level = encrypt\nsmtpd_tls_security_level = $my_level\n")
    setting = model.main["smtpd_tls_security_level"]
    assert (setting.raw, setting.expanded, setting.text) == ("$my_level", "encrypt", "encrypt")
    assert setting.value == TlsLevel(level=TlsSecurityLevel.ENCRYPT)
    assert model.main["my_level"].value == Text(value="encrypt")  # user variables are kept


def test_config_directory_expansion() -> None:
    model = PostfixModel.parse("alias_maps = hash:$config_directory/aliases\n", None, version=V, directory="/etc/pf")
    assert model.main["alias_maps"].value == ListValue(
        kind="maps", items=(MapRef(type="hash", name="/etc/pf/aliases"),)
    )


def test_invalid_value_does_not_stop_the_model() -> None:
    model = main("soft_bounce = maybe\nmessage_size_limit = 10M\nsmtpd_tls_security_level = may\n")
    assert model.main["soft_bounce"].invalid and model.main["message_size_limit"].invalid
    assert not model.main["smtpd_tls_security_level"].invalid
    assert model.reparse().without_origins() == model.without_origins()


def test_malformed_macro_keeps_the_text() -> None:
    setting = main("myorigin = ${mydomain\n").main["myorigin"]
    assert setting.raw == "${mydomain"


# -- origins ---------------------------------------------------------------------------------------


def test_origins_point_at_the_winning_entry(tmp_path: Path) -> None:
    (tmp_path / "main.cf").write_bytes(
        b"# comment\nmynetworks = 10.0.0.0/8\nmynetworks = 127.0.0.0/8,\n\n  # inside\n  [::1]/128\n"
    )
    (tmp_path / "master.cf").write_bytes(b"smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd\n  -o a=b\n")
    model = PostfixModel.load(tmp_path, version=V)
    origin = model.main["mynetworks"].origin
    assert origin is not None
    assert (origin.path, origin.line, origin.column, origin.end_line) == (str(tmp_path / "main.cf"), 3, 1, 6)
    submission = model.service("submission")
    assert submission is not None and submission.origin is not None
    assert (submission.origin.line, submission.origin.end_line) == (2, 3)
    override = submission.overrides["a"].origin
    assert override is not None and (override.line, override.column) == (3, 3)
    assert submission.overrides["a"].source == "master"
    assert model.main["mynetworks"].source == "main"


# -- services --------------------------------------------------------------------------------------

MASTER = """\
smtp      inet  n       -       y       -       -       smtpd
127.0.0.1:10025 inet n -   n       -       10      smtpd -v
[::1]:2525 inet n -     n       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=$sub_level
  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable
pickup    unix  n       -       y       60      1       pickup
qmgr      unix  n       -       n       300?    1       qmgr
postlog   unix-dgram n  -       n       -       1       postlogd
oldpickup fifo  n       -       n       60      1       pickup
tlsproxy  pass  -       -       y       -       -       tlsproxy
dovecot   unix  -       n       n       -       -       pipe
  flags=DRhu user=vmail:vmail argv=/usr/lib/dovecot/dovecot-lda -f ${sender} -d ${recipient}
"""


def test_services_are_discriminated_by_type() -> None:
    model = PostfixModel.parse("sub_level = may\n", MASTER, version=V)
    types = [type(s) for s in model.services]
    assert types == [
        InetService,
        InetService,
        InetService,
        InetService,
        UnixService,
        UnixService,
        UnixDgramService,
        FifoService,
        PassService,
        UnixService,
    ]
    smtp, local, v6, submission = model.services[:4]
    assert isinstance(smtp, InetService) and isinstance(local, InetService) and isinstance(v6, InetService)
    assert (smtp.host, smtp.port, smtp.port_number) == (None, "smtp", 25)
    assert (local.host, local.port, local.port_number, local.process_limit, local.args) == (
        "127.0.0.1",
        "10025",
        10025,
        10,
        ("-v",),
    )
    assert (v6.host, v6.port) == ("::1", "2525")
    assert isinstance(submission, InetService) and submission.port_number == 587
    assert (smtp.private, smtp.unprivileged, smtp.chroot) == (False, None, True)
    assert smtp.is_unprivileged and smtp.is_chrooted()
    pickup, qmgr = model.services[4:6]
    assert pickup.wakeup == Wakeup(seconds=60) and pickup.process_limit == 1
    assert qmgr.wakeup == Wakeup(seconds=300, conditional=True)
    tlsproxy = model.services[8]
    assert tlsproxy.chroot is True and tlsproxy.is_private and tlsproxy.is_chrooted("2")
    assert model.services[9].args[0] == "flags=DRhu"


def test_overrides_typed_last_wins_and_expanded_in_service_scope() -> None:
    model = PostfixModel.parse("sub_level = may\n", MASTER, version=V)
    submission = model.service("submission")
    assert submission is not None
    assert list(submission.overrides) == ["syslog_name", "smtpd_client_restrictions", "smtpd_tls_security_level"]
    level = submission.overrides["smtpd_tls_security_level"]
    assert level.value == TlsLevel(level=TlsSecurityLevel.ENCRYPT)
    restrictions = submission.overrides["smtpd_client_restrictions"].value
    assert isinstance(restrictions, RestrictionList)
    assert restrictions.names == ("permit_sasl_authenticated", "reject")
    # "-o name" without "=" sets nothing: it stays an argument
    assert submission.args == ("-o", "smtpd_sasl_auth_enable")
    assert model.effective("smtpd_tls_security_level", submission) is level
    assert model.effective("sub_level", submission) is model.main["sub_level"]
    assert model.effective("smtpd_tls_security_level") is None


def test_override_expansion_uses_service_scope() -> None:
    model = PostfixModel.parse(
        "base = /etc/postfix\n", "relay inet n - n - - smtpd\n  -o d=/srv\n  -o x=$d/x\n", version=V
    )
    relay = model.service("relay")
    assert relay is not None
    assert relay.overrides["x"].expanded == "/srv/x"


def test_service_lookup_by_type_and_duplicates() -> None:
    model = PostfixModel.parse(None, "smtp inet n - n - - smtpd\nsmtp unix - - n - - smtp\nsmtp unix - - n - 5 smtp\n")
    inet = model.service("smtp")
    unix = model.service("smtp", "unix")
    assert isinstance(inet, InetService) and isinstance(unix, UnixService)
    assert unix.process_limit == 5


# -- rendering -------------------------------------------------------------------------------------


def test_render_master_braces_values_with_blanks() -> None:
    model = PostfixModel.parse(None, MASTER, version=V)
    text = model.render_master()
    assert "  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n" in text
    assert "127.0.0.1:10025 inet n - n - 10 smtpd\n  -v\n" in text
    assert "qmgr unix n - n 300? 1 qmgr\n" in text
    assert model.reparse().without_origins() == model.without_origins()


def test_render_main_and_reparse() -> None:
    model = main("a = 1\nb = x # not a comment\nb = y\nsmtpd_milters = {inet:h:1,  t=1} x\n")
    assert model.render_main() == "a = 1\nb = y\nsmtpd_milters = {inet:h:1,  t=1} x\n"
    assert model.reparse().without_origins() == model.without_origins()


def test_with_setting_from_text_or_typed_value() -> None:
    model = main("").with_setting("smtpd_tls_security_level", "encrypt").with_setting("soft_bounce", Bool(value=True))
    assert model.render_main() == "smtpd_tls_security_level = encrypt\nsoft_bounce = yes\n"
    assert model.main["smtpd_tls_security_level"].value == TlsLevel(level=TlsSecurityLevel.ENCRYPT)
    assert model.reparse().without_origins() == model.without_origins()


def test_setting_of_and_typed_value() -> None:
    assert Setting.of("ipc_timeout", "5m", version=V).value == Time(amount=5, unit="m", text="5m")
    assert typed_value("smtpd_helo_required", "yes", version=V) == Bool(value=True)
    assert typed_value("unheard_of_name", "x", version=V) == Text(value="x")


# -- JSON ------------------------------------------------------------------------------------------


def test_json_round_trip() -> None:
    model = PostfixModel.parse(
        "smtpd_relay_restrictions = check_policy_service {inet:127.0.0.1:1, x=y}, reject_unauth_destination\n"
        "ipc_timeout = 1h30m\nsoft_bounce = maybe\nsmtpd_tls_protocols = >=TLSv1.2\n",
        MASTER,
        version=V,
    )
    again = PostfixModel.model_validate_json(model.model_dump_json())
    assert again == model


def test_models_are_frozen() -> None:
    model = main("soft_bounce = yes\n")
    with pytest.raises(ValueError):
        model.main["soft_bounce"].raw = "no"  # type: ignore[misc]


# -- import cost -----------------------------------------------------------------------------------


def test_lint_path_modules_do_not_import_pydantic() -> None:
    code = (
        "import sys\n"
        "import mailconf.postfix, mailconf.postfix.config, mailconf.postfix.catalogue, mailconf.postfix._values\n"
        "import mailconf.cli\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
        "import mailconf.postfix.models\n"
        "assert 'pydantic' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- defaults --------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["3.7", "3.10"])
def test_every_default_is_well_typed(version: str) -> None:
    """The built-in defaults of a version, typed as the catalogue says, are all valid values: a
    check of the catalogue's types and of the value readers together."""
    master = "smtp unix - - n - - smtp\ndovecot unix - n n - - pipe\n  flags=DRhu argv=/usr/bin/true\n"
    model = PostfixModel.parse("", master, version=version, defaults=True)
    assert len(model.defaults) > 800
    assert "dovecot_destination_recipient_limit" in model.defaults  # service-derived
    invalid = {s.name: s.text for s in model.defaults.values() if s.invalid}
    assert invalid == {}
    kinds = {s.value.kind for s in model.defaults.values()}
    assert {"bool", "int", "size", "time", "tls_level", "tls_protocols", "list", "maps", "restrictions"} <= kinds


def test_defaults_and_effective() -> None:
    model = PostfixModel.parse(
        "compatibility_level = 2\nsmtpd_tls_security_level = may\n", MASTER, version=V, defaults=True
    )
    assert "smtpd_tls_security_level" not in model.defaults  # set in main.cf
    style = model.defaults["mynetworks_style"]
    assert (style.source, style.origin, style.value) == ("default", None, Choice(value="host"))
    lifetime = model.effective("maximal_queue_lifetime")
    assert lifetime is not None and isinstance(lifetime.value, Time) and lifetime.value.seconds == 5 * 86400
    submission = model.service("submission")
    assert submission is not None
    effective = model.effective("smtpd_tls_security_level", submission)
    assert effective is not None and effective.source == "master"
    assert main("soft_bounce = yes\n").effective("maximal_queue_lifetime") is None  # built without defaults


def test_typed_values_check_their_own_consistency() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Time(amount=2, unit="h", text="1h")
    with pytest.raises(ValidationError):
        Int(value=2**31)
    with pytest.raises(ValidationError):
        Wakeup(seconds=-1)
    assert Time(amount=5, unit="d", text="5").seconds == 5 * 86400  # a number in the default unit


def test_value_as_narrows_the_union() -> None:
    model = PostfixModel.parse("sub = encrypt\n", MASTER, version=V)
    submission = model.service("submission")
    assert submission is not None
    level = model.value_as("smtpd_tls_security_level", TlsLevel, submission)
    assert level is not None and level.level is TlsSecurityLevel.ENCRYPT
    assert model.value_as("smtpd_tls_security_level", Bool, submission) is None
    assert model.value_as("smtpd_tls_security_level", TlsLevel) is None  # not set in main.cf
    assert model.main["sub"].value_as(Text) == Text(value="encrypt")


def test_module_doctests() -> None:
    import doctest

    from mailconf.postfix import models

    assert doctest.testmod(models).failed == 0


def test_protocol_ranges_need_postfix_3_6() -> None:
    assert isinstance(typed_value("smtpd_tls_protocols", ">=TLSv1.2", version="3.6"), TlsProtocols)
    assert isinstance(typed_value("smtpd_tls_protocols", ">=TLSv1.2", version="3.5"), Invalid)
    assert isinstance(typed_value("smtpd_tls_protocols", "!SSLv2, !SSLv3", version="2.6"), TlsProtocols)


def test_smtpd_forbid_bare_newline_is_an_enum() -> None:
    assert value("smtpd_forbid_bare_newline", "Reject") == Choice(value="Reject")
    assert value("smtpd_forbid_bare_newline", "normalize") == Choice(value="normalize")
    assert isinstance(value("smtpd_forbid_bare_newline", "always"), Invalid)


def test_inherited_values_are_reexpanded_in_the_service_scope() -> None:
    model = PostfixModel.parse(
        "smtpd_tls_cert_file = /etc/main.pem\nsmtpd_tls_key_file = $smtpd_tls_cert_file\n",
        "smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd\n  -o smtpd_tls_cert_file=/etc/sub.pem\n",
        version=V,
        defaults=True,
    )
    smtp, submission = model.service("smtp"), model.service("submission")
    assert smtp is not None and submission is not None
    key = model.effective("smtpd_tls_key_file", submission)
    assert key is not None
    assert (key.text, key.source, key.origin is not None and key.origin.line) == ("/etc/sub.pem", "main", 2)
    smtp_key = model.effective("smtpd_tls_key_file", smtp)
    assert smtp_key is not None and smtp_key.text == "/etc/main.pem"
    # a default that refers to an overridden parameter: smtpd_tls_eckey_file = $smtpd_tls_eccert_file
    eccert = PostfixModel.parse(
        "", "submission inet n - y - - smtpd\n  -o smtpd_tls_eccert_file=/etc/ec.pem\n", version=V, defaults=True
    )
    sub = eccert.service("submission")
    assert sub is not None
    eckey = eccert.effective("smtpd_tls_eckey_file", sub)
    assert eckey is not None and (eckey.text, eckey.source) == ("/etc/ec.pem", "default")
    assert "smtpd_tls_key_file" not in smtp.scoped  # nothing differs for smtp


def test_with_override_builds_a_service_that_renders() -> None:
    service = UnixService(name="policy", command="spawn", args=("user=nobody", "argv=/usr/bin/policyd"))
    service = service.with_override("policy_time_limit", "3600", version=V)
    assert service.overrides["policy_time_limit"].source == "master"
    model = PostfixModel(version=V, directory=".", services=(service,))
    assert model.render_master() == (
        "policy unix - - - - - spawn\n  -o policy_time_limit=3600\n  user=nobody argv=/usr/bin/policyd\n"
    )
    assert model.reparse().without_origins() == model


def test_with_setting_knows_restriction_classes_and_service_names() -> None:
    model = PostfixModel.parse(
        "smtpd_restriction_classes = strict\n", "dovecot unix - n n - - pipe\n  flags=DRhu argv=/x\n", version=V
    )
    model = model.with_setting("strict", "reject_unverified_sender").with_setting(
        "dovecot_destination_recipient_limit", "1"
    )
    assert isinstance(model.main["strict"].value, RestrictionList)
    assert model.main["dovecot_destination_recipient_limit"].value == Int(value=1)
    assert model.reparse().without_origins() == model.without_origins()


def test_braces_group_only_from_postfix_3_0() -> None:
    text = "check_policy_service {inet:127.0.0.1:1, x=y}, reject"
    new = typed_value("smtpd_recipient_restrictions", text, version="3.0")
    old = typed_value("smtpd_recipient_restrictions", text, version="2.11")
    assert isinstance(new, RestrictionList) and isinstance(old, RestrictionList)
    assert new.names == ("check_policy_service", "reject")
    assert old.names == ("check_policy_service", "x=y}", "reject")
    assert old.items[0].args == (Word(text="{inet:127.0.0.1:1"),)
    assert typed_value("mydestination", "{a b}", version="2.6") == ListValue(items=(Word(text="{a"), Word(text="b}")))


def test_inet_protocols_is_a_list_of_protocol_families() -> None:
    assert value("inet_protocols", "ipv4, IPv6") == ListValue(items=(Word(text="ipv4"), Word(text="IPv6")))
    assert isinstance(value("inet_protocols", "ipv4, ipx"), Invalid)
