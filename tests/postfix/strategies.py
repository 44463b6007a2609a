"""Hypothesis strategies for main.cf and master.cf files with Postfix's quirks.

Generated files are ones Postfix accepts: every entry has a name and '='; continuation lines,
skipped comment/blank lines inside values, CRLF, tabs, trailing blanks, '#' inside values,
non-UTF-8 bytes in comments, no final newline, duplicates, braces in master.cf arguments.
"""

from __future__ import annotations

from hypothesis import strategies as st

BLANK = st.sampled_from([" ", "  ", "\t", " \t"])
EOL = st.sampled_from(["\n", "\n", "\n", "\r\n", " \n", "\t\n"])
NAMES = st.sampled_from(
    [
        "myhostname",
        "mydomain",
        "mynetworks",
        "relay_domains",
        "smtpd_tls_security_level",
        "smtpd_relay_restrictions",
        "compatibility_level",
        "alias_maps",
        "my_var",
        "custom_x",
        "inet_interfaces",
    ]
)
WORD = st.from_regex(r"[A-Za-z0-9_.:/,$@{}\[\]#-]{1,12}", fullmatch=True).filter(lambda w: not w.startswith("#"))
COMMENT_BYTES = st.sampled_from(["# c", "#", "  # indented", "# \xa4\xb3\xa4\xf3 euc", "# \x82\xb1 sjis", "# é"])


@st.composite
def value_text(draw: st.DrawFn) -> str:
    words = draw(st.lists(WORD, max_size=4))
    return " ".join(words)


@st.composite
def main_entry(draw: st.DrawFn) -> str:
    name = draw(NAMES)
    sep = draw(st.sampled_from(["=", " = ", "\t=\t", "= ", " ="]))
    text = name + sep + draw(value_text()) + draw(EOL)
    for _ in range(draw(st.integers(0, 2))):
        for _ in range(draw(st.integers(0, 2))):  # skipped lines inside the value
            text += draw(st.sampled_from(["\n", "   \n", draw(COMMENT_BYTES) + "\n"]))
        text += draw(BLANK) + draw(WORD) + draw(EOL)
    return text


@st.composite
def main_cf(draw: st.DrawFn) -> bytes:
    parts = draw(
        st.lists(
            st.one_of(main_entry(), main_entry(), COMMENT_BYTES.map(lambda c: c + "\n"), st.just("\n")),
            max_size=12,
        )
    )
    text = "".join(parts)
    if text and draw(st.booleans()):
        text = text.rstrip("\n")
    return text.encode("latin-1")


SERVICES = st.sampled_from(
    ["smtp", "submission", "smtps", "127.0.0.1:2525", "[::1]:10025", "pickup", "relay", "mailman", "dovecot"]
)
ARG = st.one_of(
    st.sampled_from(["-v", "flags=FR", "user=list", "argv=/usr/bin/x", "${nexthop}", "${user}", "+", "*", "?", "'|'"]),
    st.builds(lambda n, v: f"-o {n}={v}", NAMES, WORD.filter(lambda w: "{" not in w and "}" not in w)),
    st.builds(lambda n, v: f"-o {{ {n} = {v} x }}", NAMES, WORD.filter(lambda w: "{" not in w and "}" not in w)),
)


@st.composite
def master_entry(draw: st.DrawFn) -> str:
    fields = [
        draw(SERVICES),
        draw(st.sampled_from(["inet", "unix", "unix-dgram", "fifo", "pass"])),
        draw(st.sampled_from(["y", "n", "-"])),
        draw(st.sampled_from(["y", "n", "-"])),
        draw(st.sampled_from(["y", "n", "-"])),
        draw(st.sampled_from(["-", "0", "60", "300?"])),
        draw(st.sampled_from(["-", "0", "1", "100"])),
        draw(st.sampled_from(["smtpd", "smtp", "pipe", "pickup", "lmtp"])),
    ]
    text = ""
    for i, field in enumerate(fields):
        text += field + (draw(st.sampled_from([" ", "\t", "   "])) if i < len(fields) - 1 else "")
    text += draw(EOL)
    for arg in draw(st.lists(ARG, max_size=3)):
        if draw(st.booleans()):
            text += draw(st.sampled_from(["\n", "# c\n"]))
        text += draw(BLANK) + arg + draw(EOL)
    return text


@st.composite
def master_cf(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.one_of(master_entry(), COMMENT_BYTES.map(lambda c: c + "\n"), st.just("\n")), max_size=8))
    text = "".join(parts)
    if text and draw(st.booleans()):
        text = text.rstrip("\n")
    return text.encode("latin-1")
