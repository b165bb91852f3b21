"""Every OpenAPI link of the DFS spec, walked with the spec's own examples.

For each link: make the source request (after creating what its path names, when it names
something), evaluate the link's expressions on the request and the answer, send the target
request, and expect a 2xx, or 404 when the source deleted what the target reads. So the
flows the spec promises (create then read, update then read, delete then read: gone) hold,
and a link whose expression names a field the answer lacks fails here.
"""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from specserve.settings import PROJECT_ROOT
from tests.support.links import Link, LinkedSpec
from tests.support.pictures import b64, png

SPEC = LinkedSpec(
    PROJECT_ROOT / "specs" / "dfs-admin.yaml",
    # The create that makes what a path parameter names, and where its answer holds the id.
    created_by={
        "identityId": ("createIdentityV12", "/IdentityId"),
        "roleId": ("createRole", "/Id"),
        "participantId": ("createParticipant", "/Id"),
    },
    path_values={"tenantId": 2, "operation": "Up"},
    # Example bodies that name the seeds' own records (their keys and e-mails taken, a tenant
    # 12, catalogue ids of the vendor's system) or cannot be sent as they are (a picture).
    body_changes={
        "createRole": {"RoleKey": "links-role", "ShortName": "Links", "LongName": "Links role"},
        "createIdentityV12": {"Username": "links.user"},
        "updateRole": {"RoleKey": "links-role-renamed"},
        "setIdentityTenantAccess": {"TenantId": None},
        "syncIdentityMember": {"Member": {"FirstName": "Links", "Email": "links@additiv.com"}},
        "updateRoleBackOfficePermissions": {
            "DefaultMenuItemId": 11,
            "MenuItemIds": [11, 12],
            "FunctionalityIds": [101],
        },
        "uploadIdentityProfilePicture": {"ImageContentBase64": b64(png())},
    },
)


@pytest.mark.parametrize("link", SPEC.link_params())
def test_a_link_leads_from_its_source_to_its_target(
    all_client: TestClient, admin: dict[str, str], link: Link
) -> None:
    reached = SPEC.walk(all_client, admin, link)

    if link.source == "deleteIdentityProfilePicture":
        # An identity without a picture of its own shows the default one.
        assert reached.status_code == 200, reached.text
        assert reached.json()["IsDefaultImage"] is True
    elif SPEC.operations[link.source].method == "DELETE":
        assert reached.status_code == 404, reached.text
    else:
        assert reached.status_code in {200, 204}, (
            f"{link.name}: {reached.status_code} {reached.text}"
        )


def test_every_create_update_and_delete_has_links() -> None:
    # A new operation of a CRUD family must say where its answer leads.
    without = [
        operation_id
        for operation_id, operation in SPEC.operations.items()
        if operation.method != "GET"
        and re.match(r"(create|update|delete|upload|sync|import)", operation_id)
        and not any(response.get("links") for response in operation.raw["responses"].values())
    ]
    assert without == []
