"""Groups of an account, their members (users or other groups) and their owners."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from store.ansysid import rows
from store.ansysid.access import MEMBER, Access
from store.ansysid.accounts import AccountsRepository
from store.ansysid.activities import ActivityLog
from store.ansysid.models import (
    AidAccount,
    AidAccountUser,
    AidGroup,
    AidGroupMember,
    AidGroupOwner,
    AidUser,
)
from store.ansysid.records import (
    EmailChanges,
    EmailEntry,
    GroupRecord,
    IdChanges,
    MemberRecord,
    Refusal,
    UserRecord,
)
from store.errors import Conflict, Forbidden, Invalid, NotFound
from store.paging import Page, fetch_page
from store.timestamps import as_utc, utc_now

GROUP_TYPES = {0: "Private", 1: "General"}


@dataclass(frozen=True)
class GroupValues:
    """The fields a request sets: None leaves a field as it is, but for `description`, which
    the request may set to null (`sets_description` says whether it is set at all)."""

    name: str | None = None
    description: str | None = None
    group_type: int | None = None
    sets_description: bool = False


@dataclass(frozen=True)
class MemberImport:
    email: str
    is_admin: bool


class GroupsRepository:
    def __init__(self, session: Session, access: Access, log: ActivityLog) -> None:
        self._session = session
        self._access = access
        self._log = log
        self._accounts = AccountsRepository(session, access, log)

    # groups

    def search(
        self, account_id: uuid.UUID, search: str | None, *, page: int, page_size: int
    ) -> Page[GroupRecord]:
        self._access.visible_account(account_id)
        query = (
            select(AidGroup)
            .where(AidGroup.account_id == account_id)
            .order_by(AidGroup.name_key, AidGroup.id)
        )
        if search:
            query = query.where(AidGroup.name_key.contains(search.casefold(), autoescape=True))
        found = fetch_page(
            self._session, query, page=page + 1, page_size=page_size, to_record=lambda row: row
        )
        return replace(found, items=self._records(found.items))

    def create(self, account_id: uuid.UUID, values: GroupValues) -> uuid.UUID:
        self._access.editable_account(account_id)
        assert values.name is not None and values.group_type is not None
        self._require_free_name(account_id, values.name)
        now = utc_now()
        row = AidGroup(
            id=uuid.uuid4(),
            account_id=account_id,
            name=values.name,
            name_key=values.name.casefold(),
            description=values.description,
            group_type=values.group_type,
            created_at=now,
            modified_at=now,
        )
        self._session.add(row)
        self._session.flush()
        self._log.record(
            "GroupCreated",
            target_type="Group",
            target_id=row.id,
            account_id=account_id,
            name=row.name,
        )
        return row.id

    def get(self, account_id: uuid.UUID, group_id: uuid.UUID) -> GroupRecord:
        self._access.visible_account(account_id)
        return self._record(self._group(account_id, group_id))

    def update(
        self, account_id: uuid.UUID, group_id: uuid.UUID, values: GroupValues
    ) -> GroupRecord:
        row = self._changeable_group(account_id, group_id)
        changed: dict[str, str] = {}
        if values.name is not None and values.name != row.name:
            if values.name.casefold() != row.name_key:
                self._require_free_name(account_id, values.name)
            row.name, row.name_key = values.name, values.name.casefold()
            changed["name"] = values.name
        if values.sets_description and values.description != row.description:
            row.description = values.description
            changed["description"] = values.description or ""
        if values.group_type is not None and values.group_type != row.group_type:
            row.group_type = values.group_type
            changed["groupType"] = GROUP_TYPES[values.group_type]
        if changed:
            row.modified_at = utc_now()
            self._session.flush()
            self._log.record(
                "GroupUpdated", target_type="Group", target_id=row.id, account_id=account_id,
                details=changed,
            )  # fmt: skip
        return self._record(row)

    def delete(self, account_id: uuid.UUID, group_id: uuid.UUID) -> None:
        row = self._changeable_group(account_id, group_id)
        # The groups it was a member of lose it as a member: each loss is recorded too.
        parents = self._session.scalars(
            select(AidGroupMember.group_id).where(AidGroupMember.member_group_id == group_id)
        )
        for parent_id in list(parents):
            self._log_member("GroupMemberRemoved", account_id, parent_id, group_id)
        self._session.delete(row)
        self._session.flush()
        self._log.record(
            "GroupDeleted",
            target_type="Group",
            target_id=group_id,
            account_id=account_id,
            name=row.name,
        )

    # members

    def members(
        self, account_id: uuid.UUID, group_id: uuid.UUID, *, page: int, page_size: int
    ) -> Page[MemberRecord]:
        self._access.visible_account(account_id)
        self._group(account_id, group_id)
        nested = aliased(AidGroup)
        owner = aliased(AidGroupOwner)
        query = (
            select(AidGroupMember, AidUser, nested, owner.user_id)
            .outerjoin(AidUser, AidUser.id == AidGroupMember.user_id)
            .outerjoin(nested, nested.id == AidGroupMember.member_group_id)
            .outerjoin(
                owner, (owner.group_id == group_id) & (owner.user_id == AidGroupMember.user_id)
            )
            .where(AidGroupMember.group_id == group_id)
            # Users first, by e-mail; then groups, by name.
            .order_by(
                case((AidGroupMember.user_id.is_(None), 1), else_=0),
                func.coalesce(AidUser.email_key, nested.name_key),
                AidGroupMember.id,
            )
        )
        total = self._session.scalar(
            select(func.count()).where(AidGroupMember.group_id == group_id)
        )
        found = self._session.execute(query.limit(page_size).offset(page * page_size)).all()
        return Page(
            items=[_member(user, group, owner_id) for _member_row, user, group, owner_id in found],
            page=page + 1,
            page_size=page_size,
            total_items=total or 0,
        )

    def add_members(
        self, account_id: uuid.UUID, group_id: uuid.UUID, member_ids: list[uuid.UUID]
    ) -> IdChanges:
        self._editable_members(account_id, group_id)
        result = IdChanges()
        for member_id, repeated in _with_repeats(member_ids):
            if repeated:
                added = False
            elif self._session.get(AidAccountUser, (account_id, member_id)) is not None:
                added = self._add_user_member(account_id, group_id, member_id)
            else:
                try:
                    added = self._add_group_member(account_id, group_id, member_id)
                except Invalid as refusal:
                    result.error.append(Refusal(member_id, refusal.message))
                    continue
            (result.success if added else result.not_modified).append(member_id)
        return result

    def remove_members(
        self, account_id: uuid.UUID, group_id: uuid.UUID, member_ids: list[uuid.UUID]
    ) -> IdChanges:
        self._editable_members(account_id, group_id)
        result = IdChanges()
        for member_id, repeated in _with_repeats(member_ids):
            if repeated:
                result.not_modified.append(member_id)
                continue
            removed = self._remove_member(account_id, group_id, member_id)
            (result.success if removed else result.not_modified).append(member_id)
        return result

    def import_members(
        self,
        account_id: uuid.UUID,
        group_id: uuid.UUID,
        users: list[MemberImport],
        *,
        remove_others: bool,
    ) -> EmailChanges:
        account = self._access.visible_account(account_id, for_change=True)
        self._group(account_id, group_id, lock=True)
        editor = self._access.can_edit(account_id)
        if not editor and not self._access.owns_group(group_id):
            raise _members_forbidden()
        result = EmailChanges()
        wanted: set[uuid.UUID] = set()
        seen: set[str] = set()
        for entry in users:
            if rows.repeated_entry(self._session, entry.email, seen, result):
                continue
            try:
                rows.require_email(entry.email)
                user, changed = self._import_one(account, group_id, entry, editor=editor)
            except (Forbidden, Invalid, NotFound) as refusal:
                result.error.append(Refusal(entry.email, refusal.message))
                existing = rows.user_by_email(self._session, entry.email)
                if existing is not None:
                    wanted.add(existing.id)
                continue
            wanted.add(user.id)
            (result.success if changed else result.not_modified).append(
                EmailEntry(user.email, user.id)
            )
        if remove_others:
            others = self._session.execute(
                select(AidUser.id, AidUser.email)
                .join(AidGroupMember, AidGroupMember.user_id == AidUser.id)
                .where(AidGroupMember.group_id == group_id)
                .order_by(AidUser.email_key)
            ).all()
            for user_id, email in others:
                if user_id not in wanted and self._remove_member(account_id, group_id, user_id):
                    result.removed.append(EmailEntry(email, user_id))
        return result

    # owners

    def owners(
        self, account_id: uuid.UUID, group_id: uuid.UUID, *, page: int, page_size: int
    ) -> Page[UserRecord]:
        self._access.visible_account(account_id)
        self._group(account_id, group_id)
        query = (
            select(AidUser)
            .join(AidGroupOwner, AidGroupOwner.user_id == AidUser.id)
            .where(AidGroupOwner.group_id == group_id)
            .order_by(AidUser.email_key, AidUser.id)
        )
        return fetch_page(
            self._session, query, page=page + 1, page_size=page_size, to_record=rows.to_user
        )

    def add_owners(
        self, account_id: uuid.UUID, group_id: uuid.UUID, user_ids: list[uuid.UUID]
    ) -> IdChanges:
        self._access.editable_account(account_id)
        self._group(account_id, group_id, lock=True)
        result = IdChanges()
        for user_id, repeated in _with_repeats(user_ids):
            if repeated:
                result.not_modified.append(user_id)
            elif self._session.get(AidAccountUser, (account_id, user_id)) is None:
                result.error.append(Refusal(user_id, "Not a user of the account."))
            elif self._add_owner(account_id, group_id, user_id):
                result.success.append(user_id)
            else:
                result.not_modified.append(user_id)
        return result

    def replace_owners(
        self, account_id: uuid.UUID, group_id: uuid.UUID, user_ids: list[uuid.UUID]
    ) -> list[UserRecord]:
        self._access.editable_account(account_id)
        self._group(account_id, group_id, lock=True)
        wanted = list(dict.fromkeys(user_ids))
        strangers = [
            str(user_id)
            for user_id in wanted
            if self._session.get(AidAccountUser, (account_id, user_id)) is None
        ]
        if strangers:
            raise NotFound(f"Not users of the account: {', '.join(strangers)}.")
        current = set(
            self._session.scalars(
                select(AidGroupOwner.user_id).where(AidGroupOwner.group_id == group_id)
            )
        )
        for user_id in current - set(wanted):
            self._remove_owner(account_id, group_id, user_id)
        for user_id in wanted:
            self._add_owner(account_id, group_id, user_id)
        return list(self.owners(account_id, group_id, page=0, page_size=len(wanted) or 1).items)

    def remove_owners(
        self, account_id: uuid.UUID, group_id: uuid.UUID, user_ids: list[uuid.UUID]
    ) -> IdChanges:
        self._access.editable_account(account_id)
        self._group(account_id, group_id, lock=True)
        result = IdChanges()
        for user_id, repeated in _with_repeats(user_ids):
            removed = not repeated and self._remove_owner(account_id, group_id, user_id)
            (result.success if removed else result.not_modified).append(user_id)
        return result

    # helpers

    def _import_one(
        self, account: AidAccount, group_id: uuid.UUID, entry: MemberImport, *, editor: bool
    ) -> tuple[AidUser, bool]:
        """One user of an import; every refusal is raised before anything is written."""
        user = rows.user_by_email(self._session, entry.email)
        in_account = (
            user is not None
            and self._session.get(AidAccountUser, (account.id, user.id)) is not None
        )
        is_owner = (
            user is not None and self._session.get(AidGroupOwner, (group_id, user.id)) is not None
        )
        if entry.is_admin and not is_owner and not editor:
            raise Forbidden("Only an editor of the account makes group owners.")
        # A new user of the account becomes a Member: an account's grantors may do that, and a
        # group's owner when adding to its group.
        if not in_account and not (
            self._access.can_grant(MEMBER, account.id) or self._access.owns_group(group_id)
        ):
            raise Forbidden("Not a user of the account, and you may not make it a Member.")
        changed = False
        if user is None or not in_account:
            member = rows.role_named(self._session, MEMBER)
            user, changed = self._accounts.join(account, entry.email, member, suppress_email=False)
        if self._add_user_member(account.id, group_id, user.id):
            changed = True
        # `isAdmin: false` leaves an ownership as it is (the Owners operations manage those).
        if entry.is_admin and not is_owner:
            changed = self._add_owner(account.id, group_id, user.id) or changed
        return user, changed

    def _changeable_group(self, account_id: uuid.UUID, group_id: uuid.UUID) -> AidGroup:
        """A group its account's editors may change: an unknown one is 404 before a 403."""
        self._access.visible_account(account_id, for_change=True)
        group = self._group(account_id, group_id, lock=True)
        self._access.require_edit(account_id)
        return group

    def _editable_members(self, account_id: uuid.UUID, group_id: uuid.UUID) -> AidGroup:
        self._access.visible_account(account_id, for_change=True)
        group = self._group(account_id, group_id, lock=True)
        if not (self._access.can_edit(account_id) or self._access.owns_group(group_id)):
            raise _members_forbidden()
        return group

    def _remove_member(
        self, account_id: uuid.UUID, group_id: uuid.UUID, member_id: uuid.UUID
    ) -> bool:
        """Take a user or a group out of the group; False when it was no member."""
        removed = self._session.execute(
            delete(AidGroupMember).where(
                AidGroupMember.group_id == group_id,
                (AidGroupMember.user_id == member_id)
                | (AidGroupMember.member_group_id == member_id),
            )
        )
        if not removed.rowcount:  # type: ignore[attr-defined]
            return False
        self._log_member("GroupMemberRemoved", account_id, group_id, member_id)
        return True

    def _add_user_member(
        self, account_id: uuid.UUID, group_id: uuid.UUID, user_id: uuid.UUID
    ) -> bool:
        exists = self._session.scalar(
            select(AidGroupMember.id).where(
                AidGroupMember.group_id == group_id, AidGroupMember.user_id == user_id
            )
        )
        if exists is not None:
            return False
        self._session.add(AidGroupMember(group_id=group_id, user_id=user_id, added_at=utc_now()))
        self._session.flush()
        self._log_member("GroupMemberAdded", account_id, group_id, user_id, user_id=user_id)
        return True

    def _add_group_member(
        self, account_id: uuid.UUID, group_id: uuid.UUID, member_group_id: uuid.UUID
    ) -> bool:
        member = self._session.get(AidGroup, member_group_id)
        if member is None or member.account_id != account_id:
            raise Invalid("Neither a user nor a group of the account.")
        if member_group_id == group_id or group_id in self._nested_groups(member_group_id):
            raise Invalid("A group cannot contain itself, directly or through its members.")
        exists = self._session.scalar(
            select(AidGroupMember.id).where(
                AidGroupMember.group_id == group_id,
                AidGroupMember.member_group_id == member_group_id,
            )
        )
        if exists is not None:
            return False
        self._session.add(
            AidGroupMember(group_id=group_id, member_group_id=member_group_id, added_at=utc_now())
        )
        self._session.flush()
        self._log_member("GroupMemberAdded", account_id, group_id, member_group_id)
        return True

    def _nested_groups(self, group_id: uuid.UUID) -> set[uuid.UUID]:
        """Every group inside `group_id`, at any depth."""
        found: set[uuid.UUID] = set()
        frontier = {group_id}
        while frontier:
            children = set(
                self._session.scalars(
                    select(AidGroupMember.member_group_id).where(
                        AidGroupMember.group_id.in_(frontier),
                        AidGroupMember.member_group_id.is_not(None),
                    )
                )
            )
            frontier = {child for child in children if child is not None} - found
            found |= frontier
        return found

    def _add_owner(self, account_id: uuid.UUID, group_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        if self._session.get(AidGroupOwner, (group_id, user_id)) is not None:
            return False
        self._session.add(AidGroupOwner(group_id=group_id, user_id=user_id, added_at=utc_now()))
        self._session.flush()
        self._log.record(
            "GroupOwnerAdded",
            target_type="GroupOwner",
            target_id=group_id,
            account_id=account_id,
            user_id=user_id,
        )
        return True

    def _remove_owner(self, account_id: uuid.UUID, group_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        removed = self._session.execute(
            delete(AidGroupOwner).where(
                AidGroupOwner.group_id == group_id, AidGroupOwner.user_id == user_id
            )
        )
        if not removed.rowcount:  # type: ignore[attr-defined]
            return False
        self._log.record(
            "GroupOwnerRemoved",
            target_type="GroupOwner",
            target_id=group_id,
            account_id=account_id,
            user_id=user_id,
        )
        return True

    def _log_member(
        self,
        action: str,
        account_id: uuid.UUID,
        group_id: uuid.UUID,
        member_id: uuid.UUID,
        *,
        user_id: uuid.UUID | None = None,
    ) -> None:
        self._log.record(
            action,
            target_type="GroupMember",
            target_id=group_id,
            account_id=account_id,
            user_id=user_id,
            memberId=str(member_id),
        )

    def _group(self, account_id: uuid.UUID, group_id: uuid.UUID, *, lock: bool = False) -> AidGroup:
        query = select(AidGroup).where(AidGroup.id == group_id, AidGroup.account_id == account_id)
        row = self._session.scalar(query.with_for_update() if lock else query)
        if row is None:
            raise NotFound(f"No group with id {group_id} in the account {account_id}.")
        return row

    def _require_free_name(self, account_id: uuid.UUID, name: str) -> None:
        taken = self._session.scalar(
            select(AidGroup.id).where(
                AidGroup.account_id == account_id, AidGroup.name_key == name.casefold()
            )
        )
        if taken is not None:
            raise Conflict(f"The account has a group named {name}.", field="name")

    def _record(self, row: AidGroup) -> GroupRecord:
        return self._records([row])[0]

    def _records(self, groups: Sequence[AidGroup]) -> list[GroupRecord]:
        """Groups with their member and owner counts, in two queries for a page of them."""
        ids = [row.id for row in groups]
        members = self._counts(AidGroupMember.group_id, ids)
        owners = self._counts(AidGroupOwner.group_id, ids)
        return [
            GroupRecord(
                id=row.id,
                account_id=row.account_id,
                name=row.name,
                description=row.description,
                group_type=row.group_type,
                member_count=members.get(row.id, 0),
                owner_count=owners.get(row.id, 0),
                created_at=as_utc(row.created_at),
                modified_at=as_utc(row.modified_at),
            )
            for row in groups
        ]

    def _counts(
        self, group_column: InstrumentedAttribute[uuid.UUID], ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        found = self._session.execute(
            select(group_column, func.count()).where(group_column.in_(ids)).group_by(group_column)
        )
        return {group_id: count for group_id, count in found}


def _with_repeats(ids: list[uuid.UUID]) -> Iterator[tuple[uuid.UUID, bool]]:
    """Each id of a bulk request, and whether the request listed it before (a repeat is
    `notModified`: the first one did whatever there was to do)."""
    seen: set[uuid.UUID] = set()
    for item in ids:
        yield item, item in seen
        seen.add(item)


def _members_forbidden() -> Forbidden:
    return Forbidden(
        "A group's members are managed by an editor of the account (Ansys Administrator, Ansys "
        "Support Coordinator, Customer Administrator) or an owner of the group."
    )


def _member(
    user: AidUser | None,
    group: AidGroup | None,
    owner_id: uuid.UUID | None,
) -> MemberRecord:
    if user is not None:
        return MemberRecord(
            member_id=user.id,
            is_group=False,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            group_name=None,
            is_admin=owner_id is not None,
        )
    assert group is not None
    return MemberRecord(
        member_id=group.id,
        is_group=True,
        email=None,
        first_name=None,
        last_name=None,
        group_name=group.name,
        is_admin=False,
    )
