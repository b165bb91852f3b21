"""Tables of the token service: registered clients and the API scopes they may ask for."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base


class ApiScope(Base):
    """A scope and the audience (API resource) a token carrying it is issued for."""

    __tablename__ = "ids_api_scopes"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    audience: Mapped[str] = mapped_column(String(200))


class Client(Base):
    __tablename__ = "ids_clients"

    client_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200))
    # Space-separated, as IdentityServer's AllowedGrantTypes.
    grant_types: Mapped[str] = mapped_column(
        String(200), default="client_credentials", server_default="client_credentials"
    )


class ClientClaim(Base):
    """A claim every token of the client carries (a DFS app's tenant, say)."""

    __tablename__ = "ids_client_claims"

    client_id: Mapped[str] = mapped_column(
        ForeignKey("ids_clients.client_id", ondelete="CASCADE"), primary_key=True
    )
    type: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class ClientScope(Base):
    __tablename__ = "ids_client_scopes"

    client_id: Mapped[str] = mapped_column(
        ForeignKey("ids_clients.client_id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(
        ForeignKey("ids_api_scopes.name", ondelete="CASCADE"), primary_key=True
    )
