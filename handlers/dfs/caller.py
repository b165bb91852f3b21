"""Who calls: the tenant and, for a signed-in identity, the identity, from the bearer token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from store.errors import Forbidden


@dataclass(frozen=True)
class Caller:
    tenant_id: int
    tenant_uid: uuid.UUID
    tenant_key: str
    client_id: str
    # None when an app calls with its own token (client credentials).
    identity_id: uuid.UUID | None

    @classmethod
    def of(cls, token_info: dict[str, Any]) -> Caller:
        """The caller of a verified token; a token without a tenant may call no DFS operation."""
        try:
            tenant_id = int(token_info["tenant_id"])
            tenant_uid = uuid.UUID(str(token_info["tenant_uid"]))
            tenant_key = str(token_info["tenant_key"])
        except (KeyError, TypeError, ValueError) as error:
            raise Forbidden("The access token names no tenant.") from error
        subject = str(token_info.get("sub", ""))
        client_id = str(token_info.get("client_id", ""))
        return cls(
            tenant_id=tenant_id,
            tenant_uid=tenant_uid,
            tenant_key=tenant_key,
            client_id=client_id,
            identity_id=uuid.UUID(subject) if subject != client_id and _is_uuid(subject) else None,
        )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
