"""The ``mailconf lint`` command line: exit codes, --explain, --list-rules, usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailconf.cli import _lint
from mailconf.policy.docs import documented
from mailconf.policy.registry import load_rules
from tests.policy._helpers import cli, cli_json


def test_missing_path_is_syn001_and_exit_2(tmp_path: Path) -> None:
    code, data = cli_json(str(tmp_path / "nope"))
    assert code == 2
    assert [f["rule"] for f in data["findings"]] == ["SYN001"]
    assert data["findings"][0]["path"] == str(tmp_path / "nope")
    assert data["summary"]["parse_failed"] is True


def test_missing_path_never_falls_back_to_etc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _lint.run(["--format", "json", str(tmp_path / "nope")]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["sets"] == []


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("x")
    assert _lint.run(["--select", "NOPE1", str(tmp_path)]) == 2
    assert "unknown rule selector" in capsys.readouterr().err
    assert _lint.run(["--profile", "nosuch", str(tmp_path)]) == 2
    assert _lint.run(["--postfix-version", "three", str(tmp_path)]) == 2
    assert _lint.run([str(tmp_path / "notes.txt")]) == 2
    assert "not a file mailconf lints" in capsys.readouterr().err
    assert _lint.run(["--bogus-flag"]) == 2
    assert _lint.run(["--explain", "ZZZ999"]) == 2


def test_explain_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert _lint.run(["--explain", "syn001"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# SYN001")
    for heading in ("## What", "## Why", "## Example", "## Fix"):
        assert heading in out


def test_every_rule_has_a_docs_page() -> None:
    pages = set(documented())
    missing = [r for r in load_rules() if r not in pages and not r.startswith("MM")]
    assert missing == []
    for rule_id in pages:
        assert rule_id in load_rules(), f"docs page for unknown rule {rule_id}"


def test_list_rules_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert _lint.run(["--list-rules", "--no-config"]) == 0
    out = capsys.readouterr().out
    assert "SYN001" in out and "profile office" in out
    assert _lint.run(["--list-rules", "--format", "json", "--profile", "strict", "--no-config"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["profile"] == "strict"
    assert {r["id"] for r in data["rules"]} == set(load_rules())


def test_subprocess_entry_point(tmp_path: Path) -> None:
    proc = cli("--explain", "SYN007")
    assert proc.returncode == 0 and "# SYN007" in proc.stdout


def test_family_docs_hold_every_rule_page() -> None:
    from mailconf.policy.docs import explain
    from tests.policy._helpers import ROOT

    for rule_id, r in load_rules().items():
        if r.family == "MM":
            continue
        page = (ROOT / "docs" / "rules" / f"{r.family.lower()}.md").read_text(encoding="utf-8")
        body = (explain(rule_id) or "").split("\n## What\n", 1)[1].split("\n## ", 1)[0].strip()
        assert f"## {rule_id}:" in page and body in page, rule_id


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert _lint.run(["--help"]) == 0
    assert "--fail-on" in capsys.readouterr().out


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.policy._helpers import ROOT

    target = tmp_path / "report.sarif"
    assert _lint.run(["--no-config", "--format", "sarif", "-o", str(target), str(ROOT / "examples/insecure")]) == 1
    assert capsys.readouterr().out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"
