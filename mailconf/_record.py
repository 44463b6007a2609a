"""``Record``: a plain ``__slots__`` base class with value equality and a readable repr.

The lint command runs in every commit hook, and ``@dataclass`` costs about a millisecond per
class at import time (it generates and compiles methods). Classes on the lint path derive from
``Record`` instead, list their fields in ``__slots__`` and write their ``__init__`` by hand.
``_compare`` names the fields that take part in ``==`` and ``hash`` (default: all of them);
``_hidden`` names fields left out of the repr (``field(repr=False)`` of a dataclass).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar


class Record:
    __slots__ = ()
    _compare: ClassVar[tuple[str, ...] | None] = None
    _hidden: ClassVar[tuple[str, ...]] = ()

    def _fields(self) -> tuple[str, ...]:
        names: list[str] = []
        for klass in reversed(type(self).__mro__):
            names += [n for n in klass.__dict__.get("__slots__", ()) if not n.startswith("_")]
        return tuple(names)

    def _key(self) -> tuple[object, ...]:
        names = self._compare if self._compare is not None else self._fields()
        return tuple(getattr(self, n) for n in names)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields() if n not in self._hidden)
        return f"{type(self).__name__}({inner})"

    def _replace(self, **changes: Any) -> Any:
        """A copy with some fields changed (what ``dataclasses.replace`` does)."""
        new = object.__new__(type(self))
        for klass in type(self).__mro__:
            for name in klass.__dict__.get("__slots__", ()):
                object.__setattr__(new, name, changes.get(name, getattr(self, name)))
        return new


class MutableRecord(Record):
    """A Record that is compared by value but, being mutable, has no hash (as a plain @dataclass)."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]
