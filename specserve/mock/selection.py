"""Which answer a mocked operation gives a request, in this order:

1. the `Prefer` header: `example=NAME` (a fixture), `code=N` (narrows every later rule to that
   status), `dynamic=true` (skips fixtures and examples: generated data);
2. the first fixture, in file order, whose `when:` conditions all hold;
3. the default fixture of the status (the operation's success status unless `code` says);
4. the spec's example of that status;
5. data generated from the status's response schema, the same for the same request.

A choice that cannot be met (a status the operation does not document, an unknown example)
is the client's error, and the message names what can be chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from specserve.contract import HTTP_METHODS, is_json_media_type, resolve_refs
from specserve.mock.fixtures import MockExample, OperationFixtures
from specserve.mock.generate import generate
from specserve.mock.matchers import RequestFacts, all_hold
from specserve.mock.prefer import Preferences
from store.errors import Invalid


@dataclass(frozen=True)
class DocumentedResponse:
    """One status of an operation as the spec documents it."""

    status: int
    media_type: str | None  # the media type answers carry (JSON first); None: no body
    schema: dict[str, Any] | None
    example: Any = None
    has_example: bool = False


GENERATED = "generated"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    has_body: bool
    media_type: str | None
    headers: dict[str, str] = field(default_factory=dict)
    source: str = ""  # which rule chose it: `example NAME`, `spec example`, `generated`


@dataclass(frozen=True)
class MockOperation:
    operation_id: str
    responses: dict[int, DocumentedResponse]
    success: int
    fixtures: OperationFixtures

    @classmethod
    def of(
        cls, document: dict[str, Any], spec: dict[str, Any], fixtures: OperationFixtures
    ) -> MockOperation:
        responses = {}
        for code, raw in spec.get("responses", {}).items():
            if not str(code).isdigit():
                continue  # specserve's specs document exact statuses only
            resolved = resolve_refs(raw, document)
            responses[int(code)] = _documented(int(code), resolved.get("content", {}))
        successes = sorted(status for status in responses if status < 400)
        return cls(
            operation_id=spec["operationId"],
            responses=responses,
            success=successes[0] if successes else min(responses),
            fixtures=fixtures,
        )

    def choose(
        self, preferences: Preferences, facts: RequestFacts, seed: Callable[[], int]
    ) -> Answer:
        """The answer to a request; `seed` gives the seed of generated data, asked only when
        data is generated (it hashes the whole request)."""
        if preferences.example is not None:
            return self._named(preferences)
        status = self.success
        if preferences.code is not None:
            status = self._documented_status(preferences.code)
        if not preferences.dynamic:
            for example in self.fixtures.examples:
                if (
                    example.conditions
                    and (preferences.code is None or example.status == status)
                    and all_hold(example.conditions, facts)
                ):
                    return self._from_fixture(example)
            default = self.fixtures.default_for(status)
            if default is not None:
                return self._from_fixture(default)
            documented = self.responses[status]
            if documented.has_example:
                return Answer(
                    status, documented.example, True, documented.media_type, source="spec example"
                )
        documented = self.responses[status]
        if documented.schema is None:
            return Answer(status, None, False, documented.media_type, source=GENERATED)
        return Answer(
            status,
            generate(documented.schema, seed()),
            True,
            documented.media_type,
            source=GENERATED,
        )

    def _named(self, preferences: Preferences) -> Answer:
        name = preferences.example
        assert name is not None
        example = self.fixtures.named(name)
        if example is None:
            choices = ", ".join(f"{e.name} ({e.status})" for e in self.fixtures.examples)
            raise Invalid(
                f"Prefer: example={name} is not an example of {self.operation_id}; "
                + (f"its examples: {choices}." if choices else "it has no named examples.")
            )
        if preferences.code is not None and preferences.code != example.status:
            raise Invalid(
                f"Prefer: example={name} answers {example.status}, not code={preferences.code}."
            )
        if preferences.dynamic:
            raise Invalid(f"Prefer: example={name} and dynamic=true contradict each other.")
        return self._from_fixture(example)

    def _documented_status(self, code: int) -> int:
        if code not in self.responses:
            choices = ", ".join(str(status) for status in sorted(self.responses))
            raise Invalid(
                f"Prefer: code={code} is not a response of {self.operation_id}; "
                f"it documents {choices}."
            )
        return code

    def _from_fixture(self, example: MockExample) -> Answer:
        documented = self.responses.get(example.status)
        media_type = example.content_type or (documented.media_type if documented else None)
        return Answer(
            example.status,
            example.body,
            example.has_body,
            media_type,
            headers=example.headers,
            source=f"example {example.name}",
        )


def _documented(status: int, content: dict[str, Any]) -> DocumentedResponse:
    if not content:
        return DocumentedResponse(status, None, None)
    media_type = next((m for m in content if is_json_media_type(m)), next(iter(content)))
    media = content[media_type]
    return DocumentedResponse(
        status,
        media_type,
        media.get("schema"),
        example=media.get("example"),
        has_example="example" in media,
    )


def mock_operations(
    document: dict[str, Any], fixtures: dict[str, OperationFixtures]
) -> dict[str, MockOperation]:
    """Every operation of a spec, by operationId, with its fixtures."""
    operations = {}
    for item in document.get("paths", {}).values():
        for method in HTTP_METHODS:
            if method in item:
                spec = item[method]
                own = fixtures.get(spec["operationId"]) or OperationFixtures(spec["operationId"])
                operations[spec["operationId"]] = MockOperation.of(document, spec, own)
    return operations
