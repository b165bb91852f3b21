"""Answers whose media type is named, since each operation also declares problem+json errors."""

from __future__ import annotations

from typing import Any

JSON = {"Content-Type": "application/json"}


JsonAnswer = tuple[Any, int, dict[str, str]]


def json_ok(body: Any) -> JsonAnswer:
    return body, 200, JSON


def empty_ok() -> tuple[None, int]:
    return None, 200
