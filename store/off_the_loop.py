"""Slow work of the store kept off the event loop.

A unit of work may run on the event loop (in a greenlet: see store.unit_of_work), where a
computation that takes long (bcrypt, slow on purpose: a quarter of a second) would stop every
other request of the worker. Such work goes through `off_the_loop`, which runs it in a
thread there and waits for it on the loop; anywhere else it simply runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.util.concurrency import await_only, in_greenlet

P = ParamSpec("P")
T = TypeVar("T")


def off_the_loop(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    if in_greenlet():
        result: T = await_only(asyncio.to_thread(function, *args, **kwargs))
        return result
    return function(*args, **kwargs)
