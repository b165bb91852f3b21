"""DFS identity search in SQL (IdentitiesRepository.search_identities), on SQLite and
PostgreSQL: case folding beyond ASCII, wildcards taken literally, and counts that follow every
change, in this store and in another one over the same database (another worker)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from store import Store
from store.dfs.identities import IdentityDraft, IdentityUpdate
from store.dfs.identity_search import IdentitySearch
from store.dfs.models import Tenant
from store.dfs.roles import RoleChanges
from store.seed import seed
from tests.support.databases import SEED_FOLDER
from tests.support.dfs import ADMIN

CALLER = uuid.UUID(ADMIN)
TENANT = 2  # Additiv, the admin's tenant
ROLE = 43


@pytest.fixture
def other_worker(database_url: str) -> Iterator[Store]:
    opened = Store(database_url)
    yield opened
    opened.dispose()


def found(store: Store, **criteria: Any) -> tuple[int, list[str]]:
    """TotalCount and the user names of the first page."""
    with store.unit_of_work() as work:
        page = work.dfs_identities.search_identities(
            tenant_id=TENANT, caller_identity_id=CALLER, search=IdentitySearch(**criteria)
        )
    return page.total_items, [r.user_name for r in page.items]


def create(store: Store, user_name: str, first: str, last: str) -> uuid.UUID:
    draft = IdentityDraft(first_name=first, last_name=last, user_name=user_name, role_id=ROLE)
    with store.unit_of_work() as work:
        return work.dfs_identities.create_identity(tenant_id=TENANT, draft=draft)


def update(store: Store, identity_id: uuid.UUID, **values: Any) -> None:
    with store.unit_of_work() as work:
        work.dfs_identities.update_identity(
            tenant_id=TENANT,
            identity_id=identity_id,
            caller_identity_id=CALLER,
            update=IdentityUpdate(values=values),
        )


def test_names_fold_beyond_ascii_and_wildcards_are_literal(store: Store) -> None:
    create(store, "sgross", "Émile", "Straße")
    create(store, "percent", "Fifty", "50%Off")
    assert found(store, search_term="STRASSE") == (1, ["sgross"])
    assert found(store, first_name="ÉMILE") == (1, ["sgross"])
    assert found(store, search_term="émile strasse", search_by="FullName") == (1, ["sgross"])
    assert found(store, search_term="%") == (1, ["percent"])
    assert found(store, search_term="_") == (0, [])


def test_counts_follow_every_change_and_other_workers_see_them(
    store: Store, other_worker: Store
) -> None:
    everyone, _ = found(store)
    for seen_by in (store, other_worker):
        assert found(seen_by)[0] == everyone  # both remember a count now
    zeta = create(store, "zzeta", "Zoe", "Zeta")
    for seen_by in (store, other_worker):
        assert found(seen_by)[0] == everyone + 1
        assert found(seen_by, search_term="zeta") == (1, ["zzeta"])
    update(other_worker, zeta, LastName="Omega")
    for seen_by in (store, other_worker):
        assert found(seen_by, search_term="zeta", search_by="LastName")[0] == 0
        assert found(seen_by, search_term="omega", search_by="LastName")[0] == 1
    update(store, zeta, IsSignInEnabled=False)
    assert found(other_worker)[0] == everyone
    assert found(other_worker, inactive=True)[0] == everyone + 1


def test_counts_follow_role_names_and_participants(store: Store, other_worker: Store) -> None:
    zeta = create(store, "zzeta", "Zoe", "Zeta")
    assert found(other_worker, search_term="gatekeeper", search_by="RoleName")[0] == 0
    with store.unit_of_work() as work:
        work.dfs_roles.update_role(
            tenant_id=TENANT, role_id=ROLE, changes=RoleChanges(short_name="Gatekeeper")
        )
    with_role = found(other_worker, search_term="gatekeeper", search_by="RoleName")[0]
    assert with_role >= 1
    with store.unit_of_work() as work:
        participant = work.dfs_participants.create_participant(
            tenant_id=TENANT, name="Counted", identity_ids=[zeta]
        )
    assert found(other_worker, participant_ids=(participant.id,)) == (1, ["zzeta"])
    # A participant's identities replaced by a bulk statement.
    with store.unit_of_work() as work:
        work.dfs_participants.update_participant(
            tenant_id=TENANT,
            participant_id=participant.id,
            name=None,
            is_active=None,
            identity_ids=[],
        )
    assert found(other_worker, participant_ids=(participant.id,)) == (0, [])


def test_a_count_made_inside_a_writing_transaction_is_not_remembered(store: Store) -> None:
    everyone, _ = found(store)
    draft = IdentityDraft(first_name="Roll", last_name="Back", user_name="rback", role_id=ROLE)
    with pytest.raises(RuntimeError), store.unit_of_work() as work:
        work.dfs_identities.create_identity(tenant_id=TENANT, draft=draft)
        inside = work.dfs_identities.search_identities(
            tenant_id=TENANT, caller_identity_id=CALLER, search=IdentitySearch()
        )
        assert inside.total_items == everyone + 1
        raise RuntimeError("roll back")
    assert found(store)[0] == everyone


def test_seeding_replaces_every_tenants_search_version(store: Store) -> None:
    # The seed writes past the store's sessions (`specserve db seed` beside a running server).
    def versions() -> dict[int, str]:
        with Session(store.engine) as session:
            return {
                row.id: row.search_version
                for row in session.execute(select(Tenant.id, Tenant.search_version))
            }

    before = versions()
    seed(store.engine, SEED_FOLDER)
    after = versions()
    assert before.keys() == after.keys() and len(before) > 1
    assert all(before[tenant] != after[tenant] for tenant in before)
