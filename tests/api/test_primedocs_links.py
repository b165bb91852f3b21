"""Every OpenAPI link of the primedocs spec, walked with the spec's own examples: onboard a user
(or list or read one), then read it back and read, update and share its first profile; update
or share a profile, then read it."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from specserve.settings import PROJECT_ROOT
from tests.conftest import PRIMEDOCS_DATASOURCE
from tests.support.links import Link, LinkedSpec

SPEC = LinkedSpec(
    PROJECT_ROOT / "specs" / "primedocs-admin.yaml",
    created_by={"userId": ("onboardUser", "/id"), "profileId": ("onboardUser", "/profiles/0/id")},
    path_values={"datasourceId": PRIMEDOCS_DATASOURCE},
    # Onboarding takes the SID in its query: the example's is in the seeded directory.
    query_examples={"onboardUser"},
)


def test_the_spec_has_links_from_its_creates() -> None:
    assert {link.source for link in SPEC.links()} == {
        "listUsers",
        "onboardUser",
        "getUser",
        "updateProfile",
        "updateProfileShares",
    }


@pytest.mark.parametrize("link", SPEC.link_params())
def test_a_link_leads_from_its_source_to_its_target(
    client: TestClient, auth: dict[str, str], link: Link
) -> None:
    reached = SPEC.walk(client, auth, link)
    assert 200 <= reached.status_code < 300, f"{link.name}: {reached.status_code} {reached.text}"
