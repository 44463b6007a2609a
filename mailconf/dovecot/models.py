"""Typed, frozen pydantic models of a Dovecot configuration (built from :mod:`mailconf.dovecot.config`).

>>> from mailconf.dovecot.models import load_model, json_schema   # doctest: +SKIP
>>> model = load_model("/etc/dovecot/dovecot.conf")                # doctest: +SKIP
>>> model.settings.ssl.value, model.settings.ssl.line              # doctest: +SKIP
('required', 12)

Every value is a :class:`Sourced` (``value`` typed per the catalogue of the version, ``raw``
as doveconf prints it, ``path``/``line``/``column`` of the line that set it, None/0 for defaults).
Types: bool; int for numbers and ports; int for octal modes (``0660`` is 432); int bytes for
sizes; int seconds for times (milliseconds for ``*_msecs``-style settings); str for enums
(a Literal of the allowed values) and strings.

Pydantic is imported here only: the lint and doveconf paths never import this module.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from mailconf.dovecot.catalogue import Catalogue, SectionSpec, SettingSpec

if TYPE_CHECKING:
    from pathlib import Path

    from mailconf.dovecot.config import DovecotConfig, Scope, Section, Value

T = TypeVar("T")

_FROZEN = ConfigDict(frozen=True, extra="forbid", protected_namespaces=())


class Sourced(BaseModel, Generic[T]):
    """A typed value and where it came from."""

    model_config = _FROZEN

    value: T
    raw: str
    path: str | None = None
    line: int = 0
    column: int = 0

    @property
    def is_default(self) -> bool:
        return self.path is None


_SIZE = {"B": 1, "k": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_TIME = {"ms": 0, "secs": 1, "mins": 60, "hours": 3600, "days": 86400, "weeks": 604800}


def convert(spec: SettingSpec, raw: str) -> Any:
    """doveconf's exported form of a value -> a Python value of the setting's type."""
    t = spec.type
    if t == "bool":
        return raw == "yes"
    if t in ("number", "port"):
        return int(raw) if raw.isdigit() else 0
    if t == "octal":
        return int(raw, 8) if re.fullmatch(r"[0-7]+", raw) else 0
    if t == "size":
        m = re.fullmatch(r"(\d+)(?: ([BkMGT]))?", raw)
        return int(m.group(1)) * _SIZE[m.group(2) or "B"] if m else 0
    if t in ("time", "time_msecs"):
        m = re.fullmatch(r"(\d+)(?: (\w+))?", raw)
        if not m:
            return 0
        n, unit = int(m.group(1)), m.group(2) or "secs"
        if unit == "ms":
            return n if t == "time_msecs" else n // 1000
        secs = n * _TIME.get(unit, 1)
        return secs * 1000 if t == "time_msecs" else secs
    return raw


def _annotation(spec: SettingSpec) -> Any:
    t = spec.type
    if t == "bool":
        return bool
    if t in ("number", "port", "octal", "size", "time", "time_msecs"):
        return int
    if t == "enum" and spec.values:
        return Literal[tuple(spec.values)]
    return str


def _field_name(name: str) -> str:
    return name if name.isidentifier() else "_" + re.sub(r"\W", "_", name)


def _list_of(model: type[BaseModel]) -> Any:
    return list[model]  # type: ignore[valid-type]


def _plural(section_type: str) -> str:
    """Field name of a child section list: mailboxes, inet_listeners, ..."""
    return _field_name(section_type + ("es" if section_type.endswith("x") else "s"))


def _settings_model(model_name: str, specs: dict[str, SettingSpec], *, optional: bool) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, spec in sorted(specs.items()):
        ann: Any = Sourced.__class_getitem__(_annotation(spec))
        description = f"{spec.type}; default {spec.default!r}"
        if optional:
            fields[_field_name(name)] = (ann | None, Field(default=None, alias=name, description=description))
        else:
            fields[_field_name(name)] = (ann, Field(alias=name, description=description))
    model: type[BaseModel] = create_model(
        model_name,
        __config__=ConfigDict(frozen=True, extra="forbid", protected_namespaces=(), populate_by_name=True),
        **fields,
    )
    return model


class _Models:
    """The pydantic classes of one catalogue (one Dovecot version)."""

    def __init__(self, cat: Catalogue) -> None:
        tag = cat.version.replace(".", "_")
        self.catalogue = cat
        self.settings = _settings_model(f"DovecotSettings_{tag}", cat.settings, optional=False)
        self.overrides = _settings_model(f"DovecotOverrides_{tag}", cat.settings, optional=True)
        self.sections: dict[str, type[BaseModel]] = {}
        for name, spec in cat.sections.items():
            self.sections[name] = self._section_model(name, spec, tag)
        self.root: type[DovecotModel] = create_model(
            f"Dovecot_{tag}",
            __base__=DovecotModel,
            settings=(self.settings, ...),
            services=(_list_of(self.sections["service"]), Field(default_factory=list)),
            passdbs=(_list_of(self.sections["passdb"]), Field(default_factory=list)),
            userdbs=(_list_of(self.sections["userdb"]), Field(default_factory=list)),
            namespaces=(_list_of(self.sections["namespace"]), Field(default_factory=list)),
        )

    def _section_model(self, path: str, spec: SectionSpec, tag: str) -> type[BaseModel]:
        title = "".join(p.capitalize() for p in re.split(r"[/_]", path))
        if spec.strlist:
            return create_model(
                f"{title}_{tag}",
                __config__=_FROZEN,
                settings=(dict[str, Sourced[str]], Field(default_factory=dict)),
            )
        fields: dict[str, Any] = {
            "name": (str, Field(description="section name (listeners: path or name)")),
            "path": (str | None, None),
            "line": (int, 0),
        }
        specs = {k: v for k, v in spec.settings.items() if k not in ("name",)}
        settings_model = _settings_model(f"{title}Settings_{tag}", specs, optional=False)
        fields["settings"] = (settings_model, ...)
        for child, cspec in spec.sections.items():
            child_model = self._section_model(f"{path}/{child}", cspec, tag)
            self.sections[f"{path}/{child}"] = child_model
            fields[_plural(child)] = (_list_of(child_model), Field(default_factory=list))
        return create_model(f"{title}_{tag}", __config__=_FROZEN, **fields)


@functools.cache
def _models(version: str) -> _Models:
    return _Models(Catalogue.for_version(version))


class Filter(BaseModel):
    """A filter block (``protocol imap {}``, ``remote 10.0.0.0/8 {}`` ...) and what it overrides."""

    model_config = _FROZEN

    protocol: str | None = None
    local: str | None = None
    remote: str | None = None
    local_name: str | None = None
    path: str | None = None
    line: int = 0
    overrides: dict[str, Sourced[Any]] = Field(default_factory=dict)
    sections: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)


class DovecotModel(BaseModel):
    """A whole Dovecot configuration, typed for its version."""

    model_config = _FROZEN

    version: str
    path: str | None = None
    protocols: list[str] = Field(default_factory=list)
    settings: Any
    services: list[Any] = Field(default_factory=list)
    passdbs: list[Any] = Field(default_factory=list)
    userdbs: list[Any] = Field(default_factory=list)
    namespaces: list[Any] = Field(default_factory=list)
    plugin: dict[str, Sourced[str]] = Field(default_factory=dict)
    filters: list[Filter] = Field(default_factory=list)

    def service(self, name: str) -> Any:
        """The service block of that name (built-in services included), or None."""
        return next((s for s in self.services if getattr(s, "name", None) == name), None)


def _sourced(spec: SettingSpec, v: Value | None, default: str | None = None) -> dict[str, Any]:
    raw = v.value if v is not None else (spec.default if default is None else default)
    out: dict[str, Any] = {"value": convert(spec, raw), "raw": raw}
    if v is not None and v.path is not None:
        out.update(path=v.path, line=v.line, column=v.column)
    return out


def _section_data(sec: Section, spec: SectionSpec) -> dict[str, Any]:
    if spec.strlist:
        return {
            "settings": {
                k: {"value": v.value, "raw": v.value, "path": v.path, "line": v.line, "column": v.column}
                for k, v in sec.values.items()
            }
        }
    data: dict[str, Any] = {"name": sec.name, "path": sec.path, "line": sec.line}
    settings: dict[str, Any] = {}
    for name, sspec in spec.settings.items():
        if name == "name":
            continue
        v = sec.values.get(name)
        settings[name] = _sourced(
            sspec, v if v is not None and v.path is not None else None, v.value if v is not None else None
        )
    data["settings"] = settings
    for child, cspec in spec.sections.items():
        data[_plural(child)] = [_section_data(c, cspec) for c in sec.children(child)]
    return data


def _filter(cfg: DovecotConfig, scope: Scope) -> Filter:
    overrides: dict[str, Any] = {}
    for name, v in scope.values.items():
        spec = cfg.catalogue.spec(name)
        if spec is not None:
            overrides[name] = _sourced(spec, v)
    sections: dict[str, list[dict[str, Any]]] = {}
    for stype, items in scope.sections.items():
        spec_s = cfg.catalogue.sections.get(stype)
        if spec_s is not None:
            sections[stype] = [_section_data(s, spec_s) for s in items]
    return Filter(
        protocol=scope.protocol,
        local=scope.local,
        remote=scope.remote,
        local_name=scope.local_name,
        path=scope.path,
        line=scope.line,
        overrides=overrides,
        sections=sections,
    )


def from_config(cfg: DovecotConfig) -> DovecotModel:
    """The typed model of a configuration read by :func:`mailconf.dovecot.config.load_config`."""
    m = _models(cfg.catalogue.version)
    cat = cfg.catalogue
    gs = cfg.global_scope
    settings = {name: _sourced(spec, gs.values.get(name)) for name, spec in cat.settings.items()}

    def sections(stype: str) -> list[dict[str, Any]]:
        spec = cat.sections.get(stype)
        if spec is None:
            return []
        return [_section_data(s, spec) for s in gs.sections.get(stype, [])]

    plugin_items = gs.sections.get("plugin", [])
    plugin = {
        k: Sourced[str](value=v.value, raw=v.value, path=v.path, line=v.line, column=v.column)
        for k, v in (plugin_items[0].values.items() if plugin_items else [])
    }
    return m.root.model_validate(
        {
            "version": cat.version,
            "path": cfg.path,
            "protocols": cfg.effective("protocols").value.split(),
            "settings": settings,
            "services": sections("service"),
            "passdbs": sections("passdb"),
            "userdbs": sections("userdb"),
            "namespaces": sections("namespace"),
            "plugin": plugin,
            "filters": [_filter(cfg, f) for f in cfg.filters],
        }
    )


def load_model(path: str | Path, version: str | None = None) -> DovecotModel:
    from mailconf.dovecot.config import load_config

    return from_config(load_config(path, version))


def json_schema(version: str = "2.3") -> dict[str, Any]:
    """JSON Schema of the typed Dovecot model for a version (settings typed per the catalogue)."""
    m = _models(Catalogue.for_version(version).version)
    schema: dict[str, Any] = m.root.model_json_schema(by_alias=True)
    return schema
