"""MSAL itself signs in against the B2C stand-in: HTTPS (`specserve serve --tls`), OpenID
discovery, the authorization code flow with PKCE and a PAT as `id_token_hint`, as the published
PAT helper does; then the access token calls the AnsysID API, and a refresh renews it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import msal
import requests

from tests.e2e.test_serve import environment, run_server
from tests.support.ansysid import (
    API_SCOPE,
    CONTOSO,
    CONTOSO_ADMIN,
    PASSWORDS,
    POLICY,
    SYNC_TOOL_CLIENT,
    TENANT,
    TEST_SCRIPTS_CLIENT,
    TOKEN_PATH,
    USER_SCOPE,
)


def test_msal_signs_in_with_a_pat_through_the_code_flow(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    certificate = tmp_path / "data" / "tls" / "localhost-cert.pem"
    for base in run_server(environment(tmp_path), log, "--tls"):
        # Only the certificate made for this server is trusted: nothing unverified below.
        with (
            httpx.Client(base_url=base, verify=str(certificate)) as http,
            requests.Session() as session,
        ):
            sign_in_with_msal(base, certificate, http, session)


def sign_in_with_msal(
    base: str, certificate: Path, http: httpx.Client, session: requests.Session
) -> None:
    pat = personal_access_token(http)
    session.verify = str(certificate)
    # requests lets REQUESTS_CA_BUNDLE (set on many machines) replace a session's `verify`.
    session.trust_env = False
    app = msal.PublicClientApplication(
        SYNC_TOOL_CLIENT,
        authority=f"{base}/{TENANT}/{POLICY}",
        instance_discovery=False,
        http_client=session,
    )
    flow = app.initiate_auth_code_flow([API_SCOPE], redirect_uri="http://localhost")
    assert flow["auth_uri"].startswith(f"{base}/{TENANT}/{POLICY.lower()}/oauth2/v2.0/")
    # The PAT helper signs in with its PAT instead of a sign-in page.
    redirect = http.get(f"{flow['auth_uri']}&{urlencode({'id_token_hint': pat})}")
    assert redirect.status_code == 302, redirect.text
    answer = dict(parse_qsl(urlsplit(redirect.headers["location"]).query))
    assert "code" in answer, answer

    result = app.acquire_token_by_auth_code_flow(flow, answer)

    assert "access_token" in result, result
    assert result["id_token_claims"]["email"] == CONTOSO_ADMIN
    assert result["id_token_claims"]["aud"] == SYNC_TOOL_CLIENT
    details = http.get("/User/Details", headers=bearer(result["access_token"]))
    assert details.status_code == 200, details.text
    # A token made from a PAT reaches only the PAT's account.
    assert [a["accountId"] for a in details.json()["accounts"]] == [str(CONTOSO)]

    (account,) = app.get_accounts()
    renewed = app.acquire_token_silent([API_SCOPE], account=account, force_refresh=True)
    assert renewed is not None and "access_token" in renewed, renewed
    assert renewed["access_token"] != result["access_token"]
    again = http.get("/User/Details", headers=bearer(renewed["access_token"]))
    assert again.status_code == 200


def personal_access_token(http: httpx.Client) -> str:
    """A PAT of Contoso's Customer Administrator, made through the API as the portal makes it."""
    signed_in = http.post(
        TOKEN_PATH,
        data={
            "grant_type": "password",
            "client_id": TEST_SCRIPTS_CLIENT,
            "username": CONTOSO_ADMIN,
            "password": PASSWORDS[CONTOSO_ADMIN],
            "scope": USER_SCOPE,
        },
    )
    assert signed_in.status_code == 200, signed_in.text
    created = http.post(
        "/PersonalAccessTokens",
        headers=bearer(signed_in.json()["access_token"]),
        json={"name": "MSAL test", "accountId": str(CONTOSO)},
    )
    assert created.status_code == 200, created.text
    return str(created.json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
