"""ECMA-262 patterns (JSON Schema's dialect) evaluated with Python's `re`."""

from __future__ import annotations

import pytest

from specserve.validation import python_pattern

SID = "^S-1-[0-9]{1,13}(-[0-9]{1,10}){1,15}$"


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        (SID, "S-1-5-21-1", True),
        (SID, "S-1-5-21-1\n", False),
        (r"^\d+$", "12", True),
        (r"^\d+$", "\u0661\u0662", False),
        (r"^\w+$", "\u00e9", False),
        (r"^.$", "a", True),
        (r"^.$", "\r", False),
        (r"^.$", "\u2028", False),
        (r"^\s$", "\u00a0", True),
        (r"^[\s]$", "\u3000", True),
        (r"^\S$", "\u3000", False),
        (r"^[^\x00]*$", "a\nb", True),
        (r"^[$]$", "$", True),
        (r"^a\$$", "a$", True),
        (r"^a\\$", "a\\", True),
    ],
)
def test_patterns_mean_what_ecma_262_says(pattern: str, value: str, matches: bool) -> None:
    assert bool(python_pattern(pattern).search(value)) is matches
