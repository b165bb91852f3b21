"""Response validation that checks each distinct answer once.

Connexion validates every JSON answer against its schema as it leaves (always in mock mode,
whose answers come from files anyone may edit; in real mode when `validate_responses` is on).
A mock sends the same bytes for the same request over and over, and validation was a fifth of
its time per request. The same bytes against the same schema give the same verdict, so the
bytes of answers found valid are remembered, per schema, and not parsed or checked again. An
answer found invalid is never remembered: it fails every time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from connexion.validators import JSONResponseBodyValidator

# The bytes of valid answers remembered in all (least recently used out first), and the
# largest answer remembered: a bound on the memory, whatever the answers.
REMEMBERED_BYTES = 8 * 1024 * 1024
LARGEST_REMEMBERED_BYTES = 64 * 1024

# (id of the schema, the answer's bytes) -> the schema; the schema is kept so that its id
# cannot be reused by another object while the entry lives.
_valid: OrderedDict[tuple[int, bytes], Any] = OrderedDict()
_remembered_bytes = 0
_ALREADY_VALID = object()


class OnceJSONResponseValidator(JSONResponseBodyValidator):  # type: ignore[misc]
    """Connexion's JSON response validator, skipping answers already found valid."""

    _key: tuple[int, bytes] | None = None

    def _parse(self, stream: Iterable[bytes]) -> Any:
        raw = b"".join(stream)
        key = (id(self._schema), raw)
        if _valid.get(key) is self._schema:
            _valid.move_to_end(key)
            return _ALREADY_VALID
        self._key = key if len(raw) <= LARGEST_REMEMBERED_BYTES else None
        return super()._parse(iter((raw,)))

    def _validate(self, body: Any) -> None:
        if body is _ALREADY_VALID:
            return
        super()._validate(body)  # raises for an answer that breaks its schema
        if self._key is not None:
            _remember(self._key, self._schema)


def _remember(key: tuple[int, bytes], schema: Any) -> None:
    global _remembered_bytes  # noqa: PLW0603 (one memory for the process)
    if key not in _valid:
        _remembered_bytes += len(key[1])
    _valid[key] = schema
    while _remembered_bytes > REMEMBERED_BYTES:
        (_, forgotten), _ = _valid.popitem(last=False)
        _remembered_bytes -= len(forgotten)


def forget() -> None:
    """Forget every answer (for tests)."""
    global _remembered_bytes  # noqa: PLW0603
    _valid.clear()
    _remembered_bytes = 0
