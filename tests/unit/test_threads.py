"""A worker runs as many synchronous handlers at once as SPECSERVE_HANDLER_THREADS says."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import ASGIApp

from specserve.threads import HandlerThreads


def most_at_once(wrap: Callable[[ASGIApp], ASGIApp], callers: int = 6) -> int:
    """How many of `callers` simultaneous requests a slow synchronous handler ran at once."""
    running = most = 0
    lock = threading.Lock()

    def handler(_request: Request) -> PlainTextResponse:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.2)
        with lock:
            running -= 1
        return PlainTextResponse("done")

    with TestClient(wrap(Starlette(routes=[Route("/", handler)]))) as client:
        answers: list[str] = []
        threads = [
            threading.Thread(target=lambda: answers.append(client.get("/").text))
            for _ in range(callers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers == ["done"] * callers
    return most


def test_handlers_beyond_the_limit_wait_for_a_thread() -> None:
    assert most_at_once(lambda app: HandlerThreads(app, threads=2)) == 2


def test_without_the_limit_they_run_at_once() -> None:
    assert most_at_once(lambda app: app) == 6
