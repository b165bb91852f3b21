"""Every OpenAPI link of the AnsysID spec, walked with the spec's own examples.

For each link: make the source request (after creating what its path names, when it names
something), evaluate the link's expressions on the request and the answer, send the target
request, and expect a 2xx, or 404 when the source deleted what the target reads (removing a
member from a list leaves the list to read). All as the
demo Ansys Administrator, who may do everything the links lead to.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from specserve.settings import PROJECT_ROOT
from tests.support.ansysid import ADMIN, user_auth
from tests.support.links import Link, LinkedSpec

SPEC = LinkedSpec(
    PROJECT_ROOT / "specs" / "ansysid.yaml",
    # The create that makes what a path parameter names, and where its answer holds the id.
    created_by={
        "AccountId": ("createAccount", "/accountId"),
        "GroupId": ("createGroup", "/groupId"),
        "UserId": ("createUser", "/userId"),
        "TokenId": ("createPersonalAccessToken", "/tokenId"),
    },
    # A role is granted to (or taken from) a user of the account: one the example imports.
    created_for={
        operation: {"UserId": ("importAccountUsers", "/success/0/userId")}
        for operation in ("addAccountUserRole", "removeAccountUserRole")
    },
    path_values={"RoleId": "0b6d0a51-6a3e-4d1f-9c51-1a7d6f0e0006"},  # Member
    # The example's owner is a user of the seeded account, not of the one made for the path:
    # replacing the owners with none walks the same link.
    body_changes={"replaceGroupOwners": {"owners": []}},
    # What a new account (and a new group, and the caller) lacks for the links of a listing to
    # lead anywhere: the spec's own operations fill it before the listing.
    filled_by={
        "listAccountUsers": ["importAccountUsers"],
        "listGroups": ["createGroup"],
        "listGroupOwners": ["importAccountUsers", "addGroupOwners"],
        "listPersonalAccessTokens": ["createPersonalAccessToken"],
    },
    # The caller's own details list the accounts it holds a role in: none for an Ansys
    # Administrator. The details of the example's user (a Customer Administrator) list one.
    query_examples={"getUserDetails"},
)


@pytest.fixture
def ansys_admin(ansysid_client: TestClient) -> dict[str, str]:
    return user_auth(ansysid_client, ADMIN)


@pytest.mark.parametrize("link", SPEC.link_params())
def test_a_link_leads_from_its_source_to_its_target(
    ansysid_client: TestClient, ansys_admin: dict[str, str], link: Link
) -> None:
    reached = SPEC.walk(ansysid_client, ansys_admin, link)

    source, target = SPEC.operations[link.source], SPEC.operations[link.target]
    if source.method == "DELETE" and (target.method, target.path) == ("GET", source.path):
        assert reached.status_code == 404, reached.text
    else:
        assert 200 <= reached.status_code < 300, (
            f"{link.name}: {reached.status_code} {reached.text}"
        )
