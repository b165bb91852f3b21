"""The mocked operations of the served APIs, as Connexion handlers.

Connexion validates the request and checks its credentials as in real mode; the handler then
applies the mock's resilience settings (latency, faults), chooses an answer (`selection`) and
sends it. Responses are validated against the spec too (`validate_responses` in mock mode).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from specserve.context import correlation_id
from specserve.contract import Contract, is_json_media_type
from specserve.errors import envelope_code, status_phrase
from specserve.mock.fixtures import fill_placeholders, holds_placeholders, load_api_fixtures
from specserve.mock.generate import fingerprint, prepare_patterns
from specserve.mock.matchers import RequestFacts
from specserve.mock.prefer import Preferences, parse_prefer
from specserve.mock.selection import GENERATED, Answer, MockOperation, mock_operations
from specserve.operations import reads_its_request
from specserve.per_object import PerObject

Handler = Callable[[Request], Awaitable[Response]]
# An injected 503 tells clients when to retry, as a real overloaded server would.
_RETRY_AFTER_SECONDS = "1"


class MockAnswers:
    """Handlers for every operation of the given contracts, by the handler name Connexion
    resolves (`Operation.function`)."""

    def __init__(
        self,
        contracts: dict[str, Contract],
        fixtures_dir: Path,
        *,
        latency_ms: tuple[int, int] | None = None,
        fault_rate: float = 0.0,
    ) -> None:
        self.latency_ms = latency_ms
        self.fault_rate = fault_rate
        # Latency and faults are meant to vary; answers (seeded per request) are not.
        self._chance = random.Random()
        self._operations: dict[str, MockOperation] = {}
        self._takes_json: dict[str, bool] = {}
        for contract in contracts.values():
            fixtures = load_api_fixtures(fixtures_dir / contract.api.name)
            by_id = mock_operations(contract.document, fixtures)
            for operation in contract.operations.values():
                self._operations[operation.function] = by_id[operation.operation_id]
                self._takes_json[operation.function] = any(
                    is_json_media_type(media_type) for media_type in operation.body_media_types
                )
        prepare_patterns(
            [
                response.schema
                for op in self._operations.values()
                for response in op.responses.values()
            ]
        )

    def handler(self, function: str) -> Handler:
        operation = self._operations[function]

        takes_json = self._takes_json[function]

        # Connexion has validated the request by now; what the answer depends on is read
        # from it as the client sent it. A JSON body is read as Connexion would bind it:
        # none sent is an empty object.
        @reads_its_request
        async def answer(request: Request) -> Response:
            preferences = parse_prefer(request.headers.getlist("prefer"))
            await self._wait(preferences)
            self._maybe_fail()
            body = (await _json_body(request)) if takes_json else None
            facts = _facts(request, body)

            def seed() -> int:
                return fingerprint(
                    operation.operation_id,
                    request.method,
                    request.url.path,
                    sorted(request.query_params.multi_items()),
                    json.dumps(facts.body, sort_keys=True, default=str),
                )

            return _response(operation.choose(preferences, facts, seed), preferences, facts)

        answer.__name__ = operation.operation_id
        return answer

    async def _wait(self, preferences: Preferences) -> None:
        if preferences.delay_ms is not None:
            delay = preferences.delay_ms
        elif self.latency_ms is not None:
            delay = self._chance.randint(*self.latency_ms)
        else:
            return
        await pause(delay / 1000)

    def _maybe_fail(self) -> None:
        if self.fault_rate <= 0 or self._chance.random() >= self.fault_rate:
            return
        if self._chance.random() < 0.5:
            raise HTTPException(500, detail="An injected fault (--fault-rate): the server failed.")
        raise HTTPException(
            503,
            detail="An injected fault (--fault-rate): the service is unavailable; retry later.",
            headers={"Retry-After": _RETRY_AFTER_SECONDS},
        )


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    return json.loads(raw) if raw.strip() else {}


async def pause(seconds: float) -> None:
    """The delay of an answer (a seam for tests, which record it instead of waiting)."""
    await asyncio.sleep(seconds)


def _facts(request: Request, body: Any) -> RequestFacts:
    query = dict(reversed(request.query_params.multi_items()))  # the first of a repeated one
    return RequestFacts(
        path={name: str(value) for name, value in request.path_params.items()},
        query=query,
        headers={name: value for name, value in request.headers.items()},
        body=body,
    )


def _consistent(body: Any, status: int) -> Any:
    """An error body that agrees with its answer, whichever rule chose it: a spec example's or
    generated data's id and status are the request's own (as fixtures say with placeholders)."""
    if status < 400 or not isinstance(body, dict):
        return body
    body = dict(body)
    if "CorrelationId" in body:  # the DFS envelope
        body["CorrelationId"] = correlation_id.get()
        body["Code"] = envelope_code(status)
    if "traceId" in body:  # problem details
        body["traceId"] = correlation_id.get()
        body["status"] = status
        body["title"] = status_phrase(status)
    return body


def _response(answer: Answer, preferences: Preferences, facts: RequestFacts) -> Response:
    headers = dict(answer.headers)
    headers["Specserve-Mock-Answer"] = answer.source
    applied = preferences.applied()
    if applied:
        headers["Preference-Applied"] = applied
    if not answer.has_body or answer.media_type is None:
        return Response(status_code=answer.status, headers=headers)
    content = _fixed_content(answer)
    if content is None:
        content = _content(answer, facts)
    return Response(
        content, status_code=answer.status, media_type=answer.media_type, headers=headers
    )


def _content(answer: Answer, facts: RequestFacts) -> bytes:
    values = {
        "correlationId": correlation_id.get(),
        **{f"path.{name}": value for name, value in facts.path.items()},
        **{f"query.{name}": value for name, value in facts.query.items()},
    }
    body = _consistent(fill_placeholders(answer.body, values), answer.status)
    if answer.media_type is not None and is_json_media_type(answer.media_type):
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    return ("" if body is None else str(body)).encode("utf-8")


# A fixture's or the spec's own body (an object that lives as long as the app) -> its bytes,
# or None where the request fills some of it in. Generated bodies are new for each request.
_rendered: PerObject[bytes | None] = PerObject()
_NO_FACTS = RequestFacts(path={}, query={}, headers={}, body=None)


def _fixed_content(answer: Answer) -> bytes | None:
    """The bytes of an answer that is the same for every request, rendered once; None for
    one that is not (generated data, placeholders, an error naming the correlation id)."""
    if answer.source == GENERATED:
        return None

    def render() -> bytes | None:
        fixed = answer.status < 400 and not holds_placeholders(answer.body)
        return _content(answer, _NO_FACTS) if fixed else None

    return _rendered.get(answer.body, render, answer.status, answer.media_type)
