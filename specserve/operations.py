"""Connexion's handler wrapping, done once per operation instead of once per request.

Connexion 3.3 builds, for every request, a new decorator around the handler: it inspects the
handler's signature, stacks the parameter and response decorators and makes a URI parser, all
from facts of the operation that never change. The wrapped handler keeps no state of its own
between calls, so it is built on the operation's first request and used for every later one.
Nothing else changes: the same decorators bind the same arguments and render the same answers,
but for the Python names of parameters (`pageSize` -> `page_size`), which the parameter
decorator works out from each name on every request, and which are now worked out once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.decorators.parameter import AsyncParameterDecorator, pythonic


@functools.lru_cache(maxsize=1024)
def _pythonic(name: str) -> str:
    return str(pythonic(name))


class _NamesOnceParameterDecorator(AsyncParameterDecorator):  # type: ignore[misc]
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Mostly the spec's names; a client's own query names too, hence a bounded cache.
        self.sanitize_fn = _pythonic


class _DecoratedOnce(StarletteDecorator):  # type: ignore[misc]
    @property
    def _parameter_decorator_cls(self) -> type[AsyncParameterDecorator]:
        return _NamesOnceParameterDecorator

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


class _OperationDecoratedOnce(AsyncOperation):  # type: ignore[misc]
    @functools.cached_property
    def fn(self) -> Callable[..., Any]:
        decorator = _DecoratedOnce(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)
        return decorator(self._fn)


class ApiDecoratedOnce(AsyncApi):  # type: ignore[misc]
    """Connexion's API of async operations, each wrapped once (see the module's docstring)."""

    def make_operation(self, operation: Any) -> AsyncOperation:
        return _OperationDecoratedOnce.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )
