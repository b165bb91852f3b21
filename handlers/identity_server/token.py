"""Operations of the tag Token."""

from __future__ import annotations

from typing import Any

from connexion import request

from handlers.identity_server.client_auth import client_credentials
from specserve.context import services, unit_of_work
from specserve.identity.errors import OAuthError

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def issue_token(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    grant_type = body.get("grant_type")
    if grant_type != "client_credentials":
        raise OAuthError(
            "unsupported_grant_type", f"The grant type '{grant_type}' is not supported here."
        )
    credentials = client_credentials(body, request.headers.get("authorization"))
    requested = set(str(body.get("scope") or "").split())
    with unit_of_work() as uow:
        client = uow.identity.authenticate_client(
            client_id=credentials.client_id, secret=credentials.secret
        )
        if client is None:
            raise credentials.rejected()
        scopes = requested or set(client.allowed_scopes)
        refused = sorted(scopes - client.allowed_scopes)
        if refused or not scopes:
            raise OAuthError(
                "invalid_scope",
                f"The client '{client.client_id}' may not ask for the scope '{' '.join(refused)}'."
                if refused
                else f"The client '{client.client_id}' has no scope to ask for.",
            )
        audiences = uow.identity.audiences_of(frozenset(scopes))
    issued = services().tokens.issue(
        client_id=client.client_id,
        subject=client.client_id,
        scopes=scopes,
        audiences=audiences.values(),
    )
    answer = {
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
        "token_type": "Bearer",
        "scope": issued.scope,
    }
    return answer, 200, NO_STORE
