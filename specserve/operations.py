"""Connexion's handler wrapping, done once per operation instead of once per request.

Connexion 3.3 builds, for every request, a new decorator around the handler: it inspects the
handler's signature, stacks the parameter and response decorators and makes a URI parser, all
from facts of the operation that never change. The wrapped handler keeps no state of its own
between calls, so it is built on the operation's first request and used for every later one.
Nothing else changes: the same decorators bind the same arguments and render the same answers,
but for the Python names of parameters (`pageSize` -> `page_size`), which the parameter
decorator works out from each name on every request, and which are now worked out once; and
for an operation whose only parameters are in its path (a GET by id), whose arguments are bound
by `PathArguments` as Connexion binds them, without its search of query parameters, defaults,
body and files, none of which such an operation has.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import context, operation, receive, scope
from connexion.decorators import StarletteDecorator
from connexion.decorators.parameter import (
    AsyncParameterDecorator,
    _get_val_from_param,
    inspect_function_arguments,
    pythonic,
    unwrap_decorators,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from specserve.threads import run_handler


@functools.lru_cache(maxsize=1024)
def _pythonic(name: str) -> str:
    return str(pythonic(name))


class _NamesOnceParameterDecorator(AsyncParameterDecorator):  # type: ignore[misc]
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Mostly the spec's names; a client's own query names too, hence a bounded cache.
        self.sanitize_fn = _pythonic

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        bind_all = super().__call__(function)
        arguments, has_kwargs = inspect_function_arguments(unwrap_decorators(function))
        path_only: PathArguments | None = None
        checked = False

        @functools.wraps(function)
        async def wrapper(request: Any) -> Any:
            nonlocal path_only, checked
            if not checked:  # the routed operation is known only while a request is served
                path_only = PathArguments.of(operation._get_current_object(), has_kwargs)
                checked = True
            if path_only is None:
                return await bind_all(request)
            bound = path_only.bind(request.path_params)
            for key, value in context.items():
                if key in arguments:
                    bound[key] = value
            return await function(**bound)

        return wrapper


class PathArguments:
    """The arguments of an operation whose parameters are all in its path, bound as Connexion
    binds them: each value cast to its schema's type, under its Python name."""

    def __init__(self, parameters: list[tuple[str, str, dict[str, Any]]]) -> None:
        self.parameters = parameters  # (name, Python name, definition)

    @classmethod
    def of(cls, operation: Any, has_kwargs: bool) -> PathArguments | None:
        """None unless every parameter is in the path, there is no body, and the handler
        takes no **kwargs (to which Connexion gives every query parameter)."""
        parameters = operation.parameters
        if has_kwargs or operation.is_request_body_defined or operation.method.upper() == "TRACE":
            return None
        if any(p["in"] != "path" or not p["name"].isidentifier() for p in parameters):
            return None  # (Starlette's names of path parameters with dashes differ)
        return cls([(p["name"], _pythonic(p["name"]), p) for p in parameters])

    def bind(self, path_params: dict[str, Any]) -> dict[str, Any]:
        bound = {}
        for name, python_name, definition in self.parameters:
            if name in path_params:
                bound[python_name] = _get_val_from_param(path_params[name], definition)
        return bound


class _DecoratedOnce(StarletteDecorator):  # type: ignore[misc]
    @property
    def _parameter_decorator_cls(self) -> type[AsyncParameterDecorator]:
        return _NamesOnceParameterDecorator

    @property
    def _sync_async_decorator(self) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """A synchronous handler runs where specserve.threads says, not always in a thread."""

        def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
            if asyncio.iscoroutinefunction(function):
                return function

            @functools.wraps(function)
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                return await run_handler(function, *args, **kwargs)

            return wrapper

        return decorator

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        decorated: Callable[..., Any] | None = None
        uri_parser: Any = None

        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            nonlocal decorated, uri_parser
            if decorated is None:
                # On the first request: the URI parser reads the routed operation from
                # Connexion's context, which only a request sets.
                decorated, uri_parser = self.decorate(function), self.uri_parser
            request = self.framework.get_request(
                uri_parser=uri_parser, scope=scope, receive=receive
            )
            return await decorated(request)

        return wrapper


RequestHandler = Callable[[Request], Awaitable[Response]]


def reads_its_request(handler: RequestHandler) -> RequestHandler:
    """Marks a coroutine handler that takes the request and reads what it needs of it itself
    (a mock answer): Connexion validated the request, and binding every parameter to an
    argument the handler would not use cost a fifth of a mock's answer."""
    setattr(handler, _READS_ITS_REQUEST, True)
    return handler


_READS_ITS_REQUEST = "specserve_reads_its_request"


class _OperationDecoratedOnce(AsyncOperation):  # type: ignore[misc]
    @functools.cached_property
    def fn(self) -> Callable[..., Any]:
        decorator = _DecoratedOnce(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)
        return decorator(self._fn)

    @functools.cached_property
    def _reads_its_request(self) -> bool:
        return bool(getattr(self._fn, _READS_ITS_REQUEST, False))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._reads_its_request:
            response = await self._fn(Request(scope, receive))
            await response(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


class ApiDecoratedOnce(AsyncApi):  # type: ignore[misc]
    """Connexion's API of async operations, each wrapped once (see the module's docstring)."""

    def make_operation(self, operation: Any) -> AsyncOperation:
        return _OperationDecoratedOnce.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )
