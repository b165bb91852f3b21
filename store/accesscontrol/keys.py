"""API keys: made with a name, shown once, kept as a SHA-256, checked, revoked."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.accesscontrol.models import KEY_NAME, ApiKey
from store.errors import Conflict, Invalid, NotFound
from store.timestamps import as_utc, utc_now

# A use is recorded at most this often, so that a busy key does not write on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class ApiKeyRecord:
    name: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


def new_key() -> str:
    """256 random bits, URL-safe, with a prefix that says what it is (for secret scanners)."""
    return "ssk_" + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeysRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(self, name: str, key: str | None = None) -> str:
        """Store a key named `name` (a new random one unless given) and answer it."""
        if not 1 <= len(name) <= KEY_NAME:
            raise Invalid(f"A key's name has 1 to {KEY_NAME} characters.")
        if self._session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
            raise Conflict(f"A key named '{name}' exists.")
        key = key or new_key()
        self._session.add(ApiKey(name=name, key_hash=key_hash(key), created_at=utc_now()))
        self._session.flush()
        return key

    def list(self) -> list[ApiKeyRecord]:
        rows = self._session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))
        return [_record(row) for row in rows]

    def revoke(self, name: str) -> None:
        row = self._session.scalar(select(ApiKey).where(ApiKey.name == name))
        if row is None:
            raise NotFound(f"No key named '{name}'.")
        if row.revoked_at is None:
            row.revoked_at = utc_now()
            self._session.flush()

    def authenticate(self, key: str) -> str | None:
        """The name of the key, when it is known and not revoked; None otherwise."""
        row = self._session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash(key)))
        if row is None or row.revoked_at is not None:
            return None
        now = utc_now()
        if row.last_used_at is None or now - as_utc(row.last_used_at) >= LAST_USED_RESOLUTION:
            row.last_used_at = now
            self._session.flush()
        return row.name


def _record(row: ApiKey) -> ApiKeyRecord:
    return ApiKeyRecord(
        name=row.name,
        created_at=as_utc(row.created_at),
        last_used_at=None if row.last_used_at is None else as_utc(row.last_used_at),
        revoked_at=None if row.revoked_at is None else as_utc(row.revoked_at),
    )
