"""The `specserve` command: serve the APIs, print a token, manage the database (and, in
specserve.cli_access, API keys and access groups)."""

from __future__ import annotations

import argparse
import copy
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn
import uvicorn.config
import yaml

from specserve import cli_access, cli_contract, cli_lint
from specserve.apis import ALL_APIS, API_NAMES, TokenIssuer
from specserve.app import StoreNotMigrated, prepare_database
from specserve.contract import Contract
from specserve.identity.b2c import POLICIES, B2cTokens, requested_scopes
from specserve.identity.grants import identity_claims, issue_for_client
from specserve.identity.keys import load_or_create_signing_key
from specserve.identity.tokens import token_service
from specserve.settings import MOCK_AUTH_MODES, Settings, SettingsError, parse_latency
from specserve.tls import self_signed_certificate
from store import Store, UnitOfWork
from store.dfs.repository import SignedInIdentity, SignInRefused
from store.migrate import drop_everything, upgrade
from store.seed import seed

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# `specserve token --api ansysid`: who signs in without --user, through which demo client.
DEMO_ANSYS_ADMINISTRATOR = "ansys.admin@ansys.com"
DEMO_B2C_CLIENT = "b5e3d1c0-7f6a-4b2e-9d8c-1a2b3c4d5e6f"
ANSYSID_SCOPE = "https://ansysaccount.onmicrosoft.com/AnsysID/Authentication"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    try:
        return int(args.run(args, Settings.from_env()))
    except (SettingsError, StoreNotMigrated, CommandError, cli_access.AccessCommandError) as error:
        print(f"specserve: {error}", file=sys.stderr)
        return 2


class CommandError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="specserve",
        description=(
            "Serve the AnsysID, Access Control, DFS Admin and primedocs Admin APIs from their "
            "OpenAPI contracts. Settings come from the environment (DATABASE_URL, "
            "SPECSERVE_DATA_DIR, SPECSERVE_PUBLIC_URL, SPECSERVE_ENV, ...), overridden by options."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the server",
        description=(
            "Run the server with every API at its real base path. On the default SQLite database "
            "the first start creates the schema and loads the demo data; a PostgreSQL database "
            "must be migrated first with `specserve db upgrade`."
        ),
    )
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8080)")
    serve.add_argument(
        "--api",
        action="append",
        choices=API_NAMES,
        metavar="NAME",
        help=f"serve only this API; repeat for several (choices: {', '.join(API_NAMES)})",
    )
    serve.add_argument(
        "--workers", type=int, help="worker processes sharing one database (default 1)"
    )
    serve.add_argument(
        "--tls",
        action="store_true",
        help=(
            "serve HTTPS with a self-signed certificate for localhost, made on first use in the "
            "data folder (tls/localhost-cert.pem); MSAL accepts only https authorities"
        ),
    )
    serve.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate")
    serve.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")
    modes = serve.add_mutually_exclusive_group()
    modes.add_argument(
        "--mock",
        nargs="*",
        metavar="API",
        help=(
            "mock mode: answer the named APIs (default: all) from fixtures/mock, the specs' "
            "examples or generated data, chosen by the request (Prefer header, when: matchers); "
            "requests are still validated and credentials checked"
        ),
    )
    modes.add_argument(
        "--sandbox",
        nargs="*",
        metavar="API",
        help=(
            "sandbox mode: the real handlers over a throwaway store seeded from fixtures/seed; "
            "POST /_specserve/reset restores it, GET /_specserve/requests shows recent requests"
        ),
    )
    serve.add_argument(
        "--mock-auth",
        choices=MOCK_AUTH_MODES,
        help=(
            "mock mode's credential check: verify tokens and API keys as real mode does "
            "(default), accept any well-formed credential (presence), or none (off)"
        ),
    )
    serve.add_argument(
        "--latency",
        metavar="MIN..MAX",
        help="mock mode: delay each answer by a random time in this range of milliseconds",
    )
    serve.add_argument(
        "--fault-rate",
        type=float,
        metavar="R",
        help="mock mode: answer a fraction R (0 to 1) of requests with a 500 or 503",
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        metavar="ORIGIN",
        help="mock and sandbox mode: an origin browsers may call from; repeat (default: any)",
    )
    serve.add_argument(
        "--reload",
        action="store_true",
        help="restart the server when a spec or fixture changes (one worker)",
    )
    serve.set_defaults(run=_serve)

    token = commands.add_parser(
        "token",
        help="print a bearer token of an API's demo client, for curl",
        description=(
            "Print an access token of the API's demo client, or of a demo identity signed in "
            "with the password grant (from fixtures/seed)."
        ),
    )
    token.add_argument("--api", required=True, choices=API_NAMES, metavar="NAME")
    token.add_argument("--port", type=int, help="the port the server runs on (names the issuer)")
    token.add_argument(
        "--user",
        help=(
            "sign in as this demo identity (password grant; for dfs the default is additiv, "
            f"for ansysid {DEMO_ANSYS_ADMINISTRATOR})"
        ),
    )
    token.add_argument("--tenant", help="the tenant key to sign in to (default: the identity's)")
    token.add_argument(
        "--tls", action="store_true", help="the server runs with --tls (names the issuer)"
    )
    token.set_defaults(run=_token)

    db = commands.add_parser("db", help="manage the database (DATABASE_URL)")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser(
        "upgrade", help="migrate the schema to the newest revision"
    ).set_defaults(run=_db_upgrade)
    db_commands.add_parser(
        "seed", help="load the demo data of fixtures/seed (rows that exist are kept)"
    ).set_defaults(run=_db_seed)
    reset = db_commands.add_parser(
        "reset", help="drop every table, migrate and load the demo data again"
    )
    reset.add_argument("--yes", action="store_true", help="required in production")
    reset.set_defaults(run=_db_reset)
    cli_access.add_commands(commands)
    cli_lint.add_commands(commands)
    cli_contract.add_commands(commands)
    return parser


def _with_port(settings: Settings, port: int | None, *, tls: bool = False) -> Settings:
    if port is None and not tls:
        return settings
    port = settings.port if port is None else port
    scheme = "https" if tls else "http"
    public_url = os.environ.get("SPECSERVE_PUBLIC_URL", f"{scheme}://localhost:{port}")
    return settings.with_overrides(port=port, public_url=public_url)


def _tls_files(args: argparse.Namespace, settings: Settings) -> tuple[Path, Path] | None:
    """The certificate and key to serve HTTPS with: given, or made for localhost."""
    if (args.tls_cert is None) != (args.tls_key is None):
        raise CommandError("give --tls-cert and --tls-key together")
    if args.tls_cert is not None:
        return Path(args.tls_cert), Path(args.tls_key)
    if args.tls:
        return self_signed_certificate(settings.data_dir)
    return None


def _mode(args: argparse.Namespace) -> tuple[str | None, tuple[str, ...] | None]:
    """The mode the options ask for, and the APIs they name (None: the default ones)."""
    mode, named = None, list(args.api or [])
    if args.mock is not None:
        mode, named = "mock", named + args.mock
    elif args.sandbox is not None:
        mode, named = "sandbox", named + args.sandbox
    unknown = sorted(set(named) - set(API_NAMES))
    if unknown:
        raise CommandError(f"unknown API {', '.join(unknown)}; choose from {', '.join(API_NAMES)}")
    return mode, tuple(dict.fromkeys(named)) or None


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    tls = _tls_files(args, settings)
    mode, apis = _mode(args)
    settings = _with_port(settings, args.port, tls=tls is not None).with_overrides(
        host=args.host,
        workers=args.workers,
        apis=apis,
        mode=mode,
        mock_auth=args.mock_auth,
        latency_ms=parse_latency(args.latency) if args.latency else None,
        fault_rate=args.fault_rate,
        cors_origins=tuple(args.cors_origin) if args.cors_origin else None,
    )
    if args.reload and settings.workers != 1:
        raise CommandError("--reload runs one worker: leave out --workers")
    settings.check()
    # Prepare once here, so that workers starting together find the schema and key in place.
    # (A sandbox makes its own store.)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.mode != "sandbox":
        store = Store(settings.effective_database_url)
        prepare_database(store, settings)
        store.dispose()
    load_or_create_signing_key(settings.data_dir)
    os.environ.update(settings.to_env())
    scheme = "https" if tls else "http"
    print(
        f"specserve: serving {settings.mode} mode on {scheme}://{settings.host}:{settings.port}/ "
        f"(docs at {scheme}://{settings.host}:{settings.port}/_specserve/)"
        + (f"; the certificate to trust: {tls[0]}" if tls else ""),
        file=sys.stderr,
    )
    uvicorn.run(
        "specserve.app:served_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=False,
        log_level=settings.log_level,
        log_config=_log_config(settings.log_level),
        ssl_certfile=None if tls is None else str(tls[0]),
        ssl_keyfile=None if tls is None else str(tls[1]),
        reload=args.reload,
        reload_dirs=[str(settings.specs_dir), str(settings.fixtures_dir)] if args.reload else None,
        reload_includes=["*.yaml"] if args.reload else None,
    )
    return 0


def _log_config(level: str) -> dict[str, Any]:
    """Uvicorn's logging plus specserve's own lines; applied in every worker process."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["specserve"] = {"format": LOG_FORMAT}
    config["handlers"]["specserve"] = {
        "class": "logging.StreamHandler",
        "formatter": "specserve",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["specserve"] = {
        "handlers": ["specserve"],
        "level": level.upper(),
        "propagate": False,
    }
    return dict(config)


def _token(args: argparse.Namespace, settings: Settings) -> int:
    settings = _with_port(settings, args.port, tls=args.tls)
    api = next(api for api in ALL_APIS if api.name == args.api)
    if api.issuer is TokenIssuer.B2C:
        print(_b2c_token(settings, args.user or DEMO_ANSYS_ADMINISTRATOR))
        return 0
    seed_dir = settings.fixtures_dir / "seed"
    identity_seed = yaml.safe_load((seed_dir / "identity.yaml").read_text(encoding="utf-8"))
    # The scopes that open the API: those its spec names, else every scope of its audience.
    accepted = set(Contract.load(api, settings.specs_dir).accepted_scopes()) or {
        scope["name"] for scope in identity_seed["api_scopes"] if scope["audience"] == api.audience
    }
    user = args.user or ("additiv" if api.name == "dfs" else None)
    grant = "password" if user else "client_credentials"
    client = next(
        (
            c
            for c in identity_seed["clients"]
            if accepted & set(c.get("scopes", []))
            and grant in c.get("grant_types", ["client_credentials"])
        ),
        None,
    )
    if client is None:
        raise CommandError(f"fixtures/seed/identity.yaml has no demo client for {api.name}")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.effective_database_url)
    prepare_database(store, settings)
    with store.unit_of_work() as uow:
        record = uow.identity.authenticate_client(
            client_id=client["client_id"], secret=client["secret"]
        )
        if record is None:
            raise CommandError(
                f"the demo client {client['client_id']} is not in the database: "
                "run `specserve db seed`"
            )
        scopes = accepted & record.allowed_scopes
        if not scopes:
            raise CommandError(
                f"the demo client {record.client_id} may not ask for {' or '.join(accepted)}"
            )
        tokens = token_service(settings)
        if user is None:
            issued = issue_for_client(uow, tokens, record, scopes)
        else:
            identity = _demo_identity(uow, seed_dir, user, args.tenant)
            issued = issue_for_client(
                uow,
                tokens,
                record,
                scopes,
                subject=str(identity.identity_id),
                claims=identity_claims(identity),
            )
    print(issued.access_token)
    return 0


def _b2c_token(settings: Settings, email: str) -> str:
    """An access token of the B2C stand-in for a demo user of fixtures/seed/ansysid.yaml,
    signed in with its demo password (the password grant's token)."""
    seed_file = settings.fixtures_dir / "seed" / "ansysid.yaml"
    demo = yaml.safe_load(seed_file.read_text(encoding="utf-8"))
    passwords = {user["email"].casefold(): user.get("password") for user in demo["users"]}
    password = passwords.get(email.casefold())
    if password is None:
        raise CommandError(f"fixtures/seed/ansysid.yaml has no demo user '{email}'")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.effective_database_url)
    prepare_database(store, settings)
    b2c = B2cTokens(
        token_service(settings),
        public_url=settings.public_url,
        lifetime_seconds=settings.token_lifetime_seconds,
    )
    with store.unit_of_work() as uow:
        user = uow.ansysid.signin.authenticate_user(email, password)
        if user is None:
            raise CommandError(f"the demo user '{email}' cannot sign in: run `specserve db seed`")
        granted = requested_scopes(ANSYSID_SCOPE, uow.ansysid.signin.resources())
    token, _lifetime = b2c.user_access_token(
        user=user,
        client_id=DEMO_B2C_CLIENT,
        granted=granted,
        policy=POLICIES[0],
        pat=None,
        now=int(time.time()),
    )
    return token


def _demo_identity(
    uow: UnitOfWork, seed_dir: Path, user: str, tenant: str | None
) -> SignedInIdentity:
    """A demo identity of fixtures/seed/dfs.yaml, signed in with its demo password."""
    dfs_seed = yaml.safe_load((seed_dir / "dfs.yaml").read_text(encoding="utf-8"))
    passwords = {
        identity["user_name"].casefold(): identity.get("password")
        for each in dfs_seed.get("tenants", [])
        for identity in each.get("identities", [])
    }
    password = passwords.get(user.casefold())
    if password is None:
        raise CommandError(f"fixtures/seed/dfs.yaml has no demo identity '{user}' with a password")
    try:
        identity = uow.dfs.authenticate_identity(
            user_name=user, password=password, tenant_key=tenant
        )
    except SignInRefused as refusal:
        raise CommandError(str(refusal)) from refusal
    if identity is None:
        raise CommandError(f"the demo identity '{user}' cannot sign in: run `specserve db seed`")
    return identity


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(Store(settings.effective_database_url).engine)
    return 0


def _db_seed(args: argparse.Namespace, settings: Settings) -> int:
    if settings.environment == "production":
        raise CommandError(
            "the demo data (with its published client secrets) is not for production"
        )
    loaded = seed(Store(settings.effective_database_url).engine, settings.fixtures_dir / "seed")
    print(f"specserve: loaded {', '.join(loaded)}", file=sys.stderr)
    return 0


def _db_reset(args: argparse.Namespace, settings: Settings) -> int:
    if settings.environment == "production" and not args.yes:
        raise CommandError("`db reset` drops every table: add --yes to do it in production")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = Store(settings.effective_database_url).engine
    drop_everything(engine)
    upgrade(engine)
    return _db_seed(args, settings)


if __name__ == "__main__":
    sys.exit(main())
