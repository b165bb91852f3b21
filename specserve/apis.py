"""The APIs specserve serves: where each spec lives, where it is mounted, how it answers errors.

A new API joins by adding its spec under `specs/`, its handlers under `handlers/<package>/`
and an entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ErrorStyle(Enum):
    PROBLEM_DETAILS = "problem-details"  # RFC 7807, as ASP.NET Core answers
    OAUTH = "oauth"  # RFC 6749 section 5.2
    DFS_ENVELOPE = "dfs-envelope"  # {Code, SubCode, Message, CorrelationId}


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

    def owns_path(self, path: str) -> bool:
        lowered = path.lower()
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

ALL_APIS: tuple[ApiDefinition, ...] = (PRIMEDOCS, ACCESS_CONTROL, DFS, IDENTITY_SERVER)

# The APIs a user can choose with `--api` (infrastructure comes along by itself).
API_NAMES: tuple[str, ...] = tuple(api.name for api in ALL_APIS if not api.infrastructure)
# The APIs served when none is named.
DEFAULT_API_NAMES: tuple[str, ...] = tuple(
    api.name for api in ALL_APIS if not api.infrastructure and not api.preview
)


def chosen_apis(names: tuple[str, ...]) -> tuple[ApiDefinition, ...]:
    return tuple(api for api in ALL_APIS if api.infrastructure or api.name in names)


def api_for_path(apis: tuple[ApiDefinition, ...], path: str) -> ApiDefinition | None:
    """The API a request path belongs to, the most specific base path first (and of the APIs
    at the root, the one whose path prefixes claim it)."""
    for api in sorted(apis, key=lambda a: (len(a.base_path), bool(a.path_prefixes)), reverse=True):
        if api.owns_path(path):
            return api
    return None
