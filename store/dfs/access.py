"""The access policy a DFS caller must hold for an operation, and where it is checked.

An operation that changes something checks it first, in a query of its own. An operation that
only reads may leave it pending on its session (`defer`): a read that can carry the check
takes it over (`take_pending`) and asks it in its own statement (`guarded`), one round trip
where there were two; whatever no read took over is checked when the operation ends
(`settle`), before its answer, and before any error of its reads, so that a caller without
the policy learns nothing of what the ids it sent name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, or_, select, true
from sqlalchemy.orm import Session

from store.dfs.models import AccessPolicy, AppAccessPolicy, Role, RolePolicy, TenantAccess
from store.errors import Forbidden

# The api resource and scope whose app-oriented policies a client app holds for this API.
API_RESOURCE = "DFS.Api"
API_SCOPE = "DFS.Api.Full"

HELD = "access_held"
_PENDING = "dfs_pending_access_check"


@dataclass(frozen=True)
class AccessRequirement:
    """`key` held in a tenant by a signed-in identity (through its enabled role there, every
    policy with AllowAllPolicies) or, when `identity_id` is None, by the app `client_id`
    (through a grant to it)."""

    tenant_id: int
    identity_id: uuid.UUID | None
    client_id: str
    key: str

    @property
    def by_app(self) -> bool:
        return self.identity_id is None

    @property
    def values(self) -> dict[str, Any]:
        """The bound values of its statements (named apart from those of any read)."""
        values: dict[str, Any] = {"access_tenant_id": self.tenant_id, "access_key": self.key}
        if self.identity_id is None:
            values["access_client_id"] = self.client_id
        else:
            values["access_identity_id"] = self.identity_id
        return values

    def refusal(self) -> Forbidden:
        return Forbidden(f"This operation needs the access policy '{self.key}'.")


def _held_expressions() -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Whether the app holds the policy, and whether the identity does."""
    policy = select(AccessPolicy.id).where(AccessPolicy.key == bindparam("access_key"))
    tenant = bindparam("access_tenant_id", type_=Integer)
    granted = policy.join(
        AppAccessPolicy, AppAccessPolicy.access_policy_id == AccessPolicy.id
    ).where(
        AppAccessPolicy.tenant_id == tenant,
        AppAccessPolicy.client_id == bindparam("access_client_id"),
        AppAccessPolicy.api_resource == API_RESOURCE,
        AppAccessPolicy.api_scope == API_SCOPE,
    )
    by_role = policy.join(RolePolicy, RolePolicy.access_policy_id == AccessPolicy.id).where(
        RolePolicy.role_id == Role.id
    )
    held = (
        select(TenantAccess.identity_id)
        .join(Role, Role.id == TenantAccess.role_id)
        .where(
            TenantAccess.identity_id == bindparam("access_identity_id"),
            TenantAccess.tenant_id == tenant,
            TenantAccess.is_enabled.is_(True),
            or_(and_(Role.allow_all_policies.is_(True), policy.exists()), by_role.exists()),
        )
    )
    return granted.exists(), held.exists()


# Built once: building a statement costs more than running it.
_GRANTED_TO_APP, _HELD_BY_IDENTITY = _held_expressions()
_CHECKS = {True: select(_GRANTED_TO_APP), False: select(_HELD_BY_IDENTITY)}


def holds(session: Session, requirement: AccessRequirement) -> bool:
    statement = _CHECKS[requirement.by_app]
    return bool(session.connection().execute(statement, requirement.values).scalar())


@dataclass(frozen=True)
class Guarded:
    """A read's statement with the check as its first column, `access_held`: for an app
    caller and for an identity. Where the read finds nothing, one row of NULLs answers."""

    by_app: Select[Any]
    by_identity: Select[Any]

    @classmethod
    def of(cls, statement: Select[Any]) -> Guarded:
        found = statement.subquery("found")

        def with_check(held: ColumnElement[bool]) -> Select[Any]:
            check = select(held.label(HELD)).subquery("access")
            return select(check.c[HELD], *found.c).select_from(check.outerjoin(found, true()))

        return cls(by_app=with_check(_GRANTED_TO_APP), by_identity=with_check(_HELD_BY_IDENTITY))

    def statement(self, requirement: AccessRequirement) -> Select[Any]:
        return self.by_app if requirement.by_app else self.by_identity


def defer(session: Session, requirement: AccessRequirement) -> None:
    session.info[_PENDING] = requirement


def take_pending(session: Session) -> AccessRequirement | None:
    """The check left pending on the session, now the caller's to ask."""
    requirement: AccessRequirement | None = session.info.pop(_PENDING, None)
    return requirement


def settle(session: Session) -> None:
    """Ask the check still pending, if any; Forbidden when the policy is not held."""
    requirement = take_pending(session)
    if requirement is not None and not holds(session, requirement):
        raise requirement.refusal()
