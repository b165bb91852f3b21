"""Identities, access groups and their memberships. Every method answers records, never rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.accesscontrol.models import NAME, AcAccessGroup, AcIdentity, AcMembership
from store.errors import Conflict, Invalid, NotFound


@dataclass(frozen=True)
class IdentityRecord:
    id: uuid.UUID
    name: str
    type: int
    email: str | None
    description: str | None


@dataclass(frozen=True)
class IdentityValues:
    name: str
    type: int
    email: str | None
    description: str | None


@dataclass(frozen=True)
class AccessGroupRecord:
    id: uuid.UUID
    name: str


class AccessControlRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # identities

    def list_identities(self) -> list[IdentityRecord]:
        rows = self._session.scalars(select(AcIdentity).order_by(AcIdentity.name, AcIdentity.id))
        return [_identity(row) for row in rows]

    def get_identity(self, identity_id: uuid.UUID) -> IdentityRecord:
        return _identity(self._require_identity(identity_id))

    def add_identity(self, identity_id: uuid.UUID, values: IdentityValues) -> None:
        if self._session.get(AcIdentity, identity_id) is not None:
            raise Conflict(f"An identity with id {identity_id} exists.")
        # A concurrent add of the same id fails on the primary key: the unit of work makes
        # that a 409 too.
        self._session.add(AcIdentity(id=identity_id, **_columns(values)))
        self._session.flush()

    def update_identity(self, identity_id: uuid.UUID, values: IdentityValues) -> None:
        row = self._require_identity(identity_id, lock=True)
        for column, value in _columns(values).items():
            setattr(row, column, value)
        self._session.flush()

    def delete_identity(self, identity_id: uuid.UUID) -> None:
        row = self._require_identity(identity_id, lock=True)
        # Explicitly, not only by the foreign key's cascade: the same transaction either way.
        self._session.execute(delete(AcMembership).where(AcMembership.identity_id == row.id))
        self._session.delete(row)
        self._session.flush()

    def identity_groups(self, identity_id: uuid.UUID) -> list[AccessGroupRecord]:
        self._require_identity(identity_id)
        rows = self._session.scalars(
            select(AcAccessGroup)
            .join(AcMembership, AcMembership.group_id == AcAccessGroup.id)
            .where(AcMembership.identity_id == identity_id)
            .order_by(AcAccessGroup.name, AcAccessGroup.id)
        )
        return [_group(row) for row in rows]

    # access groups

    def list_groups(self) -> list[AccessGroupRecord]:
        rows = self._session.scalars(
            select(AcAccessGroup).order_by(AcAccessGroup.name, AcAccessGroup.id)
        )
        return [_group(row) for row in rows]

    def group_identities(self, group_id: uuid.UUID) -> list[IdentityRecord]:
        self._require_group(group_id)
        rows = self._session.scalars(
            select(AcIdentity)
            .join(AcMembership, AcMembership.identity_id == AcIdentity.id)
            .where(AcMembership.group_id == group_id)
            .order_by(AcIdentity.name, AcIdentity.id)
        )
        return [_identity(row) for row in rows]

    def add_member(self, group_id: uuid.UUID, identity_id: uuid.UUID) -> bool:
        """Make the identity a member of the group; False when it was one already."""
        # FOR SHARE: a group removed meanwhile makes this wait, then answer 404 (not a clash).
        self._require_group(group_id, share_lock=True)
        self._require_identity(identity_id, lock=True)
        if self._session.get(AcMembership, (group_id, identity_id)) is not None:
            return False
        self._session.add(AcMembership(group_id=group_id, identity_id=identity_id))
        self._session.flush()
        return True

    def remove_member(self, group_id: uuid.UUID, identity_id: uuid.UUID) -> None:
        self._require_group(group_id)
        self._require_identity(identity_id)
        # One statement: of two concurrent removals, the second deletes nothing and is 404.
        removed = self._session.execute(
            delete(AcMembership).where(
                AcMembership.group_id == group_id, AcMembership.identity_id == identity_id
            )
        )
        if removed.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"The identity {identity_id} is not a member of group {group_id}.")

    def add_group(self, group_id: uuid.UUID, name: str) -> AccessGroupRecord:
        if not 1 <= len(name) <= NAME or "\x00" in name:
            raise Invalid(f"A group's name has 1 to {NAME} characters (no NUL).")
        if self._session.get(AcAccessGroup, group_id) is not None:
            raise Conflict(f"An access group with id {group_id} exists.")
        row = AcAccessGroup(id=group_id, name=name)
        self._session.add(row)
        self._session.flush()
        return _group(row)

    def remove_group(self, group_id: uuid.UUID) -> None:
        row = self._require_group(group_id)
        self._session.execute(delete(AcMembership).where(AcMembership.group_id == row.id))
        self._session.delete(row)
        self._session.flush()

    def _require_identity(self, identity_id: uuid.UUID, *, lock: bool = False) -> AcIdentity:
        query = select(AcIdentity).where(AcIdentity.id == identity_id)
        row = self._session.scalar(query.with_for_update() if lock else query)
        if row is None:
            raise NotFound(f"No identity with id {identity_id}.")
        return row

    def _require_group(self, group_id: uuid.UUID, *, share_lock: bool = False) -> AcAccessGroup:
        query = select(AcAccessGroup).where(AcAccessGroup.id == group_id)
        row = self._session.scalar(query.with_for_update(read=True) if share_lock else query)
        if row is None:
            raise NotFound(f"No access group with id {group_id}.")
        return row


def _columns(values: IdentityValues) -> dict[str, object]:
    return {
        "name": values.name,
        "type": values.type,
        "email": values.email,
        "description": values.description,
    }


def _identity(row: AcIdentity) -> IdentityRecord:
    return IdentityRecord(
        id=row.id, name=row.name, type=row.type, email=row.email, description=row.description
    )


def _group(row: AcAccessGroup) -> AccessGroupRecord:
    return AccessGroupRecord(id=row.id, name=row.name)
