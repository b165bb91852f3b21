"""Timestamps in answers: RFC 3339 in UTC, with `Z`."""

from __future__ import annotations

import datetime


def utc_text(moment: datetime.datetime) -> str:
    # SQLite hands back naive datetimes; the store writes UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
