"""Answers whose media type is named, since each operation also declares problem+json errors."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

JSON = {"Content-Type": "application/json"}
# Token answers are never cached (RFC 6749, section 5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


JsonAnswer = tuple[Any, int, dict[str, str]]


def json_ok(body: Any) -> JsonAnswer:
    return body, 200, JSON


def empty_ok() -> Response:
    """200 with no body, and so no Content-Type (Connexion would name the errors' one)."""
    return Response(status_code=200)


def no_content() -> Response:
    return Response(status_code=204)
