"""What Mailman will use: effective settings with Mailman's defaults, each knowing where it came from.

``load_mailman3(path)`` follows ``[meta] extends``, picks the ``[paths.<layout>]`` section the way
Mailman does (the user's file, then the layouts of Mailman's base configuration, then the
``paths.master`` template), expands ``$var_dir``-style substitutions and locates the maps Mailman
generates for Postfix. Values that depend on the run-time environment (``$cwd``, ``$argv``, a
relative path, the ``MAILMAN_VAR_DIR`` variable) are reported as unknown (``None``), never guessed.

``load_mailman2(path)`` gives the transport settings of an ``mm_cfg.py`` (read with ``ast``).

No pydantic here: this is the layer the lint rules use (see :mod:`mailconf.mailman.models` for the
pydantic models built from it).
"""

from __future__ import annotations

import posixpath

from mailconf import _paths
from mailconf._lazyre import IGNORECASE, Lazy
from mailconf._record import MutableRecord, Record
from mailconf.errors import ParseError
from mailconf.mailman import defaults
from mailconf.mailman._cfg import Mailman3Document, parse_mailman_cfg

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from re import Match

    from mailconf._paths import PathArg
    from mailconf.mailman._mmcfg import Mailman2Document, VirtualHost

_DOMAIN = Lazy(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")
_DIR_KEYS = (
    "archive_dir",
    "bin_dir",
    "cache_dir",
    "data_dir",
    "etc_dir",
    "list_data_dir",
    "lock_dir",
    "log_dir",
    "messages_dir",
    "queue_dir",
)


class Setting(Record):
    """One effective Mailman 3 setting.

    ``source`` is ``"file"`` (a configuration file: ``path``/``line``/``column`` say where),
    ``"base"`` (Mailman's base configuration, e.g. a built-in layout) or ``"default"`` (schema.cfg).
    """

    __slots__ = ("column", "key", "line", "path", "section", "source", "value")

    def __init__(
        self,
        section: str,
        key: str,
        value: str,
        source: str,
        path: str | None = None,
        line: int = 1,
        column: int = 1,
    ) -> None:
        self.section = section
        self.key = key
        self.value = value
        self.source = source
        self.path = path
        self.line = line
        self.column = column


# string.Template's pattern (its delimiter "$", identifiers, flags); the string module imports re
_TEMPLATE = Lazy(
    r"\$(?:(?P<escaped>\$)|(?P<named>(?a:[_a-z][_a-z0-9]*))|\{(?P<braced>(?a:[_a-z][_a-z0-9]*))\}|(?P<invalid>))",
    IGNORECASE,
)


def safe_substitute(text: str, mapping: dict[str, str]) -> str:
    """``string.Template(text).safe_substitute(mapping)``, as Mailman substitutes its paths."""

    def convert(match: Match[str]) -> str:
        name = match.group("named") or match.group("braced")
        if name is not None:
            return str(mapping[name]) if name in mapping else match.group()
        return "$" if match.group("escaped") is not None else match.group()

    return _TEMPLATE.sub(convert, text)


def system_path_of(path: PathArg, root: PathArg | None) -> str:
    """``path`` as the target system sees it (``root`` stands for ``/``)."""
    if root is not None:
        try:
            return "/" + _paths.relative_to(_paths.resolve(path), _paths.resolve(root))
        except ValueError:
            pass
    return _paths.absolute(_paths.norm(path))


def _on_disk(system_path: str, root: str | None) -> str:
    return _paths.join(root, system_path.lstrip("/")) if root is not None else _paths.norm(system_path)


class Mailman3Config(MutableRecord):
    """The effective Mailman 3 configuration of one ``mailman.cfg`` (plus what it extends)."""

    # what the resolution below adds (paths, path_settings, mta_configuration, ...) lives in
    # __dict__: not a field, so out of == and repr as with the former dataclass
    __slots__ = ("__dict__", "documents", "problems", "root_name", "system_path")
    _compare = ("documents", "problems", "root_name", "system_path")

    def __init__(
        self,
        documents: list[Mailman3Document],
        system_path: str | None = None,
        root: PathArg | None = None,
        problems: list[str] | None = None,
    ) -> None:
        self.documents = documents  # the file first, then what it extends (lower layers)
        self.system_path = system_path
        self.root_name = None if root is None else _paths.norm(root)  # ``root`` as a string
        self.problems: list[str] = [] if problems is None else problems
        self._resolve_paths()
        self._resolve_mta_configuration()

    def _fields(self) -> tuple[str, ...]:
        return ("documents", "problems", "root", "system_path")

    root = _paths.OptionalPath("root_name")  # the directory that stands for "/"

    @property
    def document(self) -> Mailman3Document:
        return self.documents[0]

    @property
    def path(self) -> Path | None:
        return self.document.path

    @property
    def filename(self) -> str | None:
        """:attr:`path` as a string (normalised as ``str(Path(...))``)."""
        name = self.document.filename
        return None if name is None else _paths.norm(name)

    # -- settings ------------------------------------------------------------------------

    def lookup(self, section: str, key: str) -> Setting | None:
        """The value the files give ``[section] key`` (None when no file sets it)."""
        for doc in self.documents:
            option = doc.get(section, key)
            if option is not None:
                where = _paths.norm(doc.filename) if doc.filename is not None else None
                return Setting(section, key, option.value, "file", where, option.line, option.column)
        return None

    def setting(self, section: str, key: str) -> Setting:
        """The effective ``[section] key``: the files, else schema.cfg's default."""
        found = self.lookup(section, key)
        if found is not None:
            return found
        default = defaults.MAILMAN3_SCHEMA.get(section, {}).get(key, "")
        return Setting(section, key, default, "default", self.filename)

    def _mta(self, key: str) -> Setting:
        return self.setting("mta", key)

    @property
    def incoming(self) -> Setting:
        return self._mta("incoming")

    @property
    def outgoing(self) -> Setting:
        return self._mta("outgoing")

    @property
    def lmtp_host(self) -> Setting:
        return self._mta("lmtp_host")

    @property
    def lmtp_port(self) -> Setting:
        return self._mta("lmtp_port")

    @property
    def smtp_host(self) -> Setting:
        return self._mta("smtp_host")

    @property
    def smtp_port(self) -> Setting:
        return self._mta("smtp_port")

    @property
    def smtp_user(self) -> Setting:
        return self._mta("smtp_user")

    @property
    def smtp_secure_mode(self) -> Setting:
        """``smtp`` (plain), ``smtps`` (TLS from the start) or ``starttls`` (Mailman 3.3 and later)."""
        return self._mta("smtp_secure_mode")

    @property
    def configuration(self) -> Setting:
        return self._mta("configuration")

    @property
    def verp_delimiter(self) -> Setting:
        return self._mta("verp_delimiter")

    @property
    def site_owner(self) -> Setting:
        return self.setting("mailman", "site_owner")

    @property
    def layout(self) -> Setting:
        return self.setting("mailman", "layout")

    @staticmethod
    def port(setting: Setting) -> int | None:
        try:
            value = int(setting.value.strip())
        except ValueError:
            return None
        return value if 0 < value < 65536 else None

    @property
    def uses_postfix_lmtp(self) -> bool:
        """Whether Mailman writes Postfix maps (``[mta] incoming: mailman.mta.postfix.LMTP``)."""
        return self.incoming.value.strip() == defaults.POSTFIX_LMTP_INCOMING

    # -- paths ---------------------------------------------------------------------------

    def _resolve_paths(self) -> None:
        layout = self.layout.value.strip()
        section = f"paths.{layout}"
        defined = any(section in doc.section_names() for doc in self.documents)
        base = defaults.BASE_LAYOUTS.get(layout)
        self.paths: dict[str, str | None] = {}
        self.path_settings: dict[str, Setting] = {}
        if not defined and base is None:
            self.problems.append(f"no path configuration found: [{section}] (Mailman exits at start)")
            for key in (*_DIR_KEYS, "var_dir", "lock_file", "pid_file", "template_dir"):
                self.paths[key] = None
            return
        raw: dict[str, str] = {}
        for key in ("var_dir", *_DIR_KEYS, "template_dir", "lock_file", "pid_file"):
            found = self.lookup(section, key)
            if found is not None:
                setting = found
            elif base is not None and key in base:
                setting = Setting(section, key, base[key], "base")
            else:
                setting = Setting(section, key, defaults.PATHS_MASTER.get(key, ""), "default")
            self.path_settings[key] = setting
            raw[key] = setting.value
        if self.system_path is not None:
            raw["cfg_file"] = self.system_path
        # Mailman's loop: substitute until no '$' is left or nothing improves ($cwd, $argv and
        # $MAILMAN_VAR_DIR are run-time values: they stay, and make the path unknown).
        last = 0
        while True:
            pending = 0
            for key in list(raw):
                raw[key] = safe_substitute(raw[key], raw)
                if "$" in raw[key]:
                    pending += 1
            if pending == 0 or pending == last:
                break
            last = pending
        for key, value in raw.items():
            if key == "cfg_file":
                continue
            value = value.strip()
            self.paths[key] = posixpath.normpath(value) if value.startswith("/") and "$" not in value else None

    @property
    def var_dir(self) -> str | None:
        return self.paths.get("var_dir")

    @property
    def data_dir(self) -> str | None:
        return self.paths.get("data_dir")

    def _map(self, name: str) -> str | None:
        return posixpath.join(self.data_dir, name) if self.data_dir else None

    @property
    def postfix_lmtp(self) -> str | None:
        """The transport map Mailman writes (``<data_dir>/postfix_lmtp``), None if unknown."""
        return self._map("postfix_lmtp")

    @property
    def postfix_domains(self) -> str | None:
        return self._map("postfix_domains")

    @property
    def postfix_vmap(self) -> str | None:
        return self._map("postfix_vmap")

    # -- the MTA configuration file ([postfix] transport_file_type) -------------------------

    def _resolve_mta_configuration(self) -> None:
        self.mta_configuration: Mailman3Document | None = None
        self.transport_file_type: str | None = None
        value = self.configuration.value.strip()
        if value == defaults.BUILTIN_MTA_CONFIGURATION:
            self.transport_file_type = defaults.POSTFIX_CFG["transport_file_type"]
            return
        if value.startswith("python:") or not value.startswith("/"):
            return
        # On the system (or below the linted root); in a repository of configuration files the
        # file often sits next to mailman.cfg instead.
        candidates = [_on_disk(value, self.root_name)]
        if self.filename is not None:
            candidates.append(_paths.join(_paths.parent(self.filename), posixpath.basename(value)))
        for candidate in candidates:
            try:
                data = _paths.read_bytes(candidate)
            except OSError:
                continue
            break
        else:
            return
        try:
            doc = parse_mailman_cfg(data, path=candidate)
        except ParseError as error:
            self.problems.append(str(error))
            return
        self.mta_configuration = doc
        option = doc.get("postfix", "transport_file_type")
        if option is None:
            self.problems.append(f"{candidate}: no [postfix] transport_file_type (Mailman fails to start)")
            return
        self.transport_file_type = option.value.strip()

    @property
    def postfix_map_type(self) -> str | None:
        """The Postfix table type of the generated maps: ``"hash"`` (indexed, via postmap, so
        whatever ``default_database_type`` is), ``"regexp"``, or None when unknown."""
        if self.transport_file_type == "hash":
            return "hash"
        if self.transport_file_type == "regex":
            return "regexp"
        return None

    def read_generated(self, system_path: str) -> str | None:
        """The text of a file Mailman generated (e.g. the postfix_lmtp map), if it is here."""
        try:
            with open(_on_disk(system_path, self.root_name), encoding="latin-1") as handle:
                return handle.read()
        except OSError:
            return None


def load_mailman3(path: PathArg, root: PathArg | None = None, *, system_path: str | None = None) -> Mailman3Config:
    """Read ``mailman.cfg`` (and the files its ``[meta] extends`` names).

    ``root`` is the directory that stands for ``/`` when linting a copy of a system (it locates the
    MTA configuration file and the generated maps); ``system_path`` the file's path on that system
    (derived from ``root`` when not given).
    """
    file = _paths.norm(path)
    root_path = _paths.norm(root) if root is not None else None
    documents: list[Mailman3Document] = []
    seen: set[str] = set()
    problems: list[str] = []
    current: str | None = file
    while current is not None:
        resolved = _paths.resolve(current)
        if resolved in seen or len(documents) >= 20:
            problems.append(f"{current}: [meta] extends loop")
            break
        seen.add(resolved)
        try:
            data = _paths.read_bytes(current)
        except OSError as error:
            if not documents:
                raise
            problems.append(f"{current}: cannot read the extended file: {error.strerror}")
            break
        doc = parse_mailman_cfg(data, path=current)
        documents.append(doc)
        extends = doc.get("meta", "extends", defaults=False)
        current = _paths.join(_paths.parent(current), extends.value.strip()) if extends is not None else None
    config = Mailman3Config(
        documents,
        system_path=system_path if system_path is not None else system_path_of(file, root_path),
        root=root_path,
    )
    config.problems[:0] = problems
    return config


# ---------------------------------------------------------------------------------------------
# Mailman 2


class Value2(Record):
    """One effective Mailman 2 setting: ``known`` False means code mailconf does not evaluate
    sets it; ``source`` is ``"file"`` or ``"default"`` (Defaults.py)."""

    __slots__ = ("column", "known", "line", "name", "source", "value")

    def __init__(
        self,
        name: str,
        value: object,
        known: bool,
        source: str,
        line: int = 1,
        column: int = 1,
    ) -> None:
        self.name = name
        self.value = value
        self.known = known
        self.source = source
        self.line = line
        self.column = column


class Mailman2Config(MutableRecord):
    __slots__ = ("document", "system_path")

    def __init__(
        self,
        document: Mailman2Document,
        system_path: str | None = None,
    ) -> None:
        self.document = document
        self.system_path = system_path

    @property
    def path(self) -> Path | None:
        return self.document.path

    @property
    def filename(self) -> str | None:
        """:attr:`path` as a string (normalised as ``str(Path(...))``)."""
        name = self.document.filename
        return None if name is None else _paths.norm(name)

    def value(self, name: str) -> Value2:
        assignment = self.document.get(name)
        if assignment is not None:
            return Value2(name, assignment.value, assignment.known, "file", assignment.line, assignment.column)
        if name in defaults.MAILMAN2_DEFAULTS:
            default = defaults.MAILMAN2_DEFAULTS[name]
            return Value2(name, default, default is not None, "default")
        return Value2(name, None, False, "default")

    @property
    def mta(self) -> Value2:
        return self.value("MTA")

    @property
    def uses_postfix(self) -> bool:
        mta = self.mta
        return mta.known and mta.value == "Postfix"

    @property
    def postfix_style_virtual_domains(self) -> list[str] | None:
        value = self.value("POSTFIX_STYLE_VIRTUAL_DOMAINS")
        if not value.known or not isinstance(value.value, list | tuple):
            return None
        return [str(v) for v in value.value]

    @property
    def default_email_host(self) -> Value2:
        return self.value("DEFAULT_EMAIL_HOST")

    @property
    def default_url_host(self) -> Value2:
        return self.value("DEFAULT_URL_HOST")

    @property
    def virtual_hosts(self) -> list[VirtualHost]:
        return self.document.virtual_hosts

    @property
    def list_domains(self) -> list[tuple[str, int]]:
        """``(domain, line)`` of the list domains the file names with literal values:
        DEFAULT_EMAIL_HOST and each add_virtualhost() (templated or computed values left out)."""
        found: dict[str, int] = {}
        host = self.default_email_host
        if host.known and host.source == "file" and isinstance(host.value, str):
            found.setdefault(host.value.lower(), host.line)
        for vhost in self.virtual_hosts:
            found.setdefault(vhost.mail_domain, vhost.line)
        return [(d, line) for d, line in found.items() if _DOMAIN.fullmatch(d)]

    @property
    def data_dirs(self) -> tuple[str, ...]:
        """Where Mailman's data directory may be: DATA_DIR or VAR_PREFIX/data when the file sets
        them, the install prefix the file's location implies, else the usual places."""
        for name, suffix in (("DATA_DIR", ""), ("VAR_PREFIX", "data")):
            value = self.value(name)
            if value.known and isinstance(value.value, str) and value.value.startswith("/"):
                return (posixpath.normpath(posixpath.join(value.value, suffix)),)
        where = self.system_path or ""
        if where.endswith("/Mailman/mm_cfg.py"):
            prefix = where[: -len("/Mailman/mm_cfg.py")]
            if prefix not in ("/usr/lib/mailman",):
                return (posixpath.join(prefix, "data"), *defaults.MAILMAN2_DATA_DIRS)
        return defaults.MAILMAN2_DATA_DIRS

    @property
    def aliases_maps(self) -> tuple[str, ...]:
        """Candidate paths of the aliases map Mailman writes (DATA_DIR/aliases)."""
        return tuple(posixpath.join(d, "aliases") for d in self.data_dirs)

    @property
    def virtual_maps(self) -> tuple[str, ...]:
        return tuple(posixpath.join(d, "virtual-mailman") for d in self.data_dirs)


def load_mailman2(path: PathArg, root: PathArg | None = None, *, system_path: str | None = None) -> Mailman2Config:
    """Read ``mm_cfg.py`` with ``ast`` (never executed)."""
    from mailconf.mailman._mmcfg import parse_mm_cfg

    file = _paths.norm(path)
    doc = parse_mm_cfg(_paths.read_bytes(file), path=file)
    root_path = _paths.norm(root) if root is not None else None
    return Mailman2Config(doc, system_path if system_path is not None else system_path_of(file, root_path))
