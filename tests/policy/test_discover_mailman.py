"""Mailman 2's mm_cfg.py under usr/ joins the host whose etc/ holds Postfix; the live set finds
Mailman files with mailconf.mailman.find_mailman_files()."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf.policy.discovery import discover
from tests.policy._helpers import write_tree

MM_CFG = "from Defaults import *\nDEFAULT_EMAIL_HOST = 'lists.example.org'\n"


def _tree(base: Path, mm_dir: str = "usr/lib/mailman/Mailman") -> Path:
    return write_tree(
        base,
        {
            "etc/postfix/main.cf": "compatibility_level = 3.6\n",
            "etc/postfix/master.cf": "smtp inet n - y - - smtpd\n",
            "etc/dovecot/dovecot.conf": "protocols = imap\n",
            f"{mm_dir}/mm_cfg.py": MM_CFG,
        },
    )


@pytest.mark.parametrize("mm_dir", ["usr/lib/mailman/Mailman", "usr/local/mailman/Mailman"])
def test_tree_mm_cfg_under_usr_joins_the_etc_host(tmp_path: Path, mm_dir: str) -> None:
    root = _tree(tmp_path / "host1", mm_dir)
    sets = discover([tmp_path])
    assert len(sets) == 1, sets
    (cs,) = sets
    assert cs.base == root / "etc"
    assert cs.postfix_dir == root / "etc" / "postfix"
    assert cs.mailman == [root / mm_dir / "mm_cfg.py"]


def test_single_mm_cfg_file_brings_its_host(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (cs,) = discover([root / "usr/lib/mailman/Mailman/mm_cfg.py"])
    assert cs.base == root / "etc" and cs.postfix_dir == root / "etc" / "postfix"
    assert cs.dovecot_conf == root / "etc" / "dovecot" / "dovecot.conf"


def test_single_main_cf_brings_mm_cfg_under_usr(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (cs,) = discover([root / "etc" / "postfix" / "main.cf"])
    assert cs.mailman == [root / "usr/lib/mailman/Mailman/mm_cfg.py"]


def test_mm_cfg_under_usr_without_etc_stays_its_own_set(tmp_path: Path) -> None:
    write_tree(tmp_path, {"usr/lib/mailman/Mailman/mm_cfg.py": MM_CFG})
    (cs,) = discover([tmp_path])
    assert cs.mailman == [tmp_path / "usr/lib/mailman/Mailman/mm_cfg.py"] and cs.postfix_dir is None


def test_live_set_uses_find_mailman_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The live set takes the files find_mailman_files() lists (its string form, which the
    lint path uses: no pathlib there)."""
    import mailconf.mailman.discovery as mm_discovery

    fake = write_tree(tmp_path, {"usr/lib/mailman/Mailman/mm_cfg.py": MM_CFG}) / "usr/lib/mailman/Mailman/mm_cfg.py"
    calls: list[object] = []

    def find(root: object = None) -> list[str]:
        calls.append(root)
        return [str(fake)]

    monkeypatch.setattr(mm_discovery, "find_mailman_file_names", find)
    (cs,) = discover([])
    assert calls == [None]
    assert cs.live and cs.mailman == [fake] and cs.mailman_names == [str(fake)]


def test_find_mailman_files_is_its_string_form_as_paths(tmp_path: Path) -> None:
    from mailconf.mailman import find_mailman_files
    from mailconf.mailman.discovery import find_mailman_file_names

    write_tree(tmp_path, {"usr/lib/mailman/Mailman/mm_cfg.py": MM_CFG, "b/mailman.cfg": "", "a-b/mailman.cfg": ""})
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "mailman.cfg").write_text("")
    names = find_mailman_file_names(str(tmp_path) + "//")
    assert find_mailman_files(tmp_path) == [Path(n) for n in names]
    # after the well-known places, in Path order ("a/..." before "a-b/...")
    assert [Path(n).relative_to(tmp_path).as_posix() for n in names] == [
        "usr/lib/mailman/Mailman/mm_cfg.py",
        "a/mailman.cfg",
        "a-b/mailman.cfg",
        "b/mailman.cfg",
    ]
