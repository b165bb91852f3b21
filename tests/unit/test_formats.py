"""The `uuid` and `date` formats the draft-4 validator learns from `register_formats`."""

from __future__ import annotations

import pytest
from jsonschema import Draft4Validator

from specserve.formats import register_formats

CHECKER = Draft4Validator.FORMAT_CHECKER


@pytest.fixture(autouse=True, scope="module")
def _registered() -> None:
    register_formats()


def test_a_hyphenated_uuid_is_accepted() -> None:
    assert CHECKER.conforms("8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5001", "uuid")
    assert CHECKER.conforms("8F0E2C54-3B1A-4D6E-9C7F-1A2B3C4D5001", "uuid")


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "8f0e2c543b1a4d6e9c7f1a2b3c4d5001",
        "8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d500",
        "8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d50011",
        "{8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d50}",
        "8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d500g",
        # Not hex digits, though int(..., 16) inside uuid.UUID takes them.
        " f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5001",
        "+f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5001",
        "8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d50_1",
        "\uff18f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5001",  # FULLWIDTH DIGIT EIGHT
    ],
)
def test_anything_else_is_not_a_uuid(value: str) -> None:
    assert not CHECKER.conforms(value, "uuid")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2024-02-29", True),
        ("2023-02-30", False),
        ("2024-1-1", False),
        ("20240229", False),
        ("2024-02-29T00:00:00", False),
        ("2024-W09-4", False),  # an ISO 8601 week date, not an RFC 3339 full-date
    ],
)
def test_dates_are_rfc3339_full_dates(value: str, valid: bool) -> None:
    assert CHECKER.conforms(value, "date") is valid


def test_registering_twice_is_harmless() -> None:
    register_formats()
    assert CHECKER.conforms("2024-02-29", "date")
    assert not CHECKER.conforms("abc", "uuid")
