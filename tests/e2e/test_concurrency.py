"""Many clients at once against `specserve serve` on PostgreSQL with two workers, as the specs'
"Concurrent writers" say: creations at once of one resource make exactly one (the others get
the API's conflict answer, or for primedocs' idempotent onboarding, the one made); changes at
once of different properties of one resource are all kept; replacements leave one body whole.

Each burst starts its requests together (a barrier), from one thread per request, over the
two workers' shared database; the rows are then counted in the database itself."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PRIMEDOCS_DATASOURCE
from tests.e2e.test_serve import environment, run_server
from tests.support.accesscontrol import BASE as ACCESS_CONTROL
from tests.support.accesscontrol import KEY_HEADER
from tests.support.ansysid import ADMIN, password_grant
from tests.support.dfs import identity_auth
from tests.support.tokens import bearer, fetch_token

pytestmark = pytest.mark.postgresql

server = contextlib.contextmanager(run_server)
AT_ONCE = 50
Send = Callable[[httpx.Client], httpx.Response]


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, postgresql_databases: Any
) -> Iterator[tuple[httpx.Client, str]]:
    """A client of a two-worker server on a freshly seeded PostgreSQL database, and its URL."""
    folder = tmp_path_factory.mktemp("concurrency")
    limits = httpx.Limits(max_connections=AT_ONCE, max_keepalive_connections=AT_ONCE)
    with postgresql_databases.lent(folder) as url:
        env = environment(folder, DATABASE_URL=url)
        with (
            server(env, folder / "serve.log", "--workers", "2") as base,
            httpx.Client(base_url=base, timeout=60, limits=limits) as client,
        ):
            yield client, url


def burst(client: httpx.Client, sends: list[Send]) -> list[httpx.Response]:
    """The requests of `sends` sent at once, each from its own thread."""
    start = threading.Barrier(len(sends))

    def one(send: Send) -> httpx.Response:
        start.wait()
        return send(client)

    with ThreadPoolExecutor(max_workers=len(sends)) as pool:
        return list(pool.map(one, sends))


def sending(method: str, path: str, body: dict[str, Any], headers: dict[str, str]) -> Send:
    return lambda client: client.request(method, path, json=body, headers=headers)


def statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(response.status_code for response in responses)


def rows(database_url: str, query: str, **values: Any) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(query), values).scalar_one())
    finally:
        engine.dispose()


def ansysid_admin(client: httpx.Client) -> dict[str, str]:
    return bearer(password_grant(client, ADMIN)["access_token"])  # type: ignore[arg-type]


def exactly_one_made(responses: list[httpx.Response], conflict: int, conflict_type: str) -> None:
    """One 200; every other answer the API's conflict, in its own format."""
    counted = statuses(responses)
    assert counted == Counter({200: 1, conflict: AT_ONCE - 1}), counted
    for response in responses:
        if response.status_code == conflict:
            assert response.headers["content-type"] == conflict_type, response.text


def test_one_access_control_identity_per_id(served: tuple[httpx.Client, str]) -> None:
    client, database_url = served
    identity = str(uuid.uuid4())
    body = {"id": identity, "name": "Concurrent Carl", "type": 0, "email": "carl@example.com"}
    create = sending("POST", f"{ACCESS_CONTROL}/identities", body, KEY_HEADER)
    responses = burst(client, [create] * AT_ONCE)
    exactly_one_made(responses, 409, "application/problem+json")
    query = "SELECT count(*) FROM ac_identities WHERE id = :id"
    assert rows(database_url, query, id=uuid.UUID(identity)) == 1


def test_one_ansysid_user_per_email(served: tuple[httpx.Client, str]) -> None:
    client, database_url = served
    auth = ansysid_admin(client)
    email = f"nina.{uuid.uuid4().hex[:8]}@contoso.com"
    body = {"email": email.upper(), "firstName": "Nina", "lastName": "New"}
    responses = burst(client, [sending("POST", "/User", body, auth)] * AT_ONCE)
    exactly_one_made(responses, 409, "application/problem+json")
    query = "SELECT count(*) FROM aid_users WHERE email_key = :key"
    assert rows(database_url, query, key=email.lower()) == 1


def test_one_ansysid_account_per_number(served: tuple[httpx.Client, str]) -> None:
    client, database_url = served
    auth = ansysid_admin(client)
    number = f"77{uuid.uuid4().int % 10**6:06d}"
    body = {"accountNumber": number, "accountName": "Woodgrove Simulation Lab"}
    responses = burst(client, [sending("POST", "/Account", body, auth)] * AT_ONCE)
    exactly_one_made(responses, 409, "application/problem+json")
    query = "SELECT count(*) FROM aid_accounts WHERE account_number = :number"
    assert rows(database_url, query, number=number) == 1


def test_one_dfs_identity_per_user_name(served: tuple[httpx.Client, str]) -> None:
    client, database_url = served
    auth = identity_auth(client)  # type: ignore[arg-type]
    user_name = f"jconnor.{uuid.uuid4().hex[:8]}"
    body = {
        "FirstName": "John",
        "LastName": "Connor",
        "Username": user_name,
        "IdentityRoleId": 1,
    }
    responses = burst(client, [sending("POST", "/v1.2/identities", body, auth)] * AT_ONCE)
    # DFS answers a taken user name with its 422 (the spec: unique in the tenant).
    exactly_one_made(responses, 422, "application/json")
    for response in responses:
        if response.status_code == 422:
            assert response.json()["Code"] == "UnprocessableEntity"
    query = "SELECT count(*) FROM dfs_identities WHERE user_name_normalized = :name"
    assert rows(database_url, query, name=user_name.lower()) == 1


def test_one_primedocs_user_per_sid(served: tuple[httpx.Client, str]) -> None:
    """Onboarding is idempotent: every concurrent onboarding of one SID answers the one user."""
    client, database_url = served
    sid = "S-1-5-21-3623811015-3361044348-30300820-1104"  # in the directory, not yet a user
    auth = bearer(fetch_token(client))  # type: ignore[arg-type]
    users = f"/webapi/api/v3/{PRIMEDOCS_DATASOURCE}/Admin/Users?sid={sid}"
    responses = burst(client, [sending("POST", users, {}, auth)] * AT_ONCE)
    assert statuses(responses) == Counter({200: AT_ONCE}), [r.text for r in responses]
    assert len({response.json()["id"] for response in responses}) == 1
    query = "SELECT count(*) FROM pd_users WHERE primary_sid = :sid"
    assert rows(database_url, query, sid=sid) == 1


# Concurrent changes of one resource: each changes only what it names, and the last committed
# change of a property wins (the specs' "Concurrent writers"). Every round sends one change per
# property at once; a change lost to another's stale copy of the row would leave a property at
# the round before's value.
ROUNDS = 6


def dfs_values(round_: int) -> dict[str, str]:
    return {
        "FirstName": f"First {round_}",
        "LastName": f"Last {round_}",
        "Email": f"round{round_}@example.com",
        "Description": f"Description {round_}",
        "Phone": f"41|{round_}0001",
        "Fax": f"41|{round_}0002",
        "Mobile": f"41|{round_}0003",
        "ExternalId": f"EX-{round_}",
    }


def test_concurrent_dfs_changes_of_one_identity_lose_none(
    served: tuple[httpx.Client, str],
) -> None:
    client, _ = served
    auth = identity_auth(client)  # type: ignore[arg-type]
    made = client.post(
        "/v1.2/identities",
        json={
            "FirstName": "A",
            "LastName": "B",
            "Username": f"u.{uuid.uuid4().hex[:8]}",
            "IdentityRoleId": 1,
        },
        headers=auth,
    )
    assert made.status_code == 200, made.text
    path = f"/v1.3/identities/{made.json()['IdentityId']}"
    for round_ in range(1, ROUNDS + 1):
        wanted = dfs_values(round_)
        responses = burst(
            client,
            [
                sending("PATCH", path, {"UpdateProperties": [name], name: value}, auth)
                for name, value in wanted.items()
            ],
        )
        # DFS answers a PATCH with 204, no body.
        assert statuses(responses) == Counter({204: len(wanted)}), [r.text for r in responses]
        stored = client.get(path.replace("/v1.3/", "/v1.0/"), headers=auth).json()
        assert {name: stored[name] for name in wanted} == wanted


def test_concurrent_ansysid_changes_of_one_user_lose_none(
    served: tuple[httpx.Client, str],
) -> None:
    client, _ = served
    auth = ansysid_admin(client)
    email = f"lena.{uuid.uuid4().hex[:8]}@contoso.com"
    made = client.post(
        "/User", json={"email": email, "firstName": "Lena", "lastName": "L"}, headers=auth
    )
    assert made.status_code == 200, made.text
    path = f"/User/{made.json()['userId']}"
    for round_ in range(1, ROUNDS + 1):
        wanted = {
            "firstName": f"Lena {round_}",
            "lastName": f"Lund {round_}",
            "email": f"r{round_}.{email}",
        }
        responses = burst(
            client, [sending("PUT", path, {name: value}, auth) for name, value in wanted.items()]
        )
        assert statuses(responses) == Counter({200: len(wanted)}), [r.text for r in responses]
        stored = client.get(path, headers=auth).json()
        assert {name: stored[name] for name in wanted} == wanted


def test_concurrent_access_control_replacements_leave_one_whole(
    served: tuple[httpx.Client, str],
) -> None:
    """An update replaces the whole identity: after updates at once, the identity is one of
    their bodies, whole."""
    client, _ = served
    identity = str(uuid.uuid4())
    made = client.post(
        f"{ACCESS_CONTROL}/identities",
        json={"id": identity, "name": "Replaced Rita", "type": 0},
        headers=KEY_HEADER,
    )
    assert made.status_code == 200, made.text
    path = f"{ACCESS_CONTROL}/identities/{identity}"
    bodies = [
        {"name": f"Rita {n}", "type": n % 2, "email": f"rita{n}@example.com", "description": f"{n}"}
        for n in range(AT_ONCE)
    ]
    responses = burst(client, [sending("PUT", path, body, KEY_HEADER) for body in bodies])
    assert statuses(responses) == Counter({200: AT_ONCE}), [r.text for r in responses]
    stored = client.get(path, headers=KEY_HEADER).json()
    assert {name: stored[name] for name in bodies[0]} in bodies, stored
