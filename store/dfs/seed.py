"""Loads the DFS demo data (`fixtures/seed/dfs.yaml`) into the store. Rows that exist are left
alone, so loading twice changes nothing. The caller owns the transaction: nothing is committed
here.

Ids are given in the data, as the samples show them. On PostgreSQL the sequences of the tables
filled are then moved past the largest id, so that rows created later get new ids; on SQLite an
integer primary key continues after the largest id by itself.
"""

from __future__ import annotations

import base64
import datetime
import uuid
from typing import Any, cast

from sqlalchemy import Integer, Table, func, select, text, update
from sqlalchemy.orm import Session

from store.base import Base
from store.dfs.models import (
    AccessPolicy,
    AppAccessPolicy,
    ApplicationParticipant,
    AuditContext,
    BackOfficeSetting,
    BankBranch,
    Functionality,
    FunctionalityGroup,
    Identity,
    IdentityExclusion,
    IdentityParticipant,
    Member,
    MenuItem,
    Participant,
    Permission,
    PermissionPolicy,
    ProviderSetting,
    Role,
    RoleExclusion,
    RolePolicy,
    Salutation,
    Tenant,
    TenantAccess,
    new_search_version,
    normalized,
)
from store.identity.secrets import hash_secret
from store.rows import add_missing

# The first audit context id when the data names none (the samples' first is 1001).
AUDIT_CONTEXT_FIRST_ID = 1001

# Tables whose integer ids come from a sequence on PostgreSQL, in the order they are filled.
_SEQUENCED: tuple[type[Base], ...] = (
    ProviderSetting,
    BankBranch,
    Role,
    Participant,
    Member,
    BackOfficeSetting,
    AuditContext,
)


def load_dfs(session: Session, data: dict[str, Any], *, secret_rounds: int) -> None:
    """Load the DFS demo data in dependency order; passwords are stored as bcrypt hashes."""
    policies = _load_catalogues(session, data)
    for tenant in data.get("tenants", []):
        _load_tenant(session, tenant, policies, secret_rounds)
    session.flush()
    # Seeded past the store's sessions: counts a running server remembers must not stand.
    session.execute(update(Tenant).values(search_version=new_search_version()))
    if session.get_bind().dialect.name == "postgresql":
        first_audit_id = int(data.get("audit_context_first_id", AUDIT_CONTEXT_FIRST_ID))
        for model in _SEQUENCED:
            floor = first_audit_id - 1 if model is AuditContext else 0
            _move_sequence_past_ids(session, model, floor)
    # SQLite has no sequence to move: the DFS repository gives a new audit context the id
    # max(id, audit_context_first_id - 1) + 1, that is max(id, 1000) + 1.


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _timestamp(value: object) -> datetime.datetime:
    """A timestamp of the data (YAML may already have parsed it); naive ones are UTC."""
    parsed = (
        value
        if isinstance(value, datetime.datetime)
        else datetime.datetime.fromisoformat(str(value))
    )
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)


def _optional_timestamp(value: object) -> datetime.datetime | None:
    return None if value is None else _timestamp(value)


# Catalogues


def _load_catalogues(session: Session, data: dict[str, Any]) -> dict[str, int]:
    """Load the catalogues shared by every tenant; answer the access policy ids by key."""
    policies: dict[str, int] = {}
    for policy in data.get("access_policies", []):
        policies[policy["key"]] = policy["id"]
        add_missing(
            session,
            AccessPolicy(
                id=policy["id"],
                key=policy["key"],
                name=policy["name"],
                description=policy.get("description"),
                is_app_oriented=bool(policy.get("app_oriented", False)),
            ),
            policy["id"],
        )
    # Parents come before their children in the data.
    for permission in data.get("permissions", []):
        add_missing(
            session,
            Permission(
                id=permission["id"],
                uid=_uuid(permission["uid"]),
                name=permission["name"],
                parent_id=permission.get("parent"),
                order_index=permission.get("order", 0),
            ),
            permission["id"],
        )
        for key in permission.get("access_policies", []):
            add_missing(
                session,
                PermissionPolicy(permission_id=permission["id"], access_policy_id=policies[key]),
                (permission["id"], policies[key]),
            )
    for item in data.get("menu_items", []):
        add_missing(
            session,
            MenuItem(
                id=item["id"],
                parent_id=item.get("parent"),
                name=item["name"],
                description=item.get("description") or "",
                page_link=item["page_link"],
                menu_type_id=item["menu_type_id"],
                permission_uid=_uuid(item["permission_uid"]),
            ),
            item["id"],
        )
    for group in data.get("functionality_groups", []):
        add_missing(
            session,
            FunctionalityGroup(
                id=group["id"],
                name=group["name"],
                sort_order=group["sort_order"],
                permission_uid=_uuid(group["permission_uid"]),
            ),
            group["id"],
        )
        for functionality in group.get("functionalities", []):
            add_missing(
                session,
                Functionality(
                    id=functionality["id"],
                    group_id=group["id"],
                    name=functionality["name"],
                    key=functionality["key"],
                    sort_order=functionality["sort_order"],
                    permission_uid=_uuid(functionality["permission_uid"]),
                ),
                functionality["id"],
            )
    for salutation in data.get("salutations", []):
        add_missing(
            session, Salutation(id=salutation["id"], name=salutation["name"]), salutation["id"]
        )
    return policies


# One tenant


def _load_tenant(
    session: Session, tenant: dict[str, Any], policies: dict[str, int], secret_rounds: int
) -> None:
    tenant_id: int = tenant["id"]
    add_missing(
        session,
        Tenant(id=tenant_id, uid=_uuid(tenant["uid"]), key=tenant["key"], name=tenant["name"]),
        tenant_id,
    )
    for setting in tenant.get("provider_settings", []):
        add_missing(
            session,
            ProviderSetting(
                id=setting["id"],
                tenant_id=tenant_id,
                provider_id=setting["provider_id"],
                provider_type_id=setting["provider_type_id"],
                name=setting["name"],
                display_name=setting["display_name"],
                is_enabled=bool(setting.get("enabled", True)),
                is_default=bool(setting.get("default", False)),
                created_date=_timestamp(setting["created"]),
                last_updated_date=_optional_timestamp(setting.get("last_updated")),
            ),
            setting["id"],
        )
    for branch in tenant.get("bank_branches", []):
        add_missing(
            session,
            BankBranch(id=branch["id"], tenant_id=tenant_id, name=branch["name"]),
            branch["id"],
        )
    for role in tenant.get("roles", []):
        _load_role(session, tenant_id, role, policies)
    for exclusion in tenant.get("role_exclusions", []):
        add_missing(
            session,
            RoleExclusion(role_id=exclusion["role"], excluded_role_id=exclusion["excluded"]),
            (exclusion["role"], exclusion["excluded"]),
        )
    for participant in tenant.get("participants", []):
        add_missing(
            session,
            Participant(
                id=participant["id"],
                uid=_uuid(participant["uid"]),
                tenant_id=tenant_id,
                name=participant["name"],
                is_active=bool(participant.get("active", True)),
                settings_url=participant.get("settings_url"),
            ),
            participant["id"],
        )
    for identity in tenant.get("identities", []):
        _load_identity(session, tenant_id, identity, secret_rounds)
    for exclusion in tenant.get("identity_exclusions", []):
        key = (_uuid(exclusion["identity"]), _uuid(exclusion["excluded"]))
        add_missing(
            session, IdentityExclusion(identity_id=key[0], excluded_identity_id=key[1]), key
        )
    for application in tenant.get("applications", []):
        for participant_id in application.get("participants", []):
            add_missing(
                session,
                ApplicationParticipant(
                    tenant_id=tenant_id,
                    application_id=application["id"],
                    participant_id=participant_id,
                ),
                (tenant_id, application["id"], participant_id),
            )
    for grant in tenant.get("app_access_policies", []):
        for key in grant.get("access_policies", []):
            add_missing(
                session,
                AppAccessPolicy(
                    tenant_id=tenant_id,
                    api_resource=grant["api_resource"],
                    api_scope=grant["api_scope"],
                    client_id=grant["client_id"],
                    access_policy_id=policies[key],
                ),
                (
                    tenant_id,
                    grant["api_resource"],
                    grant["api_scope"],
                    grant["client_id"],
                    policies[key],
                ),
            )


def _load_role(
    session: Session, tenant_id: int, role: dict[str, Any], policies: dict[str, int]
) -> None:
    role_id: int = role["id"]
    add_missing(
        session,
        Role(
            id=role_id,
            tenant_id=tenant_id,
            key=role["key"],
            key_normalized=normalized(role["key"]),
            short_name=role["short_name"],
            long_name=role.get("long_name") or role["short_name"],
            hierarchy_level=role.get("level", 1),
            allow_all_policies=bool(role.get("allow_all_policies", False)),
            is_member_access_excluded=bool(role.get("member_access_excluded", False)),
            created_date=_timestamp(role["created"]),
        ),
        role_id,
    )
    for key in role.get("access_policies", []):
        add_missing(
            session,
            RolePolicy(role_id=role_id, access_policy_id=policies[key]),
            (role_id, policies[key]),
        )
    if "back_office" in role:
        existing = session.scalar(
            select(BackOfficeSetting.id).where(BackOfficeSetting.role_id == role_id)
        )
        if existing is None:
            session.add(_back_office(role["back_office"], role_id=role_id))
            session.flush()


def _load_identity(
    session: Session, tenant_id: int, identity: dict[str, Any], secret_rounds: int
) -> None:
    identity_id = _uuid(identity["id"])
    member = identity.get("member")
    if member is not None:
        add_missing(
            session,
            Member(
                id=member["id"],
                tenant_id=tenant_id,
                first_name=member["first_name"],
                last_name=member["last_name"],
                salutation_id=member.get("salutation"),
                email=member.get("email"),
                description=member.get("description"),
                phone=member.get("phone"),
                fax=member.get("fax"),
                mobile=member.get("mobile"),
                external_id=member.get("external_id"),
                bank_branch_id=member.get("bank_branch"),
                assigned_contacts_count=member.get("assigned_contacts_count", 0),
            ),
            member["id"],
        )
    # Hash only what is added: bcrypt is slow on purpose.
    if session.get(Identity, identity_id) is None:
        password = identity.get("password")
        picture = identity.get("profile_picture")
        session.add(
            Identity(
                id=identity_id,
                tenant_id=tenant_id,
                member_id=None if member is None else member["id"],
                user_name=identity["user_name"],
                user_name_normalized=normalized(identity["user_name"]),
                password_hash=(
                    None if password is None else hash_secret(password, rounds=secret_rounds)
                ),
                url=identity.get("url"),
                provider_setting_id=identity["provider_setting"],
                is_sign_in_enabled=bool(identity.get("sign_in_enabled", True)),
                is_system_account=bool(identity.get("system_account", False)),
                sees_all_tenants=bool(identity.get("sees_all_tenants", False)),
                profile_picture=(
                    None
                    if picture is None
                    else base64.b64decode("".join(picture.split()), validate=True)
                ),
            )
        )
        session.flush()
    for access in identity.get("access", []):
        add_missing(
            session,
            TenantAccess(
                identity_id=identity_id,
                tenant_id=access["tenant"],
                role_id=access["role"],
                is_enabled=bool(access.get("enabled", True)),
            ),
            (identity_id, access["tenant"]),
        )
    for participant_id in identity.get("participants", []):
        add_missing(
            session,
            IdentityParticipant(identity_id=identity_id, participant_id=participant_id),
            (identity_id, participant_id),
        )
    if "back_office" in identity:
        existing = session.scalar(
            select(BackOfficeSetting.id).where(BackOfficeSetting.identity_id == identity_id)
        )
        if existing is None:
            session.add(_back_office(identity["back_office"], identity_id=identity_id))
            session.flush()


def _back_office(
    setting: dict[str, Any], *, role_id: int | None = None, identity_id: uuid.UUID | None = None
) -> BackOfficeSetting:
    return BackOfficeSetting(
        role_id=role_id,
        identity_id=identity_id,
        default_menu_item_id=setting.get("default_menu_item"),
        menu_item_ids=list(setting.get("menu_items", [])),
        functionality_ids=list(setting.get("functionalities", [])),
    )


# PostgreSQL sequences


def _move_sequence_past_ids(session: Session, model: type[Base], floor: int) -> None:
    """Make the next id the sequence of `model`'s table gives greater than every id in the
    table, than `floor`, and than any id it gave before (it never goes back)."""
    table = cast(Table, model.__table__)
    column = table.c.id
    if not isinstance(column.type, Integer):
        return
    sequence = session.scalar(
        text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
    )
    if sequence is None:
        return
    largest = int(session.scalar(select(func.max(column))) or 0)
    # The sequence's name comes from the catalogue, already quoted as needed.
    given = session.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
    last_given = int(given.last_value) - (0 if given.is_called else 1)
    target = max(largest, floor, last_given)
    if target >= 1:
        session.execute(
            text("SELECT setval(:sequence, :value, true)"), {"sequence": sequence, "value": target}
        )
    else:
        session.execute(text("SELECT setval(:sequence, 1, false)"), {"sequence": sequence})
