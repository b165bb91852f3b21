"""The APIs specserve serves: where each spec lives, where it is mounted, how it answers errors.

A new API joins by adding its spec under `specs/`, its handlers under `handlers/<package>/`
and an entry here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class ErrorStyle(Enum):
    PROBLEM_DETAILS = "problem-details"  # RFC 7807, as ASP.NET Core answers
    OAUTH = "oauth"  # RFC 6749 section 5.2
    DFS_ENVELOPE = "dfs-envelope"  # {Code, SubCode, Message, CorrelationId}
    # RFC 6749, but the authorize endpoint's 400 is B2C's HTML error page (no redirect is safe).
    B2C = "b2c"


class TokenIssuer(Enum):
    IDS = "ids"  # the IdentityServer stand-in (/ids)
    B2C = "b2c"  # the Azure AD B2C stand-in


@dataclass(frozen=True)
class ApiDefinition:
    name: str
    title: str
    spec_file: str
    base_path: str
    handler_package: str
    error_style: ErrorStyle
    # The `aud` a bearer token must carry to call this API (None: no bearer tokens).
    audience: str | None = None
    # Infrastructure is mounted whatever `--api` chooses, since the APIs' clients need it.
    infrastructure: bool = False
    # An API at the root shares it with others: these prefixes of its paths tell it apart.
    path_prefixes: tuple[str, ...] = ()
    # Localizable data: `Accept-Language` chooses, `Content-Language` answers.
    localized: bool = False
    # Still being built: served only when asked for by name (`--api NAME`).
    preview: bool = False
    # Callers show an API key (`specserve keys`) instead of a bearer token.
    api_keys: bool = False
    # Who issues the bearer tokens the API accepts.
    issuer: TokenIssuer = TokenIssuer.IDS
    # Infrastructure mounted only with one of these APIs (empty: always).
    needed_by: tuple[str, ...] = ()
    # An API at the root whose paths start with a variable segment: a regular expression.
    path_pattern: str | None = None
    # Where the real service serves its spec (JSON) and Swagger UI, served there too.
    native_docs: tuple[str, str] | None = None

    def owns_path(self, path: str) -> bool:
        lowered = path.lower()
        if self.path_pattern is not None:
            return re.match(self.path_pattern, path, re.IGNORECASE) is not None
        if self.path_prefixes:
            return any(lowered.startswith(prefix.lower()) for prefix in self.path_prefixes)
        base = self.base_path.rstrip("/").lower()
        return lowered == base or lowered.startswith(base + "/")


PRIMEDOCS = ApiDefinition(
    name="primedocs",
    title="primedocs Admin API",
    spec_file="primedocs-admin.yaml",
    base_path="/webapi",
    handler_package="handlers.primedocs",
    error_style=ErrorStyle.PROBLEM_DETAILS,
    audience="primedocs.webapi",
)

IDENTITY_SERVER = ApiDefinition(
    name="ids",
    title="IdentityServer emulation",
    spec_file="identity-server.yaml",
    base_path="/ids",
    handler_package="handlers.identity_server",
    error_style=ErrorStyle.OAUTH,
    infrastructure=True,
)

DFS = ApiDefinition(
    name="dfs",
    title="DFS Admin Services API",
    spec_file="dfs-admin.yaml",
    base_path="/",
    handler_package="handlers.dfs",
    error_style=ErrorStyle.DFS_ENVELOPE,
    audience="DFS.Api",
    path_prefixes=("/v1.0/", "/v1.2/", "/v1.3/", "/v2.0/", "/v3.0/", "/v3.1/"),
    localized=True,
)

ACCESS_CONTROL = ApiDefinition(
    name="accesscontrol",
    title="Access Control Management API",
    spec_file="accesscontrol.yaml",
    base_path="/api/v1/accesscontrol",
    handler_package="handlers.accesscontrol",
    error_style=ErrorStyle.PROBLEM_DETAILS,
    api_keys=True,
)

ANSYSID = ApiDefinition(
    name="ansysid",
    title="AnsysID API",
    spec_file="ansysid.yaml",
    base_path="/",
    handler_package="handlers.ansysid",
    error_style=ErrorStyle.PROBLEM_DETAILS,
    # The application id of the AnsysID API in the B2C tenant (fixtures/seed/ansysid.yaml).
    audience="f4a9bd2c-5e0b-4f8e-9a53-4a1c1c5d0a11",
    issuer=TokenIssuer.B2C,
    native_docs=("/swagger/AnsysId/swagger.json", "/swagger/index.html"),
    path_prefixes=(
        "/User",
        "/Account",
        "/Roles",
        "/Activities",
        "/PersonalAccessTokens",
        "/health",
    ),
)

B2C = ApiDefinition(
    name="b2c",
    title="Azure AD B2C emulation",
    spec_file="b2c.yaml",
    base_path="/",
    handler_package="handlers.b2c",
    error_style=ErrorStyle.B2C,
    infrastructure=True,
    needed_by=("ansysid",),
    path_pattern=r"^/[^/]+/([^/]+/)?(oauth2/v2\.0/(authorize|token)|v2\.0/\.well-known/|discovery/v2\.0/keys)",
)

ALL_APIS: tuple[ApiDefinition, ...] = (
    PRIMEDOCS,
    ACCESS_CONTROL,
    DFS,
    ANSYSID,
    IDENTITY_SERVER,
    B2C,
)

# The APIs a user can choose with `--api` (infrastructure comes along by itself).
API_NAMES: tuple[str, ...] = tuple(api.name for api in ALL_APIS if not api.infrastructure)
# The APIs served when none is named.
DEFAULT_API_NAMES: tuple[str, ...] = tuple(
    api.name for api in ALL_APIS if not api.infrastructure and not api.preview
)


# Served only in sandbox mode, next to the chosen APIs.
SANDBOX_ADMIN = ApiDefinition(
    name="sandbox",
    title="specserve sandbox administration",
    spec_file="specserve-admin.yaml",
    base_path="/_specserve",
    handler_package="handlers.sandbox",
    error_style=ErrorStyle.PROBLEM_DETAILS,
    infrastructure=True,
)


def chosen_apis(names: tuple[str, ...]) -> tuple[ApiDefinition, ...]:
    return tuple(
        api
        for api in ALL_APIS
        if api.name in names
        or (api.infrastructure and (not api.needed_by or set(api.needed_by) & set(names)))
    )


def api_for_path(apis: tuple[ApiDefinition, ...], path: str) -> ApiDefinition | None:
    """The API a request path belongs to, the most specific base path first (and of the APIs
    at the root, the one whose path prefixes claim it)."""

    def specificity(api: ApiDefinition) -> tuple[int, bool]:
        return len(api.base_path), bool(api.path_prefixes or api.path_pattern)

    for api in sorted(apis, key=specificity, reverse=True):
        if api.owns_path(path):
            return api
    return None
