"""Connexion's routing, with every API at one base path reachable.

Connexion chains a second API at the same base path behind the first (a path the first does
not route goes on to the second), but a third replaces the second: every earlier API's router
gets the newest one as its fallback. specserve serves three APIs at the root (DFS, AnsysID and
the B2C stand-in), so here each new API is chained behind the last one of its base path.
"""

from __future__ import annotations

from typing import Any

from connexion.middleware.routing import RoutingAPI, RoutingMiddleware
from starlette.routing import Mount, Router


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
        for route in self.router.routes:
            if isinstance(route, Mount) and route.path == api.base_path:
                last: Any = route.app
                while isinstance(last.default, Router):
                    last = last.default
                last.default = api.router
                return
        self.router.mount(api.base_path, app=api.router)
