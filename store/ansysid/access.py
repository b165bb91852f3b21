"""Who may do what: the role table of the AnsysID overview (seed 000) as rules.

Global roles (Ansys Administrator, Ansys Viewer) come from the caller's token; every other
role is held in an account and read from the store. What the caller may not even see is
answered as if it did not exist (404); what it sees but may not change is a 403.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.ansysid.models import AidAccount, AidAccountUser, AidGroupOwner, AidRole, AidUserRole
from store.errors import Forbidden, NotFound

ANSYS_ADMINISTRATOR = "Ansys Administrator"
ANSYS_VIEWER = "Ansys Viewer"
SUPPORT_COORDINATOR = "Ansys Support Coordinator"
CUSTOMER_ADMINISTRATOR = "Customer Administrator"
CUSTOMER_VIEWER = "Customer Viewer"
MEMBER = "Member"

GLOBAL_ROLES = frozenset({ANSYS_ADMINISTRATOR, ANSYS_VIEWER})
# Who edits an account's users, groups, members and owners.
ACCOUNT_EDITORS = frozenset({SUPPORT_COORDINATOR, CUSTOMER_ADMINISTRATOR})
# Who may grant (and take back) each customer role, besides an Ansys Administrator.
GRANTORS = {
    CUSTOMER_ADMINISTRATOR: frozenset({SUPPORT_COORDINATOR}),
    CUSTOMER_VIEWER: frozenset({SUPPORT_COORDINATOR}),
    MEMBER: frozenset({SUPPORT_COORDINATOR, CUSTOMER_ADMINISTRATOR}),
}


@dataclass(frozen=True)
class Caller:
    """Who calls, as its token says: a user or an app (client credentials)."""

    id: uuid.UUID
    name: str
    is_user: bool
    global_roles: frozenset[str] = frozenset()
    # A token made from a personal access token reaches only the PAT's account, and only
    # while that PAT holds.
    account_id: uuid.UUID | None = None
    pat_id: uuid.UUID | None = None

    def reaches(self, account_id: uuid.UUID) -> bool:
        return self.account_id is None or self.account_id == account_id

    @property
    def is_administrator(self) -> bool:
        return ANSYS_ADMINISTRATOR in self.global_roles

    @property
    def sees_every_account(self) -> bool:
        return bool(self.global_roles & GLOBAL_ROLES)

    @property
    def is_unbound_administrator(self) -> bool:
        """May do what reaches beyond one account (create accounts and users)."""
        return self.is_administrator and self.account_id is None


@dataclass
class Access:
    """The caller's rights, with its roles per account read once per unit of work."""

    session: Session
    caller: Caller
    _roles: dict[uuid.UUID, frozenset[str]] = field(default_factory=dict)

    def roles_in(self, account_id: uuid.UUID) -> frozenset[str]:
        if not self.caller.is_user or not self.caller.reaches(account_id):
            return frozenset()
        if account_id not in self._roles:
            names = self.session.scalars(
                select(AidRole.name)
                .join(AidUserRole, AidUserRole.role_id == AidRole.id)
                .where(
                    AidUserRole.account_id == account_id,
                    AidUserRole.user_id == self.caller.id,
                )
            )
            self._roles[account_id] = frozenset(names)
        return self._roles[account_id]

    def can_view(self, account_id: uuid.UUID) -> bool:
        if not self.caller.reaches(account_id):
            return False
        return self.caller.sees_every_account or bool(self.roles_in(account_id))

    def can_edit(self, account_id: uuid.UUID) -> bool:
        if not self.caller.reaches(account_id):
            return False
        return self.caller.is_administrator or bool(self.roles_in(account_id) & ACCOUNT_EDITORS)

    def can_grant(self, role_name: str, account_id: uuid.UUID) -> bool:
        if not self.caller.reaches(account_id) or role_name not in GRANTORS:
            return False
        return self.caller.is_administrator or bool(self.roles_in(account_id) & GRANTORS[role_name])

    def owns_group(self, group_id: uuid.UUID) -> bool:
        if not self.caller.is_user:
            return False
        owner = self.session.get(AidGroupOwner, (group_id, self.caller.id))
        return owner is not None

    def visible_account(self, account_id: uuid.UUID, *, for_change: bool = False) -> AidAccount:
        """The account, if the caller may view it; else 404, whether it exists or not. A change
        locks the account's row first: every write to an account and its users, groups and
        members goes one at a time, so that none is lost and two never deadlock."""
        query = select(AidAccount).where(AidAccount.id == account_id)
        row = self.session.scalar(query.with_for_update() if for_change else query)
        if row is None or not self.can_view(account_id):
            raise NotFound(f"No account with id {account_id}.")
        return row

    def editable_account(self, account_id: uuid.UUID) -> AidAccount:
        row = self.visible_account(account_id, for_change=True)
        self.require_edit(account_id)
        return row

    def require_edit(self, account_id: uuid.UUID) -> None:
        if not self.can_edit(account_id):
            raise Forbidden(
                "Changing this account needs the Ansys Administrator role, or the Ansys Support "
                "Coordinator or Customer Administrator role in the account."
            )

    def require_administrator(self, what: str) -> None:
        if not self.caller.is_unbound_administrator:
            raise Forbidden(f"Only an Ansys Administrator may {what}.")

    def viewable_account_ids(self) -> list[uuid.UUID] | None:
        """The accounts the caller may view; None means every account."""
        if self.caller.account_id is not None:
            return [self.caller.account_id] if self.can_view(self.caller.account_id) else []
        if self.caller.sees_every_account:
            return None
        if not self.caller.is_user:
            return []
        return list(
            self.session.scalars(
                select(AidUserRole.account_id)
                .where(AidUserRole.user_id == self.caller.id)
                .distinct()
            )
        )

    def sees_user(self, user_id: uuid.UUID) -> bool:
        if self.caller.is_user and user_id == self.caller.id:
            return True
        accounts = self.viewable_account_ids()
        query = select(AidAccountUser.account_id).where(AidAccountUser.user_id == user_id)
        if accounts is None:
            return True
        return self.session.scalar(query.where(AidAccountUser.account_id.in_(accounts))) is not None
