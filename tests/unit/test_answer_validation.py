"""Response validation remembers the answers it found valid, per schema, and only those."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from connexion.exceptions import NonConformingResponseBody
from connexion.validators import JSONResponseBodyValidator

from specserve import answer_validation
from specserve.answer_validation import OnceJSONResponseValidator

SCHEMA = {
    "type": "object",
    "required": ["Id"],
    "properties": {"Id": {"type": "integer"}},
}


@pytest.fixture(autouse=True)
def forget_answers() -> None:
    answer_validation.forget()


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The bodies jsonschema was asked to check."""
    checked: list[Any] = []
    original = JSONResponseBodyValidator._validate

    def counting(self: Any, body: Any) -> None:
        checked.append(body)
        original(self, body)

    monkeypatch.setattr(JSONResponseBodyValidator, "_validate", counting)
    return checked


def send_answer(body: Any, schema: dict[str, Any] = SCHEMA) -> list[dict[str, Any]]:
    """The answer through the validator; what reached the client."""
    sent: list[dict[str, Any]] = []

    async def client(message: Any) -> None:
        sent.append(message)

    validator = OnceJSONResponseValidator({}, schema=schema, encoding="utf-8")
    send = validator.wrap_send(client)
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()

    async def answer() -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": raw})

    asyncio.run(answer())
    return sent


def test_the_same_valid_answer_is_checked_once(checks: list[Any]) -> None:
    for _ in range(3):
        sent = send_answer({"Id": 7})
        assert sent[-1]["body"] == b'{"Id": 7}'
    assert checks == [{"Id": 7}]
    send_answer({"Id": 8})
    assert checks == [{"Id": 7}, {"Id": 8}]


def test_an_invalid_answer_fails_every_time(checks: list[Any]) -> None:
    for _ in range(2):
        with pytest.raises(NonConformingResponseBody):
            send_answer({"Id": "seven"})
    assert len(checks) == 2


def test_the_same_bytes_are_checked_again_against_another_schema(checks: list[Any]) -> None:
    send_answer({"Id": 7})
    with pytest.raises(NonConformingResponseBody):
        send_answer({"Id": 7}, {**SCHEMA, "required": ["Id", "Name"]})
    assert len(checks) == 2


def test_large_answers_are_not_remembered(checks: list[Any]) -> None:
    large = {"Id": 7, "Padding": "x" * answer_validation.LARGEST_REMEMBERED_BYTES}
    send_answer(large)
    send_answer(large)
    assert len(checks) == 2


def test_the_memory_is_bounded(monkeypatch: pytest.MonkeyPatch, checks: list[Any]) -> None:
    # Room for two answers of 9 bytes ({"Id": 1}).
    monkeypatch.setattr(answer_validation, "REMEMBERED_BYTES", 18)
    for number in (1, 2, 3):
        send_answer({"Id": number})
    assert len(answer_validation._valid) == 2
    send_answer({"Id": 1})  # the oldest went out: checked again
    assert len(checks) == 4
    send_answer({"Id": 1})  # and is remembered again
    assert len(checks) == 4
