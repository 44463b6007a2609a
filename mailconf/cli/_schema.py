"""``mailconf schema [postfix|dovecot|mailman|lint-output|all] [--parameters] [--postfix-version V]``.

Prints a JSON Schema:

* ``postfix``: the typed Postfix model (:class:`mailconf.postfix.models.PostfixModel`); with
  ``--parameters``, every parameter of the Postfix version (``--postfix-version``, default the
  installed one) is listed with the type of its value;
* ``dovecot``: the typed Dovecot model (``mailconf.dovecot.models.json_schema()``);
* ``mailman``: the Mailman 3 and Mailman 2 models (``mailconf.mailman.models.json_schema()``);
* ``lint-output``: the document ``mailconf lint --format json`` prints;
* ``all`` (the default): one object ``{"postfix": ..., "dovecot": ..., "mailman": ..., "lint-output": ...}``.

Exit 0 on success, 2 on a usage error or when a model is not available.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

DIALECT = "https://json-schema.org/draft/2020-12/schema"
KINDS = ("postfix", "dovecot", "mailman", "lint-output", "all")
USAGE = "usage: mailconf schema [postfix|dovecot|mailman|lint-output|all] [--parameters] [--postfix-version VERSION]"


class LintFinding(BaseModel):
    """One finding of ``mailconf lint --format json``."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(pattern=r"^[A-Z]+[0-9]{3}$", description="stable rule ID, e.g. TLS101")
    severity: Literal["error", "warning", "info"]
    message: str
    path: str = Field(description="the file as it was given")
    line: int = Field(ge=1, description="1-based line")
    column: int = Field(ge=1, description="1-based byte column")
    end_line: int | None = Field(ge=1)
    end_column: int | None = Field(ge=1)
    fix: str | None = Field(description="a hint: what to write instead")


class LintSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    profile: str
    postfix_version: str | None
    dovecot_version: str | None


class LintSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    total: int = Field(ge=0)
    error: int = Field(ge=0)
    warning: int = Field(ge=0)
    info: int = Field(ge=0)
    by_rule: dict[Annotated[str, StringConstraints(pattern=r"^[A-Z]+[0-9]{3}$")], Annotated[int, Field(ge=1)]] = Field(
        description="number of findings per rule ID"
    )
    files: int = Field(ge=0)
    parse_failed: bool = Field(description="some file could not be read or parsed (reported as SYN001)")
    sets: list[LintSet]
    exit_code: Literal[0, 1, 2] | None = Field(default=None, description="the exit status of the command")


class LintOutput(BaseModel):
    """What ``mailconf lint --format json`` prints."""

    model_config = ConfigDict(extra="forbid", title="LintOutput")

    version: str = Field(description="mailconf version")
    findings: list[LintFinding]
    files: list[str]
    summary: LintSummary


def _with_dialect(schema: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": DIALECT, **schema}


def postfix_schema(*, parameters: bool = False, version: str | None = None) -> dict[str, Any]:
    from mailconf.postfix.models import json_schema

    return _with_dialect(json_schema(version=version, parameters=parameters))


def dovecot_schema() -> dict[str, Any]:
    import importlib

    models: Any = importlib.import_module("mailconf.dovecot.models")
    schema: dict[str, Any] = models.json_schema()
    return schema if "$schema" in schema else _with_dialect(schema)


def mailman_schema() -> dict[str, Any]:
    import importlib

    models: Any = importlib.import_module("mailconf.mailman.models")
    schema: dict[str, Any] = models.json_schema()
    return schema if "$schema" in schema else _with_dialect(schema)


def lint_output_schema() -> dict[str, Any]:
    schema = LintOutput.model_json_schema()
    # exit_code is either absent or 0/1/2, never null
    schema["$defs"]["LintSummary"]["properties"]["exit_code"] = {
        "type": "integer",
        "enum": [0, 1, 2],
        "description": "the exit status of the command (present when it is known)",
    }
    return _with_dialect(schema)


BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    "postfix": postfix_schema,
    "dovecot": dovecot_schema,
    "mailman": mailman_schema,
    "lint-output": lint_output_schema,
}


def schema(kind: str, *, parameters: bool = False, postfix_version: str | None = None) -> dict[str, Any]:
    """The JSON Schema for ``kind`` (one of :data:`KINDS`)."""
    builders = dict(BUILDERS)
    builders["postfix"] = lambda: postfix_schema(parameters=parameters, version=postfix_version)
    if kind == "all":
        return {name: build() for name, build in builders.items()}
    return builders[kind]()


def run(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE)
        print(__doc__.split("\n\n", 1)[1].rsplit("\n\n", 1)[0] if __doc__ else "")
        return 0
    kinds: list[str] = []
    parameters = False
    version: str | None = None
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--parameters":
            parameters = True
        elif arg == "--postfix-version" and args:
            version = args.pop(0)
        elif arg.startswith("--postfix-version="):
            version = arg.partition("=")[2]
        elif arg in KINDS:
            kinds.append(arg)
        else:
            kinds = ["?", "?"]
            break
    if len(kinds) > 1 or (version is not None and not re.fullmatch(r"\d+\.\d+", version)):
        print(f"mailconf schema: expected one of {', '.join(KINDS)}\n{USAGE}", file=sys.stderr)
        return 2
    kind = kinds[0] if kinds else "all"
    try:
        result = schema(kind, parameters=parameters, postfix_version=version)
    except ImportError as exc:
        print(f"mailconf schema: {kind} models are not available: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0
