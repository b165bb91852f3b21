"""What the AnsysID repositories answer: plain records, never rows."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
E = TypeVar("E")


@dataclass(frozen=True)
class RoleRecord:
    id: uuid.UUID
    name: str
    type: str
    description: str
    assignable: bool


@dataclass(frozen=True)
class AccountRecord:
    id: uuid.UUID
    account_number: str
    name: str
    description: str | None
    created_at: datetime.datetime
    modified_at: datetime.datetime


@dataclass(frozen=True)
class UserRecord:
    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    created_at: datetime.datetime
    modified_at: datetime.datetime


@dataclass(frozen=True)
class UserDetails:
    user: UserRecord
    accounts: list[AccountRecord]


@dataclass(frozen=True)
class AccountUserRecord:
    user: UserRecord
    roles: list[RoleRecord]
    added_at: datetime.datetime


@dataclass(frozen=True)
class GroupRecord:
    id: uuid.UUID
    account_id: uuid.UUID
    name: str
    description: str | None
    group_type: int
    member_count: int
    owner_count: int
    created_at: datetime.datetime
    modified_at: datetime.datetime


@dataclass(frozen=True)
class MemberRecord:
    member_id: uuid.UUID
    is_group: bool
    email: str | None
    first_name: str | None
    last_name: str | None
    group_name: str | None
    is_admin: bool


@dataclass(frozen=True)
class Refusal(Generic[E]):
    """One item of a bulk change that was not applied, and why."""

    item: E
    reason: str


@dataclass(frozen=True)
class EmailEntry:
    email: str
    id: uuid.UUID


@dataclass
class BulkResult(Generic[T, E]):
    """A bulk change item by item: applied, already so, removed (by `removeOthers`), refused
    (the refused item as the request named it)."""

    success: list[T] = field(default_factory=list)
    not_modified: list[T] = field(default_factory=list)
    removed: list[T] = field(default_factory=list)
    error: list[Refusal[E]] = field(default_factory=list)


IdChanges = BulkResult[uuid.UUID, uuid.UUID]
EmailChanges = BulkResult[EmailEntry, str]
