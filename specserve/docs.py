"""Each API's documentation at a path no API uses: Swagger UI and the spec as JSON and YAML.

Connexion serves the docs of only one API when several share the root path, so specserve
serves them all itself, under `/_specserve/`.
"""

from __future__ import annotations

import html
import json

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from specserve.contract import Contract

PREFIX = "/_specserve"

_SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{prefix}/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{prefix}/swagger-ui/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({{url: {spec_url}, dom_id: "#swagger-ui"}});</script>
</body></html>
"""


def docs_app(contracts: dict[str, Contract], mode: str) -> Starlette:
    def find(request: Request) -> Contract:
        name = request.path_params["api"]
        if name not in contracts:
            raise _unknown_api(name, contracts)
        return contracts[name]

    async def index(request: Request) -> Response:
        rows = "".join(
            f"<tr><td>{html.escape(c.api.title)}</td><td><code>{html.escape(c.api.base_path)}</code></td>"
            f"<td>{html.escape(mode)}{' (preview: being built)' if c.api.preview else ''}</td>"
            f'<td><a href="{PREFIX}/docs/{c.api.name}/">Swagger UI</a> · '
            f'<a href="{PREFIX}/docs/{c.api.name}/openapi.json">JSON</a> · '
            f'<a href="{PREFIX}/docs/{c.api.name}/openapi.yaml">YAML</a></td></tr>'
            for c in contracts.values()
        )
        return HTMLResponse(
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<title>specserve</title></head><body><h1>specserve</h1><table>"
            "<tr><th>API</th><th>base path</th><th>mode</th><th>docs</th></tr>"
            f"{rows}</table></body></html>"
        )

    async def api_list(request: Request) -> Response:
        return JSONResponse(
            [
                {
                    "name": c.api.name,
                    "title": c.api.title,
                    "basePath": c.api.base_path,
                    "mode": mode,
                    "preview": c.api.preview,
                    "docs": f"{PREFIX}/docs/{c.api.name}/",
                }
                for c in contracts.values()
            ]
        )

    async def swagger_ui(request: Request) -> Response:
        contract = find(request)
        return HTMLResponse(
            _SWAGGER_PAGE.format(
                title=html.escape(contract.api.title),
                prefix=PREFIX,
                spec_url=json.dumps(f"{PREFIX}/docs/{contract.api.name}/openapi.json"),
            )
        )

    async def spec_json(request: Request) -> Response:
        return Response(find(request).as_json(), media_type="application/json")

    async def spec_yaml(request: Request) -> Response:
        return Response(find(request).as_yaml(), media_type="application/yaml")

    async def to_slash(request: Request) -> Response:
        return RedirectResponse(f"{request.url.path}/", status_code=308)

    async def not_found(request: Request, exc: Exception) -> Response:
        detail = exc.detail if isinstance(exc, HTTPException) else "Not Found"
        return JSONResponse(
            {"type": "about:blank", "title": "Not Found", "status": 404, "detail": detail},
            status_code=404,
            media_type="application/problem+json",
        )

    def native_routes(contract: Contract) -> list[Route]:
        if contract.api.native_docs is None:
            return []
        spec_path, ui_path = contract.api.native_docs

        async def native_json(request: Request) -> Response:
            return Response(contract.as_json(), media_type="application/json")

        async def native_ui(request: Request) -> Response:
            return HTMLResponse(
                _SWAGGER_PAGE.format(
                    title=html.escape(contract.api.title),
                    prefix=PREFIX,
                    spec_url=json.dumps(spec_path),
                )
            )

        async def to_ui(request: Request) -> Response:
            return RedirectResponse(ui_path, status_code=301)

        folder = ui_path.rsplit("/", 1)[0]
        return [Route(spec_path, native_json), Route(ui_path, native_ui), Route(folder, to_ui)]

    return Starlette(
        exception_handlers={404: not_found},
        routes=[
            *(route for contract in contracts.values() for route in native_routes(contract)),
            Route(f"{PREFIX}/", index),
            Route(PREFIX, index),
            Route(f"{PREFIX}/apis", api_list),
            Route(f"{PREFIX}/docs/{{api}}", to_slash),
            Route(f"{PREFIX}/docs/{{api}}/", swagger_ui),
            Route(f"{PREFIX}/docs/{{api}}/openapi.json", spec_json),
            Route(f"{PREFIX}/docs/{{api}}/openapi.yaml", spec_yaml),
            Mount(f"{PREFIX}/swagger-ui", StaticFiles(directory=swagger_ui_path)),
        ],
    )


def native_docs_paths(contracts: dict[str, Contract]) -> dict[str, str]:
    """The paths where the real services serve their docs: lower case to as routed here (the
    real, ASP.NET, services match them without regard to case)."""
    paths: dict[str, str] = {}
    for contract in contracts.values():
        if contract.api.native_docs is not None:
            spec_path, ui_path = contract.api.native_docs
            for path in (spec_path, ui_path, ui_path.rsplit("/", 1)[0]):
                paths[path.lower()] = path
    return paths


def _unknown_api(name: str, contracts: dict[str, Contract]) -> HTTPException:
    return HTTPException(
        status_code=404, detail=f"No API named '{name}'. Served: {', '.join(contracts)}."
    )
