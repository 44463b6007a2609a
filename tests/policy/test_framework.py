"""The policy framework: registry selection, profiles, settings, suppressions, discovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf.policy.discovery import DiscoveryError, discover
from mailconf.policy.profiles import BUILTIN, ProfileError, resolve_profiles
from mailconf.policy.registry import Rule, load_rules, parse_version, select_rules, unknown_selectors
from mailconf.policy.settings import SettingsError, discover_settings, find_config, load_settings
from mailconf.policy.suppress import scan
from tests.policy._helpers import write_tree


def _fake(*ids: str) -> list[Rule]:
    return [Rule(i, "error", i, frozenset(), None) for i in ids]


def test_select_by_prefix_and_more_specific_ignore_wins() -> None:
    rules = _fake("TLS101", "TLS201", "AUTH101", "AUTH105")
    assert [r.id for r in select_rules(rules, ["TLS"])] == ["TLS101", "TLS201"]
    assert [r.id for r in select_rules(rules, None, ["AUTH1"])] == ["TLS101", "TLS201"]
    assert [r.id for r in select_rules(rules, ["TLS"], ["TLS1"])] == ["TLS201"]
    assert [r.id for r in select_rules(rules, ["AUTH105"], ["AUTH"])] == ["AUTH105"]
    assert [r.id for r in select_rules(rules, ["tls101"])] == ["TLS101"]
    assert unknown_selectors(["TLS", "XYZ9"], rules) == ["XYZ9"]


def test_version_ranges() -> None:
    r = Rule("LEG999", "warning", "x", frozenset(), None, postfix=((3, 0), None))
    assert r.applies_to((3, 7), None)
    assert not r.applies_to((2, 6), None)
    assert r.applies_to(None, None)
    assert parse_version("2.6.6") == (2, 6, 6)
    with pytest.raises(ValueError):
        parse_version("3.x")


def test_registry_holds_engine_rules() -> None:
    rules = load_rules()
    assert rules["SYN001"].severity == "error"
    assert "SYN007" in rules
    assert all(r.family in ("SYN", "TLS", "CERT", "AUTH", "RELAY", "XREF", "MM", "LEG") for r in rules.values())


def test_profiles_override_longest_key() -> None:
    office, strict = BUILTIN["office"], BUILTIN["strict"]
    assert office.override_for("TLS205") == "info"
    assert strict.override_for("TLS205") == "error"
    assert office.override_for("TLS101") is None
    assert strict.option("tls12_everywhere") is True
    assert office.option("tls12_everywhere") is False
    custom = resolve_profiles(
        {"mine": {"extends": "strict", "severity": {"TLS": "warning", "TLS205": "off"}}, "base": {"extends": "mine"}}
    )
    assert custom["mine"].override_for("TLS101") == "warning"
    assert custom["mine"].override_for("TLS205") == "off"
    assert custom["base"].option("auth_only_submission") is True
    with pytest.raises(ProfileError):
        resolve_profiles({"a": {"extends": "b"}, "b": {"extends": "a"}})
    with pytest.raises(ProfileError):
        resolve_profiles({"a": {"severity": {"TLS101": "fatal"}}})
    with pytest.raises(ProfileError):
        resolve_profiles({"a": {"options": {"no_such_option": 1}}})


def test_settings_found_upwards_mailconf_toml_wins(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mailconf]\nprofile = "strict"\n',
            "repo/.mailconf.toml": 'ignore = ["AUTH202"]\nfail-on = "error"\npostfix-version = "2.6"\n',
            "repo/hosts/a/etc/postfix/main.cf": "x = y\n",
            "other/main.cf": "x = y\n",
        },
    )
    deep = tmp_path / "repo/hosts/a/etc/postfix"
    assert find_config(deep) == tmp_path / "repo/.mailconf.toml"
    settings = discover_settings([deep])
    assert settings.ignore == ["AUTH202"]
    assert settings.fail_on == "error"
    assert settings.postfix_version == (2, 6)
    assert discover_settings([tmp_path / "other/main.cf"]).profile == "strict"


def test_pyproject_without_table_is_passed_over(tmp_path: Path) -> None:
    write_tree(tmp_path, {".mailconf.toml": 'profile = "strict"\n', "sub/pyproject.toml": "[project]\nname='x'\n"})
    assert find_config(tmp_path / "sub") == tmp_path / ".mailconf.toml"


def test_settings_errors_name_the_file(tmp_path: Path) -> None:
    bad = write_tree(tmp_path, {".mailconf.toml": "profile = \n"}) / ".mailconf.toml"
    with pytest.raises(SettingsError, match=r"\.mailconf\.toml"):
        load_settings(bad)
    bad.write_text("unknown_key = 1\n")
    with pytest.raises(SettingsError, match="unknown keys"):
        load_settings(bad)
    bad.write_text('profile = "nosuch"\n')
    with pytest.raises(SettingsError, match="unknown profile"):
        load_settings(bad)


def test_overrides_match_per_path(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".mailconf.toml": """
                [[overrides]]
                paths = ["hosts/old"]
                postfix-version = "2.6"
                ignore = ["LEG"]
            """,
        },
    )
    settings = load_settings(tmp_path / ".mailconf.toml")
    (override,) = settings.overrides
    assert override.matches([tmp_path / "hosts/old/etc/postfix"])
    assert not override.matches([tmp_path / "hosts/new/etc/postfix"])
    assert override.postfix_version == (2, 6)


def test_suppression_comments() -> None:
    text = (
        "# mailconf: disable-file=AUTH202\n"
        "a = 1\n"
        "# mailconf: disable=TLS101, tls103\n"
        "# an ordinary comment\n"
        "\n"
        "b = 2\n"
        "ssl = yes # mailconf: disable=TLS201\n"
    )
    sups = scan(text, "f", trailing=True)
    assert [(s.line, s.target, s.ids) for s in sups] == [
        (1, None, ["AUTH202"]),
        (3, 6, ["TLS101", "TLS103"]),
        (7, 7, ["TLS201"]),
    ]
    assert sups[1].covers("TLS101", 6) == "TLS101"
    assert sups[1].covers("TLS101", 7) is None
    assert sups[0].covers("AUTH202", 99) == "AUTH202"
    # Postfix files: a trailing "#" is data, not a comment.
    assert [s.line for s in scan(text, "f", trailing=False)] == [1, 3]


def test_discovery_one_set_per_host(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "hosts/a/etc/postfix/main.cf": "x = y\n",
            "hosts/a/etc/postfix/master.cf": "",
            "hosts/a/etc/dovecot/dovecot.conf": "!include conf.d/*.conf\n",
            "hosts/a/etc/dovecot/conf.d/10-ssl.conf": "ssl = required\n",
            "hosts/a/etc/mailman3/mailman.cfg": "[mta]\n",
            "hosts/b/etc/postfix/main.cf": "x = y\n",
            ".git/main.cf": "ignored\n",
        },
    )
    sets = discover([tmp_path])
    assert [(s.base.relative_to(tmp_path).as_posix()) for s in sets] == ["hosts/a/etc", "hosts/b/etc"]
    a = sets[0]
    assert a.postfix_dir == tmp_path / "hosts/a/etc/postfix"
    assert a.dovecot_conf == tmp_path / "hosts/a/etc/dovecot/dovecot.conf"
    assert a.mailman == [tmp_path / "hosts/a/etc/mailman3/mailman.cfg"]
    # A single file is linted with the rest of its set.
    (single,) = discover([tmp_path / "hosts/a/etc/dovecot/conf.d/10-ssl.conf"])
    assert single.key() == a.key()
    (single,) = discover([tmp_path / "hosts/a/etc/postfix/master.cf"])
    assert single.key() == a.key()
    (conf_d,) = discover([tmp_path / "hosts/a/etc/dovecot/conf.d"])
    assert conf_d.dovecot_conf == a.dovecot_conf


def test_discovery_flat_directory_and_errors(tmp_path: Path) -> None:
    write_tree(tmp_path, {"set1/main.cf": "x = y\n", "set1/dovecot.conf": "", "notes.txt": "", "empty/x": ""})
    (flat,) = discover([tmp_path / "set1"])
    assert flat.postfix_dir == tmp_path / "set1" and flat.dovecot_conf == tmp_path / "set1/dovecot.conf"
    with pytest.raises(DiscoveryError, match="not a file mailconf lints"):
        discover([tmp_path / "notes.txt"])
    with pytest.raises(DiscoveryError, match="no Postfix, Dovecot or Mailman"):
        discover([tmp_path / "empty"])


def test_discovery_survives_symlink_loops(tmp_path: Path) -> None:
    write_tree(tmp_path, {"h/postfix/main.cf": "x = y\n"})
    (tmp_path / "h/postfix/loop").symlink_to(tmp_path / "h")
    (tmp_path / "h/self").symlink_to(tmp_path / "h/self")
    sets = discover([tmp_path])
    assert [s.postfix_dir for s in sets] == [tmp_path / "h/postfix"]


def test_the_public_discover_is_the_function_even_after_the_engine_is_imported() -> None:
    """The module that implements it is ``mailconf.policy.discovery``: a submodule named
    ``discover`` would replace the package's ``discover`` attribute once imported."""
    import mailconf.policy.engine  # noqa: F401 - imports the discovery module
    from mailconf.policy import discover

    assert callable(discover) and discover.__module__ == "mailconf.policy.discovery"
