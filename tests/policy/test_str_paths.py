"""The policy layer keeps paths as strings (no pathlib on the lint path) yet behaves as it did
with Path objects: str or Path accepted, Path attributes for library users, paths reported as
``str(Path(...))`` spells them, sets ordered as Path objects sort."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mailconf.policy import ConfigSet, Settings, lint
from mailconf.policy.discovery import DiscoveryError, discover
from mailconf.policy.engine import Context, Options
from mailconf.policy.profiles import BUILTIN
from mailconf.policy.settings import Override, find_config, load_settings
from tests.policy._helpers import ROOT, write_tree


def test_config_set_takes_str_or_path_and_gives_paths(tmp_path: Path) -> None:
    by_path = ConfigSet(tmp_path, tmp_path / "postfix", tmp_path / "dovecot/dovecot.conf", [tmp_path / "mailman.cfg"])
    by_str = ConfigSet(f"{tmp_path}/", f"{tmp_path}//postfix/.", f"{tmp_path}/dovecot/dovecot.conf", [f"{tmp_path}/m"])
    by_str.mailman = [str(tmp_path / "mailman.cfg")]
    assert by_path == by_str and by_path.key() == by_str.key()
    assert by_str.base == tmp_path and isinstance(by_str.base, Path)
    assert by_str.postfix_dir == tmp_path / "postfix"
    assert by_str.dovecot_conf == tmp_path / "dovecot/dovecot.conf"
    assert by_str.mailman == [tmp_path / "mailman.cfg"]
    assert by_str.name == str(tmp_path) and by_str.postfix_dir_name == str(tmp_path / "postfix")
    assert repr(by_str) == (
        f"ConfigSet(base={tmp_path!r}, postfix_dir={tmp_path / 'postfix'!r}, "
        f"dovecot_conf={tmp_path / 'dovecot/dovecot.conf'!r}, mailman=[{tmp_path / 'mailman.cfg'!r}], live=False)"
    )
    by_str.postfix_dir = None
    assert by_str.postfix_dir is None and by_str.postfix_dir_name is None and by_str != by_path


def test_discover_orders_sets_as_paths_sort(tmp_path: Path) -> None:
    """a/b before a-b: Path order (by components), not string order ("-" < "/")."""
    write_tree(tmp_path, {"a-b/main.cf": "x = y\n", "a/b/main.cf": "x = y\n", "a/main.cf": "x = y\n"})
    names = [os.path.relpath(cs.name, tmp_path) for cs in discover([str(tmp_path)])]
    assert names == ["a", "a/b", "a-b"]
    assert [cs.base for cs in discover([tmp_path])] == sorted(tmp_path / n for n in names)


@pytest.mark.parametrize("spelling", ["{}", "{}/", "{}//.", "./{}"])
def test_lint_reports_paths_as_path_spells_them(monkeypatch: pytest.MonkeyPatch, spelling: str) -> None:
    monkeypatch.chdir(ROOT)
    given = spelling.format("examples/insecure")
    by_str = lint([given], Settings())
    by_path = lint([Path(given)], Settings())
    assert by_str == by_path
    assert by_str.findings and all(f.path.startswith("examples/insecure/") for f in by_str.findings)
    assert all("//" not in f and "/./" not in f for f in by_str.files)


def test_discovery_error_names_the_normalised_path(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError) as info:
        discover([f"{tmp_path}//missing/"])
    assert info.value.path == str(tmp_path / "missing")


def test_settings_paths_are_paths_for_library_users(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".mailconf.toml": 'root = "snap/"\n[[overrides]]\npaths = ["hosts/*"]\nroot = "other"\n',
            "hosts/a/main.cf": "x = y\n",
        },
    )
    assert find_config(tmp_path / "hosts" / "a") == tmp_path / ".mailconf.toml"
    settings = load_settings(str(tmp_path / ".mailconf.toml"))
    assert settings.source == tmp_path / ".mailconf.toml" and settings.root == tmp_path / "snap"
    assert settings.root_name == str(tmp_path / "snap")
    (override,) = settings.overrides
    assert override.base == tmp_path and override.root == tmp_path / "other"
    assert override.matches([str(tmp_path / "hosts/a")]) and override.matches([tmp_path / "hosts/a"])
    assert not override.matches([tmp_path / "elsewhere"])
    assert settings == load_settings(tmp_path / ".mailconf.toml")
    assert Override(["x"], base=str(tmp_path) + "/") == Override(["x"], base=tmp_path)
    assert Settings(root="r") == Settings(root=Path("r/")) and Settings().root is None


def test_context_root_and_options_root(tmp_path: Path) -> None:
    ctx = Context(ConfigSet(tmp_path), BUILTIN["office"], None, None, f"{tmp_path}/snap/")
    assert ctx.root == tmp_path / "snap" and ctx.root_name == str(tmp_path / "snap")
    ctx.root = None
    assert ctx.root is None and ctx.root_name is None
    assert Options(root="snap").root == "snap"  # kept as given
