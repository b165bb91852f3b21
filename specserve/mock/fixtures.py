"""Fixture files: `fixtures/mock/<api>/<operationId>.yaml`, named examples of an operation's
answers.

```yaml
examples:
  bill-doe:               # the name `Prefer: example=bill-doe` asks for
    status: 200
    default: true         # the answer for its status when nothing more specific applies
    when:                 # optional: answer this when every condition holds
      path: {identityId: 16000000-0000-0000-0000-000000000016}
    headers: {ETag: '"1"'}  # optional
    body: {...}           # optional (no body: an empty answer)
```

Every status with examples has exactly one default. Body strings may name values of the
request, filled in as it is answered: `{{correlationId}}` (the DFS envelope's `CorrelationId`,
problem details' `traceId`), `{{path.NAME}}` and `{{query.NAME}}` (so that a 404 names the id
asked for). Files are read when the server starts (`--reload` restarts it when one changes).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from specserve.mock.matchers import Condition, parse_conditions

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLACEHOLDER = re.compile(r"\{\{\s*(correlationId|path\.[^}\s]+|query\.[^}\s]+)\s*\}\}")
_EXAMPLE_KEYS = {"status", "default", "when", "headers", "body", "summary", "content_type"}


class FixtureError(ValueError):
    """A fixture file that does not follow the format (named with its file and example)."""


@dataclass(frozen=True)
class MockExample:
    name: str
    status: int
    default: bool
    conditions: tuple[Condition, ...]
    headers: dict[str, str]
    body: Any
    has_body: bool
    content_type: str | None = None


@dataclass(frozen=True)
class OperationFixtures:
    """The examples of one operation, in the order of their file."""

    operation_id: str
    examples: tuple[MockExample, ...] = ()
    source: Path | None = None
    _by_name: dict[str, MockExample] = field(default_factory=dict, compare=False, repr=False)

    def named(self, name: str) -> MockExample | None:
        return self._by_name.get(name)

    def default_for(self, status: int) -> MockExample | None:
        return next((e for e in self.examples if e.status == status and e.default), None)

    def statuses(self) -> list[int]:
        return sorted({example.status for example in self.examples})


def load_api_fixtures(folder: Path) -> dict[str, OperationFixtures]:
    """Every fixture file of one API's folder, by operationId (an absent folder: none)."""
    if not folder.is_dir():
        return {}
    fixtures = {}
    for path in sorted(folder.glob("*.yaml")):
        fixtures[path.stem] = _load_file(path, path.stat().st_mtime_ns)
    return fixtures


@functools.lru_cache(maxsize=1024)
def _load_file(path: Path, mtime_ns: int) -> OperationFixtures:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as error:
        raise FixtureError(f"{path}: not YAML: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("examples"), dict):
        raise FixtureError(f"{path}: needs a mapping `examples:` of named examples")
    unknown = set(document) - {"examples"}
    if unknown:
        raise FixtureError(f"{path}: unknown top-level keys {sorted(unknown)}")
    examples = tuple(_example(path, str(name), body) for name, body in document["examples"].items())
    for status in {example.status for example in examples}:
        defaults = [e.name for e in examples if e.status == status and e.default]
        if len(defaults) != 1:
            raise FixtureError(
                f"{path}: status {status} needs exactly one example with `default: true`, "
                f"has {len(defaults)} ({', '.join(defaults) or 'none'})"
            )
    return OperationFixtures(
        operation_id=path.stem,
        examples=examples,
        source=path,
        _by_name={example.name: example for example in examples},
    )


def _example(path: Path, name: str, raw: Any) -> MockExample:
    where = f"{path}: example {name!r}"
    if not isinstance(raw, dict):
        raise FixtureError(f"{where}: must be a mapping")
    unknown = set(raw) - _EXAMPLE_KEYS
    if unknown:
        raise FixtureError(
            f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_EXAMPLE_KEYS)}"
        )
    status = raw.get("status")
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise FixtureError(f"{where}: `status` must be an HTTP status code")
    headers = raw.get("headers") or {}
    if not isinstance(headers, dict):
        raise FixtureError(f"{where}: `headers` must be a mapping")
    try:
        conditions = parse_conditions(raw.get("when") or {})
    except ValueError as error:
        raise FixtureError(f"{where}: {error}") from None
    try:
        json.dumps(raw.get("body"))
    except (TypeError, ValueError):
        raise FixtureError(
            f"{where}: `body` holds a value JSON cannot carry (YAML reads an unquoted date or "
            "time as one: quote it)"
        ) from None
    return MockExample(
        name=name,
        status=status,
        default=bool(raw.get("default", False)),
        conditions=conditions,
        headers={str(k): str(v) for k, v in headers.items()},
        body=raw.get("body"),
        has_body="body" in raw,
        content_type=raw.get("content_type"),
    )


def holds_placeholders(body: Any) -> bool:
    """Whether `fill_placeholders` would change anything of `body`."""
    if isinstance(body, str):
        return _PLACEHOLDER.search(body) is not None
    if isinstance(body, dict):
        return any(holds_placeholders(item) for item in body.values())
    if isinstance(body, list):
        return any(holds_placeholders(item) for item in body)
    return False


def fill_placeholders(body: Any, values: Mapping[str, str]) -> Any:
    """The body with each `{{name}}` in its strings replaced by the request's value of it
    (`correlationId`, `path.NAME`, `query.NAME`); a value the request lacks becomes empty."""
    if isinstance(body, str):
        if "{{" not in body:
            return body
        return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), body)
    if isinstance(body, dict):
        return {key: fill_placeholders(item, values) for key, item in body.items()}
    if isinstance(body, list):
        return [fill_placeholders(item, values) for item in body]
    return body
