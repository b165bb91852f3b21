"""Small stand-ins for the identities of the Access Control API (specs/accesscontrol.yaml), kept
in a dict: each keeps the contract of those six operations but for the one fault planted in it,
for `specserve contract-test` to catch (tests/e2e/test_planted_breakages.py).

Only the identity paths are served (the access group paths are 404): a run is restricted to
these operations with `--include-operation-id`."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.accesscontrol import ANDERS, BASE, BERIT, CARL
from tests.support.processes import free_port

API_KEY = "planted-key"

# The faults, each planted in one operation, and what that operation does wrong.
UNDOCUMENTED_STATUS = "undocumented-status"  # addIdentity answers 201, documented is 200
WRONG_TYPE = "wrong-type"  # getIdentity answers `type` as a string
MISSING_FIELD = "missing-field"  # listIdentities leaves out a property that is null
IGNORED_AUTH = "ignored-auth"  # listIdentities answers without a valid key
CRASH_ON_BAD_INPUT = "crash-on-bad-input"  # updateIdentity: 500 on a body not an object
DELETE_KEEPS = "delete-keeps"  # deleteIdentity answers 200 and deletes nothing
FAULTS = (
    UNDOCUMENTED_STATUS,
    WRONG_TYPE,
    MISSING_FIELD,
    IGNORED_AUTH,
    CRASH_ON_BAD_INPUT,
    DELETE_KEEPS,
)

_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")
_PROPERTIES = {"id", "name", "type", "email", "description"}
_MAX_TYPE = 2_147_483_647
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
}

Handler = Callable[[Request, tuple[str, ...]], Awaitable[Response]]


class _Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _seed() -> list[dict[str, Any]]:
    """The spec's example identity and the seed's others (Carl has no description)."""
    identities = [
        (ANDERS, "Anders Andersen", "anan@mydomain.no", "anan@mydomain.no"),
        (BERIT, "Berit Berg", "bebe@mydomain.no", "Front desk"),
        (CARL, "Carl Christensen", "cach@mydomain.no", None),
    ]
    return [
        {"id": id_, "name": name, "type": 0, "email": email, "description": description}
        for id_, name, email, description in identities
    ]


@dataclass
class AccessControlIdentities:
    """The identity operations of Access Control over a dict, with `fault` planted (or none)."""

    fault: str | None = None
    identities: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}")
        self.identities.update((identity["id"], identity) for identity in _seed())

    # ---- routing

    def app(self) -> Starlette:
        methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
        return Starlette(routes=[Route("/{path:path}", self._dispatch, methods=methods)])

    def _routes(self) -> list[tuple[re.Pattern[str], dict[str, Handler]]]:
        segment = "([^/]+)"
        return [
            (
                re.compile(f"{BASE}/identities"),
                {"GET": self._list, "POST": self._add},
            ),
            (
                re.compile(f"{BASE}/identities/{segment}"),
                {"GET": self._get, "PUT": self._update, "DELETE": self._delete},
            ),
            (
                re.compile(f"{BASE}/identities/{segment}/accessgroups"),
                {"GET": self._access_groups},
            ),
        ]

    async def _dispatch(self, request: Request) -> Response:
        correlation_id = uuid.uuid4().hex
        path = request.url.path.rstrip("/")
        try:
            for pattern, methods in self._routes():
                match = pattern.fullmatch(path)
                if match is None:
                    continue
                handler = methods.get(request.method)
                if handler is None:
                    allowed = ", ".join(methods)
                    answer = _problem(405, f"Allowed: {allowed}.", correlation_id)
                    answer.headers["Allow"] = allowed
                    return answer
                if not (self.fault == IGNORED_AUTH and handler == self._list):
                    self._authenticate(request)
                response = await handler(request, match.groups())
                response.headers["X-Correlation-ID"] = correlation_id
                return response
            raise _Refused(404, f"No route for {path}.")
        except _Refused as refused:
            answer = _problem(refused.status, refused.detail, correlation_id)
            if refused.status == 401:
                answer.headers["WWW-Authenticate"] = "ApiKey"
            return answer

    @staticmethod
    def _authenticate(request: Request) -> None:
        keys = {request.headers.get("x-api-key"), request.query_params.get("api_key")}
        if API_KEY not in keys:
            raise _Refused(401, "No valid API key provided.")

    # ---- the operations

    async def _list(self, request: Request, ids: tuple[str, ...]) -> Response:
        identities = sorted(self.identities.values(), key=lambda i: (i["name"], i["id"]))
        if self.fault == MISSING_FIELD:
            identities = [{k: v for k, v in i.items() if v is not None} for i in identities]
        return JSONResponse(identities)

    async def _add(self, request: Request, ids: tuple[str, ...]) -> Response:
        body = await _json_body(request)
        _check_identity(body, required=("id", "name", "type"), id_nullable=False)
        identity_id = body["id"].lower()
        if identity_id in self.identities:
            raise _Refused(409, f"An identity with id {identity_id} exists.")
        self.identities[identity_id] = _identity(identity_id, body)
        return Response(status_code=201 if self.fault == UNDOCUMENTED_STATUS else 200)

    async def _get(self, request: Request, ids: tuple[str, ...]) -> Response:
        identity = dict(self._find(ids[0]))
        if self.fault == WRONG_TYPE:
            identity["type"] = str(identity["type"])
        return JSONResponse(identity)

    async def _update(self, request: Request, ids: tuple[str, ...]) -> Response:
        identity_id = _identity_id(ids[0])
        body = await _json_body(request)
        if self.fault == CRASH_ON_BAD_INPUT:
            # Reads the properties before checking that the body is an object: an array, a
            # string or a number is an AttributeError, a 500.
            body = dict(body.items())
        _check_identity(body, required=("name", "type"), id_nullable=True)
        self._find(identity_id)
        self.identities[identity_id] = _identity(identity_id, body)
        return Response(status_code=200)

    async def _delete(self, request: Request, ids: tuple[str, ...]) -> Response:
        identity = self._find(ids[0])
        if self.fault != DELETE_KEEPS:
            del self.identities[identity["id"]]
        return Response(status_code=200)

    async def _access_groups(self, request: Request, ids: tuple[str, ...]) -> Response:
        self._find(ids[0])
        return JSONResponse([])

    def _find(self, text: str) -> dict[str, Any]:
        identity_id = _identity_id(text)
        if identity_id not in self.identities:
            raise _Refused(404, f"No identity with id {identity_id}.")
        return self.identities[identity_id]


def _identity_id(text: str) -> str:
    if not _is_uuid(text):
        raise _Refused(400, f"'{text}' is not a 'uuid'.")
    return text.lower()


def _identity(identity_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": identity_id,
        "name": body["name"],
        "type": body["type"],
        "email": body.get("email"),
        "description": body.get("description"),
    }


def _problem(status: int, detail: str, correlation_id: str) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": _TITLES[status],
        "status": status,
        "detail": detail,
        "traceId": correlation_id,
    }
    headers = {"X-Correlation-ID": correlation_id}
    return JSONResponse(body, status, headers, media_type="application/problem+json")


async def _json_body(request: Request) -> Any:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise _Refused(415, f"Invalid Content-type ({media_type or 'none'}), expected JSON data")
    raw = await request.body()
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _Refused(400, "The body is not JSON.") from None


def _check_identity(body: Any, required: tuple[str, ...], id_nullable: bool) -> None:
    """The body as IdentityInput (or IdentityUpdate) has it; 400 otherwise."""
    if not isinstance(body, dict):
        raise _Refused(400, "The body must be a JSON object.")
    unknown = sorted(set(body) - _PROPERTIES)
    missing = [name for name in required if name not in body]
    if unknown or missing:
        raise _Refused(400, f"Unknown properties {unknown}, missing {missing}.")
    identity_id = body.get("id")
    if "id" in body and not (identity_id is None and id_nullable) and not _is_uuid(identity_id):
        raise _Refused(400, "'id' must be a uuid.")
    if not _text(body["name"], 200) or not body["name"]:
        raise _Refused(400, "'name' must be 1 to 200 characters.")
    kind = body["type"]
    if not isinstance(kind, int) or isinstance(kind, bool) or not 0 <= kind <= _MAX_TYPE:
        raise _Refused(400, "'type' must be a non-negative int32.")
    for name, limit in (("email", 320), ("description", 1000)):
        if body.get(name) is not None and not _text(body[name], limit):
            raise _Refused(400, f"'{name}' must be up to {limit} characters or null.")


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and _UUID.match(value) is not None


def _text(value: Any, limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit and "\x00" not in value


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """The app on a free loopback port, in a thread (uvicorn); yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
