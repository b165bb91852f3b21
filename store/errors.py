"""Typed domain errors. The store and handlers raise them; the runtime renders them per API."""

from __future__ import annotations


class DomainError(Exception):
    """A request that the domain refuses; `status` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    """The request is well-formed but breaks a rule of the domain."""

    status = 400


class NotFound(DomainError):
    """An id that names nothing (or nothing the caller may see)."""

    status = 404


class Conflict(DomainError):
    """The request clashes with what is stored (a unique value taken, a stale version)."""

    status = 409


class Unprocessable(DomainError):
    """Well-formed, but a business rule refuses it (a role still in use, an unknown id in the
    body): DFS's 422 `UnprocessableEntity`."""

    status = 422


class Unauthenticated(DomainError):
    """The caller's credentials no longer hold, though its token is well signed and current
    (a token made from a personal access token since revoked, say)."""

    status = 401


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403


class Unavailable(DomainError):
    """The database could not be reached for this request (a lost connection): the client
    may send it again."""

    status = 503
