"""Accept-Language negotiation and localized values."""

from __future__ import annotations

import pytest

from specserve.localization import localize, negotiate


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("de", "de"),
        ("DE-ch", "de"),
        ("de-CH,de;q=0.9,en;q=0.8", "de"),
        ("fr;q=0.4, it;q=0.9", "it"),
        ("es, pt", "en"),
        ("es, de;q=0.1", "de"),
        ("*", "en"),
        ("de;q=0", "en"),
        ("de;q=abc, fr", "fr"),
        ("x" * 300, "en"),
        ("it, fr", "it"),
    ],
)
def test_negotiate_picks_the_preferred_supported_language(
    header: str | None, language: str
) -> None:
    assert negotiate(header) == language


BRANCH = "<root><en>Zurich Branch</en><de>Filiale Z&#252;rich</de></root>"


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        (BRANCH, "de", "Filiale Zürich"),
        (BRANCH, "en", "Zurich Branch"),
        (BRANCH, "fr", "Zurich Branch"),
        ("<root><de>Nur Deutsch</de></root>", "fr", "Nur Deutsch"),
        ("Plain text", "de", "Plain text"),
        ("<root></root>", "de", "<root></root>"),
        (None, "de", None),
    ],
)
def test_localize_falls_back_to_english_then_the_first(
    value: str | None, language: str, text: str | None
) -> None:
    assert localize(value, language) == text
