"""`specserve lint`: check the specs (specserve.lint) before they are served or committed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from specserve.lint import count_operations, lint_spec, spec_files
from specserve.settings import Settings


def add_commands(commands: Any) -> None:
    """Register the command on the `specserve` parser's subcommands."""
    lint = commands.add_parser(
        "lint",
        help="check the specs: valid OpenAPI 3.0.3 and the house rules",
        description=(
            "Check each spec: valid OpenAPI 3.0.3; every operation named, tagged, summarized and "
            "secured (or opted out with `security: []`); an example for every response body; "
            "examples that match their schemas; the error responses its API promises; no "
            "recursive schemas; links that name real operations and parameters; a link from "
            "every create, update and delete to the read of what it writes. Prints one finding "
            "a line; exits 1 if there are any."
        ),
    )
    lint.add_argument(
        "specs",
        nargs="*",
        type=Path,
        metavar="SPEC",
        help="a spec file to check (default: every spec in the specs folder)",
    )
    lint.set_defaults(run=_lint)


def _lint(args: argparse.Namespace, settings: Settings) -> int:
    paths: list[Path] = args.specs or spec_files(settings.specs_dir)
    findings = [finding for path in paths for finding in lint_spec(path)]
    operations = sum(count_operations(path) for path in paths)
    for finding in findings:
        print(finding)
    print(
        f"specserve lint: {_count(len(paths), 'spec')}, {_count(operations, 'operation')}, "
        f"{_count(len(findings), 'finding')}"
    )
    return 1 if findings else 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
