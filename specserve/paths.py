"""Paths as the real (ASP.NET) services route them: literal segments match without regard to
case (`/webapi/api/v3/{id}/admin/users`), and a trailing slash is ignored. The path is
rewritten to the spec's form before Connexion routes it."""

from __future__ import annotations

from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from specserve.contract import Contract


class CanonicalPaths:
    def __init__(self, app: ASGIApp, *, contracts: dict[str, Contract]) -> None:
        self.app = app
        # The most specific base path first, as Connexion mounts them.
        self.contracts = sorted(
            contracts.values(), key=lambda c: len(c.api.base_path), reverse=True
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = self.canonical(scope["path"])
            if path != scope["path"]:
                scope = {**scope, "path": path, "raw_path": quote(path).encode("ascii")}
        await self.app(scope, receive, send)

    def canonical(self, path: str) -> str:
        """The spec's form of `path` if it names an operation's path; else `path` unchanged."""
        trimmed = path.rstrip("/") or "/"
        lowered = trimmed.lower()
        for contract in self.contracts:
            base = contract.api.base_path.rstrip("/")
            if lowered.startswith(base.lower() + "/"):
                below = contract.canonical_path(trimmed[len(base) :])
                if below is not None:
                    return base + below
        return path


class LiteralRoutesFirst:
    """After Connexion's routing: a path that a literal template names exactly (`/members/search`)
    belongs to that template, even where a template with a parameter (`/members/{memberId}`)
    also takes the method; a method the literal one lacks is 405, as ASP.NET answers."""

    def __init__(self, app: ASGIApp, *, contracts: dict[str, Contract]) -> None:
        self.app = app
        self.routes = {
            name: (contract, operation)
            for contract in contracts.values()
            for name, operation in contract.operations.items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        routed = self.routes.get(routing.get("operation_id", ""))
        if routed is not None:
            contract, operation = routed
            base = contract.api.base_path.rstrip("/")
            template = contract.template_for(scope["path"][len(base) :])
            if template is not None and template.template != operation.path:
                raise HTTPException(status_code=405)
        await self.app(scope, receive, send)
