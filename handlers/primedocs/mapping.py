"""Records of the store as the primedocs API writes them (field names as in the vendor's spec)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from store.paging import Page
from store.primedocs.repository import (
    OrganizationUnitRecord,
    ProfileDetailRecord,
    ProfileRecord,
    UserDetailRecord,
    UserRecord,
)

T = TypeVar("T")
Json = dict[str, Any]


def paged(page: Page[T], item: Callable[[T], Json]) -> Json:
    return {
        "data": [item(record) for record in page.items],
        "pagingDetails": {
            "pageSize": page.page_size,
            "page": page.page,
            "totalPages": page.total_pages,
        },
    }


def organization_unit(unit: OrganizationUnitRecord) -> Json:
    return {"id": str(unit.id), "title": unit.title}


def user_info(user: UserRecord) -> Json:
    # The list answers `primarySID`, the detail `primarySid`: both as in the vendor's spec.
    return {"id": str(user.id), "primarySID": user.primary_sid, "title": user.title}


def user_detail(user: UserDetailRecord) -> Json:
    return {
        "id": str(user.id),
        "primarySid": user.primary_sid,
        "title": user.title,
        "profiles": [profile_info(profile) for profile in user.profiles],
    }


def profile_info(profile: ProfileRecord) -> Json:
    return {
        "id": str(profile.id),
        "title": profile.title,
        "organizationUnitId": _optional_id(profile.organization_unit_id),
        "organizationUnitTitle": profile.organization_unit_title,
    }


def profile_detail(profile: ProfileDetailRecord) -> Json:
    return {
        **profile_info(profile),
        "profileShares": [
            {"id": str(share.id), "accountId": str(share.account_id)} for share in profile.shares
        ],
    }


def _optional_id(value: object | None) -> str | None:
    return None if value is None else str(value)
