"""Who calls, from the B2C access token: a signed-in user or a registered app, its global roles
(federation groups) and, for a token made from a PAT, the one account it reaches."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from specserve.context import unit_of_work
from store.ansysid.access import GLOBAL_ROLES, Caller
from store.ansysid.repository import CallerRepositories

# An app's client id names it; apps are not users, so their ids only need to be stable.
_APP_NAMESPACE = uuid.UUID("1e5a3c2b-9d8f-4a7e-b6c5-d4e3f2a1b0c9")


def caller_of(token_info: dict[str, Any]) -> Caller:
    roles = token_info.get("roles") or []
    global_roles = frozenset(role for role in roles if role in GLOBAL_ROLES)
    subject = str(token_info["sub"])
    if "email" not in token_info:
        return Caller(id=_app_id(subject), name=subject, is_user=False, global_roles=global_roles)
    account = token_info.get("account_id")
    pat = token_info.get("pat_id")
    return Caller(
        id=uuid.UUID(subject),
        # Activities name their actor as people read it: "Anna Andersen", as the spec shows.
        name=str(token_info.get("name") or token_info["email"]),
        is_user=True,
        global_roles=global_roles,
        account_id=uuid.UUID(str(account)) if account else None,
        pat_id=uuid.UUID(str(pat)) if pat else None,
    )


@contextmanager
def acting_as(token_info: dict[str, Any]) -> Iterator[CallerRepositories]:
    """The AnsysID repositories for the token's caller, in one unit of work."""
    with unit_of_work() as uow:
        yield uow.ansysid.acting_as(caller_of(token_info))


def _app_id(client_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(client_id)
    except ValueError:
        return uuid.uuid5(_APP_NAMESPACE, client_id)
