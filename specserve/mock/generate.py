"""Data generated from a response schema: valid for it, and the same for the same request.

The request's fingerprint seeds a private random generator, so a client polling one URL sees
one answer while different ids give different data. Types, formats, enums, bounds, lengths,
patterns, required properties and `nullable` are honoured; `writeOnly` properties are left out
of answers.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import random
import re
import string
import threading
import uuid
from typing import Any

from hypothesis import HealthCheck, find, settings, strategies

_WORDS = (
    "alpha", "amber", "atlas", "basil", "cedar", "coral", "delta", "ember", "fjord", "garnet",
    "harbor", "indigo", "juniper", "kestrel", "lumen", "maple", "nimbus", "onyx", "pioneer",
    "quartz", "raven", "sierra", "tundra", "umber", "vertex", "willow", "zephyr",
)  # fmt: skip
_NAMES = ("Anna", "Bill", "Chen", "Dana", "Emil", "Fatima", "Greta", "Hugo", "Ines", "Jonas")
_SURNAMES = ("Doe", "Berg", "Okafor", "Rossi", "Tanaka", "Weber", "Silva", "Novak", "Haas")
_EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
_MAX_ITEMS = 3


def fingerprint(*parts: object) -> int:
    """A stable seed from the parts of a request (not Python's per-process `hash`)."""
    digest = hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big")


def generate(schema: dict[str, Any], seed: int) -> Any:
    return _Generator(random.Random(seed)).value(schema, name="")


class _Generator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def value(self, schema: dict[str, Any], name: str) -> Any:
        if "allOf" in schema:
            return self.value(_merge_all_of(schema), name)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return self.value(schema[key][0], name)
        if "enum" in schema:
            choices = [choice for choice in schema["enum"] if choice is not None]
            return self.rng.choice(choices) if choices else None
        kind = schema.get("type") or ("object" if "properties" in schema else "string")
        if kind == "object":
            return self.object(schema)
        if kind == "array":
            return self.array(schema, name)
        if kind == "integer":
            return self.integer(schema)
        if kind == "number":
            return self.number(schema)
        if kind == "boolean":
            return self.rng.random() < 0.5
        return self.string(schema, name)

    def object(self, schema: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            if prop.get("writeOnly"):
                continue
            if prop.get("nullable") and name not in required and self.rng.random() < 0.2:
                result[name] = None
                continue
            result[name] = self.value(prop, name)
        return result

    def array(self, schema: dict[str, Any], name: str) -> list[Any]:
        low = schema.get("minItems", 1 if schema.get("maxItems", 1) else 0)
        high = max(low, min(schema.get("maxItems", _MAX_ITEMS), _MAX_ITEMS))
        items = schema.get("items", {})
        result: list[Any] = []
        attempts = 0
        target = self.rng.randint(low, high)
        while len(result) < target and attempts < target * 10:
            attempts += 1
            item = self.value(items, name)
            if schema.get("uniqueItems") and item in result:
                continue
            result.append(item)
        return result

    def integer(self, schema: dict[str, Any]) -> int:
        low, high = _bounds(schema, default_low=1, default_high=1000, step=1)
        return self.rng.randint(int(low), int(high))

    def number(self, schema: dict[str, Any]) -> float:
        low, high = _bounds(schema, default_low=0.0, default_high=1000.0, step=0.001)
        return round(self.rng.uniform(low, high), 3)

    def string(self, schema: dict[str, Any], name: str) -> str:
        text = self.formatted(schema.get("format"), name)
        low = schema.get("minLength", 0)
        high = schema.get("maxLength")
        if high is not None and len(text) > high:
            text = text[:high]
        if len(text) < low:
            text += "".join(self.rng.choice(string.ascii_lowercase) for _ in range(low - len(text)))
        pattern = schema.get("pattern")
        if pattern and not re.search(pattern, text):
            text = _matching(pattern, low, high)
        return text

    def formatted(self, fmt: str | None, name: str) -> str:
        rng = self.rng
        if fmt == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if fmt == "date-time":
            moment = _EPOCH + datetime.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
            return moment.isoformat().replace("+00:00", "Z")
        if fmt == "date":
            return (_EPOCH.date() + datetime.timedelta(days=rng.randint(0, 3 * 365))).isoformat()
        if fmt == "email":
            return f"{rng.choice(_NAMES).lower()}.{rng.choice(_SURNAMES).lower()}@example.com"
        if fmt in ("uri", "url"):
            return f"https://example.com/{rng.choice(_WORDS)}/{rng.randint(1, 999)}"
        if fmt == "byte":
            return "c3BlY3NlcnZl"  # base64 of "specserve"
        lowered = name.lower()
        if "firstname" in lowered or lowered == "givenname":
            return rng.choice(_NAMES)
        if "lastname" in lowered or lowered in ("surname", "familyname"):
            return rng.choice(_SURNAMES)
        if "email" in lowered:
            return f"{rng.choice(_NAMES).lower()}@example.com"
        return f"{rng.choice(_WORDS)}-{rng.randint(1, 999)}"


def _bounds(
    schema: dict[str, Any], *, default_low: float, default_high: float, step: float
) -> tuple[float, float]:
    low = schema.get("minimum")
    high = schema.get("maximum")
    # OpenAPI 3.0: exclusiveMinimum/Maximum are booleans qualifying minimum/maximum.
    if low is not None and schema.get("exclusiveMinimum"):
        low += step
    if high is not None and schema.get("exclusiveMaximum"):
        high -= step
    if low is None:
        low = min(default_low, high) if high is not None else default_low
    if high is None:
        high = max(default_high, low)
    return low, high


def _merge_all_of(schema: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for raw in schema["allOf"]:
        part = _merge_all_of(raw) if "allOf" in raw else raw
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            else:
                merged.setdefault(key, value)
    return merged


def prepare_patterns(schemas: list[Any]) -> threading.Thread:
    """Find text for the patterns of these schemas in a background thread: Hypothesis may take
    a second for one, which would otherwise stall the server's event loop on first use."""
    found: list[tuple[str, int, int | None]] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.append((node["pattern"], node.get("minLength", 0), node.get("maxLength")))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(schemas)

    def work() -> None:
        for pattern, low, high in dict.fromkeys(found):
            _matching(pattern, low, high)

    thread = threading.Thread(target=work, name="specserve-mock-patterns", daemon=True)
    thread.start()
    return thread


# Hypothesis runs one search at a time: the background preparation and a request may both ask.
_FINDING = threading.Lock()


@functools.lru_cache(maxsize=256)
def _matching(pattern: str, low: int, high: int | None) -> str:
    """The simplest text matching a pattern, found once per pattern: Hypothesis's regex
    strategy, shrunk deterministically; candidates first for what it cannot (lookarounds)."""
    for candidate in ("Specserve1", "Specserve-Demo-1", "ABC", "41|5550101", "c3BlY3NlcnZl"):
        if re.search(pattern, candidate) and low <= len(candidate) <= (high or len(candidate)):
            return candidate
    quiet = settings(database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    with _FINDING:
        text: str = find(
            strategies.from_regex(pattern, fullmatch=True).filter(
                lambda s: low <= len(s) <= (high if high is not None else len(s))
            ),
            lambda _: True,
            settings=quiet,
        )
    return text
