"""Operations of the tag Token: the four grants of the B2C tenant."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from connexion import request

from handlers.b2c.tenant import checked_policy
from handlers.identity_server.client_auth import basic_credentials
from handlers.responses import NO_STORE
from specserve.context import services, unit_of_work
from specserve.identity.b2c import (
    TENANT,
    GrantedScopes,
    default_scope,
    requested_scopes,
)
from specserve.identity.errors import OAuthError
from store import UnitOfWork
from store.ansysid.signin import AppRecord, GrantRefused, PatGrant, SignInUser

# The challenge of a client that tried HTTP Basic and failed (RFC 6749, section 5.2).
BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="b2c"'}

Answer = dict[str, Any]
TokenAnswer = tuple[Answer, int, dict[str, str]]
Grant = Callable[[UnitOfWork, AppRecord, str, dict[str, Any]], Answer]


def issue_token(
    tenant: str, policy: str, body: dict[str, Any]
) -> tuple[Answer, int, dict[str, str]]:
    return _issue(tenant, policy, body)


def issue_token_with_policy_query(tenant: str, p: str, body: dict[str, Any]) -> TokenAnswer:
    return _issue(tenant, p, body)


def _issue(tenant: str, policy: str, body: dict[str, Any]) -> TokenAnswer:
    policy = checked_policy(tenant, policy)
    grant_type = str(body.get("grant_type"))
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise OAuthError(
            "unsupported_grant_type", f"The grant type '{grant_type}' is not supported here."
        )
    with unit_of_work() as uow:
        app = _client(uow, body)
        if grant_type not in app.grant_types:
            raise OAuthError(
                "unauthorized_client",
                f"The client '{app.client_id}' may not use the grant '{grant_type}'.",
            )
        answer = grant(uow, app, policy, body)
    return answer, 200, NO_STORE


def _client(uow: UnitOfWork, body: dict[str, Any]) -> AppRecord:
    """The client: public ones name themselves, confidential ones prove it with their secret
    (in the form or by HTTP Basic)."""
    basic = basic_credentials(request.headers.get("authorization"))
    client_id = body.get("client_id") or (basic.client_id if basic else None)
    secret = body.get("client_secret")
    if basic is not None:
        if body.get("client_secret") is not None or client_id != basic.client_id:
            raise OAuthError(
                "invalid_request", "Authenticate the client one way: HTTP Basic or the form."
            )
        secret = basic.secret
    refused = OAuthError(
        "invalid_client",
        "The client could not be authenticated.",
        status=401,
        headers=BASIC_CHALLENGE if basic is not None else None,
    )
    if not client_id:
        raise OAuthError("invalid_request", "Name the client: client_id.")
    signin = uow.ansysid.signin
    app = signin.app(str(client_id))
    if app is None:
        raise refused
    if app.confidential:
        if secret is None or signin.authenticate_app(app.client_id, str(secret)) is None:
            raise refused
    elif secret is not None:
        # A public client has no secret: one sent means a confused client, or a guess.
        raise refused
    return app


def _authorization_code(
    uow: UnitOfWork, app: AppRecord, policy: str, body: dict[str, Any]
) -> Answer:
    if not body.get("code"):
        raise OAuthError("invalid_request", "The authorization_code grant needs a code.")
    signin = uow.ansysid.signin
    try:
        issued = signin.redeem_code(
            str(body["code"]),
            client_id=app.client_id,
            redirect_uri=body.get("redirect_uri"),
            code_verifier=body.get("code_verifier"),
        )
    except GrantRefused as refusal:
        raise OAuthError("invalid_grant", str(refusal)) from refusal
    user, pat = _holder(uow, issued.user_id, issued.pat_id)
    # The resource's scopes are this request's, else the authorize request's (the PAT helper
    # names its resource only now); the OpenID scopes of both requests count.
    resources = signin.resources()
    at_authorize = requested_scopes(issued.scope, resources)
    at_token = requested_scopes(body.get("scope"), resources)
    chosen = at_token if at_token.resource is not None else at_authorize
    scope = " ".join((*chosen.resource_scopes, *at_authorize.oidc, *at_token.oidc))
    granted = _scopes(uow, scope, pat)
    return _user_tokens(user, app, granted, issued.policy, pat, nonce=issued.nonce)


def _refresh_token(uow: UnitOfWork, app: AppRecord, policy: str, body: dict[str, Any]) -> Answer:
    token = body.get("refresh_token")
    if not token:
        raise OAuthError("invalid_request", "The refresh_token grant needs a refresh_token.")
    claims = services().b2c.read_refresh_token(str(token))
    if claims is None or claims["azp"] != app.client_id:
        raise OAuthError("invalid_grant", "The refresh token is invalid or expired.")
    try:
        user_id = uuid.UUID(str(claims["sub"]))
        pat_id = uuid.UUID(claims["pat_id"]) if claims.get("pat_id") else None
    except ValueError as error:
        raise OAuthError("invalid_grant", "The refresh token is invalid.") from error
    user, pat = _holder(uow, user_id, pat_id)
    original = _scopes(uow, str(claims["scope"]), pat)
    asked = body.get("scope")
    if asked:
        # A refresh may narrow the scopes, never widen them.
        narrowed = _scopes(uow, str(asked), pat)
        if not set(narrowed.text.split()) <= set(original.text.split()) | {"openid", "profile"}:
            raise OAuthError("invalid_scope", "A refresh cannot widen the scopes granted.")
        original = narrowed
    return _user_tokens(user, app, original, str(claims["tfp"]), pat, nonce=None)


def _password(uow: UnitOfWork, app: AppRecord, policy: str, body: dict[str, Any]) -> Answer:
    username, password = body.get("username"), body.get("password")
    if not username or password is None:
        raise OAuthError("invalid_request", "The password grant needs username and password.")
    user = uow.ansysid.signin.authenticate_user(str(username), str(password))
    if user is None:
        raise OAuthError("invalid_grant", "AADB2C90225: The username or password is wrong.")
    granted = _scopes(uow, str(body.get("scope") or ""), None)
    return _user_tokens(user, app, granted, policy, None, nonce=None)


def _client_credentials(
    uow: UnitOfWork, app: AppRecord, policy: str, body: dict[str, Any]
) -> Answer:
    if not app.confidential:
        raise OAuthError("unauthorized_client", "A public client has no credentials of its own.")
    resource = default_scope(body.get("scope"), uow.ansysid.signin.resources())
    scope = f"{resource.app_id_uri}/.default"
    if scope not in app.scopes:
        raise OAuthError("invalid_scope", f"The client may not ask for '{scope}'.")
    now = int(time.time())
    b2c = services().b2c
    token = b2c.app_access_token(
        client_id=app.client_id, roles=app.roles, resource=resource, now=now
    )
    return _common(token, b2c.lifetime_seconds, now, scope)


def _holder(
    uow: UnitOfWork, user_id: uuid.UUID, pat_id: uuid.UUID | None
) -> tuple[SignInUser, PatGrant | None]:
    """The user a code or refresh token speaks for, and its PAT, checked again on every exchange."""
    signin = uow.ansysid.signin
    user = signin.user(user_id)
    if user is None:
        raise OAuthError("invalid_grant", "The user no longer exists.")
    if pat_id is None:
        return user, None
    try:
        return user, signin.pat_grant(pat_id, user_id)
    except GrantRefused as refusal:
        raise OAuthError("invalid_grant", str(refusal)) from refusal


def _scopes(uow: UnitOfWork, scope: str, pat: PatGrant | None) -> GrantedScopes:
    granted = requested_scopes(scope, uow.ansysid.signin.resources())
    if granted.resource is None:
        raise OAuthError("invalid_scope", "Ask for a scope of the resource to call.")
    if pat is not None and not set(granted.resource_scopes) <= pat.scopes:
        raise OAuthError("invalid_scope", "The personal access token does not carry that scope.")
    return granted


def _user_tokens(
    user: SignInUser,
    app: AppRecord,
    granted: GrantedScopes,
    policy: str,
    pat: PatGrant | None,
    *,
    nonce: str | None,
) -> Answer:
    now = int(time.time())
    b2c = services().b2c
    access, lifetime = b2c.user_access_token(
        user=user, client_id=app.client_id, granted=granted, policy=policy, pat=pat, now=now
    )
    answer = _common(access, lifetime, now, granted.text)
    answer["id_token"] = b2c.id_token(
        user=user, client_id=app.client_id, nonce=nonce, policy=policy, now=now
    )
    answer["id_token_expires_in"] = b2c.lifetime_seconds
    answer["profile_info"] = _profile_info(user)
    if "offline_access" in granted.oidc and "refresh_token" in app.grant_types:
        refresh, refresh_lifetime = b2c.refresh_token(
            user=user, client_id=app.client_id, scope=granted.text, policy=policy, pat=pat, now=now
        )
        answer["refresh_token"] = refresh
        answer["refresh_token_expires_in"] = refresh_lifetime
    return answer


def _common(token: str, lifetime: int, now: int, scope: str) -> Answer:
    return {
        "access_token": token,
        "token_type": "Bearer",
        "not_before": now,
        "expires_in": lifetime,
        "expires_on": now + lifetime,
        "scope": scope,
    }


def _profile_info(user: SignInUser) -> str:
    """B2C's `profile_info`: base64url JSON about the signed-in user."""
    info = {
        "ver": "1.0",
        "tid": TENANT,
        "sub": str(user.id),
        "name": user.display_name,
        "preferred_username": user.email,
        "idp": "LocalAccount",
    }
    raw = json.dumps(info, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


GRANTS: dict[str, Grant] = {
    "authorization_code": _authorization_code,
    "refresh_token": _refresh_token,
    "password": _password,
    "client_credentials": _client_credentials,
}
