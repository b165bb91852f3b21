"""Operations of the tag Authorize: sign the user in from the request and redirect with a code.

There is no sign-in page: a PAT in `id_token_hint` (as the published AnsysID scripts send it)
or, in development, a demo user's e-mail in `login_hint` says who signs in.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from starlette.responses import RedirectResponse, Response

from handlers.b2c.tenant import checked_policy
from specserve.context import services, unit_of_work
from specserve.identity.b2c import requested_scopes
from specserve.identity.errors import OAuthError
from store import UnitOfWork
from store.ansysid.signin import AppRecord, CodeRequest, GrantRefused, PatGrant, SignInUser

# RFC 7636, section 4.2: what a challenge (plain: the verifier; S256: its base64url digest) is.
PKCE_CHALLENGE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


class Redirected(Exception):
    """An error the client hears about at its redirect URI (RFC 6749, section 4.1.2.1)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def authorize(tenant: str, policy: str, **query: Any) -> Response:
    return _authorize(tenant, policy, query)


def authorize_with_policy_query(tenant: str, p: str, **query: Any) -> Response:
    return _authorize(tenant, p, query)


def _authorize(tenant: str, policy: str, query: dict[str, Any]) -> Response:
    policy = checked_policy(tenant, policy)
    redirect_uri = str(query["redirect_uri"])
    with unit_of_work() as uow:
        app = uow.ansysid.signin.app(str(query["client_id"]))
        # Until the client and its redirect URI are known, nowhere is safe to redirect to.
        if app is None:
            raise OAuthError(
                "invalid_request",
                f"AADB2C90068: The provided application with ID '{query['client_id']}' is not "
                "valid against this service.",
            )
        if not redirect_uri_registered(redirect_uri, app.redirect_uris):
            raise OAuthError(
                "invalid_request",
                f"AADB2C90006: The redirect URI '{redirect_uri}' provided in the request is not "
                f"registered for the client id '{app.client_id}'.",
            )
        try:
            code = _issue_code(uow, app, policy, redirect_uri, query)
        except Redirected as refusal:
            answer = {"error": refusal.error, "error_description": refusal.description}
        else:
            answer = {"code": code}
    if query.get("state") is not None:
        answer["state"] = str(query["state"])
    return RedirectResponse(_with_query(redirect_uri, answer), status_code=302)


def _issue_code(
    uow: UnitOfWork, app: AppRecord, policy: str, redirect_uri: str, query: dict[str, Any]
) -> str:
    if query.get("response_type") != "code":
        raise Redirected(
            "unsupported_response_type", "Only the authorization code flow (code) is served."
        )
    if query.get("response_mode") not in (None, "query"):
        raise Redirected("invalid_request", "Only response_mode=query is served.")
    if "authorization_code" not in app.grant_types:
        raise Redirected(
            "unauthorized_client", f"The client '{app.client_id}' may not use the code flow."
        )
    challenge, method = query.get("code_challenge"), query.get("code_challenge_method")
    if method is not None and challenge is None:
        raise Redirected("invalid_request", "code_challenge_method needs a code_challenge.")
    if challenge is not None and not PKCE_CHALLENGE.fullmatch(str(challenge)):
        raise Redirected(
            "invalid_request",
            "The code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636).",
        )
    signin = uow.ansysid.signin
    try:
        granted = requested_scopes(query.get("scope"), signin.resources())
    except OAuthError as refusal:
        raise Redirected(refusal.error, refusal.description) from refusal
    user, pat = _signed_in(uow, query)
    if pat is not None and not set(granted.resource_scopes) <= pat.scopes:
        raise Redirected("invalid_scope", "The personal access token does not carry that scope.")
    return signin.issue_code(
        CodeRequest(
            client_id=app.client_id,
            redirect_uri=redirect_uri,
            user_id=user.id,
            pat_id=None if pat is None else pat.id,
            scope=granted.text,
            nonce=query.get("nonce"),
            code_challenge=challenge,
            code_challenge_method=None if challenge is None else (method or "plain"),
            policy=policy,
        )
    )


def _signed_in(uow: UnitOfWork, query: dict[str, Any]) -> tuple[SignInUser, PatGrant | None]:
    signin = uow.ansysid.signin
    hint = query.get("id_token_hint")
    if hint:
        claims = services().b2c.read_personal_access_token(str(hint))
        if claims is None:
            raise Redirected("access_denied", "The personal access token is invalid.")
        try:
            pat = signin.pat_grant(uuid.UUID(claims["jti"]), uuid.UUID(claims["sub"]))
        except (GrantRefused, ValueError) as refusal:
            raise Redirected("access_denied", str(refusal)) from refusal
        user = signin.user(pat.user_id)
        if user is None:
            raise Redirected("access_denied", "The token's owner is no longer a user.")
        return user, pat
    login = query.get("login_hint")
    if login:
        if services().settings.environment == "production":
            raise Redirected(
                "login_required", "Signing in by login_hint alone is for development only."
            )
        user = signin.user_by_email(str(login))
        if user is None:
            raise Redirected("access_denied", f"No user with the e-mail {login}.")
        return user, None
    raise Redirected("login_required", "Send a personal access token as id_token_hint to sign in.")


def redirect_uri_registered(uri: str, registered: frozenset[str]) -> bool:
    """Exactly a registered URI; or, for a registered loopback URI, the same on any port, as
    native apps use them (RFC 8252, section 7.3)."""
    if uri in registered:
        return True
    loopback = _loopback_without_port(uri)
    return loopback is not None and any(
        loopback == _loopback_without_port(candidate) for candidate in registered
    )


def _loopback_without_port(uri: str) -> str | None:
    """An `http` loopback URI without its port (and without a trailing slash), else None."""
    parts = urlsplit(uri)
    try:
        parts.port  # noqa: B018 - a port that is not a number is no loopback URI
    except ValueError:
        return None
    if (
        parts.scheme != "http"
        or parts.hostname not in ("localhost", "127.0.0.1")
        or parts.username is not None
    ):
        return None
    return urlunsplit(("http", parts.hostname, parts.path.rstrip("/"), parts.query, parts.fragment))


def _with_query(uri: str, answer: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = f"{parts.query}&{urlencode(answer)}" if parts.query else urlencode(answer)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
