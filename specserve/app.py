"""The app factory: one ASGI app serving every chosen API at its real base path."""

from __future__ import annotations

import asyncio
import copy
import functools
import gc
import logging
from typing import Any

from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from specserve.access_log import AccessLog
from specserve.apis import SANDBOX_ADMIN, chosen_apis
from specserve.context import Services
from specserve.contract import Contract
from specserve.cross_origin import CrossOrigin
from specserve.docs import PREFIX, docs_app, native_docs_paths
from specserve.errors import handle_error
from specserve.formats import register_formats, route_numbers_as_text
from specserve.identity.b2c import B2cTokens
from specserve.identity.errors import OAuthError
from specserve.identity.tokens import token_service
from specserve.jsonifier import OrjsonJsonifier
from specserve.localization import ContentLanguage
from specserve.mock.answers import MockAnswers
from specserve.mock.auth import for_auth_mode
from specserve.operations import ApiDecoratedOnce
from specserve.paths import CanonicalPaths, LiteralRoutesFirst
from specserve.request_log import RecordRequests
from specserve.request_names import CaseInsensitiveNames
from specserve.request_validation import RequestValidatedOnce
from specserve.routing import ChainedRouting
from specserve.sandbox import Sandbox
from specserve.security_handlers import SECURITY_MAP
from specserve.settings import Settings
from specserve.shutdown import AtShutdown
from specserve.spec_checks import check_specs_once
from specserve.threads import HandlerThreads
from specserve.throttle import CredentialGuesses, ThrottleCredentialGuesses
from specserve.validation import VALIDATOR_MAP
from store import DomainError, Store
from store.migrate import is_current, upgrade
from store.seed import seed

logger = logging.getLogger("specserve")


class StoreNotMigrated(RuntimeError):
    pass


class ContractResolver(Resolver):  # type: ignore[misc]
    """Routes each operation to `handlers.<api>.<tag>.<operationId>` (in snake case)."""

    def __init__(self, contract: Contract) -> None:
        super().__init__()
        self._functions = {(op.method, op.path): name for name, op in contract.operations.items()}

    def resolve_operation_id(self, operation: Any) -> str:
        return self._functions[(operation.method.lower(), operation.path)]


class MockResolver(ContractResolver):
    """Routes each operation to its mock answer instead of its handler."""

    def __init__(self, contract: Contract, answers: MockAnswers) -> None:
        super().__init__(contract)
        self._answers = answers

    def resolve_function_from_operation_id(self, operation_id: str) -> Any:
        return self._answers.handler(operation_id)


# Connexion logs each validation failure at ERROR with the offending values (client secrets
# among them), warns on each request to an operation with several body media types, and logs
# an ERROR for each form field a spec leaves undeclared (which the token endpoints accept and
# ignore); the client gets these as a 400 or not at all, so in the log they are noise, or a leak.
QUIETED_LOGGERS = (
    "connexion.validators",
    "connexion.operations.openapi3",
    "connexion.decorators.parameter",
)


def create_app(settings: Settings | None = None) -> AccessLog:
    """Build the server. Prepares the data folder, the signing key and, on the default
    SQLite database, its schema and demo data on first start."""
    settings = settings or Settings.from_env()
    settings.check()
    for name in QUIETED_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    register_formats()
    route_numbers_as_text()
    check_specs_once()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    sandbox = Sandbox.create(settings) if settings.mode == "sandbox" else None
    if sandbox is not None:
        store = sandbox.store
    else:
        store = Store(
            settings.effective_database_url,
            pool_size=settings.handler_threads,
            on_event_loop=True,
        )
        # Mock mode still runs the token services (and API key checks) over the store.
        prepare_database(store, settings)
    tokens = token_service(settings)
    apis = chosen_apis(settings.apis) + ((SANDBOX_ADMIN,) if sandbox else ())
    contracts = {api.name: Contract.load(api, settings.specs_dir) for api in apis}
    services = Services(
        settings=settings,
        store=store,
        tokens=tokens,
        b2c=B2cTokens(
            tokens,
            public_url=settings.public_url,
            lifetime_seconds=settings.token_lifetime_seconds,
        ),
        apis=apis,
        contracts=contracts,
        sandbox=sandbox,
        handler_slots=asyncio.Semaphore(settings.handler_threads),
    )
    api: ASGIApp = ContentLanguage(
        CanonicalPaths(_connexion_app(services), contracts=contracts), apis=apis
    )
    if settings.credential_failure_limit > 0:
        guesses = CredentialGuesses(
            limit=settings.credential_failure_limit,
            window=settings.credential_failure_window_seconds,
        )
        api = ThrottleCredentialGuesses(api, apis=apis, guesses=guesses)
    if sandbox is not None:
        api = RecordRequests(api, sandbox.requests)
    app: ASGIApp = _PathDispatch(
        docs=docs_app(contracts, settings.mode),
        native_docs=native_docs_paths(contracts),
        api=api,
        api_paths=_admin_paths(contracts),
    )
    if settings.mode != "real":
        # Client teams call mocks and sandboxes from browser apps in development.
        app = CrossOrigin(app, origins=settings.cors_origins)
    if sandbox is not None:
        app = AtShutdown(app, sandbox.close)  # its files go
    elif store.on_event_loop:
        app = AtShutdown(app, store.dispose_on_loop)  # on the loop its connections belong to
    return AccessLog(HandlerThreads(app, threads=settings.handler_threads), services=services)


def served_app() -> AccessLog:
    """The app of a `specserve serve` worker process: create_app's, then everything it holds
    for its lifetime (specs, validators, fixtures, answers) is set aside from the garbage
    collector (gc.freeze), which otherwise walks it all again in every full collection."""
    app = create_app()
    gc.collect()
    gc.freeze()
    return app


def prepare_database(store: Store, settings: Settings) -> None:
    if is_current(store.engine):
        return
    if not settings.uses_default_sqlite:
        raise StoreNotMigrated(
            "The database is not at the current schema: run `specserve db upgrade` first."
        )
    logger.info("first start on %s: creating the schema and loading the demo data", store.url)
    upgrade(store.engine)
    seed(store.engine, settings.fixtures_dir / "seed")


def _admin_paths(contracts: dict[str, Contract]) -> frozenset[str]:
    """The paths below /_specserve that are operations (the sandbox's), not docs."""
    admin = contracts.get(SANDBOX_ADMIN.name)
    if admin is None:
        return frozenset()
    return frozenset(
        (SANDBOX_ADMIN.base_path + op.path).lower() for op in admin.operations.values()
    )


def _connexion_app(services: Services) -> AsyncApp:
    operations = {
        name: operation
        for contract in services.contracts.values()
        for name, operation in contract.operations.items()
    }
    # specserve serves the docs itself (see docs.py). Requests are bound as ASP.NET binds
    # them once routed and authorized: as there, credentials are checked before the input.
    replaced = {
        RoutingMiddleware: ChainedRouting,
        RequestValidationMiddleware: RequestValidatedOnce,
    }
    middlewares: list[Any] = [
        replaced.get(m, m)
        for m in ConnexionMiddleware.default_middlewares
        if m is not SwaggerUIMiddleware
    ]
    middlewares.insert(
        middlewares.index(SecurityMiddleware) + 1,
        functools.partial(
            CaseInsensitiveNames,
            operations=operations,
            max_body_bytes=services.settings.max_body_bytes,
        ),
    )
    middlewares.insert(
        middlewares.index(ChainedRouting) + 1,
        functools.partial(LiteralRoutesFirst, contracts=services.contracts),
    )
    app = AsyncApp(
        __name__,
        middlewares=middlewares,
        swagger_ui_options=SwaggerUIOptions(swagger_ui=False, serve_spec=False),
        validator_map=VALIDATOR_MAP,
        security_map=SECURITY_MAP,
        jsonifier=OrjsonJsonifier(),
    )
    # Handlers wrapped once per operation, not per request (specserve.operations).
    app._middleware_app.api_cls = ApiDecoratedOnce
    settings = services.settings
    mocked = [c for c in services.contracts.values() if not c.api.infrastructure]
    answers = (
        MockAnswers(
            {c.api.name: c for c in mocked},
            settings.fixtures_dir / "mock",
            latency_ms=settings.latency_ms,
            fault_rate=settings.fault_rate,
        )
        if settings.mode == "mock"
        else None
    )
    for contract in services.contracts.values():
        document = contract.document
        resolver: Resolver = ContractResolver(contract)
        if answers is not None and not contract.api.infrastructure:
            document = for_auth_mode(document, settings.mock_auth)
            resolver = MockResolver(contract, answers)
        app.add_api(
            copy.deepcopy(document),
            # Named, so that Connexion mounts the most specific base path first; an API at the
            # root leaves it unset (Connexion answers 404 everywhere for "/").
            base_path=None if contract.api.base_path == "/" else contract.api.base_path,
            name=contract.api.name,
            resolver=resolver,
            pythonic_params=True,
            # A mock's answers come from files anyone may edit: each is checked as it leaves.
            validate_responses=settings.validate_responses or answers is not None,
            # An API still being built answers 501 where a handler is not written yet.
            resolver_error=501 if contract.api.preview else None,
        )
    for error_type in (ProblemException, HTTPException, DomainError, OAuthError, Exception):
        app.add_error_handler(error_type, handle_error)
    return app


class _PathDispatch:
    """`/_specserve/...` and the real services' own docs paths go to the docs, everything else
    to the APIs."""

    def __init__(
        self,
        *,
        docs: ASGIApp,
        native_docs: dict[str, str],
        api: ASGIApp,
        api_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.docs = docs
        self.native_docs = native_docs
        self.api = api
        self.api_paths = api_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        native = self.native_docs.get(path.rstrip("/").lower())
        if path.rstrip("/").lower() in self.api_paths:
            await self.api(scope, receive, send)
        elif scope["type"] == "http" and native is not None:
            await self.docs({**scope, "path": native}, receive, send)
        elif scope["type"] == "http" and (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.docs(scope, receive, send)
        else:
            await self.api(scope, receive, send)
