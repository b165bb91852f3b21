"""Operations of the tag Token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connexion import request

from handlers.identity_server.client_auth import client_credentials
from handlers.responses import NO_STORE
from specserve.context import services, unit_of_work
from specserve.identity.errors import OAuthError
from specserve.identity.grants import identity_claims, issue_for_client
from specserve.identity.tokens import IssuedToken
from store import UnitOfWork
from store.dfs.repository import SignInRefused
from store.identity.repository import ClientRecord

Grant = Callable[[UnitOfWork, ClientRecord, dict[str, Any]], IssuedToken]


def issue_token(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    grant_type = body.get("grant_type")
    grant = GRANTS.get(str(grant_type))
    if grant is None:
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
        if grant_type not in client.grant_types:
            raise OAuthError(
                "unauthorized_client",
                f"The client '{client.client_id}' may not use the grant '{grant_type}'.",
            )
        issued = grant(uow, client, body)
    answer = {
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
        "token_type": "Bearer",
        "scope": issued.scope,
    }
    return answer, 200, NO_STORE


def _requested_scopes(body: dict[str, Any]) -> set[str]:
    return set(str(body.get("scope") or "").split())


def _client_credentials_grant(
    uow: UnitOfWork, client: ClientRecord, body: dict[str, Any]
) -> IssuedToken:
    return issue_for_client(uow, services().tokens, client, _requested_scopes(body))


def _password_grant(uow: UnitOfWork, client: ClientRecord, body: dict[str, Any]) -> IssuedToken:
    user_name, password = body.get("username"), body.get("password")
    if not user_name or password is None:
        raise OAuthError("invalid_request", "The password grant needs username and password.")
    try:
        identity = uow.dfs.authenticate_identity(
            user_name=str(user_name), password=str(password), tenant_key=_tenant_key(body)
        )
    except SignInRefused as refusal:
        raise OAuthError("invalid_grant", str(refusal)) from refusal
    if identity is None:
        raise OAuthError("invalid_grant", "The user name or password is wrong.")
    return issue_for_client(
        uow,
        services().tokens,
        client,
        _requested_scopes(body),
        subject=str(identity.identity_id),
        claims=identity_claims(identity),
    )


def _tenant_key(body: dict[str, Any]) -> str | None:
    """The tenant named as IdentityServer clients name it: `acr_values=tenant:<key>`."""
    for value in str(body.get("acr_values") or "").split():
        if value.startswith("tenant:") and len(value) > len("tenant:"):
            return value[len("tenant:") :]
    return None


GRANTS: dict[str, Grant] = {
    "client_credentials": _client_credentials_grant,
    "password": _password_grant,
}
