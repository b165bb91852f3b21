"""Issuing and verifying the RS256 access tokens of the built-in token service."""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from specserve.identity.keys import SigningKey, load_or_create_signing_key
from specserve.settings import Settings

# Clocks of the token service and of the API may differ a little.
CLOCK_SKEW_SECONDS = 5
# Tokens whose signature, issuer, audience and claims were checked, remembered per service:
# a client sends the same token with every request, and the RSA check was most of the cost of
# verifying it. Time (exp, nbf, iat) is checked on every use.
VERIFIED_TOKENS = 4096
# Ours are about a kilobyte; longer ones are checked each time, so that the memory stays
# bounded whatever clients send.
LONGEST_REMEMBERED_TOKEN = 4096


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str


class TokenService:
    def __init__(self, key: SigningKey, *, issuer: str, lifetime_seconds: int) -> None:
        self._key = key
        self._public_key = key.private_key.public_key()
        self.issuer = issuer
        self.lifetime_seconds = lifetime_seconds
        self._checked = functools.lru_cache(maxsize=VERIFIED_TOKENS)(self._check_signed)

    def issue(
        self,
        *,
        client_id: str,
        subject: str,
        scopes: Iterable[str],
        audiences: Iterable[str],
        claims: Mapping[str, Any] | None = None,
        now: float | None = None,
    ) -> IssuedToken:
        issued_at = int(time.time() if now is None else now)
        scope = " ".join(sorted(set(scopes)))
        payload: dict[str, Any] = {
            # Extra claims first: they can never replace the registered ones below.
            **(claims or {}),
            "iss": self.issuer,
            "aud": sorted(set(audiences)),
            "sub": subject,
            "client_id": client_id,
            "scope": scope,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + self.lifetime_seconds,
            "jti": uuid.uuid4().hex,
        }
        token = self.sign(payload, typ="at+jwt")
        return IssuedToken(access_token=token, expires_in=self.lifetime_seconds, scope=scope)

    def verify(self, token: str, *, audience: str) -> dict[str, Any] | None:
        """The token's claims if it is ours, current and meant for `audience`; else None."""
        return self.decode(token, issuer=self.issuer, audience=audience, required=("nbf",))

    def sign(self, payload: dict[str, Any], *, typ: str = "JWT") -> str:
        """Any token of the server's issuers, signed with its key."""
        return jwt.encode(
            payload,
            self._key.private_key,
            algorithm="RS256",
            headers={"kid": self._key.kid, "typ": typ},
        )

    def decode(
        self,
        token: str,
        *,
        issuer: str,
        audience: str,
        required: tuple[str, ...] = (),
        verify_expiry: bool = True,
    ) -> dict[str, Any] | None:
        """The claims of a token signed with the server's key, current, of `issuer` and meant
        for `audience`; else None."""
        check = self._checked if len(token) <= LONGEST_REMEMBERED_TOKEN else self._check_signed
        claims = check(token, issuer, audience, required)
        if claims is None or not _current(claims, verify_expiry=verify_expiry, now=time.time()):
            return None
        return dict(claims)  # the caller's own: the remembered claims stay as they were

    def _check_signed(
        self, token: str, issuer: str, audience: str, required: tuple[str, ...]
    ) -> dict[str, Any] | None:
        """What of a token never changes: its signature, issuer, audience and the claims it
        must have. None for a token that fails any of them."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._public_key,
                algorithms=["RS256"],
                audience=audience,
                issuer=issuer,
                options={
                    "require": ["exp", "iat", "iss", "aud", "sub", *required],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError:
            return None
        return claims

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self._key.public_jwk]}


def _current(claims: Mapping[str, Any], *, verify_expiry: bool, now: float) -> bool:
    """PyJWT's time checks, with the leeway: issued and valid from no later than now, and
    (unless told not to) not expired."""
    try:
        issued = int(claims["iat"])
        not_before = int(claims["nbf"]) if "nbf" in claims else None
        expires = int(claims["exp"])
    except (ValueError, TypeError, OverflowError):
        return False
    if issued > now + CLOCK_SKEW_SECONDS:
        return False
    if not_before is not None and not_before > now + CLOCK_SKEW_SECONDS:
        return False
    return not verify_expiry or expires > now - CLOCK_SKEW_SECONDS


def token_service(settings: Settings) -> TokenService:
    """The server's token service: its key from the data folder (made on first use)."""
    return TokenService(
        load_or_create_signing_key(settings.data_dir),
        issuer=settings.issuer,
        lifetime_seconds=settings.token_lifetime_seconds,
    )
