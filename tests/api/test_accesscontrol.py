"""The Access Control Management API over the store: the seed's examples verbatim, the errors
a real server answers (problem details), memberships, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from tests.support.accesscontrol import (
    ADMINISTRATORS,
    ANDERS,
    BASE,
    BERIT,
    CARL,
    KEY_HEADER,
    MY_GROUP,
    VISITORS,
    problem,
)

ANDERS_JSON = {
    "id": ANDERS,
    "name": "Anders Andersen",
    "type": 0,
    "email": "anan@mydomain.no",
    "description": "anan@mydomain.no",
}
NEW_ID = "c6c52e0d-812f-47d1-9795-eb011c2eba03"
ADD_SAMPLE = {**ANDERS_JSON, "id": NEW_ID}
UNKNOWN = "00000000-0000-4000-8000-00000000dead"


@pytest.fixture
def ac(all_client: TestClient) -> TestClient:
    """A client over the app with every API, sending the demo key in its header."""
    all_client.headers.update(KEY_HEADER)
    return all_client


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()]


# The seed's examples, verbatim


def test_list_identities_as_the_seed_shows(ac: TestClient) -> None:
    response = ac.get(f"{BASE}/identities")
    assert response.headers["content-type"] == "application/json"
    assert ANDERS_JSON in response.json()
    assert names(response) == ["Anders Andersen", "Berit Berg", "Carl Christensen"]


def test_get_identity_as_the_seed_shows(ac: TestClient) -> None:
    assert ac.get(f"{BASE}/identities/{ANDERS}").json() == ANDERS_JSON


def test_add_update_and_delete_with_the_seeds_bodies(ac: TestClient) -> None:
    added = ac.post(f"{BASE}/identities", json=ADD_SAMPLE)
    assert (added.status_code, added.content) == (200, b"")
    assert ac.get(f"{BASE}/identities/{NEW_ID}").json() == ADD_SAMPLE
    # The seed's update body names another id: "will be ignored".
    changed = {**ADD_SAMPLE, "id": ANDERS, "name": "Anders A. Andersen", "type": 3}
    assert ac.put(f"{BASE}/identities/{NEW_ID}", json=changed).status_code == 200
    assert ac.get(f"{BASE}/identities/{NEW_ID}").json() == {**changed, "id": NEW_ID}
    assert ac.get(f"{BASE}/identities/{ANDERS}").json() == ANDERS_JSON
    deleted = ac.delete(f"{BASE}/identities/{NEW_ID}")
    assert (deleted.status_code, deleted.content) == (200, b"")
    problem(ac.get(f"{BASE}/identities/{NEW_ID}"), 404)


def test_optional_fields_may_be_left_out_or_null_and_names_bind_in_any_case(ac: TestClient) -> None:
    body = {"ID": NEW_ID, "Name": "Dag", "type": 0, "email": None}
    assert ac.post(f"{BASE}/identities", json=body).status_code == 200
    assert ac.get(f"{BASE}/identities/{NEW_ID}").json() == {
        "id": NEW_ID,
        "name": "Dag",
        "type": 0,
        "email": None,
        "description": None,
    }


def test_groups_and_memberships_as_the_seed_shows(ac: TestClient) -> None:
    assert ac.get(f"{BASE}/identities/{ANDERS}/accessgroups").json() == [
        {"id": MY_GROUP, "name": "My Access Group"}
    ]
    assert names(ac.get(f"{BASE}/accessgroups/{MY_GROUP}/identities")) == [
        "Anders Andersen",
        "Berit Berg",
    ]
    assert ANDERS_JSON in ac.get(f"{BASE}/accessgroups/{MY_GROUP}/identities").json()
    assert names(ac.get(f"{BASE}/accessgroups")) == [
        "Administrators",
        "My Access Group",
        "Visitors",
    ]


def test_add_and_remove_a_membership(ac: TestClient) -> None:
    path = f"{BASE}/accessgroups/{VISITORS}/identities/{CARL}"
    added = ac.post(path)
    assert (added.status_code, added.content) == (200, b"")
    # Adding it again changes nothing and is still 200.
    assert ac.post(path).status_code == 200
    assert names(ac.get(f"{BASE}/accessgroups/{VISITORS}/identities")) == ["Carl Christensen"]
    assert ac.delete(path).status_code == 200
    assert ac.get(f"{BASE}/accessgroups/{VISITORS}/identities").json() == []
    assert "not a member" in problem(ac.delete(path), 404)["detail"]


def test_deleting_an_identity_removes_its_memberships(ac: TestClient, database_url: str) -> None:
    assert ac.delete(f"{BASE}/identities/{BERIT}").status_code == 200
    assert names(ac.get(f"{BASE}/accessgroups/{MY_GROUP}/identities")) == ["Anders Andersen"]
    assert ac.get(f"{BASE}/accessgroups/{ADMINISTRATORS}/identities").json() == []
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            left = connection.scalar(sa.text("SELECT count(*) FROM ac_memberships"))
    finally:
        engine.dispose()
    assert left == 1


# What a real server answers beyond the seed's 200 and 500


def test_adding_an_identity_whose_id_exists_is_409(ac: TestClient) -> None:
    body = problem(ac.post(f"{BASE}/identities", json=ANDERS_JSON), 409)
    assert ANDERS in body["detail"]
    assert ac.get(f"{BASE}/identities/{ANDERS}").json() == ANDERS_JSON


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/identities/{UNKNOWN}"),
        ("PUT", f"/identities/{UNKNOWN}"),
        ("DELETE", f"/identities/{UNKNOWN}"),
        ("GET", f"/identities/{UNKNOWN}/accessgroups"),
        ("GET", f"/accessgroups/{UNKNOWN}/identities"),
        ("POST", f"/accessgroups/{UNKNOWN}/identities/{ANDERS}"),
        ("POST", f"/accessgroups/{MY_GROUP}/identities/{UNKNOWN}"),
        ("DELETE", f"/accessgroups/{UNKNOWN}/identities/{ANDERS}"),
        ("DELETE", f"/accessgroups/{MY_GROUP}/identities/{UNKNOWN}"),
    ],
)
def test_an_unknown_identity_or_group_is_404(ac: TestClient, method: str, path: str) -> None:
    body = ADD_SAMPLE if method == "PUT" else None
    assert UNKNOWN in problem(ac.request(method, f"{BASE}{path}", json=body), 404)["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {**ADD_SAMPLE, "id": "not-a-uuid"},
        {**ADD_SAMPLE, "type": "0"},
        {**ADD_SAMPLE, "type": -1},
        {**ADD_SAMPLE, "type": 1.5},
        {**ADD_SAMPLE, "name": ""},
        {**ADD_SAMPLE, "name": "x" * 201},
        {**ADD_SAMPLE, "email": "x" * 321},
        {**ADD_SAMPLE, "nickname": "Andy"},
        {**ADD_SAMPLE, "Name": "Anders twice"},
        {key: value for key, value in ADD_SAMPLE.items() if key != "name"},
        {key: value for key, value in ADD_SAMPLE.items() if key != "id"},
        [ADD_SAMPLE],
    ],
)
def test_malformed_identities_are_400_and_store_nothing(ac: TestClient, body: Any) -> None:
    problem(ac.post(f"{BASE}/identities", json=body), 400)
    assert names(ac.get(f"{BASE}/identities")) == [
        "Anders Andersen",
        "Berit Berg",
        "Carl Christensen",
    ]


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"id": "c6c52e0d-812f-47d1-9795-eb011c2eba03", "name": ', "application/json", 400),
        (
            b'{"id": "' + NEW_ID.encode() + b'", "name": "\xff"}',
            "application/json",
            400,
        ),
        (b"id=1", None, 415),
    ],
)
def test_unreadable_bodies_are_4xx(
    ac: TestClient, content: bytes, content_type: str | None, status: int
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = ac.post(f"{BASE}/identities", content=content, headers=headers)
    problem(response, status)


def test_a_bad_uuid_in_the_path_is_400(ac: TestClient) -> None:
    assert "id" in problem(ac.get(f"{BASE}/identities/not-a-uuid"), 400)["detail"]


def test_a_method_the_path_lacks_is_405_naming_those_it_has(ac: TestClient) -> None:
    response = ac.patch(f"{BASE}/identities/{ANDERS}", json={})
    problem(response, 405)
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "PUT", "DELETE"}


def test_concurrent_adds_of_one_id_make_one_identity(ac: TestClient) -> None:
    body = {"id": str(uuid.uuid4()), "name": "Racer", "type": 0}
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(
            pool.map(lambda _: ac.post(f"{BASE}/identities", json=body).status_code, range(10))
        )
    assert statuses == [200] + [409] * 9


def test_concurrent_removals_of_one_membership_remove_it_once(ac: TestClient) -> None:
    path = f"{BASE}/accessgroups/{MY_GROUP}/identities/{ANDERS}"
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(pool.map(lambda _: ac.delete(path).status_code, range(10)))
    assert statuses == [200] + [404] * 9
