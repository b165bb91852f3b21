"""Reads and writes of the DFS Admin Services API. Returns records, never ORM objects.

Every method takes the tenant it acts in; rows of another tenant are treated as absent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.dfs import access
from store.dfs.access import AccessRequirement
from store.dfs.models import (
    Identity,
    Tenant,
    TenantAccess,
    normalized,
)
from store.errors import Invalid
from store.identity.secrets import secret_matches


@dataclass(frozen=True)
class TenantRecord:
    id: int
    uid: uuid.UUID
    key: str


@dataclass(frozen=True)
class SignedInIdentity:
    identity_id: uuid.UUID
    user_name: str
    tenant: TenantRecord
    role_id: int


class SignInRefused(Exception):
    """The user name and password are right, but the identity may not sign in (and why)."""


class DfsRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def require_access(self, requirement: AccessRequirement, *, deferred: bool = False) -> None:
        """Forbidden unless the caller holds the policy; `deferred`, for an operation that
        only reads: asked by its first read that can carry it, or at `settle_access`."""
        if deferred:
            access.defer(self._session, requirement)
        elif not access.holds(self._session, requirement):
            raise requirement.refusal()

    def settle_access(self) -> None:
        """Ask a deferred check that no read asked (Forbidden when not held)."""
        access.settle(self._session)

    def authenticate_identity(
        self, *, user_name: str, password: str, tenant_key: str | None
    ) -> SignedInIdentity | None:
        """The identity of a user name and password, in the tenant named (else its own
        tenant); None when they do not match. Raises SignInRefused when they match but the
        identity's sign-in or its access to that tenant is disabled."""
        named_tenant = None
        query = select(Identity).where(Identity.user_name_normalized == normalized(user_name))
        if tenant_key is not None:
            named_tenant = self._session.scalar(
                select(Tenant).where(func.lower(Tenant.key) == tenant_key.lower())
            )
            if named_tenant is None:
                return None
            query = query.join(TenantAccess, TenantAccess.identity_id == Identity.id).where(
                TenantAccess.tenant_id == named_tenant.id
            )
        # Only those whose password matches: a stranger must not learn that a user name
        # exists, let alone in which tenants.
        candidates = [
            identity
            for identity in self._session.scalars(query).all()
            if identity.password_hash is not None
            and secret_matches(password, identity.password_hash)
        ]
        if len(candidates) > 1:
            raise Invalid(
                f"The user name '{user_name}' exists in several tenants: name one with "
                "acr_values=tenant:<key>."
            )
        if not candidates:
            return None
        identity = candidates[0]
        tenant = named_tenant or self._session.get(Tenant, identity.tenant_id)
        if tenant is None:
            return None
        access = self._session.get(TenantAccess, (identity.id, tenant.id))
        if not identity.is_sign_in_enabled:
            raise SignInRefused("Sign-in is disabled for this identity.")
        if access is None or not access.is_enabled:
            raise SignInRefused("This identity's access to the tenant is disabled.")
        return SignedInIdentity(
            identity_id=identity.id,
            user_name=identity.user_name,
            tenant=TenantRecord(id=tenant.id, uid=tenant.uid, key=tenant.key),
            role_id=access.role_id,
        )
