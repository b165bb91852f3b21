"""Personal access tokens: a user's own, each bound to one of its accounts."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from store.ansysid.access import Access
from store.ansysid.activities import ActivityLog
from store.ansysid.models import AidPersonalAccessToken, AidResource
from store.errors import Forbidden, Invalid, NotFound
from store.timestamps import as_utc, utc_now

MAX_LIFETIME = datetime.timedelta(days=365)


@dataclass(frozen=True)
class PatRecord:
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    account_id: uuid.UUID
    scopes: list[str]
    created_at: datetime.datetime
    expires_at: datetime.datetime
    last_used_at: datetime.datetime | None


class PersonalAccessTokensRepository:
    def __init__(self, session: Session, access: Access, log: ActivityLog) -> None:
        self._session = session
        self._access = access
        self._log = log

    def create(
        self,
        *,
        name: str,
        account_id: uuid.UUID,
        scopes: list[str] | None,
        lifetime: datetime.timedelta,
    ) -> PatRecord:
        """A PAT for the caller in the account; without `scopes`, every resource scope of the
        tenant."""
        user_id = self._user_id()
        self._refuse_if_made_from_a_pat("make personal access tokens")
        self._access.visible_account(account_id)
        now = utc_now()
        row = AidPersonalAccessToken(
            id=uuid.uuid4(),
            user_id=user_id,
            account_id=account_id,
            name=name,
            scopes=" ".join(dict.fromkeys(scopes or self._every_resource_scope())),
            created_at=now,
            expires_at=now + _checked_lifetime(lifetime),
        )
        self._session.add(row)
        self._session.flush()
        self._log_token("PersonalAccessTokenCreated", row)
        return _record(row)

    def all(self) -> list[PatRecord]:
        found = self._session.scalars(
            self._owned().order_by(
                AidPersonalAccessToken.created_at.desc(), AidPersonalAccessToken.id.desc()
            )
        )
        return [_record(row) for row in found]

    def get(self, token_id: uuid.UUID) -> PatRecord:
        return _record(self._own(token_id))

    def update(
        self,
        token_id: uuid.UUID,
        *,
        name: str | None,
        lifetime: datetime.timedelta | None,
    ) -> PatRecord:
        row = self._own(token_id, lock=True)
        if lifetime is not None:
            self._refuse_if_made_from_a_pat("extend personal access tokens")
        changed: dict[str, str] = {}
        if name is not None and name != row.name:
            row.name = changed["name"] = name
        if lifetime is not None:
            row.expires_at = utc_now() + _checked_lifetime(lifetime)
            changed["expiresAt"] = row.expires_at.isoformat()
        if changed:
            self._session.flush()
            self._log_token("PersonalAccessTokenUpdated", row, **changed)
        return _record(row)

    def revoke(self, token_id: uuid.UUID) -> None:
        row = self._own(token_id, lock=True)
        row.revoked_at = utc_now()
        self._session.flush()
        self._log_token("PersonalAccessTokenRevoked", row)

    def _user_id(self) -> uuid.UUID:
        if not self._access.caller.is_user:
            raise Invalid("Personal access tokens belong to users; an app has none.")
        return self._access.caller.id

    def _every_resource_scope(self) -> list[str]:
        return [
            f"{resource.app_id_uri}/{name}"
            for resource in self._session.scalars(
                select(AidResource).order_by(AidResource.app_id_uri)
            )
            for name in resource.scopes.split()
        ]

    def _owned(self) -> Select[AidPersonalAccessToken]:
        """The caller's tokens not revoked; for a token made from a PAT, only those of its
        account (it reaches no other)."""
        query = select(AidPersonalAccessToken).where(
            AidPersonalAccessToken.user_id == self._user_id(),
            AidPersonalAccessToken.revoked_at.is_(None),
        )
        bound = self._access.caller.account_id
        return query if bound is None else query.where(AidPersonalAccessToken.account_id == bound)

    def _refuse_if_made_from_a_pat(self, what: str) -> None:
        # Else a leaked PAT could make a successor that outlives its revocation.
        if self._access.caller.account_id is not None:
            raise Forbidden(f"A token made from a personal access token may not {what}.")

    def _own(self, token_id: uuid.UUID, *, lock: bool = False) -> AidPersonalAccessToken:
        query = self._owned().where(AidPersonalAccessToken.id == token_id)
        row = self._session.scalar(query.with_for_update() if lock else query)
        if row is None:
            raise NotFound(f"No personal access token with id {token_id}.")
        return row

    def _log_token(self, action: str, row: AidPersonalAccessToken, **details: str) -> None:
        self._log.record(
            action,
            target_type="PersonalAccessToken",
            target_id=row.id,
            account_id=row.account_id,
            user_id=row.user_id,
            details={"name": row.name, **details},
        )


def _checked_lifetime(lifetime: datetime.timedelta) -> datetime.timedelta:
    if lifetime <= datetime.timedelta(0):
        raise Invalid("A token's expiry must be in the future.", field="expiresAt")
    if lifetime > MAX_LIFETIME + datetime.timedelta(minutes=1):
        raise Invalid("A token lives at most 365 days.", field="expiresAt")
    return lifetime


def _record(row: AidPersonalAccessToken) -> PatRecord:
    return PatRecord(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        account_id=row.account_id,
        scopes=row.scopes.split(),
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        last_used_at=None if row.last_used_at is None else as_utc(row.last_used_at),
    )
