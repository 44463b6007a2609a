"""MM301-MM305: each rule fires on a broken Mailman + Postfix set and is quiet once it is fixed."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailconf.policy._finding import Finding
from mailconf.policy.engine import LintResult, Options, lint
from mailconf.policy.settings import Settings
from tests.support import CORPUS

MASTER = """\
smtp       inet  n  -  y  -  -  smtpd
submission inet  n  -  y  -  -  smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
lmtp       unix  -  -  y  -  -  lmtp
"""

MAIN_GOOD = """\
myhostname = mail.example.org
mydestination = $myhostname, localhost
recipient_delimiter = +
owner_request_special = no
unknown_local_recipient_reject_code = 550
transport_maps = hash:/var/lib/mailman3/data/postfix_lmtp
local_recipient_maps = proxy:unix:passwd.byname $alias_maps, hash:/var/lib/mailman3/data/postfix_lmtp
relay_domains = hash:/var/lib/mailman3/data/postfix_domains
"""

MAILMAN_GOOD = """\
[mailman]
site_owner: postmaster@example.org
layout: debian

[paths.debian]
var_dir: /var/lib/mailman3

[mta]
incoming: mailman.mta.postfix.LMTP
outgoing: mailman.mta.deliver.deliver
lmtp_host: 127.0.0.1
lmtp_port: 8024
smtp_host: localhost
smtp_port: 25
"""


def host(tmp_path: Path, files: dict[str, str]) -> Path:
    base = tmp_path / "host"
    for rel, text in files.items():
        target = base / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="latin-1")
    return base


def run(base: Path, select: str = "MM") -> LintResult:
    return lint([base], Settings(), Options(select=[select], strict_errors=True))


def mm_only(result: LintResult) -> list[Finding]:
    """The MM findings (the other layers' findings are their tests' business)."""
    return [f for f in result.findings if f.rule.startswith("MM")]


def findings(result: LintResult, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


def mm3(
    tmp_path: Path, main: str = MAIN_GOOD, mailman: str = MAILMAN_GOOD, extra: dict[str, str] | None = None
) -> Path:
    files = {"etc/postfix/main.cf": main, "etc/postfix/master.cf": MASTER, "etc/mailman3/mailman.cfg": mailman}
    files.update(extra or {})
    return host(tmp_path, files)


def test_good_mailman3_set_is_clean(tmp_path: Path) -> None:
    result = run(mm3(tmp_path))
    assert result.findings == []
    assert not result.failed


# -- MM301 ---------------------------------------------------------------------------------------


def test_mm301_missing_transport_maps(tmp_path: Path) -> None:
    main = MAIN_GOOD.replace("transport_maps = hash:/var/lib/mailman3/data/postfix_lmtp\n", "")
    [finding] = findings(run(mm3(tmp_path, main=main), "MM301"), "MM301")
    assert finding.severity == "error"
    assert finding.path.endswith("main.cf") and finding.line == 1
    assert "transport_maps" in finding.message
    assert finding.fix == "add hash:/var/lib/mailman3/data/postfix_lmtp to transport_maps"


def test_mm301_local_recipient_maps_and_wrong_path(tmp_path: Path) -> None:
    main = MAIN_GOOD.replace(
        "local_recipient_maps = proxy:unix:passwd.byname $alias_maps, hash:/var/lib/mailman3/data/postfix_lmtp\n", ""
    ).replace("transport_maps = hash:/var/lib/mailman3/data/postfix_lmtp", "transport_maps = hash:/opt/mm/postfix_lmtp")
    result = run(mm3(tmp_path, main=main), "MM301")
    messages = sorted(f.message for f in findings(result, "MM301"))
    assert len(messages) == 2
    assert "local_recipient_maps does not include" in messages[0]
    assert "transport_maps uses hash:/opt/mm/postfix_lmtp but Mailman writes /var/lib/mailman3/data" in messages[1]
    line = next(f for f in result.findings if "transport_maps uses" in f.message).line
    assert line == 6


def test_mm301_empty_local_recipient_maps_is_fine(tmp_path: Path) -> None:
    main = MAIN_GOOD.replace("proxy:unix:passwd.byname $alias_maps, hash:/var/lib/mailman3/data/postfix_lmtp", "")
    assert findings(run(mm3(tmp_path, main=main), "MM301"), "MM301") == []


def test_mm301_map_type_must_match_what_mailman_writes(tmp_path: Path) -> None:
    mailman = MAILMAN_GOOD + "configuration: /etc/mailman3/postfix-mailman.cfg\n"
    base = mm3(
        tmp_path,
        mailman=mailman,
        extra={"etc/mailman3/postfix-mailman.cfg": "[postfix]\ntransport_file_type: regex\n"},
    )
    result = run(base, "MM301")
    assert len(findings(result, "MM301")) == 3
    assert all("regexp table" in f.message for f in result.findings)
    assert {f.fix for f in result.findings} == {
        "write regexp:/var/lib/mailman3/data/postfix_lmtp",
        "write regexp:/var/lib/mailman3/data/postfix_domains",
    }
    fixed = MAIN_GOOD.replace("hash:/var/lib/mailman3", "regexp:/var/lib/mailman3")
    (base / "etc/postfix/main.cf").write_text(fixed)
    assert findings(run(base, "MM301"), "MM301") == []


def test_mm301_relay_domains_with_the_generated_domains_file(tmp_path: Path) -> None:
    main = MAIN_GOOD.replace("relay_domains = hash:/var/lib/mailman3/data/postfix_domains\n", "")
    domains = "# generated\nlists.example.org lists.example.org\n"
    base = mm3(tmp_path, main=main, extra={"var/lib/mailman3/data/postfix_domains": domains})
    [finding] = findings(run(base, "MM301"), "MM301")
    assert finding.severity == "error" and "lists.example.org" in finding.message
    # the list domain is local: nothing to relay
    (base / "etc/postfix/main.cf").write_text(main.replace("$myhostname, localhost", "$myhostname, lists.example.org"))
    assert findings(run(base, "MM301"), "MM301") == []


def test_mm301_relay_domains_unknown_domains_is_a_warning(tmp_path: Path) -> None:
    main = MAIN_GOOD.replace("relay_domains = hash:/var/lib/mailman3/data/postfix_domains\n", "")
    [finding] = findings(run(mm3(tmp_path, main=main), "MM301"), "MM301")
    assert finding.severity == "warning"


def test_mm301_ignores_other_mtas(tmp_path: Path) -> None:
    mailman = MAILMAN_GOOD.replace("mailman.mta.postfix.LMTP", "mailman.mta.exim4.LMTP")
    assert findings(run(mm3(tmp_path, main="myhostname = x\n", mailman=mailman), "MM301"), "MM301") == []


# -- MM302 ---------------------------------------------------------------------------------------


def test_mm302_smtp_port_without_listener(tmp_path: Path) -> None:
    mailman = MAILMAN_GOOD.replace("smtp_port: 25", "smtp_port: 10025")
    [finding] = findings(run(mm3(tmp_path, mailman=mailman), "MM302"), "MM302")
    assert finding.path.endswith("mailman.cfg") and finding.line == 14
    assert "10025" in finding.message


def test_mm302_submission_needs_auth_and_starttls(tmp_path: Path) -> None:
    mailman = MAILMAN_GOOD.replace("smtp_port: 25", "smtp_port: 587")
    result = findings(run(mm3(tmp_path, mailman=mailman), "MM302"), "MM302")
    messages = sorted(f.message for f in result)
    assert len(messages) == 2
    assert any("requires SMTP AUTH" in m for m in messages) and any("requires STARTTLS" in m for m in messages)
    tls = next(f for f in result if "STARTTLS" in f.message)
    assert tls.path.endswith("mailman.cfg") and tls.line == 1
    auth = next(f for f in result if "AUTH" in f.message)
    assert auth.path.endswith("master.cf") and auth.line == 2
    fixed = mailman + "smtp_user: mailman\nsmtp_pass: secret\nsmtp_secure_mode: starttls\n"
    (tmp_path / "host/etc/mailman3/mailman.cfg").write_text(fixed)
    assert findings(run(tmp_path / "host", "MM302"), "MM302") == []


def test_mm302_implicit_tls_port(tmp_path: Path) -> None:
    master = MASTER + "smtps inet n - y - - smtpd\n  -o smtpd_tls_wrappermode=yes\n"
    mailman = MAILMAN_GOOD.replace("smtp_port: 25", "smtp_port: 465")
    base = mm3(tmp_path, mailman=mailman)
    (base / "etc/postfix/master.cf").write_text(master)
    [finding] = findings(run(base, "MM302"), "MM302")
    assert "smtpd_tls_wrappermode" in finding.message and finding.fix == "smtp_secure_mode: smtps"
    (base / "etc/mailman3/mailman.cfg").write_text(mailman + "smtp_secure_mode: smtps\n")
    assert findings(run(base, "MM302"), "MM302") == []
    (base / "etc/mailman3/mailman.cfg").write_text(MAILMAN_GOOD + "smtp_secure_mode: smtps\n")
    [finding] = findings(run(base, "MM302"), "MM302")
    assert finding.line == 15 and finding.fix == "smtp_secure_mode: starttls"


def test_mm302_no_lmtp_transport_in_master_cf(tmp_path: Path) -> None:
    base = mm3(tmp_path)
    (base / "etc/postfix/master.cf").write_text(MASTER.replace("lmtp       unix  -  -  y  -  -  lmtp\n", ""))
    [finding] = findings(run(base, "MM302"), "MM302")
    assert "lmtp unix" in finding.message


def test_mm302_localhost_lmtp_host(tmp_path: Path) -> None:
    mailman = MAILMAN_GOOD.replace("lmtp_host: 127.0.0.1", "lmtp_host: localhost")
    [finding] = findings(run(mm3(tmp_path, mailman=mailman), "MM302"), "MM302")
    assert finding.severity == "warning" and finding.line == 11
    main = MAIN_GOOD + "lmtp_host_lookup = dns, native\n"
    assert findings(run(mm3(tmp_path / "b", main=main, mailman=mailman), "MM302"), "MM302") == []


def test_mm302_stale_generated_map(tmp_path: Path) -> None:
    stale = "list@example.org    lmtp:[127.0.0.1]:8025\n"
    base = mm3(tmp_path, extra={"var/lib/mailman3/data/postfix_lmtp": stale})
    [finding] = findings(run(base, "MM302"), "MM302")
    assert "stale" in finding.message and finding.line == 12
    (base / "var/lib/mailman3/data/postfix_lmtp").write_text("list@example.org    lmtp:[127.0.0.1]:8024\n")
    assert findings(run(base, "MM302"), "MM302") == []


def test_mm302_loopback_not_listened_on(tmp_path: Path) -> None:
    main = MAIN_GOOD + "inet_interfaces = 192.0.2.10\n"
    [finding] = findings(run(mm3(tmp_path, main=main), "MM302"), "MM302")
    assert "inet_interfaces" in finding.message and finding.line == 9


# -- MM303 ---------------------------------------------------------------------------------------


def test_mm303_each_setting(tmp_path: Path) -> None:
    main = (
        MAIN_GOOD.replace("recipient_delimiter = +", "recipient_delimiter = -")
        .replace("owner_request_special = no\n", "")
        .replace("unknown_local_recipient_reject_code = 550", "unknown_local_recipient_reject_code = 450")
    )
    result = run(mm3(tmp_path, main=main), "MM303")
    got = sorted((f.line, f.message.split()[0]) for f in findings(result, "MM303"))
    assert got == [(1, "owner_request_special"), (3, "recipient_delimiter"), (4, "unknown_local_recipient_reject_code")]
    assert all(f.severity == "warning" for f in result.findings)


def test_mm303_multi_character_delimiter_is_fine(tmp_path: Path) -> None:
    main = MAIN_GOOD.replace("recipient_delimiter = +", "recipient_delimiter = +-")
    assert findings(run(mm3(tmp_path, main=main), "MM303"), "MM303") == []


# -- MM304 / MM305: Mailman 2 ------------------------------------------------------------------

MAIN2 = """\
myhostname = lists.example.org
alias_maps = hash:/etc/aliases, hash:/var/lib/mailman/data/aliases
recipient_delimiter = +
owner_request_special = no
"""


def mm2(tmp_path: Path, main: str = MAIN2, mm_cfg: str = "MTA = 'Postfix'\n", master: str = MASTER) -> Path:
    return host(
        tmp_path,
        {"etc/postfix/main.cf": main, "etc/postfix/master.cf": master, "etc/mailman/mm_cfg.py": mm_cfg},
    )


def test_mm304_alias_maps(tmp_path: Path) -> None:
    assert run(mm2(tmp_path)).findings == []
    main = MAIN2.replace(", hash:/var/lib/mailman/data/aliases", "")
    [finding] = findings(run(mm2(tmp_path / "b", main=main), "MM304"), "MM304")
    assert finding.line == 2 and "aliases" in finding.message
    assert finding.fix == "alias_maps = hash:/etc/aliases, hash:/var/lib/mailman/data/aliases"


def test_mm304_virtual_domains(tmp_path: Path) -> None:
    mm_cfg = "MTA = 'Postfix'\nPOSTFIX_STYLE_VIRTUAL_DOMAINS = ['lists.example.net']\n"
    [finding] = findings(run(mm2(tmp_path, mm_cfg=mm_cfg), "MM304"), "MM304")
    assert "virtual-mailman" in finding.message
    main = MAIN2 + "virtual_alias_maps = hash:/var/lib/mailman/data/virtual-mailman\n"
    assert findings(run(mm2(tmp_path / "b", main=main, mm_cfg=mm_cfg), "MM304"), "MM304") == []


def test_mm304_not_for_other_mtas_or_unknown_values(tmp_path: Path) -> None:
    main = "alias_maps = hash:/etc/aliases\n"
    assert findings(run(mm2(tmp_path, main=main, mm_cfg="MTA = None\n"), "MM304"), "MM304") == []
    computed = "import os\nMTA = os.environ['MTA']\n"
    assert findings(run(mm2(tmp_path / "b", main=main, mm_cfg=computed), "MM304"), "MM304") == []


PIPE = MASTER + (
    "mailman   unix  -       n       n       -       -       pipe\n"
    "  flags=FR user=list argv=/usr/lib/mailman/bin/postfix-to-mailman.py\n"
    "  ${nexthop} ${user}\n"
)


def test_mm305_pipe_recipient_limit(tmp_path: Path) -> None:
    [finding] = findings(run(mm2(tmp_path, master=PIPE, mm_cfg="MTA = None\n"), "MM305"), "MM305")
    assert finding.path.endswith("master.cf") and finding.line == 7
    assert finding.fix == "add 'mailman_destination_recipient_limit = 1' to main.cf"
    main = MAIN2 + "mailman_destination_recipient_limit = 2\n"
    [finding] = findings(run(mm2(tmp_path / "b", main=main, master=PIPE), "MM305"), "MM305")
    assert finding.path.endswith("main.cf") and finding.line == 5
    main = MAIN2 + "mailman_destination_recipient_limit = 1\n"
    assert findings(run(mm2(tmp_path / "c", main=main, master=PIPE), "MM305"), "MM305") == []


def test_mm305_unused_stock_debian_pipe_is_quiet(tmp_path: Path) -> None:
    base = host(tmp_path, {"etc/postfix/main.cf": "myhostname = x\n", "etc/postfix/master.cf": PIPE})
    assert findings(run(base, "MM305"), "MM305") == []
    (base / "etc/postfix/main.cf").write_text("myhostname = x\nrelay_transport = mailman\n")
    assert len(findings(run(base, "MM305"), "MM305")) == 1


# -- corpus: real Postfix configurations next to real Mailman files ---------------------------


def corpus_pair(tmp_path: Path, postfix_set: str, mailman_file: str, target: str) -> Path:
    source = CORPUS / postfix_set
    mailman = CORPUS / mailman_file
    if not source.is_dir() or not mailman.is_file():
        pytest.skip("corpus sets not present")
    base = tmp_path / "host"
    (base / "etc/postfix").mkdir(parents=True)
    for name in ("main.cf", "master.cf"):
        if (source / name).exists():
            shutil.copy(source / name, base / "etc/postfix" / name)
    (base / target).parent.mkdir(parents=True)
    shutil.copy(mailman, base / target)
    return base


def test_corpus_mailman3_postfix_is_wired(tmp_path: Path) -> None:
    """HalcyonChimera's main.cf (transport_maps/local_recipient_maps/relay_domains to postfix_lmtp)
    with openlunar's postfix LMTP mailman.cfg: MM301 finds nothing; the stock owner_request_special
    is reported by MM303."""
    base = corpus_pair(
        tmp_path,
        "036-HalcyonChimera-mailman3",
        "127-openlunar-mailman-suite/mailman.cfg",
        "etc/mailman3/mailman.cfg",
    )
    result = run(base)
    assert findings(result, "MM301") == []
    assert [f.message.split()[0] for f in findings(result, "MM303")] == ["owner_request_special"]


def test_corpus_mailman2_purdue(tmp_path: Path) -> None:
    """PurdueIEEE's main.cf + mm_cfg.py (MTA='Postfix', aliases map present): MM304 is quiet; the
    Debian pipe in its master.cf has no recipient limit (MM305)."""
    base = corpus_pair(
        tmp_path,
        "035-PurdueIEEE-ServerConfig",
        "134-PurdueIEEE-ServerConfig/mm_cfg.py",
        "etc/mailman/mm_cfg.py",
    )
    result = run(base)
    assert findings(result, "MM304") == []
    assert len(findings(result, "MM305")) == 1


def test_examples_office_has_no_mailman_findings(tmp_path: Path) -> None:
    """The office example (Mailman 3 over LMTP) stays clean; also with Debian's paths spelled out,
    where MM301 compares the full map paths."""
    office = Path(__file__).resolve().parents[2] / "examples" / "office"
    if not (office / "mailman3" / "mailman.cfg").is_file():
        pytest.skip("examples/office has no Mailman 3 configuration yet")
    assert mm_only(run(office)) == []
    copy = tmp_path / "office"
    shutil.copytree(office, copy)
    cfg = copy / "mailman3" / "mailman.cfg"
    text = cfg.read_text(encoding="utf-8").replace("[mailman]\n", "[mailman]\nlayout: debian\n", 1)
    cfg.write_text(text + "\n[paths.debian]\nvar_dir: /var/lib/mailman3\n", encoding="utf-8")
    assert mm_only(run(copy)) == []
    cfg.write_text(text + "\n[paths.debian]\nvar_dir: /srv/mailman\n", encoding="utf-8")
    assert {f.rule for f in mm_only(run(copy))} == {"MM301"}


# -- MM306 ---------------------------------------------------------------------------------------


def test_mm306_path_outside_paths_section(tmp_path: Path) -> None:
    mailman = "[mailman]\nsite_owner: a@example.org\nvar_dir: /opt/mailman/var\n"
    base = host(tmp_path, {"etc/mailman3/mailman.cfg": mailman})
    [finding] = findings(run(base, "MM306"), "MM306")
    assert (finding.line, finding.severity) == (3, "warning")
    assert "[paths.here]" in finding.message
    fixed = "[mailman]\nsite_owner: a@example.org\nlayout: custom\n[paths.custom]\nvar_dir: /opt/mailman/var\n"
    (base / "etc/mailman3/mailman.cfg").write_text(fixed)
    assert findings(run(base, "MM306"), "MM306") == []


def test_mm306_unused_and_missing_layouts(tmp_path: Path) -> None:
    mailman = "[mailman]\nlayout: debain\n\n[paths.debian]\nvar_dir: /var/lib/mailman3\n"
    base = host(tmp_path, {"etc/mailman3/mailman.cfg": mailman})
    result = findings(run(base, "MM306"), "MM306")
    assert sorted((f.line, f.severity) for f in result) == [(2, "error"), (4, "warning")]


def test_mm306_corpus_openlunar(tmp_path: Path) -> None:
    """openlunar's mailman.cfg sets var_dir under [mailman]: Mailman ignores it."""
    source = CORPUS / "127-openlunar-mailman-suite" / "mailman.cfg"
    if not source.is_file():
        pytest.skip("corpus set 127 not present")
    base = tmp_path / "host"
    (base / "etc/mailman3").mkdir(parents=True)
    shutil.copy(source, base / "etc/mailman3/mailman.cfg")
    [finding] = findings(run(base, "MM306"), "MM306")
    assert finding.line == 3 and finding.message.startswith("var_dir in [mailman] is ignored")


def test_mm306_master_section_and_alternative_layouts(tmp_path: Path) -> None:
    mailman = "[mta]\nlmtp_port: 8024\n\n[paths.master]\nvar_dir: /home/xr/var\n"
    base = host(tmp_path, {"etc/mailman3/mailman.cfg": mailman})
    [finding] = findings(run(base, "MM306"), "MM306")
    assert finding.line == 4 and "schema templates" in finding.message
    alternatives = "[mailman]\nlayout: here\n[paths.here]\nvar_dir: /srv/a\n[paths.fhs]\nvar_dir: /srv/b\n"
    (base / "etc/mailman3/mailman.cfg").write_text(alternatives)
    assert findings(run(base, "MM306"), "MM306") == []


def test_mm302_auth_through_a_main_cf_macro(tmp_path: Path) -> None:
    """The office example's submission service requires AUTH through $mua_client_restrictions."""
    office = Path(__file__).resolve().parents[2] / "examples" / "office"
    if not (office / "mailman3" / "mailman.cfg").is_file():
        pytest.skip("examples/office has no Mailman 3 configuration yet")
    copy = tmp_path / "office"
    shutil.copytree(office, copy)
    cfg = copy / "mailman3" / "mailman.cfg"
    text = cfg.read_text(encoding="utf-8").replace("smtp_port: 25", "smtp_port: 587")
    cfg.write_text(text + "smtp_secure_mode: starttls\n", encoding="utf-8")
    [finding] = findings(run(copy, "MM302"), "MM302")
    assert "requires SMTP AUTH" in finding.message and finding.path.endswith("master.cf")


def test_mm301_local_recipient_maps_irrelevant_when_no_list_domain_is_local(tmp_path: Path) -> None:
    main = MAIN_GOOD.replace(", hash:/var/lib/mailman3/data/postfix_lmtp", "")
    domains = "lists.example.net lists.example.net\n"
    base = mm3(tmp_path, main=main, extra={"var/lib/mailman3/data/postfix_domains": domains})
    assert findings(run(base, "MM301"), "MM301") == []
    (base / "var/lib/mailman3/data/postfix_domains").write_text("mail.example.org mail.example.org\n")
    [finding] = findings(run(base, "MM301"), "MM301")
    assert finding.message.startswith("local_recipient_maps does not include")


def test_unreadable_mailman_files_are_syn001(tmp_path: Path) -> None:
    base = host(
        tmp_path,
        {"etc/mailman3/mailman.cfg": "lmtp_port: 8024\n[mta]\n", "etc/mailman/mm_cfg.py": "MTA = 'Postfix\n"},
    )
    result = lint([base], Settings(), Options(strict_errors=True))
    assert result.failed
    got = sorted((Path(f.path).name, f.line, f.rule) for f in result.findings)
    assert got == [("mailman.cfg", 1, "SYN001"), ("mm_cfg.py", 1, "SYN001")]


def test_problems_at_one_place_are_merged_not_dropped(tmp_path: Path) -> None:
    """Two Postfix defaults both point at line 1 of main.cf: one finding names both."""
    main = MAIN_GOOD.replace("recipient_delimiter = +\n", "").replace("owner_request_special = no\n", "")
    [finding] = findings(run(mm3(tmp_path, main=main), "MM303"), "MM303")
    assert finding.line == 1
    assert "recipient_delimiter" in finding.message and "owner_request_special" in finding.message
    assert finding.fix == "recipient_delimiter = +; owner_request_special = no"


def test_merged_severity_is_the_highest(tmp_path: Path) -> None:
    main = "myhostname = mail.example.org\n"
    [finding] = findings(run(mm3(tmp_path, main=main), "MM301"), "MM301")
    assert finding.severity == "error"
    assert "transport_maps" in finding.message and "relay_domains" in finding.message


def test_mm304_list_domain_must_be_local(tmp_path: Path) -> None:
    mm_cfg = (
        "from Defaults import *\nMTA = 'Postfix'\nDEFAULT_EMAIL_HOST = 'lists.example.org'\n"
        "add_virtualhost('www.example.net')\n"
    )
    main = MAIN2 + "mydestination = $myhostname, localhost\n"
    [finding] = findings(run(mm2(tmp_path, main=main, mm_cfg=mm_cfg), "MM304"), "MM304")
    assert finding.line == 5 and finding.message.startswith("list domain example.net ")
    assert "line 4" in finding.message
    fixed = MAIN2 + "mydestination = $myhostname, localhost, example.net\n"
    assert findings(run(mm2(tmp_path / "b", main=fixed, mm_cfg=mm_cfg), "MM304"), "MM304") == []
    virtual = mm_cfg + "POSTFIX_STYLE_VIRTUAL_DOMAINS = ['example.net']\n"
    main_v = main + "virtual_alias_maps = hash:/var/lib/mailman/data/virtual-mailman\n"
    assert findings(run(mm2(tmp_path / "c", main=main_v, mm_cfg=virtual), "MM304"), "MM304") == []
    table = MAIN2 + "mydestination = hash:/etc/postfix/local_domains\n"
    assert findings(run(mm2(tmp_path / "d", main=table, mm_cfg=mm_cfg), "MM304"), "MM304") == []


def test_cli_json_reports_mailman_findings(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    main = MAIN_GOOD.replace("transport_maps = hash:/var/lib/mailman3/data/postfix_lmtp\n", "")
    base = mm3(tmp_path, main=main)
    proc = subprocess.run(
        [sys.executable, "-m", "mailconf", "lint", "--format", "json", "--select", "MM", str(base)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)
    [finding] = document["findings"]
    assert finding["rule"] == "MM301" and finding["severity"] == "error"
    assert finding["path"].endswith("main.cf") and finding["line"] == 1
    assert str(base / "etc/mailman3/mailman.cfg") in document["files"]


# -- robustness: any combination of Mailman and Postfix settings is linted without a crash ------

_words = st.sampled_from(
    ["", "127.0.0.1", "localhost", "::1", "mail.example.org", "0", "8024", "99999", "x", "$myhostname", "[::1]"]
)
_maps_values = st.sampled_from(
    [
        "",
        "hash:/var/lib/mailman3/data/postfix_lmtp",
        "regexp:/var/lib/mailman3/data/postfix_lmtp",
        "proxy:hash:/x/postfix_lmtp.db",
        "hash:/var/lib/mailman3/data/postfix_domains, $mydestination",
        "{ inline:{ a=b } }",
        "hash:/var/lib/mailman/data/aliases",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(["lmtp_host", "lmtp_port", "smtp_host", "smtp_port", "smtp_secure_mode", "incoming"]),
        _words,
    ),
    st.dictionaries(
        st.sampled_from(
            [
                "transport_maps",
                "local_recipient_maps",
                "relay_domains",
                "alias_maps",
                "mydestination",
                "inet_interfaces",
            ]
        ),
        _maps_values,
    ),
    st.sampled_from(
        ["", "[mailman]\nlayout: debian\n[paths.debian]\nvar_dir: /var/lib/mailman3\n", "[mailman]\nlayout: x\n"]
    ),
    st.booleans(),
)
def test_rules_never_crash(
    tmp_path_factory: pytest.TempPathFactory, mta: dict[str, str], main: dict[str, str], paths: str, pipe: bool
) -> None:
    base = tmp_path_factory.mktemp("mm")
    mailman = paths + "[mta]\n" + "".join(f"{k}: {v}\n" for k, v in mta.items())
    files = {
        "etc/postfix/main.cf": "".join(f"{k} = {v}\n" for k, v in main.items()),
        "etc/postfix/master.cf": PIPE if pipe else MASTER,
        "etc/mailman3/mailman.cfg": mailman,
        "etc/mailman/mm_cfg.py": "MTA = 'Postfix'\nDEFAULT_EMAIL_HOST = 'lists.example.org'\n",
    }
    result = lint([host(base, files)], Settings(), Options(select=["MM"], strict_errors=True))
    assert result.internal_errors == []
    assert all(f.rule.startswith("MM") and f.line >= 1 for f in result.findings)
