"""One place that turns every failure into an answer in the format of the API it belongs to.

Connexion's problems (validation, auth, routing), the domain's typed errors, the token
endpoint's OAuth errors and anything unexpected all come here. No stack trace leaves the server.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from http import HTTPStatus
from typing import Any

from connexion.exceptions import OAuthProblem, OAuthScopeProblem, ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from specserve.apis import ApiDefinition, ErrorStyle, api_for_path
from specserve.context import correlation_id, services
from specserve.identity.errors import OAuthError
from store.errors import DomainError, Unauthenticated

logger = logging.getLogger("specserve.errors")

# The `type` URIs ASP.NET Core writes into its problem details.
_RFC9110_SECTIONS = {
    400: "15.5.1", 401: "15.5.2", 403: "15.5.4", 404: "15.5.5", 405: "15.5.6",
    406: "15.5.7", 409: "15.5.10", 413: "15.5.14", 415: "15.5.16", 422: "15.5.21",
    500: "15.6.1", 503: "15.6.4",
}  # fmt: skip
# Statuses defined outside RFC 9110, as ASP.NET Core names them.
_OTHER_TYPES = {429: "https://tools.ietf.org/html/rfc6585#section-4"}

_OAUTH_CODES = {
    400: "invalid_request",
    401: "invalid_client",
    403: "unauthorized_client",
    429: "temporarily_unavailable",
    503: "temporarily_unavailable",
}

# The DFS envelope's `Code`: the status named as the samples name it (`BadRequest`, ...).
_ENVELOPE_CODES = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
    405: "MethodNotAllowed", 406: "NotAcceptable", 409: "Conflict", 413: "PayloadTooLarge",
    415: "UnsupportedMediaType", 422: "UnprocessableEntity", 429: "TooManyRequests",
    500: "InternalServerError", 501: "NotImplemented", 503: "ServiceUnavailable",
}  # fmt: skip


# The scope key of a request's Attempt: whether its credential was refused (specserve.throttle).
ATTEMPT = "specserve.attempt"
_GUESSED_WRONG = ("invalid_client", "invalid_grant")


@dataclass
class Attempt:
    refused: bool = False


@dataclass(frozen=True)
class ApiError:
    """An error before it is given an API's format."""

    status: int
    detail: str
    field: str | None = None
    oauth_error: str | None = None
    sub_code: str | None = None
    # A credential was named and is wrong (a guess, if repeated: specserve.throttle).
    wrong_credential: bool = False
    headers: dict[str, str] = dataclass_field(default_factory=dict)


def describe(exc: Exception, path: str) -> ApiError:
    """What went wrong, whichever layer raised it."""
    if isinstance(exc, Unauthenticated):
        return ApiError(
            status=401,
            detail=exc.message,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    if isinstance(exc, DomainError):
        return ApiError(status=exc.status, detail=exc.message, field=exc.field)
    if isinstance(exc, OAuthError):
        return ApiError(
            status=exc.status,
            detail=exc.description,
            oauth_error=exc.error,
            headers=exc.headers,
            wrong_credential=exc.error in _GUESSED_WRONG,
        )
    if isinstance(exc, OAuthScopeProblem):
        return ApiError(
            status=403,
            detail=(
                "The access token lacks the scope this operation requires: "
                f"{' or '.join(_accepted_scopes(path)) or exc.required_scopes}."
            ),
            headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
        )
    if isinstance(exc, OAuthProblem) and _uses_api_keys(path):
        no_key = "No authorization token provided" in str(exc.detail)
        return ApiError(
            status=401,
            detail=(
                "No API key: send it in the x-api-key header or the api_key query parameter."
                if no_key
                else "The API key is unknown or revoked."
            ),
            headers={"WWW-Authenticate": "ApiKey"},
            wrong_credential=not no_key,
        )
    if isinstance(exc, OAuthProblem):
        no_token = "No authorization token provided" in str(exc.detail)
        return ApiError(
            status=401,
            detail=str(exc.detail) if no_token else "The access token is invalid or expired.",
            headers={"WWW-Authenticate": "Bearer" if no_token else 'Bearer error="invalid_token"'},
        )
    if isinstance(exc, ProblemException) and exc.status == 501:
        return ApiError(
            status=501, detail="This operation of an API still being built is not served yet."
        )
    if isinstance(exc, ProblemException):
        return ApiError(status=exc.status, detail=str(exc.detail or exc.title or ""))
    if isinstance(exc, HTTPException):
        return _http_error(exc, path)
    logger.error("unhandled error", exc_info=exc)
    return ApiError(
        status=500,
        detail=(
            "The server failed to answer this request. Quote the correlation id "
            f"'{correlation_id.get()}' when you report it."
        ),
    )


def _http_error(exc: HTTPException, path: str) -> ApiError:
    if exc.status_code == 404:
        return ApiError(status=404, detail=f"No operation at '{path}'.")
    if exc.status_code == 405:
        # Starlette names only the method of the one route it tried; the spec knows them all.
        allowed = _allowed_methods(path)
        return ApiError(
            status=405,
            detail=f"The method is not allowed at '{path}'. Allowed: {', '.join(allowed)}.",
            headers={"Allow": ", ".join(allowed)},
        )
    return ApiError(status=exc.status_code, detail=str(exc.detail), headers=dict(exc.headers or {}))


def _owning_api(path: str) -> ApiDefinition | None:
    return api_for_path(services().apis, path)


def _allowed_methods(path: str) -> list[str]:
    api = _owning_api(path)
    if api is None:
        return []
    below_base = path[len(api.base_path.rstrip("/")) :] or "/"
    return services().contracts[api.name].allowed_methods(below_base)


def _uses_api_keys(path: str) -> bool:
    api = _owning_api(path)
    return api is not None and api.api_keys


def _accepted_scopes(path: str) -> list[str]:
    api = _owning_api(path)
    if api is None:
        return []
    return services().contracts[api.name].accepted_scopes()


def render(api: ApiDefinition | None, error: ApiError, path: str = "") -> ConnexionResponse:
    """The error as the API answers it (problem details when no API owns the path)."""
    headers = dict(error.headers)
    if (
        api is not None
        and api.error_style is ErrorStyle.B2C
        and error.status == 400
        and path.lower().endswith("/authorize")
    ):
        return _b2c_error_page(error)
    if api is not None and api.error_style in (ErrorStyle.OAUTH, ErrorStyle.B2C):
        fallback = "server_error" if error.status >= 500 else "invalid_request"
        body: dict[str, Any] = {
            "error": error.oauth_error or _OAUTH_CODES.get(error.status, fallback),
            "error_description": error.detail,
        }
        media_type = "application/json"
        headers["Cache-Control"] = "no-store"
    elif api is not None and api.error_style is ErrorStyle.DFS_ENVELOPE:
        body = {
            "Code": envelope_code(error.status),
            "SubCode": error.sub_code or "NA",
            "Message": error.detail,
            "CorrelationId": correlation_id.get(),
        }
        media_type = "application/json"
    else:
        body = _problem_details(error)
        media_type = "application/problem+json"
    return ConnexionResponse(
        status_code=error.status,
        mimetype=media_type,
        content_type=media_type,
        body=json.dumps(body).encode("utf-8"),
        headers=headers,
    )


def envelope_code(status: int) -> str:
    """The DFS envelope's `Code` for a status."""
    return _ENVELOPE_CODES.get(status, "BadRequest" if status < 500 else "InternalServerError")


def status_phrase(status: int) -> str:
    return _phrase(status)


def _b2c_error_page(error: ApiError) -> ConnexionResponse:
    """B2C's answer when the authorize endpoint cannot redirect: an HTML page embedding a JSON
    object whose `Detail` says why (clients read it with a regular expression, so it holds no
    double quote)."""
    settings = {
        "Detail": error.detail.replace('"', "'"),
        "CorrelationId": correlation_id.get(),
        "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%SZ"),
    }
    # Inside a script element "<" could end it early or open a comment: JSON reads "\u003c"
    # as "<" (and the same for ">" and "&"), so a JSON reader sees the same text.
    embedded = (
        json.dumps(settings).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )
    page = (
        "<!DOCTYPE html><html><head><title>Sign in</title></head><body>"
        f"<script>var GLOBALEX = {embedded};</script>"
        "</body></html>"
    )
    return ConnexionResponse(
        status_code=400,
        mimetype="text/html",
        content_type="text/html; charset=utf-8",
        body=page.encode("utf-8"),
        headers=dict(error.headers),
    )


def _problem_details(error: ApiError) -> dict[str, Any]:
    section = _RFC9110_SECTIONS.get(error.status)
    body: dict[str, Any] = {
        "type": f"https://tools.ietf.org/html/rfc9110#section-{section}"
        if section
        else _OTHER_TYPES.get(error.status, "about:blank"),
        "title": _phrase(error.status),
        "status": error.status,
        "detail": error.detail,
        "traceId": correlation_id.get(),
    }
    if error.field:
        body["errors"] = {error.field: [error.detail]}
    return body


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def handle_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """Connexion's error handler for every exception type specserve registers."""
    # The scope's path as routed: `request.url` parses it again as a URL, which drops control
    # characters (a CR in a path segment) and so would change which API the path belongs to.
    path = str(request.scope.get("path") or request.url.path)
    error = describe(exc, path)
    attempt = request.scope.get(ATTEMPT)
    if attempt is not None and error.wrong_credential:
        attempt.refused = True
    return render(_owning_api(path), error, path)


def error_response(api: ApiDefinition | None, error: ApiError, path: str = "") -> Response:
    """The error as the API answers it, as an ASGI app (for layers outside Connexion's)."""
    answer = render(api, error, path)
    return Response(
        content=answer.body,
        status_code=answer.status_code,
        media_type=answer.content_type,
        headers=dict(answer.headers or {}),
    )
