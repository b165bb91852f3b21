"""The Azure AD B2C stand-in's tokens: access, ID and refresh tokens of the B2C tenant, and the
personal access tokens (PATs) the AnsysID API issues, all signed with the server's key."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from specserve.identity.errors import OAuthError
from specserve.identity.tokens import TokenService
from store.ansysid.signin import PatGrant, ResourceRecord, SignInUser

TENANT = "ansysaccount.onmicrosoft.com"
POLICIES = ("B2C_1A_ANSYSID_SIGNUP_SIGNIN",)
# Scopes of OpenID Connect itself, which MSAL adds to every request.
OIDC_SCOPES = ("openid", "profile", "offline_access", "email")
REFRESH_LIFETIME_SECONDS = 14 * 24 * 3600
# Audiences no API accepts, so that a PAT or a refresh token never passes for an access token.
PAT_AUDIENCE = "urn:specserve:ansysid:personal-access-token"
REFRESH_AUDIENCE = "urn:specserve:b2c:refresh-token"


def canonical_policy(policy: str | None) -> str | None:
    """The tenant's policy of that name (without regard to case), or None."""
    if policy is None:
        return None
    return next((known for known in POLICIES if known.lower() == policy.lower()), None)


def is_tenant(tenant: str) -> bool:
    return tenant.lower() == TENANT


@dataclass(frozen=True)
class GrantedScopes:
    """What a request for scopes amounts to: the one resource asked for (if any), the short
    names of its scopes, and the OpenID Connect scopes beside them."""

    resource: ResourceRecord | None
    short_names: tuple[str, ...]
    oidc: tuple[str, ...]

    @property
    def resource_scopes(self) -> tuple[str, ...]:
        if self.resource is None:
            return ()
        return tuple(f"{self.resource.app_id_uri}/{name}" for name in self.short_names)

    @property
    def text(self) -> str:
        return " ".join((*self.resource_scopes, *self.oidc))


def requested_scopes(scope: str | None, resources: list[ResourceRecord]) -> GrantedScopes:
    """The scopes of a user grant; one resource at most, as B2C allows."""
    oidc: list[str] = []
    by_resource: dict[str, list[str]] = {}
    found: dict[str, ResourceRecord] = {}
    for item in (scope or "").split():
        if item in OIDC_SCOPES:
            oidc.append(item)
            continue
        resource = _resource_of(item, resources)
        short = item[len(resource.app_id_uri) + 1 :] if resource else ""
        if resource is None or short not in resource.scopes:
            raise OAuthError("invalid_scope", f"The scope '{item}' is not known to this tenant.")
        found[resource.app_id_uri] = resource
        by_resource.setdefault(resource.app_id_uri, []).append(short)
    if len(found) > 1:
        raise OAuthError(
            "invalid_scope", "A token is for one resource: ask for the scopes of only one."
        )
    resource = next(iter(found.values()), None)
    shorts = tuple(dict.fromkeys(by_resource.get(resource.app_id_uri, []))) if resource else ()
    return GrantedScopes(resource=resource, short_names=shorts, oidc=tuple(dict.fromkeys(oidc)))


def default_scope(scope: str | None, resources: list[ResourceRecord]) -> ResourceRecord:
    """The resource of a client-credentials request, whose scope is `{resource}/.default`."""
    items = (scope or "").split()
    if len(items) != 1 or not items[0].endswith("/.default"):
        raise OAuthError(
            "invalid_scope",
            "The client credentials grant asks for one scope, `{resource}/.default`.",
        )
    resource = _resource_of(items[0], resources)
    if resource is None:
        raise OAuthError("invalid_scope", f"The scope '{items[0]}' is not known to this tenant.")
    return resource


def _resource_of(scope: str, resources: list[ResourceRecord]) -> ResourceRecord | None:
    lowered = scope.lower()
    return next(
        (r for r in resources if lowered.startswith(r.app_id_uri.lower() + "/")),
        None,
    )


class B2cTokens:
    def __init__(self, tokens: TokenService, *, public_url: str, lifetime_seconds: int) -> None:
        self._tokens = tokens
        base = public_url.rstrip("/")
        self.issuer = f"{base}/{TENANT}/v2.0/"
        # PATs are the AnsysID portal's own tokens, not the B2C tenant's.
        self.pat_issuer = f"{base}/"
        self.lifetime_seconds = lifetime_seconds

    def user_access_token(
        self,
        *,
        user: SignInUser,
        client_id: str,
        granted: GrantedScopes,
        policy: str,
        pat: PatGrant | None,
        now: int,
    ) -> tuple[str, int]:
        """The access token and its lifetime; a token from a PAT ends when the PAT does."""
        if granted.resource is None:
            raise OAuthError("invalid_scope", "Ask for a scope of the resource to call.")
        lifetime = self._lifetime(pat, now, self.lifetime_seconds)
        claims: dict[str, Any] = {
            **_user_claims(user),
            "aud": granted.resource.app_id,
            "azp": client_id,
            "scp": " ".join(granted.short_names),
            "tfp": policy,
        }
        if user.global_roles:
            claims["roles"] = sorted(user.global_roles)
        if pat is not None:
            claims["pat_id"] = str(pat.id)
            claims["account_id"] = str(pat.account_id)
        return self._signed(claims, now, lifetime), lifetime

    def app_access_token(
        self, *, client_id: str, roles: frozenset[str], resource: ResourceRecord, now: int
    ) -> str:
        claims: dict[str, Any] = {
            "sub": client_id,
            "oid": client_id,
            "azp": client_id,
            "aud": resource.app_id,
            "roles": sorted(roles),
        }
        return self._signed(claims, now, self.lifetime_seconds)

    def id_token(
        self, *, user: SignInUser, client_id: str, nonce: str | None, policy: str, now: int
    ) -> str:
        claims: dict[str, Any] = {
            **_user_claims(user),
            "aud": client_id,
            "tfp": policy,
            "auth_time": now,
        }
        if nonce:
            claims["nonce"] = nonce
        return self._signed(claims, now, self.lifetime_seconds)

    def refresh_token(
        self,
        *,
        user: SignInUser,
        client_id: str,
        scope: str,
        policy: str,
        pat: PatGrant | None,
        now: int,
    ) -> tuple[str, int]:
        lifetime = self._lifetime(pat, now, REFRESH_LIFETIME_SECONDS)
        claims: dict[str, Any] = {
            "sub": str(user.id),
            "aud": REFRESH_AUDIENCE,
            "azp": client_id,
            "scope": scope,
            "tfp": policy,
        }
        if pat is not None:
            claims["pat_id"] = str(pat.id)
        return self._signed(claims, now, lifetime, typ="rt+jwt"), lifetime

    def read_refresh_token(self, token: str) -> dict[str, Any] | None:
        return self._tokens.decode(
            token, issuer=self.issuer, audience=REFRESH_AUDIENCE, required=("azp", "scope", "tfp")
        )

    def personal_access_token(
        self,
        *,
        pat_id: uuid.UUID,
        user_id: uuid.UUID,
        account_id: uuid.UUID,
        scopes: list[str],
        expires_at: int,
    ) -> str:
        now = int(time.time())
        payload = {
            "iss": self.pat_issuer,
            "aud": PAT_AUDIENCE,
            "sub": str(user_id),
            "account_id": str(account_id),
            "scp": " ".join(scopes),
            "jti": str(pat_id),
            "iat": now,
            "nbf": now,
            "exp": expires_at,
        }
        return self._tokens.sign(payload, typ="pat+jwt")

    def read_personal_access_token(self, token: str) -> dict[str, Any] | None:
        """The claims of a PAT we signed; whether it still holds is the store's to say, its
        expiry included (the owner may change the expiry after the PAT was issued)."""
        return self._tokens.decode(
            token,
            issuer=self.pat_issuer,
            audience=PAT_AUDIENCE,
            required=("jti", "account_id"),
            verify_expiry=False,
        )

    def verify_access_token(self, token: str, *, audience: str) -> dict[str, Any] | None:
        return self._tokens.decode(token, issuer=self.issuer, audience=audience)

    def jwks(self) -> dict[str, Any]:
        return self._tokens.jwks()

    def _lifetime(self, pat: PatGrant | None, now: int, longest: int) -> int:
        if pat is None:
            return longest
        return max(1, min(longest, int(pat.expires_at.timestamp()) - now))

    def _signed(self, claims: dict[str, Any], now: int, lifetime: int, typ: str = "JWT") -> str:
        payload = {
            **claims,
            "iss": self.issuer,
            "ver": "1.0",
            # Each token its own id, so that two made in the same second differ.
            "jti": uuid.uuid4().hex,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
        }
        return self._tokens.sign(payload, typ=typ)


def _user_claims(user: SignInUser) -> dict[str, Any]:
    return {
        "sub": str(user.id),
        "oid": str(user.id),
        "email": user.email,
        "emails": [user.email],
        "name": user.display_name,
        "given_name": user.first_name,
        "family_name": user.last_name,
    }
