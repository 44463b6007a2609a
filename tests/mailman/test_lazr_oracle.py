"""Mailman's own configuration loader as the oracle: lazr.config with Mailman's schema.cfg.

Mailman 3 builds its configuration as ``ConfigSchema(schema.cfg).load(base mailman.cfg)`` and then
pushes the site's mailman.cfg. The schema and base files are corpus set 132 (Mailman 3's
src/mailman/config); lazr.config is a test-only dependency (skipped, with the reason, without it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailconf.mailman import load_mailman3
from tests.support import CORPUS, corpus_sets

SOURCE = CORPUS / "132-wikimedia-operations-debs-mailman3"
KEYS = {
    "mta": ("incoming", "outgoing", "lmtp_host", "lmtp_port", "smtp_host", "smtp_port", "smtp_user", "configuration"),
    "mailman": ("site_owner", "layout"),
}
PATH_KEYS = ("var_dir", "data_dir", "queue_dir", "log_dir", "lock_dir", "etc_dir")


def mailman_loader() -> Any:
    lazr = pytest.importorskip("lazr.config", reason="lazr.config (Mailman's config loader) is not installed")
    if not (SOURCE / "schema.cfg").is_file():
        pytest.skip(f"Mailman's schema.cfg (corpus set 132) not found in {CORPUS}")
    schema = lazr.ConfigSchema(str(SOURCE / "schema.cfg"))

    def load(path: Path) -> Any:
        config = schema.load(str(SOURCE / "mailman.cfg"))
        config.push(str(path), path.read_text(encoding="utf-8"))
        return config

    return load


def compare(path: Path) -> None:
    load = mailman_loader()
    theirs = load(path)
    ours = load_mailman3(path)
    for section, keys in KEYS.items():
        for key in keys:
            assert ours.setting(section, key).value == getattr(theirs, section)[key], (section, key)
    layout = theirs.mailman.layout
    assert ours.layout.value == layout
    paths = getattr(theirs, f"paths.{layout}")
    for key in PATH_KEYS:
        assert ours.path_settings[key].value == paths[key], key


def corpus_files() -> list[Path]:
    return [p for folder in corpus_sets("mailman") for p in sorted(folder.glob("mailman.cfg"))]


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.parent.name)
def test_corpus_reads_like_mailman(path: Path) -> None:
    if path.parent == SOURCE:
        pytest.skip("this is Mailman's base configuration itself")
    compare(path)


values = st.text(alphabet="abcxyz0189./:@-", min_size=1, max_size=10)


@st.composite
def site_configs(draw: st.DrawFn) -> str:
    out: list[str] = []
    layout = draw(st.sampled_from([None, "here", "fhs", "dev", "custom", "local"]))
    mailman = [f"layout: {layout}"] if layout else []
    if draw(st.booleans()):
        mailman.append(f"site_owner: {draw(values)}")
    if mailman:
        out.append("[mailman]\n" + "\n".join(mailman) + "\n")
    mta = [
        f"{key}{draw(st.sampled_from([': ', ' = ', ':', '=']))}{draw(values)}"
        for key in draw(st.lists(st.sampled_from(KEYS["mta"]), max_size=5))
    ]
    empty_mta = draw(st.booleans())
    if mta or empty_mta:
        out.append("[mta]\n" + "\n".join(mta) + "\n")
    if layout in ("custom", "fhs", "here") and draw(st.booleans()):
        keys = draw(st.lists(st.sampled_from(PATH_KEYS), max_size=3))
        out.append(f"[paths.{layout}]\n" + "".join(f"{k}: /srv/{draw(values)}\n" for k in keys))
    if layout == "custom" and not any(part.startswith("[paths.custom]") for part in out):
        out.append("[paths.custom]\nvar_dir: /srv/custom\n")
    draw(st.randoms()).shuffle(out)
    return "\n".join(out)


@given(site_configs())
def test_generated_configs_read_like_mailman(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("lazr") / "mailman.cfg"
    path.write_text(text, encoding="utf-8")
    compare(path)
