"""The DFS catalogues and what roles and identities hold of them: access policies, permissions,
the roles' policies, the client apps' policies, identity provider settings and the back-office
permissions. Returns records, never ORM objects.

The catalogues (access policies, permissions, menu items, functionalities) are shared by every
tenant; everything else is read and written in the tenant given, and a row of another tenant is
as good as absent.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.dfs.models import (
    AccessPolicy,
    AppAccessPolicy,
    BackOfficeSetting,
    Functionality,
    FunctionalityGroup,
    Identity,
    MenuItem,
    Permission,
    PermissionPolicy,
    ProviderSetting,
    Role,
    RolePolicy,
    Tenant,
    TenantAccess,
)
from store.errors import NotFound, Unprocessable
from store.identity.models import ApiScope, ClientClaim, ClientScope
from store.timestamps import as_utc

# The claim that names the tenant of a DFS client app in the token service.
TENANT_CLAIM = "tenant_id"


@dataclass(frozen=True)
class AccessPolicyRecord:
    id: int
    key: str
    name: str
    description: str | None
    is_app_oriented: bool


@dataclass(frozen=True)
class PermissionRecord:
    id: int
    uid: uuid.UUID
    name: str
    parent_id: int | None
    order_index: int


@dataclass(frozen=True)
class AccessPolicyDetailRecord:
    policy: AccessPolicyRecord
    required_by: tuple[PermissionRecord, ...]


@dataclass(frozen=True)
class PermissionDetailRecord:
    permission: PermissionRecord
    # Names from the root down, ending with the permission's own.
    hierarchy_path: tuple[str, ...]
    required_policies: tuple[AccessPolicyRecord, ...]


@dataclass(frozen=True)
class RolePoliciesRecord:
    id: int
    key: str | None
    tenant_id: int
    short_name: str
    long_name: str | None
    allow_all_policies: bool
    policies: tuple[AccessPolicyRecord, ...]


@dataclass(frozen=True)
class ClientPoliciesRecord:
    client_id: str
    policy_keys: tuple[str, ...]


@dataclass(frozen=True)
class PolicyCheckRecord:
    missing: tuple[AccessPolicyRecord, ...]

    @property
    def is_sufficient(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class ProviderSettingRecord:
    id: int
    provider_id: int
    provider_type_id: int
    name: str
    display_name: str
    is_enabled: bool
    is_default: bool
    created_date: datetime.datetime
    last_updated_date: datetime.datetime | None


@dataclass(frozen=True)
class MenuItemRecord:
    id: int
    parent_id: int | None
    name: str
    description: str
    page_link: str
    menu_type_id: int
    permission_uid: uuid.UUID


@dataclass(frozen=True)
class FunctionalityRecord:
    id: int
    name: str
    key: str
    sort_order: int
    permission_uid: uuid.UUID


@dataclass(frozen=True)
class FunctionalityGroupRecord:
    id: int
    name: str
    sort_order: int
    permission_uid: uuid.UUID
    functionalities: tuple[FunctionalityRecord, ...]


@dataclass(frozen=True)
class BackOfficeCatalogRecord:
    menu_items: tuple[MenuItemRecord, ...]
    groups: tuple[FunctionalityGroupRecord, ...]


@dataclass(frozen=True)
class BackOfficePermissionsRecord:
    default_menu_item_id: int | None
    menu_item_ids: tuple[int, ...]
    functionality_ids: tuple[int, ...]


NO_BACK_OFFICE_PERMISSIONS = BackOfficePermissionsRecord(None, (), ())


@dataclass(frozen=True)
class BackOfficeChange:
    """A partial update: None leaves a value as it is; a list given replaces the stored one."""

    default_menu_item_id: int | None = None
    menu_item_ids: Sequence[int] | None = None
    functionality_ids: Sequence[int] | None = None


class CatalogRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # access policies and permissions (shared by every tenant)

    def list_access_policies(self) -> tuple[AccessPolicyRecord, ...]:
        policies = self._session.scalars(select(AccessPolicy).order_by(AccessPolicy.id)).all()
        return tuple(_policy_record(policy) for policy in policies)

    def get_access_policy(self, *, access_policy_id: int) -> AccessPolicyDetailRecord:
        policy = self._session.get(AccessPolicy, access_policy_id)
        if policy is None:
            raise NotFound(f"No access policy with id {access_policy_id}.")
        permissions = self._session.scalars(
            select(Permission)
            .join(PermissionPolicy, PermissionPolicy.permission_id == Permission.id)
            .where(PermissionPolicy.access_policy_id == policy.id)
            .order_by(Permission.id)
        ).all()
        return AccessPolicyDetailRecord(
            policy=_policy_record(policy),
            required_by=tuple(_permission_record(permission) for permission in permissions),
        )

    def list_permissions(self) -> tuple[PermissionRecord, ...]:
        permissions = self._session.scalars(select(Permission).order_by(Permission.id)).all()
        return tuple(_permission_record(permission) for permission in permissions)

    def get_permission(self, *, permission_id: int) -> PermissionDetailRecord:
        permission = self._session.get(Permission, permission_id)
        if permission is None:
            raise NotFound(f"No permission with id {permission_id}.")
        return PermissionDetailRecord(
            permission=_permission_record(permission),
            hierarchy_path=self._hierarchy_path(permission),
            required_policies=self._required_policies([permission.id]),
        )

    # roles and client apps of a tenant

    def roles_with_policies(
        self, *, tenant_id: int, tenant_uid: uuid.UUID
    ) -> tuple[RolePoliciesRecord, ...]:
        """Every role of the tenant with its policies; a role allowing all of them lists every
        policy that can be granted to roles (the ones not app-oriented)."""
        self._require_tenant(tenant_id, tenant_uid)
        roles = self._session.scalars(
            select(Role).where(Role.tenant_id == tenant_id).order_by(Role.id)
        ).all()
        role_policies = self._role_policies([role.id for role in roles])
        grantable = tuple(
            _policy_record(policy)
            for policy in self._session.scalars(
                select(AccessPolicy)
                .where(AccessPolicy.is_app_oriented.is_(False))
                .order_by(AccessPolicy.id)
            ).all()
        )
        return tuple(
            _role_policies_record(
                role, grantable if role.allow_all_policies else role_policies.get(role.id, ())
            )
            for role in roles
        )

    def client_access_policies(
        self, *, tenant_id: int, tenant_uid: uuid.UUID, api_resource: str, api_scope: str
    ) -> tuple[ClientPoliciesRecord, ...]:
        """The keys of the app-oriented policies each client app of the tenant with access to
        the api scope holds there, by client id."""
        self._require_tenant(tenant_id, tenant_uid)
        self._require_api_scope(tenant_id, api_resource, api_scope)
        granted = self._session.execute(
            select(AppAccessPolicy.client_id, AccessPolicy.key)
            .join(AccessPolicy, AccessPolicy.id == AppAccessPolicy.access_policy_id)
            .where(
                AppAccessPolicy.tenant_id == tenant_id,
                AppAccessPolicy.api_resource == api_resource,
                AppAccessPolicy.api_scope == api_scope,
                AccessPolicy.is_app_oriented.is_(True),
            )
            .order_by(AppAccessPolicy.client_id, AccessPolicy.id)
        ).all()
        keys: dict[str, list[str]] = {
            client_id: []
            for client_id in self._tenant_clients_of_scope(tenant_id, api_resource, api_scope)
        }
        for client_id, key in granted:
            keys.setdefault(client_id, []).append(key)
        return tuple(
            ClientPoliciesRecord(client_id=client_id, policy_keys=tuple(keys[client_id]))
            for client_id in sorted(keys)
        )

    def check_role_policies(
        self, *, tenant_id: int, role_id: int, permission_uids: Sequence[uuid.UUID]
    ) -> PolicyCheckRecord:
        """The policies the given permissions require that the role lacks. Raises
        Unprocessable naming the first uid that names no permission."""
        role = self._require_role(tenant_id, role_id)
        permission_ids = self._permission_ids(permission_uids)
        if role.allow_all_policies:
            return PolicyCheckRecord(missing=())
        held = {policy.id for policy in self._role_policies([role.id]).get(role.id, ())}
        required = self._required_policies(permission_ids)
        return PolicyCheckRecord(
            missing=tuple(policy for policy in required if policy.id not in held)
        )

    # identity provider settings

    def get_provider_setting(self, *, tenant_id: int, provider_id: int) -> ProviderSettingRecord:
        setting = self._session.scalar(
            select(ProviderSetting).where(
                ProviderSetting.tenant_id == tenant_id, ProviderSetting.provider_id == provider_id
            )
        )
        if setting is None:
            raise NotFound(f"No identity provider setting for the provider id {provider_id}.")
        return ProviderSettingRecord(
            id=setting.id,
            provider_id=setting.provider_id,
            provider_type_id=setting.provider_type_id,
            name=setting.name,
            display_name=setting.display_name,
            is_enabled=setting.is_enabled,
            is_default=setting.is_default,
            created_date=as_utc(setting.created_date),
            last_updated_date=(
                None if setting.last_updated_date is None else as_utc(setting.last_updated_date)
            ),
        )

    # back-office permissions

    def back_office_catalog(self) -> BackOfficeCatalogRecord:
        items = self._session.scalars(select(MenuItem).order_by(MenuItem.id)).all()
        groups = self._session.scalars(
            select(FunctionalityGroup).order_by(
                FunctionalityGroup.sort_order, FunctionalityGroup.id
            )
        ).all()
        functionalities = self._session.scalars(
            select(Functionality).order_by(Functionality.sort_order, Functionality.id)
        ).all()
        return BackOfficeCatalogRecord(
            menu_items=tuple(_menu_item_record(item) for item in items),
            groups=tuple(
                FunctionalityGroupRecord(
                    id=group.id,
                    name=group.name,
                    sort_order=group.sort_order,
                    permission_uid=group.permission_uid,
                    functionalities=tuple(
                        _functionality_record(functionality)
                        for functionality in functionalities
                        if functionality.group_id == group.id
                    ),
                )
                for group in groups
            ),
        )

    def role_back_office(self, *, tenant_id: int, role_id: int) -> BackOfficePermissionsRecord:
        role = self._require_role(tenant_id, role_id)
        return _back_office_record(self._role_setting(role.id))

    def update_role_back_office(
        self, *, tenant_id: int, role_id: int, change: BackOfficeChange
    ) -> None:
        role = self._require_role(tenant_id, role_id)
        self._check_back_office_ids(change)
        setting = self._role_setting(role.id, for_update=True)
        if setting is None:
            setting = self._add_setting(
                BackOfficeSetting(role_id=role.id),
                lambda: self._role_setting(role.id, for_update=True),
            )
        _apply(setting, change)
        self._session.flush()

    def identity_back_office(
        self, *, tenant_id: int, identity_id: uuid.UUID
    ) -> BackOfficePermissionsRecord:
        """The identity's own permissions where it has them, else those of its role."""
        role_id = self._require_identity(tenant_id, identity_id)
        own = self._identity_setting(identity_id)
        if own is not None:
            return _back_office_record(own)
        return _back_office_record(None if role_id is None else self._role_setting(role_id))

    def update_identity_back_office(
        self, *, tenant_id: int, identity_id: uuid.UUID, change: BackOfficeChange
    ) -> None:
        """Give the identity permissions of its own (starting from its role's), then change
        them."""
        role_id = self._require_identity(tenant_id, identity_id)
        self._check_back_office_ids(change)
        setting = self._identity_setting(identity_id, for_update=True)
        if setting is None:
            start = _back_office_record(None if role_id is None else self._role_setting(role_id))
            setting = self._add_setting(
                BackOfficeSetting(
                    identity_id=identity_id,
                    default_menu_item_id=start.default_menu_item_id,
                    menu_item_ids=list(start.menu_item_ids),
                    functionality_ids=list(start.functionality_ids),
                ),
                lambda: self._identity_setting(identity_id, for_update=True),
            )
        _apply(setting, change)
        self._session.flush()

    # lookups

    def _require_tenant(self, tenant_id: int, tenant_uid: uuid.UUID) -> Tenant:
        tenant = self._session.get(Tenant, tenant_id)
        if tenant is None or tenant.uid != tenant_uid:
            raise NotFound(f"No tenant with uid '{tenant_uid}'.")
        return tenant

    def _require_role(self, tenant_id: int, role_id: int) -> Role:
        role = self._session.get(Role, role_id)
        if role is None or role.tenant_id != tenant_id:
            raise NotFound(f"No role with id {role_id}.")
        return role

    def _require_identity(self, tenant_id: int, identity_id: uuid.UUID) -> int | None:
        """The identity's role in the tenant (None when it has no access there); NotFound
        unless it is an identity of the tenant or has access to it."""
        identity = self._session.get(Identity, identity_id)
        access = self._session.get(TenantAccess, (identity_id, tenant_id))
        if identity is None or (identity.tenant_id != tenant_id and access is None):
            raise NotFound(f"No identity with id '{identity_id}'.")
        return None if access is None else access.role_id

    def _require_api_scope(self, tenant_id: int, api_resource: str, api_scope: str) -> None:
        """An api scope is known when the token service has it for the api resource, or when a
        client app of the tenant was granted policies for it."""
        known = self._session.scalar(
            select(
                or_(
                    exists().where(ApiScope.name == api_scope, ApiScope.audience == api_resource),
                    exists().where(
                        AppAccessPolicy.tenant_id == tenant_id,
                        AppAccessPolicy.api_resource == api_resource,
                        AppAccessPolicy.api_scope == api_scope,
                    ),
                )
            )
        )
        if not known:
            raise NotFound(f"No api scope '{api_scope}' of the api resource '{api_resource}'.")

    def _tenant_clients_of_scope(
        self, tenant_id: int, api_resource: str, api_scope: str
    ) -> list[str]:
        """The client apps of the token service that belong to the tenant and may ask for the
        scope: they have access to it even while holding no policy."""
        return list(
            self._session.scalars(
                select(ClientScope.client_id)
                .join(ApiScope, ApiScope.name == ClientScope.scope)
                .join(ClientClaim, ClientClaim.client_id == ClientScope.client_id)
                .where(
                    ClientScope.scope == api_scope,
                    ApiScope.audience == api_resource,
                    ClientClaim.type == TENANT_CLAIM,
                    ClientClaim.value == str(tenant_id),
                )
            ).all()
        )

    def _permission_ids(self, uids: Sequence[uuid.UUID]) -> list[int]:
        """The ids of the permissions of these uids; Unprocessable for the first unknown."""
        wanted = list(dict.fromkeys(uids))
        found: dict[uuid.UUID, int] = {}
        if wanted:
            rows = self._session.execute(
                select(Permission.uid, Permission.id).where(Permission.uid.in_(wanted))
            ).all()
            found = {uid: id_ for uid, id_ in rows}
        for uid in wanted:
            if uid not in found:
                raise Unprocessable(f"No permission with uid '{uid}'.", field="permissionsUids")
        return list(found.values())

    def _hierarchy_path(self, permission: Permission) -> tuple[str, ...]:
        names = [permission.name]
        seen = {permission.id}
        parent_id = permission.parent_id
        # `seen` guards against a cycle the foreign key alone cannot forbid.
        while parent_id is not None and parent_id not in seen:
            parent = self._session.get(Permission, parent_id)
            if parent is None:
                break
            names.append(parent.name)
            seen.add(parent.id)
            parent_id = parent.parent_id
        return tuple(reversed(names))

    def _required_policies(self, permission_ids: Iterable[int]) -> tuple[AccessPolicyRecord, ...]:
        policies = self._session.scalars(
            select(AccessPolicy)
            .where(
                AccessPolicy.id.in_(
                    select(PermissionPolicy.access_policy_id).where(
                        PermissionPolicy.permission_id.in_(list(permission_ids))
                    )
                )
            )
            .order_by(AccessPolicy.id)
        ).all()
        return tuple(_policy_record(policy) for policy in policies)

    def _role_policies(self, role_ids: list[int]) -> dict[int, tuple[AccessPolicyRecord, ...]]:
        rows = self._session.execute(
            select(RolePolicy.role_id, AccessPolicy)
            .join(AccessPolicy, AccessPolicy.id == RolePolicy.access_policy_id)
            .where(RolePolicy.role_id.in_(role_ids))
            .order_by(RolePolicy.role_id, AccessPolicy.id)
        ).all()
        policies: dict[int, list[AccessPolicyRecord]] = {}
        for role_id, policy in rows:
            policies.setdefault(role_id, []).append(_policy_record(policy))
        return {role_id: tuple(records) for role_id, records in policies.items()}

    def _check_back_office_ids(self, change: BackOfficeChange) -> None:
        """Unprocessable for the first id of the change that names nothing of the catalogue."""
        menu_items = list(change.menu_item_ids or [])
        if change.default_menu_item_id is not None:
            menu_items.insert(0, change.default_menu_item_id)
        self._require_known(MenuItem, menu_items, "menu item", "MenuItemIds")
        self._require_known(
            Functionality, change.functionality_ids or [], "functionality", "FunctionalityIds"
        )

    def _require_known(
        self,
        model: type[MenuItem] | type[Functionality],
        ids: Sequence[int],
        what: str,
        field: str,
    ) -> None:
        if not ids:
            return
        known = set(self._session.scalars(select(model.id).where(model.id.in_(set(ids)))).all())
        for id_ in ids:
            if id_ not in known:
                raise Unprocessable(f"No {what} with id {id_}.", field=field)

    def _role_setting(self, role_id: int, *, for_update: bool = False) -> BackOfficeSetting | None:
        query = select(BackOfficeSetting).where(BackOfficeSetting.role_id == role_id)
        return self._session.scalar(query.with_for_update() if for_update else query)

    def _identity_setting(
        self, identity_id: uuid.UUID, *, for_update: bool = False
    ) -> BackOfficeSetting | None:
        query = select(BackOfficeSetting).where(BackOfficeSetting.identity_id == identity_id)
        return self._session.scalar(query.with_for_update() if for_update else query)

    def _add_setting(
        self, setting: BackOfficeSetting, reread: Callable[[], BackOfficeSetting | None]
    ) -> BackOfficeSetting:
        """Add the first setting of a role or an identity; when a concurrent request added it
        first (a unique clash), answer the winner's row, `reread` locked, to change in turn."""
        try:
            # A savepoint, so that losing the race leaves the transaction usable.
            with self._session.begin_nested():
                self._session.add(setting)
                self._session.flush()
        except IntegrityError:
            winner = reread()
            if winner is None:
                # No concurrent setting: the role or identity itself went away meanwhile.
                raise NotFound("The role or identity no longer exists.") from None
            return winner
        return setting


def _apply(setting: BackOfficeSetting, change: BackOfficeChange) -> None:
    if change.default_menu_item_id is not None:
        setting.default_menu_item_id = change.default_menu_item_id
    if change.menu_item_ids is not None:
        setting.menu_item_ids = sorted(set(change.menu_item_ids))
    if change.functionality_ids is not None:
        setting.functionality_ids = sorted(set(change.functionality_ids))


def _back_office_record(setting: BackOfficeSetting | None) -> BackOfficePermissionsRecord:
    if setting is None:
        return NO_BACK_OFFICE_PERMISSIONS
    return BackOfficePermissionsRecord(
        default_menu_item_id=setting.default_menu_item_id,
        menu_item_ids=tuple(sorted(set(setting.menu_item_ids or []))),
        functionality_ids=tuple(sorted(set(setting.functionality_ids or []))),
    )


def _policy_record(policy: AccessPolicy) -> AccessPolicyRecord:
    return AccessPolicyRecord(
        id=policy.id,
        key=policy.key,
        name=policy.name,
        description=policy.description,
        is_app_oriented=policy.is_app_oriented,
    )


def _permission_record(permission: Permission) -> PermissionRecord:
    return PermissionRecord(
        id=permission.id,
        uid=permission.uid,
        name=permission.name,
        parent_id=permission.parent_id,
        order_index=permission.order_index,
    )


def _role_policies_record(
    role: Role, policies: tuple[AccessPolicyRecord, ...]
) -> RolePoliciesRecord:
    return RolePoliciesRecord(
        id=role.id,
        key=role.key,
        tenant_id=role.tenant_id,
        short_name=role.short_name,
        long_name=role.long_name,
        allow_all_policies=role.allow_all_policies,
        policies=policies,
    )


def _menu_item_record(item: MenuItem) -> MenuItemRecord:
    return MenuItemRecord(
        id=item.id,
        parent_id=item.parent_id,
        name=item.name,
        description=item.description,
        page_link=item.page_link,
        menu_type_id=item.menu_type_id,
        permission_uid=item.permission_uid,
    )


def _functionality_record(functionality: Functionality) -> FunctionalityRecord:
    return FunctionalityRecord(
        id=functionality.id,
        name=functionality.name,
        key=functionality.key,
        sort_order=functionality.sort_order,
        permission_uid=functionality.permission_uid,
    )
