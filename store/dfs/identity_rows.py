"""An identity as the DFS API shows it, and the SQL that reads it: the columns of an
identity's row (its member, tenant access, role, provider, branch and participants), shared by
the reads of store.dfs.identities and the search of store.dfs.identity_search."""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from sqlalchemy import Integer, Row, Select, String, and_, bindparam, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from store.dfs.models import (
    BankBranch,
    Identity,
    IdentityParticipant,
    Member,
    ProviderSetting,
    Role,
    TenantAccess,
)


class IdentityRecord(NamedTuple):
    """An identity as the API shows it. A named tuple: a page of them is made for every
    search, and a frozen dataclass of 24 fields cost 6 us to make, a tenth of a search."""

    id: uuid.UUID
    user_name: str
    # None only for an identity without a member (a system account before the member import).
    member_id: int | None
    first_name: str | None
    last_name: str | None
    salutation_id: int | None
    email: str | None
    description: str | None
    phone: str | None
    fax: str | None
    mobile: str | None
    external_id: str | None
    provider_setting_id: int
    provider_name: str
    role_id: int
    role_name: str
    hierarchy_level: int
    bank_branch_id: int | None
    # As stored: <root><en>...</en></root>.
    bank_branch_name: str | None
    is_sign_in_enabled: bool
    is_tenant_access_enabled: bool
    is_system_account: bool
    assigned_contacts_count: int
    participant_ids: tuple[int, ...] = ()


def identity_rows_of_a_tenant(*, with_member_only: bool) -> Select[*tuple[Any, ...]]:
    """The identities of the tenant `:tenant_id` with their role there, provider, member and
    bank branch; with `with_member_only`, those with a member, the tenant told by the member
    (so that SQLite, without statistics, looks identities up by member rather than walking
    the tenant's)."""
    return (
        select(
            Identity.id,
            Identity.user_name,
            Identity.member_id,
            Identity.provider_setting_id,
            Identity.is_sign_in_enabled,
            Identity.is_system_account,
            TenantAccess.is_enabled.label("is_tenant_access_enabled"),
            Role.id.label("role_id"),
            Role.short_name.label("role_name"),
            Role.hierarchy_level,
            ProviderSetting.display_name.label("provider_name"),
            Member.first_name,
            Member.last_name,
            Member.salutation_id,
            Member.email,
            Member.description,
            Member.phone,
            Member.fax,
            Member.mobile,
            Member.external_id,
            Member.assigned_contacts_count,
            BankBranch.id.label("bank_branch_id"),
            BankBranch.name.label("bank_branch_name"),
        )
        .join(
            TenantAccess,
            and_(TenantAccess.identity_id == Identity.id, TenantAccess.tenant_id == TENANT),
        )
        .join(Role, Role.id == TenantAccess.role_id)
        .join(ProviderSetting, ProviderSetting.id == Identity.provider_setting_id)
        .join(Member, Member.id == Identity.member_id, isouter=not with_member_only)
        .outerjoin(BankBranch, BankBranch.id == Member.bank_branch_id)
        .where((Member.tenant_id if with_member_only else Identity.tenant_id) == TENANT)
    )


def of_members_identity(*columns: Any) -> Select[*tuple[Any, ...]]:
    """`columns` of the identity of the member of the enclosing query, with its access to
    the tenant `:tenant_id` (one identity per member)."""
    return (
        select(*columns)
        .select_from(Identity)
        .join(
            TenantAccess,
            and_(TenantAccess.identity_id == Identity.id, TenantAccess.tenant_id == TENANT),
        )
        .where(Identity.member_id == Member.id, Identity.tenant_id == TENANT)
    )


class _JoinedIntegers(FunctionElement[str]):
    """The integers of a group joined by commas, in no set order."""

    type = String()
    inherit_cache = True


@compiles(_JoinedIntegers, "postgresql")
def _string_agg(element: _JoinedIntegers, compiler: Any, **kw: Any) -> str:
    return f"string_agg(CAST({compiler.process(element.clauses, **kw)} AS TEXT), ',')"


@compiles(_JoinedIntegers, "sqlite")
def _group_concat(element: _JoinedIntegers, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


def split_integers(joined: str | None) -> tuple[int, ...]:
    return tuple(sorted(int(part) for part in joined.split(","))) if joined else ()


# Built once: building a statement costs more than running it (bound values at execution).
TENANT = bindparam("tenant_id", type_=Integer)
# The participants of the identity of the enclosing query, in one column.
PARTICIPANT_IDS = (
    select(_JoinedIntegers(IdentityParticipant.participant_id))
    .where(IdentityParticipant.identity_id == Identity.id)
    .scalar_subquery()
    .label("participant_ids")
)


# The row's columns are named after the fields of IdentityRecord (but its participants).
_ROW_COLUMNS = IdentityRecord._fields[:-1]
_CONTACTS = _ROW_COLUMNS.index("assigned_contacts_count")
# The columns of a statement's rows -> where each of _ROW_COLUMNS is among them.
_positions: dict[tuple[str, ...], tuple[int, ...]] = {}


def record(row: Row[Any], participant_ids: tuple[int, ...] = ()) -> IdentityRecord:
    """The record of a row of `identity_rows_of_a_tenant` (with columns of its own around
    them or not). Its values are taken by position: by name, a row's 23 lookups were most of
    the cost of a page."""
    columns = row._fields
    positions = _positions.get(columns)
    if positions is None:
        positions = _positions[columns] = tuple(columns.index(name) for name in _ROW_COLUMNS)
    values = tuple(row)
    fields: list[Any] = [values[position] for position in positions]
    fields[_CONTACTS] = fields[_CONTACTS] or 0
    fields.append(participant_ids)
    return IdentityRecord._make(fields)
