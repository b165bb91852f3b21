"""Loads fixtures/seed/ansysid.yaml: roles, the B2C tenant's resources and apps, accounts,
users with their roles, groups with their members and owners. Rows that exist are left alone."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.ansysid.models import (
    AidAccount,
    AidAccountUser,
    AidApp,
    AidGlobalRole,
    AidGroup,
    AidGroupMember,
    AidGroupOwner,
    AidResource,
    AidRole,
    AidUser,
    AidUserRole,
)
from store.ansysid.rows import email_key
from store.identity.secrets import hash_secret
from store.rows import add_missing
from store.timestamps import utc_now

# The role only the CRM data sync grants.
CRM_ROLES = {"Ansys Support Coordinator"}


def load_ansysid(session: Session, data: dict[str, Any], *, secret_rounds: int) -> None:
    now = utc_now()
    roles = _load_roles(session, data.get("roles", []))
    _load_tenant(session, data, secret_rounds)
    accounts: dict[str, uuid.UUID] = {}
    for account in data.get("accounts", []):
        account_id = uuid.UUID(account["id"])
        accounts[account["account_number"]] = account_id
        add_missing(
            session,
            AidAccount(
                id=account_id,
                account_number=account["account_number"],
                number_key=account["account_number"].casefold(),
                name=account["name"],
                description=account.get("description"),
                created_at=now,
                modified_at=now,
            ),
            account_id,
        )
    users: dict[str, uuid.UUID] = {}
    for user in data.get("users", []):
        users[email_key(user["email"])] = _load_user(
            session, user, roles=roles, accounts=accounts, secret_rounds=secret_rounds, now=now
        )
    for group in data.get("groups", []):
        _load_group(session, group, accounts, users)


def _load_roles(session: Session, roles: list[dict[str, Any]]) -> dict[str, uuid.UUID]:
    found = {}
    for position, role in enumerate(roles):
        role_id = uuid.UUID(role["id"])
        found[role["name"]] = role_id
        add_missing(
            session,
            AidRole(
                id=role_id,
                name=role["name"],
                type=role["type"],
                description=role["description"],
                assignable=role["assignable"],
                position=position,
            ),
            role_id,
        )
    return found


def _load_tenant(session: Session, data: dict[str, Any], secret_rounds: int) -> None:
    for resource in data.get("resources", []):
        add_missing(
            session,
            AidResource(
                app_id_uri=resource["app_id_uri"],
                app_id=resource["app_id"],
                name=resource["name"],
                scopes=" ".join(resource["scopes"]),
            ),
            resource["app_id_uri"],
        )
    for app in data.get("apps", []):
        if session.get(AidApp, app["client_id"]) is not None:
            continue
        secret = app.get("secret")
        session.add(
            AidApp(
                client_id=app["client_id"],
                name=app["name"],
                secret_hash=None if secret is None else hash_secret(secret, rounds=secret_rounds),
                redirect_uris=" ".join(app.get("redirect_uris", [])),
                grant_types=" ".join(app["grant_types"]),
                scopes=" ".join(app.get("scopes", [])),
                roles="|".join(app.get("roles", [])),
            )
        )
        session.flush()


def _load_user(
    session: Session,
    user: dict[str, Any],
    *,
    roles: dict[str, uuid.UUID],
    accounts: dict[str, uuid.UUID],
    secret_rounds: int,
    now: datetime.datetime,
) -> uuid.UUID:
    user_id = uuid.UUID(user["id"])
    if session.get(AidUser, user_id) is not None:
        return user_id
    password = user.get("password")
    session.add(
        AidUser(
            id=user_id,
            email=user["email"],
            email_key=email_key(user["email"]),
            first_name=user["first_name"],
            last_name=user["last_name"],
            password_hash=None if password is None else hash_secret(password, rounds=secret_rounds),
            created_at=now,
            modified_at=now,
        )
    )
    session.flush()
    for role in user.get("global_roles", []):
        session.add(AidGlobalRole(user_id=user_id, role_id=roles[role]))
    for number, held in user.get("roles", {}).items():
        session.add(AidAccountUser(account_id=accounts[number], user_id=user_id, added_at=now))
        session.flush()
        for role in held:
            session.add(
                AidUserRole(
                    account_id=accounts[number],
                    user_id=user_id,
                    role_id=roles[role],
                    source="crm" if role in CRM_ROLES else "api",
                    granted_at=now,
                )
            )
    session.flush()
    return user_id


def _load_group(
    session: Session,
    group: dict[str, Any],
    accounts: dict[str, uuid.UUID],
    users: dict[str, uuid.UUID],
) -> None:
    group_id = uuid.UUID(group["id"])
    account_id = accounts[group["account_number"]]
    now = utc_now()
    if not add_missing(
        session,
        AidGroup(
            id=group_id,
            account_id=account_id,
            name=group["name"],
            name_key=group["name"].casefold(),
            description=group.get("description"),
            group_type=group["group_type"],
            created_at=now,
            modified_at=now,
        ),
        group_id,
    ):
        return
    for member in group.get("members", []):
        if member.startswith("group:"):
            nested = session.scalar(
                select(AidGroup.id).where(
                    AidGroup.account_id == account_id,
                    AidGroup.name_key == member.removeprefix("group:").casefold(),
                )
            )
            if nested is None:
                raise ValueError(f"ansysid.yaml: {member} must come before the group naming it")
            session.add(AidGroupMember(group_id=group_id, member_group_id=nested, added_at=now))
        else:
            session.add(
                AidGroupMember(group_id=group_id, user_id=users[email_key(member)], added_at=now)
            )
    for owner in group.get("owners", []):
        session.add(AidGroupOwner(group_id=group_id, user_id=users[email_key(owner)], added_at=now))
    session.flush()
