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

    def owns_path(self, path: str) -> bool:
        return path == self.base_path or path.startswith(self.base_path.rstrip("/") + "/")


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

ALL_APIS: tuple[ApiDefinition, ...] = (PRIMEDOCS, IDENTITY_SERVER)

# The APIs a user can choose with `--api` (infrastructure comes along by itself).
API_NAMES: tuple[str, ...] = tuple(api.name for api in ALL_APIS if not api.infrastructure)


def chosen_apis(names: tuple[str, ...]) -> tuple[ApiDefinition, ...]:
    return tuple(api for api in ALL_APIS if api.infrastructure or api.name in names)


def api_for_path(apis: tuple[ApiDefinition, ...], path: str) -> ApiDefinition | None:
    """The API a request path belongs to, the most specific base path first."""
    for api in sorted(apis, key=lambda a: len(a.base_path), reverse=True):
        if api.owns_path(path):
            return api
    return None
