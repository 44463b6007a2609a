"""Typed frozen pydantic models of Dovecot configurations and their JSON Schema."""

from __future__ import annotations

from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from pydantic import ValidationError

from mailconf.dovecot.config import load_config
from mailconf.dovecot.models import DovecotModel, from_config, json_schema, load_model
from mailconf.errors import ParseError
from tests.dovecot.test_doveconf_oracle import trees
from tests.support import corpus_sets, require_corpus

CONF = """\
protocols = imap pop3
ssl = required
auth_cache_ttl = 2 hours
auth_cache_size = 10M
mail_plugins = quota
service imap-login {
  inet_listener imap {
    port = 0
  }
}
service auth {
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
  }
}
passdb {
  driver = passwd-file
  args = /etc/dovecot/users
}
namespace inbox {
  inbox = yes
  mailbox "Sent Messages" {
    special_use = \\Sent
  }
}
plugin {
  quota = maildir
}
remote 10.0.0.0/8 {
  ssl = yes
}
"""


@pytest.fixture
def model(tmp_path: Path) -> DovecotModel:
    f = tmp_path / "dovecot.conf"
    f.write_text(CONF)
    return load_model(f)


def test_values_are_typed_and_sourced(model: DovecotModel) -> None:
    s = model.settings
    assert s.ssl.value == "required"
    assert s.ssl.line == 2 and s.ssl.path is not None and s.ssl.path.endswith("dovecot.conf")
    assert s.auth_cache_ttl.value == 7200
    assert s.auth_cache_size.value == 10 * 1024 * 1024
    assert s.disable_plaintext_auth.value is True  # default
    assert s.disable_plaintext_auth.is_default
    assert model.protocols == ["imap", "pop3"]


def test_services_listeners_and_databases(model: DovecotModel) -> None:
    login = model.service("imap-login")
    ports = {ln.name: (ln.settings.port.value, ln.settings.ssl.value) for ln in login.inet_listeners}
    assert ports == {"imap": (0, False), "imaps": (993, True)}  # the built-in imaps listener stays
    auth = model.service("auth")
    sock = next(ln for ln in auth.unix_listeners if ln.name == "/var/spool/postfix/private/auth")
    assert sock.settings.mode.value == 0o660
    assert sock.settings.user.value == "postfix"
    assert [p.settings.driver.value for p in model.passdbs] == ["passwd-file"]
    ns = model.namespaces[0]
    assert ns.name == "inbox" and ns.settings.inbox.value is True
    assert [m.name for m in ns.mailboxes] == ["Sent Messages"]
    assert model.plugin["quota"].value == "maildir"


def test_filters_are_scoped_overrides(model: DovecotModel) -> None:
    (f,) = model.filters
    assert f.remote == "10.0.0.0/8"
    assert f.overrides["ssl"].value == "yes"
    assert f.overrides["ssl"].line == CONF.splitlines().index("  ssl = yes") + 1


def test_models_are_frozen(model: DovecotModel) -> None:
    with pytest.raises(ValidationError):
        model.settings.ssl.value = "no"


def test_dump_and_validate_back_equal(model: DovecotModel) -> None:
    data = model.model_dump(mode="json")
    assert type(model).model_validate(data) == model


def test_json_schema_validates_dumps(model: DovecotModel) -> None:
    schema = json_schema("2.3")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(model.model_dump(mode="json", by_alias=True), schema)
    props = schema["$defs"]
    assert any(k.startswith("DovecotSettings") for k in props)


def test_enum_values_are_checked(model: DovecotModel) -> None:
    data = model.model_dump(mode="json")
    data["settings"]["ssl"]["value"] = "maybe"
    with pytest.raises(ValidationError):
        type(model).model_validate(data)


@pytest.mark.parametrize(
    "setdir", [p for p in corpus_sets("dovecot") if (p / "dovecot.conf").exists()], ids=lambda p: p.name
)
def test_corpus_models(setdir: Path) -> None:
    require_corpus()
    from mailconf.dovecot.config import detect_version

    main = setdir / "dovecot.conf"
    try:
        cfg = load_config(main, version=detect_version(main))
    except ParseError:
        pytest.skip("doveconf refuses this set too (see the oracle tests)")
    model = from_config(cfg)
    data = model.model_dump(mode="json")
    assert type(model).model_validate(data) == model


@given(trees())
def test_generated_trees_models_round_trip(tree: dict[str, str]) -> None:
    """Models of generated trees dump to JSON and validate back equal, and match the semantics."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in tree.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        try:
            cfg = load_config(root / "dovecot.conf")
        except ParseError:
            return
        model = from_config(cfg)
        assert type(model).model_validate(model.model_dump(mode="json")) == model
        assert model.settings.ssl.value == cfg.effective("ssl").value
        assert [s.name for s in model.services] == [s.name for s in cfg.services]
        assert len(model.filters) == len(cfg.filters)


def test_settings_typed_per_version(tmp_path: Path) -> None:
    f = tmp_path / "dovecot.conf"
    f.write_text(
        "dovecot_config_version = 2.4.1\ndovecot_storage_version = 2.4.1\n"
        "ssl_server_cert_file = /etc/ssl/c.pem\nauth_allow_cleartext = yes\n"
    )
    m24 = load_model(f, version="2.4")
    assert m24.settings.ssl_server_cert_file.value == "/etc/ssl/c.pem"
    assert m24.settings.auth_allow_cleartext.value is True
    assert not hasattr(m24.settings, "ssl_cert")
    s23 = json_schema("2.3")["$defs"]
    s24 = json_schema("2.4")["$defs"]
    props23 = next(v for k, v in s23.items() if k.startswith("DovecotSettings"))["properties"]
    props24 = next(v for k, v in s24.items() if k.startswith("DovecotSettings"))["properties"]
    assert "ssl_cert" in props23 and "ssl_cert" not in props24
    assert "auth_allow_cleartext" in props24 and "auth_allow_cleartext" not in props23
