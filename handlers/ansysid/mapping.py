"""Records to the AnsysID spec's camelCase answers, and request values to store values."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from handlers.timestamps import utc_text
from store.ansysid.activities import ActivityRecord, ActivityReport
from store.ansysid.groups import GROUP_TYPES
from store.ansysid.records import (
    AccountRecord,
    AccountUserRecord,
    EmailChanges,
    GroupRecord,
    IdChanges,
    MemberRecord,
    RoleRecord,
    UserDetails,
    UserRecord,
)
from store.ansysid.tokens import PatRecord
from store.errors import Invalid
from store.paging import Page


def moment(value: str | None, name: str) -> datetime.datetime | None:
    """A query's date-time, in UTC (a time without a zone is taken as UTC)."""
    if value is None:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise Invalid(f"'{value}' is not a date-time (RFC 3339).", field=name) from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    try:
        return parsed.astimezone(datetime.UTC)
    except OverflowError:
        # Past year 9999 or before year 1 in UTC: as a bound, the end or the start of time.
        edge = datetime.datetime.max if parsed.year == datetime.MAXYEAR else datetime.datetime.min
        return edge.replace(tzinfo=datetime.UTC)


def optional_uuid(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(value)


def account_summary(record: AccountRecord) -> dict[str, Any]:
    return {
        "accountId": str(record.id),
        "accountNumber": record.account_number,
        "accountName": record.name,
    }


def account(record: AccountRecord) -> dict[str, Any]:
    return {
        **account_summary(record),
        "description": record.description,
        "createdDate": utc_text(record.created_at),
        "modifiedDate": utc_text(record.modified_at),
    }


def user(record: UserRecord) -> dict[str, Any]:
    return {
        "userId": str(record.id),
        "email": record.email,
        "firstName": record.first_name,
        "lastName": record.last_name,
        "createdDate": utc_text(record.created_at),
        "modifiedDate": utc_text(record.modified_at),
    }


def user_details(details: UserDetails) -> dict[str, Any]:
    return {
        "userId": str(details.user.id),
        "email": details.user.email,
        "firstName": details.user.first_name,
        "lastName": details.user.last_name,
        "accounts": [account_summary(record) for record in details.accounts],
    }


def role_summary(record: RoleRecord) -> dict[str, Any]:
    return {"roleId": str(record.id), "roleName": record.name, "roleType": record.type}


def role(record: RoleRecord) -> dict[str, Any]:
    return {
        **role_summary(record),
        "description": record.description,
        "assignable": record.assignable,
    }


def account_user(record: AccountUserRecord) -> dict[str, Any]:
    return {
        "userId": str(record.user.id),
        "email": record.user.email,
        "firstName": record.user.first_name,
        "lastName": record.user.last_name,
        "roles": [role_summary(held) for held in record.roles],
        "addedDate": utc_text(record.added_at),
    }


def owner(record: UserRecord) -> dict[str, Any]:
    return {
        "userId": str(record.id),
        "email": record.email,
        "firstName": record.first_name,
        "lastName": record.last_name,
    }


def group(record: GroupRecord) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "accountId": str(record.account_id),
        "name": record.name,
        "description": record.description,
        "groupTypeId": record.group_type,
        "groupType": GROUP_TYPES[record.group_type],
        "memberCount": record.member_count,
        "ownerCount": record.owner_count,
        "createdDate": utc_text(record.created_at),
        "modifiedDate": utc_text(record.modified_at),
    }


def member(record: MemberRecord) -> dict[str, Any]:
    return {
        "memberId": str(record.member_id),
        "isGroupAsMember": record.is_group,
        "email": record.email,
        "firstName": record.first_name,
        "lastName": record.last_name,
        "groupName": record.group_name,
        "isAdmin": record.is_admin,
    }


def paged(page: Page[Any], items: str, to_item: Any) -> dict[str, Any]:
    return {items: [to_item(item) for item in page.items], "totalCount": page.total_items}


def id_changes(result: IdChanges) -> dict[str, Any]:
    return {
        "success": [str(item) for item in result.success],
        "notModified": [str(item) for item in result.not_modified],
        "error": [{"id": str(e.item), "errorMessage": e.reason} for e in result.error],
    }


def email_changes(result: EmailChanges, id_name: str) -> dict[str, Any]:
    def entries(items: list[Any]) -> list[dict[str, str]]:
        return [{"email": item.email, id_name: str(item.id)} for item in items]

    return {
        "success": entries(result.success),
        "notModified": entries(result.not_modified),
        "removed": entries(result.removed),
        "error": [{"email": e.item, "errorMessage": e.reason} for e in result.error],
    }


def activity(record: ActivityRecord) -> dict[str, Any]:
    return {
        "activityId": record.id,
        "occurredAt": utc_text(record.occurred_at),
        "action": record.action,
        "actorId": str(record.actor_id),
        "actorName": record.actor_name,
        "targetType": record.target_type,
        "targetId": record.target_id,
        "accountId": None if record.account_id is None else str(record.account_id),
        "userId": None if record.user_id is None else str(record.user_id),
        "details": record.details,
    }


def activity_report(report: ActivityReport) -> dict[str, Any]:
    return {
        "accountId": str(report.account_id),
        "from": None if report.since is None else utc_text(report.since),
        "to": None if report.until is None else utc_text(report.until),
        "total": report.total,
        "byAction": [{"action": action, "count": count} for action, count in report.by_action],
        "byDay": [{"day": day.isoformat(), "count": count} for day, count in report.by_day],
    }


def personal_access_token(record: PatRecord) -> dict[str, Any]:
    return {
        "tokenId": str(record.id),
        "name": record.name,
        "accountId": str(record.account_id),
        "scopes": record.scopes,
        "createdDate": utc_text(record.created_at),
        "expiresAt": utc_text(record.expires_at),
        "lastUsedDate": None if record.last_used_at is None else utc_text(record.last_used_at),
    }
