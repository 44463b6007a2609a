"""Finding configuration sets on disk.

A *configuration set* is one host's configuration: a Postfix directory (main.cf, master.cf), a
Dovecot tree (the top dovecot.conf and what it includes) and Mailman files (mailman.cfg,
mm_cfg.py). Paths may name any of:

* a Postfix directory, a Dovecot directory, or a single file (linted with the rest of its set:
  the Dovecot file's top dovecot.conf, the sibling product directories of its host);
* any directory holding them at any depth: ``hosts/<name>/etc/{postfix,dovecot,mailman3}`` gives
  one set per host. Product directories (``postfix*``, ``dovecot*``, ``mailman*``) belong to the
  set of their parent directory; files lying directly in a directory form the set of that directory.
  Mailman 2's ``X/usr/lib/mailman/Mailman/mm_cfg.py`` belongs to the host ``X/etc``.

With no paths, the live system: /etc/postfix, /etc/dovecot and the Mailman files
:func:`mailconf.mailman.find_mailman_files` finds, where present.
"""

from __future__ import annotations

import contextlib
import os

from mailconf import _paths
from mailconf._record import MutableRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from mailconf._paths import PathArg

POSTFIX_FILES = ("main.cf", "master.cf")
DOVECOT_TOP = "dovecot.conf"
MAILMAN_FILES = ("mailman.cfg", "mm_cfg.py")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", ".tox", ".mypy_cache"}
MAX_WALK_ENTRIES = 200_000


class ConfigSet(MutableRecord):
    """One host's configuration files (any of the three products may be missing).

    ``base``, ``postfix_dir``, ``dovecot_conf`` and ``mailman`` are :class:`pathlib.Path` objects
    (made on request; ``mailman`` is a new list on each access: assign to change it). The lint
    engine uses their string forms, normalised as ``str(Path(...))`` is: ``name``,
    ``postfix_dir_name``, ``dovecot_conf_name`` and ``mailman_names``.
    """

    __slots__ = ("dovecot_conf_name", "live", "mailman_names", "name", "postfix_dir_name")
    _compare = ("name", "postfix_dir_name", "dovecot_conf_name", "mailman_names", "live")

    def __init__(
        self,
        base: PathArg,
        postfix_dir: PathArg | None = None,
        dovecot_conf: PathArg | None = None,
        mailman: Iterable[PathArg] | None = None,
        live: bool = False,
    ) -> None:
        self.name = _paths.norm(base)
        self.postfix_dir_name = None if postfix_dir is None else _paths.norm(postfix_dir)
        self.dovecot_conf_name = None if dovecot_conf is None else _paths.norm(dovecot_conf)
        self.mailman_names: list[str] = [] if mailman is None else [_paths.norm(m) for m in mailman]
        self.live = live

    def _fields(self) -> tuple[str, ...]:
        return ("base", "postfix_dir", "dovecot_conf", "mailman", "live")

    @property
    def base(self) -> Path:
        return _paths.to_path(self.name)

    @base.setter
    def base(self, value: PathArg) -> None:
        self.name = _paths.norm(value)

    postfix_dir = _paths.OptionalPath("postfix_dir_name")

    dovecot_conf = _paths.OptionalPath("dovecot_conf_name")

    @property
    def mailman(self) -> list[Path]:
        return [_paths.to_path(m) for m in self.mailman_names]

    @mailman.setter
    def mailman(self, value: Iterable[PathArg]) -> None:
        self.mailman_names = [_paths.norm(m) for m in value]

    def entry_files(self) -> list[Path]:
        """The files this set starts from (Dovecot includes come from the loaded tree)."""
        return [_paths.to_path(f) for f in self.entry_file_names()]

    def entry_file_names(self) -> list[str]:
        """:meth:`entry_files` as strings."""
        files: list[str] = []
        if self.postfix_dir_name is not None:
            files += [f for f in (_paths.join(self.postfix_dir_name, n) for n in POSTFIX_FILES) if _paths.exists(f)]
        if self.dovecot_conf_name is not None:
            files.append(self.dovecot_conf_name)
        files += self.mailman_names
        return files

    def key(self) -> tuple[str, str, str, tuple[str, ...]]:
        return (self.name, self.postfix_dir_name or "", self.dovecot_conf_name or "", tuple(self.mailman_names))


class DiscoveryError(Exception):
    """A path that names nothing mailconf can lint (usage error)."""

    def __init__(self, path: PathArg, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


def _host_of(directory: str, prefix: str) -> str:
    return _paths.parent(directory) if _paths.name(directory).lower().startswith(prefix) else directory


# Mailman 2 outside etc/ (Debian's and Fedora's package, a source install): the file belongs to
# the host whose etc/ sits beside that usr/.
_MAILMAN_OUTSIDE_ETC = (("usr", "lib", "mailman", "Mailman"), ("usr", "local", "mailman", "Mailman"))


def _mailman_host(file: str) -> str:
    """The host directory of a Mailman file: ``X/usr/lib/mailman/Mailman/mm_cfg.py`` belongs to
    ``X/etc`` (when there is one), other files to their directory or its parent (``mailman*``)."""
    directory = _paths.parent(file)
    parts = _paths.parts(directory)
    for tail in _MAILMAN_OUTSIDE_ETC:
        if len(parts) > len(tail) and parts[-len(tail) :] == tail:
            etc = _paths.join(_paths.from_parts(parts[: -len(tail)]), "etc")
            if _paths.is_dir(etc):
                return etc
    return _host_of(directory, "mailman")


def _dovecot_top(file: str) -> str:
    """The dovecot.conf that includes ``file`` (looked for up to two levels up), else the file."""
    if _paths.name(file) == DOVECOT_TOP:
        return file
    directory = _paths.parent(file)
    for parent in (directory, _paths.parent(directory)):
        candidate = _paths.join(parent, DOVECOT_TOP)
        if _paths.is_file(candidate):
            return candidate
    return file


class _Found:
    __slots__ = ("dovecot", "mailman", "postfix")

    def __init__(self) -> None:
        self.postfix: set[str] = set()
        self.dovecot: set[str] = set()
        self.mailman: set[str] = set()


def _complete(host: str, found: _Found) -> None:
    """Add the sibling components of a host directory (depth 0 and its product subdirectories)."""
    dirs = [host]
    with contextlib.suppress(OSError):
        dirs += sorted(
            (
                d
                for d in (_paths.join(host, n) for n in os.listdir(host))
                if _paths.is_dir(d) and _paths.name(d).lower().startswith(("postfix", "dovecot", "mailman"))
            ),
            key=_paths.sort_key,
        )
    if _paths.name(host) == "etc":  # Mailman 2's mm_cfg.py under usr/ beside this etc/
        for tail in _MAILMAN_OUTSIDE_ETC:
            candidate = _paths.join(_paths.parent(host), *tail, "mm_cfg.py")
            if _paths.is_file(candidate):
                found.mailman.add(candidate)
    for d in dirs:
        if any(_paths.is_file(_paths.join(d, n)) for n in POSTFIX_FILES):
            found.postfix.add(d)
        if _paths.is_file(_paths.join(d, DOVECOT_TOP)):
            found.dovecot.add(_paths.join(d, DOVECOT_TOP))
        for n in MAILMAN_FILES:
            if _paths.is_file(_paths.join(d, n)):
                found.mailman.add(_paths.join(d, n))


def _walk(root: str, found: _Found) -> None:
    seen = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        seen += len(filenames) + len(dirnames)
        if seen > MAX_WALK_ENTRIES:
            raise DiscoveryError(root, f"more than {MAX_WALK_ENTRIES} entries below this directory; name the hosts")
        names = set(filenames)
        if names & set(POSTFIX_FILES):
            found.postfix.add(_paths.norm(dirpath))
        if DOVECOT_TOP in names:
            found.dovecot.add(_paths.join(dirpath, DOVECOT_TOP))
        for n in MAILMAN_FILES:
            if n in names:
                found.mailman.add(_paths.join(dirpath, n))


def classify(path: PathArg) -> str | None:
    """``postfix``, ``dovecot``, ``mailman`` or None, from a file's name."""
    name = _paths.name(_paths.norm(path))
    if name in POSTFIX_FILES:
        return "postfix"
    if name in MAILMAN_FILES:
        return "mailman"
    if name == DOVECOT_TOP or name.endswith((".conf", ".conf.ext")):
        return "dovecot"
    return None


def _conf_files(directory: str) -> list[str]:
    """The ``*.conf`` files directly in a directory (``Path.glob("*.conf")`` with hidden names)."""
    try:
        with os.scandir(directory) as entries:
            names = [e.name for e in entries if e.name.endswith(".conf")]
    except PermissionError:
        return []
    return sorted((f for f in (_paths.join(directory, n) for n in names) if _paths.is_file(f)), key=_paths.sort_key)


def discover(paths: Sequence[PathArg]) -> list[ConfigSet]:
    """The configuration sets named by ``paths`` (the live /etc when empty), in path order."""
    if not paths:
        return _live()
    found = _Found()
    for given in paths:
        path = _paths.norm(given)
        if not _paths.exists(path) and not _paths.is_symlink(path):
            raise DiscoveryError(path, "No such file or directory")
        if _paths.is_dir(path):
            before = len(found.postfix) + len(found.dovecot) + len(found.mailman)
            _walk(path, found)
            if len(found.postfix) + len(found.dovecot) + len(found.mailman) == before:
                top = _dovecot_top(_paths.join(path, "x.conf"))  # a conf.d directory inside a Dovecot tree
                loose = _conf_files(path)
                if _paths.name(top) == DOVECOT_TOP and _paths.is_file(top):
                    found.dovecot.add(top)
                elif loose:  # Dovecot fragments without their dovecot.conf: each read on its own
                    found.dovecot.update(loose)
                else:
                    raise DiscoveryError(path, "no Postfix, Dovecot or Mailman configuration found here")
            continue
        kind = classify(path)
        if kind is None:
            raise DiscoveryError(
                path,
                "not a file mailconf lints "
                "(main.cf, master.cf, dovecot.conf, *.conf, *.conf.ext, mailman.cfg, mm_cfg.py)",
            )
        if kind == "postfix":
            found.postfix.add(_paths.parent(path))
            _complete(_host_of(_paths.parent(path), "postfix"), found)
        elif kind == "dovecot":
            top = _dovecot_top(path)
            found.dovecot.add(top)
            _complete(_host_of(_paths.parent(top), "dovecot"), found)
        else:
            found.mailman.add(path)
            _complete(_mailman_host(path), found)
    return _group(found)


def _group(found: _Found) -> list[ConfigSet]:
    hosts: dict[str, dict[str, list[str]]] = {}
    for d in found.postfix:
        hosts.setdefault(_host_of(d, "postfix"), {}).setdefault("postfix", []).append(d)
    for f in found.dovecot:
        hosts.setdefault(_host_of(_paths.parent(f), "dovecot"), {}).setdefault("dovecot", []).append(f)
    for f in found.mailman:
        hosts.setdefault(_mailman_host(f), {}).setdefault("mailman", []).append(f)
    sets: list[ConfigSet] = []
    key = _paths.sort_key
    for host in sorted(hosts, key=key):
        parts = hosts[host]
        postfix_dirs = sorted(parts.get("postfix", []), key=key)
        dovecots = sorted(parts.get("dovecot", []), key=key)
        mailman = sorted(parts.get("mailman", []), key=key)
        # Several Postfix instances or Dovecot trees on one host: pair them in order, so every
        # file is linted once and the first pair still gets the cross-file rules.
        for i in range(max(len(postfix_dirs), len(dovecots), 1)):
            pdir = postfix_dirs[i] if i < len(postfix_dirs) else None
            dconf = dovecots[i] if i < len(dovecots) else None
            sets.append(ConfigSet(host, pdir, dconf, mailman if i == 0 else []))
    return sets


def _live() -> list[ConfigSet]:
    etc = "/etc"
    cs = ConfigSet(etc, live=True)
    if any(_paths.is_file(f"/etc/postfix/{n}") for n in POSTFIX_FILES):
        cs.postfix_dir_name = "/etc/postfix"
    if _paths.is_file(f"/etc/dovecot/{DOVECOT_TOP}"):
        cs.dovecot_conf_name = f"/etc/dovecot/{DOVECOT_TOP}"
    from mailconf.mailman.discovery import find_mailman_file_names

    cs.mailman_names += find_mailman_file_names()  # /etc/mailman3, /etc/mailman, /usr/lib/mailman/Mailman, ...
    if cs.postfix_dir_name is None and cs.dovecot_conf_name is None and not cs.mailman_names:
        raise DiscoveryError(etc, "no /etc/postfix, /etc/dovecot, /etc/mailman3 or /etc/mailman configuration here")
    return [cs]


def is_live(cs: ConfigSet) -> bool:
    """True when the set is this machine's own /etc (versions may come from the installed tools)."""
    if cs.live:
        return True
    try:
        return (cs.postfix_dir_name is not None and _paths.resolve(cs.postfix_dir_name) == "/etc/postfix") or (
            cs.dovecot_conf_name is not None and _paths.resolve(cs.dovecot_conf_name) == "/etc/dovecot/dovecot.conf"
        )
    except OSError:
        return False
