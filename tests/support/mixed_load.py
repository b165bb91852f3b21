"""A bounded mixed load over the four APIs, reads and writes, that remembers what every
acknowledged write says, so that the store can be checked against it afterwards.

Each simulated client owns the resources it creates: only it changes or deletes them, one
request at a time, so the last acknowledged change of a resource is what the store must hold
(other clients read them, and search). Used by tests/e2e/test_mixed_load.py and scripts/soak.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from tests.support.accesscontrol import BASE as ACCESS_CONTROL
from tests.support.accesscontrol import KEY_HEADER
from tests.support.ansysid import ADMIN, password_grant
from tests.support.dfs import identity_auth
from tests.support.tokens import bearer, fetch_token

PRIMEDOCS_USERS = "/webapi/api/v3/b78c3707-d7c7-4fc7-b97f-87d70f63c1ac/Admin/Users"
# The seeded profiles of that datasource, (user, profile): the first clients own one each.
PRIMEDOCS_PROFILES = [
    ("8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5001", "a1f3c2d4-5e6f-4a7b-8c9d-0e1f2a3b6001"),
    ("8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5001", "a1f3c2d4-5e6f-4a7b-8c9d-0e1f2a3b6002"),
    ("8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5002", "a1f3c2d4-5e6f-4a7b-8c9d-0e1f2a3b6003"),
    ("8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5003", "a1f3c2d4-5e6f-4a7b-8c9d-0e1f2a3b6004"),
]


@dataclass
class Expected:
    """What the acknowledged writes say the store holds, per API: id -> its last values
    (None: deleted, or for a DFS identity no description)."""

    dfs: dict[str, str | None] = field(default_factory=dict)  # identity id -> description
    accesscontrol: dict[str, str | None] = field(default_factory=dict)  # id -> name
    ansysid: dict[str, str | None] = field(default_factory=dict)  # account id -> name
    primedocs: dict[str, str | None] = field(default_factory=dict)  # profile id -> title
    # Writes whose answer never came (the connection broke): done or not, no one can say.
    # Resource id -> the values sent so ("deleted" for a delete); creations by their name.
    in_doubt: dict[str, set[str]] = field(default_factory=dict)
    # Of what the store holds (see stored): resource id -> the name it was created with.
    names: dict[str, str] = field(default_factory=dict)

    def doubt(self, key: str, value: str) -> None:
        self.in_doubt.setdefault(key, set()).add(value)


@dataclass
class Tally:
    """What the load sent and what came back."""

    requests: int = 0
    statuses: Counter[str] = field(default_factory=Counter)  # "200", "503", "connection"...
    acknowledged_writes: int = 0
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status.startswith("5"))


@dataclass(frozen=True)
class Unanswered:
    """A request that got no answer; `in_doubt` when it was sent (it may have been done)."""

    in_doubt: bool


@dataclass
class _Credentials:
    dfs: dict[str, str]
    ansysid: dict[str, str]
    primedocs: dict[str, str]


def credentials(base: str) -> _Credentials:
    """The demo callers' credentials, taken once before the load."""
    with httpx.Client(base_url=base, timeout=30) as client:
        return _Credentials(
            dfs=identity_auth(client),  # type: ignore[arg-type]
            ansysid=bearer(password_grant(client, ADMIN)["access_token"]),  # type: ignore[arg-type]
            primedocs=bearer(fetch_token(client)),  # type: ignore[arg-type]
        )


class _Client:
    """One simulated client: its own resources, its own random choices."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        auth: _Credentials,
        expected: Expected,
        tally: Tally,
        seed: int,
        tag: str,
        profile: tuple[str, str] | None,
    ) -> None:
        self.http = http
        self.auth = auth
        self.expected = expected
        self.tally = tally
        self.random = random.Random(seed)
        self.tag = tag
        self.count = 0
        self.dfs: list[str] = []
        self.accesscontrol: list[str] = []
        self.ansysid: list[str] = []
        self.profile = profile  # the primedocs profile only this client changes, if any

    async def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response | Unanswered:
        self.tally.requests += 1
        try:
            answer = await self.http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            self.tally.statuses[type(error).__name__] += 1
            await asyncio.sleep(0.05)  # a server away refuses at once: no busy loop meanwhile
            # Not connected: the request never left. Otherwise it may have been done.
            return Unanswered(in_doubt=not isinstance(error, httpx.ConnectError))
        self.tally.statuses[str(answer.status_code)] += 1
        return answer

    def name(self) -> str:
        self.count += 1
        return f"{self.tag}-{self.count}"

    async def step(self) -> None:
        action = self.random.choices(
            [self.dfs_write, self.dfs_read, self.ac_write, self.ac_read, self.aid_write,
             self.aid_read, self.primedocs_write, self.primedocs_read],
            weights=[2, 3, 2, 3, 1, 2, 1, 2],
        )[0]  # fmt: skip
        await action()

    # DFS: identities

    async def dfs_write(self) -> None:
        if self.dfs and self.random.random() < 0.5:
            identity = self.random.choice(self.dfs)
            description = self.name()
            await self.change(
                self.expected.dfs,
                identity,
                description,
                done=204,
                method="PATCH",
                path=f"/v1.3/identities/{identity}",
                json={"UpdateProperties": ["Description"], "Description": description},
                headers=self.auth.dfs,
            )
            return
        name = self.name()
        body = {"FirstName": "Load", "LastName": name, "Username": name, "IdentityRoleId": 1}
        answer = await self.send("POST", "/v1.2/identities", json=body, headers=self.auth.dfs)
        if isinstance(answer, Unanswered):
            self._doubt(answer, name, "created")
        elif answer.status_code == 200:
            identity = answer.json()["IdentityId"]
            self.dfs.append(identity)
            self.acknowledge(self.expected.dfs, identity, None)

    async def dfs_read(self) -> None:
        # Mostly reads by id; a search (a page with its count) one time in five.
        if self.dfs and self.random.random() < 0.8:
            identity = self.random.choice(self.dfs)
            await self.send("GET", f"/v1.0/identities/{identity}", headers=self.auth.dfs)
        else:
            body = {"SearchTerm": self.tag[:6], "PageSize": 20}
            await self.send("POST", "/v1.0/identities/search", json=body, headers=self.auth.dfs)

    # Access Control: identities

    async def ac_write(self) -> None:
        if self.accesscontrol and self.random.random() < 0.6:
            identity = self.random.choice(self.accesscontrol)
            path = f"{ACCESS_CONTROL}/identities/{identity}"
            table = self.expected.accesscontrol
            if self.random.random() < 0.25:
                deleted = await self.change(
                    table, identity, None, done=200, method="DELETE", path=path, headers=KEY_HEADER
                )
                if deleted:
                    self.accesscontrol.remove(identity)
                return
            name = self.name()
            body = {"name": name, "type": 0}
            await self.change(
                table,
                identity,
                name,
                done=200,
                method="PUT",
                path=path,
                json=body,
                headers=KEY_HEADER,
            )
            return
        identity, name = str(uuid.uuid4()), self.name()
        made = await self.change(
            self.expected.accesscontrol,
            identity,
            name,
            done=200,
            method="POST",
            path=f"{ACCESS_CONTROL}/identities",
            json={"id": identity, "name": name, "type": 0},
            headers=KEY_HEADER,
        )
        if made:
            self.accesscontrol.append(identity)

    async def ac_read(self) -> None:
        if self.accesscontrol and self.random.random() < 0.7:
            identity = self.random.choice(self.accesscontrol)
            await self.send("GET", f"{ACCESS_CONTROL}/identities/{identity}", headers=KEY_HEADER)
        else:
            await self.send("GET", f"{ACCESS_CONTROL}/accessgroups", headers=KEY_HEADER)

    # AnsysID: accounts

    async def aid_write(self) -> None:
        if self.ansysid and self.random.random() < 0.5:
            account = self.random.choice(self.ansysid)
            name = self.name()
            await self.change(
                self.expected.ansysid,
                account,
                name,
                done=200,
                method="PUT",
                path=f"/Account/{account}",
                json={"accountName": name},
                headers=self.auth.ansysid,
            )
            return
        name = self.name()
        number = f"9{uuid.uuid4().int % 10**9:09d}"
        answer = await self.send(
            "POST",
            "/Account",
            json={"accountNumber": number, "accountName": name},
            headers=self.auth.ansysid,
        )
        if isinstance(answer, Unanswered):
            self._doubt(answer, name, "created")
        elif answer.status_code == 200:
            account = answer.json()["accountId"]
            self.ansysid.append(account)
            self.acknowledge(self.expected.ansysid, account, name)

    async def aid_read(self) -> None:
        if self.ansysid and self.random.random() < 0.6:
            account = self.random.choice(self.ansysid)
            await self.send("GET", f"/Account/{account}", headers=self.auth.ansysid)
        else:
            await self.send("GET", "/Accounts", params={"searchValue": self.tag[:6]},
                            headers=self.auth.ansysid)  # fmt: skip

    # primedocs: the seeded profiles, each changed by its one owner

    async def primedocs_write(self) -> None:
        if self.profile is None:
            await self.primedocs_read()
            return
        user, profile = self.profile
        title = self.name()
        await self.change(
            self.expected.primedocs,
            profile,
            title,
            done=200,
            method="PUT",
            path=f"{PRIMEDOCS_USERS}/{user}/Profiles/{profile}",
            json={"title": title},
            headers=self.auth.primedocs,
        )

    async def primedocs_read(self) -> None:
        if self.profile is not None and self.random.random() < 0.5:
            user, profile = self.profile
            path = f"{PRIMEDOCS_USERS}/{user}/Profiles/{profile}"
            await self.send("GET", path, headers=self.auth.primedocs)
        else:
            await self.send("GET", PRIMEDOCS_USERS, headers=self.auth.primedocs)

    async def change(
        self,
        table: dict[str, str | None],
        key: str,
        value: str | None,
        *,
        done: int,
        method: str,
        path: str,
        **kwargs: Any,
    ) -> bool:
        """Write `value` (None: delete) to the resource `key`; whether `done` came back. A
        request sent but never answered leaves the value in doubt."""
        answer = await self.send(method, path, **kwargs)
        if isinstance(answer, Unanswered):
            self._doubt(answer, key, "deleted" if value is None else value)
            return False
        if answer.status_code != done:
            return False
        self.acknowledge(table, key, value)
        return True

    def _doubt(self, answer: Unanswered, key: str, value: str) -> None:
        if answer.in_doubt:
            self.expected.doubt(key, value)

    def acknowledge(self, table: dict[str, str | None], key: str, value: str | None) -> None:
        self.tally.acknowledged_writes += 1
        table[key] = value


async def run(
    base: str,
    *,
    requests: int,
    clients: int = 32,
    seed: int = 1,
    tag: str = "load",
    longest: float | None = None,
) -> tuple[Expected, Tally]:
    """`requests` requests (about) from `clients` clients at once; stopped after `longest`
    seconds whatever the count."""
    expected, tally = Expected(), Tally()
    # Idle connections are dropped before uvicorn's own 5 s keep-alive timeout: at the same 5 s
    # (httpx's default), a request could be sent on a connection the server was closing.
    limits = httpx.Limits(
        max_connections=clients, max_keepalive_connections=clients, keepalive_expiry=2.0
    )
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        auth = credentials(base)
        started = time.monotonic()

        async def drive(number: int) -> None:
            client = _Client(
                http,
                auth=auth,
                expected=expected,
                tally=tally,
                seed=seed * 1000 + number,
                tag=f"{tag}{number}x",
                profile=PRIMEDOCS_PROFILES[number] if number < len(PRIMEDOCS_PROFILES) else None,
            )
            while tally.requests < requests and (
                longest is None or time.monotonic() - started < longest
            ):
                await client.step()

        await asyncio.gather(*(drive(number) for number in range(clients)))
        tally.seconds = time.monotonic() - started
    return expected, tally


def stored(database_url: str, tag: str) -> Expected:
    """What the store holds of the resources a load tagged `tag` made."""
    engine = create_engine(database_url)
    pattern = f"{tag}%"
    try:
        with engine.connect() as connection:
            dfs = connection.execute(
                text(
                    "SELECT i.id, m.description, i.user_name FROM dfs_identities i"
                    " JOIN dfs_members m ON m.id = i.member_id"
                    " JOIN dfs_tenant_access a ON a.identity_id = i.id"
                    " WHERE i.user_name LIKE :pattern"
                ),
                {"pattern": pattern},
            )
            accesscontrol = connection.execute(
                text("SELECT id, name, name FROM ac_identities WHERE name LIKE :pattern"),
                {"pattern": pattern},
            )
            ansysid = connection.execute(
                text("SELECT id, name, name FROM aid_accounts WHERE name LIKE :pattern"),
                {"pattern": pattern},
            )
            # Seeded profiles whose title no acknowledged write set are not the load's.
            primedocs = connection.execute(
                text("SELECT id, title, title FROM pd_profiles WHERE title LIKE :pattern"),
                {"pattern": pattern},
            )
            found = Expected()
            for table, rows in (
                ("dfs", dfs),
                ("accesscontrol", accesscontrol),
                ("ansysid", ansysid),
                ("primedocs", primedocs),
            ):
                for key, value, name in rows:
                    getattr(found, table)[str(key)] = value
                    found.names[str(key)] = name
            return found
    finally:
        engine.dispose()


def differences(expected: Expected, found: Expected) -> dict[str, list[str]]:
    """Per API, what the store does not hold as the acknowledged writes say: a write lost, a
    value not the last acknowledged one, a deleted resource still there, or one no write made.
    A write in doubt (its answer never came) may have been done or not: either is right."""
    report: dict[str, list[str]] = {}
    for api in ("dfs", "accesscontrol", "ansysid", "primedocs"):
        wanted: dict[str, str | None] = getattr(expected, api)
        held: dict[str, str | None] = getattr(found, api)
        wrong = []
        for key, value in wanted.items():
            doubted = expected.in_doubt.get(key, set())
            deleted = api == "accesscontrol" and value is None
            if key not in held:
                if not deleted and "deleted" not in doubted:
                    wrong.append(f"{key}: lost")
            elif deleted and held[key] not in doubted:
                wrong.append(f"{key}: deleted, still there")
            elif not deleted and held[key] != value and held[key] not in doubted:
                wrong.append(f"{key}: {held[key]!r}, not {value!r}")
        for key in held.keys() - wanted.keys():
            if key not in expected.in_doubt and not _created_in_doubt(expected, found.names[key]):
                wrong.append(f"{key}: stored, never acknowledged")
        report[api] = wrong
    return report


def _created_in_doubt(expected: Expected, name: str) -> bool:
    # A creation in doubt is known by the name it was sent with (its id was the server's).
    return "created" in expected.in_doubt.get(name, set())
