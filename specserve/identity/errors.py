"""Errors of the token endpoint, in RFC 6749's terms."""

from __future__ import annotations


class OAuthError(Exception):
    """An RFC 6749 (section 5.2) error: `error` is its code, `status` the HTTP status."""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        status: int = 400,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers or {}
