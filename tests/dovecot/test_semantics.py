"""Meaning of Dovecot files as doveconf computes it: values, $name, sections, filters."""

from __future__ import annotations

from pathlib import Path

from mailconf.dovecot.config import DovecotConfig, load_config


def conf(tmp_path: Path, text: str) -> DovecotConfig:
    f = tmp_path / "dovecot.conf"
    f.write_text(text)
    return load_config(f)


def test_last_wins_across_includes(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "10-ssl.conf").write_text("ssl = required\n")
    (tmp_path / "conf.d" / "20-x.conf").write_text("ssl = no\n")
    c = conf(tmp_path, "ssl = yes\n!include conf.d/*.conf\n")
    v = c.effective("ssl")
    assert v.value == "no"
    assert (v.path, v.line) == (str(tmp_path / "conf.d" / "20-x.conf"), 1)


def test_default_when_unset(tmp_path: Path) -> None:
    c = conf(tmp_path, "")
    assert c.effective("disable_plaintext_auth").value == "yes"
    assert c.effective("disable_plaintext_auth").path is None


def test_self_reference_expands_at_that_point(tmp_path: Path) -> None:
    c = conf(
        tmp_path,
        "mail_plugins = a\nmail_plugins = $mail_plugins b\nprotocol imap {\n  mail_plugins = $mail_plugins c\n}\n"
        "mail_plugins = $mail_plugins d\n",
    )
    assert c.effective("mail_plugins").value == "a b d"
    assert c.effective("mail_plugins", filter={"protocol": "imap"}).value == "a b c"


def test_other_references_stay_literal(tmp_path: Path) -> None:
    c = conf(tmp_path, "base_dir = /a\nlogin_greeting = $base_dir  x\n")
    assert c.effective("login_greeting").value == "$base_dir x"


def test_typed_values_normalised(tmp_path: Path) -> None:
    c = conf(tmp_path, "auth_cache_ttl = 120s\nauth_cache_size = 1024k\nauth_debug = Y\n")
    assert c.effective("auth_cache_ttl").value == "2 mins"
    assert c.effective("auth_cache_size").value == "1 M"
    assert c.effective("auth_debug").value == "yes"


def test_octal_mode_without_leading_zero_is_decimal(tmp_path: Path) -> None:
    c = conf(tmp_path, "service auth {\n  unix_listener x {\n    mode = 660\n  }\n}\n")
    auth = c.service("auth")
    assert auth is not None
    assert next(x for x in auth.children("unix_listener") if x.name == "x").get("mode") == "01224"


def test_sections_merge_by_name_and_unnamed_passdbs_stay_apart(tmp_path: Path) -> None:
    c = conf(
        tmp_path,
        "service imap {\n  user = a\n}\nservice imap {\n  process_limit = 5\n}\n"
        "passdb {\n  driver = pam\n}\npassdb {\n  driver = pam\n}\n",
    )
    imap = c.service("imap")
    assert imap is not None
    assert (imap.get("user"), imap.get("process_limit")) == ("a", "5")
    assert [s.name for s in c.services].count("imap") == 1  # merged into the built-in service
    assert imap.get("executable") == "imap"  # built-in default kept
    assert len(c.passdbs) == 2


def test_listener_path_renames_the_listener(tmp_path: Path) -> None:
    c = conf(tmp_path, "service auth {\n  unix_listener a {\n    path = /x/y\n  }\n}\n")
    auth = c.service("auth")
    assert auth is not None
    assert "/x/y" in [x.name for x in auth.children("unix_listener")]
    assert "a" not in [x.name for x in auth.children("unix_listener")]


def test_filters_are_scoped(tmp_path: Path) -> None:
    c = conf(tmp_path, "ssl = required\nremote 10.1.2.3/8 {\n  ssl = no\n}\n")
    assert c.effective("ssl").value == "required"
    assert c.effective("ssl", filter={"remote": "10.1.2.3/8"}).value == "no"
    assert [f.remote for f in c.filters] == ["10.1.2.3/8"]


def test_obsolete_settings_convert_with_warnings(tmp_path: Path) -> None:
    c = conf(tmp_path, "ssl_protocols = !SSLv3\nprotocols = imap imaps pop3s\nssl_disable = yes\n")
    assert c.effective("ssl_min_protocol").value == "TLSv1"
    assert c.effective("protocols").value == "imap pop3"
    assert c.effective("ssl").value == "no"
    assert any("'pop3s' protocol can no longer be specified" in w for w in c.warnings)
    login = c.service("pop3-login")
    assert login is not None
    assert next(x for x in login.children("inet_listener") if x.name == "pop3").get("port") == "0"


def test_dump_hides_secrets_and_quotes(tmp_path: Path) -> None:
    c = conf(tmp_path, 'ssl_key = </k.pem\nlog_timestamp = "%H "\nplugin {\n  x_password = s\n}\n')
    out = c.dump("n")
    assert "ssl_key = # hidden, use -P to show it\n" in out
    assert 'log_timestamp = "%H "\n' in out
    assert "  x_password = # hidden, use -P to show it\n" in out
    assert "ssl_key = </k.pem\n" in c.dump("n", hide_passwords=False)


def test_dovecot1_auth_section_converts(tmp_path: Path) -> None:
    c = conf(
        tmp_path,
        "auth default {\n  mechanisms = plain login\n  passdb pam {\n  }\n  user = root\n"
        "  socket listen {\n    client {\n      path = /var/spool/postfix/private/auth\n      mode = 0660\n"
        "    }\n  }\n}\n",
    )
    assert c.effective("auth_mechanisms").value == "plain login"
    assert [p.get("driver") for p in c.passdbs] == ["pam"]
    auth = c.service("auth")
    assert auth is not None
    assert auth.get("user") == "root"
    sock = next(x for x in auth.children("unix_listener") if x.name == "/var/spool/postfix/private/auth")
    assert sock.get("mode") == "0660"
    assert any("add auth_ prefix" in w for w in c.warnings)


def test_files_lists_every_file_read(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "10-a.conf").write_text("ssl = no\n")
    c = conf(tmp_path, "!include conf.d/*.conf\n!include_try missing.conf\n")
    assert c.files == [str(tmp_path / "dovecot.conf"), str(tmp_path / "conf.d" / "10-a.conf")]


def test_24_files_read_leniently(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(
        "dovecot_config_version = 2.4.1\ndovecot_storage_version = 2.4.1\nssl = required\n"
        "ssl_server_cert_file = /etc/ssl/cert.pem\nauth_allow_cleartext = no\nmail_plugins {\n  quota = yes\n}\n"
        "passdb ldap {\n  driver = ldap\n  ldap_base = dc=example\n}\nservice imap-login {\n  inet_listener imap {\n"
        "    listen = 127.0.0.1\n    port = 0\n  }\n}\nsome_new_24_setting = x\n"
    )
    c = load_config(f, version="2.4")
    assert c.effective("ssl").value == "required"
    assert c.effective("ssl_server_cert_file").value == "/etc/ssl/cert.pem"
    assert c.effective("auth_allow_cleartext").value == "no"
    assert [p.name for p in c.passdbs] == ["ldap"]
    login = c.service("imap-login")
    assert login is not None
    assert login.children("inet_listener")[0].get("port") == "0"
    assert c.effective("some_new_24_setting").value == "x"  # the 2.4 catalogue is partial: kept, not refused


def test_effective_picks_the_most_specific_matching_filter(tmp_path: Path) -> None:
    c = conf(
        tmp_path,
        # (local 192.0.2.1 { protocol imap { ssl } } would be refused: a conflict with protocol imap's ssl)
        "ssl = required\nprotocol imap {\n  ssl = yes\n}\nremote 10.0.0.0/8 {\n  ssl = no\n}\n"
        "local 192.0.2.1 {\n  ssl = required\n}\nprotocol !pop3 {\n  mail_plugins = x\n}\n",
    )
    assert c.effective("ssl", filter={"protocol": "imap"}).value == "yes"
    assert c.effective("ssl", filter={"protocol": "pop3"}).value == "required"
    assert c.effective("ssl", filter={"remote": "10.1.2.3"}).value == "no"
    assert (
        c.effective("ssl", filter={"remote": "10.1.2.3", "protocol": "imap"}).value == "no"
    )  # remote is more specific
    assert c.effective("ssl", filter={"local": "192.0.2.1", "protocol": "imap"}).value == "required"
    assert c.effective("ssl", filter={"remote": "192.168.1.1"}).value == "required"
    assert c.effective("mail_plugins", filter={"protocol": "imap"}).value == "x"
    assert c.effective("mail_plugins", filter={"protocol": "pop3"}).value == ""


def test_any_dollar_in_an_unquoted_value_collapses_its_blanks(tmp_path: Path) -> None:
    # doveconf 2.3 splits such a value on spaces even when no word starts with "$" (checked with
    # doveconf 2.3.19.1); a quoted value is kept as written
    c = conf(tmp_path, 'login_greeting = =$  <\nplugin {\n  quota = a$  b\n}\nmail_log_prefix = "a  $"\n')
    assert c.effective("login_greeting").value == "=$ <"
    assert c.plugin()["quota"].value == "a$ b"
    assert c.effective("mail_log_prefix").value == "a  $"
