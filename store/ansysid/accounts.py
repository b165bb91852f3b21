"""Accounts, their users and the users' customer roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from store.ansysid import rows
from store.ansysid.access import MEMBER, SUPPORT_COORDINATOR, Access
from store.ansysid.activities import ActivityLog
from store.ansysid.models import AidAccount, AidAccountUser, AidRole, AidUser, AidUserRole
from store.ansysid.records import (
    AccountRecord,
    AccountUserRecord,
    EmailChanges,
    EmailEntry,
    IdChanges,
    Refusal,
    RoleRecord,
)
from store.errors import Conflict, Forbidden, Invalid, NotFound
from store.paging import Page, fetch_page
from store.timestamps import utc_now


@dataclass(frozen=True)
class AccountValues:
    """The fields a request sets: None leaves a field as it is, but for `description`, which
    the request may set to null (`sets_description` says whether it is set at all)."""

    account_number: str | None = None
    name: str | None = None
    description: str | None = None
    sets_description: bool = False


@dataclass(frozen=True)
class NewAccountUser:
    email: str
    role_id: uuid.UUID | None


class AccountsRepository:
    def __init__(self, session: Session, access: Access, log: ActivityLog) -> None:
        self._session = session
        self._access = access
        self._log = log

    # roles

    def roles(self) -> list[RoleRecord]:
        return [
            rows.to_role(row)
            for row in self._session.scalars(select(AidRole).order_by(AidRole.position))
        ]

    # accounts

    def create(self, values: AccountValues) -> AccountRecord:
        self._access.require_administrator("create accounts")
        assert values.account_number is not None and values.name is not None
        self._require_free_number(values.account_number)
        now = utc_now()
        row = AidAccount(
            id=uuid.uuid4(),
            account_number=values.account_number,
            number_key=values.account_number.casefold(),
            name=values.name,
            description=values.description,
            created_at=now,
            modified_at=now,
        )
        self._session.add(row)
        self._session.flush()
        self._log.record(
            "AccountCreated",
            target_type="Account",
            target_id=row.id,
            account_id=row.id,
            accountNumber=row.account_number,
        )
        return rows.to_account(row)

    def search(self, search: str | None, *, page: int, page_size: int) -> Page[AccountRecord]:
        query = select(AidAccount).order_by(AidAccount.name, AidAccount.id)
        visible = self._access.viewable_account_ids()
        if visible is not None:
            query = query.where(AidAccount.id.in_(visible))
        if search:
            query = query.where(
                or_(
                    func.lower(AidAccount.name).contains(search.lower(), autoescape=True),
                    AidAccount.number_key.contains(search.casefold(), autoescape=True),
                )
            )
        return fetch_page(
            self._session, query, page=page + 1, page_size=page_size, to_record=rows.to_account
        )

    def get(self, account_id: uuid.UUID) -> AccountRecord:
        return rows.to_account(self._access.visible_account(account_id))

    def update(self, account_id: uuid.UUID, values: AccountValues) -> AccountRecord:
        row = self._access.editable_account(account_id)
        changed: dict[str, str] = {}
        if values.account_number is not None and values.account_number != row.account_number:
            # The number comes from the CRM: only an Ansys Administrator corrects it.
            self._access.require_administrator("change an account's number")
            if values.account_number.casefold() != row.number_key:
                self._require_free_number(values.account_number)
            row.account_number = changed["accountNumber"] = values.account_number
            row.number_key = values.account_number.casefold()
        if values.name is not None and values.name != row.name:
            row.name = changed["accountName"] = values.name
        if values.sets_description and values.description != row.description:
            row.description = values.description
            changed["description"] = values.description or ""
        if changed:
            row.modified_at = utc_now()
            self._session.flush()
            self._log.record(
                "AccountUpdated", target_type="Account", target_id=row.id, account_id=row.id,
                details=changed,
            )  # fmt: skip
        return rows.to_account(row)

    def delete(self, account_id: uuid.UUID) -> None:
        row = self._access.visible_account(account_id, for_change=True)
        self._access.require_administrator("delete accounts")
        self._session.delete(row)
        self._session.flush()
        self._log.record(
            "AccountDeleted",
            target_type="Account",
            target_id=account_id,
            account_id=account_id,
            accountNumber=row.account_number,
        )

    # account users

    def users(
        self, account_id: uuid.UUID, search: str | None, *, page: int, page_size: int
    ) -> Page[AccountUserRecord]:
        self._access.visible_account(account_id)
        query = (
            select(AidAccountUser)
            .join(AidUser, AidUser.id == AidAccountUser.user_id)
            .where(AidAccountUser.account_id == account_id)
            .order_by(AidUser.email_key, AidUser.id)
        )
        if search:
            needle = search.lower()
            query = query.where(
                or_(
                    AidUser.email_key.contains(needle, autoescape=True),
                    func.lower(AidUser.first_name).contains(needle, autoescape=True),
                    func.lower(AidUser.last_name).contains(needle, autoescape=True),
                )
            )
        memberships = fetch_page(
            self._session, query, page=page + 1, page_size=page_size, to_record=lambda row: row
        )
        return replace(memberships, items=rows.to_account_users(self._session, memberships.items))

    def user(self, account_id: uuid.UUID, user_id: uuid.UUID) -> AccountUserRecord:
        self._access.visible_account(account_id)
        membership = rows.account_user(self._session, account_id, user_id)
        return rows.to_account_user(self._session, membership)

    def import_users(
        self,
        account_id: uuid.UUID,
        entries: list[NewAccountUser],
        *,
        remove_others: bool,
        suppress_email: bool,
    ) -> EmailChanges:
        account = self._access.editable_account(account_id)
        result = EmailChanges()
        wanted: set[uuid.UUID] = set()
        seen: set[str] = set()
        for entry in entries:
            if rows.repeated_entry(self._session, entry.email, seen, result):
                continue
            try:
                rows.require_email(entry.email)
                role = self._grantable_role(entry.role_id, account_id)
            except (NotFound, Invalid, Forbidden) as refusal:
                result.error.append(Refusal(entry.email, refusal.message))
                existing = rows.user_by_email(self._session, entry.email)
                if existing is not None:
                    wanted.add(existing.id)
                continue
            user, changed = self.join(
                account,
                entry.email,
                role,
                suppress_email=suppress_email,
                grant_to_existing=entry.role_id is not None,
            )
            wanted.add(user.id)
            target = result.success if changed else result.not_modified
            target.append(EmailEntry(user.email, user.id))
        if remove_others:
            self._remove_others(account_id, wanted, result)
        return result

    def add_user(
        self,
        account_id: uuid.UUID,
        email: str,
        role_id: uuid.UUID | None,
        *,
        suppress_email: bool,
    ) -> bool:
        """Make the user a user of the account with the role (Member when None); False when
        it was so already. Refusals raise."""
        account = self._access.editable_account(account_id)
        role = self._grantable_role(role_id, account_id)
        _user, changed = self.join(
            account,
            email,
            role,
            suppress_email=suppress_email,
            grant_to_existing=role_id is not None,
        )
        return changed

    def remove_users(self, account_id: uuid.UUID, user_ids: list[uuid.UUID]) -> IdChanges:
        self._access.editable_account(account_id)
        result = IdChanges()
        seen: set[uuid.UUID] = set()
        for user_id in user_ids:
            # An id listed a second time: the first one did whatever there was to do.
            repeated = user_id in seen
            seen.add(user_id)
            if repeated or self._session.get(AidAccountUser, (account_id, user_id)) is None:
                result.not_modified.append(user_id)
                continue
            reason = self._why_not_removable(account_id, user_id)
            if reason:
                result.error.append(Refusal(user_id, reason))
                continue
            self.remove_from_account(account_id, user_id)
            result.success.append(user_id)
        return result

    def grant_role(
        self, account_id: uuid.UUID, user_id: uuid.UUID, role_id: uuid.UUID
    ) -> AccountUserRecord:
        role, membership = self._role_change(account_id, user_id, role_id)
        if rows.grant(self._session, account_id, user_id, role):
            self._log_role("RoleGranted", account_id, user_id, role)
        return rows.to_account_user(self._session, membership)

    def revoke_role(
        self, account_id: uuid.UUID, user_id: uuid.UUID, role_id: uuid.UUID
    ) -> AccountUserRecord:
        role, membership = self._role_change(account_id, user_id, role_id)
        held = self._session.get(AidUserRole, (account_id, user_id, role.id))
        if held is None:
            raise NotFound(f"The user {user_id} does not hold the role {role.name} here.")
        self._session.delete(held)
        self._session.flush()
        self._log_role("RoleRevoked", account_id, user_id, role)
        return rows.to_account_user(self._session, membership)

    # helpers

    def _role_change(
        self, account_id: uuid.UUID, user_id: uuid.UUID, role_id: uuid.UUID
    ) -> tuple[AidRole, AidAccountUser]:
        """The role and the user of the account a grant or revocation is about, once the
        caller may make it."""
        self._access.visible_account(account_id, for_change=True)
        role = rows.assignable_role(self._session, role_id)
        membership = rows.account_user(self._session, account_id, user_id)
        self._require_grantor(role, account_id)
        return role, membership

    def _grantable_role(self, role_id: uuid.UUID | None, account_id: uuid.UUID) -> AidRole:
        role = (
            rows.role_named(self._session, MEMBER)
            if role_id is None
            else rows.assignable_role(self._session, role_id)
        )
        self._require_grantor(role, account_id)
        return role

    def _require_grantor(self, role: AidRole, account_id: uuid.UUID) -> None:
        if not self._access.can_grant(role.name, account_id):
            who = (
                "an Ansys Support Coordinator, a Customer Administrator"
                if role.name == MEMBER
                else "an Ansys Support Coordinator"
            )
            raise Forbidden(
                f"The role {role.name} is granted and taken back only by {who} of the account "
                "or an Ansys Administrator."
            )

    def join(
        self,
        account: AidAccount,
        email: str,
        role: AidRole,
        *,
        suppress_email: bool,
        grant_to_existing: bool = True,
    ) -> tuple[AidUser, bool]:
        """Make the user (by e-mail, made if new) a user of the account with the role; True if
        that changed anything. A user of the account already gets the role only when
        `grant_to_existing` (the request named it; Member is only the default for newcomers).
        The caller has checked that it may."""
        user = rows.user_by_email(self._session, email)
        if user is None:
            user = rows.new_user(self._session, email=email, first_name="", last_name="")
            self._log.record("UserCreated", target_type="User", target_id=user.id, user_id=user.id)
        if self._session.get(AidAccountUser, (account.id, user.id)) is None:
            rows.add_account_user(self._session, account.id, user.id, role)
            self._log.record(
                "UserAddedToAccount",
                target_type="AccountUser",
                target_id=user.id,
                account_id=account.id,
                user_id=user.id,
                email=user.email,
            )
            self._log_role("RoleGranted", account.id, user.id, role)
            if not suppress_email:
                self._log.queue_invitation(
                    email=user.email,
                    user_id=user.id,
                    account_name=account.name,
                    account_id=account.id,
                )
            return user, True
        if grant_to_existing and rows.grant(self._session, account.id, user.id, role):
            self._log_role("RoleGranted", account.id, user.id, role)
            return user, True
        return user, False

    def _remove_others(
        self, account_id: uuid.UUID, wanted: set[uuid.UUID], result: EmailChanges
    ) -> None:
        others = self._session.execute(
            select(AidUser.id, AidUser.email)
            .join(AidAccountUser, AidAccountUser.user_id == AidUser.id)
            .where(AidAccountUser.account_id == account_id)
            .order_by(AidUser.email_key)
        ).all()
        for user_id, email in others:
            if user_id in wanted:
                continue
            # The caller never removes itself by leaving itself out of the list.
            if self._access.caller.is_user and user_id == self._access.caller.id:
                result.not_modified.append(EmailEntry(email, user_id))
                continue
            reason = self._why_not_removable(account_id, user_id)
            if reason:
                result.error.append(Refusal(email, reason))
                continue
            self.remove_from_account(account_id, user_id)
            result.removed.append(EmailEntry(email, user_id))

    def _why_not_removable(self, account_id: uuid.UUID, user_id: uuid.UUID) -> str | None:
        for role in rows.roles_of(self._session, account_id, user_id):
            if role.name == SUPPORT_COORDINATOR:
                return "An Ansys Support Coordinator comes from the CRM data sync."
            if not self._access.can_grant(role.name, account_id):
                return f"Only a grantor of the role {role.name} may remove its holder."
        return None

    def remove_from_account(self, account_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """The user leaves the account; each thing that goes with it is an activity too."""
        held = rows.roles_of(self._session, account_id, user_id)
        places = rows.group_places(self._session, account_id, user_id)
        revoked = rows.remove_account_user(self._session, account_id, user_id)
        for token_id in revoked:
            self._log.record(
                "PersonalAccessTokenRevoked",
                target_type="PersonalAccessToken",
                target_id=token_id,
                account_id=account_id,
                user_id=user_id,
            )
        for role in held:
            self._log_role("RoleRevoked", account_id, user_id, role)
        for group_id, as_owner in places:
            self._log.record(
                "GroupOwnerRemoved" if as_owner else "GroupMemberRemoved",
                target_type="GroupOwner" if as_owner else "GroupMember",
                target_id=group_id,
                account_id=account_id,
                user_id=user_id,
                details={} if as_owner else {"memberId": str(user_id)},
            )
        self._log.record(
            "UserRemovedFromAccount",
            target_type="AccountUser",
            target_id=user_id,
            account_id=account_id,
            user_id=user_id,
        )

    def _log_role(
        self, action: str, account_id: uuid.UUID, user_id: uuid.UUID, role: AidRole
    ) -> None:
        self._log.record(
            action,
            target_type="Role",
            target_id=role.id,
            account_id=account_id,
            user_id=user_id,
            roleName=role.name,
        )

    def _require_free_number(self, number: str) -> None:
        taken = self._session.scalar(
            select(AidAccount.id).where(AidAccount.number_key == number.casefold())
        )
        if taken is not None:
            raise Conflict(f"An account with the number {number} exists.", field="accountNumber")
