"""Records to the seed's field names, and request bodies to store values."""

from __future__ import annotations

from typing import Any

from store.accesscontrol.repository import AccessGroupRecord, IdentityRecord, IdentityValues


def identity(record: IdentityRecord) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "name": record.name,
        "type": record.type,
        "email": record.email,
        "description": record.description,
    }


def access_group(record: AccessGroupRecord) -> dict[str, Any]:
    return {"id": str(record.id), "name": record.name}


def identity_values(body: dict[str, Any]) -> IdentityValues:
    """The stored fields of a body; an `id` in it and unknown fields are ignored."""
    return IdentityValues(
        name=body["name"],
        type=body["type"],
        email=body.get("email"),
        description=body.get("description"),
    )
