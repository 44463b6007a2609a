"""The live configurations in both Dovecot forms, without starting anything (no root needed).

The 2.4 form must be a clean 2.4 file (mailconf's 2.4 reader and version rules accept it) and
must give ``mailconf lint`` the same verdicts as the 2.3 form, so that the evidence table holds
on Debian 13 as on Debian 12. The daemons' side is checked by the live suite on each machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailconf.dovecot.config import check_version_rules, detect_version
from mailconf.dovecot.config24 import load_config24
from tests.live._run import LintResult, lint, standard_ports
from tests.live._servers import Config, Paths, make_certificate
from tests.live._variants import EVIDENCE, Evidence, variants
from tests.support import require_tool

FORMS = {series: variants(series) for series in ("2.3", "2.4")}


def write(config: Config, base: Path, cert: Path, key: Path) -> Path:
    """The three files where the daemons would read them, with the placeholders filled in."""
    paths = Paths(base, cert, key)
    paths.postfix_dir.mkdir(parents=True)
    paths.dovecot_file.parent.mkdir(parents=True)
    (paths.postfix_dir / "main.cf").write_text(paths.fill(config.main_cf))
    (paths.postfix_dir / "master.cf").write_text(paths.fill(config.master_cf))
    paths.dovecot_file.write_text(paths.fill(config.dovecot_conf))
    return paths.dovecot_file


def _settings(config: Config) -> dict[str, str]:
    """Top-level ``name = value`` lines of the Dovecot file."""
    out: dict[str, str] = {}
    for line in config.dovecot_conf.splitlines():
        if " = " in line and not line.startswith(" "):
            name, _, value = line.partition(" = ")
            out[name] = value
    return out


@pytest.mark.parametrize("name", sorted(FORMS["2.4"]))
def test_the_24_form_is_a_clean_24_file(tmp_path: Path, name: str) -> None:
    path = write(FORMS["2.4"][name], tmp_path, tmp_path / "cert.pem", tmp_path / "key.pem")
    assert detect_version(path) == "2.4"
    assert check_version_rules(path) == []
    load_config24(path)  # raises on anything doveconf 2.4 refuses


@pytest.mark.parametrize("name", sorted(FORMS["2.3"]))
def test_the_23_form_has_no_24_names(tmp_path: Path, name: str) -> None:
    path = write(FORMS["2.3"][name], tmp_path, tmp_path / "cert.pem", tmp_path / "key.pem")
    assert detect_version(path) == "2.3"
    assert check_version_rules(path) == []


def test_the_24_form_renames_and_keeps_the_values() -> None:
    old, new = _settings(FORMS["2.3"]["secure"]), _settings(FORMS["2.4"]["secure"])
    assert list(new)[:2] == ["dovecot_config_version", "dovecot_storage_version"]
    assert (old["ssl_cert"], new["ssl_server_cert_file"]) == ("<@CERT@", "@CERT@")
    assert (old["ssl_key"], new["ssl_server_key_file"]) == ("<@KEY@", "@KEY@")
    assert (old["disable_plaintext_auth"], new["auth_allow_cleartext"]) == ("yes", "no")
    assert _settings(FORMS["2.4"]["weak-auth"])["auth_allow_cleartext"] == "yes"
    assert (new["mail_driver"], new["mail_path"]) == ("maildir", "~/Maildir")
    assert not {"ssl_cert", "ssl_key", "disable_plaintext_auth", "mail_location"} & set(new)
    shared = set(old) - {"ssl_cert", "ssl_key", "disable_plaintext_auth", "mail_location"}
    assert {k: new[k] for k in shared} == {k: old[k] for k in shared}
    # the only difference in the variants themselves: 2.4 needs ssl = yes for AUTH202 (see trusted_clear)
    assert _settings(FORMS["2.3"]["weak-sasl-mode"])["ssl"] == "required"
    assert _settings(FORMS["2.4"]["weak-sasl-mode"])["ssl"] == "yes"


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], LintResult]:
    """``mailconf lint`` of every variant in both forms, as the live suite lints them."""
    require_tool("openssl")
    base = tmp_path_factory.mktemp("forms")
    cert, key = make_certificate(base)
    (base / "short").mkdir()
    short_cert, short_key = make_certificate(base / "short", days=10)
    out: dict[tuple[str, str], LintResult] = {}
    for series, configs in FORMS.items():
        for name, config in configs.items():
            root = base / series / name
            own = "cert_days" in config.notes
            write(config, root, short_cert if own else cert, short_key if own else key)
            out[series, name] = lint(standard_ports(root / "etc", root / "lint" / "etc"))
    return out


def _implemented() -> set[str]:
    from mailconf.policy.registry import load_rules

    return {rule_id for rule_id, r in load_rules().items() if r.func is not None}


@pytest.mark.parametrize("evidence", [e for e in EVIDENCE if e.rule in _implemented()], ids=lambda e: e.rule)
def test_lint_gives_the_same_verdicts_in_both_forms(
    verdicts: dict[tuple[str, str], LintResult], evidence: Evidence
) -> None:
    for series in ("2.3", "2.4"):
        weak, fixed = verdicts[series, evidence.weak], verdicts[series, "secure"]
        assert weak.error is None and fixed.error is None, (series, weak.error or fixed.error)
        assert evidence.rule in weak.rules(), (series, sorted(weak.rules()))
        assert evidence.rule not in fixed.rules(), (series, sorted(fixed.rules()))
