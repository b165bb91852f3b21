"""Roles of a DFS tenant (v2.0): their access policy configuration and their hierarchy.

Returns records, never ORM objects. Every method takes the tenant it acts in; a role of
another tenant is treated as absent. Writes lock the role's row first, so that concurrent
changes of one role run one after the other instead of clashing on the rows they replace.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.dfs.models import AccessPolicy, Role, RoleExclusion, RolePolicy, TenantAccess, normalized
from store.errors import NotFound, Unprocessable

LOWEST_LEVEL = 1
HIGHEST_LEVEL = 100


@dataclass(frozen=True)
class RoleRecord:
    id: int
    tenant_id: int
    key: str
    short_name: str
    long_name: str
    hierarchy_level: int
    allow_all_policies: bool
    is_member_access_excluded: bool
    created_date: datetime.datetime


@dataclass(frozen=True)
class RolePolicyRecord:
    id: int
    key: str
    # Localizable: <root><en>...</en></root> or plain text.
    name: str


@dataclass(frozen=True)
class RoleDetailRecord:
    role: RoleRecord
    access_policies: tuple[RolePolicyRecord, ...]


@dataclass(frozen=True)
class RoleHierarchyRecord:
    base: RoleRecord
    below: tuple[RoleRecord, ...]


@dataclass(frozen=True)
class RoleChanges:
    """What an update sends; None leaves that value as it is."""

    short_name: str | None = None
    long_name: str | None = None
    key: str | None = None
    allow_all_policies: bool | None = None
    access_policy_ids: tuple[int, ...] | None = None


class RolesRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # reads

    def list_roles(self, *, tenant_id: int) -> list[RoleRecord]:
        roles = self._session.scalars(
            select(Role)
            .where(Role.tenant_id == tenant_id)
            .order_by(Role.hierarchy_level.desc(), Role.id)
        ).all()
        return [_record(role) for role in roles]

    def get_role(self, *, tenant_id: int, role_id: int) -> RoleDetailRecord:
        role = self._require_role(tenant_id, role_id)
        policies = self._session.scalars(
            select(AccessPolicy)
            .join(RolePolicy, RolePolicy.access_policy_id == AccessPolicy.id)
            .where(RolePolicy.role_id == role.id)
            .order_by(AccessPolicy.id)
        ).all()
        return RoleDetailRecord(
            role=_record(role),
            # A role allowed every policy has no list of its own, whatever rows it kept.
            access_policies=()
            if role.allow_all_policies
            else tuple(RolePolicyRecord(id=p.id, key=p.key, name=p.name) for p in policies),
        )

    def role_hierarchy(self, *, tenant_id: int, role_id: int) -> RoleHierarchyRecord:
        """The role and the roles of the tenant below its level, less its exclusions."""
        base = self._require_role(tenant_id, role_id)
        excluded = select(RoleExclusion.excluded_role_id).where(RoleExclusion.role_id == base.id)
        below = self._session.scalars(
            select(Role)
            .where(
                Role.tenant_id == tenant_id,
                Role.hierarchy_level < base.hierarchy_level,
                Role.id.not_in(excluded),
            )
            .order_by(Role.hierarchy_level.desc(), Role.id)
        ).all()
        return RoleHierarchyRecord(base=_record(base), below=tuple(_record(r) for r in below))

    # writes

    def create_role(
        self,
        *,
        tenant_id: int,
        short_name: str,
        long_name: str,
        key: str,
        is_member_access_excluded: bool,
    ) -> RoleRecord:
        """A new role at the lowest level, allowed no access policy."""
        self._refuse_taken_key(tenant_id, key, role_id=None)
        role = Role(
            tenant_id=tenant_id,
            key=key,
            key_normalized=normalized(key),
            short_name=short_name,
            long_name=long_name,
            hierarchy_level=LOWEST_LEVEL,
            allow_all_policies=False,
            is_member_access_excluded=is_member_access_excluded,
            created_date=datetime.datetime.now(datetime.UTC),
        )
        self._flush_key(key, lambda: self._session.add(role))
        return _record(role)

    def update_role(self, *, tenant_id: int, role_id: int, changes: RoleChanges) -> None:
        role = self._require_role(tenant_id, role_id, lock=True)
        allow_all = (
            changes.allow_all_policies
            if changes.allow_all_policies is not None
            else role.allow_all_policies
        )
        if not allow_all and changes.access_policy_ids is not None:
            self._require_policies(changes.access_policy_ids)
        if changes.key is not None:
            self._refuse_taken_key(tenant_id, changes.key, role_id=role.id)
        policies = _policies_after(role, allow_all, changes.access_policy_ids)
        if policies is not None:
            self._replace_policies(role.id, policies)
        role.allow_all_policies = allow_all
        if changes.short_name is not None:
            role.short_name = changes.short_name
        if changes.long_name is not None:
            role.long_name = changes.long_name
        new_key = changes.key
        if new_key is None:
            self._session.flush()
        else:
            self._flush_key(new_key, lambda: _rekey(role, new_key))

    def delete_role(self, *, tenant_id: int, role_id: int) -> None:
        """Delete a role no identity holds; its policies, its back-office permissions and the
        exclusions naming it go with it (cascades of the database)."""
        role = self._require_role(tenant_id, role_id, lock=True)
        if self._in_use(role.id):
            raise _in_use_error()
        try:
            # A savepoint: an identity given this role meanwhile makes the database refuse.
            with self._session.begin_nested():
                self._session.delete(role)
                self._session.flush()
        except IntegrityError as error:
            raise _in_use_error() from error

    def change_hierarchy_level(self, *, tenant_id: int, role_id: int, step: int) -> None:
        """Move the role `step` levels (+1 up, -1 down); the other roles stay where they are."""
        role = self._require_role(tenant_id, role_id, lock=True)
        level = role.hierarchy_level + step
        if not LOWEST_LEVEL <= level <= HIGHEST_LEVEL:
            raise Unprocessable(
                f"The role is at level {role.hierarchy_level}; levels run from "
                f"{LOWEST_LEVEL} to {HIGHEST_LEVEL}."
            )
        role.hierarchy_level = level
        self._session.flush()

    def set_hierarchy_exclusions(
        self, *, tenant_id: int, role_id: int, excluded_role_ids: Iterable[int]
    ) -> None:
        """Replace the roles excluded from the role's hierarchy."""
        role = self._require_role(tenant_id, role_id, lock=True)
        wanted = set(excluded_role_ids)
        if role.id in wanted:
            raise Unprocessable("A role cannot be excluded from its own hierarchy.")
        found = set(
            self._session.scalars(
                select(Role.id).where(Role.tenant_id == tenant_id, Role.id.in_(wanted))
            ).all()
        )
        if missing := wanted - found:
            raise Unprocessable(f"No role with id {_ids(missing)} in this tenant.")
        current = set(
            self._session.scalars(
                select(RoleExclusion.excluded_role_id).where(RoleExclusion.role_id == role.id)
            ).all()
        )
        if gone := current - wanted:
            self._session.execute(
                delete(RoleExclusion).where(
                    RoleExclusion.role_id == role.id, RoleExclusion.excluded_role_id.in_(gone)
                )
            )
        try:
            # A savepoint: a role deleted meanwhile makes the database refuse its exclusion.
            with self._session.begin_nested():
                self._session.add_all(
                    RoleExclusion(role_id=role.id, excluded_role_id=excluded)
                    for excluded in sorted(wanted - current)
                )
                self._session.flush()
        except IntegrityError as error:
            raise Unprocessable("A role to exclude is no longer a role of this tenant.") from error

    # helpers

    def _require_role(self, tenant_id: int, role_id: int, *, lock: bool = False) -> Role:
        query = select(Role).where(Role.tenant_id == tenant_id, Role.id == role_id)
        if lock:
            query = query.with_for_update()
        role = self._session.scalar(query)
        if role is None:
            raise NotFound(f"No role with id {role_id} in this tenant.")
        return role

    def _require_policies(self, policy_ids: Iterable[int]) -> None:
        wanted = set(policy_ids)
        found = set(
            self._session.scalars(select(AccessPolicy.id).where(AccessPolicy.id.in_(wanted)))
        )
        if missing := wanted - found:
            raise Unprocessable(f"No access policy with id {_ids(missing)}.")

    def _replace_policies(self, role_id: int, policy_ids: Iterable[int]) -> None:
        wanted = set(policy_ids)
        current = set(
            self._session.scalars(
                select(RolePolicy.access_policy_id).where(RolePolicy.role_id == role_id)
            )
        )
        if gone := current - wanted:
            self._session.execute(
                delete(RolePolicy).where(
                    RolePolicy.role_id == role_id, RolePolicy.access_policy_id.in_(gone)
                )
            )
        self._session.add_all(
            RolePolicy(role_id=role_id, access_policy_id=policy_id)
            for policy_id in sorted(wanted - current)
        )

    def _refuse_taken_key(self, tenant_id: int, key: str, *, role_id: int | None) -> None:
        query = select(Role.id).where(
            Role.tenant_id == tenant_id, Role.key_normalized == normalized(key)
        )
        if role_id is not None:
            query = query.where(Role.id != role_id)
        if self._session.scalar(query) is not None:
            raise _key_taken(key)

    def _flush_key(self, key: str, change: Callable[[], None]) -> None:
        """Apply a change that sets a role key, in a savepoint: a concurrent request may take
        the same key after the check, and the database's unique constraint then refuses it."""
        try:
            with self._session.begin_nested():
                change()
                self._session.flush()
        except IntegrityError as error:
            raise _key_taken(key) from error

    def _in_use(self, role_id: int) -> bool:
        return bool(self._session.scalar(select(exists().where(TenantAccess.role_id == role_id))))


def _policies_after(
    role: Role, allow_all: bool, policy_ids: tuple[int, ...] | None
) -> tuple[int, ...] | None:
    """The role's list of access policies after an update; None keeps the list as it is."""
    if allow_all:
        return ()
    if policy_ids is not None:
        return policy_ids
    # A role allowed every policy until now has no list of its own to go back to.
    return () if role.allow_all_policies else None


def _rekey(role: Role, key: str) -> None:
    role.key = key
    role.key_normalized = normalized(key)


def _record(role: Role) -> RoleRecord:
    return RoleRecord(
        id=role.id,
        tenant_id=role.tenant_id,
        key=role.key,
        short_name=role.short_name,
        long_name=role.long_name,
        hierarchy_level=role.hierarchy_level,
        allow_all_policies=role.allow_all_policies,
        is_member_access_excluded=role.is_member_access_excluded,
        created_date=role.created_date,
    )


def _key_taken(key: str) -> Unprocessable:
    return Unprocessable(
        f"The role key '{key}' is already used by a role of this tenant.", field="RoleKey"
    )


def _in_use_error() -> Unprocessable:
    return Unprocessable("The role is still assigned to identities and cannot be deleted.")


def _ids(ids: Iterable[int]) -> str:
    return ", ".join(str(i) for i in sorted(ids))
