"""Generated Dovecot 2.4 files: ``mailconf doveconf`` against a real doveconf 2.4.

Runs only where a 2.4 doveconf is available (see test_doveconf24.real24). Each file mixes random
settings of the 2.4 catalogue (valid and invalid values), boolean and string lists, and filters
(protocol, service with listeners, namespace with mailboxes, passdb/userdb, ssl_server,
local/remote). Known gaps are allowed and counted, never hidden: some of doveconf's checks after
reading (errors without a line number) are not emulated (a bounded share of the files), and
doveconf 2.4.1 crashes on some inputs.
Everything else must agree: the output of ``-n``/``-N`` (and ``-a`` for every tenth file), or the
line and message of the error.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from mailconf.cli._doveconf import run
from mailconf.dovecot.catalogue import load_24
from tests.dovecot.test_doveconf24 import V24, emulate, real24, run_real

EXAMPLES = int(os.environ.get("MAILCONF_DOVECONF24_EXAMPLES", "150"))


class Generator:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        cat = load_24()
        self.specs = {n: s for n, s in cat.settings.items() if not n.startswith("dovecot_")}
        # "T_name" inside a T block renames the block in doveconf: left out (not emulated)
        self.names = sorted(n for n in self.specs if not n.endswith("_name"))

    def value(self, name: str) -> str:
        r, spec = self.r, self.specs[name]
        if r.random() < 0.08:
            return r.choice(["x", "", "1.5", "yes", "0", "-1", "10s", "5k"])
        choices = {
            "bool": ["yes", "no", "Y", "1"],
            "number": ["0", "1", "5", "100", "4096"],
            "octal": ["0600", "0660", "660"],
            "size": ["0", "1k", "10M", "1 G", "512"],
            "time": ["0", "1s", "10 mins", "1 hours", "3600s", "100ms"],
            "time_msecs": ["0", "1s", "100ms", "10 mins"],
            "port": ["0", "143", "993", "4190"],
            "enum": list(spec.values) or [spec.default],
            "boollist": ["a b", "imap pop3", "", "quota"],
        }
        return r.choice(choices.get(spec.type, ["/x/y", "a b", "value", spec.default, "%{user}", '"q # x"']))

    def setting(self, pad: str, pool: list[str] | None = None) -> str:
        r = self.r
        name = r.choice(pool or self.names)
        kind = self.specs[name].type
        if kind in ("strlist", "boollist") and r.random() < 0.6:
            values = ["yes", "no", "v1"] if kind == "strlist" else ["yes", "no"]
            items = "".join(
                f"{pad}  {r.choice(['a', 'b', 'imap', 'pop3'])} = {r.choice(values)}\n" for _ in range(r.randint(1, 3))
            )
            return f"{pad}{name} {{\n{items}{pad}}}\n"
        if kind == "strlist":
            return ""
        return f"{pad}{name} = {self.value(name)}\n"

    def prefixed(self, prefix: str) -> list[str]:
        return [n for n in self.names if n.startswith(prefix + "_")]

    def block(self, depth: int, pad: str = "") -> str:
        r, out = self.r, []
        for _ in range(r.randint(1, 6)):
            c = r.random()
            if c < 0.5 or depth > 1:
                out.append(self.setting(pad))
            elif c < 0.6:
                inner = self.block(depth + 1, pad + "  ")
                out.append(f"{pad}protocol {r.choice(['imap', 'pop3', 'lmtp'])} {{\n{inner}{pad}}}\n")
            elif c < 0.7:
                inner = "".join(self.setting(pad + "  ", self.prefixed("service")) for _ in range(2))
                if r.random() < 0.5:
                    port = r.choice(["0", "143", "993", "10143"])
                    name = r.choice(["imap", "imaps", "x"])
                    inner += f"{pad}  inet_listener {name} {{\n{pad}    port = {port}\n{pad}  }}\n"
                out.append(f"{pad}service {r.choice(['imap', 'imap-login', 'auth', 'lmtp', 'x'])} {{\n{inner}{pad}}}\n")
            elif c < 0.8:
                inner = f"{pad}  {r.choice(['inbox = yes', 'separator = /', 'prefix = x/', 'type = shared'])}\n"
                if r.random() < 0.6:
                    box = r.choice(["Sent", "Trash", '"Sent Messages"'])
                    auto = r.choice(["no", "create", "subscribe"])
                    inner += f"{pad}  mailbox {box} {{\n{pad}    special_use = \\Sent\n"
                    inner += f"{pad}    auto = {auto}\n{pad}  }}\n"
                out.append(f"{pad}namespace {r.choice(['inbox', 'other'])} {{\n{inner}{pad}}}\n")
            elif c < 0.88:
                kind = r.choice(["passdb", "userdb"])
                inner = "".join(self.setting(pad + "  ", self.prefixed(kind)) for _ in range(2))
                out.append(f"{pad}{kind} {r.choice(['static', 'passwd-file', 'pam', 'sql'])} {{\n{inner}{pad}}}\n")
            elif c < 0.95:
                out.append(f"{pad}ssl_server {{\n{self.setting(pad + '  ', self.prefixed('ssl_server'))}{pad}}}\n")
            else:
                head = r.choice(["remote 10.0.0.0/8", "local 127.0.0.1", "local_name mail.example.com"])
                out.append(f"{pad}{head} {{\n{self.setting(pad + '  ')}{pad}}}\n")
        return "".join(out)


def got_check_first(want: dict[str, str | int], got: dict[str, str | int]) -> bool:
    """Both fail in checks after reading, with the same output: doveconf ran one mailconf lacks first."""
    return bool(got["rc"]) and " line " not in str(got["fatal"]) and (want["n"], want["N"]) == (got["n"], got["N"])


def every_tenth_all_agrees(seed: int, command: list[str], root: Path, setdir: Path) -> bool:
    """For every tenth file: does ``-a`` print the same (stdout and exit status)?"""
    if seed % 10:
        return True
    scratch = None if root == Path("/") else root / "tmp"
    with tempfile.TemporaryDirectory(dir=scratch, prefix="mailconf-d24a-") as tmp:
        work = Path(tmp) / "dovecot.conf"
        shutil.copy(setdir / "dovecot.conf", work)
        proc = subprocess.run(
            [*command, "-c", "/" + str(work.relative_to(root)), "-a"], capture_output=True, timeout=60
        )
        want = "".join(ln for ln in proc.stdout.decode("latin-1").splitlines(keepends=True) if not ln.startswith("# "))
        out = io.StringIO()
        with redirect_stdout(out), redirect_stderr(io.StringIO()):
            rc = run(["-c", str(work), "-a"])
    return (want, proc.returncode) == (out.getvalue(), rc)


def compare(
    make: type[Generator], tmp_path: Path, seeds: range
) -> tuple[dict[str, int], list[tuple[int, object, object]]]:
    """Files of MAKE's seeds run through the real 2.4 and mailconf: the counts and what differs."""
    command, root = real24()
    counts = {"agree": 0, "check after reading": 0, "real crashed": 0}
    differ: list[tuple[int, object, object]] = []
    for seed in seeds:
        setdir = tmp_path / f"g{seed}"
        setdir.mkdir()
        (setdir / "dovecot.conf").write_text(V24 + make(seed).block(0), encoding="latin-1")
        want = run_real(command, root, setdir)
        got = emulate(setdir, tmp_path / f"m{seed}")
        shutil.rmtree(tmp_path / f"m{seed}")
        want_rc = int(want["rc"])
        if want == got and every_tenth_all_agrees(seed, command, root, setdir):
            counts["agree"] += 1
        elif want == got:
            differ.append((seed, "-a", "-a"))
        elif want_rc < 0:
            counts["real crashed"] += 1
        elif want_rc and " line " not in str(want["fatal"]) and (not got["rc"] or got_check_first(want, got)):
            counts["check after reading"] += 1
        else:
            differ.append((seed, want, got))
    return counts, differ


def test_generated_files_agree_with_the_real_24(tmp_path: Path) -> None:
    counts, differ = compare(Generator, tmp_path, range(EXAMPLES))
    print(f"\n{EXAMPLES} generated 2.4 files: {counts}, {len(differ)} differ")
    assert differ == []
    assert counts["agree"] > EXAMPLES // 2
    # the checks after reading not emulated (see config24's docstring): 0 of 1000 files with
    # doveconf 2.4.1 (163 before they were emulated, 11 before acl_id, listeners, Sieve plugins,
    # pop3_uidl_format and mail_server_admin, 5 before the groups doveconf gets and expands);
    # more means an emulated one no longer agrees
    assert counts["check after reading"] <= EXAMPLES // 500
