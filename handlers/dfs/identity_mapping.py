"""Requests of the tag IdentityManagement into the store's terms, and its records into the
spec's fields (PascalCase, the access policies in camelCase as their sample)."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from starlette.responses import Response

from specserve.localization import current_language, localize
from store.dfs.identities import (
    UPDATE_PROPERTIES,
    AccessPolicyRecord,
    HierarchyRecord,
    IdentityDraft,
    IdentityUpdate,
    PasswordSet,
    PictureRecord,
)
from store.dfs.identity_rows import IdentityRecord
from store.dfs.identity_search import SEARCH_FIELDS, SORT_FIELDS, IdentitySearch
from store.errors import Invalid, Unprocessable
from store.paging import Page

# The service's default picture, answered when an identity has none: a 32x32 PNG of a grey
# silhouette, the same for every identity.
DEFAULT_PICTURE = (
    "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAIAAAD8GO2jAAAAT0lEQVR42u3UwQkAIAwEQfsvYmuzFF+CIIgxKl"
    "FuC8i8cikfLgkQUKNrG8Cw8AATCRDw+x/cmIr31/TZLcKYDWCpMACOAgC4E+AC2FR7swDyzXHUSLkkWwAAAABJ"
    "RU5ErkJggg=="
)


def no_content() -> Response:
    return Response(status_code=204)


def identity_id(value: str) -> uuid.UUID:
    return uuid.UUID(value)


# Requests


def draft(body: dict[str, Any]) -> IdentityDraft:
    for name in ("FirstName", "LastName", "Username", "IdentityRoleId"):
        if body.get(name) is None:
            raise Invalid(f"'{name}' is required.", field=name)
    return IdentityDraft(
        first_name=body["FirstName"],
        last_name=body["LastName"],
        user_name=body["Username"],
        role_id=body["IdentityRoleId"],
        password=body.get("Password"),
        salutation_id=body.get("SalutationId"),
        email=body.get("Email"),
        description=body.get("Description"),
        phone=body.get("Phone"),
        fax=body.get("Fax"),
        mobile=body.get("Mobile"),
        url=body.get("Url"),
        bank_branch_id=body.get("BankBranchId"),
        external_id=body.get("ExternalId"),
        participant_ids=tuple(body.get("ParticipantIds") or ()),
    )


_UPDATE_NAMES = {name.lower(): name for name in UPDATE_PROPERTIES}


def update(body: dict[str, Any]) -> IdentityUpdate:
    """Only what `UpdateProperties` names, each with its value (None when absent or null)."""
    named = body["UpdateProperties"]  # required by the spec
    values: dict[str, Any] = {}
    for given in named:
        name = _UPDATE_NAMES.get(str(given).lower())
        if name is None:
            raise Unprocessable(
                f"'{given}' is not a property of the update.", field="UpdateProperties"
            )
        is_password = name.endswith("Password")
        values[name] = _password(name, body.get(name)) if is_password else body.get(name)
    return IdentityUpdate(values=values)


def _password(name: str, value: dict[str, Any] | None) -> PasswordSet | None:
    """A password set that `UpdateProperties` names: each of its fields is needed then."""
    if value is None:
        return None
    needed = ("OldPassword", "Password", "ConfirmPassword")[name == "ResetPassword" :]
    missing = [field for field in needed if value.get(field) is None]
    if missing:
        raise Unprocessable(f"{name} needs {', '.join(missing)}.", field=name)
    return PasswordSet(
        password=value["Password"],
        confirm_password=value["ConfirmPassword"],
        old_password=value.get("OldPassword"),
    )


_SORT_NAMES = {name.lower(): name for name in SORT_FIELDS}


def search(body: dict[str, Any]) -> IdentitySearch:
    sort_by = body.get("SortBy")
    sort_field = "LastName" if sort_by is None else _SORT_NAMES.get(sort_by.lower())
    if sort_field is None:
        raise Unprocessable(f"Cannot sort by '{sort_by}'.", field="SortBy")
    search_by = body.get("SearchIdentityBy") or "All"
    if search_by not in SEARCH_FIELDS:
        raise Invalid(f"Cannot search by '{search_by}'.", field="SearchIdentityBy")
    return IdentitySearch(
        page=body.get("Page", 1),
        page_size=body.get("PageSize", 10),
        sort_by=sort_field,
        descending=body.get("SortOrder") == "Descending",
        role_ids=tuple(body.get("RoleIds") or ()),
        identity_ids=tuple(uuid.UUID(i) for i in body.get("IdentityIds") or ()),
        participant_ids=tuple(body.get("ParticipantIds") or ()),
        first_name=body.get("FirstName"),
        last_name=body.get("LastName"),
        search_term=body.get("SearchTerm"),
        search_by=search_by,
        all_tenants=bool(body.get("SearchByAllTenants")),
        inactive=bool(body.get("SearchByInactive")),
        system_accounts=bool(body.get("SearchBySystemAccounts")),
    )


def picture_bytes(body: dict[str, Any]) -> bytes:
    """The decoded picture; `400` for a missing value or one that is not plain base64."""
    text = body.get("ImageContentBase64")
    if not text:
        raise Invalid("'ImageContentBase64' is required; use DELETE to remove a picture.")
    if len(text) % 4:
        raise Invalid("'ImageContentBase64' is not base64: its length is no multiple of 4.")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise Invalid("'ImageContentBase64' is not base64.") from error


# Answers


def _role(record: IdentityRecord) -> dict[str, Any]:
    return {"Id": record.role_id, "Name": record.role_name}


def _provider(record: IdentityRecord) -> dict[str, Any]:
    return {"Id": record.provider_setting_id, "Name": record.provider_name}


def _bank_branch(record: IdentityRecord) -> dict[str, Any] | None:
    if record.bank_branch_id is None:
        return None
    # Returned as stored (the tag's rule), in its multi-language form.
    return {"Id": record.bank_branch_id, "Name": record.bank_branch_name}


def identity_details(record: IdentityRecord) -> dict[str, Any]:
    return {
        "MemberId": record.member_id,
        "IdentityId": str(record.id),
        "UserName": record.user_name,
        "FirstName": record.first_name,
        "LastName": record.last_name,
        "SalutationId": record.salutation_id,
        "Email": record.email,
        "Description": record.description,
        "Phone": record.phone,
        "Fax": record.fax,
        "Mobile": record.mobile,
        "IdentityProviderSettingId": record.provider_setting_id,
        "ExternalId": record.external_id,
        "IdentityRole": _role(record),
        "IdentityProvider": _provider(record),
        "BankBranch": _bank_branch(record),
        "IsSignInEnabled": record.is_sign_in_enabled,
        "IsTenantAccessEnabled": record.is_tenant_access_enabled,
        "AssignedContactsCount": record.assigned_contacts_count,
        "ParticipantIds": list(record.participant_ids),
    }


def search_item(record: IdentityRecord) -> dict[str, Any]:
    return {
        "IdentityId": str(record.id),
        "ParticipantIds": list(record.participant_ids),
        "FirstName": record.first_name,
        "LastName": record.last_name,
        "Email": record.email,
        "Description": record.description,
        "UserName": record.user_name,
        "IdentityRole": _role(record),
        "IsSignInEnabled": record.is_sign_in_enabled,
        "IsTenantAccessEnabled": record.is_tenant_access_enabled,
        "AssignedContactsCount": record.assigned_contacts_count,
        "IdentityProvider": _provider(record),
        "MemberId": record.member_id,
        "BankBranch": _bank_branch(record),
    }


def search_page(page: Page[IdentityRecord]) -> dict[str, Any]:
    return {
        "Results": [search_item(record) for record in page.items],
        "Page": page.page,
        "PageSize": page.page_size,
        "PageCount": page.total_pages,
        "TotalCount": page.total_items,
    }


def hierarchy_item(record: IdentityRecord) -> dict[str, Any]:
    return {
        "Identity": {
            "IdentityId": str(record.id),
            "MemberId": record.member_id,
            "FirstName": record.first_name,
            "LastName": record.last_name,
        },
        "Role": {
            "Id": record.role_id,
            "Name": record.role_name,
            "HierarchyLevel": record.hierarchy_level,
        },
    }


def hierarchy(record: HierarchyRecord) -> dict[str, Any]:
    return {
        "Superiors": [hierarchy_item(r) for r in record.superiors],
        "Base": hierarchy_item(record.base),
        "HierarchyItems": [hierarchy_item(r) for r in record.items],
    }


def picture(record: PictureRecord) -> dict[str, Any]:
    if record.content is None:
        return {"ImageContentBase64": DEFAULT_PICTURE, "IsDefaultImage": True}
    return {
        "ImageContentBase64": base64.b64encode(record.content).decode("ascii"),
        "IsDefaultImage": False,
    }


def access_policies(records: list[AccessPolicyRecord]) -> dict[str, Any]:
    language = current_language()
    return {
        "accessPolicies": [
            {"id": p.id, "key": p.key, "name": localize(p.name, language)} for p in records
        ]
    }
