"""Timestamps as the store keeps them: aware, in UTC."""

from __future__ import annotations

import datetime


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def as_utc(value: datetime.datetime) -> datetime.datetime:
    """SQLite gives timestamps back without their zone; they were stored in UTC."""
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value
