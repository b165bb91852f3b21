"""Reading and changing the rows the AnsysID repositories share: users, roles, account users."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from store.ansysid.models import (
    EMAIL,
    AidAccount,
    AidAccountUser,
    AidGroup,
    AidGroupMember,
    AidGroupOwner,
    AidPersonalAccessToken,
    AidRole,
    AidUser,
    AidUserRole,
)
from store.ansysid.records import (
    AccountRecord,
    AccountUserRecord,
    EmailChanges,
    EmailEntry,
    Refusal,
    RoleRecord,
    UserRecord,
)
from store.errors import Conflict, Invalid, NotFound
from store.timestamps import as_utc, utc_now

# What an e-mail address must look like, as the spec's `format: email` takes it where a user
# is made: something, one @, something; no spaces. (Imports check their entries the same way.)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def email_key(email: str) -> str:
    return email.strip().casefold()


def require_email(email: str) -> None:
    if not _EMAIL.match(email.strip()) or len(email.strip()) > EMAIL:
        raise Invalid(f"'{email}' is not an e-mail address.", field="email")


def repeated_entry(session: Session, email: str, seen: set[str], result: EmailChanges) -> bool:
    """True for an e-mail a bulk request lists a second time: `notModified` (the first entry
    did whatever there was to do), or `error` when no such user exists."""
    key = email_key(email)
    if key not in seen:
        seen.add(key)
        return False
    user = user_by_email(session, email)
    if user is None:
        result.error.append(Refusal(email, "The e-mail is listed twice."))
    else:
        result.not_modified.append(EmailEntry(user.email, user.id))
    return True


def user_by_email(session: Session, email: str) -> AidUser | None:
    return session.scalar(select(AidUser).where(AidUser.email_key == email_key(email)))


def new_user(session: Session, *, email: str, first_name: str, last_name: str) -> AidUser:
    if user_by_email(session, email) is not None:
        raise Conflict(f"A user with the e-mail {email} exists.", field="email")
    now = utc_now()
    row = AidUser(
        id=uuid.uuid4(),
        email=email.strip(),
        email_key=email_key(email),
        first_name=first_name,
        last_name=last_name,
        created_at=now,
        modified_at=now,
    )
    session.add(row)
    # A concurrent creation of the same e-mail fails here, on the unique key: a 409.
    session.flush()
    return row


def role_named(session: Session, name: str) -> AidRole:
    row = session.scalar(select(AidRole).where(AidRole.name == name))
    if row is None:
        raise NotFound(f"No role named {name}: load the demo data (`specserve db seed`).")
    return row


def assignable_role(session: Session, role_id: uuid.UUID) -> AidRole:
    row = session.get(AidRole, role_id)
    if row is None:
        raise NotFound(f"No role with id {role_id}.")
    if not row.assignable:
        raise Invalid(
            f"The role {row.name} is not granted through the API: "
            + (
                "it comes from the CRM data sync."
                if row.type == "Support"
                else "it comes from Azure AD federation groups."
            ),
            field="roleId",
        )
    return row


def account_user(session: Session, account_id: uuid.UUID, user_id: uuid.UUID) -> AidAccountUser:
    row = session.get(AidAccountUser, (account_id, user_id))
    if row is None:
        raise NotFound(f"The user {user_id} is not a user of the account {account_id}.")
    return row


def roles_of(session: Session, account_id: uuid.UUID, user_id: uuid.UUID) -> list[AidRole]:
    return list(
        session.scalars(
            select(AidRole)
            .join(AidUserRole, AidUserRole.role_id == AidRole.id)
            .where(AidUserRole.account_id == account_id, AidUserRole.user_id == user_id)
            .order_by(AidRole.position)
        )
    )


def add_account_user(
    session: Session, account_id: uuid.UUID, user_id: uuid.UUID, role: AidRole
) -> None:
    now = utc_now()
    session.add(AidAccountUser(account_id=account_id, user_id=user_id, added_at=now))
    session.flush()
    grant(session, account_id, user_id, role)


def grant(session: Session, account_id: uuid.UUID, user_id: uuid.UUID, role: AidRole) -> bool:
    """Give the user the role in the account; False when it had it."""
    if session.get(AidUserRole, (account_id, user_id, role.id)) is not None:
        return False
    session.add(
        AidUserRole(
            account_id=account_id,
            user_id=user_id,
            role_id=role.id,
            source="api",
            granted_at=utc_now(),
        )
    )
    session.flush()
    return True


def group_places(
    session: Session, account_id: uuid.UUID, user_id: uuid.UUID
) -> list[tuple[uuid.UUID, bool]]:
    """The groups of the account the user is a member of (False) or an owner of (True)."""
    groups = select(AidGroup.id).where(AidGroup.account_id == account_id)
    memberships = session.scalars(
        select(AidGroupMember.group_id).where(
            AidGroupMember.user_id == user_id, AidGroupMember.group_id.in_(groups)
        )
    )
    ownerships = session.scalars(
        select(AidGroupOwner.group_id).where(
            AidGroupOwner.user_id == user_id, AidGroupOwner.group_id.in_(groups)
        )
    )
    return [(group_id, False) for group_id in memberships] + [
        (group_id, True) for group_id in ownerships
    ]


def remove_account_user(
    session: Session, account_id: uuid.UUID, user_id: uuid.UUID
) -> list[uuid.UUID]:
    """The user leaves the account: its roles and its places in the account's groups (as
    member and owner) go with it, and its tokens for the account are revoked (answered)."""
    groups = select(AidGroup.id).where(AidGroup.account_id == account_id)
    session.execute(
        delete(AidGroupMember).where(
            AidGroupMember.user_id == user_id, AidGroupMember.group_id.in_(groups)
        )
    )
    session.execute(
        delete(AidGroupOwner).where(
            AidGroupOwner.user_id == user_id, AidGroupOwner.group_id.in_(groups)
        )
    )
    session.execute(
        delete(AidUserRole).where(
            AidUserRole.account_id == account_id, AidUserRole.user_id == user_id
        )
    )
    tokens = list(
        session.scalars(
            select(AidPersonalAccessToken.id).where(
                AidPersonalAccessToken.account_id == account_id,
                AidPersonalAccessToken.user_id == user_id,
                AidPersonalAccessToken.revoked_at.is_(None),
            )
        )
    )
    session.execute(
        update(AidPersonalAccessToken)
        .where(AidPersonalAccessToken.id.in_(tokens))
        .values(revoked_at=utc_now())
    )
    session.execute(
        delete(AidAccountUser).where(
            AidAccountUser.account_id == account_id, AidAccountUser.user_id == user_id
        )
    )
    return tokens


def to_role(row: AidRole) -> RoleRecord:
    return RoleRecord(
        id=row.id,
        name=row.name,
        type=row.type,
        description=row.description,
        assignable=row.assignable,
    )


def to_user(row: AidUser) -> UserRecord:
    return UserRecord(
        id=row.id,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        created_at=as_utc(row.created_at),
        modified_at=as_utc(row.modified_at),
    )


def to_account(row: AidAccount) -> AccountRecord:
    return AccountRecord(
        id=row.id,
        account_number=row.account_number,
        name=row.name,
        description=row.description,
        created_at=as_utc(row.created_at),
        modified_at=as_utc(row.modified_at),
    )


def to_account_user(session: Session, row: AidAccountUser) -> AccountUserRecord:
    return to_account_users(session, [row])[0]


def to_account_users(
    session: Session, memberships: Sequence[AidAccountUser]
) -> list[AccountUserRecord]:
    """The users of account memberships with their roles there, in two queries for a page
    (not two per user)."""
    user_ids = [row.user_id for row in memberships]
    found_users = session.scalars(select(AidUser).where(AidUser.id.in_(user_ids)))
    users = {user.id: user for user in found_users}
    held: dict[tuple[uuid.UUID, uuid.UUID], list[RoleRecord]] = defaultdict(list)
    found = session.execute(
        select(AidUserRole.account_id, AidUserRole.user_id, AidRole)
        .join(AidRole, AidRole.id == AidUserRole.role_id)
        .where(
            AidUserRole.user_id.in_(user_ids),
            AidUserRole.account_id.in_({row.account_id for row in memberships}),
        )
        .order_by(AidRole.position)
    )
    for account_id, user_id, role in found:
        held[(account_id, user_id)].append(to_role(role))
    return [
        AccountUserRecord(
            user=to_user(users[row.user_id]),
            roles=held[(row.account_id, row.user_id)],
            added_at=as_utc(row.added_at),
        )
        for row in memberships
    ]
