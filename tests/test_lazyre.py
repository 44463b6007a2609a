"""Lazily compiled patterns behave as the compiled ones and compile once, on first use; their
compiled programs come from the cache, so that a warm run never imports re."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from mailconf._lazyre import Lazy


def test_lazy_pattern_matches_as_compiled() -> None:
    lazy = Lazy(r"(?P<word>[a-z]+)(\d*)", re.IGNORECASE)
    plain = re.compile(r"(?P<word>[a-z]+)(\d*)", re.IGNORECASE)
    assert lazy._compiled is None
    for text in ("abc12 def", "  X9", "", "123"):
        for method in ("match", "fullmatch", "search"):
            got, want = getattr(lazy, method)(text), getattr(plain, method)(text)
            assert (got and got.group(0), got and got.span()) == (want and want.group(0), want and want.span())
        assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in plain.finditer(text)]
        assert lazy.sub("<\\g<word>>", text) == plain.sub("<\\g<word>>", text)
    assert lazy.match("  ab", 2) is not None
    compiled = lazy.compiled
    assert lazy.compiled is compiled and compiled.flags & re.IGNORECASE


PATTERNS = [
    (r"(?P<word>[a-z]+)(\d*)", re.IGNORECASE),
    (r"^[ \t]*+([^ \t\n=]++)[ \t]*+=[ \t]*+([^\n]*)", re.MULTILINE),
    (r"\$(?:\{|\()?([A-Za-z0-9_]+)", 0),
    (r"a.b", re.DOTALL),
    (r"(?x) a  # comment\n b", 0),
    (r"[\s,]+", 0),
]
TEXTS = ["abc12 def", "  name = value\nx=1", "$x ${y} $(z)", "a\nb", "ab", "a, b ,c"]


def _probe(cache: Path, code: str) -> dict[str, object]:
    env = {**os.environ, "MAILCONF_CACHE_DIR": str(cache)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def test_cached_programs_match_as_re_does_and_keep_re_unimported(tmp_path: Path) -> None:
    # the data goes in as Python literals: json itself imports re
    code = f"""
import sys
from mailconf._lazyre import Lazy
patterns, texts = {[(p, int(f)) for p, f in PATTERNS]!r}, {TEXTS!r}
out = []
for pattern, flags in patterns:
    lazy = Lazy(pattern, flags)
    out.append([[m.span() for m in lazy.finditer(t)] for t in texts] + [lazy.compiled.flags, lazy.compiled.groups])
used_re = "re" in sys.modules
import json
print(json.dumps({{"out": out, "re": used_re}}))
"""
    first = _probe(tmp_path / "cache", code)  # compiles with re and fills the cache
    second = _probe(tmp_path / "cache", code)  # from the cache alone
    assert first["re"] is True
    assert second["re"] is False, "every pattern is cached: re must not be imported"
    texts = TEXTS
    want = []
    for pattern, flags in PATTERNS:
        compiled = re.compile(pattern, flags)
        want.append([[list(m.span()) for m in compiled.finditer(t)] for t in texts] + [compiled.flags, compiled.groups])
    assert first["out"] == second["out"] == want


def test_a_damaged_or_foreign_cache_is_ignored(tmp_path: Path) -> None:
    import marshal

    cache = tmp_path / "cache"
    cache.mkdir()
    code = """
import json
from mailconf._lazyre import _cache_file, Lazy
print(json.dumps({"file": _cache_file(), "m": Lazy(r"(a)(b)?").match("ab").groups()}))
"""
    name = Path(str(_probe(cache, code)["file"])).name
    for damage in (b"", b"\x00garbage", marshal.dumps({(r"(a)(b)?", 0): (0, [1, 2, 3], 1, {}, (None,))})):
        (cache / name).write_bytes(damage)
        assert _probe(cache, code)["m"] == ["a", "b"]


def test_without_a_cache_patterns_still_compile(tmp_path: Path) -> None:
    env = {**os.environ, "MAILCONF_CACHE": "0"}
    code = "from mailconf._lazyre import Lazy; print(Lazy(r'x(y)').search('axy').group(1))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert proc.stdout.strip() == "y"
