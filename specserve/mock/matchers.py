"""`when:` conditions of a fixture: what a request must carry for the fixture to answer it.

```yaml
when:
  path:   {identityId: 16000000-0000-0000-0000-000000000016}   # equal to the text
  query:  {PageSize: {in: ['1', '2']}}                         # one of these
  header: {X-Tenant: {pattern: '^blue'}}                       # a regular expression (search)
  body:   {Filter.UserName: bill, Emails.0: {present: true}}   # a dotted path into the JSON
```

Values compare as the real services bind them: a uuid as a uuid (without regard to case),
a whole number as a number (`01` is `1`), `true`/`false` without regard to case; other path,
query and header values as text, body values as JSON values. Header names are matched without
regard to case; query and body names are the spec's (the runtime binds requests in that
casing). A pattern is searched in the text as sent (add `(?i)` to ignore case).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LOCATIONS = ("path", "query", "header", "body")
_MISSING = object()


@dataclass(frozen=True)
class RequestFacts:
    """What conditions look at: path and query values (first of a repeated one), headers by
    lower-case name, the body parsed (JSON or form fields; None without one)."""

    path: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any


@dataclass(frozen=True)
class Condition:
    location: str
    name: str
    equals: Any = _MISSING
    pattern: re.Pattern[str] | None = None
    one_of: tuple[Any, ...] | None = None
    present: bool | None = None

    def holds(self, facts: RequestFacts) -> bool:
        value = self._value(facts)
        if self.present is not None:
            return (value is not _MISSING) == self.present
        if value is _MISSING:
            return False
        textual = self.location != "body"
        if self.equals is not _MISSING:
            return _same(value, self.equals, textual)
        if self.one_of is not None:
            return any(_same(value, choice, textual) for choice in self.one_of)
        assert self.pattern is not None
        return self.pattern.search(value if isinstance(value, str) else str(value)) is not None

    def _value(self, facts: RequestFacts) -> Any:
        if self.location == "path":
            return facts.path.get(self.name, _MISSING)
        if self.location == "query":
            return facts.query.get(self.name, _MISSING)
        if self.location == "header":
            return facts.headers.get(self.name.lower(), _MISSING)
        value = facts.body
        for step in self.name.split("."):
            if isinstance(value, Mapping) and step in value:
                value = value[step]
            elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
                value = value[int(step)]
            else:
                return _MISSING
        return value


def _same(value: Any, expected: Any, textual: bool) -> bool:
    if textual:
        return _bound(str(value)) == _bound(_as_text(expected))
    if isinstance(value, str) and isinstance(expected, str):
        return _bound_uuid(value) == _bound_uuid(expected)
    if isinstance(value, bool) or isinstance(expected, bool):
        return value is expected  # JSON's true is not 1
    return bool(value == expected)


def _as_text(value: Any) -> str:
    # YAML reads `true` and `1` as a boolean and a number; a request carries them as text.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_INTEGER = re.compile(r"^\s*[+-]?[0-9]{1,18}\s*$")


def _bound(text: str) -> object:
    """Text as ASP.NET's model binding reads it for a comparison: a uuid, a number, a boolean,
    or the text itself."""
    if _INTEGER.match(text):
        return int(text)
    if text.strip().lower() in ("true", "false"):
        return text.strip().lower() == "true"
    return _bound_uuid(text)


def _bound_uuid(text: str) -> object:
    try:
        return uuid.UUID(text) if len(text) in (32, 36, 38) else text
    except ValueError:
        return text


def parse_conditions(when: Any) -> tuple[Condition, ...]:
    if not isinstance(when, Mapping):
        raise ValueError("`when` must map locations (path, query, header, body) to conditions")
    conditions = []
    for location, tests in when.items():
        if location not in LOCATIONS:
            raise ValueError(
                f"`when` has unknown location {location!r}; use {', '.join(LOCATIONS)}"
            )
        if not isinstance(tests, Mapping) or not tests:
            raise ValueError(f"`when.{location}` must map names to expected values")
        for name, test in tests.items():
            conditions.append(_condition(location, str(name), test))
    return tuple(conditions)


def _condition(location: str, name: str, test: Any) -> Condition:
    if not isinstance(test, Mapping):
        return Condition(location, name, equals=test)
    if len(test) != 1:
        raise ValueError(f"`when.{location}.{name}` takes one of: pattern, in, present")
    ((kind, argument),) = test.items()
    if kind == "pattern":
        try:
            return Condition(location, name, pattern=re.compile(str(argument)))
        except re.error as error:
            raise ValueError(f"`when.{location}.{name}`: bad pattern: {error}") from None
    if kind == "in" and isinstance(argument, list):
        return Condition(location, name, one_of=tuple(argument))
    if kind == "present" and isinstance(argument, bool):
        return Condition(location, name, present=argument)
    raise ValueError(
        f"`when.{location}.{name}`: {kind!r} is not a test; use pattern: REGEX, in: [...], "
        "present: true|false, or a value"
    )


def all_hold(conditions: tuple[Condition, ...], facts: RequestFacts) -> bool:
    return all(condition.holds(facts) for condition in conditions)
