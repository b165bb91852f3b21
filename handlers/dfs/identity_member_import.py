"""Operations of the tag IdentityMemberImport: the long-running creation of the members of
the tenant's identities that have none (its status: IdentityMemberSync's status operation)."""

from __future__ import annotations

from typing import Any

from handlers.dfs.identity_member_sync import queue_member_operation
from handlers.responses import JsonAnswer
from store.dfs.member_sync import IMPORT_MEMBERS


def import_members(token_info: dict[str, Any]) -> JsonAnswer:
    return queue_member_operation(token_info, IMPORT_MEMBERS)
