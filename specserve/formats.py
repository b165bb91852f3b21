"""String formats the specs use that Connexion's validator (JSON Schema draft 4) leaves unchecked."""

from __future__ import annotations

import datetime
import uuid

from jsonschema import Draft4Validator

_checker = Draft4Validator.FORMAT_CHECKER


def _is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    # The hyphenated 8-4-4-4-12 form only, as the services write and parse them.
    return len(value) == 36 and all(value[i] == "-" for i in (8, 13, 18, 23)) and bool(uuid.UUID(value))


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(datetime.date.fromisoformat(value)) and len(value) == 10


def register_formats() -> None:
    """Teach Connexion's draft-4 validators `uuid` and `date` (idempotent)."""
    if "uuid" not in _checker.checkers:
        _checker.checks("uuid", raises=ValueError)(_is_uuid)
    if "date" not in _checker.checkers:
        _checker.checks("date", raises=ValueError)(_is_date)
