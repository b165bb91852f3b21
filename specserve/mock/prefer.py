"""The `Prefer` header (RFC 7240) as Prism reads it, plus `delay`:
`Prefer: code=404`, `Prefer: example=bill-doe`, `Prefer: dynamic=true`, `Prefer: delay=250`,
or several, comma-separated or in several headers. Preferences the mock does not know are
ignored, as RFC 7240 asks; a known one with a meaningless value is the client's error."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from store.errors import Invalid

# A longer delay is a mistake rather than a test of a client's timeout.
MAX_DELAY_MS = 60_000
# ASCII digits, few of them: str.isdigit() also takes "²" and int() refuses 4,300 digits.
_NUMBER = re.compile(r"^[0-9]{1,6}$")


@dataclass(frozen=True)
class Preferences:
    code: int | None = None
    example: str | None = None
    dynamic: bool = False
    delay_ms: int | None = None

    def applied(self) -> str:
        """The `Preference-Applied` header's value."""
        parts = []
        if self.code is not None:
            parts.append(f"code={self.code}")
        if self.example is not None:
            parts.append(f"example={self.example}")
        if self.dynamic:
            parts.append("dynamic=true")
        if self.delay_ms is not None:
            parts.append(f"delay={self.delay_ms}")
        return ", ".join(parts)


def parse_prefer(headers: Iterable[str]) -> Preferences:
    values: dict[str, str] = {}
    for header in headers:
        for token in header.split(","):
            name, _, value = token.split(";", 1)[0].strip().partition("=")
            values[name.strip().lower()] = value.strip().strip('"')
    code = values.get("code")
    if code is not None and not (_NUMBER.match(code) and 100 <= int(code) <= 599):
        raise Invalid(f"Prefer: code={code} is not an HTTP status code.")
    dynamic = values.get("dynamic")
    if dynamic is not None and dynamic.lower() not in ("true", "false"):
        raise Invalid(f"Prefer: dynamic={dynamic} must be true or false.")
    delay = values.get("delay")
    if delay is not None and not (_NUMBER.match(delay) and int(delay) <= MAX_DELAY_MS):
        raise Invalid(
            f"Prefer: delay={delay} must be a whole number of milliseconds up to {MAX_DELAY_MS}."
        )
    example = values.get("example")
    if example == "":
        raise Invalid("Prefer: example= needs the name of an example.")
    return Preferences(
        code=int(code) if code is not None else None,
        example=example,
        dynamic=dynamic is not None and dynamic.lower() == "true",
        delay_ms=int(delay) if delay is not None else None,
    )
