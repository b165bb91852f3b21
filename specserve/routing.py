"""Connexion's routing, with every API at one base path reachable, and fewer routes tried.

Connexion chains a second API at the same base path behind the first (a path the first does
not route goes on to the second), but a third replaces the second: every earlier API's router
gets the newest one as its fallback. specserve serves three APIs at the root (DFS, AnsysID and
the B2C stand-in), so here each new API is chained behind the last one of its base path.

Starlette's router tries an API's routes in turn, a regular expression each: on the DFS spec
18 of them for a GET of an identity. A path parameter never holds a slash, so a path can only
match routes with as many segments as it has: each API's routes are grouped by that number,
each group tried in the spec's order as before, with the same fallback.
"""

from __future__ import annotations

from typing import Any

from connexion.middleware.routing import RoutingAPI, RoutingMiddleware
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send


class ChainedRouting(RoutingMiddleware):  # type: ignore[misc]
    def add_api(
        self,
        specification: Any,
        base_path: str | None = None,
        arguments: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        api = RoutingAPI(
            specification, base_path=base_path, arguments=arguments, next_app=self.app, **kwargs
        )
        routes = RoutesBySegments.of(api.router)
        for route in self.router.routes:
            if isinstance(route, Mount) and route.path == api.base_path:
                last: Any = route.app
                while isinstance(last.default, RoutesBySegments | Router):
                    last = last.default
                last.default = routes
                return
        self.router.mount(api.base_path, app=routes)


def _segments(path: str) -> int:
    return len(path.strip("/").split("/"))


def _route_path(scope: Scope) -> str:
    """The path below the mount (`root_path`), as Starlette's routes match it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class RoutesBySegments:
    """An API's router, its routes grouped by their number of path segments. `default`
    answers what none of them routes (the next API at the base path, or Connexion's)."""

    def __init__(self, groups: dict[int, Router], default: ASGIApp) -> None:
        self.groups = groups
        self.default = default

    @classmethod
    def of(cls, router: Router) -> RoutesBySegments:
        found = cls({}, router.default)
        routes: dict[int, list[BaseRoute]] = {}
        for route in router.routes:
            # Only plain routes are grouped: Connexion adds no other kind to an API's router.
            if not isinstance(route, Route) or ":path}" in route.path:
                raise TypeError(f"cannot group the route {route!r} by its segments")
            routes.setdefault(_segments(route.path), []).append(route)
        found.groups = {
            count: Router(
                routes=group,
                redirect_slashes=router.redirect_slashes,
                default=found._fall_back,
            )
            for count, group in routes.items()
        }
        return found

    async def _fall_back(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.default(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        group = self.groups.get(_segments(_route_path(scope)))
        await (group if group is not None else self.default)(scope, receive, send)
