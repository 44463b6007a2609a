"""Dovecot settings catalogues: every setting and section a Dovecot version knows.

* 2.3: ``data/catalogue_2_3.json``, generated from the installed ``doveconf`` by
  ``scripts/build_dovecot_catalogue.py`` (types, defaults in doveconf's export format, enum values,
  section types and their settings, the built-in services with their defaults).
* 2.4: ``data/catalogue_2_4.json``, generated from a real Dovecot 2.4 ``doveconf -d`` by the same
  script (``--v24 --doveconf24 ...``), plus the 2.3 -> 2.4 renames of the upgrade pages.
* ``RENAMED``: names older versions used that later ones reject or convert (for version rules).

Loading is lazy and cached; nothing here imports pydantic or lark.
"""

from __future__ import annotations

import functools
import os

from mailconf._record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

TYPES = ("bool", "number", "octal", "size", "time", "time_msecs", "port", "enum", "string")


class SettingSpec(Record):
    """One setting: ``type`` is one of :data:`TYPES`; ``default`` is doveconf's export form."""

    __slots__ = ("default", "name", "no_net_filter", "set_prints", "type", "values")

    def __init__(
        self,
        name: str,
        type: str,
        default: str,
        values: tuple[str, ...] = (),
        set_prints: bool = False,
        no_net_filter: bool = False,
    ) -> None:
        self.name = name
        self.type = type
        self.default = default
        self.values = values
        # doveconf -n prints it whenever it is set, even to the default it shows (built-in default differs)
        self.set_prints = set_prints
        # refused inside local/remote/local_name filters (settings of the auth process)
        self.no_net_filter = no_net_filter


class SectionSpec(Record):
    """A section type (``service``, ``namespace``, ``passdb`` ...).

    ``unique``: sections of this type are identified by their name and merge when repeated
    (service, namespace, mailbox, listeners, metric, event_exporter); otherwise each block is a
    separate entry (passdb, userdb). ``strlist``: any ``key = value`` inside (plugin, dict).
    """

    __slots__ = ("name", "sections", "settings", "strlist", "unique")

    def __init__(
        self,
        name: str,
        settings: dict[str, SettingSpec] | None = None,
        sections: dict[str, SectionSpec] | None = None,
        unique: bool = True,
        strlist: bool = False,
    ) -> None:
        self.name = name
        self.settings: dict[str, SettingSpec] = {} if settings is None else settings
        self.sections: dict[str, SectionSpec] = {} if sections is None else sections
        self.unique = unique
        self.strlist = strlist


class Catalogue(Record):
    __slots__ = (
        "baseline_n",
        "removed_sections",
        "renamed_from_23",
        "sections",
        "service_defaults",
        "settings",
        "version",
        "word_checks",
    )

    def __init__(
        self,
        version: str,
        settings: dict[str, SettingSpec],
        sections: dict[str, SectionSpec],
        service_defaults: dict[str, Any],
        baseline_n: tuple[str, ...],
        renamed_from_23: dict[str, str] | None = None,
        removed_sections: tuple[str, ...] = (),
        word_checks: dict[str, Any] | None = None,
    ) -> None:
        self.version = version
        self.settings = settings
        self.sections = sections
        self.service_defaults = service_defaults
        self.baseline_n = baseline_n
        # 2.4: the 2.3 names it renamed ("" when removed) and the sections it dropped
        self.renamed_from_23: dict[str, str] = {} if renamed_from_23 is None else renamed_from_23
        self.removed_sections = removed_sections
        # settings checked word by word after reading: {name: {"valid": [...], "message": "...{}", "whole": bool}}
        self.word_checks: dict[str, Any] = {} if word_checks is None else word_checks

    def spec(self, name: str) -> SettingSpec | None:
        return self.settings.get(name)

    def section(self, path: str) -> SectionSpec | None:
        """Section spec by type path: ``"service"``, ``"service/inet_listener"``."""
        parts = path.split("/")
        spec = self.sections.get(parts[0])
        for part in parts[1:]:
            if spec is None:
                return None
            spec = spec.sections.get(part)
        return spec

    @staticmethod
    def for_version(version: str | None = None) -> Catalogue:
        """The catalogue for a Dovecot version ("2.3", "2.3.19", "2.4", "2.0"...)."""
        if version and version.startswith("2.4"):
            return load_24()
        return load_23()


# Sections keyed by index rather than by name (every block is its own entry).
_NOT_UNIQUE = {"passdb", "userdb"}


def _spec(name: str, raw: dict[str, Any]) -> SettingSpec:
    return SettingSpec(
        name,
        raw.get("type", "string"),
        raw.get("default", ""),
        tuple(raw.get("values", ())),
        bool(raw.get("set_prints", False)),
        bool(raw.get("no_net_filter", False)),
    )


def _read(name: str) -> dict[str, Any]:
    from mailconf._jsondata import load

    data: dict[str, Any] = load(os.path.join(os.path.dirname(__file__), "data", name))
    return data


def _build(data: dict[str, Any]) -> Catalogue:
    settings = {k: _spec(k, v) for k, v in data["settings"].items()}
    flat: dict[str, dict[str, Any]] = data.get("sections", {})
    sections: dict[str, SectionSpec] = {}
    # nested types ("service/inet_listener") go under their parent
    for path in sorted(flat, key=lambda p: p.count("/"), reverse=True):
        raw = flat[path]
        parts = path.split("/")
        children = {
            p.split("/")[-1]: s
            for p, s in sections.items()
            if p.startswith(path + "/") and p.count("/") == path.count("/") + 1
        }
        sections[path] = SectionSpec(
            parts[-1],
            {k: _spec(k, v) for k, v in raw["settings"].items()},
            children,
            unique=parts[-1] not in _NOT_UNIQUE and not raw.get("strlist", False),
            strlist=bool(raw.get("strlist", False)),
        )
    top = {p: s for p, s in sections.items() if "/" not in p}
    return Catalogue(
        data["version"],
        settings,
        top,
        data.get("service_defaults", {}),
        tuple(data.get("baseline_n", ())),
        dict(data.get("renamed_from_23", {})),
        tuple(data.get("removed_sections", ())),
        dict(data.get("word_checks", {})),
    )


@functools.cache
def load_23() -> Catalogue:
    return _build(_read("catalogue_2_3.json"))


@functools.cache
def load_24() -> Catalogue:
    """The 2.4 catalogue (from a real doveconf 2.4; flat names such as ``inet_listener_port``)."""
    return _build(_read("catalogue_2_4.json"))


# Names that Dovecot 1.x/2.0/2.1/2.2 used and later versions renamed, dropped or convert with a
# warning. Value: (what replaces it, the first version that no longer accepts it as is).
RENAMED: dict[str, tuple[str, str]] = {
    "ssl_cert_file": ("ssl_cert = <FILE", "2.0"),
    "ssl_key_file": ("ssl_key = <FILE", "2.0"),
    "ssl_ca_file": ("ssl_ca = <FILE", "2.0"),
    "ssl_disable": ("ssl = no", "2.0"),
    "auth default": ("passdb/userdb sections at the top level", "2.0"),
    "protocols = imaps": ("inet_listener imaps { ssl = yes }", "2.0"),
    "protocols = pop3s": ("inet_listener pop3s { ssl = yes }", "2.0"),
    "listen (protocol)": ("service <name>-login { inet_listener }", "2.0"),
    "login_dir": ("base_dir", "2.0"),
    "mail_extra_groups": ("mail_access_groups", "2.0"),
    "login_user": ("default_login_user", "2.0"),
    "login_process_size": ("service <name>-login { vsz_limit }", "2.0"),
    "login_processes_count": ("service <name>-login { process_min_avail }", "2.0"),
    "max_mail_processes": ("default_process_limit", "2.0"),
    "umask": ("service umask / mail umask", "2.0"),
    "ssl_parameters_regenerate": ("ssl_dh", "2.3"),
    "ssl_protocols": ("ssl_min_protocol", "2.3"),
    "ssl_dh_parameters_length": ("ssl_dh", "2.3"),
    "imap_id_log": ("event filters", "2.4"),
    "disable_plaintext_auth": ("auth_allow_cleartext (inverted)", "2.4"),
    "ssl_cert": ("ssl_server_cert_file", "2.4"),
    "ssl_key": ("ssl_server_key_file", "2.4"),
    "ssl_ca": ("ssl_server_ca_file", "2.4"),
    "ssl_dh": ("ssl_server_dh_file", "2.4"),
    "mail_location": ("mail_driver + mail_path", "2.4"),
}
