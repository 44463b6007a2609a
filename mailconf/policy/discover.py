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
from pathlib import Path

from mailconf._record import MutableRecord

POSTFIX_FILES = ("main.cf", "master.cf")
DOVECOT_TOP = "dovecot.conf"
MAILMAN_FILES = ("mailman.cfg", "mm_cfg.py")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", ".tox", ".mypy_cache"}
MAX_WALK_ENTRIES = 200_000


class ConfigSet(MutableRecord):
    """One host's configuration files (any of the three products may be missing)."""

    __slots__ = ("base", "dovecot_conf", "live", "mailman", "postfix_dir")

    def __init__(
        self,
        base: Path,
        postfix_dir: Path | None = None,
        dovecot_conf: Path | None = None,
        mailman: list[Path] | None = None,
        live: bool = False,
    ) -> None:
        self.base = base
        self.postfix_dir = postfix_dir
        self.dovecot_conf = dovecot_conf
        self.mailman: list[Path] = [] if mailman is None else mailman
        self.live = live

    @property
    def name(self) -> str:
        return str(self.base)

    def entry_files(self) -> list[Path]:
        """The files this set starts from (Dovecot includes come from the loaded tree)."""
        files: list[Path] = []
        if self.postfix_dir is not None:
            files += [self.postfix_dir / n for n in POSTFIX_FILES if (self.postfix_dir / n).exists()]
        if self.dovecot_conf is not None:
            files.append(self.dovecot_conf)
        files += self.mailman
        return files

    def key(self) -> tuple[str, str, str, tuple[str, ...]]:
        return (
            str(self.base),
            str(self.postfix_dir or ""),
            str(self.dovecot_conf or ""),
            tuple(str(m) for m in self.mailman),
        )


class DiscoveryError(Exception):
    """A path that names nothing mailconf can lint (usage error)."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{path}: {message}")


def _host_of(directory: Path, prefix: str) -> Path:
    return directory.parent if directory.name.lower().startswith(prefix) else directory


# Mailman 2 outside etc/ (Debian's and Fedora's package, a source install): the file belongs to
# the host whose etc/ sits beside that usr/.
_MAILMAN_OUTSIDE_ETC = (("usr", "lib", "mailman", "Mailman"), ("usr", "local", "mailman", "Mailman"))


def _mailman_host(file: Path) -> Path:
    """The host directory of a Mailman file: ``X/usr/lib/mailman/Mailman/mm_cfg.py`` belongs to
    ``X/etc`` (when there is one), other files to their directory or its parent (``mailman*``)."""
    parts = file.parent.parts
    for tail in _MAILMAN_OUTSIDE_ETC:
        if len(parts) > len(tail) and parts[-len(tail) :] == tail:
            root = Path(*parts[: -len(tail)])
            if (root / "etc").is_dir():
                return root / "etc"
    return _host_of(file.parent, "mailman")


def _dovecot_top(file: Path) -> Path:
    """The dovecot.conf that includes ``file`` (looked for up to two levels up), else the file."""
    if file.name == DOVECOT_TOP:
        return file
    for parent in (file.parent, file.parent.parent):
        candidate = parent / DOVECOT_TOP
        if candidate.is_file():
            return candidate
    return file


class _Found:
    __slots__ = ("dovecot", "mailman", "postfix")

    def __init__(self) -> None:
        self.postfix: set[Path] = set()
        self.dovecot: set[Path] = set()
        self.mailman: set[Path] = set()


def _complete(host: Path, found: _Found) -> None:
    """Add the sibling components of a host directory (depth 0 and its product subdirectories)."""
    dirs = [host]
    with contextlib.suppress(OSError):
        dirs += sorted(
            d for d in host.iterdir() if d.is_dir() and d.name.lower().startswith(("postfix", "dovecot", "mailman"))
        )
    if host.name == "etc":  # Mailman 2's mm_cfg.py under usr/ beside this etc/
        for tail in _MAILMAN_OUTSIDE_ETC:
            candidate = host.parent.joinpath(*tail, "mm_cfg.py")
            if candidate.is_file():
                found.mailman.add(candidate)
    for d in dirs:
        if any((d / n).is_file() for n in POSTFIX_FILES):
            found.postfix.add(d)
        if (d / DOVECOT_TOP).is_file():
            found.dovecot.add(d / DOVECOT_TOP)
        for n in MAILMAN_FILES:
            if (d / n).is_file():
                found.mailman.add(d / n)


def _walk(root: Path, found: _Found) -> None:
    seen = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        seen += len(filenames) + len(dirnames)
        if seen > MAX_WALK_ENTRIES:
            raise DiscoveryError(root, f"more than {MAX_WALK_ENTRIES} entries below this directory; name the hosts")
        here = Path(dirpath)
        names = set(filenames)
        if names & set(POSTFIX_FILES):
            found.postfix.add(here)
        if DOVECOT_TOP in names:
            found.dovecot.add(here / DOVECOT_TOP)
        for n in MAILMAN_FILES:
            if n in names:
                found.mailman.add(here / n)


def classify(path: Path) -> str | None:
    """``postfix``, ``dovecot``, ``mailman`` or None, from a file's name."""
    name = path.name
    if name in POSTFIX_FILES:
        return "postfix"
    if name in MAILMAN_FILES:
        return "mailman"
    if name == DOVECOT_TOP or name.endswith((".conf", ".conf.ext")):
        return "dovecot"
    return None


def discover(paths: list[Path]) -> list[ConfigSet]:
    """The configuration sets named by ``paths`` (the live /etc when empty), in path order."""
    if not paths:
        return _live()
    found = _Found()
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise DiscoveryError(path, "No such file or directory")
        if path.is_dir():
            before = len(found.postfix) + len(found.dovecot) + len(found.mailman)
            _walk(path, found)
            if len(found.postfix) + len(found.dovecot) + len(found.mailman) == before:
                top = _dovecot_top(path / "x.conf")  # a conf.d directory inside a Dovecot tree
                loose = sorted(p for p in path.glob("*.conf") if p.is_file())
                if top.name == DOVECOT_TOP and top.is_file():
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
            found.postfix.add(path.parent)
            _complete(_host_of(path.parent, "postfix"), found)
        elif kind == "dovecot":
            top = _dovecot_top(path)
            found.dovecot.add(top)
            _complete(_host_of(top.parent, "dovecot"), found)
        else:
            found.mailman.add(path)
            _complete(_mailman_host(path), found)
    return _group(found)


def _group(found: _Found) -> list[ConfigSet]:
    hosts: dict[Path, dict[str, list[Path]]] = {}
    for d in found.postfix:
        hosts.setdefault(_host_of(d, "postfix"), {}).setdefault("postfix", []).append(d)
    for f in found.dovecot:
        hosts.setdefault(_host_of(f.parent, "dovecot"), {}).setdefault("dovecot", []).append(f)
    for f in found.mailman:
        hosts.setdefault(_mailman_host(f), {}).setdefault("mailman", []).append(f)
    sets: list[ConfigSet] = []
    for host in sorted(hosts):
        parts = hosts[host]
        postfix_dirs = sorted(parts.get("postfix", []))
        dovecots = sorted(parts.get("dovecot", []))
        mailman = sorted(parts.get("mailman", []))
        # Several Postfix instances or Dovecot trees on one host: pair them in order, so every
        # file is linted once and the first pair still gets the cross-file rules.
        for i in range(max(len(postfix_dirs), len(dovecots), 1)):
            pdir = postfix_dirs[i] if i < len(postfix_dirs) else None
            dconf = dovecots[i] if i < len(dovecots) else None
            sets.append(ConfigSet(host, pdir, dconf, mailman if i == 0 else []))
    return sets


def _live() -> list[ConfigSet]:
    etc = Path("/etc")
    cs = ConfigSet(etc, live=True)
    if any((etc / "postfix" / n).is_file() for n in POSTFIX_FILES):
        cs.postfix_dir = etc / "postfix"
    if (etc / "dovecot" / DOVECOT_TOP).is_file():
        cs.dovecot_conf = etc / "dovecot" / DOVECOT_TOP
    from mailconf.mailman.discovery import find_mailman_files

    cs.mailman += find_mailman_files()  # /etc/mailman3, /etc/mailman, /usr/lib/mailman/Mailman, ...
    if cs.postfix_dir is None and cs.dovecot_conf is None and not cs.mailman:
        raise DiscoveryError(etc, "no /etc/postfix, /etc/dovecot, /etc/mailman3 or /etc/mailman configuration here")
    return [cs]


def is_live(cs: ConfigSet) -> bool:
    """True when the set is this machine's own /etc (versions may come from the installed tools)."""
    if cs.live:
        return True
    try:
        return (cs.postfix_dir is not None and cs.postfix_dir.resolve() == Path("/etc/postfix")) or (
            cs.dovecot_conf is not None and cs.dovecot_conf.resolve() == Path("/etc/dovecot/dovecot.conf")
        )
    except OSError:
        return False
