"""The engine end to end: suppressions, profiles, configuration files, versions, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mailconf.cli import _lint
from mailconf.policy.settings import Settings, load_settings
from tests.policy._helpers import ROOT, only, rules_of, run_lint, write_tree

INSECURE = ROOT / "examples" / "insecure"
OFFICE = ROOT / "examples" / "office"


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / src.name
    shutil.copytree(src, dst)
    return dst


def test_suppression_line_and_file(tmp_path: Path) -> None:
    base = _copy(INSECURE, tmp_path)
    main = base / "postfix/main.cf"
    text = main.read_text()
    text = text.replace("smtpd_use_tls = yes", "# mailconf: disable=LEG101,TLS101\nsmtpd_use_tls = yes")
    main.write_text("# mailconf: disable-file=RELAY\n" + text)
    ssl = base / "dovecot/conf.d/10-ssl.conf"
    ssl.write_text(ssl.read_text().replace("ssl = yes", "ssl = yes # mailconf: disable=TLS201"))
    result = run_lint([base])
    got = rules_of(result)
    for gone in ("LEG101", "TLS101", "RELAY102", "RELAY103", "TLS201"):
        assert gone not in got
    assert "SYN007" not in got
    assert "TLS106" in got  # other rules on the same file still report


def test_unused_and_unknown_suppressions_are_syn007(tmp_path: Path) -> None:
    base = _copy(OFFICE, tmp_path)
    main = base / "postfix/main.cf"
    main.write_text(
        main.read_text().replace(
            "smtpd_tls_security_level = may", "# mailconf: disable=TLS103,NOPE9\nsmtpd_tls_security_level = may"
        )
    )
    found = only(run_lint([base]), "SYN007")
    assert len(found) == 2
    assert {f.line for f in found} == {36}
    assert any("unknown rule" in f.message for f in found)
    # not reported when the rule is not selected
    assert only(run_lint([base], select=["TLS", "SYN001"]), "SYN007") == []


def test_select_ignore_and_profiles() -> None:
    result = run_lint([INSECURE], select=["TLS1"])
    assert set(rules_of(result)) <= {
        "TLS101",
        "TLS102",
        "TLS103",
        "TLS104",
        "TLS105",
        "TLS106",
        "TLS107",
        "TLS108",
        "TLS109",
    }
    assert "TLS101" in rules_of(result)
    result = run_lint([INSECURE], ignore=["TLS", "AUTH2"])
    assert not any(r.startswith(("TLS", "AUTH2")) for r in rules_of(result))
    strict = run_lint([INSECURE], profile="strict")
    assert {f.severity for f in only(strict, "TLS205")} == {"error"}
    assert {f.severity for f in only(strict, "AUTH105")} == {"error"}


def test_custom_profile_from_config(tmp_path: Path) -> None:
    cfg = (
        write_tree(
            tmp_path,
            {
                ".mailconf.toml": """
                profile = "ours"
                [profiles.ours]
                extends = "office"
                severity = { TLS205 = "off", AUTH105 = "error" }
            """
            },
        )
        / ".mailconf.toml"
    )
    settings = load_settings(cfg)
    result = run_lint([INSECURE], settings=settings)
    assert only(result, "TLS205") == []
    assert {f.severity for f in only(result, "AUTH105")} == {"error"}


def test_config_file_found_upwards_and_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(INSECURE, repo / "hosts/old/etc")
    shutil.copytree(OFFICE, repo / "hosts/new/etc")
    (repo / "pyproject.toml").write_text(
        '[tool.mailconf]\nignore = ["AUTH2"]\nfail-on = "error"\n\n'
        '[[tool.mailconf.overrides]]\npaths = ["hosts/old"]\nignore = ["TLS"]\n'
    )
    code = _lint.run(["--format", "json", str(repo / "hosts")])
    data = json.loads(capsys.readouterr().out)
    rules = {f["rule"] for f in data["findings"]}
    assert code == 1
    assert not any(r.startswith(("TLS", "AUTH2")) for r in rules)
    assert "RELAY102" in rules
    assert [s["name"] for s in data["summary"]["sets"]] == [str(repo / "hosts/new/etc"), str(repo / "hosts/old/etc")]
    assert _lint.run(["--no-config", "--format", "json", str(repo / "hosts/new")]) == 0
    capsys.readouterr()


def test_exit_codes_fail_on_and_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _copy(OFFICE, tmp_path)
    (base / "postfix/main.cf").write_text((base / "postfix/main.cf").read_text() + "smtpd_use_tls = yes\n")
    assert _lint.run(["--no-config", str(base)]) == 1  # LEG101 is a warning: the default fails on warnings
    assert _lint.run(["--no-config", "--fail-on", "error", str(base)]) == 0
    assert _lint.run(["--no-config", "--exit-zero", str(INSECURE)]) == 0
    broken = _copy(OFFICE, tmp_path / "b")
    (broken / "postfix/main.cf").write_text("smtpd_tls_security_level may\n")
    assert _lint.run(["--no-config", "--exit-zero", str(broken)]) == 2
    out = capsys.readouterr().out
    assert "SYN001" in out


def test_centos6_version_detected_from_doc_directories(tmp_path: Path) -> None:
    base = write_tree(
        tmp_path,
        {
            "etc/postfix/main.cf": """
                readme_directory = /usr/share/doc/postfix-2.6.6/README_FILES
                smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
                smtpd_tls_mandatory_protocols = >=TLSv1.2
            """,
        },
    )
    result = run_lint([base / "etc"])
    assert result.sets[0].postfix_version == (2, 6, 6)
    messages = [f.message for f in only(result, "LEG102")]
    assert any("smtpd_relay_restrictions" in m for m in messages)
    assert any(">=TLSv1.2" in m for m in messages)
    # Postfix 2.6 default recipient restrictions hold the relay guard: no RELAY101 and no RELAY104
    assert only(result, "RELAY101") == [] and only(result, "RELAY104") == []


def test_dovecot_weakness_in_99_local_reported_there(tmp_path: Path) -> None:
    base = _copy(OFFICE, tmp_path)
    (base / "dovecot/conf.d/99-local.conf").write_text("disable_plaintext_auth = no\n")
    (finding,) = only(run_lint([base]), "AUTH201")
    assert finding.path.endswith("99-local.conf") and finding.line == 1


def test_service_override_expansion(tmp_path: Path) -> None:
    base = _copy(OFFICE, tmp_path)
    master = base / "postfix/master.cf"
    master.write_text(
        master.read_text().replace("smtpd_tls_security_level=encrypt", "smtpd_tls_security_level=$mua_tls")
    )
    main = base / "postfix/main.cf"
    main.write_text(main.read_text() + "mua_tls = may\n")
    (finding,) = only(run_lint([base]), "TLS101")
    assert "may" in finding.message and finding.path.endswith("master.cf")
    main.write_text(main.read_text().replace("mua_tls = may", "mua_tls = encrypt"))
    assert only(run_lint([base]), "TLS101") == []


def test_settings_default_fail_on_is_warning() -> None:
    assert Settings().fail_on == "warning"


def test_dovecot_unknown_setting_is_syn004_with_a_guess(tmp_path: Path) -> None:
    base = _copy(OFFICE, tmp_path)
    ssl = base / "dovecot/conf.d/10-ssl.conf"
    ssl.write_text(ssl.read_text() + "ssl_min_protocl = TLSv1.2\n")
    result = run_lint([base], ignore=["SYN004"])  # a refused file is reported even when ignored
    (finding,) = only(result, "SYN004")
    assert result.failed and finding.severity == "error"
    assert "did you mean ssl_min_protocol" in finding.message and finding.path.endswith("10-ssl.conf")


def test_dovecot_22_detected_from_ssl_protocols(tmp_path: Path) -> None:
    base = write_tree(
        tmp_path,
        {"dovecot/dovecot.conf": "!include conf.d/*.conf\n", "dovecot/conf.d/10-ssl.conf": "ssl_protocols = !SSLv2\n"},
    )
    result = run_lint([base])
    assert result.sets[0].dovecot_version == (2, 2)
    assert any("SSLv3" in f.message for f in only(result, "TLS203"))


def test_live_system_without_paths(capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/etc/dovecot/dovecot.conf").exists() and not Path("/etc/postfix/main.cf").exists():
        pytest.skip("no live Postfix or Dovecot configuration on this machine")
    code = _lint.run(["--no-config", "--format", "json", "--exit-zero"])
    data = json.loads(capsys.readouterr().out)
    assert code in (0, 2)
    (live,) = data["summary"]["sets"]
    assert live["name"] == "/etc"
    if Path("/etc/dovecot/dovecot.conf").exists() and code == 0:
        assert live["dovecot_version"] is not None  # from the installed dovecot


def test_centos6_set_is_first_class(tmp_path: Path) -> None:
    """Postfix 2.6 + Dovecot 2.0: nothing demanded that those versions lack."""
    base = write_tree(
        tmp_path,
        {
            "etc/postfix/main.cf": """
                readme_directory = /usr/share/doc/postfix-2.6.6/README_FILES
                myhostname = mail.example.org
                mynetworks = 127.0.0.0/8
                smtpd_tls_security_level = may
                smtpd_tls_cert_file = /etc/pki/tls/certs/mail.pem
                smtpd_tls_key_file = /etc/pki/tls/private/mail.key
                smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1
                smtpd_tls_protocols = !SSLv2, !SSLv3
                smtp_tls_security_level = may
                smtpd_tls_auth_only = yes
                smtpd_sasl_type = dovecot
                smtpd_sasl_path = private/auth
                smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
            """,
            "etc/postfix/master.cf": """
                smtp      inet  n       -       n       -       -       smtpd
                submission inet n       -       n       -       -       smtpd
                  -o smtpd_tls_security_level=encrypt
                  -o smtpd_sasl_auth_enable=yes
                  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
            """,
            "etc/dovecot/dovecot.conf": """
                protocols = imap pop3
                ssl = required
                ssl_cert = </etc/pki/dovecot/certs/dovecot.pem
                ssl_key = </etc/pki/dovecot/private/dovecot.pem
                disable_plaintext_auth = yes
                service imap-login {
                  inet_listener imap {
                    port = 0
                  }
                }
                service pop3-login {
                  inet_listener pop3 {
                    port = 0
                  }
                }
                service auth {
                  unix_listener /var/spool/postfix/private/auth {
                    mode = 0660
                    user = postfix
                    group = postfix
                  }
                }
            """,
        },
    )
    result = run_lint([base / "etc"], dovecot_version=(2, 0))
    assert result.sets[0].postfix_version == (2, 6, 6)
    assert [(f.rule, f.message) for f in result.findings] == []


def test_dovecot_23_setting_on_a_20_target_is_syn004(tmp_path: Path) -> None:
    base = write_tree(tmp_path, {"dovecot/dovecot.conf": "ssl = required\nssl_min_protocol = TLSv1.2\n"})
    found = only(run_lint([base], dovecot_version=(2, 0)), "SYN004")
    assert [(f.line, f.severity) for f in found] == [(2, "error")]
    assert only(run_lint([base], dovecot_version=(2, 3)), "SYN004") == []


def test_dovecot_24_list_blocks_are_not_syn204(tmp_path: Path) -> None:
    base = write_tree(
        tmp_path,
        {
            "dovecot/dovecot.conf": """
                dovecot_config_version = 2.4.0
                dovecot_storage_version = 2.4.0
                mail_plugins {
                  quota = yes
                }
                login_greeting {
                }
            """,
        },
    )
    found = only(run_lint([base]), "SYN204")
    assert [f.line for f in found] == [6]


def test_dovecot_24_messages_name_the_24_settings(tmp_path: Path) -> None:
    """A 2.4 configuration is told about auth_allow_cleartext, the name 2.4 knows, not
    disable_plaintext_auth."""
    conf = """
        dovecot_config_version = 2.4.0
        dovecot_storage_version = 2.4.0
        ssl = yes
    """
    base = write_tree(tmp_path / "v24", {"dovecot/dovecot.conf": conf})
    (message,) = [f.message for f in only(run_lint([base]), "TLS201")]
    assert "auth_allow_cleartext keeps" in message and "disable_plaintext_auth" not in message
    old = write_tree(tmp_path / "v23", {"dovecot/dovecot.conf": "ssl = yes\n"})
    (message,) = [f.message for f in only(run_lint([old]), "TLS201")]
    assert "disable_plaintext_auth keeps" in message


def test_auth202_on_dovecot_24_only_without_ssl_required(tmp_path: Path) -> None:
    """Dovecot 2.4 makes login_trusted_networks use TLS when ssl = required (seen live), so
    AUTH202 reports a 2.4 file only when ssl is weaker; 2.3 skips ssl = required for them."""
    head = "dovecot_config_version = 2.4.0\ndovecot_storage_version = 2.4.0\n"
    for ssl, expected in (("required", 0), ("yes", 1)):
        conf = f"{head}ssl = {ssl}\nlogin_trusted_networks = 192.0.2.10\n"
        base = write_tree(tmp_path / f"v24-{ssl}", {"dovecot/dovecot.conf": conf})
        assert len(only(run_lint([base]), "AUTH202")) == expected, ssl
    old = write_tree(
        tmp_path / "v23", {"dovecot/dovecot.conf": "ssl = required\nlogin_trusted_networks = 192.0.2.10\n"}
    )
    assert len(only(run_lint([old]), "AUTH202")) == 1


@pytest.mark.parametrize(
    ("main", "target", "flagged"),
    [
        ("smtp_tlsrpt_enable = yes\n", (3, 7), ["smtp_tlsrpt_enable"]),  # new in 3.10 (catalogue)
        ("smtp_tlsrpt_enable = yes\n", (3, 10), []),
        ("tls_disable_workarounds = 0x0\n", (2, 8), []),  # postconf(5): 2.8, not 2.11
        ("tls_disable_workarounds = 0x0\n", (2, 6), ["tls_disable_workarounds"]),
        ("smtpd_relay_restrictions = reject_unauth_destination\n", (2, 6), ["smtpd_relay_restrictions"]),
    ],
)
def test_leg102_versions_come_from_the_catalogue(
    tmp_path: Path, main: str, target: tuple[int, int], flagged: list[str]
) -> None:
    base = write_tree(tmp_path, {"postfix/main.cf": main, "postfix/master.cf": ""})
    found = only(run_lint([base], select=["LEG102"], postfix_version=target), "LEG102")
    assert [f.message.split(" ")[0] for f in found] == flagged


def test_leg102_ignores_an_inactive_override(tmp_path: Path) -> None:
    """A -o after the command's first argument is an argument Postfix ignores, not a setting."""
    master = "mailman unix - n n - - pipe\n  flags=R user=list argv=/x -o smtp_tlsrpt_enable=yes\n"
    base = write_tree(tmp_path, {"postfix/main.cf": "", "postfix/master.cf": master})
    assert only(run_lint([base], select=["LEG102"], postfix_version=(3, 7)), "LEG102") == []


def test_dovecot_24_files_doveconf_refuses_are_not_clean(tmp_path: Path) -> None:
    """A 2.4 file that doveconf 2.4 refuses (an unknown setting, which the rules' lenient 2.4
    reading keeps) is never clean: an error at the line doveconf names, in its words."""
    conf = "dovecot_config_version = 2.4.0\ndovecot_storage_version = 2.4.0\nimap4rev2_enable = yes\n"
    base = write_tree(tmp_path, {"dovecot/dovecot.conf": conf})
    found = [f for f in run_lint([base]).findings if f.severity == "error" and f.rule.startswith("SYN")]
    assert [(f.line, f.message) for f in found] == [(3, "imap4rev2_enable: Unknown setting: imap4rev2_enable")]
