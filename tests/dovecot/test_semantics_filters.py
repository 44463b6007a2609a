"""What doveconf 2.3 checks once a file is read, filter by filter: conflicts between overlapping
filters, the checks of each filter's merged settings (and their order), the warning for a global
setting after a filter that set it, the refusals of nested filters.

Every expected message below is what the real doveconf 2.3.19.1 printed for the same text; the
oracle tests at the end compare them with the installed doveconf again, and compare generated
trees of overlapping filters.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailconf.cli._doveconf import run as doveconf_run
from mailconf.dovecot.config import load_config
from mailconf.errors import ParseError
from tests.support import require_doveconf_generation

CONFLICT = "Conflict in setting {} found from filter at {{f}}:{}"

# (text, the check error doveconf ends with (``{f}``: the file), or None when it accepts the file)
EF_START = "expecting TOKEN or STRING or NOT or '('"
CASES: list[tuple[str, str | None]] = [
    # issue #3: the same setting in protocol imap and in remote { protocol imap }, same value
    (
        "protocol imap {\n  disable_plaintext_auth = yes\n}\n"
        "remote 10.1.2.3/16 {\n  protocol imap {\n    disable_plaintext_auth = yes\n  }\n}\n",
        CONFLICT.format("disable_plaintext_auth", 1),
    ),
    # the same, the more general filter last in the file: still the protocol block is named
    (
        "remote 10.0.0.0/8 {\n  protocol imap {\n    ssl = no\n  }\n}\nprotocol imap {\n  ssl = yes\n}\n",
        CONFLICT.format("ssl", 6),
    ),
    # set in remote {} itself, not in remote { protocol imap }: the remote block's value counts
    (
        "protocol imap {\n  ssl = yes\n}\nremote 10.0.0.0/8 {\n  ssl = no\n  protocol imap {\n  }\n}\n",
        CONFLICT.format("ssl", 1),
    ),
    # no filter is both remote and protocol imap: no connection sees both values
    ("protocol imap {\n  ssl = yes\n}\nremote 10.0.0.0/8 {\n  ssl = no\n}\n", None),
    # no remote { protocol imap } setting the same name
    ("protocol imap {\n  ssl = yes\n}\nremote 10.0.0.0/8 {\n  protocol imap {\n  }\n}\n", None),
    # networks inside networks are supersets of each other: no conflict
    (
        "remote 10.0.0.0/8 {\n  ssl = yes\n}\nremote 10.1.0.0/16 {\n  protocol imap {\n    ssl = no\n  }\n}\n",
        None,
    ),
    # local_name, then protocol: the protocol block is not a superset of local_name
    (
        "protocol imap {\n  ssl = yes\n}\nlocal_name foo {\n  protocol imap {\n    ssl = no\n  }\n}\n",
        CONFLICT.format("ssl", 1),
    ),
    # a negated protocol is compared as a string: !pop3 applies to protocol !imap
    (
        "protocol !pop3 {\n  ssl = yes\n}\nremote 10.0.0.0/8 {\n  protocol !imap {\n    ssl = no\n  }\n}\n",
        CONFLICT.format("ssl", 1),
    ),
    ("protocol pop3 {\n  ssl = yes\n}\nremote 10.0.0.0/8 {\n  protocol !imap {\n    ssl = no\n  }\n}\n", None),
    (
        "protocol !imap {\n  ssl = yes\n}\nremote 10.0.0.0/8 {\n  protocol pop3 {\n    ssl = no\n  }\n}\n",
        CONFLICT.format("ssl", 1),
    ),
    # local_name patterns: * is one label, ? one character, case ignored, a list of names
    *[
        (
            f"local_name {name} {{\n  ssl = yes\n}}\nlocal_name mail.example.com {{\n  protocol imap {{\n  }}\n}}\n"
            "protocol imap {\n  ssl = no\n}\n",
            CONFLICT.format("ssl", 8) if conflict else None,
        )
        for name, conflict in [
            ("*.example.com", True),
            ("MAIL.example.com", True),
            ('"x mail.example.com"', True),
            ("?ail.example.com", True),
            ("*.com", False),
            ("mail.example.*", False),
            ("*", False),
        ]
    ],
    # a local_name list does not apply to itself: its own settings are not merged or checked
    ('local_name "a b" {\n  pop3_uidl_format = x\n}\n', None),
    # named sections conflict on their name setting (metric: metric_name); plugin {} merges
    (
        "protocol imap {\n  service imap {\n  }\n}\nremote 10.0.0.0/8 {\n  protocol imap {\n"
        "    service imap {\n    }\n  }\n}\n",
        CONFLICT.format("name", 1),
    ),
    (
        "protocol imap {\n  metric m {\n    filter = event=x\n  }\n}\nremote 10.0.0.0/8 {\n  protocol imap {\n"
        "    metric m {\n      filter = event=x\n    }\n  }\n}\n",
        CONFLICT.format("metric_name", 1),
    ),
    (
        "protocol imap {\n  namespace inbox {\n  }\n}\nremote 10.0.0.0/8 {\n  protocol imap {\n"
        "    namespace other {\n    }\n  }\n}\n",
        None,
    ),
    (
        "protocol imap {\n  plugin {\n    a = 1\n  }\n}\nremote 10.0.0.0/8 {\n  protocol imap {\n"
        "    plugin {\n      a = 2\n    }\n  }\n}\n",
        None,
    ),
    # several conflicts: doveconf's setting order decides which one is named (mail_plugins before ssl
    # would be alphabetical; doveconf names ssl)
    (
        "protocol imap {\n  mail_plugins = x\n  ssl = yes\n}\nremote 10.0.0.0/8 {\n  protocol imap {\n"
        "    mail_plugins = y\n    ssl = no\n  }\n}\n",
        CONFLICT.format("ssl", 1),
    ),
    # filters are checked in the order they were first opened
    (
        "protocol imap {\n  ssl = yes\n}\nprotocol pop3 {\n  ssl = yes\n}\nremote 10.0.0.0/8 {\n"
        "  protocol pop3 {\n    ssl = no\n  }\n  protocol imap {\n    ssl = no\n  }\n}\n",
        CONFLICT.format("ssl", 4),
    ),
    # each filter is checked with the settings of the filters that apply to it: remote 10.0.0.0/16 applies
    # to remote 10.0.0.0/8 (doveconf compares the address only), and director_user_expire is checked first
    (
        "remote 10.0.0.0/8 {\n  pop3_uidl_format = x\n}\nremote 10.0.0.0/16 {\n  director_user_expire = 5s\n}\n",
        "director_user_expire is too low",
    ),
    (
        "remote 10.0.0.0/8 {\n  pop3_uidl_format = x\n}\nremote 192.168.0.0/16 {\n  director_user_expire = 5s\n}\n",
        "pop3_uidl_format setting doesn't contain any %% variables.",
    ),
    # the checks' order inside one scope is doveconf's, not the file's
    ("pop3_uidl_format = x\ndirector_user_expire = 5s\n", "director_user_expire is too low"),
    (
        "pop3_uidl_format = x\nnamespace inbox {\n  separator = //\n}\n",
        "pop3_uidl_format setting doesn't contain any %% variables.",
    ),
    (
        "service anvil {\n  process_limit = 2\n}\nservice auth {\n  vsz_limit = 10k\n}\n",
        "service(auth): vsz_limit is too low",
    ),
    # services of protocols that are not enabled are not checked (protocols is empty with -c FILE)
    ("service imap {\n  vsz_limit = 10k\n}\n", None),
    ("protocols = imap\nservice imap {\n  vsz_limit = 10k\n}\n", "service(imap): vsz_limit is too low"),
    # unix listeners: a relative path is under base_dir; only services of enabled protocols count
    (
        "service a {\n  unix_listener x {\n  }\n}\nservice b {\n  unix_listener /run/dovecot/x {\n  }\n}\n",
        "duplicate listener: /run/dovecot/x",
    ),
    ("service myservice {\n  unix_listener auth-userdb {\n  }\n}\n", "duplicate listener: /run/dovecot/auth-userdb"),
    (
        "base_dir = /tmp/bd\nservice a {\n  unix_listener x {\n  }\n}\nservice b {\n  fifo_listener x {\n  }\n}\n",
        "duplicate listener: /tmp/bd/x",
    ),
    (
        "service imap {\n  unix_listener imap-master {\n  }\n}\n"
        "service pop3 {\n  unix_listener imap-master {\n  }\n}\n",
        None,
    ),
    # a filter's unnamed service comes after the built-in ones, before later global ones
    ("local 10.0.0.1 {\n  service {\n  }\n}\nservice myservice {\n}\n", "Service #32 is missing name"),
    # a /0 network is no condition: auth sections are allowed in it, and other filters may go inside
    ("remote 0.0.0.0/0 {\n  passdb {\n    driver = static\n  }\n}\n", None),
    ("remote 0.0.0.0/0 {\n  local 1.2.3.4 {\n    ssl = no\n  }\n}\n", None),
    # ... and its settings are checked with the global ones (the global check's order decides)
    (
        "pop3_uidl_format = x\nlocal ::/0 {\n  director_user_expire = 5s\n}\n",
        "director_user_expire is too low",
    ),
    (
        "local ::/0 {\n  director_user_expire = 5s\n}\nremote 0.0.0.0/0 {\n  pop3_uidl_format = x\n}\n",
        "director_user_expire is too low",
    ),
    # the event filter parser's own words: the token it met, and the ones it expected when Bison lists them
    ("log_debug = event=x and\n", "Invalid log_debug: event filter: syntax error, unexpected $end, " + EF_START),
    (
        "log_debug = (a=b\n",
        "Invalid log_debug: event filter: syntax error, unexpected $end, expecting AND or OR or ')'",
    ),
    (
        "log_debug = a b\n",
        "Invalid log_debug: event filter: syntax error, unexpected TOKEN, expecting '=' or '>' or '<'",
    ),
    ("log_debug = a==b\n", "Invalid log_debug: event filter: syntax error, unexpected '='"),
    ("log_debug = a=b;\n", "Invalid log_debug: event filter: syntax error, unexpected $undefined, expecting $end"),
    ("log_debug = ) a\n", "Invalid log_debug: event filter: syntax error, unexpected ')', expecting $end"),
    ('log_debug = a="b c\n', "Invalid log_debug: event filter: syntax error, unexpected $end"),
    ('log_debug = a="x\\"y" or not (b>=2)\n', None),
    # only fields compare with < and >; the name and the category do not (before any later syntax error)
    ("log_debug = event>x )\n", "Invalid log_debug: event filter: Only fields support inequality comparisons"),
    (
        "log_core_filter = category<=x\n",
        "Invalid log_core_filter: event filter: Only fields support inequality comparisons",
    ),
    ("log_debug = source>x\n", None),
    # ::ffff:a.b.c.d is compared as a.b.c.d: inside 10.0.0.0/8, but not inside its own IPv6 network
    ("remote 10.0.0.0/8 {\n  remote ::ffff:10.0.0.0/104 {\n  }\n}\n", None),
    ("remote ::ffff:10.0.0.0/104 {\n  director_user_expire = 5s\n}\n", None),
]


def _fatal(text: str, tmp_path: Path) -> str | None:
    f = tmp_path / "dovecot.conf"
    f.write_text(text)
    try:
        load_config(f)
    except ParseError as exc:
        assert exc.line == 0, exc
        return exc.message.replace(str(f), "{f}")
    return None


@pytest.mark.parametrize(("text", "error"), CASES)
def test_checks_after_reading(text: str, error: str | None, tmp_path: Path) -> None:
    assert _fatal(text, tmp_path) == error


def test_conflict_from_an_include_names_the_filter_file(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "dovecot.conf").write_text("!include conf.d/*.conf\nprotocol imap {\n  ssl = yes\n}\n")
    (tmp_path / "conf.d/10-a.conf").write_text("remote 10.1.2.3/16 {\n  protocol imap {\n    ssl = no\n  }\n}\n")
    with pytest.raises(ParseError) as info:
        load_config(tmp_path / "dovecot.conf")
    assert info.value.message == f"Conflict in setting ssl found from filter at {tmp_path}/dovecot.conf:2"
    assert info.value.path == str(tmp_path / "dovecot.conf")


def test_check_error_carries_the_settings_doveconf_prints_first(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text("protocol imap {\n  ssl = yes\n}\nremote 10.0.0.0/8 {\n  protocol imap {\n    ssl = no\n  }\n}\n")
    with pytest.raises(ParseError) as info:
        load_config(f)
    partial = info.value.partial  # type: ignore[attr-defined]
    # managesieve-login fails on the conflict too: doveconf prints no capability lines
    assert partial.dump("n") == (
        "protocol imap {\n  ssl = yes\n}\nremote 10.0.0.0/8 {\n  protocol imap {\n    ssl = no\n  }\n}\n"
    )


WARNING = (
    "{f} line {g}: Global setting {k} won't change the setting inside an earlier filter at {f} line {l} "
    "(if this is intentional, avoid this warning by moving the global setting before {f} line {l})"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # every later global setting of the name, naming the first filter that set it
        (
            "protocol imap {\n  ssl = yes\n}\nremote 10.0.0.0/8 {\n  ssl = no\n}\nssl = required\nssl = yes\n",
            [("ssl", 7, 2), ("ssl", 8, 2)],
        ),
        # settings inside sections (service, plugin, namespace) do not count
        (
            "protocol imap {\n  service imap {\n    user = x\n  }\n  plugin {\n    ssl = x\n  }\n"
            "  mail_plugins = $mail_plugins x\n}\nservice imap {\n  user = y\n}\nssl = yes\nmail_plugins = y\n",
            [("mail_plugins", 14, 8)],
        ),
        # a converted obsolete setting counts under its new name
        ("protocol imap {\n  ssl_cert_file = /x\n}\nssl_cert = </etc/passwd\n", [("ssl_cert", 4, 2)]),
        # a global setting before the filter: no warning
        ("ssl = yes\nprotocol imap {\n  ssl = no\n}\n", []),
        # a list assignment counts too
        ("local 10.0.0.0/8 {\n  namespace = a b\n}\nnamespace = a b\n", [("namespace", 4, 2)]),
        # doveconf's auth_cache_size conversion does not warn
        ("protocol lmtp {\n  auth_cache_size = 1M\n}\nauth_cache_size = 10\n", []),
    ],
)
def test_global_setting_after_a_filter_warns(text: str, expected: list[tuple[str, int, int]], tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(text)
    got = [w for w in load_config(f).warnings if "Global setting" in w]
    assert got == [WARNING.format(f=f, g=g, k=k, l=line) for k, g, line in expected]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "local_name x {\n  remote 10.0.0.0/8 {\n    protocol imap {\n      local 1.2.3.4 {\n"
            "      }\n    }\n  }\n}\n",
            4,
            "remote { local { .. } } not allowed (use local { remote { .. } } instead)",
        ),
        (
            "local_name x {\n  protocol imap {\n    local 1.2.3.4 {\n    }\n  }\n}\n",
            3,
            "protocol { local { .. } } not allowed (use local { protocol { .. } } instead)",
        ),
        (
            "remote 10.0.0.0/8 {\n  remote 0.0.0.0/0 {\n  }\n}\n",
            2,
            "remote net1 { remote net2 { .. } } requires net2 to be inside net1",
        ),
        # a filter inside a section that is not a built-in service is refused the same way
        (
            "protocol !pop3 {\n  service myservice {\n    protocol imap {\n      user = x\n    }\n  }\n}\n",
            3,
            "Nested protocol { protocol { .. } } block not allowed",
        ),
    ],
)
def test_nested_filter_refusals(text: str, line: int, message: str, tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(text)
    with pytest.raises(ParseError) as info:
        load_config(f)
    assert (info.value.line, info.value.message) == (line, message)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no header; the settings also in the global part (-n: only those not at their default)
        (
            "remote 0.0.0.0/0 {\n  director_user_expire = 15 min\n  ssl = no\n}\n",
            "ssl = no\ndirector_user_expire = 15 mins\nssl = no\n",
        ),
        # string lists merge into the global one; list entries are added without their name setting
        (
            "remote 0.0.0.0/0 {\n  plugin {\n    a = b\n  }\n  passdb {\n    driver = static\n  }\n}\n"
            "plugin {\n  c = d\n}\n",
            "passdb {\n  driver = static\n}\nplugin {\n  a = b\n  c = d\n}\n"
            "passdb {\n  driver = static\n  name = \n}\nplugin {\n  a = b\n}\n",
        ),
        # a named section merges into the global one of its name (whose own values win), a new one
        # stays in the filter; a new namespace shows in the global part with only its implicit settings
        (
            "remote 0.0.0.0/0 {\n  service pop3-login {\n    process_limit = 2\n    user = x\n  }\n"
            "  service myservice {\n    user = x\n  }\n  namespace inbox {\n    inbox = yes\n  }\n}\n"
            "service pop3-login {\n  user = y\n}\n",
            "namespace inbox {\n  location = \n  prefix = \n}\nservice pop3-login {\n  process_limit = 2\n"
            "  user = y\n}\nnamespace inbox {\n  inbox = yes\n  location = \n  prefix = \n}\n"
            "service myservice {\n  user = x\n}\nservice pop3-login {\n  process_limit = 2\n  user = x\n}\n",
        ),
        # listen with a port is converted as a global one
        (
            "remote 0.0.0.0/0 {\n  listen = *:10143\n}\n",
            "listen = *\nservice imap-login {\n  inet_listener imap {\n    port = 10143\n  }\n}\n"
            "service pop3-login {\n  inet_listener pop3 {\n    port = 10143\n  }\n}\n",
        ),
    ],
)
def test_a_zero_network_filter_applies_to_everything(text: str, expected: str, tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(text)
    out = "".join(ln for ln in load_config(f).dump("n").splitlines(keepends=True) if "capability" not in ln)
    assert out == expected


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        # once, for the first filter turning ssl on
        (
            "ssl = no\nlocal 1.2.3.4 {\n  ssl = no\n}\nprotocol imap {\n  ssl = yes\n}\n"
            "protocol pop3 {\n  ssl = required\n}\n",
            "yes",
        ),
        ("ssl = no\nlocal 1.2.3.4 {\n  ssl = required\n}\n", "required"),
        # also for a filter that does not apply to itself
        ('ssl = no\nlocal_name "a b" {\n  ssl = yes\n}\n', "yes"),
        ("ssl = no\nprotocol imap {\n  mail_debug = yes\n}\n", None),
        ("local 1.2.3.4 {\n  ssl = yes\n}\n", None),
    ],
)
def test_ssl_on_in_a_filter_with_global_ssl_off_warns(text: str, warning: str | None, tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(text)
    got = [w for w in load_config(f).warnings if w.startswith("SSL is disabled")]
    assert got == ([f"SSL is disabled because global ssl=no, ignoring ssl={warning} for subsection"] if warning else [])


def test_duplicate_listener_with_protocols_enabled_in_a_filter(tmp_path: Path) -> None:
    # the global listen converts to imap-login and pop3-login ports; only the filter enables both
    f = tmp_path / "dovecot.conf"
    f.write_text("local 10.0.0.0/8 {\n  protocols = imap pop3\n}\nlisten = *:10143\n")
    with pytest.raises(ParseError) as info:
        load_config(f)
    assert info.value.message == "duplicate listener: 10143:"


def test_local_name_in_another_case_is_the_same_filter(tmp_path: Path) -> None:
    # the settings go to the first spelling; a filter inside takes the name as written there
    f = tmp_path / "dovecot.conf"
    f.write_text(
        "local_name mail {\n}\nlocal_name MAIL {\n  ssl = no\n}\nlocal_name Mail {\n  protocol imap {\n"
        "    ssl = yes\n  }\n}\n"
    )
    out = load_config(f).dump("n")
    assert out.endswith(
        "local_name mail {\n  ssl = no\n}\nlocal_name Mail {\n  protocol imap {\n    ssl = yes\n  }\n}\n"
    )


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104"),
        ("::1.2.3.4", "::1.2.3.4"),
        ("::0.0.1.0", "::100"),
        ("::1", "::1"),
    ],
)
def test_ipv6_networks_are_shown_as_inet_ntop_writes_them(written: str, shown: str, tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(f"remote {written} {{\n  ssl = no\n}}\n")
    assert f"remote {shown} {{\n" in load_config(f).dump("n")


# ------------------------------------------------------------------ against the installed doveconf


def _real(exe: str, conf: Path) -> tuple[int, str, str]:
    proc = subprocess.run([exe, "-c", str(conf), "-n"], capture_output=True, timeout=60)
    out = proc.stdout.decode("latin-1").splitlines(keepends=True)
    while out and out[0].startswith("# "):
        out.pop(0)
    fatal = [ln for ln in proc.stderr.decode("latin-1").splitlines() if "Fatal:" in ln]
    return proc.returncode, "".join(out), fatal[-1] if fatal else ""


def _mine(conf: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = doveconf_run(["-c", str(conf), "-n"])
    fatal = [ln for ln in err.getvalue().splitlines() if "Fatal:" in ln]
    return rc, out.getvalue(), fatal[-1] if fatal else ""


def _agree(exe: str, conf: Path) -> None:
    want, got = _real(exe, conf), _mine(conf)
    assert (got[0] == 0, got[2]) == (want[0] == 0, want[2])
    if want[0] == 0:
        assert got[1] == want[1]


@pytest.mark.oracle
@pytest.mark.parametrize(("text", "error"), CASES)
def test_cases_agree_with_doveconf(text: str, error: str | None, tmp_path: Path) -> None:
    exe = require_doveconf_generation("2.3")
    conf = tmp_path / "dovecot.conf"
    conf.write_text(text)
    _agree(exe, conf)


HEADS = {
    "protocol": ["imap", "pop3", "!imap", "!pop3"],
    "remote": ["10.0.0.0/8", "10.1.2.3/16", "10.1.2.3", "192.168.0.0/16", "::1", "::ffff:10.0.0.0/104", "0.0.0.0/0"],
    "local": ["127.0.0.1", "10.0.0.0/8", "::1", "::/0"],
    "local_name": ["mail.example.com", "*.example.com", '"a mail.example.com"', "MAIL.example.com"],
}
VALUES = {
    "ssl": ["yes", "no"],
    "mail_plugins": ["quota", "$mail_plugins zlib"],
    "pop3_uidl_format": ["%08Xu%08Xv", "x"],
    "director_user_expire": ["15 min", "5s"],
    "login_greeting": ["hi"],
    "listen": ["*", "*:10143"],
}
BODIES = [
    "service imap {\n}",
    "namespace inbox {\n}",
    "plugin {\n  a = b\n}",
    "metric m {\n  filter = event=x\n}",
    "service {\n}",
]


@st.composite
def filter_blocks(draw: st.DrawFn, depth: int = 0) -> list[str]:
    kind = draw(st.sampled_from(sorted(HEADS)))
    lines = [f"{kind} {draw(st.sampled_from(HEADS[kind]))} {{"]
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        choice = draw(st.integers(min_value=0, max_value=5))
        if choice <= 2:
            key = draw(st.sampled_from(sorted(VALUES)))
            lines.append(f"{key} = {draw(st.sampled_from(VALUES[key]))}")
        elif choice <= 4 and depth < 2:
            lines += draw(filter_blocks(depth + 1))
        else:
            lines += draw(st.sampled_from(BODIES)).split("\n")
    return [*lines, "}"]


@st.composite
def overlapping_trees(draw: st.DrawFn) -> dict[str, str]:
    """Files of overlapping filters setting the same names, global settings between them, some in an
    included file."""
    files: dict[str, list[str]] = {"dovecot.conf": ["!include conf.d/*.conf"], "conf.d/10-a.conf": []}
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        if draw(st.booleans()):
            part = draw(filter_blocks())
        else:
            key = draw(st.sampled_from(sorted(VALUES)))
            part = [f"{key} = {draw(st.sampled_from(VALUES[key]))}"]
        files[draw(st.sampled_from(sorted(files)))].extend(part)
    return {name: "\n".join(lines) + "\n" for name, lines in files.items()}


@pytest.mark.oracle
@settings(max_examples=150, deadline=None)
@given(overlapping_trees())
def test_overlapping_filters_agree_with_doveconf(tree: dict[str, str]) -> None:
    """Exit status, the Fatal message (conflicts, checks of merged filters) and the output."""
    exe = require_doveconf_generation("2.3")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in tree.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        _agree(exe, root / "dovecot.conf")


def test_a_reading_error_carries_the_warnings_doveconf_prints_before_it(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text("auth_cache_size = 10\nssl = maybe\n")
    with pytest.raises(ParseError) as info:
        load_config(f)
    assert info.value.warnings == [  # type: ignore[attr-defined]
        "NOTE: You can get a new clean config file with: doveconf -Pn > dovecot-new.conf",
        f"Obsolete setting in {f}:1: auth_cache_size value no longer defaults to megabytes. Use 10M",
    ]


def test_a_reference_in_a_nested_filter_starts_from_the_filter_around_it(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(
        "mail_plugins = a\nlocal 127.0.0.1 {\n  mail_plugins = quota\n  local_name mail.example.com {\n"
        "    mail_plugins = $mail_plugins zlib\n  }\n  protocol imap {\n  }\n}\n"
        "remote 10.0.0.0/8 {\n  protocol pop3 {\n    mail_plugins = $mail_plugins d\n  }\n}\n"
    )
    c = load_config(f)
    got = {tuple(s.header_lines()): s.values["mail_plugins"].value for s in c.filters if "mail_plugins" in s.values}
    assert got == {
        ("local 127.0.0.1",): "quota",
        ("local 127.0.0.1", "local_name mail.example.com"): "quota zlib",
        ("remote 10.0.0.0/8", "protocol pop3"): "a d",
    }


def test_an_unreadable_plugin_file_gives_the_helper_error_doveconf_prints(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "dovecot.conf").write_text("ssl = no\n!include conf.d/*.conf\n")
    (tmp_path / "conf.d/10.conf").write_text("\nplugin {\n  a = x\n  sieve = <file\n  quota = <nope\n}\n")
    c = load_config(tmp_path / "dovecot.conf")
    # the first one only: the managesieve-login run stops there (and the capability lines are left out)
    assert c.helper_error == (
        f"Error in configuration file {tmp_path}/conf.d/10.conf line 4: plugin/0/sieve: "
        f"Can't open file {tmp_path}/conf.d/file: No such file or directory"
    )
    assert "capability" not in c.dump("n")


def test_base_dir_prefix_warnings_are_for_doveconfs_own_run(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(
        "base_dir = /tmp/bd\nservice auth {\n  fifo_listener /tmp/bd/f {\n  }\n  unix_listener /tmp/bd/u {\n  }\n"
        "  unix_listener /tmp/bdx/v {\n  }\n}\nservice imap {\n  unix_listener /tmp/bd/i {\n  }\n}\n"
        "ssl = no\nprotocol pop3 {\n  ssl = yes\n}\n"
    )
    c = load_config(f)
    ssl = "SSL is disabled because global ssl=no, ignoring ssl=yes for subsection"
    prefix = ["You should remove base_dir prefix from unix_listener: /tmp/bd/" + n for n in ("u", "f")]
    assert c.warnings == [ssl]  # the managesieve-login run's (imap is not enabled: no warning for it)
    assert c.main_warnings() == [*prefix, ssl, *prefix, *prefix]
