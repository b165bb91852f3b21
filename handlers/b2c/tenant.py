"""The tenant and policy a request names, checked the same way by every B2C operation."""

from __future__ import annotations

from specserve.identity.b2c import TENANT, canonical_policy, is_tenant
from specserve.identity.errors import OAuthError


def checked_policy(tenant: str, policy: str | None) -> str:
    """The policy's canonical name; an unknown tenant is 404, an unknown policy 400."""
    if not is_tenant(tenant):
        raise OAuthError("invalid_tenant", f"The tenant '{tenant}' is not {TENANT}.", status=404)
    known = canonical_policy(policy)
    if known is None:
        raise OAuthError(
            "invalid_request",
            f"AADB2C90008: The policy '{policy}' does not exist in the tenant {TENANT}.",
        )
    return known
