"""Users: their profiles, their accounts, and the details a user reads of itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.ansysid import rows
from store.ansysid.access import Access
from store.ansysid.accounts import AccountsRepository
from store.ansysid.activities import ActivityLog
from store.ansysid.models import AidAccount, AidAccountUser, AidGlobalRole, AidUser
from store.ansysid.records import UserDetails, UserRecord
from store.errors import Conflict, Forbidden, NotFound
from store.timestamps import utc_now


@dataclass(frozen=True)
class UserValues:
    """The fields a request sets; None leaves a field as it is."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@dataclass(frozen=True)
class AccountGrant:
    account_id: uuid.UUID
    role_id: uuid.UUID | None


class UsersRepository:
    def __init__(self, session: Session, access: Access, log: ActivityLog) -> None:
        self._session = session
        self._access = access
        self._log = log

    def details(self, email: str | None) -> UserDetails:
        caller = self._access.caller
        if email is None:
            user = self._session.get(AidUser, caller.id) if caller.is_user else None
            if user is None:
                raise NotFound("The caller is no user of Ansys ID: name a user by `email`.")
        else:
            user = rows.user_by_email(self._session, email)
            if user is None or not self._access.sees_user(user.id):
                raise NotFound(f"No user with the e-mail {email}.")
        accounts = self._session.scalars(
            select(AidAccount)
            .join(AidAccountUser, AidAccountUser.account_id == AidAccount.id)
            .where(AidAccountUser.user_id == user.id)
            .order_by(AidAccount.name, AidAccount.id)
        )
        return UserDetails(
            user=rows.to_user(user),
            accounts=[
                rows.to_account(account)
                for account in accounts
                if self._access.can_view(account.id)
            ],
        )

    def create(self, values: UserValues) -> UserRecord:
        self._access.require_administrator("create users")
        assert values.email is not None
        row = rows.new_user(
            self._session,
            email=values.email,
            first_name=values.first_name or "",
            last_name=values.last_name or "",
        )
        self._log.record("UserCreated", target_type="User", target_id=row.id, user_id=row.id)
        return rows.to_user(row)

    def get(self, user_id: uuid.UUID) -> UserRecord:
        return rows.to_user(self._visible(user_id))

    def update(self, user_id: uuid.UUID, values: UserValues) -> UserRecord:
        row = self._visible(user_id, lock=True)
        changes_email = values.email is not None and values.email.strip() != row.email
        if not self._may_edit(row, changes_email=changes_email):
            raise Forbidden(
                "A user's e-mail is changed by an Ansys Administrator only; the names by an "
                "Ansys Administrator, or by an editor of every account the user is in who may "
                "grant every role the user holds there."
            )
        changed: dict[str, str] = {}
        if values.email is not None and values.email.strip() != row.email:
            # The same address in another letter case is the user's own: it is set as given.
            new_key = rows.email_key(values.email)
            if new_key != row.email_key and rows.user_by_email(self._session, values.email):
                raise Conflict(f"A user with the e-mail {values.email} exists.", field="email")
            row.email, row.email_key = values.email.strip(), new_key
            changed["email"] = row.email
        if values.first_name is not None and values.first_name != row.first_name:
            row.first_name = changed["firstName"] = values.first_name
        if values.last_name is not None and values.last_name != row.last_name:
            row.last_name = changed["lastName"] = values.last_name
        if changed:
            row.modified_at = utc_now()
            self._session.flush()
            # Once in each of the user's accounts, so that every account's log shows it.
            accounts: list[uuid.UUID | None] = [*self._accounts_of(user_id)] or [None]
            for account_id in accounts:
                self._log.record(
                    "UserUpdated",
                    target_type="User",
                    target_id=row.id,
                    account_id=account_id,
                    user_id=row.id,
                    details=changed,
                )
        return rows.to_user(row)

    def delete(self, user_id: uuid.UUID) -> None:
        row = self._visible(user_id, lock=True)
        self._access.require_administrator("delete users")
        accounts = AccountsRepository(self._session, self._access, self._log)
        for account_id in self._accounts_of(user_id):
            accounts.remove_from_account(account_id, user_id)
        self._session.delete(row)
        self._session.flush()
        self._log.record(
            "UserDeleted", target_type="User", target_id=user_id, user_id=user_id, email=row.email
        )

    def add_to_accounts(
        self, user_id: uuid.UUID, grants: list[AccountGrant], *, suppress_email: bool
    ) -> UserDetails:
        """All or nothing: every account must be visible and every role grantable."""
        user = self._visible(user_id)
        accounts = AccountsRepository(self._session, self._access, self._log)
        for grant in grants:
            # A refusal raises, and the unit of work undoes the accounts already joined.
            accounts.add_user(
                grant.account_id, user.email, grant.role_id, suppress_email=suppress_email
            )
        return self.details(user.email)

    def _visible(self, user_id: uuid.UUID, *, lock: bool = False) -> AidUser:
        query = select(AidUser).where(AidUser.id == user_id)
        row = self._session.scalar(query.with_for_update() if lock else query)
        if row is None or not self._access.sees_user(user_id):
            raise NotFound(f"No user with id {user_id}.")
        return row

    def _may_edit(self, user: AidUser, *, changes_email: bool) -> bool:
        """The e-mail is the user's sign-in name: only an Ansys Administrator changes it, and
        the profile of a holder of a global role. Anyone else needs to be an editor of every
        account the user is in, able to grant every role the user holds there: a Customer
        Administrator cannot rename a Support Coordinator, or a user of another customer."""
        if self._access.caller.is_unbound_administrator:
            return True
        global_roles = self._session.scalar(
            select(AidGlobalRole.role_id).where(AidGlobalRole.user_id == user.id)
        )
        accounts = self._accounts_of(user.id)
        if changes_email or global_roles is not None or not accounts:
            return False
        return all(
            self._access.can_edit(account_id)
            and all(
                self._access.can_grant(role.name, account_id)
                for role in rows.roles_of(self._session, account_id, user.id)
            )
            for account_id in accounts
        )

    def _accounts_of(self, user_id: uuid.UUID) -> list[uuid.UUID]:
        return list(
            self._session.scalars(
                select(AidAccountUser.account_id).where(AidAccountUser.user_id == user_id)
            )
        )
