"""Reporters: text, json (against docs/lint-output.schema.json), sarif (official schema), github."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from mailconf.cli import _reporters
from mailconf.policy._finding import Finding
from mailconf.policy.engine import LintResult, SetReport
from mailconf.policy.registry import load_rules

ROOT = Path(__file__).resolve().parents[2]


def _result(tmp_path: Path) -> LintResult:
    rules = load_rules()
    main = str(tmp_path / "etc/postfix/main.cf")
    findings = [
        Finding("SYN001", "error", "missing '=' after attribute name: \"x, y\"", main, 3, 1, fix="add '='"),
        Finding("SYN007", "warning", "unused suppression: 100% sure", main, 7, 3, 7, 20),
        Finding("SYN007", "info", "ünïcode\nnewline", "relative/dovecot.conf", 1, 1),
    ]
    return LintResult(
        findings,
        [main, "relative/dovecot.conf"],
        [SetReport("etc", (3, 7), (2, 3), "office", [main])],
        {k: rules[k] for k in ("SYN001", "SYN007")},
        True,
    )


def test_text_format_and_summary(tmp_path: Path) -> None:
    out = _reporters.text(_result(tmp_path))
    first = out.splitlines()[0]
    assert first == f"{tmp_path}/etc/postfix/main.cf:3:1: SYN001 missing '=' after attribute name: \"x, y\""
    assert "Found 3 problems (1 error, 1 warning, 1 info)" in out
    assert "\033[" not in out
    assert "could not be read or parsed" in out
    coloured = _reporters.text(_result(tmp_path), colour=True)
    assert "\033[1;31mSYN001\033[0m" in coloured


def test_colour_only_on_tty_and_not_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert _reporters.use_colour(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not _reporters.use_colour(Tty())
    monkeypatch.delenv("NO_COLOR")
    assert not _reporters.use_colour(object())


def test_json_matches_documented_schema(tmp_path: Path) -> None:
    data = json.loads(_reporters.as_json(_result(tmp_path), exit_code=2))
    schema = json.loads((ROOT / "docs/lint-output.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    assert list(data) == ["version", "findings", "files", "summary"]
    assert data["findings"][1] == {
        "rule": "SYN007",
        "severity": "warning",
        "message": "unused suppression: 100% sure",
        "path": f"{tmp_path}/etc/postfix/main.cf",
        "line": 7,
        "column": 3,
        "end_line": 7,
        "end_column": 20,
        "fix": None,
    }
    assert data["summary"]["exit_code"] == 2 and data["summary"]["parse_failed"] is True


def test_sarif_valid_against_official_schema(tmp_path: Path) -> None:
    doc = json.loads(_reporters.sarif(_result(tmp_path), root=tmp_path))
    schema = json.loads((ROOT / "tests/data/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema).validate(doc)
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["SYN001", "SYN007"]
    first = run["results"][0]
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "etc/postfix/main.cf", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 1}
    assert first["level"] == "error" and first["ruleIndex"] == 0
    assert run["results"][2]["level"] == "note"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    assert run["invocations"][0]["executionSuccessful"] is False


def test_github_annotations_escape(tmp_path: Path) -> None:
    lines = _reporters.github(_result(tmp_path)).splitlines()
    assert lines[0].startswith(f"::error file={tmp_path}/etc/postfix/main.cf,line=3,col=1,title=SYN001::SYN001 ")
    assert "100%25 sure" in lines[1]
    assert lines[1].startswith("::warning ") and "endLine=7,endColumn=20" in lines[1]
    assert lines[2].startswith("::notice file=relative/dovecot.conf,") and "%0A" in lines[2]
