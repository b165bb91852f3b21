"""The APIs specserve serves: where each spec lives, where it is mounted, how it answers errors.

A new API joins by adding its spec under `specs/`, its handlers under `handlers/<package>/`
and an entry here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import Enum


class ErrorStyle(Enum):
    PROBLEM_DETAILS = "problem-details"  # RFC 7807, as ASP.NET Core answers
    OAUTH = "oauth"  # RFC 6749 section 5.2
    DFS_ENVELOPE = "dfs-envelope"  # {Code, SubCode, Message, CorrelationId}
    # RFC 6749, but the authorize endpoint's 400 is B2C's HTML error page (no redirect is safe).
    B2C = "b2c"


@dataclass(frozen=True)
class PromisedErrors:
    """The error statuses an API promises to document on its operations (`specserve lint`),
    by what an operation takes: a client handles only the errors it was told about, so a new
    operation that forgets its 401 is a gap in the contract, not a detail."""

    # Every operation, whatever it takes.
    every: tuple[int, ...] = ()
    # Operations that ask for credentials (a security requirement naming a scheme).
    secured: tuple[int, ...] = (401,)
    # Operations with parameters or a request body: they can be asked wrongly.
    with_input: tuple[int, ...] = (400,)
    # Operations naming a resource in their path: it may not exist.
    with_path_parameters: tuple[int, ...] = ()
    # Operations taking a request body: it may be too large, or of a media type not taken.
    with_body: tuple[int, ...] = ()


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
    # The error statuses its operations document (the default: 401 when secured, 400 on input).
    promised_errors: PromisedErrors = PromisedErrors()

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
    # As the vendor's document: 400, 401, 403 and 404 on every operation.
    promised_errors=PromisedErrors(every=(400, 401, 403, 404), with_body=(413, 415)),
)

IDENTITY_SERVER = ApiDefinition(
    name="ids",
    title="IdentityServer emulation",
    spec_file="identity-server.yaml",
    base_path="/ids",
    handler_package="handlers.identity_server",
    error_style=ErrorStyle.OAUTH,
    infrastructure=True,
    # The token endpoint: 400 and 401 as RFC 6749 section 5.2 says, 415 for a body not a form.
    promised_errors=PromisedErrors(with_body=(415,)),
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
    # As the vendor's document: 400, 401, 403 and 500 everywhere (its 422 is listed unevenly).
    promised_errors=PromisedErrors(every=(400, 401, 403, 500), with_path_parameters=(404,)),
)

ACCESS_CONTROL = ApiDefinition(
    name="accesscontrol",
    title="Access Control Management API",
    spec_file="accesscontrol.yaml",
    base_path="/api/v1/accesscontrol",
    handler_package="handlers.accesscontrol",
    error_style=ErrorStyle.PROBLEM_DETAILS,
    api_keys=True,
    # An API key opens every operation: 401 without one, and 500 documented everywhere.
    promised_errors=PromisedErrors(
        secured=(401, 500), with_path_parameters=(404,), with_body=(413, 415)
    ),
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
    # As Access Control; GET /health opts out of security, and of the 500 (it answers 503).
    promised_errors=PromisedErrors(
        secured=(401, 500), with_path_parameters=(404,), with_body=(413, 415)
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
    # Every path names a tenant (404 when unknown); the token endpoint's form body carries the
    # client's credentials (401, invalid_client) and must be a form (415).
    promised_errors=PromisedErrors(with_path_parameters=(404,), with_body=(401, 415)),
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
    for api in _most_specific_first(apis):
        if api.owns_path(path):
            return api
    return None


@functools.lru_cache(maxsize=16)
def _most_specific_first(apis: tuple[ApiDefinition, ...]) -> tuple[ApiDefinition, ...]:
    def specificity(api: ApiDefinition) -> tuple[int, bool]:
        return len(api.base_path), bool(api.path_prefixes or api.path_pattern)

    return tuple(sorted(apis, key=specificity, reverse=True))
