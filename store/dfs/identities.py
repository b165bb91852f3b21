"""Identities of the DFS Admin Services API: read, create, update, search, their tenant access,
profile pictures, and their place in the member-role hierarchy. Returns records, never ORM
objects.

An identity belongs to the tenant it was created in (`dfs_identities.tenant_id`); its role,
hierarchy level and `IsTenantAccessEnabled` are those of its access to that tenant. The names
and contact data the API shows as the identity's live on its member.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    bindparam,
    delete,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.dfs import access, identity_search
from store.dfs.access import Guarded
from store.dfs.identity_rows import (
    PARTICIPANT_IDS,
    IdentityRecord,
    identity_rows_of_a_tenant,
    record,
    split_integers,
)
from store.dfs.identity_search import IdentitySearch, Shape
from store.dfs.models import (
    AccessPolicy,
    BankBranch,
    Identity,
    IdentityExclusion,
    IdentityParticipant,
    Member,
    Participant,
    ProviderSetting,
    Role,
    RolePolicy,
    Salutation,
    Tenant,
    TenantAccess,
    folded,
    normalized,
)
from store.dfs.search_counts import SearchCounts, has_unversioned_changes
from store.errors import Invalid, NotFound, Unprocessable
from store.identity.secrets import MAX_SECRET_BYTES, hash_secret, secret_matches
from store.paging import Page

# Records


@dataclass(frozen=True)
class HierarchyRecord:
    base: IdentityRecord
    superiors: tuple[IdentityRecord, ...]
    items: tuple[IdentityRecord, ...]


@dataclass(frozen=True)
class PictureRecord:
    # None when the identity has no picture of its own.
    content: bytes | None


@dataclass(frozen=True)
class AccessPolicyRecord:
    id: int
    key: str
    name: str


# Requests


@dataclass(frozen=True)
class PasswordSet:
    """A new password with its confirmation; `old_password` is None for an administrator's
    reset and the current password for a change."""

    password: str
    confirm_password: str
    old_password: str | None = None


@dataclass(frozen=True)
class IdentityDraft:
    first_name: str
    last_name: str
    user_name: str
    role_id: int
    password: str | None = None
    salutation_id: int | None = None
    email: str | None = None
    description: str | None = None
    phone: str | None = None
    fax: str | None = None
    mobile: str | None = None
    url: str | None = None
    bank_branch_id: int | None = None
    external_id: str | None = None
    participant_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class IdentityUpdate:
    """The properties `UpdateProperties` names (canonical names), with their values from the
    body (None when absent or null). Passwords are PasswordSet values."""

    values: Mapping[str, Any]


# Request properties stored on the member (of the update v1.3 and of the member sync) -> their
# column; and those the update cannot clear.
MEMBER_PROPERTIES = {
    "FirstName": "first_name",
    "LastName": "last_name",
    "SalutationId": "salutation_id",
    "Email": "email",
    "Description": "description",
    "Phone": "phone",
    "Fax": "fax",
    "Mobile": "mobile",
    "BankBranchId": "bank_branch_id",
    "ExternalId": "external_id",
}
NOT_CLEARABLE = (
    "FirstName",
    "LastName",
    "UserName",
    "IdentityRoleId",
    "IsSignInEnabled",
    "IsTenantAccessEnabled",
    "ResetPassword",
    "ChangePassword",
)
UPDATE_PROPERTIES = (
    *MEMBER_PROPERTIES,
    "Url",
    "IdentityRoleId",
    "UserName",
    "IsSignInEnabled",
    "IsTenantAccessEnabled",
    "ParticipantIds",
    "ResetPassword",
    "ChangePassword",
)

PICTURE_MAX_BYTES = 1024 * 1024


class IdentitiesRepository:
    def __init__(self, session: Session, search_counts: SearchCounts) -> None:
        self._session = session
        self._search_counts = search_counts

    @property
    def _connection(self) -> Connection:
        """For reads of rows (not objects): SQLAlchemy Core, without the ORM's work."""
        return self._session.connection()

    # reads

    def get_identity(self, *, tenant_id: int, identity_id: uuid.UUID) -> IdentityRecord:
        """The identity; a pending access check (store.dfs.access) is asked in the same
        statement."""
        values = {"tenant_id": tenant_id, "identity_id": identity_id}
        requirement = access.take_pending(self._session)
        if requirement is None:
            return _with_member(self._identity(tenant_id, identity_id))
        row = self._connection.execute(
            _GUARDED_IDENTITY_BY_ID.statement(requirement), {**values, **requirement.values}
        ).one()
        if not row.access_held:
            raise requirement.refusal()
        if row.id is None:
            raise _no_identity(identity_id)
        return _with_member(record(row, split_integers(row.participant_ids)))

    def search_identities(
        self, *, tenant_id: int, caller_identity_id: uuid.UUID | None, search: IdentitySearch
    ) -> Page[IdentityRecord]:
        """The identities of the tenant matching `search`, one page of them, found, ordered
        and paged by the database (store.dfs.identity_search), with how many match in all;
        a pending access check (store.dfs.access) goes with the tenant's search version."""
        version = self._search_version(tenant_id)
        sees_all = search.all_tenants and self._sees_all_tenants(caller_identity_id)
        found = identity_search.statements(
            Shape.of(search, sees_all=sees_all), self._ranks(tenant_id, search.sort_by)
        )
        values = identity_search.values(
            search,
            tenant_id,
            term_role_ids=self._named(self._role_names, tenant_id, search, "RoleName"),
            term_provider_ids=self._named(
                self._provider_names, tenant_id, search, "IdentityProviderName"
            ),
        )
        page = [
            record(row, split_integers(row.participant_ids))
            for row in self._connection.execute(found.page, values)
        ]
        # The filters, without the page and the order.
        key = (
            tenant_id,
            version,
            sees_all,
            replace(search, page=1, page_size=1, sort_by="", descending=False, all_tenants=False),
        )
        count = self._search_counts.get(key) if version is not None else None
        if count is None:
            count = self._connection.execute(found.count, values).scalar() or 0
            if version is not None:
                self._search_counts.put(key, count)
        return Page(items=page, page=search.page, page_size=search.page_size, total_items=count)

    def _search_version(self, tenant_id: int) -> str | None:
        """The tenant's search version (None while this transaction has changes not yet
        under a new one), asked with a pending access check."""
        values: dict[str, Any] = {"tenant_id": tenant_id}
        requirement = access.take_pending(self._session)
        if requirement is None:
            version = self._connection.execute(identity_search.VERSION, values).scalar()
        else:
            row = self._connection.execute(
                identity_search.GUARDED_VERSION.statement(requirement),
                {**values, **requirement.values},
            ).one()
            if not row.access_held:
                raise requirement.refusal()
            version = row.search_version
        return None if has_unversioned_changes(self._session) else version

    def _ranks(self, tenant_id: int, sort_by: str) -> dict[int, str] | None:
        """For an order by role or identity-provider name: the tenant's names by id."""
        if sort_by == "RoleName":
            return self._role_names(tenant_id)
        if sort_by == "IdentityProviderName":
            return self._provider_names(tenant_id)
        return None

    @staticmethod
    def _named(
        names: Callable[[int], dict[int, str]], tenant_id: int, search: IdentitySearch, field: str
    ) -> list[int] | None:
        """The ids of the roles or identity providers whose names hold the search's term,
        where the term is looked for in those names."""
        if field not in search.term_fields:
            return None
        return [i for i, name in names(tenant_id).items() if search.term in name]

    def _role_names(self, tenant_id: int) -> dict[int, str]:
        rows = self._session.execute(
            select(Role.id, Role.short_name).where(Role.tenant_id == tenant_id)
        )
        return {role_id: folded(name) for role_id, name in rows}

    def _provider_names(self, tenant_id: int) -> dict[int, str]:
        rows = self._session.execute(
            select(ProviderSetting.id, ProviderSetting.display_name).where(
                ProviderSetting.tenant_id == tenant_id
            )
        )
        return {setting_id: folded(name) for setting_id, name in rows}

    def identities_with_levels(self, *, tenant_id: int) -> list[IdentityRecord]:
        """The identities of the tenant with enabled tenant access, system accounts left out,
        highest hierarchy level first."""
        return _by_level(
            r
            for r in self._hierarchy_population(tenant_id)
            if not r.is_system_account and r.member_id is not None
        )

    def get_hierarchy(self, *, tenant_id: int, identity_id: uuid.UUID) -> HierarchyRecord:
        hierarchy = self._hierarchy(tenant_id, identity_id)
        _with_member(hierarchy.base)
        return hierarchy

    def may_access_member(self, *, tenant_id: int, identity_id: uuid.UUID, member_id: int) -> bool:
        """Whether the identity may access the person `member_id`: its own member or a member of
        an identity of its hierarchy. Contacts and legal entities are not stored here, so a
        person is a member."""
        hierarchy = self._hierarchy(tenant_id, identity_id)
        reachable = {hierarchy.base.member_id, *(r.member_id for r in hierarchy.items)}
        return member_id in reachable

    def may_access_person_uid(
        self, *, tenant_id: int, identity_id: uuid.UUID, person_uid: uuid.UUID
    ) -> bool:
        """As may_access_member, with the person named by a uid. Members have no uid column;
        the unique id of a member is that of its identity (one member per identity)."""
        member_id = self._session.scalar(
            select(Identity.member_id).where(
                Identity.id == person_uid, Identity.tenant_id == tenant_id
            )
        )
        if member_id is None:
            self._identity(tenant_id, identity_id)
            return False
        return self.may_access_member(
            tenant_id=tenant_id, identity_id=identity_id, member_id=member_id
        )

    def access_policies(
        self, *, tenant_id: int, identity_id: uuid.UUID
    ) -> list[AccessPolicyRecord]:
        identity = self._identity(tenant_id, identity_id)
        role = self._session.get(Role, identity.role_id)
        query = select(AccessPolicy).order_by(AccessPolicy.id)
        if role is None or not role.allow_all_policies:
            query = query.join(RolePolicy, RolePolicy.access_policy_id == AccessPolicy.id).where(
                RolePolicy.role_id == identity.role_id
            )
        return [
            AccessPolicyRecord(id=p.id, key=p.key, name=p.name)
            for p in self._session.scalars(query).all()
        ]

    def get_picture(self, *, tenant_id: int, identity_id: uuid.UUID) -> PictureRecord:
        identity = self._require_identity(tenant_id, identity_id)
        return PictureRecord(content=identity.profile_picture)

    # writes

    def create_identity(self, *, tenant_id: int, draft: IdentityDraft) -> uuid.UUID:
        # Hashed first: bcrypt is slow on purpose, and needs no database.
        password_hash = None if draft.password is None else _hash_password(draft.password)
        self._require_role(tenant_id, draft.role_id)
        self._check_member_references(tenant_id, draft.salutation_id, draft.bank_branch_id)
        participant_ids = self._require_participants(tenant_id, draft.participant_ids)
        provider_id = self._default_provider(tenant_id)
        self._require_free_user_name(tenant_id, draft.user_name, None)
        identity_id = uuid.uuid4()
        try:
            # A savepoint: a concurrent create of the same user name may commit first, and
            # the database's unique constraint decides; the loser gets the 422 the spec says.
            with self._session.begin_nested():
                member = _new_member(tenant_id, draft)
                self._session.add(member)
                self._session.flush()
                self._session.add(
                    Identity(
                        id=identity_id,
                        tenant_id=tenant_id,
                        member_id=member.id,
                        user_name=draft.user_name,
                        user_name_normalized=normalized(draft.user_name),
                        password_hash=password_hash,
                        url=draft.url,
                        provider_setting_id=provider_id,
                        is_sign_in_enabled=True,
                        is_system_account=False,
                        sees_all_tenants=False,
                    )
                )
                self._session.flush()
                self._session.add(
                    TenantAccess(
                        identity_id=identity_id,
                        tenant_id=tenant_id,
                        role_id=draft.role_id,
                        is_enabled=True,
                    )
                )
                self._session.add_all(
                    IdentityParticipant(identity_id=identity_id, participant_id=p)
                    for p in participant_ids
                )
                self._session.flush()
        except IntegrityError:
            self._require_free_user_name(tenant_id, draft.user_name, None)
            raise
        return identity_id

    def update_identity(
        self,
        *,
        tenant_id: int,
        identity_id: uuid.UUID,
        caller_identity_id: uuid.UUID | None,
        update: IdentityUpdate,
    ) -> None:
        """Apply the named properties together, or none of them."""
        values = update.values
        identity = self._lock_identity(tenant_id, identity_id)
        _check_not_cleared(values)
        _check_no_lockout(values, identity.id == caller_identity_id)
        member = self._member_for(identity, values)
        self._check_update_references(tenant_id, values)
        new_hash = self._new_password_hash(identity, values)
        access = self._own_access(identity, tenant_id)
        if member is not None:
            for name, column in MEMBER_PROPERTIES.items():
                if name in values:
                    setattr(member, column, values[name])
        if "Url" in values:
            identity.url = values["Url"]
        if "IdentityRoleId" in values:
            access.role_id = values["IdentityRoleId"]
        if "IsSignInEnabled" in values:
            identity.is_sign_in_enabled = values["IsSignInEnabled"]
        if "IsTenantAccessEnabled" in values:
            access.is_enabled = values["IsTenantAccessEnabled"]
        if new_hash is not None:
            identity.password_hash = new_hash
        if "ParticipantIds" in values:
            self._replace_participants(identity.id, tenant_id, values["ParticipantIds"] or ())
        if "UserName" in values:
            self._rename(identity, tenant_id, values["UserName"])
        self._session.flush()

    def set_tenant_access(
        self,
        *,
        tenant_id: int,
        identity_id: uuid.UUID,
        caller_identity_id: uuid.UUID | None,
        access_tenant_id: int,
        role_id: int | None,
        is_enabled: bool,
    ) -> None:
        # Another tenant is answered as a missing one: granting access into it (or learning
        # which of its roles exist) would cross the tenants' wall.
        if access_tenant_id != tenant_id or self._session.get(Tenant, access_tenant_id) is None:
            raise NotFound(f"No tenant with id {access_tenant_id}.")
        identity = self._lock_identity(tenant_id, identity_id)
        if role_id is not None:
            self._require_role(access_tenant_id, role_id)
        if not is_enabled and identity.id == caller_identity_id:
            raise Unprocessable("An identity may not disable its own access to this tenant.")
        access = self._session.get(TenantAccess, (identity.id, access_tenant_id))
        if access is None:
            if role_id is None:
                raise Unprocessable(
                    "A first access to a tenant needs a role (IdentityRoleId).",
                    field="IdentityRoleId",
                )
            # The identity's row is locked: no concurrent call adds this access meanwhile.
            self._session.add(
                TenantAccess(
                    identity_id=identity.id,
                    tenant_id=access_tenant_id,
                    role_id=role_id,
                    is_enabled=is_enabled,
                )
            )
        else:
            access.is_enabled = is_enabled
            if role_id is not None:
                access.role_id = role_id
        self._session.flush()

    def set_picture(self, *, tenant_id: int, identity_id: uuid.UUID, content: bytes) -> None:
        identity = self._require_identity(tenant_id, identity_id)
        if len(content) > PICTURE_MAX_BYTES:
            raise Invalid("The picture has more than 1 MiB (1,048,576 bytes).")
        if not (is_complete_jpeg(content) or is_complete_png(content)):
            raise Unprocessable(
                "The picture is not a complete JPEG or PNG file.", field="ImageContentBase64"
            )
        identity.profile_picture = content
        self._session.flush()

    def delete_picture(self, *, tenant_id: int, identity_id: uuid.UUID) -> None:
        identity = self._require_identity(tenant_id, identity_id)
        identity.profile_picture = None
        self._session.flush()

    def set_hierarchy_exclusions(
        self, *, tenant_id: int, identity_id: uuid.UUID, excluded_ids: Sequence[uuid.UUID]
    ) -> None:
        """Replace the identities left out of the identity's hierarchy."""
        identity = self._lock_identity(tenant_id, identity_id)
        wanted = set(excluded_ids)
        if identity.id in wanted:
            raise Unprocessable("An identity cannot be excluded from its own hierarchy.")
        known = set(
            self._session.scalars(
                select(Identity.id).where(Identity.tenant_id == tenant_id, Identity.id.in_(wanted))
            ).all()
        )
        unknown = sorted(str(i) for i in wanted - known)
        if unknown:
            raise Unprocessable(f"No identity with id {unknown[0]} in this tenant.")
        self._session.execute(
            delete(IdentityExclusion).where(IdentityExclusion.identity_id == identity.id)
        )
        self._session.add_all(
            IdentityExclusion(identity_id=identity.id, excluded_identity_id=excluded)
            for excluded in sorted(wanted)
        )
        self._session.flush()

    # lookups

    def _identity(self, tenant_id: int, identity_id: uuid.UUID) -> IdentityRecord:
        row = self._connection.execute(
            _IDENTITY_BY_ID, {"tenant_id": tenant_id, "identity_id": identity_id}
        ).first()
        if row is None:
            raise _no_identity(identity_id)
        return record(row, split_integers(row.participant_ids))

    def _hierarchy(self, tenant_id: int, identity_id: uuid.UUID) -> HierarchyRecord:
        base = self._identity(tenant_id, identity_id)
        excluded = self._excluded(identity_id)
        # An identity without a member has no place in a member-role hierarchy.
        others = [
            r
            for r in self._hierarchy_population(tenant_id)
            if r.id != base.id and r.member_id is not None
        ]
        level = base.hierarchy_level
        return HierarchyRecord(
            base=base,
            superiors=tuple(_by_level(r for r in others if r.hierarchy_level >= level)),
            items=tuple(
                _by_level(r for r in others if r.hierarchy_level < level and r.id not in excluded)
            ),
        )

    def _require_identity(self, tenant_id: int, identity_id: uuid.UUID) -> Identity:
        identity = self._session.get(Identity, identity_id)
        if identity is None or identity.tenant_id != tenant_id:
            raise _no_identity(identity_id)
        return identity

    def _lock_identity(self, tenant_id: int, identity_id: uuid.UUID) -> Identity:
        """The identity, its row locked until the transaction ends: concurrent writes to one
        identity take turns (SQLite's BEGIN IMMEDIATE serializes them anyway)."""
        identity = self._session.scalar(
            select(Identity)
            .where(Identity.id == identity_id, Identity.tenant_id == tenant_id)
            .with_for_update()
        )
        if identity is None:
            raise _no_identity(identity_id)
        return identity

    def _own_access(self, identity: Identity, tenant_id: int) -> TenantAccess:
        access = self._session.get(TenantAccess, (identity.id, tenant_id))
        if access is None:
            # Every identity is created with access to its tenant, and accesses are never
            # deleted; should one be missing, the identity is as good as absent.
            raise _no_identity(identity.id)
        return access

    def _sees_all_tenants(self, caller_identity_id: uuid.UUID | None) -> bool:
        if caller_identity_id is None:
            return False
        caller = self._session.get(Identity, caller_identity_id)
        return caller is not None and caller.sees_all_tenants

    def _hierarchy_population(self, tenant_id: int) -> list[IdentityRecord]:
        rows = self._session.execute(_ENABLED_IDENTITY_ROWS, {"tenant_id": tenant_id}).all()
        return [record(row) for row in rows]

    def _excluded(self, identity_id: uuid.UUID) -> set[uuid.UUID]:
        return set(
            self._session.scalars(
                select(IdentityExclusion.excluded_identity_id).where(
                    IdentityExclusion.identity_id == identity_id
                )
            ).all()
        )

    def _require_role(self, tenant_id: int, role_id: int) -> Role:
        role = self._session.get(Role, role_id)
        if role is None or role.tenant_id != tenant_id:
            raise Unprocessable(
                f"No role with id {role_id} in this tenant.", field="IdentityRoleId"
            )
        return role

    def _check_member_references(
        self, tenant_id: int, salutation_id: int | None, bank_branch_id: int | None
    ) -> None:
        if salutation_id is not None and self._session.get(Salutation, salutation_id) is None:
            raise Unprocessable(f"No salutation with id {salutation_id}.", field="SalutationId")
        if bank_branch_id is not None:
            branch = self._session.get(BankBranch, bank_branch_id)
            if branch is None or branch.tenant_id != tenant_id:
                raise Unprocessable(
                    f"No bank branch with id {bank_branch_id} in this tenant.",
                    field="BankBranchId",
                )

    def _check_update_references(self, tenant_id: int, values: Mapping[str, Any]) -> None:
        self._check_member_references(
            tenant_id, values.get("SalutationId"), values.get("BankBranchId")
        )
        if "IdentityRoleId" in values:
            self._require_role(tenant_id, values["IdentityRoleId"])
        if values.get("ParticipantIds"):
            self._require_participants(tenant_id, values["ParticipantIds"])

    def _require_participants(self, tenant_id: int, participant_ids: Iterable[int]) -> list[int]:
        wanted = sorted(set(participant_ids))
        if not wanted:
            return []
        known = set(
            self._session.scalars(
                select(Participant.id).where(
                    Participant.tenant_id == tenant_id, Participant.id.in_(wanted)
                )
            ).all()
        )
        missing = [p for p in wanted if p not in known]
        if missing:
            raise Unprocessable(
                f"No participant with id {missing[0]} in this tenant.", field="ParticipantIds"
            )
        return wanted

    def _default_provider(self, tenant_id: int) -> int:
        provider_id = self._session.scalar(
            select(ProviderSetting.id)
            .where(ProviderSetting.tenant_id == tenant_id)
            .order_by(ProviderSetting.is_default.desc(), ProviderSetting.id)
            .limit(1)
        )
        if provider_id is None:
            raise Unprocessable("This tenant has no identity provider to create identities with.")
        return provider_id

    def _require_free_user_name(
        self, tenant_id: int, user_name: str, owner: uuid.UUID | None
    ) -> None:
        holder = self._session.scalar(
            select(Identity.id).where(
                Identity.tenant_id == tenant_id,
                Identity.user_name_normalized == normalized(user_name),
            )
        )
        if holder is not None and holder != owner:
            raise Unprocessable(
                f"The user name '{user_name}' is already taken in this tenant.",
                field="Username",
            )

    def _member_for(self, identity: Identity, values: Mapping[str, Any]) -> Member | None:
        if not any(name in values for name in MEMBER_PROPERTIES):
            return None
        member = (
            None if identity.member_id is None else self._session.get(Member, identity.member_id)
        )
        if member is None:
            raise Unprocessable(
                "This identity has no member to hold these properties; import its member first."
            )
        return member

    def _new_password_hash(self, identity: Identity, values: Mapping[str, Any]) -> str | None:
        reset: PasswordSet | None = values.get("ResetPassword")
        change: PasswordSet | None = values.get("ChangePassword")
        for name, given in (("ResetPassword", reset), ("ChangePassword", change)):
            if given is not None and given.password != given.confirm_password:
                raise Unprocessable(f"{name}: ConfirmPassword differs from Password.", field=name)
        if reset is not None and change is not None and reset.password != change.password:
            raise Unprocessable("ResetPassword and ChangePassword give different passwords.")
        if change is not None and not (
            identity.password_hash is not None
            and change.old_password is not None
            and secret_matches(change.old_password, identity.password_hash)
        ):
            raise Unprocessable("The old password is wrong.", field="ChangePassword")
        chosen = change or reset
        return None if chosen is None else _hash_password(chosen.password)

    def _replace_participants(
        self, identity_id: uuid.UUID, tenant_id: int, participant_ids: Iterable[int]
    ) -> None:
        wanted = self._require_participants(tenant_id, participant_ids)
        self._session.execute(
            delete(IdentityParticipant).where(IdentityParticipant.identity_id == identity_id)
        )
        self._session.add_all(
            IdentityParticipant(identity_id=identity_id, participant_id=p) for p in wanted
        )

    def _rename(self, identity: Identity, tenant_id: int, user_name: str) -> None:
        self._require_free_user_name(tenant_id, user_name, identity.id)
        try:
            # A savepoint: another identity may take the name concurrently; the unique
            # constraint decides, and the loser gets a 422 rather than a failed transaction.
            with self._session.begin_nested():
                identity.user_name = user_name
                identity.user_name_normalized = normalized(user_name)
                self._session.flush()
        except IntegrityError:
            self._require_free_user_name(tenant_id, user_name, identity.id)
            raise


_IDENTITY_ROWS = identity_rows_of_a_tenant(with_member_only=False)
_IDENTITY_BY_ID = _IDENTITY_ROWS.add_columns(PARTICIPANT_IDS).where(
    Identity.id == bindparam("identity_id")
)
_GUARDED_IDENTITY_BY_ID = Guarded.of(_IDENTITY_BY_ID)
_ENABLED_IDENTITY_ROWS = _IDENTITY_ROWS.where(TenantAccess.is_enabled.is_(True))


def _with_member(record: IdentityRecord) -> IdentityRecord:
    """The record, for an answer that must show the member's id and names."""
    if record.member_id is None:
        raise Unprocessable(
            f"The identity {record.id} has no member yet (the member import creates it)."
        )
    return record


def _no_identity(identity_id: uuid.UUID) -> NotFound:
    return NotFound(f"No identity with id {identity_id} in this tenant.")


def _new_member(tenant_id: int, draft: IdentityDraft) -> Member:
    return Member(
        tenant_id=tenant_id,
        first_name=draft.first_name,
        last_name=draft.last_name,
        salutation_id=draft.salutation_id,
        email=draft.email,
        description=draft.description,
        phone=draft.phone,
        fax=draft.fax,
        mobile=draft.mobile,
        external_id=draft.external_id,
        bank_branch_id=draft.bank_branch_id,
        assigned_contacts_count=0,
    )


def _hash_password(password: str) -> str:
    if len(password.encode("utf-8")) > MAX_SECRET_BYTES:
        # bcrypt reads 72 bytes at most; a longer password is refused rather than cut.
        raise Unprocessable(f"A password may have at most {MAX_SECRET_BYTES} bytes in UTF-8.")
    return hash_secret(password)


def _check_not_cleared(values: Mapping[str, Any]) -> None:
    for name in NOT_CLEARABLE:
        if name in values and values[name] is None:
            raise Unprocessable(f"'{name}' is named in UpdateProperties but cannot be cleared.")


def _check_no_lockout(values: Mapping[str, Any], is_caller: bool) -> None:
    if not is_caller:
        return
    if values.get("IsSignInEnabled") is False:
        raise Unprocessable("An identity may not disable its own sign-in.")
    if values.get("IsTenantAccessEnabled") is False:
        raise Unprocessable("An identity may not disable its own access to this tenant.")


# Search, sort and hierarchy order


def _by_level(records: Iterable[IdentityRecord]) -> list[IdentityRecord]:
    return sorted(
        records,
        key=lambda r: (-r.hierarchy_level, folded(r.last_name), folded(r.first_name), str(r.id)),
    )


# Picture formats


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def is_complete_jpeg(data: bytes) -> bool:
    return len(data) >= 4 and data.startswith(b"\xff\xd8\xff") and data.endswith(b"\xff\xd9")


def is_complete_png(data: bytes) -> bool:
    """The PNG signature, then well-formed chunks (lengths and CRCs), IHDR first, IEND last."""
    if not data.startswith(_PNG_SIGNATURE):
        return False
    position = len(_PNG_SIGNATURE)
    kinds: list[bytes] = []
    while position < len(data):
        if position + 12 > len(data):
            return False
        (length,) = struct.unpack(">I", data[position : position + 4])
        end = position + 12 + length
        if end > len(data):
            return False
        kind_and_body = data[position + 4 : end - 4]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind_and_body) != crc:
            return False
        kinds.append(kind_and_body[:4])
        position = end
    return len(kinds) >= 2 and kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
