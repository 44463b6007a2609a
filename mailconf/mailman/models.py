"""Frozen pydantic models of the Mailman settings that matter to the mail transport.

Built from the semantic layer (:mod:`mailconf.mailman.config`), for library users and JSON export;
the lint rules do not import this module (pydantic costs start-up time).

>>> from mailconf.mailman import parse_mailman_cfg
>>> from mailconf.mailman.config import Mailman3Config
>>> config = Mailman3Config([parse_mailman_cfg(b"[mta]\\nlmtp_port: 8025\\n")])
>>> model = Mailman3Model.from_config(config)
>>> model.mta.lmtp_port.value, model.mta.lmtp_host.value, model.mta.lmtp_host.origin.source
(8025, '127.0.0.1', 'default')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from mailconf.mailman.config import Mailman2Config, Mailman3Config, Setting, Value2


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Origin(_Frozen):
    """Where a value came from: a file (with its line and column), Mailman's base configuration,
    or Mailman's defaults."""

    source: Literal["file", "base", "default"]
    path: str | None = None
    line: int = 1
    column: int = 1


class StrSetting(_Frozen):
    value: str
    origin: Origin


class PortSetting(_Frozen):
    value: int | None  # None: not a valid port number
    raw: str
    origin: Origin


def _origin(setting: Setting) -> Origin:
    source: Literal["file", "base", "default"] = (
        "file" if setting.source == "file" else "base" if setting.source == "base" else "default"
    )
    return Origin(
        source=source, path=setting.path if source == "file" else None, line=setting.line, column=setting.column
    )


def _str(setting: Setting) -> StrSetting:
    return StrSetting(value=setting.value, origin=_origin(setting))


def _port(setting: Setting) -> PortSetting:
    from mailconf.mailman.config import Mailman3Config

    return PortSetting(value=Mailman3Config.port(setting), raw=setting.value, origin=_origin(setting))


class MtaSettings(_Frozen):
    """Mailman 3's ``[mta]`` section."""

    incoming: StrSetting
    outgoing: StrSetting
    lmtp_host: StrSetting
    lmtp_port: PortSetting
    smtp_host: StrSetting
    smtp_port: PortSetting
    smtp_user: StrSetting
    smtp_secure_mode: StrSetting
    configuration: StrSetting
    verp_delimiter: StrSetting


class Mailman3Model(_Frozen):
    """A Mailman 3 ``mailman.cfg`` as Mailman will use it."""

    path: str | None
    site_owner: StrSetting
    layout: StrSetting
    mta: MtaSettings
    var_dir: str | None  # None: depends on the run-time environment ($cwd, MAILMAN_VAR_DIR, ...)
    data_dir: str | None
    postfix_lmtp: str | None
    postfix_domains: str | None
    postfix_vmap: str | None
    uses_postfix_lmtp: bool
    transport_file_type: str | None
    postfix_map_type: Literal["hash", "regexp"] | None
    problems: list[str]

    @classmethod
    def from_config(cls, config: Mailman3Config) -> Mailman3Model:
        map_type = config.postfix_map_type
        return cls(
            path=str(config.path) if config.path is not None else None,
            site_owner=_str(config.site_owner),
            layout=_str(config.layout),
            mta=MtaSettings(
                incoming=_str(config.incoming),
                outgoing=_str(config.outgoing),
                lmtp_host=_str(config.lmtp_host),
                lmtp_port=_port(config.lmtp_port),
                smtp_host=_str(config.smtp_host),
                smtp_port=_port(config.smtp_port),
                smtp_user=_str(config.smtp_user),
                smtp_secure_mode=_str(config.smtp_secure_mode),
                configuration=_str(config.configuration),
                verp_delimiter=_str(config.verp_delimiter),
            ),
            var_dir=config.var_dir,
            data_dir=config.data_dir,
            postfix_lmtp=config.postfix_lmtp,
            postfix_domains=config.postfix_domains,
            postfix_vmap=config.postfix_vmap,
            uses_postfix_lmtp=config.uses_postfix_lmtp,
            transport_file_type=config.transport_file_type,
            postfix_map_type="hash" if map_type == "hash" else "regexp" if map_type == "regexp" else None,
            problems=list(config.problems),
        )


class Value(_Frozen):
    """A Mailman 2 setting: ``known`` is False when code mailconf does not evaluate assigns it."""

    value: str | int | float | bool | list[str] | None
    known: bool
    source: Literal["file", "default"]
    line: int = 1
    column: int = 1


def _value(v: Value2) -> Value:
    raw = v.value
    value: str | int | float | bool | list[str] | None
    if raw is None or isinstance(raw, str | int | float | bool):
        value = raw
    elif isinstance(raw, list | tuple):
        value = [str(x) for x in raw]
    else:
        value = repr(raw)
    return Value(
        value=value, known=v.known, source="file" if v.source == "file" else "default", line=v.line, column=v.column
    )


class VirtualHostModel(_Frozen):
    url_host: str
    email_host: str | None  # as written (None: not given)
    mail_domain: str  # what Mailman uses: email_host, or url_host without its first label
    line: int


class NotUnderstood(_Frozen):
    """A statement of mm_cfg.py that mailconf keeps but does not evaluate."""

    line: int
    column: int
    end_line: int
    source: str
    names: list[str]
    reason: str


class Mailman2Model(_Frozen):
    """A Mailman 2 ``mm_cfg.py`` as far as it can be known without running it."""

    path: str | None
    mta: Value
    default_email_host: Value
    default_url_host: Value
    postfix_style_virtual_domains: Value
    postfix_alias_cmd: Value
    postfix_map_cmd: Value
    virtual_hosts: list[VirtualHostModel]
    aliases_maps: list[str]
    virtual_maps: list[str]
    not_understood: list[NotUnderstood]

    @classmethod
    def from_config(cls, config: Mailman2Config) -> Mailman2Model:
        doc = config.document
        return cls(
            path=str(config.path) if config.path is not None else None,
            mta=_value(config.mta),
            default_email_host=_value(config.default_email_host),
            default_url_host=_value(config.default_url_host),
            postfix_style_virtual_domains=_value(config.value("POSTFIX_STYLE_VIRTUAL_DOMAINS")),
            postfix_alias_cmd=_value(config.value("POSTFIX_ALIAS_CMD")),
            postfix_map_cmd=_value(config.value("POSTFIX_MAP_CMD")),
            virtual_hosts=[
                VirtualHostModel(url_host=v.url_host, email_host=v.email_host, mail_domain=v.mail_domain, line=v.line)
                for v in config.virtual_hosts
            ],
            aliases_maps=list(config.aliases_maps),
            virtual_maps=list(config.virtual_maps),
            not_understood=[
                NotUnderstood(
                    line=s.line,
                    column=s.column,
                    end_line=s.end_line,
                    source=s.source,
                    names=s.names,
                    reason=s.reason or "",
                )
                for s in doc.not_understood
            ],
        )


def json_schema() -> dict[str, object]:
    """One JSON Schema document for both models: ``{"mailman3": Mailman3Model, "mailman2": Mailman2Model}``
    (what ``mailconf schema`` can print for Mailman)."""
    from pydantic.json_schema import models_json_schema

    refs, top = models_json_schema([(Mailman3Model, "validation"), (Mailman2Model, "validation")])
    return {
        "title": "mailconf Mailman models",
        "description": "Mailman 3 mailman.cfg and Mailman 2 mm_cfg.py, as Mailman uses them",
        "type": "object",
        "properties": {
            "mailman3": refs[(Mailman3Model, "validation")],
            "mailman2": refs[(Mailman2Model, "validation")],
        },
        "additionalProperties": False,
        **top,
    }
