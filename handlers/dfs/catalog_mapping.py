"""Records of the DFS catalogues and audit contexts as the spec writes them: camelCase for the
access policies and permissions (as the vendor's samples), PascalCase for the rest; localizable
texts in the language of the request."""

from __future__ import annotations

import datetime
from typing import Any

from specserve.localization import current_language, localize
from store.dfs.audit import AuditContextRecord
from store.dfs.catalog import (
    AccessPolicyDetailRecord,
    AccessPolicyRecord,
    BackOfficeCatalogRecord,
    BackOfficePermissionsRecord,
    ClientPoliciesRecord,
    FunctionalityGroupRecord,
    FunctionalityRecord,
    MenuItemRecord,
    PermissionDetailRecord,
    PermissionRecord,
    PolicyCheckRecord,
    ProviderSettingRecord,
    RolePoliciesRecord,
)

Json = dict[str, Any]


def text(value: str) -> str:
    return localize(value, current_language()) or ""


def access_policy(policy: AccessPolicyRecord) -> Json:
    return {"id": policy.id, "key": policy.key, "name": text(policy.name)}


def access_policy_detail(detail: AccessPolicyDetailRecord) -> Json:
    policy = detail.policy
    return {
        **access_policy(policy),
        "description": localize(policy.description, current_language()),
        "isAppOriented": policy.is_app_oriented,
        "requiredByPermissions": [permission(record) for record in detail.required_by],
    }


def permission(record: PermissionRecord) -> Json:
    return {
        "id": record.id,
        "uid": str(record.uid),
        "name": text(record.name),
        "parentId": record.parent_id,
        "orderIndex": record.order_index,
    }


def permission_detail(detail: PermissionDetailRecord) -> Json:
    return {
        "id": detail.permission.id,
        "uid": str(detail.permission.uid),
        "name": text(detail.permission.name),
        "hierarchyPath": [text(name) for name in detail.hierarchy_path],
        "requiredAccessPolicies": [access_policy(policy) for policy in detail.required_policies],
    }


def policy_check(check: PolicyCheckRecord) -> Json:
    return {
        "isSufficient": check.is_sufficient,
        "missingAccessPolicies": [access_policy(policy) for policy in check.missing],
    }


def identity_roles(roles: tuple[RolePoliciesRecord, ...]) -> Json:
    return {"Result": "success", "IdentityRoles": [identity_role(role) for role in roles]}


def identity_role(role: RolePoliciesRecord) -> Json:
    return {
        "Id": role.id,
        "Key": role.key,
        "TenantId": role.tenant_id,
        "ShortName": role.short_name,
        "LongName": role.long_name,
        "AllowAllPolicies": role.allow_all_policies,
        "AccessPolicies": [
            {"Id": policy.id, "Key": policy.key, "Name": text(policy.name)}
            for policy in role.policies
        ],
    }


def client_access_policies(clients: tuple[ClientPoliciesRecord, ...]) -> Json:
    return {
        "Result": "success",
        "AccessPolicies": {client.client_id: list(client.policy_keys) for client in clients},
    }


def provider_setting(setting: ProviderSettingRecord) -> Json:
    return {
        "Id": setting.id,
        "ProviderId": setting.provider_id,
        "ProviderTypeId": setting.provider_type_id,
        "Name": setting.name,
        "DisplayName": setting.display_name,
        "IsEnabled": setting.is_enabled,
        "IsDefault": setting.is_default,
        "CreatedDate": timestamp(setting.created_date),
        "LastUpdatedDate": (
            None if setting.last_updated_date is None else timestamp(setting.last_updated_date)
        ),
    }


def timestamp(value: datetime.datetime) -> str:
    """UTC with 7 fractional digits, as the service writes .NET's 100 ns ticks."""
    utc = value.astimezone(datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def back_office_permissions(permissions: BackOfficePermissionsRecord) -> Json:
    return {
        "DefaultMenuItemId": permissions.default_menu_item_id,
        "MenuItemIds": list(permissions.menu_item_ids),
        "FunctionalityIds": list(permissions.functionality_ids),
    }


def back_office_catalog(catalog: BackOfficeCatalogRecord) -> Json:
    return {
        "MenuItems": [menu_item(item) for item in catalog.menu_items],
        "FunctionalityGroups": [functionality_group(group) for group in catalog.groups],
    }


def menu_item(item: MenuItemRecord) -> Json:
    # ParentId is left out, not null, for a top-level item, as the samples show.
    parent = {} if item.parent_id is None else {"ParentId": item.parent_id}
    return {
        "Id": item.id,
        **parent,
        "Name": text(item.name),
        "Description": text(item.description),
        "PageLink": item.page_link,
        "MenuTypeId": item.menu_type_id,
        "PermissionUid": str(item.permission_uid),
    }


def functionality_group(group: FunctionalityGroupRecord) -> Json:
    return {
        "Id": group.id,
        "Name": text(group.name),
        "SortOrder": group.sort_order,
        "PermissionUid": str(group.permission_uid),
        "Functionalities": [functionality(record) for record in group.functionalities],
    }


def functionality(record: FunctionalityRecord) -> Json:
    return {
        "Id": record.id,
        "Name": text(record.name),
        "Key": record.key,
        "SortOrder": record.sort_order,
        "PermissionUid": str(record.permission_uid),
    }


def audit_context(context: AuditContextRecord) -> Json:
    return {
        "AuditContextId": context.id,
        "TenantId": context.tenant_id,
        "TenantKey": context.tenant_key,
        "TenantUid": str(context.tenant_uid),
        "MemberIds": list(context.member_ids),
    }
