"""What a token carries once its client is known: the scopes it may have, their audiences."""

from __future__ import annotations

from specserve.identity.errors import OAuthError
from specserve.identity.tokens import IssuedToken, TokenService
from store import UnitOfWork
from store.identity.repository import ClientRecord


def issue_for_client(
    uow: UnitOfWork, tokens: TokenService, client: ClientRecord, requested: set[str]
) -> IssuedToken:
    """A token for an authenticated client: the scopes asked for (all it may have when none
    are), each of which it must be allowed; `aud` names the APIs those scopes belong to."""
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
        subject=client.client_id,
        scopes=scopes,
        audiences=audiences.values(),
    )
