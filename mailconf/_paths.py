"""``pathlib.PosixPath`` semantics on plain strings, for the lint path.

Importing ``pathlib`` costs a few milliseconds of every commit hook's run (it pulls in
``urllib.parse``, ``ntpath`` and ``fnmatch``). The modules that a lint run uses keep paths as
strings *normalised the way* ``str(Path(p))`` *is* (doubled and trailing slashes and ``.``
components dropped, ``..`` kept), so that the paths they report, compare and sort are the ones
the ``Path`` objects gave. The functions below are the few ``Path`` operations those modules
need, with Python 3.11's ``PosixPath`` behaviour: ordering by components (:func:`sort_key`),
``exists()``/``is_file()``/... raising on errors other than "not there", ``resolve()`` raising
RuntimeError on a symlink loop. :func:`to_path` makes the ``Path`` for library users.
"""

from __future__ import annotations

import os
from errno import EBADF, ELOOP, ENOENT, ENOTDIR
from stat import S_ISDIR, S_ISLNK, S_ISREG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    PathArg = str | os.PathLike[str]

_IGNORED = (ENOENT, ENOTDIR, EBADF, ELOOP)  # "not there" for exists() and the is_*() tests


def _root(text: str) -> str:
    if not text.startswith("/"):
        return ""
    return "//" if text.startswith("//") and not text.startswith("///") else "/"


def norm(path: PathArg) -> str:
    """``str(Path(path))``: "a//b/./c/" gives "a/b/c", "" gives "."."""
    text = os.fspath(path)
    if (
        text
        and "//" not in text
        and "/." not in text
        and not text.startswith("./")
        and not text.endswith("/")
        and text != "."
    ):
        return text  # already normal (the usual case)
    root = _root(text)
    parts = [p for p in text.split("/") if p and p != "."]
    return root + "/".join(parts) if root or parts else "."


def join(base: PathArg, *names: str) -> str:
    """``str(Path(base, *names))``: an absolute name starts again from it."""
    return norm(os.path.join(os.fspath(base), *names))


def parts(path: str) -> tuple[str, ...]:
    """``Path(path).parts`` of a normalised path: ("/", "etc", "postfix")."""
    if path == ".":
        return ()
    root = _root(path)
    rest = path[len(root) :]
    tail = tuple(rest.split("/")) if rest else ()
    return (root, *tail) if root else tail


def from_parts(pieces: tuple[str, ...]) -> str:
    """``str(Path(*pieces))`` of components as :func:`parts` gives them."""
    if pieces and pieces[0] in ("/", "//"):
        return pieces[0] + "/".join(pieces[1:])
    return "/".join(pieces) or "."


def sort_key(path: str) -> tuple[str, ...]:
    """The key ``Path`` objects sort by (their components), for normalised paths: "a/b" sorts
    before "a-b" as Path("a/b") does, unlike the strings."""
    return parts(path)


def name(path: str) -> str:
    """``Path(path).name`` of a normalised path ("" for "/" and ".")."""
    if path == "." or path == _root(path):
        return ""
    return path.rpartition("/")[2]


def parent(path: str) -> str:
    """``str(Path(path).parent)`` of a normalised path ("." for a single relative name)."""
    root = _root(path)
    if path == root or path == ".":
        return path
    head, sep, _ = path[len(root) :].rpartition("/")
    return root + head if sep else (root or ".")


def relative_to(path: str, base: str) -> str:
    """``str(Path(path).relative_to(base))`` of normalised paths (ValueError when not below)."""
    own, other = parts(path), parts(base)
    if own[: len(other)] != other or (not other and path.startswith("/")):
        raise ValueError(f"{path!r} is not in the subpath of {base!r}")
    rest = own[len(other) :]
    return "/".join(rest) or "."


def absolute(path: str) -> str:
    """``str(Path(path).absolute())`` (the working directory prepended; ".." kept)."""
    return path if path.startswith("/") else join(os.getcwd(), path)


def resolve(path: PathArg) -> str:
    """``str(Path(path).resolve())``: RuntimeError on a symlink loop, as pathlib raises."""
    resolved = os.path.realpath(path)
    try:
        os.stat(resolved)
    except OSError as error:
        if error.errno == ELOOP:
            raise RuntimeError(f"Symlink loop from {error.filename!r}") from None
    return norm(resolved)


def _mode(path: PathArg, follow: bool = True) -> int | None:
    """The file's mode, None when it is not there; other errors raised as pathlib raises them."""
    try:
        return os.stat(path, follow_symlinks=follow).st_mode
    except OSError as error:
        if error.errno not in _IGNORED:
            raise
        return None
    except ValueError:  # a NUL byte in the name
        return None


def exists(path: PathArg) -> bool:
    """``Path(path).exists()``."""
    return _mode(path) is not None


def is_dir(path: PathArg) -> bool:
    """``Path(path).is_dir()``."""
    mode = _mode(path)
    return mode is not None and S_ISDIR(mode)


def is_file(path: PathArg) -> bool:
    """``Path(path).is_file()``."""
    mode = _mode(path)
    return mode is not None and S_ISREG(mode)


def is_symlink(path: PathArg) -> bool:
    """``Path(path).is_symlink()``."""
    mode = _mode(path, follow=False)
    return mode is not None and S_ISLNK(mode)


def read_bytes(path: PathArg) -> bytes:
    """``Path(path).read_bytes()``."""
    with open(path, "rb") as handle:
        return handle.read()


def to_path(path: str) -> Path:
    """The ``pathlib.Path`` of a path (pathlib is imported here, on first use)."""
    from pathlib import Path

    return Path(path)


class OptionalPath:
    """A public ``Path | None`` attribute kept as a normalised string in ``field`` (the string is
    what the lint path reads; the ``Path`` is made when a library user asks for it)."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __get__(self, obj: object, owner: type | None = None) -> Path | None:
        if obj is None:
            return self  # type: ignore[return-value]  # the descriptor itself, on the class
        text: str | None = getattr(obj, self.field)
        return None if text is None else to_path(text)

    def __set__(self, obj: object, value: PathArg | None) -> None:
        setattr(obj, self.field, None if value is None else norm(value))
