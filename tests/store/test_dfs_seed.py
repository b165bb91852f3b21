"""The DFS demo data (fixtures/seed/dfs.yaml) and its loader, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from specserve.settings import PROJECT_ROOT
from store import Store
from store.base import Base
from store.dfs.models import (
    AccessPolicy,
    AppAccessPolicy,
    AuditContext,
    BackOfficeSetting,
    BankBranch,
    Functionality,
    FunctionalityGroup,
    Identity,
    IdentityParticipant,
    Member,
    MenuItem,
    Participant,
    Permission,
    PermissionPolicy,
    ProviderSetting,
    Role,
    RolePolicy,
    Tenant,
    TenantAccess,
)
from store.dfs.seed import load_dfs
from store.identity.secrets import secret_matches
from store.migrate import upgrade
from store.seed import DEMO_SECRET_ROUNDS
from tests.conftest import BACKENDS

SEED_FILE = PROJECT_ROOT / "fixtures" / "seed" / "dfs.yaml"
SPEC_FILE = PROJECT_ROOT / "specs" / "dfs-admin.yaml"
ADMIN = uuid.UUID("01000000-0000-0000-0000-000000000000")
TEAM_LEADER = uuid.UUID("06000000-0000-0000-0000-000000000000")
BILL = uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa4")
ADDITIV_UID = uuid.UUID("4ffd1a62-2c9e-4c2d-b495-18d00141498e")


def seed_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    return data


def load(store: Store) -> None:
    with Session(store.engine) as session, session.begin():
        load_dfs(session, seed_data(), secret_rounds=DEMO_SECRET_ROUNDS)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated database without any seed, and the DFS data loaded into it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'dfs.db'}"
    else:
        url = request.getfixturevalue("postgresql_databases").empty()
    opened = Store(url)
    upgrade(opened.engine)
    load(opened)
    yield opened
    opened.dispose()


def count(session: Session, model: type[Base], **where: object) -> int:
    return int(session.scalar(select(func.count()).select_from(model).filter_by(**where)) or 0)


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every DFS table, in primary key order; a tenant's search version is left
    out, since it is no data but a mark that the seed replaces on every load (the counts a
    running server remembers must not outlive a load)."""
    rows = {}
    with store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name.startswith("dfs_"):
                columns = [c for c in table.columns if c.name != "search_version"]
                query = select(*columns).order_by(*table.primary_key.columns)
                rows[table.name] = [tuple(row) for row in connection.execute(query)]
    return rows


def spec_example(path: str, method: str, status: str = "200") -> Any:
    spec = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
    return spec["paths"][path][method]["responses"][status]["content"]["application/json"][
        "example"
    ]


def test_counts(store: Store) -> None:
    with Session(store.engine) as session:
        assert count(session, Tenant) == 2
        assert count(session, AccessPolicy) == 9
        assert count(session, AccessPolicy, is_app_oriented=True) == 4
        assert count(session, Permission) == 8
        assert count(session, MenuItem) == 6
        assert count(session, FunctionalityGroup) == 2
        assert count(session, Functionality) == 5
        assert count(session, ProviderSetting) == 2
        assert (count(session, Role, tenant_id=2), count(session, Role, tenant_id=3)) == (4, 2)
        assert (count(session, Identity, tenant_id=2), count(session, Identity, tenant_id=3)) == (
            7,
            2,
        )
        assert (count(session, Member, tenant_id=2), count(session, Member, tenant_id=3)) == (7, 1)
        assert count(session, TenantAccess) == 9
        assert count(session, Participant, tenant_id=2) == 2
        assert count(session, AppAccessPolicy, tenant_id=2) == 4
        assert count(session, AuditContext) == 0


def test_tenants_and_provider_settings(store: Store) -> None:
    with Session(store.engine) as session:
        additiv = session.get(Tenant, 2)
        assert additiv is not None
        assert (additiv.uid, additiv.key) == (ADDITIV_UID, "Additiv")
        bluebank = session.get(Tenant, 3)
        assert bluebank is not None and bluebank.key == "Bluebank"
        setting = session.get(ProviderSetting, 1)
        assert setting is not None
        assert (setting.tenant_id, setting.provider_id, setting.provider_type_id) == (2, 1, 1)
        assert (setting.name, setting.display_name) == ("Idsrv", "DFS.Identity")
        assert setting.is_enabled and setting.is_default
        assert setting.created_date.replace(tzinfo=None) == datetime.datetime(
            2024, 1, 22, 9, 44, 4, 65035
        )
        other = session.scalar(select(ProviderSetting).filter_by(tenant_id=3, provider_id=1))
        assert other is not None and other.id != 1


def test_roles_of_the_samples(store: Store) -> None:
    with Session(store.engine) as session:
        roles = {
            role.id: (role.key, role.short_name, role.hierarchy_level, role.allow_all_policies)
            for role in session.scalars(select(Role).filter_by(tenant_id=2))
        }
        assert roles == {
            1: ("System-Administrator", "System-Administrator", 6, True),
            35: ("rm", "Relationship Manager", 5, False),
            43: ("tm", "Team Leader", 4, False),
            2: ("gm", "General Manager", 2, False),
        }
        policies = sorted(
            session.scalars(select(RolePolicy.access_policy_id).filter_by(role_id=35))
        )
        assert policies == [1, 2, 5]
        assert count(session, RolePolicy, role_id=1) == 0
        setting = session.scalar(select(BackOfficeSetting).filter_by(role_id=43))
        assert setting is not None
        assert (setting.default_menu_item_id, setting.menu_item_ids, setting.functionality_ids) == (
            12,
            [11, 12, 13],
            [101, 102, 103],
        )


def test_the_admin_identity_of_the_samples(store: Store) -> None:
    with Session(store.engine) as session:
        identity = session.get(Identity, ADMIN)
        assert identity is not None
        assert (identity.tenant_id, identity.member_id, identity.user_name) == (2, 1, "additiv")
        assert identity.user_name_normalized == "additiv"
        assert identity.provider_setting_id == 1
        assert identity.is_sign_in_enabled and identity.sees_all_tenants
        assert not identity.is_system_account
        assert identity.profile_picture is not None
        assert identity.profile_picture.startswith(b"\xff\xd8\xff")
        assert identity.profile_picture.endswith(b"\xff\xd9")
        member = session.get(Member, 1)
        assert member is not None
        assert (member.first_name, member.last_name, member.salutation_id) == ("Admin", "Admin", 2)
        assert (member.email, member.description) == (
            "admin@additiv.com",
            "Admin account description",
        )
        assert (member.phone, member.fax, member.mobile) == (
            "41|522672742",
            "41|522672742",
            "41|797353960",
        )
        assert (member.external_id, member.bank_branch_id, member.assigned_contacts_count) == (
            "EX001245",
            1,
            2,
        )
        branch = session.get(BankBranch, 1)
        assert branch is not None and branch.tenant_id == 2
        assert branch.name == "<root><en>Branch 1a</en><de>Filiale 1a</de></root>"
        access = session.get(TenantAccess, (ADMIN, 2))
        assert access is not None and (access.role_id, access.is_enabled) == (1, True)
        participants = session.scalars(
            select(IdentityParticipant.participant_id).filter_by(identity_id=ADMIN)
        ).all()
        assert list(participants) == [1]


def test_other_identities_of_the_samples(store: Store) -> None:
    with Session(store.engine) as session:
        for identity_id, member_id, role_id, name in [
            (TEAM_LEADER, 6, 43, ("Team", "Leader 1")),
            (BILL, 16, 2, ("Bill", "Doe")),
        ]:
            identity = session.get(Identity, identity_id)
            assert identity is not None and identity.member_id == member_id
            member = session.get(Member, member_id)
            assert member is not None and (member.first_name, member.last_name) == name
            access = session.get(TenantAccess, (identity_id, 2))
            assert access is not None and access.role_id == role_id and access.is_enabled
        bill = session.get(Member, 16)
        assert bill is not None and (bill.email, bill.bank_branch_id) == ("bd@additiv.com", 3)
        participant = session.get(Participant, 1)
        assert participant is not None
        assert participant.uid == uuid.UUID("80bd8718-03e3-4b02-9261-5abdf021b883")


def test_passwords_are_stored_hashed(store: Store) -> None:
    clear = {
        identity["user_name"]: identity["password"]
        for tenant in seed_data()["tenants"]
        for identity in tenant["identities"]
    }
    with Session(store.engine) as session:
        identities = session.scalars(select(Identity)).all()
        assert len(identities) == len(clear)
        for identity in identities:
            assert identity.password_hash is not None
            assert identity.password_hash.startswith("$2")
            assert clear[identity.user_name] not in identity.password_hash
            assert secret_matches(clear[identity.user_name], identity.password_hash)
        admin = session.get(Identity, ADMIN)
        assert admin is not None and admin.password_hash is not None
        assert secret_matches("Additiv-Demo-1", admin.password_hash)
        assert not secret_matches("additiv-demo-1", admin.password_hash)


def test_loading_twice_changes_nothing(store: Store) -> None:
    before = snapshot(store)
    load(store)
    assert snapshot(store) == before


def test_rows_that_exist_are_left_alone(store: Store) -> None:
    with Session(store.engine) as session, session.begin():
        member = session.get(Member, 1)
        assert member is not None
        member.email = "changed@additiv.com"
        session.delete(session.get_one(RolePolicy, (35, 5)))
    load(store)
    with Session(store.engine) as session:
        assert session.get_one(Member, 1).email == "changed@additiv.com"
        # A row that is missing is added again.
        assert session.get(RolePolicy, (35, 5)) is not None


def test_new_rows_get_ids_above_the_seeded_ones(store: Store) -> None:
    now = datetime.datetime.now(datetime.UTC)
    with Session(store.engine) as session, session.begin():
        role = Role(
            tenant_id=2,
            key="new",
            key_normalized="new",
            short_name="New",
            long_name="New",
            hierarchy_level=1,
            created_date=now,
        )
        member = Member(tenant_id=2, first_name="New", last_name="Member")
        participant = Participant(uid=uuid.uuid4(), tenant_id=2, name="New")
        session.add_all([role, member, participant])
        session.flush()
        assert role.id > 51
        assert member.id > 101
        assert participant.id > 8
        if store.engine.dialect.name == "postgresql":
            context = AuditContext(tenant_id=2, created_at=now)
            session.add(context)
            session.flush()
            # The samples' first audit context; on SQLite the repository numbers them.
            assert context.id == 1001


def test_catalogues_agree_with_the_spec_examples(store: Store) -> None:
    with Session(store.engine) as session:
        policies = [
            {"id": p.id, "key": p.key, "name": p.name}
            for p in session.scalars(select(AccessPolicy).order_by(AccessPolicy.id))
        ]
        assert policies == spec_example("/v1.0/access-policies", "get")["accessPolicies"]
        permissions = [
            {
                "id": p.id,
                "uid": str(p.uid),
                "name": p.name,
                "parentId": p.parent_id,
                "orderIndex": p.order_index,
            }
            for p in session.scalars(select(Permission).order_by(Permission.id))
        ]
        assert permissions == spec_example("/v1.0/permissions", "get")["results"]
        required = sorted(
            session.scalars(select(PermissionPolicy.access_policy_id).filter_by(permission_id=8))
        )
        example = spec_example("/v1.0/permissions/{permissionId}", "get")
        assert required == [policy["id"] for policy in example["requiredAccessPolicies"]]
        catalogue = spec_example("/v1.0/back-office-permissions", "get")
        items = [
            {
                "Id": m.id,
                **({"ParentId": m.parent_id} if m.parent_id is not None else {}),
                "Name": m.name,
                "Description": m.description,
                "PageLink": m.page_link,
                "MenuTypeId": m.menu_type_id,
                "PermissionUid": str(m.permission_uid),
            }
            for m in session.scalars(select(MenuItem).order_by(MenuItem.id))
        ]
        assert items == catalogue["MenuItems"]
        keys = sorted(session.scalars(select(Functionality.key)))
        assert keys == sorted(
            f["Key"] for g in catalogue["FunctionalityGroups"] for f in g["Functionalities"]
        )
        clients: dict[str, list[str]] = {}
        grants = session.execute(
            select(AppAccessPolicy.client_id, AccessPolicy.key)
            .join(AccessPolicy, AccessPolicy.id == AppAccessPolicy.access_policy_id)
            .where(AppAccessPolicy.tenant_id == 2)
            .order_by(AppAccessPolicy.client_id, AccessPolicy.id)
        )
        for client_id, key in grants:
            clients.setdefault(client_id, []).append(key)
        example = spec_example(
            "/v1.0/tenants/{tenantUid}/resources/{apiResource}/scopes/{apiScope}/access-policies",
            "get",
        )
        assert clients == example["AccessPolicies"]
