"""Tokens the token service issues verify; anything not ours, not current or not for us does not."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from specserve.identity.keys import SigningKey, load_or_create_signing_key
from specserve.identity.tokens import CLOCK_SKEW_SECONDS, LONGEST_REMEMBERED_TOKEN, TokenService

ISSUER = "http://testserver/ids"
LIFETIME = 600


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return load_or_create_signing_key(tmp_path_factory.mktemp("key"))


@pytest.fixture(scope="module")
def other_key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return load_or_create_signing_key(tmp_path_factory.mktemp("other-key"))


@pytest.fixture
def service(key: SigningKey) -> TokenService:
    return TokenService(key, issuer=ISSUER, lifetime_seconds=LIFETIME)


def issue(service: TokenService, *, now: float | None = None) -> str:
    return service.issue(
        client_id="CustomApiClient",
        subject="CustomApiClient",
        scopes=["oo_webapi", "admin", "oo_webapi"],
        audiences=["primedocs.webapi", "api2"],
        now=now,
    ).access_token


def test_an_issued_token_verifies_with_its_claims(service: TokenService, key: SigningKey) -> None:
    issued = service.issue(
        client_id="c", subject="s", scopes=["b", "a", "b"], audiences=["x", "primedocs.webapi"]
    )
    assert (issued.scope, issued.expires_in) == ("a b", LIFETIME)
    claims = service.verify(issued.access_token, audience="primedocs.webapi")
    assert claims is not None
    assert claims["iss"] == ISSUER
    assert claims["aud"] == ["primedocs.webapi", "x"]
    assert claims["scope"] == "a b"
    assert (claims["sub"], claims["client_id"]) == ("s", "c")
    assert claims["exp"] - claims["iat"] == LIFETIME
    header = jwt.get_unverified_header(issued.access_token)
    assert (header["kid"], header["typ"], header["alg"]) == (key.kid, "at+jwt", "RS256")


def test_a_token_for_another_audience_is_refused(service: TokenService) -> None:
    assert service.verify(issue(service), audience="someone.else") is None


def test_a_token_expired_beyond_the_leeway_is_refused(service: TokenService) -> None:
    token = issue(service, now=time.time() - LIFETIME - CLOCK_SKEW_SECONDS - 30)
    assert service.verify(token, audience="primedocs.webapi") is None


def test_a_token_expired_within_the_leeway_still_verifies(service: TokenService) -> None:
    token = issue(service, now=time.time() - LIFETIME - 2)
    assert service.verify(token, audience="primedocs.webapi") is not None


def test_a_token_signed_with_another_key_is_refused(
    service: TokenService, other_key: SigningKey
) -> None:
    stranger = TokenService(other_key, issuer=ISSUER, lifetime_seconds=LIFETIME)
    assert service.verify(issue(stranger), audience="primedocs.webapi") is None


def test_a_token_of_another_issuer_is_refused(service: TokenService, key: SigningKey) -> None:
    elsewhere = TokenService(key, issuer="http://elsewhere/ids", lifetime_seconds=LIFETIME)
    assert service.verify(issue(elsewhere), audience="primedocs.webapi") is None


def test_a_tampered_payload_is_refused(service: TokenService) -> None:
    header, payload, signature = issue(service).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scope"] = "admin everything"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert service.verify(f"{header}.{forged}.{signature}", audience="primedocs.webapi") is None


@pytest.fixture
def signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per token whose signature PyJWT checks."""
    checks: list[int] = []
    original = jwt.decode

    def counting(*args: object, **kwargs: object) -> object:
        checks.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt, "decode", counting)
    return checks


def test_a_token_sent_again_is_not_checked_again_but_its_time_is(
    service: TokenService, signature_checks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = issue(service)
    first = service.verify(token, audience="api2")
    assert first is not None
    first["scope"] = "changed by a caller"
    again = service.verify(token, audience="api2")
    assert again is not None and again["scope"] == "admin oo_webapi"
    assert len(signature_checks) == 1
    # Another audience is another question.
    assert service.verify(token, audience="other") is None
    assert len(signature_checks) == 2
    # Once expired (beyond the leeway), the remembered token is refused.
    later = time.time() + LIFETIME + CLOCK_SKEW_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert service.verify(token, audience="api2") is None


def test_a_token_not_yet_valid_is_refused_until_its_time_comes(
    service: TokenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = time.time()
    token = issue(service, now=start + 60)  # issued and valid from a minute from now
    assert service.verify(token, audience="api2") is None
    monkeypatch.setattr(time, "time", lambda: start + 61)
    assert service.verify(token, audience="api2") is not None


def test_a_token_longer_than_any_of_ours_is_checked_every_time(
    service: TokenService, signature_checks: list[int]
) -> None:
    token = service.issue(
        client_id="c",
        subject="s",
        scopes=["a"],
        audiences=["api2"],
        claims={"padding": "x" * LONGEST_REMEMBERED_TOKEN},
    ).access_token
    assert service.verify(token, audience="api2") is not None
    assert service.verify(token, audience="api2") is not None
    assert len(signature_checks) == 2
