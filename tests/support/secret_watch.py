"""Secrets never reach a log line: every line the suite's servers log is kept, and at the end
of the run searched for every secret the run used (the seed's passwords, client secrets and
API keys, and those the tests make, told through `used_secret`)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

from specserve.settings import PROJECT_ROOT

# The keys under which the seed files hold a secret in clear (hashed when loaded).
_SECRET_KEYS = {"password", "secret", "key"}
# Shorter values are names, not secrets ("key: RMember" names an access policy).
_SHORTEST_SECRET = 12

# The tests' own HTTP clients, which log the URLs they send (an API key in a query, say): what
# a client logs is its own business, not the server's.
_CLIENT_LOGGERS = ("httpx", "httpcore")

_made: set[str] = set()


def used_secret(value: str) -> str:
    """Tell the watch of a secret a test made (a PAT, an API key); answers the secret."""
    _made.add(value)
    return value


def seed_secrets(folder: Path = PROJECT_ROOT / "fixtures" / "seed") -> set[str]:
    found: set[str] = set()
    for path in folder.glob("*.yaml"):
        found.update(_secrets_in(yaml.safe_load(path.read_text())))
    return {secret for secret in found if len(secret) >= _SHORTEST_SECRET}


def _secrets_in(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for name, value in node.items():
            if name in _SECRET_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _secrets_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from _secrets_in(item)


def leaks(lines: Iterable[str], secrets: Iterable[str]) -> list[tuple[str, str]]:
    """(secret, line) for each line holding a secret."""
    wanted = sorted(set(secrets))
    return [(secret, line) for line in lines for secret in wanted if secret in line]


class _KeptLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(_CLIENT_LOGGERS):
            self.lines.append(self.format(record))


@contextlib.contextmanager
def watching_logs() -> Iterator[list[str]]:
    """The lines logged meanwhile: specserve's from INFO on (as a server logs them), other
    libraries' from their own level."""
    kept = _KeptLines()
    ours = logging.getLogger("specserve")
    level = ours.level
    if level == logging.NOTSET or level > logging.INFO:
        ours.setLevel(logging.INFO)
    logging.getLogger().addHandler(kept)
    try:
        yield kept.lines
    finally:
        logging.getLogger().removeHandler(kept)
        ours.setLevel(level)


def all_used_secrets() -> set[str]:
    return seed_secrets() | _made
