"""The primedocs repository and the unit of work, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from store import Conflict, Invalid, NotFound, Store
from store.primedocs.models import Profile, ProfileShare, User

DATASOURCE = "b78c3707-d7c7-4fc7-b97f-87d70f63c1ac"
NEW_SID = "S-1-5-21-3623811015-3361044348-30300820-1105"
ANNA = uuid.UUID("8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5001")
ANNA_PROFILE = uuid.UUID("a1f3c2d4-5e6f-4a7b-8c9d-0e1f2a3b6001")


def count(store: Store, model: type, **where: object) -> int:
    with store.unit_of_work() as uow:
        query = select(func.count()).select_from(model).filter_by(**where)
        return int(uow.primedocs._session.scalar(query) or 0)


def test_paging_counts_every_row(store: Store) -> None:
    with store.unit_of_work() as uow:
        page = uow.primedocs.list_users(datasource_id=DATASOURCE, page=2, page_size=2)
    assert (page.total_items, page.total_pages, len(page.items)) == (3, 2, 1)


def test_onboarding_writes_user_and_default_profile_together(store: Store) -> None:
    with store.unit_of_work() as uow:
        user = uow.primedocs.onboard_user(datasource_id=DATASOURCE, sid=NEW_SID)
    assert count(store, User, primary_sid=NEW_SID) == 1
    assert count(store, Profile, user_id=user.id, is_default=True) == 1


def test_a_failed_request_leaves_nothing_half_written(store: Store) -> None:
    with pytest.raises(RuntimeError), store.unit_of_work() as uow:
        uow.primedocs.onboard_user(datasource_id=DATASOURCE, sid=NEW_SID)
        raise RuntimeError("the request failed after the write")
    assert count(store, User, primary_sid=NEW_SID) == 0
    assert count(store, Profile, title="Sofia Brunner") == 0


def test_concurrent_onboardings_of_one_sid_make_one_user(store: Store) -> None:
    def onboard(_: int) -> uuid.UUID:
        with store.unit_of_work() as uow:
            return uow.primedocs.onboard_user(datasource_id=DATASOURCE, sid=NEW_SID).id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(onboard, range(8)))
    assert len(ids) == 1
    assert count(store, User, primary_sid=NEW_SID) == 1
    assert count(store, Profile, user_id=ids.pop()) == 1


def test_the_database_refuses_a_second_user_with_the_same_sid(store: Store) -> None:
    with pytest.raises(Conflict), store.unit_of_work() as uow:
        uow.primedocs._session.add(
            User(
                id=uuid.uuid4(),
                datasource_id=DATASOURCE,
                primary_sid="S-1-5-21-3623811015-3361044348-30300820-1101",
                title="Duplicate",
            )
        )


def test_the_database_refuses_out_of_range_permission_levels(store: Store) -> None:
    with pytest.raises(Conflict), store.unit_of_work() as uow:
        uow.primedocs._session.add(
            ProfileShare(
                id=uuid.uuid4(),
                profile_id=ANNA_PROFILE,
                account_id=uuid.UUID("8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5003"),
                profile_permission_level=7,
                signature_permission_level=0,
            )
        )


def test_the_database_refuses_a_profile_of_no_user(store: Store) -> None:
    with pytest.raises(Conflict), store.unit_of_work() as uow:
        uow.primedocs._session.add(Profile(id=uuid.uuid4(), user_id=uuid.uuid4(), title="Orphan"))


def test_domain_errors_roll_back(store: Store) -> None:
    with pytest.raises(NotFound), store.unit_of_work() as uow:
        uow.primedocs.update_profile(
            datasource_id=DATASOURCE,
            user_id=ANNA,
            profile_id=ANNA_PROFILE,
            title="Changed first",
            organization_unit_id=uuid.UUID(int=9),
        )
    with store.unit_of_work() as uow:
        profile = uow.primedocs.get_profile(
            datasource_id=DATASOURCE, user_id=ANNA, profile_id=ANNA_PROFILE
        )
    assert profile.title == "Anna Muster"


def test_sharing_with_the_owner_is_invalid(store: Store) -> None:
    with pytest.raises(Invalid), store.unit_of_work() as uow:
        uow.primedocs.put_profile_share(
            datasource_id=DATASOURCE,
            user_id=ANNA,
            profile_id=ANNA_PROFILE,
            account_id=ANNA,
            profile_permission_level=1,
            signature_permission_level=0,
        )


def test_concurrent_shares_with_one_account_make_one_share(store: Store) -> None:
    account = uuid.UUID("8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5003")
    second_profile = uuid.UUID("a1f3c2d4-5e6f-4a7b-8c9d-0e1f2a3b6002")

    def share(level: int) -> None:
        with store.unit_of_work() as uow:
            uow.primedocs.put_profile_share(
                datasource_id=DATASOURCE,
                user_id=ANNA,
                profile_id=second_profile,
                account_id=account,
                profile_permission_level=1 + level % 3,
                signature_permission_level=1,
            )

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(share, range(16)))
    assert count(store, ProfileShare, profile_id=second_profile, account_id=account) == 1
