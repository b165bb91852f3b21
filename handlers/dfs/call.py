"""One DFS call: the caller of the token, its access policy checked, one unit of work.

Every DFS handler starts with `with dfs_call(token_info) as (uow, caller):`. The policy the
operation needs is the spec's `x-required-access-policy`, found through the routed operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from connexion import request

from handlers.dfs.caller import Caller
from specserve.context import services, unit_of_work
from store import DomainError, UnitOfWork
from store.dfs.access import AccessRequirement


@contextmanager
def dfs_call(
    token_info: dict[str, Any], *, reads_only: bool = False
) -> Iterator[tuple[UnitOfWork, Caller]]:
    """`reads_only` for an operation that changes nothing: its unit of work runs without a
    transaction around it (see Store.unit_of_work) and refuses writes, and its access check
    goes with its first read that can carry it (see store.dfs.access)."""
    caller = Caller.of(token_info)
    with unit_of_work(read_only=reads_only) as uow:
        needed = _required_policy()
        if needed is not None:
            requirement = AccessRequirement(
                caller.tenant_id, caller.identity_id, caller.client_id, needed
            )
            uow.dfs.require_access(requirement, deferred=reads_only)
        try:
            yield uow, caller
        except DomainError:
            # A caller without the policy is refused before it learns what an id names.
            uow.dfs.settle_access()
            raise
        uow.dfs.settle_access()


def _required_policy() -> str | None:
    routing = request.scope.get("extensions", {}).get("connexion_routing", {})
    operation_id = routing.get("operation_id", "")
    contract = services().contracts.get("dfs")
    operation = contract.operations.get(operation_id) if contract else None
    return operation.required_access_policy if operation else None
