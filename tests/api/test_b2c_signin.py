"""The Azure AD B2C stand-in (specs/b2c.yaml): discovery and keys, the authorize endpoint (a PAT
as `id_token_hint`, `login_hint` in development), the four grants of the token endpoint, their
errors in RFC 6749's form, and what the tokens it issues may and may not do at the AnsysID API."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from httpx2 import Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from handlers.b2c.authorize import redirect_uri_registered
from specserve.apis import API_NAMES
from specserve.app import create_app
from store.ansysid.models import (
    AidAccountUser,
    AidApp,
    AidAuthorizationCode,
    AidPersonalAccessToken,
)
from store.ansysid.signin import SignInUser
from tests.conftest import settings_for
from tests.support.ansysid import (
    ADMIN,
    ANSYSID_AUDIENCE,
    API_SCOPE,
    AUTHORIZE_PATH,
    AUTHORIZE_PATH_P,
    CONTOSO,
    CONTOSO_ADMIN,
    CONTOSO_MEMBER,
    FABRIKAM,
    LAAS_SCOPE,
    NATIVE_REDIRECT,
    PASSWORDS,
    PAT_HELPER_CLIENT,
    POLICY,
    SERVICE_APP,
    SUPPORT,
    SYNC_TOOL_CLIENT,
    TENANT,
    TEST_SCRIPTS_CLIENT,
    TOKEN_PATH,
    TOKEN_PATH_P,
    USER_SCOPE,
    USERS,
    user_auth,
)
from tests.support.secret_watch import used_secret

BASE = "http://testserver"
ISSUER = f"{BASE}/{TENANT}/v2.0/"
DISCOVERY_PATH = f"/{TENANT}/{POLICY}/v2.0/.well-known/openid-configuration"
LAAS_AUDIENCE = "9d3e6b1a-2c4f-4e8d-b7a0-5f1c2d3e4a55"
API_DEFAULT = "https://ansysaccount.onmicrosoft.com/AnsysID/.default"
DETAIL = re.compile(r'"Detail"\s*:\s*"([^"]+)"')
OAUTH_ERRORS = {
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "invalid_tenant",
}
# A PKCE verifier and its S256 challenge, from RFC 7636, appendix B.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
S256_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


# helpers


def oauth_error(response: Response, status: int, error: str) -> str:
    """Asserts an RFC 6749 (section 5.2) error answer; gives its description."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) <= {"error", "error_description", "error_uri"}
    assert body["error"] == error
    assert body["error"] in OAUTH_ERRORS
    assert isinstance(body["error_description"], str) and body["error_description"]
    return str(body["error_description"])


def error_page_detail(response: Response) -> str:
    """Asserts B2C's HTML error page; gives the `Detail` a client picks out with a regex."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("text/html")
    found = DETAIL.search(response.text)
    assert found is not None, response.text
    return found.group(1)


def authorize(
    client: TestClient,
    extra: dict[str, str | None] | None = None,
    *,
    policy_in_query: bool = False,
    **params: str | None,
) -> Response:
    """The authorize endpoint with the sync tool's defaults, changed by `extra` and `params`;
    a None value leaves a parameter out."""
    query: dict[str, str | None] = {
        "client_id": SYNC_TOOL_CLIENT,
        "response_type": "code",
        "redirect_uri": NATIVE_REDIRECT,
        "scope": USER_SCOPE,
        "state": "state-42",
    }
    query |= (extra or {}) | params
    sent = {name: value for name, value in query.items() if value is not None}
    if policy_in_query:
        return client.get(AUTHORIZE_PATH_P, params={"p": POLICY, **sent}, follow_redirects=False)
    return client.get(AUTHORIZE_PATH, params=sent, follow_redirects=False)


def redirected(response: Response, to: str = NATIVE_REDIRECT) -> dict[str, str]:
    """Asserts a redirect to `to`; gives the parameters in its query."""
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == to
    assert not location.fragment
    parsed = parse_qs(location.query, keep_blank_values=True)
    assert all(len(values) == 1 for values in parsed.values()), parsed
    return {name: values[0] for name, values in parsed.items()}


def refused(response: Response, error: str) -> str:
    """Asserts an authorize error sent to the redirect URI with the state; gives its text."""
    answer = redirected(response)
    assert "code" not in answer
    assert answer["error"] == error
    assert answer["state"] == "state-42"
    return answer["error_description"]


def code_from(response: Response, to: str = NATIVE_REDIRECT) -> str:
    answer = redirected(response, to)
    assert "error" not in answer, answer
    assert answer["state"] == "state-42"
    return answer["code"]


def create_pat(
    client: TestClient,
    email: str = CONTOSO_ADMIN,
    account: uuid.UUID = CONTOSO,
    scopes: list[str] | None = None,
) -> dict[str, Any]:
    """A new PAT of `email` through the AnsysID API: its `tokenId` and its `token`."""
    body: dict[str, Any] = {"name": "b2c test", "accountId": str(account)}
    if scopes is not None:
        body["scopes"] = scopes
    response = client.post("/PersonalAccessTokens", json=body, headers=user_auth(client, email))
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    used_secret(created["token"])
    return created


def revoke_pat(client: TestClient, pat: dict[str, Any], email: str = CONTOSO_ADMIN) -> None:
    response = client.delete(
        f"/PersonalAccessTokens/{pat['tokenId']}", headers=user_auth(client, email)
    )
    assert response.status_code == 204, response.text


def redeem(
    client: TestClient,
    code: str,
    *,
    client_id: str = SYNC_TOOL_CLIENT,
    redirect_uri: str | None = NATIVE_REDIRECT,
    path: str = TOKEN_PATH,
    **extra: str,
) -> Response:
    form = {"grant_type": "authorization_code", "client_id": client_id, "code": code, **extra}
    if redirect_uri is not None:
        form["redirect_uri"] = redirect_uri
    return client.post(path, data=form)


def tokens_of(response: Response) -> dict[str, Any]:
    """Asserts a token answer as the spec describes it; gives its body."""
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_on"] - body["not_before"] == body["expires_in"]
    return body


def pat_tokens(
    client: TestClient,
    pat: dict[str, Any],
    *,
    scope: str = USER_SCOPE,
    nonce: str | None = None,
    login_hint: str | None = None,
) -> dict[str, Any]:
    """The whole code flow of the sync tool with a PAT."""
    answer = authorize(
        client, id_token_hint=pat["token"], scope=scope, nonce=nonce, login_hint=login_hint
    )
    code = code_from(answer)
    return tokens_of(redeem(client, code))


def keys_of(client: TestClient) -> dict[str, jwt.PyJWK]:
    discovery = client.get(DISCOVERY_PATH).json()
    response = client.get(discovery["jwks_uri"].removeprefix(BASE))
    assert response.status_code == 200, response.text
    return {key["kid"]: jwt.PyJWK(key) for key in response.json()["keys"]}


def verified(client: TestClient, token: str, audience: str) -> dict[str, Any]:
    """The claims of a token, checked against the published keys, issuer and audience."""
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    key = keys_of(client)[header["kid"]]
    claims: dict[str, Any] = jwt.decode(
        token, key.key, algorithms=["RS256"], audience=audience, issuer=ISSUER
    )
    return claims


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(client_id: str, secret: str) -> dict[str, str]:
    pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def set_pat_expiry(app: Any, pat: dict[str, Any], expires_at: datetime.datetime) -> None:
    with Session(app.services.store.engine) as session, session.begin():
        row = session.get(AidPersonalAccessToken, uuid.UUID(pat["tokenId"]))
        assert row is not None
        row.expires_at = expires_at


def expire_code(app: Any, code: str) -> None:
    digest = hashlib.sha256(code.encode()).hexdigest()
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    with Session(app.services.store.engine) as session, session.begin():
        row = session.scalar(
            select(AidAuthorizationCode).where(AidAuthorizationCode.code_hash == digest)
        )
        assert row is not None
        row.expires_at = past


def password_form(email: str, **overrides: str) -> dict[str, str]:
    return {
        "grant_type": "password",
        "client_id": TEST_SCRIPTS_CLIENT,
        "username": email,
        "password": PASSWORDS[email],
        "scope": USER_SCOPE,
        **overrides,
    }


# discovery


@pytest.mark.parametrize("policy", [POLICY, POLICY.lower(), "b2c_1a_AnsysID_Signup_SignIn"])
def test_the_discovery_document_is_served_for_the_policy_in_any_case(
    ansysid_client: TestClient, policy: str
) -> None:
    """The document answers for the policy in any letter case and names B2C's lower-case
    endpoints below the public URL, with the one issuer of the tenant."""
    response = ansysid_client.get(
        f"/{TENANT.upper()}/{policy}/v2.0/.well-known/openid-configuration"
    )
    assert response.status_code == 200, response.text
    document = response.json()
    base = f"{BASE}/{TENANT}/{POLICY.lower()}"
    assert document["issuer"] == ISSUER
    assert document["authorization_endpoint"] == f"{base}/oauth2/v2.0/authorize"
    assert document["token_endpoint"] == f"{base}/oauth2/v2.0/token"
    assert document["jwks_uri"] == f"{base}/discovery/v2.0/keys"
    assert document["response_types_supported"] == ["code"]
    assert document["response_modes_supported"] == ["query"]
    assert set(document["code_challenge_methods_supported"]) == {"plain", "S256"}
    assert set(document["grant_types_supported"]) == {
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "password",
    }
    assert {"openid", "offline_access", API_SCOPE, LAAS_SCOPE} <= set(document["scopes_supported"])
    assert {"client_secret_post", "client_secret_basic"} <= set(
        document["token_endpoint_auth_methods_supported"]
    )
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]


def test_the_discovered_endpoints_sign_a_user_in_and_the_jwks_verifies_the_tokens(
    ansysid_client: TestClient,
) -> None:
    """An OpenID client that knows only the authority finds working authorize, token and key
    endpoints, and the published key (as a JWK) verifies every token."""
    document = ansysid_client.get(DISCOVERY_PATH.lower()).json()
    pat = create_pat(ansysid_client)
    answer = ansysid_client.get(
        document["authorization_endpoint"].removeprefix(BASE),
        params={
            "client_id": SYNC_TOOL_CLIENT,
            "response_type": "code",
            "redirect_uri": NATIVE_REDIRECT,
            "scope": USER_SCOPE,
            "state": "state-42",
            "id_token_hint": pat["token"],
        },
        follow_redirects=False,
    )
    code = code_from(answer)
    response = ansysid_client.post(
        document["token_endpoint"].removeprefix(BASE),
        data={
            "grant_type": "authorization_code",
            "client_id": SYNC_TOOL_CLIENT,
            "code": code,
            "redirect_uri": NATIVE_REDIRECT,
        },
    )
    tokens = tokens_of(response)
    keys = ansysid_client.get(document["jwks_uri"].removeprefix(BASE)).json()["keys"]
    assert keys and all(key["kty"] == "RSA" and "d" not in key for key in keys)
    for token, audience in (
        (tokens["access_token"], ANSYSID_AUDIENCE),
        (tokens["id_token"], SYNC_TOOL_CLIENT),
    ):
        kid = jwt.get_unverified_header(token)["kid"]
        key = jwt.PyJWK(next(key for key in keys if key["kid"] == kid))
        claims = jwt.decode(
            token, key.key, algorithms=["RS256"], audience=audience, issuer=document["issuer"]
        )
        assert claims["sub"] == str(USERS[CONTOSO_ADMIN])


AUTHORIZE_QUERY = {
    "client_id": SYNC_TOOL_CLIENT,
    "response_type": "code",
    "redirect_uri": NATIVE_REDIRECT,
    "scope": USER_SCOPE,
}


@pytest.mark.parametrize(
    ("path", "query"),
    [
        (f"/contoso.onmicrosoft.com/{POLICY}/v2.0/.well-known/openid-configuration", {}),
        (f"/contoso.onmicrosoft.com/{POLICY}/discovery/v2.0/keys", {}),
        (f"/contoso.onmicrosoft.com/{POLICY}/oauth2/v2.0/authorize", AUTHORIZE_QUERY),
        ("/contoso.onmicrosoft.com/oauth2/v2.0/authorize", {"p": POLICY, **AUTHORIZE_QUERY}),
    ],
)
def test_an_unknown_tenant_is_404_invalid_tenant(
    ansysid_client: TestClient, path: str, query: dict[str, str]
) -> None:
    """Another tenant is `404` with `invalid_tenant` in JSON, on the authorize endpoint too."""
    response = ansysid_client.get(path, params=query, follow_redirects=False)
    assert "contoso.onmicrosoft.com" in oauth_error(response, 404, "invalid_tenant")


def test_an_unknown_tenant_at_the_token_endpoint_is_404(ansysid_client: TestClient) -> None:
    """The token endpoint answers an unknown tenant as discovery does."""
    response = ansysid_client.post(
        f"/contoso.onmicrosoft.com/{POLICY}/oauth2/v2.0/token",
        data=password_form(CONTOSO_ADMIN),
    )
    oauth_error(response, 404, "invalid_tenant")


@pytest.mark.parametrize(
    "path",
    [
        f"/{TENANT}/B2C_1A_UNKNOWN/v2.0/.well-known/openid-configuration",
        f"/{TENANT}/B2C_1A_UNKNOWN/discovery/v2.0/keys",
    ],
)
def test_an_unknown_policy_is_400_invalid_request(ansysid_client: TestClient, path: str) -> None:
    """The tenant has one policy; another is `400` `invalid_request` naming it."""
    assert "B2C_1A_UNKNOWN" in oauth_error(ansysid_client.get(path), 400, "invalid_request")


@pytest.mark.parametrize(
    "path",
    [
        f"/{TENANT}/B2C_1A_UNKNOWN/oauth2/v2.0/token",
        f"/{TENANT}/oauth2/v2.0/token?p=B2C_1A_UNKNOWN",
    ],
)
def test_an_unknown_policy_at_the_token_endpoint_is_400(
    ansysid_client: TestClient, path: str
) -> None:
    """At both token addresses, an unknown policy is `invalid_request` in JSON."""
    response = ansysid_client.post(path, data=password_form(CONTOSO_ADMIN))
    assert "B2C_1A_UNKNOWN" in oauth_error(response, 400, "invalid_request")


# authorize: signing in


@pytest.mark.parametrize("policy_in_query", [False, True], ids=["policy-in-path", "p-query"])
def test_a_pat_as_id_token_hint_redirects_with_a_code_and_the_state(
    ansysid_client: TestClient, policy_in_query: bool
) -> None:
    """Both authorize addresses sign the PAT's owner in and redirect to the registered URI
    with a single-use code and the state, and nothing else."""
    pat = create_pat(ansysid_client)
    response = authorize(
        ansysid_client, policy_in_query=policy_in_query, id_token_hint=pat["token"]
    )
    answer = redirected(response)
    assert set(answer) == {"code", "state"}
    assert answer["state"] == "state-42"
    claims = verified(
        ansysid_client,
        tokens_of(redeem(ansysid_client, answer["code"]))["access_token"],
        ANSYSID_AUDIENCE,
    )
    assert claims["pat_id"] == pat["tokenId"]


def test_the_state_comes_back_unchanged(ansysid_client: TestClient) -> None:
    """Any characters of `state` survive the round trip, on success and on error."""
    state = "a b&c=d/é?#%20+"
    pat = create_pat(ansysid_client)
    assert (
        redirected(authorize(ansysid_client, id_token_hint=pat["token"], state=state))["state"]
        == state
    )
    assert redirected(authorize(ansysid_client, state=state))["state"] == state


def test_without_state_the_redirect_has_none(ansysid_client: TestClient) -> None:
    """`state` is echoed only when the request sent one."""
    pat = create_pat(ansysid_client)
    answer = redirected(authorize(ansysid_client, id_token_hint=pat["token"], state=None))
    assert set(answer) == {"code"}
    answer = redirected(authorize(ansysid_client, state=None))
    assert set(answer) == {"error", "error_description"}


@pytest.mark.parametrize("port", [5000, 61234])
def test_a_registered_localhost_redirect_uri_takes_any_port(
    ansysid_client: TestClient, port: int
) -> None:
    """`http://localhost` registered means any port of it, as native apps listen (RFC 8252),
    and the code is then redeemed with that same URI."""
    pat = create_pat(ansysid_client)
    uri = f"http://localhost:{port}"
    code = code_from(authorize(ansysid_client, id_token_hint=pat["token"], redirect_uri=uri), uri)
    tokens_of(redeem(ansysid_client, code, redirect_uri=uri))


@pytest.mark.parametrize(
    "uri",
    [
        "http://localhost:5000/callback",  # another path
        "http://localhost:5000/?x=1",  # another query
        "https://localhost:5000",  # another scheme
        "http://127.0.0.1:5000",  # another host than the one registered
        "http://localhost.evil.example:5000",
        "http://localhost@evil.example",
        "http://user@localhost:5000",  # credentials in a redirect URI
        "http://localhost:port",  # no port at all
        "http://localhost:5000#fragment",
        "https://login.microsoftonline.com/common/oauth2/nativeclient/extra",
        "https://app.example.com/callback",
    ],
)
def test_an_unregistered_redirect_uri_is_the_error_page(
    ansysid_client: TestClient, uri: str
) -> None:
    """A redirect URI not registered for the client is never redirected to: the HTML error
    page, whose `Detail` (AADB2C90006) a client extracts with the documented regex."""
    pat = create_pat(ansysid_client)
    response = authorize(ansysid_client, id_token_hint=pat["token"], redirect_uri=uri)
    assert "location" not in response.headers
    detail = error_page_detail(response)
    assert detail.startswith("AADB2C90006")
    assert uri in detail and SYNC_TOOL_CLIENT in detail


@pytest.mark.parametrize("policy_in_query", [False, True], ids=["policy-in-path", "p-query"])
def test_an_unknown_client_is_the_error_page(
    ansysid_client: TestClient, policy_in_query: bool
) -> None:
    """An unknown `client_id` has no redirect URI to trust: the error page (AADB2C90068)."""
    unknown = "00000000-1111-2222-3333-444444444444"
    response = authorize(ansysid_client, policy_in_query=policy_in_query, client_id=unknown)
    detail = error_page_detail(response)
    assert detail.startswith("AADB2C90068")
    assert unknown in detail


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"client_id": None}, "client_id"),
        ({"redirect_uri": None}, "redirect_uri"),
        ({"response_type": None}, "response_type"),
        ({"scope": "x" * 1001}, "scope"),
        (
            {"code_challenge": S256_CHALLENGE, "code_challenge_method": "S512"},
            "code_challenge_method",
        ),
    ],
)
def test_a_request_failing_the_parameters_rules_is_the_error_page(
    ansysid_client: TestClient, params: dict[str, str | None], detail: str
) -> None:
    """A request that cannot be read is not redirected: the error page names the parameter."""
    assert detail in error_page_detail(authorize(ansysid_client, params))


@pytest.mark.parametrize("policy_in_query", [False, True], ids=["policy-in-path", "p-query"])
def test_an_unknown_policy_at_authorize_is_the_error_page(
    ansysid_client: TestClient, policy_in_query: bool
) -> None:
    """An unknown policy at the authorize endpoint is the HTML error page, not JSON."""
    if policy_in_query:
        path, params = AUTHORIZE_PATH_P, {"p": "B2C_1A_UNKNOWN", **AUTHORIZE_QUERY}
    else:
        path, params = AUTHORIZE_PATH.replace(POLICY, "B2C_1A_UNKNOWN"), AUTHORIZE_QUERY
    response = ansysid_client.get(path, params=params, follow_redirects=False)
    assert "B2C_1A_UNKNOWN" in error_page_detail(response)


def test_the_policy_query_parameter_is_required(ansysid_client: TestClient) -> None:
    """The `?p=` address without `p` is the error page."""
    response = ansysid_client.get(AUTHORIZE_PATH_P, params=AUTHORIZE_QUERY, follow_redirects=False)
    assert "p" in error_page_detail(response)


def test_the_error_page_detail_never_breaks_the_regex(ansysid_client: TestClient) -> None:
    """A redirect URI with double quotes cannot end the `Detail` string early or inject into
    the page: the message holds no double quote and the regex reads all of it."""
    uri = 'https://evil.example/"};alert(1);</script><script>x={"a":"'
    response = authorize(ansysid_client, redirect_uri=uri)
    detail = error_page_detail(response)
    assert detail.startswith("AADB2C90006") and detail.endswith(f"'{SYNC_TOOL_CLIENT}'.")
    assert "</script><script>" not in response.text


@pytest.mark.parametrize("policy_in_query", [False, True], ids=["policy-in-path", "p-query"])
def test_an_invalid_pat_is_access_denied(ansysid_client: TestClient, policy_in_query: bool) -> None:
    """Something that is not a PAT of this server is `access_denied` at the redirect URI."""
    for hint in ("not-a-jwt", password_grant_token(ansysid_client), forged_pat(ansysid_client)):
        response = authorize(ansysid_client, policy_in_query=policy_in_query, id_token_hint=hint)
        assert refused(response, "access_denied")


def password_grant_token(client: TestClient) -> str:
    """A B2C access token: signed by the server, but no PAT."""
    response = client.post(TOKEN_PATH, data=password_form(CONTOSO_ADMIN))
    return str(tokens_of(response)["access_token"])


def forged_pat(client: TestClient) -> str:
    """A well-signed PAT whose id the store never issued."""
    app: Any = client.app
    return str(
        app.services.b2c.personal_access_token(
            pat_id=uuid.uuid4(),
            user_id=USERS[CONTOSO_ADMIN],
            account_id=CONTOSO,
            scopes=[API_SCOPE],
            expires_at=int(time.time()) + 3600,
        )
    )


def test_a_pat_whose_subject_is_another_user_is_access_denied(
    ansysid_client: TestClient, ansysid_app: Any
) -> None:
    """A PAT's id with another user as its subject (a forgery with our key) signs no one in."""
    pat = create_pat(ansysid_client)
    token = ansysid_app.services.b2c.personal_access_token(
        pat_id=uuid.UUID(pat["tokenId"]),
        user_id=USERS[ADMIN],
        account_id=CONTOSO,
        scopes=[API_SCOPE],
        expires_at=int(time.time()) + 3600,
    )
    assert refused(authorize(ansysid_client, id_token_hint=token), "access_denied")


def test_an_expired_pat_is_access_denied(ansysid_client: TestClient, ansysid_app: Any) -> None:
    """The store's expiry decides: a PAT past it is `access_denied`."""
    pat = create_pat(ansysid_client)
    set_pat_expiry(ansysid_app, pat, datetime.datetime.now(datetime.UTC) - datetime.timedelta(1))
    description = refused(authorize(ansysid_client, id_token_hint=pat["token"]), "access_denied")
    assert "expired" in description


def test_a_pat_whose_expiry_was_extended_signs_in_after_its_first_expiry(
    ansysid_client: TestClient, ansysid_app: Any
) -> None:
    """An expiry moved into the future again (as its owner may) lets the PAT sign in again,
    and the refresh token ends with the new expiry."""
    pat = create_pat(ansysid_client)
    now = datetime.datetime.now(datetime.UTC)
    set_pat_expiry(ansysid_app, pat, now - datetime.timedelta(days=1))
    refused(authorize(ansysid_client, id_token_hint=pat["token"]), "access_denied")
    set_pat_expiry(ansysid_app, pat, now + datetime.timedelta(days=10))
    tokens = pat_tokens(ansysid_client, pat)
    assert 9 * 86400 < tokens["refresh_token_expires_in"] <= 10 * 86400 + 5


def test_a_pat_expired_in_its_claims_follows_the_store(ansysid_client: TestClient) -> None:
    """A PAT whose `exp` claim has passed but whose stored expiry has not still signs in."""
    pat = create_pat(ansysid_client)
    app: Any = ansysid_client.app
    token = app.services.b2c.personal_access_token(
        pat_id=uuid.UUID(pat["tokenId"]),
        user_id=USERS[CONTOSO_ADMIN],
        account_id=CONTOSO,
        scopes=[API_SCOPE],
        expires_at=int(time.time()) - 3600,
    )
    code_from(authorize(ansysid_client, id_token_hint=token))


def test_a_pat_of_a_user_no_longer_in_its_account_is_access_denied(
    ansysid_client: TestClient, ansysid_app: Any
) -> None:
    """A PAT reaches its account only while its owner is in it (or an Ansys Administrator)."""
    pat = create_pat(ansysid_client, CONTOSO_MEMBER, CONTOSO)
    with Session(ansysid_app.services.store.engine) as session, session.begin():
        session.execute(
            delete(AidAccountUser).where(
                AidAccountUser.account_id == CONTOSO,
                AidAccountUser.user_id == USERS[CONTOSO_MEMBER],
            )
        )
    assert refused(authorize(ansysid_client, id_token_hint=pat["token"]), "access_denied")


def test_a_revoked_pat_is_access_denied(ansysid_client: TestClient) -> None:
    """A PAT revoked through the AnsysID API no longer signs in."""
    pat = create_pat(ansysid_client)
    revoke_pat(ansysid_client, pat)
    description = refused(authorize(ansysid_client, id_token_hint=pat["token"]), "access_denied")
    assert "revoked" in description


def test_a_pat_decides_when_login_hint_is_also_sent(ansysid_client: TestClient) -> None:
    """With both hints the PAT says who signs in; `login_hint` is ignored."""
    pat = create_pat(ansysid_client)
    tokens = pat_tokens(ansysid_client, pat, login_hint=CONTOSO_MEMBER)
    claims = verified(ansysid_client, tokens["access_token"], ANSYSID_AUDIENCE)
    assert claims["email"] == CONTOSO_ADMIN


@pytest.mark.parametrize("policy_in_query", [False, True], ids=["policy-in-path", "p-query"])
def test_login_hint_signs_a_demo_user_in_during_development(
    ansysid_client: TestClient, policy_in_query: bool
) -> None:
    """In development a user's e-mail (any case) signs that user in, without a PAT."""
    response = authorize(
        ansysid_client, policy_in_query=policy_in_query, login_hint=CONTOSO_MEMBER.upper()
    )
    tokens = tokens_of(redeem(ansysid_client, code_from(response)))
    claims = verified(ansysid_client, tokens["access_token"], ANSYSID_AUDIENCE)
    assert claims["sub"] == str(USERS[CONTOSO_MEMBER])
    assert "pat_id" not in claims and "account_id" not in claims


def test_an_unknown_login_hint_is_access_denied(ansysid_client: TestClient) -> None:
    """An e-mail of no user is `access_denied`."""
    assert refused(authorize(ansysid_client, login_hint="nobody@example.com"), "access_denied")


@pytest.fixture
def production_client(database_url: str, data_dir: Path) -> Iterator[TestClient]:
    """The server as `SPECSERVE_ENV=production` runs it (PostgreSQL or SQLite; a public URL)."""
    application = create_app(
        settings_for(database_url, data_dir, apis=API_NAMES, environment="production")
    )
    yield TestClient(application, raise_server_exceptions=False)
    application.services.store.dispose()


def test_login_hint_is_refused_in_production(production_client: TestClient) -> None:
    """In production `login_hint` alone is `login_required`; a PAT still signs in."""
    assert refused(authorize(production_client, login_hint=CONTOSO_MEMBER), "login_required")
    pat = create_pat(production_client)
    code_from(authorize(production_client, id_token_hint=pat["token"], login_hint=ADMIN))


def test_neither_hint_is_login_required(ansysid_client: TestClient) -> None:
    """Without a PAT or a login hint there is no one to sign in."""
    assert refused(authorize(ansysid_client), "login_required")
    assert refused(authorize(ansysid_client, id_token_hint="", login_hint=""), "login_required")


@pytest.mark.parametrize("response_type", ["token", "id_token", "code id_token", "CODE"])
def test_a_response_type_other_than_code_is_unsupported(
    ansysid_client: TestClient, response_type: str
) -> None:
    """Only the code flow is served: anything else is `unsupported_response_type`."""
    pat = create_pat(ansysid_client)
    response = authorize(ansysid_client, id_token_hint=pat["token"], response_type=response_type)
    assert refused(response, "unsupported_response_type")


@pytest.mark.parametrize("mode", ["fragment", "form_post"])
def test_a_response_mode_other_than_query_is_invalid_request(
    ansysid_client: TestClient, mode: str
) -> None:
    """The answer travels only in the query; another `response_mode` is `invalid_request`,
    itself sent in the query."""
    pat = create_pat(ansysid_client)
    response = authorize(ansysid_client, id_token_hint=pat["token"], response_mode=mode)
    assert refused(response, "invalid_request")


def test_response_mode_query_is_accepted(ansysid_client: TestClient) -> None:
    pat = create_pat(ansysid_client)
    code_from(authorize(ansysid_client, id_token_hint=pat["token"], response_mode="query"))


@pytest.mark.parametrize(
    "scope",
    [
        "openid https://ansysaccount.onmicrosoft.com/AnsysID/Unknown",
        "openid https://contoso.example/api/read",
        "openid write",
        f"openid {API_SCOPE} {LAAS_SCOPE}",  # two resources
    ],
)
def test_an_unknown_scope_is_invalid_scope(ansysid_client: TestClient, scope: str) -> None:
    """An unknown scope, or the scopes of two resources, is `invalid_scope`."""
    pat = create_pat(ansysid_client)
    assert refused(
        authorize(ansysid_client, id_token_hint=pat["token"], scope=scope), "invalid_scope"
    )


def test_a_scope_the_pat_does_not_carry_is_invalid_scope(ansysid_client: TestClient) -> None:
    """A PAT made for the AnsysID scope cannot sign in for Licensing as a Service."""
    pat = create_pat(ansysid_client, scopes=[API_SCOPE])
    scope = f"openid offline_access {LAAS_SCOPE}"
    response = authorize(ansysid_client, id_token_hint=pat["token"], scope=scope)
    assert refused(response, "invalid_scope")


@pytest.mark.parametrize(
    "challenge",
    ["short", "x" * 42, S256_CHALLENGE[:-1] + "+", S256_CHALLENGE[:-1] + "="],
)
def test_a_malformed_code_challenge_is_invalid_request(
    ansysid_client: TestClient, challenge: str
) -> None:
    """A `code_challenge` outside RFC 7636's form (43 to 128 unreserved characters) is
    `invalid_request` at the redirect URI."""
    pat = create_pat(ansysid_client)
    response = authorize(
        ansysid_client,
        id_token_hint=pat["token"],
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert refused(response, "invalid_request")


def test_a_code_challenge_method_without_a_challenge_is_invalid_request(
    ansysid_client: TestClient,
) -> None:
    pat = create_pat(ansysid_client)
    response = authorize(ansysid_client, id_token_hint=pat["token"], code_challenge_method="S256")
    assert refused(response, "invalid_request")


def test_a_client_not_registered_for_the_code_flow_is_unauthorized_client(
    ansysid_client: TestClient, ansysid_app: Any
) -> None:
    """A known client with a registered redirect URI but without the code grant hears
    `unauthorized_client` at that URI."""
    client_id = "0c0c0c0c-1111-4222-8333-444444444444"
    with Session(ansysid_app.services.store.engine) as session, session.begin():
        session.add(
            AidApp(
                client_id=client_id,
                name="Password only",
                secret_hash=None,
                redirect_uris="https://only.example/cb",
                grant_types="password",
                scopes="",
                roles="",
            )
        )
    response = authorize(
        ansysid_client,
        client_id=client_id,
        redirect_uri="https://only.example/cb",
        login_hint=CONTOSO_ADMIN,
    )
    answer = redirected(response, "https://only.example/cb")
    assert answer["error"] == "unauthorized_client" and "code" not in answer


def test_prompt_and_client_ip_are_accepted_and_ignored(ansysid_client: TestClient) -> None:
    """The PAT helper's extra parameters change nothing."""
    pat = create_pat(ansysid_client)
    response = authorize(
        ansysid_client,
        policy_in_query=True,
        id_token_hint=pat["token"],
        prompt="login",
        client_ip="203.0.113.7",
        nonce="n-1",
    )
    code_from(response)


# token: authorization code


def test_the_access_token_of_a_pat_sign_in_carries_the_documented_claims(
    ansysid_client: TestClient,
) -> None:
    """The access token from a PAT: issuer, the AnsysID app as audience, `scp`, the user, the
    client, the policy, `ver`, and the PAT's id and account; the answer as B2C's."""
    pat = create_pat(ansysid_client, scopes=[API_SCOPE])
    tokens = pat_tokens(ansysid_client, pat)
    assert tokens["scope"].split() == [API_SCOPE, "openid", "offline_access"]
    assert tokens["expires_in"] == 3600
    assert tokens["id_token_expires_in"] == 3600
    claims = verified(ansysid_client, tokens["access_token"], ANSYSID_AUDIENCE)
    user = str(USERS[CONTOSO_ADMIN])
    assert claims["iss"] == ISSUER
    assert claims["aud"] == ANSYSID_AUDIENCE
    assert claims["scp"] == "Authentication"
    assert (claims["sub"], claims["oid"]) == (user, user)
    assert claims["email"] == CONTOSO_ADMIN
    assert (claims["name"], claims["given_name"], claims["family_name"]) == (
        "Anna Andersen",
        "Anna",
        "Andersen",
    )
    assert claims["azp"] == SYNC_TOOL_CLIENT
    assert claims["tfp"] == POLICY
    assert claims["ver"] == "1.0"
    assert claims["pat_id"] == pat["tokenId"]
    assert claims["account_id"] == str(CONTOSO)
    assert "roles" not in claims
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["nbf"] == claims["iat"] == tokens["not_before"]
    profile = json.loads(base64.urlsafe_b64decode(tokens["profile_info"] + "=="))
    assert profile["tid"] == TENANT and profile["sub"] == user


def test_an_ansys_administrator_has_the_roles_claim(ansysid_client: TestClient) -> None:
    """A user in the Ansys Administrator federation group has it in `roles`."""
    pat = create_pat(ansysid_client, ADMIN, CONTOSO)
    claims = verified(
        ansysid_client, pat_tokens(ansysid_client, pat)["access_token"], ANSYSID_AUDIENCE
    )
    assert claims["roles"] == ["Ansys Administrator"]
    assert claims["email"] == ADMIN


def test_the_id_token_carries_the_nonce_and_the_client_as_audience(
    ansysid_client: TestClient,
) -> None:
    """The ID token is for the client (`aud`), with the authorize request's `nonce`."""
    pat = create_pat(ansysid_client)
    tokens = pat_tokens(ansysid_client, pat, nonce="defaultNonce")
    claims = verified(ansysid_client, tokens["id_token"], SYNC_TOOL_CLIENT)
    assert claims["aud"] == SYNC_TOOL_CLIENT
    assert claims["nonce"] == "defaultNonce"
    assert claims["sub"] == str(USERS[CONTOSO_ADMIN])
    assert claims["email"] == CONTOSO_ADMIN
    assert claims["tfp"] == POLICY
    assert "scp" not in claims
    without = verified(
        ansysid_client, pat_tokens(ansysid_client, pat)["id_token"], SYNC_TOOL_CLIENT
    )
    assert "nonce" not in without
    # As long a nonce as the spec allows comes back whole, on either database.
    longest = "n" * 1000
    tokens = pat_tokens(ansysid_client, pat, nonce=longest)
    assert verified(ansysid_client, tokens["id_token"], SYNC_TOOL_CLIENT)["nonce"] == longest


def test_the_resource_scope_may_be_named_only_at_the_token_endpoint(
    ansysid_client: TestClient,
) -> None:
    """As the PAT helper does: authorize with `openid offline_access`, name the resource when
    redeeming; and with a resource named at neither, `invalid_scope`."""
    pat = create_pat(ansysid_client)
    code = code_from(
        authorize(ansysid_client, id_token_hint=pat["token"], scope="openid offline_access")
    )
    tokens = tokens_of(redeem(ansysid_client, code, scope=f"{LAAS_SCOPE} openid offline_access"))
    claims = verified(ansysid_client, tokens["access_token"], LAAS_AUDIENCE)
    assert claims["scp"] == "LicensingAsAService"
    code = code_from(
        authorize(ansysid_client, id_token_hint=pat["token"], scope="openid offline_access")
    )
    oauth_error(redeem(ansysid_client, code), 400, "invalid_scope")


def test_the_token_requests_resource_scope_decides(ansysid_client: TestClient) -> None:
    """A resource scope named when redeeming replaces the authorize request's; the OpenID
    scopes of both count (here `offline_access` from authorize gives a refresh token)."""
    pat = create_pat(ansysid_client)  # both resource scopes
    code = code_from(authorize(ansysid_client, id_token_hint=pat["token"]))
    tokens = tokens_of(redeem(ansysid_client, code, scope=f"openid {LAAS_SCOPE}"))
    assert tokens["scope"].split() == [LAAS_SCOPE, "openid", "offline_access"]
    assert (
        verified(ansysid_client, tokens["access_token"], LAAS_AUDIENCE)["scp"]
        == "LicensingAsAService"
    )
    assert tokens["refresh_token"]


def test_a_token_scope_the_pat_does_not_carry_is_invalid_scope(ansysid_client: TestClient) -> None:
    """Naming at the token endpoint a scope the PAT lacks is `invalid_scope`."""
    pat = create_pat(ansysid_client, scopes=[API_SCOPE])
    code = code_from(
        authorize(ansysid_client, id_token_hint=pat["token"], scope="openid offline_access")
    )
    oauth_error(redeem(ansysid_client, code, scope=LAAS_SCOPE), 400, "invalid_scope")


def test_the_code_is_redeemed_at_the_policy_query_address(ansysid_client: TestClient) -> None:
    """The published scripts' token address (`?p=`) redeems codes too."""
    pat = create_pat(ansysid_client)
    code = code_from(authorize(ansysid_client, policy_in_query=True, id_token_hint=pat["token"]))
    tokens_of(redeem(ansysid_client, code, path=TOKEN_PATH_P))


@pytest.mark.parametrize(
    ("challenge", "method", "verifier"),
    [
        (S256_CHALLENGE, "S256", VERIFIER),
        (VERIFIER, "plain", VERIFIER),
        (VERIFIER, None, VERIFIER),  # plain when the method is left out
    ],
)
def test_pkce_with_the_right_verifier(
    ansysid_client: TestClient, challenge: str, method: str | None, verifier: str
) -> None:
    """A code issued with a challenge is redeemed with its verifier (S256 and plain)."""
    pat = create_pat(ansysid_client)
    code = code_from(
        authorize(
            ansysid_client,
            id_token_hint=pat["token"],
            code_challenge=challenge,
            code_challenge_method=method,
            client_id=PAT_HELPER_CLIENT,
        )
    )
    tokens_of(redeem(ansysid_client, code, client_id=PAT_HELPER_CLIENT, code_verifier=verifier))


@pytest.mark.parametrize(
    ("challenge", "method", "verifier"),
    [
        (S256_CHALLENGE, "S256", VERIFIER[:-1] + "j"),
        (S256_CHALLENGE, "S256", S256_CHALLENGE),  # the challenge itself is no verifier
        (S256_CHALLENGE, "S256", None),
        (VERIFIER, "plain", S256_CHALLENGE),
        (VERIFIER, "plain", None),
    ],
)
def test_pkce_with_a_wrong_or_missing_verifier_is_invalid_grant(
    ansysid_client: TestClient, challenge: str, method: str, verifier: str | None
) -> None:
    """A wrong or missing verifier is `invalid_grant`."""
    pat = create_pat(ansysid_client)
    code = code_from(
        authorize(
            ansysid_client,
            id_token_hint=pat["token"],
            code_challenge=challenge,
            code_challenge_method=method,
        )
    )
    extra = {} if verifier is None else {"code_verifier": verifier}
    oauth_error(redeem(ansysid_client, code, **extra), 400, "invalid_grant")


def test_a_code_is_good_once(ansysid_client: TestClient) -> None:
    """The second redemption of a code is `invalid_grant`."""
    pat = create_pat(ansysid_client)
    code = code_from(authorize(ansysid_client, id_token_hint=pat["token"]))
    tokens_of(redeem(ansysid_client, code))
    oauth_error(redeem(ansysid_client, code), 400, "invalid_grant")


def test_an_expired_or_unknown_code_is_invalid_grant(
    ansysid_client: TestClient, ansysid_app: Any
) -> None:
    """A code past its ten minutes, or one never issued, is `invalid_grant`."""
    pat = create_pat(ansysid_client)
    code = code_from(authorize(ansysid_client, id_token_hint=pat["token"]))
    expire_code(ansysid_app, code)
    oauth_error(redeem(ansysid_client, code), 400, "invalid_grant")
    oauth_error(redeem(ansysid_client, "never-issued"), 400, "invalid_grant")


def test_another_clients_code_is_invalid_grant(ansysid_client: TestClient) -> None:
    """A code is bound to the client it was issued to."""
    pat = create_pat(ansysid_client)
    code = code_from(authorize(ansysid_client, id_token_hint=pat["token"]))
    description = oauth_error(
        redeem(ansysid_client, code, client_id=PAT_HELPER_CLIENT), 400, "invalid_grant"
    )
    assert "client" in description


@pytest.mark.parametrize(
    "redirect_uri", ["http://localhost:5000", f"{NATIVE_REDIRECT}/", "https://app.example.com/"]
)
def test_a_code_redeemed_with_another_redirect_uri_is_invalid_grant(
    ansysid_client: TestClient, redirect_uri: str
) -> None:
    """A code is bound to the redirect URI it was sent to."""
    pat = create_pat(ansysid_client)
    code = code_from(authorize(ansysid_client, id_token_hint=pat["token"]))
    oauth_error(redeem(ansysid_client, code, redirect_uri=redirect_uri), 400, "invalid_grant")


def test_a_code_redeemed_without_a_redirect_uri_is_accepted(ansysid_client: TestClient) -> None:
    """The AnsysID documentation's token request (seed 000) sends no `redirect_uri`: the code
    is redeemed all the same, once."""
    pat = create_pat(ansysid_client)
    code = code_from(authorize(ansysid_client, id_token_hint=pat["token"]))
    tokens_of(redeem(ansysid_client, code, redirect_uri=None))
    oauth_error(redeem(ansysid_client, code, redirect_uri=None), 400, "invalid_grant")


def test_a_pat_revoked_between_authorize_and_token_is_invalid_grant(
    ansysid_client: TestClient,
) -> None:
    """The PAT is checked again when its code is redeemed."""
    pat = create_pat(ansysid_client)
    code = code_from(authorize(ansysid_client, id_token_hint=pat["token"]))
    revoke_pat(ansysid_client, pat)
    assert "revoked" in oauth_error(redeem(ansysid_client, code), 400, "invalid_grant")


def test_a_pat_expired_between_authorize_and_token_is_invalid_grant(
    ansysid_client: TestClient, ansysid_app: Any
) -> None:
    pat = create_pat(ansysid_client)
    code = code_from(authorize(ansysid_client, id_token_hint=pat["token"]))
    set_pat_expiry(ansysid_app, pat, datetime.datetime.now(datetime.UTC) - datetime.timedelta(1))
    oauth_error(redeem(ansysid_client, code), 400, "invalid_grant")


def test_tokens_from_a_pat_end_no_later_than_the_pat(
    ansysid_client: TestClient, ansysid_app: Any
) -> None:
    """A PAT ending in ten minutes gives access and refresh tokens of ten minutes at most."""
    pat = create_pat(ansysid_client)
    set_pat_expiry(
        ansysid_app, pat, datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=10)
    )
    tokens = pat_tokens(ansysid_client, pat)
    assert 500 < tokens["expires_in"] <= 600
    assert 500 < tokens["refresh_token_expires_in"] <= 600


# token: refresh token


def test_a_refresh_token_gives_new_tokens(ansysid_client: TestClient) -> None:
    """The refresh grant gives a new access token for the same user, PAT and scopes, and a
    new refresh token (14 days without a PAT)."""
    pat = create_pat(ansysid_client)
    first = pat_tokens(ansysid_client, pat)
    response = ansysid_client.post(
        TOKEN_PATH,
        data={
            "grant_type": "refresh_token",
            "client_id": SYNC_TOOL_CLIENT,
            "refresh_token": first["refresh_token"],
            "scope": USER_SCOPE,
        },
    )
    second = tokens_of(response)
    claims = verified(ansysid_client, second["access_token"], ANSYSID_AUDIENCE)
    assert claims["sub"] == str(USERS[CONTOSO_ADMIN])
    assert claims["pat_id"] == pat["tokenId"] and claims["account_id"] == str(CONTOSO)
    assert claims["scp"] == "Authentication"
    assert second["refresh_token"] and second["id_token"]
    # Without a scope, the refresh keeps the scopes granted.
    response = ansysid_client.post(
        TOKEN_PATH_P,
        data={
            "grant_type": "refresh_token",
            "client_id": SYNC_TOOL_CLIENT,
            "refresh_token": second["refresh_token"],
        },
    )
    assert tokens_of(response)["scope"] == second["scope"]
    password = tokens_of(ansysid_client.post(TOKEN_PATH, data=password_form(CONTOSO_ADMIN)))
    assert password["refresh_token_expires_in"] == 14 * 24 * 3600


def test_a_refresh_may_narrow_the_scopes(ansysid_client: TestClient) -> None:
    pat = create_pat(ansysid_client)
    first = pat_tokens(ansysid_client, pat)
    response = ansysid_client.post(
        TOKEN_PATH,
        data={
            "grant_type": "refresh_token",
            "client_id": SYNC_TOOL_CLIENT,
            "refresh_token": first["refresh_token"],
            "scope": f"openid {API_SCOPE}",
        },
    )
    assert tokens_of(response)["scope"].split() == [API_SCOPE, "openid"]


def test_a_revoked_pat_ends_its_refresh_tokens(ansysid_client: TestClient) -> None:
    """Revoking the PAT a refresh token came from makes it `invalid_grant`."""
    pat = create_pat(ansysid_client)
    refresh = pat_tokens(ansysid_client, pat)["refresh_token"]
    revoke_pat(ansysid_client, pat)
    response = ansysid_client.post(
        TOKEN_PATH,
        data={
            "grant_type": "refresh_token",
            "client_id": SYNC_TOOL_CLIENT,
            "refresh_token": refresh,
        },
    )
    assert "revoked" in oauth_error(response, 400, "invalid_grant")


def test_an_expired_refresh_token_is_invalid_grant(
    ansysid_client: TestClient, ansysid_app: Any
) -> None:
    """A refresh token lasts 14 days: one issued 15 days ago is `invalid_grant`."""
    user = SignInUser(
        id=USERS[CONTOSO_ADMIN],
        email=CONTOSO_ADMIN,
        first_name="Anna",
        last_name="Andersen",
        global_roles=frozenset(),
    )
    b2c = ansysid_app.services.b2c
    fresh, _ = b2c.refresh_token(
        user=user,
        client_id=SYNC_TOOL_CLIENT,
        scope=USER_SCOPE,
        policy=POLICY,
        pat=None,
        now=int(time.time()),
    )
    stale, _ = b2c.refresh_token(
        user=user,
        client_id=SYNC_TOOL_CLIENT,
        scope=USER_SCOPE,
        policy=POLICY,
        pat=None,
        now=int(time.time()) - 15 * 86400,
    )
    form = {"grant_type": "refresh_token", "client_id": SYNC_TOOL_CLIENT}
    tokens_of(ansysid_client.post(TOKEN_PATH, data={**form, "refresh_token": fresh}))
    response = ansysid_client.post(TOKEN_PATH, data={**form, "refresh_token": stale})
    oauth_error(response, 400, "invalid_grant")


def test_another_clients_refresh_token_is_invalid_grant(ansysid_client: TestClient) -> None:
    """A refresh token is bound to its client."""
    pat = create_pat(ansysid_client)
    refresh = pat_tokens(ansysid_client, pat)["refresh_token"]
    response = ansysid_client.post(
        TOKEN_PATH,
        data={
            "grant_type": "refresh_token",
            "client_id": PAT_HELPER_CLIENT,
            "refresh_token": refresh,
        },
    )
    oauth_error(response, 400, "invalid_grant")


def test_other_tokens_are_no_refresh_tokens(ansysid_client: TestClient) -> None:
    """An access token, an ID token or a PAT sent as a refresh token is `invalid_grant`."""
    pat = create_pat(ansysid_client)
    tokens = pat_tokens(ansysid_client, pat)
    for token in (tokens["access_token"], tokens["id_token"], pat["token"], "garbage"):
        response = ansysid_client.post(
            TOKEN_PATH,
            data={
                "grant_type": "refresh_token",
                "client_id": SYNC_TOOL_CLIENT,
                "refresh_token": token,
            },
        )
        oauth_error(response, 400, "invalid_grant")


@pytest.mark.parametrize("asked", [LAAS_SCOPE, f"openid offline_access {LAAS_SCOPE}"])
def test_a_refresh_cannot_widen_the_scopes(ansysid_client: TestClient, asked: str) -> None:
    """A refresh for another resource than the one granted is `invalid_scope`, even though the
    PAT carries it."""
    pat = create_pat(ansysid_client)  # both resource scopes
    refresh = pat_tokens(ansysid_client, pat)["refresh_token"]
    response = ansysid_client.post(
        TOKEN_PATH,
        data={
            "grant_type": "refresh_token",
            "client_id": SYNC_TOOL_CLIENT,
            "refresh_token": refresh,
            "scope": asked,
        },
    )
    oauth_error(response, 400, "invalid_scope")


def test_without_offline_access_no_refresh_token_is_issued(ansysid_client: TestClient) -> None:
    pat = create_pat(ansysid_client)
    tokens = pat_tokens(ansysid_client, pat, scope=f"openid {API_SCOPE}")
    assert "refresh_token" not in tokens and "refresh_token_expires_in" not in tokens


# token: password grant


def test_the_password_grant_signs_a_user_in(ansysid_client: TestClient) -> None:
    """The right password (the e-mail in any case) gives user tokens without PAT claims."""
    response = ansysid_client.post(TOKEN_PATH, data=password_form(ADMIN, username=ADMIN.upper()))
    tokens = tokens_of(response)
    claims = verified(ansysid_client, tokens["access_token"], ANSYSID_AUDIENCE)
    assert claims["sub"] == claims["oid"] == str(USERS[ADMIN])
    assert claims["roles"] == ["Ansys Administrator"]
    assert claims["azp"] == TEST_SCRIPTS_CLIENT
    assert "pat_id" not in claims and "account_id" not in claims
    assert tokens["refresh_token"]


@pytest.mark.parametrize(
    "form",
    [
        {"password": "wrong"},
        {"password": PASSWORDS[CONTOSO_MEMBER]},  # another user's
        {"username": "nobody@example.com"},
    ],
)
def test_a_wrong_password_or_unknown_user_is_invalid_grant(
    ansysid_client: TestClient, form: dict[str, str]
) -> None:
    """Wrong password and unknown user answer alike, and never repeat the password."""
    response = ansysid_client.post(TOKEN_PATH, data=password_form(CONTOSO_ADMIN, **form))
    description = oauth_error(response, 400, "invalid_grant")
    assert description == "AADB2C90225: The username or password is wrong."
    assert PASSWORDS[CONTOSO_MEMBER] not in response.text


def test_a_client_without_the_password_grant_is_unauthorized(ansysid_client: TestClient) -> None:
    """The sync tool is registered for the code flow only."""
    response = ansysid_client.post(
        TOKEN_PATH, data=password_form(CONTOSO_ADMIN, client_id=SYNC_TOOL_CLIENT)
    )
    oauth_error(response, 400, "unauthorized_client")


def test_the_password_grant_needs_a_resource_scope(ansysid_client: TestClient) -> None:
    response = ansysid_client.post(
        TOKEN_PATH, data=password_form(CONTOSO_ADMIN, scope="openid offline_access")
    )
    oauth_error(response, 400, "invalid_scope")


# token: client credentials


def test_client_credentials_give_an_app_token(ansysid_client: TestClient) -> None:
    """A registered confidential app gets a token for `{resource}/.default`: its client id as
    `sub` and `azp`, its roles, no user claims, no `scp`, no refresh or ID token."""
    form = {"grant_type": "client_credentials", **SERVICE_APP, "scope": API_DEFAULT}
    tokens = tokens_of(ansysid_client.post(TOKEN_PATH, data=form))
    assert tokens["scope"] == API_DEFAULT
    assert not {"refresh_token", "id_token", "profile_info"} & set(tokens)
    claims = verified(ansysid_client, tokens["access_token"], ANSYSID_AUDIENCE)
    assert claims["sub"] == claims["azp"] == SERVICE_APP["client_id"]
    assert claims["roles"] == ["Ansys Administrator"]
    assert not {"scp", "email", "name", "pat_id", "account_id"} & set(claims)


def test_client_credentials_by_http_basic(ansysid_client: TestClient) -> None:
    """`client_secret_basic` works, with or without the form naming the same client."""
    headers = basic(SERVICE_APP["client_id"], SERVICE_APP["client_secret"])
    for extra in ({}, {"client_id": SERVICE_APP["client_id"]}):
        form = {"grant_type": "client_credentials", "scope": API_DEFAULT, **extra}
        tokens_of(ansysid_client.post(TOKEN_PATH_P, data=form, headers=headers))


@pytest.mark.parametrize("secret", ["wrong", "", "ansysid_demo_secret_987"])
def test_a_wrong_secret_is_401_invalid_client(ansysid_client: TestClient, secret: str) -> None:
    """A wrong or empty secret, in the form or by Basic (then with a Basic challenge)."""
    form = {
        "grant_type": "client_credentials",
        "client_id": SERVICE_APP["client_id"],
        "client_secret": secret,
        "scope": API_DEFAULT,
    }
    response = ansysid_client.post(TOKEN_PATH, data=form)
    oauth_error(response, 401, "invalid_client")
    assert "www-authenticate" not in response.headers
    del form["client_secret"]
    response = ansysid_client.post(
        TOKEN_PATH, data=form, headers=basic(SERVICE_APP["client_id"], secret)
    )
    oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")
    assert response.headers["www-authenticate"] == 'Basic realm="b2c"'


def test_a_confidential_client_without_its_secret_is_401(ansysid_client: TestClient) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": SERVICE_APP["client_id"],
        "scope": API_DEFAULT,
    }
    oauth_error(ansysid_client.post(TOKEN_PATH, data=form), 401, "invalid_client")


def test_an_unknown_client_is_401_invalid_client(ansysid_client: TestClient) -> None:
    form = password_form(CONTOSO_ADMIN, client_id="00000000-1111-2222-3333-444444444444")
    oauth_error(ansysid_client.post(TOKEN_PATH, data=form), 401, "invalid_client")


def test_no_client_is_invalid_request(ansysid_client: TestClient) -> None:
    form = password_form(CONTOSO_ADMIN)
    del form["client_id"]
    oauth_error(ansysid_client.post(TOKEN_PATH, data=form), 400, "invalid_request")


def test_basic_beside_a_form_secret_or_another_client_is_invalid_request(
    ansysid_client: TestClient,
) -> None:
    """Authenticate one way: Basic plus a form secret, or a different form `client_id`."""
    headers = basic(SERVICE_APP["client_id"], SERVICE_APP["client_secret"])
    form = {"grant_type": "client_credentials", "scope": API_DEFAULT}
    for extra in ({"client_secret": SERVICE_APP["client_secret"]}, {"client_id": SYNC_TOOL_CLIENT}):
        response = ansysid_client.post(TOKEN_PATH, data={**form, **extra}, headers=headers)
        oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize("client_id", [SYNC_TOOL_CLIENT, TEST_SCRIPTS_CLIENT])
def test_a_public_client_cannot_use_client_credentials(
    ansysid_client: TestClient, client_id: str
) -> None:
    """A public client has no credentials of its own: `unauthorized_client`."""
    form = {"grant_type": "client_credentials", "client_id": client_id, "scope": API_DEFAULT}
    oauth_error(ansysid_client.post(TOKEN_PATH, data=form), 400, "unauthorized_client")


@pytest.mark.parametrize(
    "scope",
    [
        None,
        API_SCOPE,
        f"{API_DEFAULT} openid",
        "https://ansysaccount.onmicrosoft.com/Unknown/.default",
        "https://ansysaccount.onmicrosoft.com/LicensingAsAService/.default",
    ],
)
def test_client_credentials_need_a_default_scope_the_app_holds(
    ansysid_client: TestClient, scope: str | None
) -> None:
    """The scope must be one `{resource}/.default` the app is registered for."""
    form = {"grant_type": "client_credentials", **SERVICE_APP}
    if scope is not None:
        form["scope"] = scope
    oauth_error(ansysid_client.post(TOKEN_PATH, data=form), 400, "invalid_scope")


def test_a_confidential_client_cannot_use_user_grants(ansysid_client: TestClient) -> None:
    """The service app holds only the client-credentials grant."""
    form = password_form(CONTOSO_ADMIN, **SERVICE_APP)
    oauth_error(ansysid_client.post(TOKEN_PATH, data=form), 400, "unauthorized_client")


# token: client authentication and the request itself


def test_a_public_client_sending_a_secret_is_401(ansysid_client: TestClient) -> None:
    """A secret sent for a public client is `invalid_client`, in the form or by Basic."""
    form = password_form(CONTOSO_ADMIN, client_secret="anything")
    oauth_error(ansysid_client.post(TOKEN_PATH, data=form), 401, "invalid_client")
    form = password_form(CONTOSO_ADMIN)
    response = ansysid_client.post(TOKEN_PATH, data=form, headers=basic(TEST_SCRIPTS_CLIENT, "x"))
    oauth_error(response, 401, "invalid_client")


@pytest.mark.parametrize(
    "grant_type", ["implicit", "urn:ietf:params:oauth:grant-type:jwt-bearer", "PASSWORD"]
)
def test_an_unsupported_grant_type(ansysid_client: TestClient, grant_type: str) -> None:
    form = password_form(CONTOSO_ADMIN, grant_type=grant_type)
    oauth_error(ansysid_client.post(TOKEN_PATH, data=form), 400, "unsupported_grant_type")


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "refresh_token", "client_id": SYNC_TOOL_CLIENT},
        {"grant_type": "refresh_token", "client_id": SYNC_TOOL_CLIENT, "refresh_token": ""},
        {"grant_type": "authorization_code", "client_id": SYNC_TOOL_CLIENT, "code": ""},
        {"grant_type": "password", "client_id": TEST_SCRIPTS_CLIENT, "username": CONTOSO_ADMIN},
    ],
)
def test_a_grant_missing_its_parameter_is_invalid_request(
    ansysid_client: TestClient, form: dict[str, str]
) -> None:
    """A grant without its required parameter is `invalid_request` (RFC 6749, section 5.2)."""
    oauth_error(ansysid_client.post(TOKEN_PATH, data=form), 400, "invalid_request")


def test_a_repeated_parameter_is_invalid_request(ansysid_client: TestClient) -> None:
    """RFC 6749 (section 3.2): a parameter sent twice is `invalid_request`."""
    form = password_form(CONTOSO_ADMIN)
    pairs = [("grant_type", "client_credentials"), *form.items()]
    response = ansysid_client.post(
        TOKEN_PATH,
        content=urlencode(pairs),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "grant_type" in oauth_error(response, 400, "invalid_request")


def test_a_token_request_without_grant_type_is_invalid_request(ansysid_client: TestClient) -> None:
    form = password_form(CONTOSO_ADMIN)
    del form["grant_type"]
    oauth_error(ansysid_client.post(TOKEN_PATH, data=form), 400, "invalid_request")


def test_a_json_token_request_is_refused(ansysid_client: TestClient) -> None:
    """The token endpoint reads forms only: JSON is `415` in RFC 6749's form."""
    response = ansysid_client.post(TOKEN_PATH, json=password_form(CONTOSO_ADMIN))
    oauth_error(response, 415, "invalid_request")


def test_unknown_form_fields_are_ignored(ansysid_client: TestClient) -> None:
    """MSAL's `client_info`, seed 000's `response_type=token` and the like change nothing."""
    form = password_form(
        CONTOSO_ADMIN, client_info="1", x_client_sku="MSAL.Python", response_type="token"
    )
    tokens_of(ansysid_client.post(TOKEN_PATH, data=form))


# tokens at the AnsysID API


def test_an_access_token_works_at_the_ansysid_api(ansysid_client: TestClient) -> None:
    """The code flow's access token gets `GET /User/Details`, seeing only the PAT's account;
    the same user's password-grant token sees both of its accounts."""
    pat = create_pat(ansysid_client, SUPPORT, CONTOSO)
    tokens = pat_tokens(ansysid_client, pat)
    response = ansysid_client.get("/User/Details", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200, response.text
    details = response.json()
    assert details["email"] == SUPPORT
    assert [account["accountId"] for account in details["accounts"]] == [str(CONTOSO)]
    password = tokens_of(ansysid_client.post(TOKEN_PATH, data=password_form(SUPPORT)))
    response = ansysid_client.get("/User/Details", headers=bearer(password["access_token"]))
    assert response.status_code == 200, response.text
    accounts = {account["accountId"] for account in response.json()["accounts"]}
    assert accounts == {str(CONTOSO), str(FABRIKAM)}


def test_an_app_token_works_at_the_ansysid_api(ansysid_client: TestClient) -> None:
    """The client-credentials token of the service app (an Ansys Administrator) is accepted."""
    form = {"grant_type": "client_credentials", **SERVICE_APP, "scope": API_DEFAULT}
    token = tokens_of(ansysid_client.post(TOKEN_PATH, data=form))["access_token"]
    response = ansysid_client.get(f"/Account/{CONTOSO}", headers=bearer(token))
    assert response.status_code == 200, response.text


def test_a_pat_is_no_bearer_token(ansysid_client: TestClient) -> None:
    """A PAT must be exchanged first: as a bearer token it is `401`."""
    pat = create_pat(ansysid_client)
    assert ansysid_client.get("/User/Details", headers=bearer(pat["token"])).status_code == 401


def test_refresh_and_id_tokens_are_no_bearer_tokens(ansysid_client: TestClient) -> None:
    """Only access tokens open the API: a refresh token or an ID token is `401`."""
    pat = create_pat(ansysid_client)
    tokens = pat_tokens(ansysid_client, pat)
    for token in (tokens["refresh_token"], tokens["id_token"]):
        assert ansysid_client.get("/User/Details", headers=bearer(token)).status_code == 401


def test_a_token_for_another_resource_is_401_at_the_ansysid_api(ansysid_client: TestClient) -> None:
    """A Licensing-as-a-Service token has that service's audience: `401` at AnsysID."""
    scope = f"openid offline_access {LAAS_SCOPE}"
    tokens = tokens_of(
        ansysid_client.post(TOKEN_PATH, data=password_form(CONTOSO_ADMIN, scope=scope))
    )
    assert (
        verified(ansysid_client, tokens["access_token"], LAAS_AUDIENCE)["scp"]
        == "LicensingAsAService"
    )
    response = ansysid_client.get("/User/Details", headers=bearer(tokens["access_token"]))
    assert response.status_code == 401


# the redirect URI rule by itself


@pytest.mark.parametrize(
    ("uri", "registered", "expected"),
    [
        ("https://app.example/cb", {"https://app.example/cb"}, True),
        ("https://app.example:8443/cb", {"https://app.example/cb"}, False),  # not loopback
        ("http://localhost:5000", {"http://localhost"}, True),
        ("http://localhost:5000/", {"http://localhost"}, True),
        ("http://localhost:7000/cb", {"http://localhost:3000/cb"}, True),  # registered port too
        ("http://127.0.0.1:7000/cb", {"http://127.0.0.1/cb"}, True),
        ("http://127.0.0.1:7000/cb", {"http://localhost/cb"}, False),
        ("http://localhost:7000/other", {"http://localhost:3000/cb"}, False),
        ("http://localhost:x/cb", {"http://localhost/cb"}, False),
        ("http://me@localhost:7000/cb", {"http://localhost/cb"}, False),
        ("https://localhost:7000/cb", {"https://localhost/cb"}, False),  # loopback is http
    ],
)
def test_which_redirect_uris_count_as_registered(
    uri: str, registered: set[str], expected: bool
) -> None:
    """Exact match, or for an `http` loopback URI the same URI on any port (RFC 8252)."""
    assert redirect_uri_registered(uri, frozenset(registered)) is expected
