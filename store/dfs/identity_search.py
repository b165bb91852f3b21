"""The search of a tenant's identities, in SQL.

What a search asks for decides the form of its SQL (which filters, which order: its `Shape`);
the values it asks for are bound at execution. The statements of a form are built once and
kept: building one cost more than running it. Only an order by role or identity-provider name
depends on the tenant's own names, and is built for each search.

A page is one statement: the tenant's members in the order asked, each with its identity's
filters as a subquery (both databases walk a member index in the name and e-mail orders and
stop at the page's end; with the identities joined first, SQLite sorts the whole tenant),
numbered, then joined to their identities' rows and participants.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)

from store.dfs.access import Guarded
from store.dfs.identity_rows import (
    PARTICIPANT_IDS,
    TENANT,
    identity_rows_of_a_tenant,
    of_members_identity,
)
from store.dfs.models import Identity, IdentityParticipant, Member, Tenant, TenantAccess, folded

SORT_FIELDS = (
    "FirstName",
    "LastName",
    "FullName",
    "UserName",
    "Email",
    "RoleName",
    "IdentityProviderName",
    "MemberId",
)
SEARCH_FIELDS = (
    "FirstName",
    "LastName",
    "UserName",
    "Email",
    "IdentityProviderName",
    "RoleName",
    "FullName",
    "All",
)
# Orders by a name of the tenant's own (a role's, an identity provider's).
RANKED_SORTS = ("RoleName", "IdentityProviderName")


@dataclass(frozen=True)
class IdentitySearch:
    page: int = 1
    page_size: int = 10
    sort_by: str = "LastName"
    descending: bool = False
    role_ids: tuple[int, ...] = ()
    identity_ids: tuple[uuid.UUID, ...] = ()
    participant_ids: tuple[int, ...] = ()
    first_name: str | None = None
    last_name: str | None = None
    search_term: str | None = None
    search_by: str = "All"
    all_tenants: bool = False
    inactive: bool = False
    system_accounts: bool = False

    @property
    def term(self) -> str:
        return folded((self.search_term or "").strip())

    @property
    def term_fields(self) -> tuple[str, ...]:
        """The fields the term is looked for in (none without a term)."""
        if not self.term:
            return ()
        if self.search_by == "All":
            return tuple(field for field in SEARCH_FIELDS if field != "All")
        return (self.search_by,)


@dataclass(frozen=True)
class Shape:
    """What of a search decides the form of its SQL."""

    sees_all: bool
    inactive: bool
    system_accounts: bool
    role_ids: bool
    identity_ids: bool
    participant_ids: bool
    first_name: bool
    last_name: bool
    term_fields: tuple[str, ...]
    sort_by: str
    descending: bool

    @classmethod
    def of(cls, search: IdentitySearch, *, sees_all: bool) -> Shape:
        return cls(
            sees_all=sees_all,
            inactive=search.inactive,
            system_accounts=search.system_accounts,
            role_ids=bool(search.role_ids),
            identity_ids=bool(search.identity_ids),
            participant_ids=bool(search.participant_ids),
            first_name=bool(search.first_name and search.first_name.strip()),
            last_name=bool(search.last_name and search.last_name.strip()),
            term_fields=search.term_fields,
            sort_by=search.sort_by,
            descending=search.descending,
        )


@dataclass(frozen=True)
class SearchStatements:
    page: Select[Any]  # the page's identity rows with their participants, in order
    count: Select[Any]  # how many the filters find


def statements(shape: Shape, ranks: Mapping[int, str] | None = None) -> SearchStatements:
    """The statements of a form of search; `ranks`: for an order by role or identity-provider
    name, the tenant's names by id."""
    if shape.sort_by in RANKED_SORTS:
        return _build(shape, ranks or {})
    found = _built.get(shape)
    if found is None:
        found = _built[shape] = _build(shape, {})
        while len(_built) > _KEPT:
            _built.popitem(last=False)
    return found


def values(
    search: IdentitySearch,
    tenant_id: int,
    *,
    term_role_ids: list[int] | None = None,
    term_provider_ids: list[int] | None = None,
) -> dict[str, Any]:
    """The values the statements of `search` bind; the role and provider ids whose names
    hold the term, where the term is looked for in those names."""
    return {
        "tenant_id": tenant_id,
        "limit": search.page_size,
        "offset": (search.page - 1) * search.page_size,
        "role_ids": list(search.role_ids),
        "identity_ids": list(search.identity_ids),
        "participant_ids": list(search.participant_ids),
        "first_name": folded((search.first_name or "").strip()),
        "last_name": folded((search.last_name or "").strip()),
        "term": _like_escaped(search.term),
        "term_role_ids": term_role_ids or [],
        "term_provider_ids": term_provider_ids or [],
    }


# The tenant's search version (store.dfs.search_counts), with the access check if pending.
VERSION = select(Tenant.search_version).where(Tenant.id == TENANT)
GUARDED_VERSION = Guarded.of(VERSION)

# Forms of search kept (least recently used out first): a bound on memory whatever is asked.
_KEPT = 256
_built: OrderedDict[Shape, SearchStatements] = OrderedDict()
_ESCAPE = "/"


def _like_escaped(term: str) -> str:
    for special in (_ESCAPE, "%", "_"):
        term = term.replace(special, _ESCAPE + special)
    return term


def _build(shape: Shape, ranks: Mapping[int, str]) -> SearchStatements:
    conditions = _conditions(shape)
    keys = _order_keys(shape, ranks)
    members = (
        select(
            Member.id.label("page_member_id"),
            *(key.label(f"page_key_{number}") for number, key in enumerate(keys)),
        )
        .where(
            Member.tenant_id == TENANT, of_members_identity(Identity.id).where(*conditions).exists()
        )
        .order_by(*_ordered(keys, shape.descending))
        # Written into the SQL as it is sent: with LIMIT and OFFSET as parameters,
        # PostgreSQL's plan for any page (generic) sorts the whole tenant, so that it plans
        # each search anew, 4 ms a time; with them written out, the plan is made once.
        .limit(bindparam("limit", type_=Integer, literal_execute=True))
        .offset(bindparam("offset", type_=Integer, literal_execute=True))
        .subquery("page")
    )
    # The page's rows in the page's order: its keys again (a window function numbering the
    # members would do, but SQLite numbers the whole tenant before it stops at the page).
    page_keys = [members.c[f"page_key_{number}"] for number in range(len(keys))]
    page = (
        identity_rows_of_a_tenant(with_member_only=True)
        .add_columns(PARTICIPANT_IDS)
        .join(members, members.c.page_member_id == Member.id)
        .order_by(*_ordered(page_keys, shape.descending))
    )
    count = (
        select(func.count())
        .select_from(Identity)
        .join(
            TenantAccess,
            and_(TenantAccess.identity_id == Identity.id, TenantAccess.tenant_id == TENANT),
        )
        .join(Member, Member.id == Identity.member_id)
        .where(Identity.tenant_id == TENANT, *conditions)
    )
    return SearchStatements(page=page, count=count)


def _conditions(shape: Shape) -> list[ColumnElement[bool]]:
    # An identity without a member has none of the names and ids a result must show.
    conditions: list[ColumnElement[bool]] = [Member.tenant_id == TENANT]
    if not shape.sees_all:
        conditions.append(TenantAccess.is_enabled.is_(True))
    if not shape.inactive:
        conditions.append(Identity.is_sign_in_enabled.is_(True))
    if not shape.system_accounts:
        conditions.append(Identity.is_system_account.is_(False))
    if shape.role_ids:
        conditions.append(TenantAccess.role_id.in_(bindparam("role_ids", expanding=True)))
    if shape.identity_ids:
        conditions.append(Identity.id.in_(bindparam("identity_ids", expanding=True)))
    if shape.participant_ids:
        conditions.append(
            exists().where(
                IdentityParticipant.identity_id == Identity.id,
                IdentityParticipant.participant_id.in_(
                    bindparam("participant_ids", expanding=True)
                ),
            )
        )
    if shape.first_name:
        conditions.append(Member.first_name_folded == bindparam("first_name"))
    if shape.last_name:
        conditions.append(Member.last_name_folded == bindparam("last_name"))
    if shape.term_fields:
        conditions.append(or_(*(m for f in shape.term_fields for m in _term_matches(f))))
    return conditions


def _term_matches(field: str) -> list[ColumnElement[bool]]:
    term: BindParameter[str] = bindparam("term")

    def contains(text: SQLColumnExpression[str]) -> ColumnElement[bool]:
        return text.contains(term, escape=_ESCAPE)

    first, last = Member.first_name_folded, Member.last_name_folded
    matches: dict[str, list[ColumnElement[bool]]] = {
        "FirstName": [contains(first)],
        "LastName": [contains(last)],
        "UserName": [contains(Identity.user_name_normalized)],
        "Email": [contains(Member.email_folded)],
        # Roles and identity providers are few: their names are matched by the caller.
        "IdentityProviderName": [
            Identity.provider_setting_id.in_(bindparam("term_provider_ids", expanding=True))
        ],
        "RoleName": [TenantAccess.role_id.in_(bindparam("term_role_ids", expanding=True))],
        "FullName": [contains(first + " " + last), contains(last + " " + first)],
    }
    return matches[field]


def _order_keys(shape: Shape, ranks: Mapping[int, str]) -> list[SQLColumnExpression[Any]]:
    """What the members of the page are ordered by; what is the identity's comes from its
    row. The first key in the direction asked, then ties by first name and identity id."""
    first, last = Member.first_name_folded, Member.last_name_folded
    by: SQLColumnExpression[Any]
    if shape.sort_by == "RoleName":
        by = _rank(of_members_identity(TenantAccess.role_id).scalar_subquery(), ranks)
    elif shape.sort_by == "IdentityProviderName":
        provider = of_members_identity(Identity.provider_setting_id).scalar_subquery()
        by = _rank(provider, ranks)
    else:
        by = {
            "FirstName": first,
            "LastName": last,
            "FullName": first + " " + last,
            "UserName": of_members_identity(Identity.user_name_normalized).scalar_subquery(),
            "Email": Member.email_folded,
            "MemberId": Member.id,
        }[shape.sort_by]
    return [by, first, of_members_identity(Identity.id).scalar_subquery()]


def _ordered(keys: list[Any], descending: bool) -> list[Any]:
    """The keys as ORDER BY terms: the first in the direction asked, the ties ascending."""
    return [keys[0].desc() if descending else keys[0].asc(), *(key.asc() for key in keys[1:])]


def _rank(column: SQLColumnExpression[int], names: Mapping[int, str]) -> ColumnElement[int]:
    """The place of `column`'s row in `names` ordered by name: equal names, equal places."""
    places = {name: place for place, name in enumerate(sorted(set(names.values())))}
    if not names:
        return literal(0)
    return case(
        {row_id: places[name] for row_id, name in names.items()}, value=column, else_=len(places)
    )
