"""What a token carries once its client (and user) are known: the scopes it may have, their
audiences, and the claims of the client or the signed-in identity."""

from __future__ import annotations

from collections.abc import Mapping

from specserve.identity.errors import OAuthError
from specserve.identity.tokens import IssuedToken, TokenService
from store import UnitOfWork
from store.dfs.repository import SignedInIdentity
from store.identity.repository import ClientRecord


def issue_for_client(
    uow: UnitOfWork,
    tokens: TokenService,
    client: ClientRecord,
    requested: set[str],
    *,
    subject: str | None = None,
    claims: Mapping[str, str] | None = None,
) -> IssuedToken:
    """A token for an authenticated client: the scopes asked for (all it may have when none
    are), each of which it must be allowed; `aud` names the APIs those scopes belong to. The
    subject is the client itself unless a user signed in."""
    scopes = requested or set(client.allowed_scopes)
    refused = sorted(scopes - client.allowed_scopes)
    if refused:
        raise OAuthError(
            "invalid_scope",
            f"The client '{client.client_id}' may not ask for the scope '{' '.join(refused)}'.",
        )
    if not scopes:
        raise OAuthError(
            "invalid_scope", f"The client '{client.client_id}' has no scope to ask for."
        )
    audiences = uow.identity.audiences_of(frozenset(scopes))
    return tokens.issue(
        client_id=client.client_id,
        subject=subject or client.client_id,
        scopes=scopes,
        audiences=audiences.values(),
        claims={**dict(client.claims), **(claims or {})},
    )


def identity_claims(identity: SignedInIdentity) -> dict[str, str]:
    """The claims of a DFS identity's token: who it is and the tenant it signed in to."""
    return {
        "name": identity.user_name,
        "tenant_id": str(identity.tenant.id),
        "tenant_uid": str(identity.tenant.uid),
        "tenant_key": identity.tenant.key,
    }
