"""``mailconf doveconf`` on Dovecot 2.4 files, against what the real doveconf 2.4.1 printed.

The fixtures under ``doveconf24/`` are our own configurations; ``doveconf24/expected.json`` holds
what the real 2.4.1 doveconf (Debian 13) printed for them, recorded by
``scripts/record_doveconf24.py``, so these tests need no 2.4 binary (CI has Debian 12 with 2.3).
For the shared corpus only digests of the real output are committed (``corpus_digests.json``).

:func:`test_against_the_real_24` runs the real one too: the installed doveconf when it is 2.4
(Debian 13), or ``MAILCONF_DOVECONF24`` (e.g. ``chroot /srv/trixie doveconf``, with
``MAILCONF_DOVECONF24_ROOT=/srv/trixie``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from mailconf.cli._doveconf import run
from mailconf.dovecot.config24 import Doveconf24Error, load_config24
from mailconf.errors import ParseError
from tests.support import corpus_sets

FIXTURES = Path(__file__).resolve().parent / "doveconf24"
EXPECTED: dict[str, dict[str, str | int]] = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
DIGESTS: dict[str, dict[str, str | int]] = json.loads((FIXTURES / "corpus_digests.json").read_text(encoding="utf-8"))
V24 = "dovecot_config_version = 2.4.1\ndovecot_storage_version = 2.4.1\n"


def main_file(setdir: Path) -> Path | None:
    for name in ("dovecot.conf", "dovecot.conf.in"):
        if (setdir / name).is_file():
            return setdir / name
    return None


def emulate(setdir: Path, work: Path) -> dict[str, str | int]:
    """What mailconf prints for a copy of SETDIR placed at WORK, in the recorded form."""
    shutil.copytree(setdir, work, symlinks=True)
    main = main_file(work)
    assert main is not None
    try:
        cfg = load_config24(main, check_users=True)  # as the command does
    except ParseError as exc:
        text = getattr(exc, "doveconf", None) or exc.message
        fatal = f"doveconf: Fatal: {text}".replace(str(work), "DIR").rstrip()  # recorded from stripped stderr
        partial = getattr(exc, "partial", None)  # printed before the error (group checks)
        n, big_n = (partial.dump("n"), partial.dump("N")) if partial is not None else ("", "")
        return {"n": n, "N": big_n, "rc": 89, "fatal": fatal}
    return {"n": cfg.dump("n"), "N": cfg.dump("N"), "rc": 0, "fatal": ""}


def conf(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "dovecot.conf"
    path.write_text(V24 + body, encoding="latin-1")
    return path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_as_the_real_24_printed_it(name: str, tmp_path: Path) -> None:
    want = {k: v for k, v in EXPECTED[name].items() if k not in ("lookups", "stderr")}
    assert emulate(FIXTURES / name, tmp_path / name) == want


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.startswith("check-")))
def test_check_errors_as_the_real_24_printed_them(name: str, tmp_path: Path) -> None:
    """Checks after reading: doveconf prints every failure as an error, then fails with the first
    (Sieve's start-up: its own lines, then "Failed to initialize Sieve")."""
    work = tmp_path / name
    shutil.copytree(FIXTURES / name, work)
    _rc, _out, err = cli("-c", str(work / "dovecot.conf"), "-n")
    assert err.replace(str(work), "DIR") == EXPECTED[name]["stderr"]


# mailconf reads a file whose first setting is not dovecot_config_version as 2.3 (doveconf 2.3's
# stderr, the managesieve-login run's lines among it); the Fatal line is 2.4's all the same
STDERR_NOT_COMPARED = {"err-first"}


@pytest.mark.parametrize(
    "name", sorted(n for n in EXPECTED if not n.startswith("check-") and n not in STDERR_NOT_COMPARED)
)
def test_stderr_as_the_real_24_printed_it(name: str, tmp_path: Path) -> None:
    """Every line doveconf prints on stderr: warnings while reading ("Global setting X won't change
    the setting inside an earlier filter", "Ambiguous '#'", "You should remove base_dir prefix"),
    then the errors and the Fatal line."""
    work = tmp_path / name
    shutil.copytree(FIXTURES / name, work)
    _rc, _out, err = cli("-c", str(work / "dovecot.conf"), "-n")
    assert err.replace(str(work), "DIR") == EXPECTED[name]["stderr"]


LOOKUPS = [(name, args) for name, rec in sorted(EXPECTED.items()) for args in rec.get("lookups", {})]  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "args"), LOOKUPS)
def test_lookup_as_the_real_24_printed_it(name: str, args: str) -> None:
    want = EXPECTED[name]["lookups"][args]  # type: ignore[index]
    rc, out, err = cli("-c", str(FIXTURES / name / "dovecot.conf"), *args.split())
    got_fatal = err.strip().splitlines()[-1] if rc and err.strip() else ""
    assert {"out": out, "rc": rc, "fatal": got_fatal} == want


def test_every_fixture_is_recorded() -> None:
    dirs = {d.name for d in FIXTURES.iterdir() if d.is_dir()}
    assert dirs == set(EXPECTED)


def _digests(got: dict[str, str | int]) -> dict[str, str | int]:
    def h(text: str | int) -> str:
        return hashlib.sha256(str(text).encode("latin-1")).hexdigest()

    return {"n": h(got["n"]), "N": h(got["N"]), "rc": got["rc"], "fatal": h(got["fatal"])}


def reads_23_shared_files(setdir: Path) -> bool:
    """Does the set include /usr/share/dovecot files that, on this machine, are Dovecot 2.3's?"""
    main = main_file(setdir)
    if main is None or b"!include_try /usr/share/dovecot/" not in main.read_bytes():
        return False
    return any(b"$protocols" in f.read_bytes() for f in Path("/usr/share/dovecot/protocols.d").glob("*.protocol"))


@pytest.mark.parametrize("setname", sorted(DIGESTS))
def test_corpus_set_matches_the_real_24_digest(setname: str, tmp_path: Path) -> None:
    setdir = next((p for p in corpus_sets("dovecot") if p.name == setname), None)
    if setdir is None:
        pytest.skip(f"corpus set {setname} not found")
    if reads_23_shared_files(setdir):
        # the recorded output read Debian 13's /usr/share/dovecot/protocols.d (2.4 syntax); this
        # machine's are Dovecot 2.3 files, so the same tree means something else here
        pytest.skip(f"{setname} includes this machine's /usr/share/dovecot, which is not Dovecot 2.4's")
    assert _digests(emulate(setdir, tmp_path / setname)) == DIGESTS[setname]


# behaviours the fixtures show, stated one by one


def test_values_are_printed_as_written_and_top_level_defaults_hidden(tmp_path: Path) -> None:
    out = load_config24(conf(tmp_path, "auth_cache_ttl = 3600s\nssl = yes\nauth_verbose = Y\n")).dump("n")
    assert out == (
        "dovecot_config_version = 2.4.1\nauth_cache_ttl = 3600s\nauth_verbose = Y\ndovecot_storage_version = 2.4.1\n"
    )
    assert "ssl = yes\n" in load_config24(conf(tmp_path, "ssl = yes\n")).dump("N")


def test_inside_filters_every_set_value_is_printed(tmp_path: Path) -> None:
    out = load_config24(conf(tmp_path, "protocol imap {\n  ssl = yes\n}\nssl_server_cert_file =\n")).dump("n")
    assert out.endswith("protocol imap {\n  ssl = yes\n}\nssl_server {\n  cert_file = \n}\n")


def test_filters_print_in_the_order_first_opened(tmp_path: Path) -> None:
    body = (
        "protocol pop3 {\n  ssl = no\n}\nservice imap {\n}\nprotocol imap {\n}\nprotocol pop3 {\n  ssl = required\n}\n"
    )
    out = load_config24(conf(tmp_path, body)).dump("n")
    assert out.endswith("protocol pop3 {\n  ssl = required\n}\nservice imap {\n}\n")  # empty protocol imap: not printed


def test_boolean_list_forms(tmp_path: Path) -> None:
    as_string = load_config24(conf(tmp_path, "protocols = imap lmtp\nprotocols {\n pop3 = yes\n lmtp = no\n}\n"))
    assert "protocols = imap pop3\n" in as_string.dump("n")
    as_block = load_config24(
        conf(tmp_path, "protocols {\n  pop3 = yes\n}\nprotocols {\n  imap = yes\n  pop3 = no\n}\n")
    )
    assert "protocols {\n  pop3 = no\n  imap = yes\n}\n" in as_block.dump("n")


def test_named_filter_keys_resolve_and_print_short(tmp_path: Path) -> None:
    body = "passdb static {\n  password = x\n  passdb_use_worker = yes\n  passwd_file_path = /p\n}\n"
    out = load_config24(conf(tmp_path, body)).dump("n", hide_passwords=False)
    # sorted by full name: passdb_static_password, passdb_use_worker, passwd_file_path (checked with 2.4.1 -P)
    assert out.endswith("passdb static {\n  password = x\n  use_worker = yes\n  passwd_file_path = /p\n}\n")
    assert "# hidden, use -P to show it" in load_config24(conf(tmp_path, body)).dump("n")


def test_a_list_block_in_a_filter_does_not_crash(tmp_path: Path) -> None:
    # doveconf 2.4.1 dies with SIGSEGV on this (a block for a boolean list whose default is not
    # empty, inside protocol/local/remote); mailconf prints the block as it prints any list block
    # inside a filter: starting empty
    out = load_config24(conf(tmp_path, "protocol imap {\n  mail_log_events {\n    delete = no\n  }\n}\n")).dump("n")
    assert out.endswith("protocol imap {\n  mail_log_events {\n    delete = no\n  }\n}\n")


def test_errors_carry_doveconf_wording(tmp_path: Path) -> None:
    with pytest.raises(Doveconf24Error) as info:
        load_config24(conf(tmp_path, "ssl_cert = </etc/ssl/cert.pem\n"))
    assert (
        info.value.doveconf
        == f"Error in configuration file {tmp_path}/dovecot.conf line 3: ssl_cert: Unknown setting: ssl_cert"
    )
    assert (info.value.line, info.value.message) == (3, "ssl_cert: Unknown setting: ssl_cert")


# the command line


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = run(list(args))
    return rc, out.getvalue(), err.getvalue()


def test_cli_detects_24_files(tmp_path: Path) -> None:
    path = conf(tmp_path, "ssl = required\n")
    want = "dovecot_config_version = 2.4.1\ndovecot_storage_version = 2.4.1\nssl = required\n"
    assert cli("-c", str(path)) == (0, want, "")  # doveconf 2.4 prints -n by default
    assert cli("-c", str(path), "-n", "--dovecot-version", "2.4") == (0, want, "")
    rc, out, err = cli("-c", str(path), "-a")  # every top-level setting, sorted after the version
    assert (rc, err) == (0, "")
    assert out.startswith("dovecot_config_version = 2.4.1\nacl_cache_ttl = 30 secs\n")
    assert "\nssl = required\n" in out and "\nlisten = \n" in out  # a list's default prints empty


def test_cli_24_errors(tmp_path: Path) -> None:
    rc, out, err = cli("-c", str(conf(tmp_path, "plugin {\n}\n")), "-n")
    assert (rc, out) == (89, "")
    where = f"Error in configuration file {tmp_path}/dovecot.conf line 3"
    assert err == f"doveconf: Fatal: {where}: Unknown section name: plugin\n"


# the real doveconf 2.4, when this machine has one


def installed_24() -> str | None:
    """The installed doveconf when it is 2.4 (Debian 13), else None."""
    exe = shutil.which("doveconf") or next((p for p in ("/usr/bin/doveconf",) if os.access(p, os.X_OK)), None)
    if exe is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "dovecot.conf"
        probe.write_text(V24, encoding="latin-1")
        out = subprocess.run([exe, "-c", str(probe), "-n"], capture_output=True, timeout=60).stdout
    return exe if out.startswith(b"# 2.4") else None


def real24() -> tuple[list[str], Path]:
    command = os.environ.get("MAILCONF_DOVECONF24")
    if command:
        return shlex.split(command), Path(os.environ.get("MAILCONF_DOVECONF24_ROOT", "/"))
    exe = installed_24()
    if exe is None:
        pytest.skip("no Dovecot 2.4 doveconf: installed one is not 2.4 and MAILCONF_DOVECONF24 is not set")
    return [exe], Path("/")


def run_real(command: list[str], root: Path, setdir: Path) -> dict[str, str | int]:
    main = main_file(setdir)
    assert main is not None
    # the installed doveconf (root "/") reads files where TMPDIR puts them
    scratch = None if root == Path("/") else root / "tmp"
    with tempfile.TemporaryDirectory(dir=scratch, prefix="mailconf-d24-") as tmp:
        work = Path(tmp) / setdir.name
        shutil.copytree(setdir, work, symlinks=True)
        inner = "/" + str(work.relative_to(root))
        got: dict[str, str | int] = {}
        for mode in ("n", "N"):
            proc = subprocess.run([*command, "-c", f"{inner}/{main.name}", f"-{mode}"], capture_output=True, timeout=60)
            lines = proc.stdout.decode("latin-1").splitlines(keepends=True)
            got[mode] = "".join(ln for ln in lines if not ln.startswith("# ")).replace(inner, "DIR")
            err = proc.stderr.decode("latin-1").strip().splitlines()
            got["rc"] = proc.returncode
            got["fatal"] = err[-1].replace(inner, "DIR") if proc.returncode and err else ""
    return got


def test_against_the_real_24(tmp_path: Path) -> None:
    command, root = real24()
    sets = [d for d in sorted(FIXTURES.iterdir()) if d.is_dir()]
    sets += [
        p
        for p in corpus_sets("dovecot")
        if (m := main_file(p)) and b"dovecot_config_version" in m.read_bytes() and not reads_23_shared_files(p)
    ]
    differ = [d.name for d in sets if run_real(command, root, d) != emulate(d, tmp_path / d.name)]
    assert differ == []


def test_stock_tree_against_the_real_24() -> None:
    """Debian 13's own /etc/dovecot, when this machine is one (its includes are absolute paths,
    so a chroot's tree cannot be read the same way from outside)."""
    command, root = real24()
    stock = Path("/etc/dovecot/dovecot.conf")
    if str(root) != "/" or not stock.exists() or b"dovecot_config_version" not in stock.read_bytes():
        pytest.skip("no Dovecot 2.4 /etc/dovecot on this machine")
    for mode in ("n", "N"):
        proc = subprocess.run([*command, "-c", str(stock), f"-{mode}"], capture_output=True, timeout=60)
        want = "".join(ln for ln in proc.stdout.decode("latin-1").splitlines(keepends=True) if not ln.startswith("# "))
        assert load_config24(stock).dump(mode) == want


def test_cli_prints_the_settings_before_a_check_after_reading(tmp_path: Path) -> None:
    rc, out, err = cli("-c", str(conf(tmp_path, "listen {\n  * = no\n  :: = no\n}\n")))
    assert rc == 89
    assert out.endswith("listen {\n  * = no\n  :: = no\n}\n")
    assert err.splitlines() == [
        "doveconf: Error: listen can't be set empty",
        f"doveconf: Fatal: Error in configuration file {tmp_path}/dovecot.conf: listen can't be set empty",
    ]


def test_cli_24_wording_for_files_the_reader_refuses(tmp_path: Path) -> None:
    rc, _out, err = cli("-c", str(conf(tmp_path, "= v\n")))
    where = f"Error in configuration file {tmp_path}/dovecot.conf line 3"
    assert (rc, err) == (89, f"doveconf: Fatal: {where}: : Unknown setting: \n")  # 2.4 reads "= v" as setting ""


def test_cli_24_tree_whose_first_setting_is_included(tmp_path: Path) -> None:
    # recognised as 2.4, and refused as doveconf 2.4.1 refuses it: the include comes first
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "00-version.conf").write_text(V24, encoding="latin-1")
    main = tmp_path / "dovecot.conf"
    main.write_text("!include conf.d/*.conf\nssl = required\n", encoding="latin-1")
    where = f"Error in configuration file {main} line 1"
    message = "The first setting must be dovecot_config_version"
    assert cli("-c", str(main)) == (89, "", f"doveconf: Fatal: {where}: {message}\n")


def test_cli_23_on_a_24_file_fails_as_doveconf_23(tmp_path: Path) -> None:
    rc, out, err = cli("-c", str(conf(tmp_path, "ssl = required\n")), "-n", "--dovecot-version", "2.3")
    where = f"Error in configuration file {tmp_path}/dovecot.conf line 1"
    fatal = f"doveconf: Fatal: {where}: Unknown setting: dovecot_config_version\n"
    # with Pigeonhole installed, doveconf's managesieve-login run fails the same way first
    from mailconf.cli._doveconf import HELPER_FAILED, _capability_helper

    want = f"{fatal}{HELPER_FAILED}\n{fatal}" if _capability_helper() else fatal
    assert (rc, out, err) == (89, "", want)


def test_cli_24_service_lookup_without_service_blocks_prints_the_built_in_ones(tmp_path: Path) -> None:
    rc, out, _err = cli("-c", str(conf(tmp_path, "")), "service")
    assert rc == 0
    assert out.startswith("service anvil {\n  chroot = \n")
    assert "service imap {\n  imap_capability {\n    IMAP4rev1 = yes\n" in out
    rc, out, err = cli("-c", str(conf(tmp_path, "")), "-h", "service")
    assert (rc, out, err) == (89, "", "doveconf: Fatal: Multiple settings matched with -h parameter\n")


def test_cli_24_lookups_go_on_after_failed_checks(tmp_path: Path) -> None:
    # doveconf prints the checks' errors and answers the lookup, exit status 0
    rc, out, err = cli("-c", str(conf(tmp_path, "first_valid_uid = 5\nlast_valid_uid = 2\n")), "-h", "ssl")
    assert (rc, out, err) == (0, "yes\n", "doveconf: Error: first_valid_uid can't be larger than last_valid_uid\n")


def test_users_are_checked_only_when_asked(tmp_path: Path) -> None:
    # doveconf asks the machine it runs on; lint judges files for another machine
    path = conf(tmp_path, "default_login_user = no-such-user-here\n")
    assert "\ndefault_login_user = no-such-user-here\n" in load_config24(path).dump("n")
    with pytest.raises(Doveconf24Error, match="default_login_user doesn't exist: no-such-user-here"):
        load_config24(path, check_users=True)


def _plugin_dir(where: Path, abi: bytes, *names: str) -> Path:
    where.mkdir()
    for name in names:
        (where / f"lib90_{name}_plugin.so").write_bytes(b"\x7fELF..." + abi + b"...")
    return where


def test_sieve_plugins_are_looked_up_in_this_machines_directory(tmp_path: Path) -> None:
    # the command reads sieve_plugin_dir as doveconf does; lint leaves a directory set in the file alone
    plugins = _plugin_dir(tmp_path / "sieve", b"2.4.ABIv1", "custom")
    path = conf(tmp_path, f"sieve_plugin_dir = {plugins}\nsieve_plugins = custom\n")
    load_config24(path, check_users=True)
    path = conf(tmp_path, f"sieve_plugin_dir = {plugins}\nsieve_plugins = custom zz sieve_imapsieve\n")
    with pytest.raises(Doveconf24Error, match=f"Plugin 'sieve_imapsieve' not found from directory {plugins}$"):
        load_config24(path, check_users=True)
    load_config24(path)
    path = conf(tmp_path, f"sieve_plugin_dir = {tmp_path}/none\nsieve_plugins = custom\n")
    with pytest.raises(Doveconf24Error, match=f"opendir\\({tmp_path}/none\\) failed: No such file or directory$"):
        load_config24(path, check_users=True)
    load_config24(path)


def test_the_default_sieve_plugin_directory_counts_when_it_is_dovecot_24s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mailconf.dovecot import config24

    path = conf(tmp_path, "sieve_plugins = custom\n")
    with pytest.raises(
        Doveconf24Error, match="Plugin 'custom' not found from directory /usr/lib/dovecot/modules/sieve"
    ):
        load_config24(path)  # lint: Debian 13's plugins
    settings = config24._catalogue()["settings"]["sieve_plugin_dir"]
    for abi, found in ((b"2.4.ABIv1", True), (b"0.5.ABIv19(0.5.19)", False)):  # Debian 13's, Debian 12's
        plugins = _plugin_dir(tmp_path / f"sieve-{found}", abi, "custom")
        monkeypatch.setitem(settings, "default", str(plugins))
        path = conf(tmp_path, "sieve_plugins = custom\n")
        if found:
            load_config24(path, check_users=True)
        else:  # another Dovecot's plugins: Debian 13's list
            with pytest.raises(Doveconf24Error, match=f"Plugin 'custom' not found from directory {plugins}"):
                load_config24(path, check_users=True)
        path = conf(tmp_path, "sieve_plugins = sieve_storage_ldap\n")
        if found:
            with pytest.raises(Doveconf24Error, match="Plugin 'sieve_storage_ldap' not found"):
                load_config24(path, check_users=True)
        else:
            load_config24(path, check_users=True)


def test_env_variables_are_expanded_only_on_this_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # doveconf expands %{env:NAME} from its own environment; lint judges a file meant for another
    # machine, whose environment it does not know (as with users and plugin directories)
    from tests.policy._helpers import run_lint, write_tree

    body = "ssl = %{env:MAILCONF_TEST_SSL}\n"
    monkeypatch.delenv("MAILCONF_TEST_SSL", raising=False)
    path = conf(tmp_path, body)
    refused = re.escape("Invalid setting ssl= (before expansion: %{env:MAILCONF_TEST_SSL})")
    with pytest.raises(Doveconf24Error, match=refused):
        load_config24(path, check_users=True)
    load_config24(path)
    base = write_tree(tmp_path / "lint", {"dovecot/dovecot.conf": V24 + body})
    assert [f for f in run_lint([base]).findings if f.rule.startswith("SYN")] == []
    monkeypatch.setenv("MAILCONF_TEST_SSL", "required")
    load_config24(path, check_users=True)
    # what needs no environment is judged all the same
    base = write_tree(tmp_path / "lint2", {"dovecot/dovecot.conf": V24 + "ssl = %{user}\n"})
    assert [f.rule for f in run_lint([base]).findings if f.rule.startswith("SYN")] == ["SYN001"]
