"""``python -m mailconf schema``: JSON Schema of the Postfix and Dovecot models and of lint's JSON."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from mailconf.cli import _schema
from mailconf.postfix.models import PostfixModel


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = _schema.run(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.startswith("{") else out), err


def test_postfix_schema_is_valid_and_describes_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, schema, _ = run(capsys, "postfix")
    assert code == 0
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == "PostfixModel"
    for name in ("Setting", "Time", "TlsLevel", "RestrictionList", "InetService", "UnixService", "Invalid"):
        assert name in schema["$defs"]
    model = PostfixModel.parse(
        "smtpd_tls_security_level = may\nipc_timeout = 1h30m\nsoft_bounce = maybe\n"
        "smtpd_relay_restrictions = check_policy_service { inet:127.0.0.1:1, x=y }, reject_unauth_destination\n",
        "submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\npickup unix n - y 60 1 pickup\n",
        version="3.7",
    )
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(model.model_dump(mode="json"))
    broken = model.model_dump(mode="json")
    broken["main"]["ipc_timeout"]["value"]["unit"] = "y"
    assert not validator.is_valid(broken)


def test_lint_output_schema_validates_real_lint_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, schema, _ = run(capsys, "lint-output")
    assert code == 0
    jsonschema.Draft202012Validator.check_schema(schema)
    (tmp_path / "main.cf").write_text("smtpd_tls_security_level = none\n")
    result = subprocess.run(
        [sys.executable, "-m", "mailconf", "lint", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    payload = json.loads(result.stdout)
    assert payload["findings"], "the example has findings"
    jsonschema.validate(payload, schema)
    payload["findings"][0]["severity"] = "fatal"
    assert not jsonschema.Draft202012Validator(schema).is_valid(payload)


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "nginx")
    assert code == 2 and "expected one of postfix, dovecot, mailman, lint-output, all" in err
    code, _, err = run(capsys, "postfix", "dovecot")
    assert code == 2
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "usage: mailconf schema" in out


HAVE_DOVECOT = importlib.util.find_spec("mailconf.dovecot.models") is not None


@pytest.mark.skipif(not HAVE_DOVECOT, reason="mailconf.dovecot.models is not written yet")
def test_dovecot_and_all(capsys: pytest.CaptureFixture[str]) -> None:
    code, schema, _ = run(capsys, "dovecot")
    assert code == 0
    jsonschema.Draft202012Validator.check_schema(schema)
    code, everything, _ = run(capsys, "all")
    assert code == 0
    assert sorted(everything) == ["dovecot", "lint-output", "mailman", "postfix"]
    assert everything["dovecot"] == schema


def test_command_line_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mailconf", "schema", "postfix"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"] == "PostfixModel"


def _shape(schema: dict[str, Any], node: dict[str, Any]) -> Any:
    """Required keys and property names of every object in a schema, $refs resolved."""
    if "$ref" in node:
        return _shape(schema, schema["$defs"][node["$ref"].rsplit("/", 1)[1]])
    for key in ("anyOf", "oneOf"):
        if key in node:
            found = [_shape(schema, n) for n in node[key] if n.get("type") != "null"]
            return found[0] if len(found) == 1 else found
    if node.get("type") == "array":
        return ["array", _shape(schema, node["items"])]
    if node.get("type") == "object" and "properties" in node:
        return {
            "required": sorted(node.get("required", [])),
            "properties": {k: _shape(schema, v) for k, v in sorted(node["properties"].items())},
        }
    return "leaf"


def test_lint_output_schema_agrees_with_the_documented_one(capsys: pytest.CaptureFixture[str]) -> None:
    documented = json.loads((Path(__file__).resolve().parent.parent / "docs" / "lint-output.schema.json").read_text())
    _, printed, _ = run(capsys, "lint-output")
    assert _shape(printed, printed) == _shape(documented, documented)


def test_postfix_schema_with_parameters_types_each_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    code, schema, _ = run(capsys, "postfix", "--parameters", "--postfix-version", "3.7")
    assert code == 0
    jsonschema.Draft202012Validator.check_schema(schema)
    parameters = schema["$defs"]["Parameters"]["properties"]
    assert len(parameters) > 800
    assert parameters["smtpd_tls_security_level"]["description"].startswith("tls_level")
    validator = jsonschema.Draft202012Validator(schema)
    model = PostfixModel.parse(
        "smtpd_tls_security_level = may\nsmtpd_relay_restrictions = reject_unauth_destination\nmy_own = x\n"
        "soft_bounce = maybe\n",
        None,
        version="3.7",
        defaults=True,
    )
    document = model.model_dump(mode="json")
    validator.validate(document)  # invalid values and unknown names are allowed
    document["main"]["smtpd_tls_security_level"]["value"] = {"kind": "bool", "value": True}
    assert not validator.is_valid(document)
    document = model.model_dump(mode="json")
    document["defaults"]["mynetworks_style"]["value"] = {"kind": "choice", "value": "anywhere"}
    assert not validator.is_valid(document)


def test_postfix_version_must_be_a_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "postfix", "--postfix-version", "latest")
    assert code == 2 and "usage: mailconf schema" in err
    code, schema, _ = run(capsys, "postfix", "--postfix-version=2.6", "--parameters")
    assert code == 0
    assert "smtputf8_enable" not in schema["$defs"]["Parameters"]["properties"]  # Postfix 3.0 and later


def test_postfix_schema_with_parameters_types_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    _, schema, _ = run(capsys, "postfix", "--parameters", "--postfix-version", "3.7")
    validator = jsonschema.Draft202012Validator(schema)
    model = PostfixModel.parse(
        None, "submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n", version="3.7"
    )
    document = model.model_dump(mode="json")
    validator.validate(document)
    document["services"][0]["overrides"]["smtpd_tls_security_level"]["value"] = {"kind": "int", "value": 1}
    assert not validator.is_valid(document)


def test_mailman_schema_is_a_valid_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert _schema.run(["mailman"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "Mailman3Model" in json.dumps(schema)
