"""Connexion's security handlers, reading a security function's signature once.

Connexion 3.3 asks, on every request and for each of two keywords (`required_scopes`,
`request`), whether the security function takes it: two `inspect.signature` calls a request.
A function's signature never changes, so the answer is kept per function. Given to Connexion
through its `security_map`; nothing else of the handlers changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connexion.security import SECURITY_HANDLERS, AbstractSecurityHandler

_accepts: dict[tuple[Callable[..., Any], str], bool] = {}


def _accepts_kwarg(func: Callable[..., Any], keyword: str) -> bool:
    key = (func, keyword)
    found = _accepts.get(key)
    if found is None:
        found = _accepts[key] = AbstractSecurityHandler._accepts_kwarg(func, keyword)
    return found


def _signature_read_once(handler: type[Any]) -> type[Any]:
    return type(handler.__name__, (handler,), {"_accepts_kwarg": staticmethod(_accepts_kwarg)})


SECURITY_MAP = {name: _signature_read_once(handler) for name, handler in SECURITY_HANDLERS.items()}
