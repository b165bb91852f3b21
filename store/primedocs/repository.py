"""Reads and writes of the primedocs Admin API. Returns records, never ORM objects."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.errors import Invalid, NotFound
from store.paging import Page, fetch_page
from store.primedocs.models import (
    Datasource,
    DirectoryEntry,
    OrganizationUnit,
    Profile,
    ProfileShare,
    User,
)


@dataclass(frozen=True)
class OrganizationUnitRecord:
    id: uuid.UUID
    title: str


@dataclass(frozen=True)
class UserRecord:
    id: uuid.UUID
    primary_sid: str | None
    title: str | None


@dataclass(frozen=True)
class ProfileRecord:
    id: uuid.UUID
    title: str | None
    organization_unit_id: uuid.UUID | None
    organization_unit_title: str | None


@dataclass(frozen=True)
class UserDetailRecord(UserRecord):
    profiles: tuple[ProfileRecord, ...]


@dataclass(frozen=True)
class ShareRecord:
    id: uuid.UUID
    account_id: uuid.UUID


@dataclass(frozen=True)
class ProfileDetailRecord(ProfileRecord):
    shares: tuple[ShareRecord, ...]


class PrimedocsRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # organization units

    def list_organization_units(
        self, *, datasource_id: str, page: int, page_size: int
    ) -> Page[OrganizationUnitRecord]:
        self._require_datasource(datasource_id)
        query = (
            select(OrganizationUnit)
            .where(OrganizationUnit.datasource_id == datasource_id)
            .order_by(OrganizationUnit.title, OrganizationUnit.id)
        )
        return fetch_page(
            self._session,
            query,
            page=page,
            page_size=page_size,
            to_record=lambda unit: OrganizationUnitRecord(id=unit.id, title=unit.title),
        )

    # users

    def list_users(self, *, datasource_id: str, page: int, page_size: int) -> Page[UserRecord]:
        self._require_datasource(datasource_id)
        query = (
            select(User).where(User.datasource_id == datasource_id).order_by(User.title, User.id)
        )
        return fetch_page(
            self._session, query, page=page, page_size=page_size, to_record=_user_record
        )

    def get_user(self, *, datasource_id: str, user_id: uuid.UUID) -> UserDetailRecord:
        self._require_datasource(datasource_id)
        return self._user_detail(self._require_user(datasource_id, user_id))

    def onboard_user(self, *, datasource_id: str, sid: str) -> UserDetailRecord:
        """Create the user of a directory SID with its default profile; idempotent per SID."""
        self._require_datasource(datasource_id)
        existing = self._user_by_sid(datasource_id, sid)
        if existing is not None:
            return self._user_detail(existing)
        entry = self._session.get(DirectoryEntry, (datasource_id, sid))
        if entry is None:
            raise NotFound(f"No account with SID '{sid}' in the directory of this datasource.")
        user = User(
            id=uuid.uuid4(), datasource_id=datasource_id, primary_sid=sid, title=entry.display_name
        )
        profile = Profile(
            id=uuid.uuid4(),
            user_id=user.id,
            organization_unit_id=entry.organization_unit_id,
            title=entry.display_name,
            is_default=True,
            position=0,
        )
        try:
            # A savepoint, so that losing a race to a concurrent onboarding of the same SID
            # leaves the request's transaction usable for reading the winner.
            with self._session.begin_nested():
                self._session.add(user)
                self._session.flush()
                self._session.add(profile)
                self._session.flush()
        except IntegrityError:
            winner = self._user_by_sid(datasource_id, sid)
            if winner is None:
                raise
            return self._user_detail(winner)
        return self._user_detail(user)

    # profiles

    def get_profile(
        self, *, datasource_id: str, user_id: uuid.UUID, profile_id: uuid.UUID
    ) -> ProfileDetailRecord:
        profile = self._require_profile(datasource_id, user_id, profile_id)
        shares = self._session.scalars(
            select(ProfileShare)
            .where(ProfileShare.profile_id == profile.id)
            .order_by(ProfileShare.account_id)
        ).all()
        return ProfileDetailRecord(
            **asdict(self._profile_record(profile)),
            shares=tuple(ShareRecord(id=s.id, account_id=s.account_id) for s in shares),
        )

    def update_profile(
        self,
        *,
        datasource_id: str,
        user_id: uuid.UUID,
        profile_id: uuid.UUID,
        title: str | None,
        organization_unit_id: uuid.UUID | None,
    ) -> None:
        """Change what is given; `None` leaves a value as it is."""
        profile = self._require_profile(datasource_id, user_id, profile_id)
        if organization_unit_id is not None:
            unit = self._session.get(OrganizationUnit, organization_unit_id)
            if unit is None or unit.datasource_id != datasource_id:
                raise NotFound(
                    f"No organization unit with id '{organization_unit_id}' in this datasource.",
                    field="organizationUnitId",
                )
            profile.organization_unit_id = unit.id
        if title is not None:
            profile.title = title
        self._session.flush()

    def put_profile_share(
        self,
        *,
        datasource_id: str,
        user_id: uuid.UUID,
        profile_id: uuid.UUID,
        account_id: uuid.UUID,
        profile_permission_level: int,
        signature_permission_level: int,
    ) -> None:
        """Add, replace or (both levels 0) remove the profile's share with one account."""
        profile = self._require_profile(datasource_id, user_id, profile_id)
        account = self._session.get(User, account_id)
        if account is None or account.datasource_id != datasource_id:
            raise NotFound(
                f"No account with id '{account_id}' in this datasource.", field="accountId"
            )
        if account.id == profile.user_id:
            raise Invalid("A profile cannot be shared with its own user.", field="accountId")
        share = self._share(profile.id, account.id)
        if profile_permission_level == 0 and signature_permission_level == 0:
            if share is not None:
                self._session.delete(share)
                self._session.flush()
            return
        if share is None:
            try:
                # A savepoint: a concurrent request may add this account's share first.
                with self._session.begin_nested():
                    self._session.add(
                        ProfileShare(
                            id=uuid.uuid4(),
                            profile_id=profile.id,
                            account_id=account.id,
                            profile_permission_level=profile_permission_level,
                            signature_permission_level=signature_permission_level,
                        )
                    )
                    self._session.flush()
                return
            except IntegrityError:
                share = self._share(profile.id, account.id)
                if share is None:
                    raise
        share.profile_permission_level = profile_permission_level
        share.signature_permission_level = signature_permission_level
        self._session.flush()

    # lookups

    def _require_datasource(self, datasource_id: str) -> Datasource:
        # PostgreSQL cannot even compare a string holding NUL; no datasource id has one.
        datasource = (
            None if "\x00" in datasource_id else self._session.get(Datasource, datasource_id)
        )
        if datasource is None:
            raise NotFound(f"No datasource with id '{datasource_id}'.")
        return datasource

    def _require_user(self, datasource_id: str, user_id: uuid.UUID) -> User:
        user = self._session.get(User, user_id)
        if user is None or user.datasource_id != datasource_id:
            raise NotFound(f"No user with id '{user_id}' in this datasource.")
        return user

    def _require_profile(
        self, datasource_id: str, user_id: uuid.UUID, profile_id: uuid.UUID
    ) -> Profile:
        self._require_datasource(datasource_id)
        user = self._require_user(datasource_id, user_id)
        profile = self._session.get(Profile, profile_id)
        if profile is None or profile.user_id != user.id:
            raise NotFound(f"No profile with id '{profile_id}' for this user.")
        return profile

    def _share(self, profile_id: uuid.UUID, account_id: uuid.UUID) -> ProfileShare | None:
        return self._session.scalar(
            select(ProfileShare).where(
                ProfileShare.profile_id == profile_id, ProfileShare.account_id == account_id
            )
        )

    def _user_by_sid(self, datasource_id: str, sid: str) -> User | None:
        return self._session.scalar(
            select(User).where(User.datasource_id == datasource_id, User.primary_sid == sid)
        )

    def _user_detail(self, user: User) -> UserDetailRecord:
        profiles = self._session.scalars(
            select(Profile).where(Profile.user_id == user.id).order_by(Profile.position, Profile.id)
        ).all()
        return UserDetailRecord(
            id=user.id,
            primary_sid=user.primary_sid,
            title=user.title,
            profiles=tuple(self._profile_record(p) for p in profiles),
        )

    def _profile_record(self, profile: Profile) -> ProfileRecord:
        unit = (
            self._session.get(OrganizationUnit, profile.organization_unit_id)
            if profile.organization_unit_id is not None
            else None
        )
        return ProfileRecord(
            id=profile.id,
            title=profile.title,
            organization_unit_id=profile.organization_unit_id,
            organization_unit_title=unit.title if unit is not None else None,
        )


def _user_record(user: User) -> UserRecord:
    return UserRecord(id=user.id, primary_sid=user.primary_sid, title=user.title)
