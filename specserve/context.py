"""What a request can reach while it is served: the server's services and its correlation id.

The outermost middleware binds both for each request; Connexion copies the context into the
thread that runs a synchronous handler, so handlers and security functions see them too.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from specserve.apis import ApiDefinition
from specserve.contract import Contract
from specserve.identity.b2c import B2cTokens
from specserve.identity.tokens import TokenService
from specserve.settings import Settings
from store import Store, UnitOfWork

if TYPE_CHECKING:  # the sandbox reads the correlation id from here
    from specserve.sandbox import Sandbox


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    tokens: TokenService
    b2c: B2cTokens
    apis: tuple[ApiDefinition, ...]
    contracts: dict[str, Contract]
    # Handlers running on the event loop at once (specserve.threads): one loop's, the one
    # the store serves (Store.serves_loop).
    handler_slots: asyncio.Semaphore
    sandbox: Sandbox | None = None

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        return self.store.unit_of_work(read_only=read_only)


_services: ContextVar[Services] = ContextVar("specserve_services")
correlation_id: ContextVar[str] = ContextVar("specserve_correlation_id", default="")


def services() -> Services:
    try:
        return _services.get()
    except LookupError:
        raise RuntimeError("no specserve request is being served in this context") from None


def bind_services(value: Services) -> object:
    return _services.set(value)


def unit_of_work(*, read_only: bool = False) -> UnitOfWork:
    """The unit of work (one transaction) for the request being served."""
    return services().unit_of_work(read_only=read_only)
