"""Which callers hold a DFS access policy (store.dfs.access.holds), on SQLite and
PostgreSQL, from the seeded tenant Additiv's administrator, whose role allows every policy."""

from __future__ import annotations

import datetime
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store import Store
from store.dfs.access import API_RESOURCE, API_SCOPE, AccessRequirement
from store.dfs.access import holds as holds_policy
from store.dfs.models import AccessPolicy, AppAccessPolicy, Role, RolePolicy, TenantAccess

ADMIN = uuid.UUID("01000000-0000-0000-0000-000000000000")  # of tenant Additiv


def holds(session: Session, key: str, identity: uuid.UUID | None = ADMIN, client: str = "") -> bool:
    access = session.scalars(select(TenantAccess).where(TenantAccess.identity_id == ADMIN)).first()
    assert access is not None
    return holds_policy(session, AccessRequirement(access.tenant_id, identity, client, key))


def test_a_role_allowing_all_policies_holds_each_that_exists(store: Store) -> None:
    with Session(store.engine) as session:
        assert holds(session, "RMember") and holds(session, "WMember")
        assert not holds(session, "NoSuchPolicy")


def test_a_role_holds_its_own_policies_only(store: Store) -> None:
    with Session(store.engine) as session:
        access = session.scalars(
            select(TenantAccess).where(TenantAccess.identity_id == ADMIN)
        ).one()
        member = session.scalars(select(AccessPolicy).where(AccessPolicy.key == "RMember")).one()
        role = Role(
            tenant_id=access.tenant_id,
            key="ReadOnly",
            key_normalized="READONLY",
            short_name="RO",
            long_name="Read only",
            created_date=datetime.datetime.now(datetime.UTC),
        )
        session.add(role)
        session.flush()
        session.add(RolePolicy(role_id=role.id, access_policy_id=member.id))
        access.role_id = role.id
        session.flush()
        assert holds(session, "RMember")
        assert not holds(session, "WMember")


def test_disabled_access_to_the_tenant_holds_nothing(store: Store) -> None:
    with Session(store.engine) as session:
        session.execute(
            update(TenantAccess).where(TenantAccess.identity_id == ADMIN).values(is_enabled=False)
        )
        assert not holds(session, "RMember")
        assert not holds(session, "RMember", identity=uuid.uuid4())


def test_an_app_holds_the_policies_granted_to_it_for_this_api(store: Store) -> None:
    with Session(store.engine) as session:
        access = session.scalars(
            select(TenantAccess).where(TenantAccess.identity_id == ADMIN)
        ).one()
        member = session.scalars(select(AccessPolicy).where(AccessPolicy.key == "RMember")).one()
        grant = {
            "tenant_id": access.tenant_id,
            "client_id": "bench-app",
            "access_policy_id": member.id,
        }
        session.add(AppAccessPolicy(api_resource=API_RESOURCE, api_scope=API_SCOPE, **grant))
        session.add(
            AppAccessPolicy(
                api_resource="Other.Api",
                api_scope="Other.Full",
                **{
                    **grant,
                    "access_policy_id": session.scalars(
                        select(AccessPolicy.id).where(AccessPolicy.key == "WMember")
                    ).one(),
                },
            )
        )
        session.flush()
        assert holds(session, "RMember", identity=None, client="bench-app")
        # A grant for another API's scope does not count here; nor one to another app.
        assert not holds(session, "WMember", identity=None, client="bench-app")
        assert not holds(session, "RMember", identity=None, client="another-app")
