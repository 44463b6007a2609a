"""Differential tests: ``mailconf doveconf`` against the installed ``doveconf`` (2.3 syntax).

Compared: stdout of ``-n`` without doveconf's header comment lines, and success vs failure.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mailconf.dovecot.config import load_config
from mailconf.errors import ParseError
from tests.support import corpus_sets, require_corpus, require_tool

pytestmark = pytest.mark.oracle


@functools.cache
def installed_is_23() -> bool:
    exe = require_tool("doveconf")
    out = subprocess.run([exe, "-c", "/dev/null", "-n"], capture_output=True, text=True).stdout
    return out.startswith("# 2.") and not out.startswith("# 2.4")


def need_23() -> str:
    exe = require_tool("doveconf")
    if not installed_is_23():
        # these tests generate 2.3-syntax files, which a 2.4 doveconf refuses on its first line;
        # the 2.4 emulation is checked against 2.4 in test_doveconf24*.py
        pytest.skip("installed doveconf is 2.4: these tests are for 2.3-syntax files (2.4: test_doveconf24*.py)")
    return exe


def strip_header(text: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("# "):
        lines.pop(0)
    return "".join(lines)


def real(exe: str, path: Path, *flags: str) -> tuple[int, str]:
    proc = subprocess.run([exe, "-c", str(path), *flags], capture_output=True, timeout=60)
    return proc.returncode, strip_header(proc.stdout.decode("latin-1"))


def mine(path: Path, mode: str = "n") -> tuple[int, str]:
    try:
        cfg = load_config(path)
    except ParseError:
        return 89, ""
    return 0, cfg.dump(mode)


def agree(exe: str, path: Path, mode: str = "n") -> None:
    want_rc, want = real(exe, path, "-" + mode)
    got_rc, got = mine(path, mode)
    assert (got_rc == 0) == (want_rc == 0), (want_rc, got_rc)
    if want_rc == 0:
        assert got == want


def dovecot_sets() -> list[Path]:
    return [p for p in corpus_sets("dovecot") if (p / "dovecot.conf").exists()]


@pytest.mark.parametrize("setdir", dovecot_sets(), ids=lambda p: p.name)
def test_corpus_set(setdir: Path, tmp_path: Path) -> None:
    require_corpus()
    exe = need_23()
    if b"dovecot_config_version" in (setdir / "dovecot.conf").read_bytes():
        pytest.skip("2.4 syntax set; the installed doveconf is 2.3")
    work = tmp_path / setdir.name
    shutil.copytree(setdir, work, symlinks=True)
    agree(exe, work / "dovecot.conf")


def test_debian_stock_tree() -> None:
    exe = need_23()
    stock = Path("/etc/dovecot/dovecot.conf")
    if not stock.exists():
        pytest.skip("no /etc/dovecot/dovecot.conf on this machine")
    agree(exe, stock, "n")
    agree(exe, stock, "N")


SNIPPETS = [
    "",
    'namespace inbox {\n inbox=yes\n mailbox "Sent Messages" {\n special_use = \\Sent\n}\n'
    "mailbox Sent {\nspecial_use=\\Sent\n}\n}\n",
    "namespace {\n inbox=yes\n}\nnamespace {\n prefix = b\n}\n",
    "passdb {\ndriver=pam\n}\npassdb {\ndriver=pam\nargs=x\n}\npassdb y {\ndriver=ldap\n}\n",
    "service imap {\n}\nservice imap {\n  user = x\n}\nservice zz {\nprotocol=\n}\n"
    "service imap-login {\ninet_listener imap {\nport=143\n}\ninet_listener imap {\naddress=*\n}\n}\n",
    "plugin {\n b = 1\n a = 2\n}\nplugin {\n b = 3\n}\n",
    "mail_plugins = a\nmail_plugins = $mail_plugins b\nprotocol imap {\n mail_plugins = $mail_plugins c\n}\n",
    "login_greeting = $auth_cache_ttl $ssl  x\n",
    "protocols = $protocols imap\n",
    "local 1.2.3.4 {\n remote 10.0.0.0/8 {\n protocol imap {\n ssl=required\n}\n}\n}\n",
    "remote ::1 {\nssl=no\n}\nremote 2001:db8::/32 {\nssl=no\n}\n",
    "protocol imap {\nservice imap {\nuser=x\n}\nnamespace x {\n}\nplugin {\na=b\n}\n}\n",
    "ssl_client_key = x\nssl_alt_cert=</etc/passwd\ndoveadm_password = z\nssl_dh = </x\n",
    "service auth {\nunix_listener a {\npath = /x/y\nmode=660\n}\n}\n",
    "ssl_protocols = !SSLv3\nprotocols = imap imaps pop3s\nssl_disable = yes\nsieve = ~/x\n",
    "protocol imap {\nlisten = *:10143\n}\n",
    "listen = *:143\nssl_listen = 1.2.3.4:993\nprotocol sieve {\n  listen = *:4190\n}\n"
    "remote 10.0.0.0/8 {\n  listen = 0\n}\n",
    "log_debug = (category=auth or event=x*) and not a>=5\n",
    "log_debug = a=/x/y\n",
    "syslog_facility =\n",
    "local 127.0.0.1 {\n  default_login_user = nosuchuser-mailconf\n}\n",
    "mail_attachment_hash = %{sha1}-x\n",
    "auth_worker_max_count = 0\n",
    'namespace inbox {\n mailbox "a\\\\b" {\n  auto = create\n }\n mailbox "x"{\n  auto = no\n }\n'
    ' mailbox a"b" {\n  auto = create\n }\n mailbox "" {\n }\n}\n',
    'namespace inbox {\n mailbox "a\\"b" {\n }\n}\n',
    'namespace inbox {\n mailbox "a b"x {\n }\n}\n',
    "service imap {\n  protocol imap {\n    user = x\n  }\n}\nnamespace = a b\nnamespace b {\n  inbox = yes\n}\n",
    "auth default {\n  mechanisms = plain login\n  passdb pam {\n  }\n  user = root\n  socket listen {\n"
    "    client {\n      path = /var/spool/postfix/private/auth\n      mode = 0660\n    }\n  }\n}\n"
    "protocol managesieve {\n  mail_plugins = x\n}\n",
    "login_process_size = 64\nlogin_processes_count = 3\nmax_mail_processes = 50\nlogin_user = dovenull\n"
    "login_chroot = yes\nprotocol imap {\n  login_executable = /x/imap-login\n  mail_executable = /x/imap\n"
    "  login_chroot = no\n}\nprotocol pop3 {\n login_process_per_connection = no\n login_max_processes_count = 7\n"
    " login_max_connections = 9\n mail_process_size = 128\n mail_drop_priv_before_exec = yes\n}\n",
    "auth_cache_ttl = 604800s\nauth_cache_size = 1024k\nevent_exporter e {\nformat=json\ntransport=log\n"
    "format_args = time-rfc3339\ntransport_timeout = 1500ms\n}\nmetric m {\nfilter = event=x\nexporter = e\n}\n",
    "event_exporter e {\nformat=json\ntransport=log\n}\n",
    "metric m {\n}\n",
    "passdb {\nargs = x\n}\n",
    "service {\n}\n",
    "plugin {\nsieve_extensions = -regex +vnd.dovecot.debug\nsieve_plugins = sieve_imapsieve\n}\n",
    'log_timestamp = "%b %d %H:%M:%S "\nmail_log_prefix = "a # b"\n',
    'login_greeting = =$  <\nplugin {\n  quota = a$  b\n}\nmail_log_prefix = "a  $"\n',
    "protocol imap {\n  ssl = yes\n}\nremote 10.1.2.3/16 {\n  protocol imap {\n    ssl = yes\n  }\n}\n",
    "remote 0.0.0.0/0 {\n  ssl = no\n  plugin {\n    a = b\n  }\n}\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippet(text: str, tmp_path: Path) -> None:
    exe = need_23()
    f = tmp_path / "dovecot.conf"
    f.write_text(text)
    agree(exe, f, "n")
    agree(exe, f, "N")
    agree(exe, f, "a")


# ------------------------------------------------------------------ generated trees

GLOBAL_VALUES: dict[str, list[str]] = {
    "ssl": ["yes", "no", "required"],
    "disable_plaintext_auth": ["yes", "no", "Yes", "1"],
    "auth_mechanisms": ["plain", "plain login", "plain login cram-md5"],
    "mail_location": ["maildir:~/Maildir", "mbox:~/mail:INBOX=/var/mail/%u"],
    "auth_cache_ttl": ["1 hour", "90s", "2 d", "0"],
    "auth_cache_size": ["0", "10M", "1024 k", "1g"],
    "first_valid_uid": ["500", "1000", "010"],
    "login_greeting": ["Hello", "a  b", '" lead"', "'x # y'", "a # comment", "x#glued", '"a \\" b"', '"p" q', ""],
    "auth_username_format": ["%Lu", "%n", "'%u'"],
    "mail_fsync": ["optimized", "never", "always"],
    "ssl_cert": ["</etc/ssl/cert.pem"],
    "ssl_key": ["</etc/ssl/key.pem"],
    "mail_plugins": ["quota", "$mail_plugins zlib"],
    "log_path": ["/var/log/dovecot.log", "syslog"],
}
FILTER_VALUES = {k: GLOBAL_VALUES[k] for k in ("ssl", "disable_plaintext_auth", "mail_plugins", "login_greeting")}


@st.composite
def assignments(draw: st.DrawFn, pool: dict[str, list[str]], indent: str) -> list[str]:
    keys = draw(st.lists(st.sampled_from(sorted(pool)), max_size=4))
    return [f"{indent}{k} = {draw(st.sampled_from(pool[k]))}" for k in keys]


@st.composite
def service_block(draw: st.DrawFn) -> list[str]:
    name = draw(st.sampled_from(["imap-login", "pop3-login", "auth", "imap", "lmtp"]))
    lines = [f"service {name} {{"]
    if draw(st.booleans()):
        lname = draw(st.sampled_from(["imap", "imaps", "pop3s"]))
        port = draw(st.sampled_from(["0", "143", "993", "10993"]))
        ssl = draw(st.sampled_from(["", "    ssl = yes"]))
        lines += [f"  inet_listener {lname} {{", f"    port = {port}"] + ([ssl] if ssl else []) + ["  }"]
    if draw(st.booleans()):
        path = draw(st.sampled_from(["auth-userdb", "/var/spool/postfix/private/auth", "login/x"]))
        mode = draw(st.sampled_from(["0660", "0600", "660"]))
        lines += [f'  unix_listener "{path}" {{', f"    mode = {mode}", "    user = postfix", "  }"]
    lines += draw(assignments({"process_limit": ["1", "100"], "user": ["root", "$default_internal_user"]}, "  "))
    return [*lines, "}"]


@st.composite
def misc_block(draw: st.DrawFn) -> list[str]:
    kind = draw(st.sampled_from(["passdb", "userdb", "namespace", "plugin", "filter"]))
    if kind in ("passdb", "userdb"):
        drv = draw(st.sampled_from(["pam", "passwd", "passwd-file", "static"]))
        return [f"{kind} {{", f"  driver = {drv}", f"  args = {draw(st.sampled_from(['', 'x', 'a b']))}", "}"]
    if kind == "namespace":
        name = draw(st.sampled_from(["inbox", "shared", ""]))
        lines = [f"namespace {name} {{".replace("  ", " "), "  inbox = yes"]
        for mbox in draw(st.lists(st.sampled_from(["Sent", "Trash", "Sent Messages", "Junk"]), max_size=3)):
            lines += [f'  mailbox "{mbox}" {{', "    auto = subscribe", "  }"]
        return [*lines, "}"]
    if kind == "plugin":
        keys = draw(st.lists(st.sampled_from(["quota", "sieve", "zlib_save", "quota_rule"]), max_size=3))
        return ["plugin {"] + [f"  {k} = v{i}" for i, k in enumerate(keys)] + ["}"]
    heads = draw(
        st.sampled_from(
            [
                ["protocol imap"],
                ["protocol pop3"],
                ["protocol !imap"],
                ["remote 10.0.0.0/8"],
                ["remote 10.1.2.3/16", "protocol imap"],
                ["local 127.0.0.1"],
                ["local 127.0.0.1", "remote ::1", "protocol pop3"],
                ["local_name mail"],
                ["local_name mail.example.com", "protocol imap"],
            ]
        )
    )
    lines = [("  " * i) + h + " {" for i, h in enumerate(heads)]
    lines += draw(assignments(FILTER_VALUES, "  " * len(heads)))
    lines += [("  " * i) + "}" for i in reversed(range(len(heads)))]
    return lines


# values doveconf 2.3 refuses only after reading (checks of its settings roots; errors without a line)
CHECK_FAILURES = [
    ["pop3_uidl_format = x"],
    ["auth_worker_max_count = 0"],
    ["director_user_expire = 1s"],
    ["syslog_facility = foo"],
    ["mail_attachment_hash = a-b"],
    ["imap_client_workarounds = foo"],
    ["imapc_features = foo"],
    ["pop3c_features = foo"],
    ["pop3_client_workarounds = foo"],
    ["ssl_options = foo"],
    ["managesieve_client_workarounds = foo"],
    ["submission_client_workarounds = foo"],
    ["log_debug = ("],
    ["auth_verbose_passwords = foo"],
    ["first_valid_uid = 10", "last_valid_uid = 5"],
    ["namespace inbox {", "  separator = ab", "}"],
    ["metric m {", "}"],
    ["metric m {", "  filter = event=x and", "}"],
    ["passdb {", "  args = x", "}"],
    ["service imap {", "  vsz_limit = 1k", "}"],
    ["service anvil {", "  process_limit = 2", "}"],
    ["service imap-login {", "  inet_listener imapx {", "    port = 143", "  }", "}"],
]


@st.composite
def failing_block(draw: st.DrawFn) -> list[str]:
    """A value refused by a check after reading, at the top level or inside a filter."""
    lines = draw(st.sampled_from(CHECK_FAILURES))
    heads = draw(
        st.sampled_from([[], [], ["protocol imap"], ["protocol pop3"], ["remote 10.0.0.0/8"], ["local_name m"]])
    )
    out = [("  " * i) + h + " {" for i, h in enumerate(heads)]
    out += ["  " * len(heads) + ln for ln in lines]
    return out + [("  " * i) + "}" for i in reversed(range(len(heads)))]


@st.composite
def continued(draw: st.DrawFn) -> list[str]:
    """A value split with a trailing backslash (doveconf joins with one space)."""
    key = draw(st.sampled_from(["auth_mechanisms", "login_greeting", "mail_plugins"]))
    a = draw(st.sampled_from(["plain", "a", "quota"]))
    b = draw(st.sampled_from(["login", "b c", "zlib"]))
    sep = draw(st.sampled_from([" \\", "\\", "  \\"]))
    return [f"{key} = {a}{sep}", f"  {b}"]


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str]:
    files: dict[str, list[str]] = {"dovecot.conf": []}
    parts = draw(
        st.lists(
            st.one_of(assignments(GLOBAL_VALUES, ""), service_block(), misc_block(), continued(), failing_block()),
            max_size=8,
        )
    )
    if draw(st.booleans()):
        parts.append(["!include_try local.conf"])
    indent = draw(st.sampled_from(["", "\t"]))
    parts = [[indent + ln if ln.startswith(" ") else ln for ln in p] for p in parts]
    include_at = draw(st.integers(min_value=0, max_value=len(parts)))
    for i, p in enumerate(parts):
        if i == include_at and i > 0:
            files["dovecot.conf"].append("!include conf.d/*.conf")
            files.setdefault("conf.d/10-a.conf", [])
        target = "conf.d/10-a.conf" if (i > include_at and i % 2) else "dovecot.conf"
        files.setdefault(target, []).extend(p)
    return {k: "\n".join(v) + "\n" for k, v in files.items()}


def cli(*args: str) -> tuple[int, str, str]:
    """mailconf's doveconf command run in this process: exit status, stdout, stderr."""
    import contextlib
    import io

    from mailconf.cli._doveconf import run

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = run(list(args))
    return rc, out.getvalue(), err.getvalue()


def real_whole(exe: str, *args: str) -> tuple[int, str, str]:
    proc = subprocess.run([exe, *args], capture_output=True, timeout=60)
    return proc.returncode, strip_header(proc.stdout.decode("latin-1")), proc.stderr.decode("latin-1")


@given(trees())
def test_generated_trees_agree(tree: dict[str, str]) -> None:
    """Whole output (exit status, stdout, stderr) of the command, failing trees included."""
    exe = need_23()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in tree.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        conf = str(root / "dovecot.conf")
        assert cli("-c", conf, "-n") == real_whole(exe, "-c", conf, "-n")


def test_cli_matches_doveconf_exit_and_message(tmp_path: Path) -> None:
    exe = need_23()
    f = tmp_path / "dovecot.conf"
    f.write_text("auth_debug = yes\nssl = maybe\n")
    proc = subprocess.run(
        [sys.executable, "-m", "mailconf", "doveconf", "-c", str(f), "-n"], capture_output=True, text=True
    )
    assert proc.returncode == 89
    fatal = f"doveconf: Fatal: Error in configuration file {f} line 2: Invalid value: maybe\n"
    assert fatal in proc.stderr and "Traceback" not in proc.stderr
    want = subprocess.run([exe, "-c", str(f), "-n"], capture_output=True, text=True)
    assert proc.stderr == want.stderr


# Whole stderr and stdout as doveconf 2.3 prints them. With Pigeonhole installed, doveconf runs
# managesieve-login for the capability lines, which reads the same files first: its warnings come
# twice, and a refused file gives its Fatal, "Error: managesieve-login: dump-capability process
# returned 89", then doveconf's own Fatal.
WHOLE_OUTPUT = {
    # special_use words: RFC 6154's and \\Important, any case; the mail user root's first failure
    "special-use": (
        "protocols = imap\nnamespace a {\n  mailbox Sent {\n    special_use = \\sent  \\Junk\n  }\n"
        "  mailbox x {\n    special_use = \\Foo \\All,\\Sent\n  }\n}\nnamespace b {\n  separator = ab\n}\n"
        "auth_worker_max_count = 0\n"
    ),
    "special-use-after-the-separator": "namespace a {\n separator = ab\n mailbox x {\n  special_use = \\Foo\n }\n}\n",
    # a named section two /0 filters open: the global settings show the first block's opening
    # settings (a namespace's prefix) under the later blocks' own settings and same-named sections
    "zero-filters-open-the-same-namespace": (
        "remote 0.0.0.0/0 {\n  namespace a {\n    prefix = x/\n    separator = /\n    mailbox Sent {\n"
        "      auto = subscribe\n    }\n    mailbox Junk {\n      auto = subscribe\n    }\n  }\n}\n"
        "remote ::/0 {\n  namespace a {\n    location = maildir:~/y\n    mailbox Sent {\n      auto = create\n"
        "    }\n    mailbox Trash {\n      auto = create\n    }\n  }\n}\n"
    ),
    "zero-filters-open-the-same-metric-and-service": (
        "remote 0.0.0.0/0 {\n  metric m {\n    filter = event=x\n  }\n  service foo {\n    executable = x\n"
        "    inet_listener l {\n      port = 1\n    }\n  }\n}\nremote ::/0 {\n  metric m {\n    exporter = e\n  }\n"
        "  service foo {\n    executable = y\n    inet_listener l {\n      port = 2\n    }\n  }\n}\n"
    ),
    "zero-filters-nested-open-the-same-metric": (
        "login_greeting = hi\nremote 0.0.0.0/0 {\nmetric m {\n  filter = event=x\n}\nlocal ::/0 {\nmetric m {\n"
        "  filter = event=x\n}\n}\n}\n"
    ),
    "zero-filters-over-a-global-namespace": (
        "namespace a {\n  separator = /\n}\nremote 0.0.0.0/0 {\n  namespace a {\n    prefix = x/\n  }\n}\n"
        "remote ::/0 {\n  namespace a {\n    prefix = y/\n  }\n}\n"
    ),
    "warning-only": "protocols = imap\nssl_protocols = !SSLv3\n",
    "unknown-section-at-the-end": "protocols = imap\nfoo {\n",  # Unknown setting, not Missing '}'
    "unknown-setting-before-a-stray-brace": "foo = bar\nprotocols = imap\n}\n",
    "stray-brace": "protocols = imap\nmail_location = maildir:~/M\n}\n",
    "warning-then-conflict": (
        "protocols = imap\nssl_protocols = !SSLv3\nprotocol imap {\n  disable_plaintext_auth = yes\n}\n"
        "remote 10.1.2.3/16 {\n  protocol imap {\n    disable_plaintext_auth = no\n  }\n}\n"
    ),
    "bad-value-after-warning": "ssl_protocols = !SSLv3\nssl = maybe\n",
    # doveconf's own run warns at each check (the global one, each filter's) and once more for its output
    "base-dir-prefix": "service auth {\n  unix_listener /run/dovecot/auth-x {\n  }\n}\n",
    "base-dir-prefix-with-filters": (
        "auth_cache_size = 1\nbase_dir = /tmp/bd/\nservice auth {\n  unix_listener /tmp/bdx/a {\n  }\n"
        "  fifo_listener /tmp/bd/f {\n  }\n  unix_listener /tmp/bd/y {\n  }\n}\n"
        "service imap {\n  unix_listener /tmp/bd/z {\n  }\n}\nssl = no\nprotocol imap {\n  ssl = yes\n}\n"
        "remote 1.2.3.4 {\n}\nlocal ::/0 {\n  ssl = no\n}\n"
    ),
    # checks after reading: the managesieve-login run checks only managesieve's settings roots (here
    # the mail storage's pop3_uidl_format, not auth's) and fails first, without capability lines;
    # doveconf's output has an Error line per failing root; its own Fatal is the first in root order
    "check-managesieve-run-fails-on-its-roots": (
        "protocols = imap pop3\npop3_uidl_format = x\nauth_worker_max_count = 0\n"
    ),
    "check-managesieve-run-passes": "protocols = imap pop3\nauth_worker_max_count = 0\n",
    "check-only-in-a-filter": "protocols = imap pop3\nprotocol imap {\n  pop3_uidl_format = x\n}\n",
    "check-filter-after-global": (
        "protocols = imap pop3\nprotocol pop3 {\n  syslog_facility = foo\n}\nservice imap {\n  vsz_limit = 1k\n}\n"
    ),
    "check-one-error-per-root": (
        "syslog_facility = foo\nlog_debug = (\nmail_attachment_hash = a-b\npop3_uidl_format = x\n"
        "imapc_features = foo\nnamespace inbox {\n  separator = ab\n}\npop3_client_workarounds = foo\n"
    ),
    # services in doveconf's order: auth before anvil, the file's own services last
    "check-service-order": (
        "service zz {\n  vsz_limit = 1k\n}\nservice anvil {\n  process_limit = 2\n}\n"
        "service auth {\n  process_limit = 2\n}\n"
    ),
    # each service in turn: vsz_limit, process_limit, then its listeners' base_dir warnings
    "check-base-dir-warnings-service-by-service": (
        "service auth {\n  unix_listener /run/dovecot/x {\n  }\n}\n"
        "service zz {\n  unix_listener /run/dovecot/y {\n  }\n  vsz_limit = 1k\n}\n"
    ),
    "base-dir-warnings-in-service-order": (
        "protocols = imap\nservice auth {\n  unix_listener /run/dovecot/x {\n  }\n}\n"
        "service imap {\n  unix_listener /run/dovecot/y {\n  }\n}\n"
    ),
    "check-two-roots-for-submission-workarounds": "submission_client_workarounds = foo\n",
    "check-ssl-settings-not-checked-with-ssl-no": "ssl = no\nssl_options = foo\nprotocol imap {\n  ssl = yes\n}\n",
    "check-ssl-warning-from-the-managesieve-run": (
        "first_valid_uid = 10\nlast_valid_uid = 5\nssl = no\nprotocol imap {\n  ssl = yes\n}\n"
    ),
    "check-base-dir-warning-before-process-limit": (
        "service auth {\n  unix_listener /run/dovecot/auth-x {\n  }\n}\nservice anvil {\n  process_limit = 2\n}\n"
    ),
    "check-no-base-dir-warning-after-protocols": (
        "protocols = imap foo\nservice auth {\n  unix_listener /run/dovecot/auth-x {\n  }\n}\n"
    ),
    "check-listener-added-in-a-filter": (
        "protocol imap {\n  service imap-login {\n    inet_listener imapx {\n      port = 143\n    }\n  }\n}\n"
    ),
    "check-event-filter-percent": "log_debug = a=%u\n",
    "check-metric-filter-syntax": "metric m {\n  filter = event=x and\n}\n",
    "check-metric-filter-inequality": "metric m {\n  filter = event>x\n}\n",
    "check-conflict-after-a-managesieve-failure": (
        "protocol imap {\n  pop3_uidl_format = x\n}\nprotocol pop3 {\n  disable_plaintext_auth = yes\n}\n"
        "remote 10.1.2.3/16 {\n  protocol pop3 {\n    disable_plaintext_auth = no\n  }\n}\n"
    ),
    # the managesieve-login run reads with values expanded: <file read for the settings it reads
    # (empty for the others), every $name replaced (its block's value), "Unknown variable" otherwise
    "helper-reads-the-file": "mail_save_crlf = <dovecot.conf\n",
    "helper-reads-nothing-for-other-roots": "auth_debug = <dovecot.conf\n",
    "helper-missing-file": "mail_location = <nofile\nssl = maybe\n",
    "helper-expands-names": "mail_debug = yes\nprotocol imap {\n  mail_save_crlf = x $mail_debug\n}\n",
    "helper-unknown-variable": "login_greeting = x $nosuch\n",
    "helper-passes-where-doveconf-fails": "mail_save_crlf = $mail_debug\n",
    "open-quote-not-expanded": "login_greeting = ' $\n",
    # and checks what it read: the file's text, the expanded value
    "helper-checks-the-file-text": "log_debug = <dovecot.conf\nauth_worker_max_count = 0\n",
    "helper-checks-the-expanded-value": "imapc_features = x $auth_cache_size\n",
    # a value is expanded and parsed before the setting's place is judged
    "unknown-setting-naming-itself": "quota = x $quota\n",
    "unknown-setting-with-unknown-variable": "quota = $bar\n",
    "unknown-setting-naming-itself-in-a-section": "service x {\n  instance_name = $instance_name\n}\n",
    "value-parsed-before-the-auth-filter-rule": "local_name mail {\n  last_valid_uid = x\n}\n",
    "auth-filter-rule-in-the-expanded-value": "remote 1.2.3.4 {\n  auth_debug = $mail_debug\n}\n",
    # doveconf stops reading at an error: no ambiguous-'#' warning for the lines after it
    "hash-warnings-stop-at-the-error": (
        "login_greeting = x#glued\nlocal_name m {\n  auth_worker_max_count = 0\n}\nlogin_greeting = x#glued\n"
    ),
    "hash-warnings-before-a-syntax-error-in-a-section": "plugin {\n  k\tb#\\ = v\n}\n",
    "hash-warnings-before-a-syntax-error": "login_greeting = a#b\nprotocol imap x#y\nssl = x#z\n",
    "namespace-mail-location-is-its-location": (
        "mail_location = maildir:~/M\nnamespace {\n  mail_location = $mail_location y\n}\n"
        "namespace b {\n  mail_location = 1\n  prefix = b/\n}\n"
    ),
    "global-after-filter-continued-line": "protocol imap {\n  login_greeting = a\n}\nlogin_greeting = b \\\n  c\n",
}


@pytest.mark.parametrize("name", sorted(WHOLE_OUTPUT))
def test_cli_prints_what_doveconf_prints(name: str, tmp_path: Path) -> None:
    exe = need_23()
    f = tmp_path / "dovecot.conf"
    f.write_text(WHOLE_OUTPUT[name])
    want = subprocess.run([exe, "-c", str(f), "-n"], capture_output=True, text=True)
    got = subprocess.run(
        [sys.executable, "-m", "mailconf", "doveconf", "-c", str(f), "-n"], capture_output=True, text=True
    )
    assert (got.returncode, got.stderr, got.stdout) == (want.returncode, want.stderr, strip_header(want.stdout))


LOOKUP_REFUSED = "protocols = imap pop3\npop3_uidl_format = x\nservice imap {\n  vsz_limit = 1k\n}\n"


@pytest.mark.parametrize(
    "args",
    [["-a"], ["pop3_uidl_format"], ["-h", "pop3_uidl_format"], ["service/imap"], ["service/imap", "ssl", "namespace"]],
)
def test_refused_file_modes_and_lookups(args: list[str], tmp_path: Path) -> None:
    """A file refused by checks after reading: -a fails as -n does; a lookup prints its values and
    succeeds (no Fatal; the Error lines once for each name answered with a section)."""
    exe = need_23()
    f = tmp_path / "dovecot.conf"
    f.write_text(LOOKUP_REFUSED)
    assert cli("-c", str(f), *args) == real_whole(exe, "-c", str(f), *args)


# ------------------------------------------------------------------ token soup

TOKENS = [
    "ssl",
    "=",
    " ",
    "\t",
    "yes",
    "no",
    "{",
    "}",
    '"',
    "'",
    "\\",
    "#",
    "$ssl",
    "$",
    "<",
    "/tmp/x",
    "\n",
    "\n",
    "protocol",
    "imap",
    "service",
    "auth",
    "plugin",
    "namespace",
    "inbox",
    "mail_plugins",
    "login_greeting",
    "a b",
    "!include",
    "!include_try",
    "x.conf",
    "\r\n",
    "remote",
    "10.0.0.0/8",
    "passdb",
    "driver",
    "pam",
    "mode",
    "0660",
    "local",
    "127.0.0.1",
    "unix_listener",
    "path",
]


@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=40))
def test_token_soup_agrees(tokens: list[str]) -> None:
    """Arbitrary token sequences: the whole output (exit status, stdout, stderr) doveconf gives, never a crash."""
    exe = need_23()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "dovecot.conf"
        f.write_text("".join(tokens))
        assert cli("-c", str(f), "-n") == real_whole(exe, "-c", str(f), "-n")


# ------------------------------------------------------------------ any setting, any value

ANY_VALUES = [
    "yes",
    "no",
    "0",
    "1",
    "10",
    "010",
    "0660",
    "660",
    "1k",
    "10 M",
    "5 s",
    "2 mins",
    "1 hours",
    "100ms",
    "",
    "a b",
    '"q x"',
    "'s'",
    "$SELF",
    "$SELF x",
    "x $OTHER",
    "<file",
    "required",
    "optimized",
    "imap pop3",
    "-1",
    "1d",
    "7 weeks",
    "plain login",
    "%u",
    "foo#bar",
    "a # c",
    "65535",
    "65536",
    "1G",
    "99999999999",
]
BLOCKS = [
    "service imap",
    "service imap-login",
    "service auth",
    "service x",
    "namespace inbox",
    "namespace",
    "passdb",
    "userdb",
    "plugin",
    "protocol imap",
    "protocol !imap",
    "remote 10.0.0.0/8",
    "local 127.0.0.1",
    "local_name mail",
    "inet_listener imap",
    "unix_listener auth-userdb",
    'mailbox "Sent Messages"',
]


@st.composite
def catalogue_lines(draw: st.DrawFn) -> str:
    from mailconf.dovecot.catalogue import load_23

    keys = [*sorted(load_23().settings), "user", "port", "mode", "driver", "args", "prefix", "inbox", "quota"]
    lines: list[str] = []
    depth = 0
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        choice = draw(st.integers(min_value=0, max_value=9))
        if choice == 0 and depth < 3:
            lines.append("  " * depth + draw(st.sampled_from(BLOCKS)) + " {")
            depth += 1
        elif choice == 1 and depth:
            depth -= 1
            lines.append("  " * depth + "}")
        else:
            key = draw(st.sampled_from(keys))
            value = draw(st.sampled_from(ANY_VALUES))
            value = value.replace("SELF", key).replace("OTHER", draw(st.sampled_from(keys)))
            lines.append(("  " * depth + f"{key} = {value}").rstrip())
    lines += ["  " * d + "}" for d in reversed(range(depth))]
    return "\n".join(lines) + "\n"


@given(catalogue_lines())
def test_any_setting_any_value_agrees(text: str) -> None:
    """Every setting of the catalogue with typed, untyped, quoted and broken values, in and out of
    sections and filters: the whole output (exit status, stdout, stderr) doveconf gives."""
    exe = need_23()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "dovecot.conf"
        f.write_text(text)
        (Path(tmp) / "file").write_text("x\n")
        assert cli("-c", str(f), "-n") == real_whole(exe, "-c", str(f), "-n")


# ------------------------------------------------------------------ quoting and odd characters

TEMPLATES = [
    "namespace inbox {\n  mailbox %s {\n    auto = create\n  }\n}\n",
    "login_greeting = %s\n",
    "plugin {\n  k%s = v\n}\n",
    "plugin {\n  key = %s\n}\n",
    "service %s {\n  user = x\n}\n",
    "mail_plugins = a\nmail_plugins = %s\n",
]


@given(st.sampled_from(TEMPLATES), st.text(alphabet="\"'\\#{} ab\t=$<", max_size=8))
def test_odd_characters_agree(template: str, fragment: str) -> None:
    """Quotes, backslashes, braces, comments and blanks in names and values, as doveconf reads them:
    the whole output (exit status, stdout, stderr). A section name with a tab makes doveconf 2.3
    abort (an assertion in its parser): mailconf refuses it instead, so those cases are left out."""
    exe = need_23()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "dovecot.conf"
        f.write_text(template % fragment)
        want = real_whole(exe, "-c", str(f), "-n")
        assume(want[0] >= 0)
        assert cli("-c", str(f), "-n") == want
