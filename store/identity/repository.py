"""Reads of the token service: which clients exist and which scopes they may ask for."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.identity.models import ApiScope, Client, ClientClaim, ClientScope
from store.identity.secrets import secret_matches


@dataclass(frozen=True)
class ClientRecord:
    client_id: str
    display_name: str
    allowed_scopes: frozenset[str]
    grant_types: frozenset[str] = frozenset({"client_credentials"})
    # Claims every token of the client carries (a DFS app's tenant, say).
    claims: tuple[tuple[str, str], ...] = ()


class IdentityRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def authenticate_client(self, *, client_id: str, secret: str) -> ClientRecord | None:
        """The client, if it exists and the secret is its own; otherwise None."""
        client = self._session.get(Client, client_id)
        if client is None or not secret_matches(secret, client.secret_hash):
            return None
        scopes = self._session.scalars(
            select(ClientScope.scope).where(ClientScope.client_id == client.client_id)
        ).all()
        claims = self._session.execute(
            select(ClientClaim.type, ClientClaim.value)
            .where(ClientClaim.client_id == client.client_id)
            .order_by(ClientClaim.type)
        ).all()
        return ClientRecord(
            client_id=client.client_id,
            display_name=client.display_name,
            allowed_scopes=frozenset(scopes),
            grant_types=frozenset(client.grant_types.split()),
            claims=tuple((kind, value) for kind, value in claims),
        )

    def audiences_of(self, scopes: frozenset[str]) -> dict[str, str]:
        """The audience (API resource) of each known scope."""
        rows = self._session.execute(
            select(ApiScope.name, ApiScope.audience).where(ApiScope.name.in_(sorted(scopes)))
        ).all()
        return {name: audience for name, audience in rows}

    def all_scopes(self) -> list[str]:
        return list(self._session.scalars(select(ApiScope.name).order_by(ApiScope.name)).all())
