"""Values worked out once per object of the app's own (a spec's schema, a fixture's body).

Such objects are dicts and lists, which cannot be keys: they are looked up by identity. Each
entry keeps its object, so that the object's id cannot be taken by another while the entry
lives (an entry found for an id holding another object is worked out again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class PerObject(Generic[V]):
    def __init__(self) -> None:
        self._found: dict[tuple[int, tuple[object, ...]], tuple[object, V]] = {}

    def get(self, obj: object, make: Callable[[], V], *also: object) -> V:
        """The value of `obj` (and of `also`, what else it depends on), made at first ask."""
        key = (id(obj), also)
        found = self._found.get(key)
        if found is None or found[0] is not obj:
            found = self._found[key] = (obj, make())
        return found[1]
