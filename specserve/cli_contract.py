"""`specserve contract-test`: Schemathesis against a running server (specserve.contract_test)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from specserve import contract_test
from specserve.apis import API_NAMES
from specserve.settings import Settings

T = TypeVar("T")


def add_commands(commands: Any) -> None:
    """Register the command on the `specserve` parser's subcommands."""
    command = commands.add_parser(
        "contract-test",
        help="test a running server against the specs with Schemathesis",
        description=(
            "Run Schemathesis against the server at URL for each API: the spec from specs/, "
            "every check, positive and negative data, and the stateful phase following the "
            "specs' links. Prints cases and failures by check per operation, and for each "
            "failure the request as curl; exits 1 on any failure, 2 when it cannot start."
        ),
    )
    command.add_argument(
        "--base-url", required=True, metavar="URL", help="the server, e.g. http://localhost:8080"
    )
    command.add_argument(
        "--api",
        action="append",
        choices=API_NAMES,
        metavar="NAME",
        help=(
            f"test this API; repeat for several (choices: {', '.join(API_NAMES)}; default: "
            "those a specserve server serves, else all)"
        ),
    )
    command.add_argument(
        "--auth",
        type=_argument(contract_test.parse_auth),
        default=contract_test.AUTO,
        metavar="auto|bearer=TOKEN|api-key=KEY",
        help=(
            "credentials for every request: auto (default) signs in as the demo data's users at "
            "a specserve server's own token services; give a token or key for any other server"
        ),
    )
    command.add_argument(
        "--max-examples",
        type=_argument(_positive),
        metavar="N",
        help="generated cases per operation and phase (default: Schemathesis's, 100)",
    )
    command.add_argument(
        "--phases",
        type=_argument(contract_test.parse_phases),
        metavar="PHASE,...",
        help=f"the phases to run (default: all of {','.join(contract_test.PHASES)})",
    )
    command.add_argument(
        "--include-operation-id",
        action="append",
        metavar="ID",
        help=(
            "test only the operation with this operationId; repeat for several (default: all); "
            "the stateful phase needs operations whose links lead to each other"
        ),
    )
    command.add_argument("--seed", type=int, metavar="N", help="the random seed, to repeat a run")
    command.add_argument(
        "--report",
        type=_argument(contract_test.parse_report),
        metavar="junit=PATH",
        help="write JUnit XML to PATH (several APIs: one file each, PATH-<api>.xml)",
    )
    command.set_defaults(run=_contract_test)


def _argument(parse: Callable[[str], T]) -> Callable[[str], T]:
    """A parser's ValueError as argparse's usage error."""

    def parse_argument(text: str) -> T:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from error

    return parse_argument


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise ValueError(f"'{text}': at least 1")
    return number


def _contract_test(args: argparse.Namespace, settings: Settings) -> int:
    options = contract_test.Options(
        base_url=args.base_url,
        apis=tuple(dict.fromkeys(args.api or [])),
        auth=args.auth,
        max_examples=args.max_examples,
        phases=args.phases,
        seed=args.seed,
        junit=args.report,
        operation_ids=tuple(dict.fromkeys(args.include_operation_id or [])),
    )
    try:
        return contract_test.contract_test(options, settings.specs_dir, settings.fixtures_dir)
    except contract_test.ContractTestError as error:
        print(f"specserve: {error}", file=sys.stderr)
        return 2
