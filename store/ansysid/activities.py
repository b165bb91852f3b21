"""The activity log (every change made through the API) and the e-mail outbox."""

from __future__ import annotations

import datetime
import json
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from store.ansysid.access import Access, Caller
from store.ansysid.models import AidActivity, AidOutboxEmail
from store.paging import Page, fetch_page
from store.timestamps import as_utc, utc_now


@dataclass(frozen=True)
class ActivityRecord:
    id: int
    occurred_at: datetime.datetime
    action: str
    actor_id: uuid.UUID
    actor_name: str
    target_type: str
    target_id: str
    account_id: uuid.UUID | None
    user_id: uuid.UUID | None
    details: dict[str, str]


@dataclass(frozen=True)
class ActivityFilter:
    account_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    action: str | None = None
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


@dataclass(frozen=True)
class ActivityReport:
    account_id: uuid.UUID
    since: datetime.datetime | None
    until: datetime.datetime | None
    total: int
    by_action: list[tuple[str, int]] = field(default_factory=list)
    by_day: list[tuple[datetime.date, int]] = field(default_factory=list)


@dataclass(frozen=True)
class OutboxRecord:
    to_email: str
    subject: str
    body: str
    account_id: uuid.UUID | None
    created_at: datetime.datetime


class ActivityLog:
    """Writes activities in the unit of work of the change they record."""

    def __init__(self, session: Session, caller: Caller) -> None:
        self._session = session
        self._caller = caller

    def record(
        self,
        action: str,
        *,
        target_type: str,
        target_id: object,
        account_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
        details: Mapping[str, str] | None = None,
        **more_details: str,
    ) -> None:
        self._session.add(
            AidActivity(
                occurred_at=utc_now(),
                action=action,
                actor_id=self._caller.id,
                actor_name=self._caller.name,
                target_type=target_type,
                target_id=str(target_id),
                account_id=account_id,
                user_id=user_id,
                details=json.dumps({**(details or {}), **more_details}, sort_keys=True),
            )
        )

    def queue_invitation(
        self, *, email: str, user_id: uuid.UUID, account_name: str, account_id: uuid.UUID
    ) -> None:
        """An invitation to the account: into the outbox (never sent), and into the log, which
        names the outbox message by its id (the spec's `targetId` of an e-mail)."""
        message = AidOutboxEmail(
            created_at=utc_now(),
            to_email=email,
            subject=f"You have been added to {account_name} on Ansys ID",
            body=(
                f"{self._caller.name} has added you to the account {account_name}. "
                "Sign in at the Ansys ID portal to accept."
            ),
            account_id=account_id,
        )
        self._session.add(message)
        self._session.flush()
        self.record(
            "InvitationEmailQueued",
            target_type="Email",
            target_id=message.id,
            account_id=account_id,
            user_id=user_id,
            to=email,
        )


class ActivitiesRepository:
    def __init__(self, session: Session, access: Access) -> None:
        self._session = session
        self._access = access

    def search(self, wanted: ActivityFilter, *, page: int, page_size: int) -> Page[ActivityRecord]:
        newest_first = (AidActivity.occurred_at.desc(), AidActivity.id.desc())
        query = self._visible(wanted).order_by(*newest_first)
        # Pages are numbered from 0 in this API; fetch_page numbers them from 1.
        return fetch_page(
            self._session, query, page=page + 1, page_size=page_size, to_record=_activity
        )

    def report(
        self,
        account_id: uuid.UUID,
        *,
        since: datetime.datetime | None,
        until: datetime.datetime | None,
    ) -> ActivityReport:
        wanted = ActivityFilter(account_id=account_id, since=since, until=until)
        rows = self._session.execute(
            self._visible(wanted)
            .with_only_columns(AidActivity.action, AidActivity.occurred_at)
            .order_by(None)
        ).all()
        by_action = Counter(row.action for row in rows)
        by_day = Counter(as_utc(row.occurred_at).date() for row in rows)
        return ActivityReport(
            account_id=account_id,
            since=since,
            until=until,
            total=len(rows),
            by_action=sorted(by_action.items()),
            by_day=sorted(by_day.items()),
        )

    def outbox(self, to_email: str | None = None) -> list[OutboxRecord]:
        query = select(AidOutboxEmail).order_by(AidOutboxEmail.id)
        if to_email is not None:
            query = query.where(func.lower(AidOutboxEmail.to_email) == to_email.lower())
        return [
            OutboxRecord(
                to_email=row.to_email,
                subject=row.subject,
                body=row.body,
                account_id=row.account_id,
                created_at=as_utc(row.created_at),
            )
            for row in self._session.scalars(query)
        ]

    def _visible(self, wanted: ActivityFilter) -> Select[AidActivity]:
        # `from` at or after `to` bounds nothing: an empty answer, not an error (the two are
        # each valid, and a client may compute them).
        query = select(AidActivity)
        if wanted.account_id is not None:
            self._access.visible_account(wanted.account_id)
            query = query.where(AidActivity.account_id == wanted.account_id)
        else:
            accounts = self._access.viewable_account_ids()
            if accounts is not None:
                # Besides its accounts' activities, a caller sees those without an account that
                # it did itself or that were done to it; never those of an account it may not
                # view (one it has left, or any but its PAT's).
                caller_id = self._access.caller.id
                about_caller = (AidActivity.actor_id == caller_id) | (
                    AidActivity.user_id == caller_id
                )
                query = query.where(
                    AidActivity.account_id.in_(accounts)
                    | (AidActivity.account_id.is_(None) & about_caller)
                )
        if wanted.user_id is not None:
            query = query.where(AidActivity.user_id == wanted.user_id)
        if wanted.action is not None:
            query = query.where(func.lower(AidActivity.action) == wanted.action.lower())
        if wanted.since is not None:
            query = query.where(AidActivity.occurred_at >= wanted.since)
        if wanted.until is not None:
            query = query.where(AidActivity.occurred_at < wanted.until)
        return query


def _activity(row: AidActivity) -> ActivityRecord:
    return ActivityRecord(
        id=row.id,
        occurred_at=as_utc(row.occurred_at),
        action=row.action,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        target_type=row.target_type,
        target_id=row.target_id,
        account_id=row.account_id,
        user_id=row.user_id,
        details=json.loads(row.details),
    )
