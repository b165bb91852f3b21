"""String formats of the specs that Connexion's draft-4 validator leaves unchecked."""

from __future__ import annotations

import datetime
import re

from jsonschema import Draft4Validator

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


def register_formats() -> None:
    """Teach Connexion's draft-4 validators `uuid` and `date` (idempotent)."""
    if "uuid" not in _checker.checkers:
        _checker.checks("uuid", raises=ValueError)(_is_uuid)
    if "date" not in _checker.checkers:
        _checker.checks("date", raises=ValueError)(_is_date)
