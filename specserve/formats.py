"""String formats of the specs that Connexion's draft-4 validator leaves unchecked."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from connexion.frameworks import starlette as starlette_framework
from jsonschema import Draft4Validator
from rfc3986_validator import validate_rfc3986

_checker = Draft4Validator.FORMAT_CHECKER


# ASCII digits only: uuid.UUID() and date.fromisoformat() also take signs, spaces,
# underscores, non-ASCII digits and ISO week dates.
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(_UUID.match(value))


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_DATE.match(value)) and bool(datetime.date.fromisoformat(value))


def _is_absolute_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(validate_rfc3986(value, rule="URI"))


def route_numbers_as_text() -> None:
    """Let a path segment that is not a number reach validation (400), as ASP.NET's model
    binding answers it, instead of matching no route (404): Connexion otherwise routes
    integer and number path parameters with Starlette's converters (idempotent)."""
    for swagger_type in ("integer", "number"):
        starlette_framework.PATH_PARAMETER_CONVERTERS.pop(swagger_type, None)


def _in_range(bits: int) -> Callable[[object], bool]:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def check(value: object) -> bool:
        return not isinstance(value, int) or isinstance(value, bool) or low <= value <= high

    return check


def register_formats() -> None:
    """Teach Connexion's draft-4 validators `uuid`, `date`, `uri`, `int32` and `int64`
    (idempotent): an id past the int32 range is a 400, as the real services' model binding
    answers it."""
    checks = {
        "uuid": _is_uuid,
        "date": _is_date,
        "uri": _is_absolute_uri,
        "int32": _in_range(32),
        "int64": _in_range(64),
    }
    for name, check in checks.items():
        if name not in _checker.checkers:
            _checker.checks(name, raises=ValueError)(check)
