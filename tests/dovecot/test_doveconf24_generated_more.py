"""Generated Dovecot 2.4 files with what test_doveconf24_generated leaves out, against a real 2.4.

Runs only where a 2.4 doveconf is available (see test_doveconf24.real24), as the other generated
test, with the same rules of agreement. On top of that test's files: listener blocks at the top
level (doveconf gives them to every service), ``*_name`` settings at the top level
(``service_name``, ``metric_name``, ...), and ``%{...}`` expressions with functions and
parameters in the settings doveconf expands after reading (master settings, passdb/userdb,
listeners, Sieve). ``T_name`` inside a ``T`` block (a renamed block) stays out: not emulated.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.dovecot.test_doveconf24_generated import Generator, compare

EXAMPLES = int(os.environ.get("MAILCONF_DOVECONF24_EXAMPLES", "150"))

HEADS = ("user", "system:hostname", "env:HOME", "env:MAILCONF_UNSET", "process:pid", 'literal("x")', "dovecot:x")
FUNCTIONS = (
    *("lower", "upper(1)", "substr(0, 2)", "substr(a)", "substr(0, 1, 2)", 'substr("a")', "substr"),
    *("truncate(3)", "truncate(-1)", 'hash("md5")', 'hash("sha224")', "hash(md5)", "hash", "md5(1)"),
    *('index("@", 1)', 'index("@")', "index(1, 1)", 'regexp("a", "b")', 'regexp("a")', "list(1)", 'list(",")'),
    *("hexlify(-1)", "hexlify(2)", 'default("x")', "default", "concat(foo:bar)", "concat(a)", "reverse"),
    *("encrypt", "base64", "text(1)", "nosuchfn", "username"),
)
# settings of the groups doveconf gets after reading (master settings, Sieve)
EXPANDED = (
    *("base_dir", "state_dir", "libexec_dir", "instance_name", "ssl", "default_internal_group"),
    *("first_valid_uid", "sieve_user_email", "sieve_redirect_envelope_from", "sieve_vacation_min_period"),
)


class MoreGenerator(Generator):
    def expression(self) -> str:
        r = self.r
        parts = [r.choice(HEADS), *(r.choice(FUNCTIONS) for _ in range(r.randint(0, 2)))]
        return r.choice(["", "/x/"]) + "%{" + " | ".join(parts) + "}"

    def value(self, name: str) -> str:
        if self.r.random() < 0.15:
            return self.expression()
        return super().value(name)

    def listener(self) -> str:
        r = self.r
        kind = r.choice(["unix_listener", "fifo_listener", "inet_listener"])
        if kind == "inet_listener":
            name = r.choice(["x", "imap", "imaps", "y"])
            inner = [f"port = {r.choice(['0', '1234', '143', '993'])}"]
            inner += [r.choice(["", "listen = 127.0.0.1", f"ssl = {r.choice(['yes', self.expression()])}"])]
        else:
            name = r.choice(["x", "anvil", "/run/dovecot/x", "login/x", "y"])
            inner = [f"mode = {r.choice(['0', '0600', '0666', self.expression()])}"]
            inner += [r.choice(["", "path = /run/x", "path = z", f"user = {self.expression()}"])]
        body = "".join(f"  {line}\n" for line in inner if line)
        return f"{kind} {name} {{\n{body}}}\n"

    def top(self) -> str:
        r = self.r
        c = r.random()
        if c < 0.35:
            return self.listener()
        if c < 0.6:
            name = r.choice(sorted(n for n in self.specs if n.endswith("_name") and n[:-5] in self.sections))
            return f"{name} = {r.choice(['x', '', 'imap', 'anvil', '%{user}', 'y'])}\n"
        if c < 0.75:
            return f"service {r.choice(['anvil', 'auth', 'x'])} {{\n  {self.setting('', self.prefixed('service'))}}}\n"
        return f"{r.choice(EXPANDED)} = {self.expression()}\n"

    def block(self, depth: int, pad: str = "") -> str:
        if depth:
            return super().block(depth, pad)
        extra = [self.top() for _ in range(self.r.randint(1, 3))]
        out = super().block(depth, pad)
        return "".join(extra) + out if self.r.random() < 0.5 else out + "".join(extra)

    @property
    def sections(self) -> set[str]:
        from mailconf.dovecot.config24 import _catalogue

        return set(_catalogue()["sections"])


def test_generated_files_with_top_level_listeners_names_and_functions(tmp_path: Path) -> None:
    counts, differ = compare(MoreGenerator, tmp_path, range(EXAMPLES))
    print(f"\n{EXAMPLES} generated 2.4 files (listeners, names, functions): {counts}, {len(differ)} differ")
    assert differ == []
    assert counts["agree"] > EXAMPLES // 2
    # doveconf fails after reading on a value mailconf cannot know (a pid, a hash, an offset past
    # an unknown value, ...; see config24's docstring): 46 of seeds 0-999 and 32 of 5000-5999 with
    # doveconf 2.4.1 (5 of 0-149); more means an emulated check no longer agrees
    assert counts["check after reading"] <= EXAMPLES // 20
