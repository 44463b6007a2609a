"""Effective Mailman 3 settings: defaults from schema.cfg, layouts, paths, the Postfix map type."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf.mailman import find_mailman_files, load_mailman3
from tests.support import corpus_sets


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_keys_are_absent(tmp_path: Path) -> None:
    config = load_mailman3(write(tmp_path / "mailman.cfg", "[mailman]\nsite_owner: me@example.org\n"))
    assert config.site_owner.value == "me@example.org"
    assert config.site_owner.source == "file" and config.site_owner.line == 2
    assert config.incoming.value == "mailman.mta.postfix.LMTP" and config.incoming.source == "default"
    assert (config.lmtp_host.value, config.port(config.lmtp_port)) == ("127.0.0.1", 8024)
    assert (config.smtp_host.value, config.port(config.smtp_port)) == ("localhost", 25)
    assert config.uses_postfix_lmtp
    assert config.transport_file_type == "hash" and config.postfix_map_type == "hash"
    # layout "here" puts var_dir under the working directory: unknown before run time
    assert config.layout.value == "here"
    assert config.var_dir is None and config.postfix_lmtp is None


def test_debian_layout(tmp_path: Path) -> None:
    text = (
        "[mailman]\nlayout: debian\n\n[paths.debian]\nvar_dir: /var/lib/mailman3\n"
        "queue_dir: $var_dir/queue\nlog_dir: /var/log/mailman3\n"
    )
    root = tmp_path / "host"
    config = load_mailman3(write(root / "etc/mailman3/mailman.cfg", text), root=root)
    assert config.system_path == "/etc/mailman3/mailman.cfg"
    assert config.var_dir == "/var/lib/mailman3"
    assert config.data_dir == "/var/lib/mailman3/data"
    assert config.postfix_lmtp == "/var/lib/mailman3/data/postfix_lmtp"
    assert config.postfix_domains == "/var/lib/mailman3/data/postfix_domains"
    assert config.paths["log_dir"] == "/var/log/mailman3"
    assert config.path_settings["var_dir"].line == 5


def test_builtin_fhs_layout_and_overrides(tmp_path: Path) -> None:
    config = load_mailman3(write(tmp_path / "m.cfg", "[mailman]\nlayout: fhs\n"))
    assert config.data_dir == "/var/lib/mailman/data"
    assert config.path_settings["var_dir"].source == "base"
    config = load_mailman3(write(tmp_path / "n.cfg", "[mailman]\nlayout: fhs\n[paths.fhs]\ndata_dir: /srv/d\n"))
    assert config.postfix_lmtp == "/srv/d/postfix_lmtp"


def test_dev_layout_uses_cfg_file(tmp_path: Path) -> None:
    root = tmp_path / "r"
    config = load_mailman3(write(root / "opt/mm/etc/conf/mailman.cfg", "[mailman]\nlayout: dev\n"), root=root)
    assert config.var_dir == "/opt/mm/etc"
    assert config.postfix_lmtp == "/opt/mm/etc/data/postfix_lmtp"


def test_unknown_layout_is_a_problem(tmp_path: Path) -> None:
    config = load_mailman3(write(tmp_path / "m.cfg", "[mailman]\nlayout: nowhere\n"))
    assert config.data_dir is None
    assert any("paths.nowhere" in p for p in config.problems)


def test_regex_maps_from_the_mta_configuration_file(tmp_path: Path) -> None:
    root = tmp_path / "host"
    write(root / "etc/mailman3/postfix-mailman.cfg", "[postfix]\ntransport_file_type: regex\n")
    cfg = write(
        root / "etc/mailman3/mailman.cfg",
        "[mta]\nconfiguration: /etc/mailman3/postfix-mailman.cfg\n",
    )
    config = load_mailman3(cfg, root=root)
    assert config.transport_file_type == "regex"
    assert config.postfix_map_type == "regexp"
    missing = load_mailman3(write(tmp_path / "x.cfg", "[mta]\nconfiguration: /nonexistent/p.cfg\n"), root=root)
    assert missing.postfix_map_type is None


def test_meta_extends(tmp_path: Path) -> None:
    write(tmp_path / "base.cfg", "[mta]\nlmtp_port: 24\nsmtp_port: 2525\n")
    config = load_mailman3(write(tmp_path / "mailman.cfg", "[meta]\nextends: base.cfg\n[mta]\nlmtp_port: 8025\n"))
    assert config.port(config.lmtp_port) == 8025
    assert config.port(config.smtp_port) == 2525
    assert config.smtp_port.path == str(tmp_path / "base.cfg")


def test_bad_port_is_none(tmp_path: Path) -> None:
    config = load_mailman3(write(tmp_path / "m.cfg", "[mta]\nlmtp_port: eight\n"))
    assert config.port(config.lmtp_port) is None


@pytest.mark.parametrize("folder", corpus_sets("mailman"), ids=lambda p: p.name)
def test_corpus_models_without_error(folder: Path) -> None:
    from mailconf.mailman import load_mailman2

    for path in find_mailman_files(folder):
        if path.name == "mm_cfg.py":
            load_mailman2(path, root=folder)
            continue
        config = load_mailman3(path, root=folder)
        assert config.site_owner.value
        assert config.port(config.lmtp_port) is not None


def test_discovery(tmp_path: Path) -> None:
    write(tmp_path / "hosts/a/etc/mailman3/mailman.cfg", "[mta]\n")
    write(tmp_path / "hosts/b/etc/mailman/mm_cfg.py", "MTA = 'Postfix'\n")
    write(tmp_path / ".git/mailman.cfg", "[mta]\n")
    link = tmp_path / "hosts/b/usr/lib/mailman/Mailman/mm_cfg.py"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "hosts/b/etc/mailman/mm_cfg.py")
    found = find_mailman_files(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "hosts/a/etc/mailman3/mailman.cfg",
        "hosts/b/etc/mailman/mm_cfg.py",
    ]
    host = find_mailman_files(tmp_path / "hosts/b")
    assert [p.relative_to(tmp_path).as_posix() for p in host] == ["hosts/b/etc/mailman/mm_cfg.py"]
    assert find_mailman_files(tmp_path / "hosts/a/etc/mailman3/mailman.cfg") == [
        tmp_path / "hosts/a/etc/mailman3/mailman.cfg"
    ]


def test_pydantic_models(tmp_path: Path) -> None:
    import json

    from mailconf.mailman import load_mailman2
    from mailconf.mailman.models import Mailman2Model, Mailman3Model

    cfg = write(tmp_path / "mailman.cfg", "[mailman]\nlayout: fhs\n[mta]\nlmtp_port: 8025\nsmtp_port: x\n")
    model = Mailman3Model.from_config(load_mailman3(cfg))
    assert model.mta.lmtp_port.value == 8025 and model.mta.lmtp_port.origin.line == 4
    assert model.mta.smtp_port.value is None and model.mta.smtp_port.raw == "x"
    assert model.mta.lmtp_host.origin.source == "default" and model.mta.lmtp_host.value == "127.0.0.1"
    assert model.postfix_lmtp == "/var/lib/mailman/data/postfix_lmtp"
    assert json.loads(model.model_dump_json())["postfix_map_type"] == "hash"
    assert "MtaSettings" in json.dumps(Mailman3Model.model_json_schema())

    mm = write(tmp_path / "mm_cfg.py", "import os\nMTA = 'Postfix'\nHOST = os.uname()[1]\nadd_virtualhost('a')\n")
    model2 = Mailman2Model.from_config(load_mailman2(mm))
    assert model2.mta.value == "Postfix" and model2.mta.known
    assert model2.postfix_alias_cmd.source == "default"
    assert [n.line for n in model2.not_understood] == [1, 3]
    assert model2.virtual_hosts[0].email_host is None and model2.virtual_hosts[0].mail_domain == ""
    with pytest.raises(ValueError):
        model2.mta.__class__(value=object(), known=True, source="file")


def test_mta_configuration_next_to_mailman_cfg(tmp_path: Path) -> None:
    write(tmp_path / "repo/mailman3/postfix-mailman.cfg", "[postfix]\ntransport_file_type: regex\n")
    cfg = write(tmp_path / "repo/mailman3/mailman.cfg", "[mta]\nconfiguration: /etc/mailman3/postfix-mailman.cfg\n")
    config = load_mailman3(cfg, root=tmp_path / "repo")
    assert config.postfix_map_type == "regexp"
    assert config.mta_configuration is not None


def test_json_schema_validates_model_dumps(tmp_path: Path) -> None:
    import jsonschema  # type: ignore[import-untyped]

    from mailconf.mailman import load_mailman2
    from mailconf.mailman.models import Mailman2Model, Mailman3Model, json_schema

    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    m3 = Mailman3Model.from_config(load_mailman3(write(tmp_path / "mailman.cfg", "[mta]\nlmtp_port: 24\n")))
    m2 = Mailman2Model.from_config(load_mailman2(write(tmp_path / "mm_cfg.py", "MTA = 'Postfix'\nimport os\n")))
    document = {"mailman3": m3.model_dump(mode="json"), "mailman2": m2.model_dump(mode="json")}
    jsonschema.validate(document, schema)
    document["mailman3"]["mta"]["lmtp_port"]["value"] = "not a port"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def test_module_doctests() -> None:
    import doctest

    from mailconf.mailman import models

    result = doctest.testmod(models)
    assert result.attempted > 0 and result.failed == 0
