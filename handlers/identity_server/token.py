"""Operations of the tag Token."""

from __future__ import annotations

from typing import Any

from connexion import request

from handlers.identity_server.client_auth import client_credentials
from specserve.context import services, unit_of_work
from specserve.identity.errors import OAuthError
from specserve.identity.grants import issue_for_client

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def issue_token(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    grant_type = body.get("grant_type")
    if grant_type != "client_credentials":
        raise OAuthError(
            "unsupported_grant_type", f"The grant type '{grant_type}' is not supported here."
        )
    credentials = client_credentials(body, request.headers.get("authorization"))
    with unit_of_work() as uow:
        client = uow.identity.authenticate_client(
            client_id=credentials.client_id, secret=credentials.secret
        )
        if client is None:
            raise credentials.rejected()
        issued = issue_for_client(
            uow, services().tokens, client, set(str(body.get("scope") or "").split())
        )
    answer = {
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
        "token_type": "Bearer",
        "scope": issued.scope,
    }
    return answer, 200, NO_STORE
