"""Forged and misused tokens against the token-protected APIs, DFS and AnsysID: each is a 401
in the API's own format. (primedocs has the same attacks in test_auth.py; Access Control takes
API keys, test_api_keys.py.)

Each attack starts from a real token of the API, so that only what the attack changes is wrong.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.testclient import TestClient

from tests.api.test_ansysid_roles_matrix import create_pat, pat_auth
from tests.support.ansysid import CONTOSO
from tests.support.contract_runs import ansysid_auth, dfs_auth
from tests.support.tokens import bearer

BILL_DOE = "3fa85f64-5717-4562-b3fc-2c963f66afa4"  # a seeded identity of tenant Additiv
# api -> (a read any signed-in caller may make, a real token's headers)
READS: dict[str, tuple[str, Callable[[Any], dict[str, str]]]] = {
    "dfs": (f"/v1.0/identities/{BILL_DOE}", dfs_auth),
    "ansysid": ("/Roles", ansysid_auth),
}

Claims = dict[str, Any]


@pytest.fixture(scope="module")
def stranger_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def _resigned(app: Any, token: str, change: Callable[[Claims], None]) -> str:
    """`token` with its claims changed by `change`, signed again with the server's own key: a
    token the server could have issued, but for the change."""
    claims = jwt.decode(token, options={"verify_signature": False})
    change(claims)
    key = app.services.tokens._key
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def _unsigned(app: Any, token: str, stranger: rsa.RSAPrivateKey) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]


def _signed_by_a_stranger(app: Any, token: str, stranger: rsa.RSAPrivateKey) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": kid})


def _hmac_keyed_with_the_public_key(app: Any, token: str, stranger: rsa.RSAPrivateKey) -> str:
    """The algorithm confusion attack: HS256 with the server's public key (PEM) as the secret.
    Built by hand, as PyJWT refuses to make one."""
    public_pem = app.services.tokens._public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": jwt.get_unverified_header(token)["kid"]}
    payload = jwt.decode(token, options={"verify_signature": False})
    signing_input = b".".join(_b64(json.dumps(part).encode()) for part in (header, payload))
    signature = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + _b64(signature)).decode()


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _expired(claims: Claims) -> None:
    past = int(time.time()) - 3600
    claims.update(iat=past - 600, nbf=past - 600, exp=past)


def _not_yet_valid(claims: Claims) -> None:
    claims["nbf"] = int(time.time()) + 3600


def _of_another_issuer(claims: Claims) -> None:
    claims["iss"] = "https://login.elsewhere.example/tenant/v2.0/"


def _for_another_audience(claims: Claims) -> None:
    claims["aud"] = "primedocs.webapi"


ATTACKS: dict[str, Callable[[Any, str, rsa.RSAPrivateKey], str]] = {
    "unsigned (alg none)": _unsigned,
    "signed by another key": _signed_by_a_stranger,
    "HS256 keyed with the public key": _hmac_keyed_with_the_public_key,
    "expired": lambda app, token, _: _resigned(app, token, _expired),
    "not yet valid": lambda app, token, _: _resigned(app, token, _not_yet_valid),
    "of another issuer": lambda app, token, _: _resigned(app, token, _of_another_issuer),
    "for another audience": lambda app, token, _: _resigned(app, token, _for_another_audience),
}


def unauthorized(api: str, response: Any) -> None:
    """A 401 in the API's own format, with a Bearer challenge."""
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    if api == "dfs":
        assert body["Code"] == "Unauthorized"
        assert body["CorrelationId"] == response.headers["x-correlation-id"]
    else:
        assert response.headers["content-type"] == "application/problem+json"
        assert body["status"] == 401


@pytest.mark.parametrize("attack", list(ATTACKS))
@pytest.mark.parametrize("api", list(READS))
def test_a_forged_token_is_401(
    all_app: Any,
    all_client: TestClient,
    stranger_key: rsa.RSAPrivateKey,
    api: str,
    attack: str,
) -> None:
    path, real = READS[api]
    token = _token_of(real(all_app))
    assert all_client.get(path, headers=bearer(token)).status_code == 200  # the real one works
    forged = ATTACKS[attack](all_app, token, stranger_key)
    unauthorized(api, all_client.get(path, headers=bearer(forged)))


@pytest.mark.parametrize(("api", "other"), [("dfs", "ansysid"), ("ansysid", "dfs")])
def test_one_apis_token_is_401_at_the_other(
    all_app: Any, all_client: TestClient, api: str, other: str
) -> None:
    path, _ = READS[api]
    unauthorized(api, all_client.get(path, headers=READS[other][1](all_app)))


@pytest.mark.parametrize("api", list(READS))
def test_a_pat_is_not_an_access_token(all_app: Any, all_client: TestClient, api: str) -> None:
    pat = create_pat(all_client, ansysid_auth(all_app), CONTOSO)["token"]
    unauthorized(api, all_client.get(READS[api][0], headers=bearer(pat)))


def test_the_access_tokens_of_a_revoked_pat_are_401(all_app: Any, all_client: TestClient) -> None:
    owner = ansysid_auth(all_app)
    pat = create_pat(all_client, owner, CONTOSO)
    made_from_it = pat_auth(all_client, pat["token"])
    account = f"/Account/{CONTOSO}"
    assert all_client.get(account, headers=made_from_it).status_code == 200
    revoked = all_client.delete(f"/PersonalAccessTokens/{pat['tokenId']}", headers=owner)
    assert revoked.status_code in (200, 204), revoked.text
    response = all_client.get(account, headers=made_from_it)
    unauthorized("ansysid", response)
    assert response.json()["detail"] == "The personal access token has been revoked."
    # The owner's own sign-in is untouched.
    assert all_client.get(account, headers=owner).status_code == 200
