"""Participants of a tenant, the identities associated with them, and the client applications
they are associated with.

Every method takes the tenant it acts in; rows of another tenant are treated as absent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import delete, false, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.base import Base
from store.dfs.models import (
    AppAccessPolicy,
    ApplicationParticipant,
    Identity,
    IdentityParticipant,
    Participant,
)
from store.errors import NotFound, Unprocessable
from store.paging import Page, fetch_page

SortBy = Literal["id", "name", "isActive"]
SortOrder = Literal["Ascending", "Descending"]

_SORT_COLUMNS: dict[str, Any] = {
    "id": Participant.id,
    "name": Participant.name,
    "isActive": Participant.is_active,
}


@dataclass(frozen=True)
class ParticipantRecord:
    id: int
    uid: uuid.UUID
    name: str
    is_active: bool
    settings_url: str | None


@dataclass(frozen=True)
class ParticipantSearch:
    """Criteria of a search; `None` does not filter."""

    page: int = 1
    page_size: int = 10
    sort_by: SortBy = "name"
    sort_order: SortOrder = "Ascending"
    name: str | None = None
    participant_ids: Sequence[int] | None = None
    is_active: bool | None = None


def _record(row: Participant) -> ParticipantRecord:
    return ParticipantRecord(
        id=row.id,
        uid=row.uid,
        name=row.name,
        is_active=row.is_active,
        settings_url=row.settings_url,
    )


class ParticipantsRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create_participant(
        self, *, tenant_id: int, name: str, identity_ids: Sequence[uuid.UUID]
    ) -> ParticipantRecord:
        """A new active participant, associated with the identities named."""
        wanted = self._tenant_identities(tenant_id, identity_ids)
        row = Participant(
            uid=uuid.uuid4(), tenant_id=tenant_id, name=name, is_active=True, settings_url=None
        )
        self._session.add(row)
        self._session.flush()
        self._associate_identities(row.id, wanted)
        return _record(row)

    def get_participant(self, *, tenant_id: int, participant_id: int) -> ParticipantRecord:
        return _record(self._require(tenant_id, participant_id))

    def update_participant(
        self,
        *,
        tenant_id: int,
        participant_id: int,
        name: str | None,
        is_active: bool | None,
        identity_ids: Sequence[uuid.UUID] | None,
    ) -> None:
        """Change what is given; `None` leaves a value as it is. `identity_ids` replaces the
        participant's identities."""
        row = self._require(tenant_id, participant_id, lock=True)
        wanted = self._tenant_identities(tenant_id, identity_ids or ())
        if name is not None:
            row.name = name
        if is_active is not None:
            row.is_active = is_active
        self._session.flush()
        if identity_ids is None:
            return
        dropped = delete(IdentityParticipant).where(IdentityParticipant.participant_id == row.id)
        if wanted:
            dropped = dropped.where(IdentityParticipant.identity_id.not_in(wanted))
        self._session.execute(dropped)
        self._associate_identities(row.id, wanted)

    def search_participants(
        self, *, tenant_id: int, criteria: ParticipantSearch
    ) -> Page[ParticipantRecord]:
        query = select(Participant).where(Participant.tenant_id == tenant_id)
        if criteria.name:
            query = query.where(
                func.lower(Participant.name).contains(criteria.name.lower(), autoescape=True)
            )
        if criteria.participant_ids is not None:
            ids = set(criteria.participant_ids)
            query = query.where(Participant.id.in_(ids) if ids else false())
        if criteria.is_active is not None:
            query = query.where(Participant.is_active == criteria.is_active)
        column = _SORT_COLUMNS[criteria.sort_by]
        ordered = column.desc() if criteria.sort_order == "Descending" else column.asc()
        return fetch_page(
            self._session,
            query.order_by(ordered, Participant.id.asc()),
            page=criteria.page,
            page_size=criteria.page_size,
            to_record=_record,
        )

    def list_participants(self, *, tenant_id: int) -> list[ParticipantRecord]:
        rows = self._session.scalars(
            select(Participant)
            .where(Participant.tenant_id == tenant_id)
            .order_by(Participant.name, Participant.id)
        )
        return [_record(row) for row in rows]

    def associate_application_participants(
        self, *, tenant_id: int, application_id: str, participant_ids: Sequence[int]
    ) -> None:
        """Add participants to those of a client application of the tenant; none is added
        when one of them is no participant of the tenant."""
        if not self._application_registered(tenant_id, application_id):
            raise NotFound(f"No application with id '{application_id}'.")
        wanted = set(participant_ids)
        known = set(
            self._session.scalars(
                select(Participant.id).where(
                    Participant.tenant_id == tenant_id, Participant.id.in_(wanted)
                )
            )
        )
        missing = sorted(wanted - known)
        if missing:
            raise Unprocessable(f"No participant with id {_listed(missing)}.")
        for participant_id in sorted(wanted):
            self._add_if_missing(
                ApplicationParticipant(
                    tenant_id=tenant_id,
                    application_id=application_id,
                    participant_id=participant_id,
                ),
                (tenant_id, application_id, participant_id),
            )

    def _application_registered(self, tenant_id: int, application_id: str) -> bool:
        """A client application is registered for a tenant when it holds access policies
        there or is associated with participants of it (the store keeps no other list)."""
        granted = select(AppAccessPolicy.client_id).where(
            AppAccessPolicy.tenant_id == tenant_id, AppAccessPolicy.client_id == application_id
        )
        associated = select(ApplicationParticipant.application_id).where(
            ApplicationParticipant.tenant_id == tenant_id,
            ApplicationParticipant.application_id == application_id,
        )
        return (
            self._session.scalar(granted.limit(1)) is not None
            or self._session.scalar(associated.limit(1)) is not None
        )

    def _require(self, tenant_id: int, participant_id: int, *, lock: bool = False) -> Participant:
        query = select(Participant).where(
            Participant.id == participant_id, Participant.tenant_id == tenant_id
        )
        if lock:
            # Two replacements of the identities of a participant wait for each other.
            query = query.with_for_update(key_share=True)
        row = self._session.scalar(query)
        if row is None:
            raise NotFound(f"No participant with id {participant_id}.")
        return row

    def _tenant_identities(
        self, tenant_id: int, identity_ids: Iterable[uuid.UUID]
    ) -> set[uuid.UUID]:
        """The ids, each once; Unprocessable when one is no identity of the tenant."""
        wanted = set(identity_ids)
        if not wanted:
            return wanted
        known = set(
            self._session.scalars(
                select(Identity.id).where(Identity.tenant_id == tenant_id, Identity.id.in_(wanted))
            )
        )
        missing = sorted(str(identity_id) for identity_id in wanted - known)
        if missing:
            raise Unprocessable(f"No identity with id {_listed(missing)}.")
        return wanted

    def _associate_identities(self, participant_id: int, identity_ids: set[uuid.UUID]) -> None:
        for identity_id in sorted(identity_ids):
            self._add_if_missing(
                IdentityParticipant(identity_id=identity_id, participant_id=participant_id),
                (identity_id, participant_id),
            )

    def _add_if_missing(self, row: Base, key: tuple[object, ...]) -> None:
        if self._session.get(type(row), key) is not None:
            return
        # A savepoint: a concurrent request that added the same association first leaves the
        # request's transaction usable, and the association is there either way.
        try:
            with self._session.begin_nested():
                self._session.add(row)
                self._session.flush()
        except IntegrityError:
            pass


def _listed(ids: Sequence[object]) -> str:
    return ", ".join(f"'{value}'" for value in ids)
