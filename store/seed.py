"""Loads the demo data of `fixtures/seed/` into the store. Rows that exist are left alone."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from store.accesscontrol.keys import ApiKeysRepository
from store.accesscontrol.models import AcAccessGroup, AcIdentity, AcMembership, ApiKey
from store.ansysid.seed import load_ansysid
from store.dfs.seed import load_dfs
from store.identity.models import ApiScope, Client, ClientClaim, ClientScope
from store.identity.secrets import hash_secret
from store.primedocs.models import (
    Datasource,
    DirectoryEntry,
    OrganizationUnit,
    Profile,
    ProfileShare,
    User,
)
from store.rows import add_missing

# The demo secrets are published in fixtures/seed: a costly hash of them protects nothing, and
# 24 of them at bcrypt's cost 12 made every first start (and `db seed`) take six seconds.
# Secrets set through the APIs use the store's full cost.
DEMO_SECRET_ROUNDS = 4


def seed(engine: Engine, folder: Path, *, secret_rounds: int = DEMO_SECRET_ROUNDS) -> list[str]:
    """Load every known seed file of `folder` in one transaction; return the files loaded."""
    loaders: dict[str, Callable[[Session, dict[str, Any]], None]] = {
        "identity.yaml": lambda session, data: _load_identity(session, data, secret_rounds),
        "primedocs.yaml": _load_primedocs,
        "dfs.yaml": lambda session, data: load_dfs(session, data, secret_rounds=secret_rounds),
        "accesscontrol.yaml": _load_accesscontrol,
        "ansysid.yaml": lambda session, data: load_ansysid(
            session, data, secret_rounds=secret_rounds
        ),
    }
    loaded = []
    with Session(engine) as session, session.begin():
        for name, load in loaders.items():
            path = folder / name
            if path.exists():
                load(session, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
                loaded.append(name)
    return loaded


def _load_identity(session: Session, data: dict[str, Any], secret_rounds: int) -> None:
    for scope in data.get("api_scopes", []):
        add_missing(
            session, ApiScope(name=scope["name"], audience=scope["audience"]), scope["name"]
        )
    for client in data.get("clients", []):
        if session.get(Client, client["client_id"]) is not None:
            continue
        session.add(
            Client(
                client_id=client["client_id"],
                secret_hash=hash_secret(client["secret"], rounds=secret_rounds),
                display_name=client["display_name"],
                grant_types=" ".join(client.get("grant_types", ["client_credentials"])),
            )
        )
        session.flush()
        for scope in client.get("scopes", []):
            session.add(ClientScope(client_id=client["client_id"], scope=scope))
        for kind, value in client.get("claims", {}).items():
            session.add(ClientClaim(client_id=client["client_id"], type=kind, value=str(value)))
        session.flush()


def _load_primedocs(session: Session, data: dict[str, Any]) -> None:
    for source in data.get("datasources", []):
        source_id = source["id"]
        add_missing(session, Datasource(id=source_id, title=source["title"]), source_id)
        units = {}
        for unit in source.get("organization_units", []):
            unit_id = uuid.UUID(unit["id"])
            units[unit["title"]] = unit_id
            add_missing(
                session,
                OrganizationUnit(id=unit_id, datasource_id=source_id, title=unit["title"]),
                unit_id,
            )
        for user in source.get("users", []):
            user_id = uuid.UUID(user["id"])
            add_missing(
                session,
                User(
                    id=user_id,
                    datasource_id=source_id,
                    primary_sid=user.get("primary_sid"),
                    title=user.get("title"),
                ),
                user_id,
            )
            for position, profile in enumerate(user.get("profiles", [])):
                profile_id = uuid.UUID(profile["id"])
                add_missing(
                    session,
                    Profile(
                        id=profile_id,
                        user_id=user_id,
                        organization_unit_id=units.get(profile.get("organization_unit", "")),
                        title=profile.get("title"),
                        is_default=position == 0,
                        position=position,
                    ),
                    profile_id,
                )
        for share in source.get("shares", []):
            share_id = uuid.UUID(share["id"])
            add_missing(
                session,
                ProfileShare(
                    id=share_id,
                    profile_id=uuid.UUID(share["profile"]),
                    account_id=uuid.UUID(share["account"]),
                    profile_permission_level=share["profile_permission_level"],
                    signature_permission_level=share["signature_permission_level"],
                ),
                share_id,
            )
        for entry in source.get("directory", []):
            add_missing(
                session,
                DirectoryEntry(
                    datasource_id=source_id,
                    sid=entry["sid"],
                    display_name=entry["display_name"],
                    organization_unit_id=units.get(entry.get("organization_unit", "")),
                ),
                (source_id, entry["sid"]),
            )


def _load_accesscontrol(session: Session, data: dict[str, Any]) -> None:
    for identity in data.get("identities", []):
        identity_id = uuid.UUID(identity["id"])
        add_missing(session, AcIdentity(**{**identity, "id": identity_id}), identity_id)
    for group in data.get("access_groups", []):
        group_id = uuid.UUID(group["id"])
        add_missing(session, AcAccessGroup(id=group_id, name=group["name"]), group_id)
    for membership in data.get("memberships", []):
        key = (uuid.UUID(membership["group"]), uuid.UUID(membership["identity"]))
        add_missing(session, AcMembership(group_id=key[0], identity_id=key[1]), key)
    keys = ApiKeysRepository(session)
    for api_key in data.get("api_keys", []):
        if session.query(ApiKey.id).filter_by(name=api_key["name"]).first() is None:
            keys.create(api_key["name"], api_key["key"])
