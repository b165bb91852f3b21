"""Members of a DFS tenant: one by id, or a page of a search.

Returns records, never ORM objects. Every method takes the tenant it acts in; a member of
another tenant is treated as absent. A member is the tenant database's record of an identity,
so a member is read together with its identity (its id, whether it has a profile picture).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.orm import Session

from store.dfs.models import BankBranch, Identity, Member
from store.errors import NotFound

SortField = Literal["MemberId", "FirstName", "LastName", "Email", "ExternalId"]

# A member, its identity's id, whether that identity has a profile picture, its bank branch.
_MemberRow = Row[Member, uuid.UUID, bool, BankBranch]

_SORT_COLUMNS: dict[str, Any] = {
    "MemberId": Member.id,
    "FirstName": Member.first_name,
    "LastName": Member.last_name,
    "Email": Member.email,
    "ExternalId": Member.external_id,
}


@dataclass(frozen=True)
class BankBranchRecord:
    id: int
    # Localizable, as stored: <root><en>...</en></root>.
    name: str


@dataclass(frozen=True)
class MemberRecord:
    id: int
    identity_id: uuid.UUID
    first_name: str
    last_name: str
    salutation_id: int | None
    email: str | None
    description: str | None
    phone: str | None
    fax: str | None
    mobile: str | None
    external_id: str | None
    bank_branch: BankBranchRecord | None
    assigned_contacts_count: int
    has_profile_picture: bool


@dataclass(frozen=True)
class MemberSearch:
    """Criteria of a search; None does not filter."""

    member_ids: Sequence[int] | None
    search_term: str | None
    sort_by: SortField
    descending: bool
    page: int
    page_size: int


@dataclass(frozen=True)
class MemberPage:
    members: tuple[MemberRecord, ...]
    page: int
    page_size: int
    total_count: int

    @property
    def page_count(self) -> int:
        return math.ceil(self.total_count / self.page_size)


class MembersRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get_member(self, *, tenant_id: int, member_id: int) -> MemberRecord:
        row = self._session.execute(_members(tenant_id).where(Member.id == member_id)).one_or_none()
        if row is None:
            raise NotFound(f"No member with id {member_id} in this tenant.")
        return _record(row)

    def search_members(self, *, tenant_id: int, search: MemberSearch) -> MemberPage:
        """One page of the members matching every criterion, in the order asked, ties by id."""
        conditions = _conditions(search)
        if conditions is None:
            return MemberPage(
                members=(), page=search.page, page_size=search.page_size, total_count=0
            )
        query = _members(tenant_id).where(*conditions)
        total = self._session.scalar(select(func.count()).select_from(query.subquery())) or 0
        offset = (search.page - 1) * search.page_size
        rows: Sequence[_MemberRow] = ()
        # A page past the last one is empty; asking the database would risk an offset too
        # large for it.
        if offset < total:
            rows = self._session.execute(
                query.order_by(*_order(search)).limit(search.page_size).offset(offset)
            ).all()
        return MemberPage(
            members=tuple(_record(row) for row in rows),
            page=search.page,
            page_size=search.page_size,
            total_count=total,
        )


def _members(tenant_id: int) -> Select[Member, uuid.UUID, bool, BankBranch]:
    # Members exist only as the record of an identity (sync and import create them so).
    return (
        select(
            Member,
            Identity.id.label("identity_id"),
            Identity.profile_picture.is_not(None).label("has_picture"),
            BankBranch,
        )
        .join(Identity, (Identity.member_id == Member.id) & (Identity.tenant_id == tenant_id))
        .outerjoin(
            BankBranch,
            (BankBranch.id == Member.bank_branch_id) & (BankBranch.tenant_id == tenant_id),
        )
        .where(Member.tenant_id == tenant_id)
    )


def _conditions(search: MemberSearch) -> list[ColumnElement[bool]] | None:
    """The filters of the criteria; None when they can match nothing."""
    conditions: list[ColumnElement[bool]] = []
    if search.member_ids is not None:
        if not search.member_ids:
            return None
        conditions.append(Member.id.in_(set(search.member_ids)))
    if search.search_term:
        # No stored text holds NUL (PostgreSQL cannot even compare one).
        if "\x00" in search.search_term:
            return None
        pattern = func.lower("%" + _escaped(search.search_term) + "%")
        conditions.append(
            func.lower(Member.first_name).like(pattern, escape="\\")
            | func.lower(Member.last_name).like(pattern, escape="\\")
            | func.lower(Member.email).like(pattern, escape="\\")
            | func.lower(Member.external_id).like(pattern, escape="\\")
        )
    return conditions


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _order(search: MemberSearch) -> list[ColumnElement[Any]]:
    column = _SORT_COLUMNS[search.sort_by]
    # Members without the value come last in either order, the same on every database.
    return [
        column.is_(None),
        column.desc() if search.descending else column.asc(),
        Member.id,
    ]


def _record(row: _MemberRow) -> MemberRecord:
    member: Member = row.Member
    branch: BankBranch | None = row.BankBranch
    return MemberRecord(
        id=member.id,
        identity_id=row.identity_id,
        first_name=member.first_name,
        last_name=member.last_name,
        salutation_id=member.salutation_id,
        email=member.email,
        description=member.description,
        phone=member.phone,
        fax=member.fax,
        mobile=member.mobile,
        external_id=member.external_id,
        bank_branch=None if branch is None else BankBranchRecord(id=branch.id, name=branch.name),
        assigned_contacts_count=member.assigned_contacts_count,
        has_profile_picture=bool(row.has_picture),
    )
