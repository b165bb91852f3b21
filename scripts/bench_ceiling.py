"""The benchmark's ceiling: a bare Starlette app answering the DFS identity GET and search with
the bytes specserve's mock answered (captured by scripts/bench.py), validating nothing.

Usage: bench_ceiling.py FOLDER PORT (FOLDER holds get.json and post.json).
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def ceiling(folder: Path) -> Starlette:
    get_body = (folder / "get.json").read_bytes()
    post_body = (folder / "post.json").read_bytes()

    async def identity(request: Request) -> Response:
        return Response(get_body, media_type="application/json")

    async def search(request: Request) -> Response:
        await request.body()
        return Response(post_body, media_type="application/json")

    return Starlette(
        routes=[
            Route("/v1.0/identities/search", search, methods=["POST"]),
            Route("/v1.0/identities/{identity_id}", identity, methods=["GET"]),
        ]
    )


if __name__ == "__main__":
    folder, port = Path(sys.argv[1]), int(sys.argv[2])
    uvicorn.run(ceiling(folder), host="127.0.0.1", port=port, log_level="warning", access_log=False)
