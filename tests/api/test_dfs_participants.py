"""DFS participants (tag ParticipantManagement), through the HTTP API on both backends, with the
demo data of fixtures/seed/dfs.yaml: tenant 2 has participants 1 and 7, tenant 3 has 8."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.support.dfs import (
    ADMIN,
    BILL_DOE,
    MEMBER_APP,
    ROLE_APP,
    TEAM_LEADER,
    app_auth,
    identity_auth,
)
from tests.support.dfs import (
    envelope_error as error,
)

BLUEBANK_ADMIN = "b1000000-0000-0000-0000-000000000001"
UNKNOWN = "7e57e57e-0000-4000-8000-000000000000"
SAMPLE_APP = "jGER285mdgZuDq50PadB1ITWv3tM9Y"

PRIVATE_BANKING = {
    "id": 1,
    "uid": "80bd8718-03e3-4b02-9261-5abdf021b883",
    "name": "Additiv Private Banking",
    "isActive": True,
}
ASSET_MANAGEMENT = {
    "id": 7,
    "uid": "2c5e8f14-6b3a-4d9e-8f21-7a0c3b5d9e46",
    "name": "Additiv Asset Management",
    "isActive": True,
}
BLUEBANK_RETAIL = {
    "id": 8,
    "uid": "5e1f7a93-2c4b-4d8e-a6f0-9b3d1c7e5a28",
    "name": "Bluebank Retail",
    "isActive": True,
}
SETTINGS_URL = "https://backoffice.additiv.example/participants/1/settings"


def bluebank(client: TestClient) -> dict[str, str]:
    return identity_auth(client, user="bluebank.admin", password="Bluebank-Demo-1")


def no_content(response: Any) -> None:
    assert response.status_code == 204, response.text
    assert response.content == b""


def listed(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/v1.0/participants", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def participant(client: TestClient, participant_id: int, headers: dict[str, str]) -> Any:
    response = client.get(f"/v1.0/participants/{participant_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def participant_ids_of(client: TestClient, identity_id: str, headers: dict[str, str]) -> Any:
    response = client.get(f"/v1.0/identities/{identity_id}", headers=headers)
    assert response.status_code == 200, response.text
    return sorted(response.json()["ParticipantIds"])


def search(client: TestClient, body: dict[str, Any], headers: dict[str, str]) -> Any:
    response = client.post("/v1.0/participants/search", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


# GET /v1.0/participants


def test_the_list_holds_every_participant_of_the_tenant_by_name(all_client: TestClient) -> None:
    assert listed(all_client, app_auth(all_client, MEMBER_APP)) == [
        {**ASSET_MANAGEMENT, "settingsUrl": None},
        {**PRIVATE_BANKING, "settingsUrl": SETTINGS_URL},
    ]
    assert listed(all_client, bluebank(all_client)) == [{**BLUEBANK_RETAIL, "settingsUrl": None}]


def test_listing_participants_needs_rmember(all_client: TestClient) -> None:
    response = all_client.get("/v1.0/participants", headers=app_auth(all_client, ROLE_APP))
    assert "RMember" in error(response, 403, "Forbidden")


# GET /v1.0/participants/{participantId}


def test_a_participant_is_found_by_id(all_client: TestClient) -> None:
    assert participant(all_client, 1, identity_auth(all_client)) == {
        "name": "Additiv Private Banking",
        "uid": "80bd8718-03e3-4b02-9261-5abdf021b883",
        "isActive": True,
    }


@pytest.mark.parametrize(("participant_id", "status"), [(8, 404), (999, 404), (0, 400)])
def test_an_unknown_or_foreign_participant_is_404(
    all_client: TestClient, participant_id: int, status: int
) -> None:
    response = all_client.get(
        f"/v1.0/participants/{participant_id}", headers=identity_auth(all_client)
    )
    error(response, status, "NotFound" if status == 404 else "BadRequest")


def test_tenant_2s_participants_are_404_to_tenant_3(all_client: TestClient) -> None:
    auth = bluebank(all_client)
    error(all_client.get("/v1.0/participants/1", headers=auth), 404, "NotFound")
    error(all_client.get(f"/v1.0/participants/{2**31}", headers=auth), 400, "BadRequest")
    assert participant(all_client, 8, auth)["name"] == "Bluebank Retail"


def test_reading_a_participant_needs_rmember(all_client: TestClient) -> None:
    response = all_client.get("/v1.0/participants/1", headers=app_auth(all_client, ROLE_APP))
    assert "RMember" in error(response, 403, "Forbidden")


# POST /v1.0/participants


def test_a_new_participant_is_active_with_its_identities(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    body = {"name": "Additiv Wealth", "identityInternalUserIds": [TEAM_LEADER, BILL_DOE, BILL_DOE]}
    response = all_client.post("/v1.0/participants", json=body, headers=auth)
    assert response.status_code == 200, response.text
    created = response.json()
    assert set(created) == {"Id", "UId"}
    assert created["Id"] > 8
    assert participant(all_client, created["Id"], auth) == {
        "name": "Additiv Wealth",
        "uid": created["UId"],
        "isActive": True,
    }
    assert participant_ids_of(all_client, TEAM_LEADER, auth) == [1, created["Id"]]
    assert participant_ids_of(all_client, BILL_DOE, auth) == [7, created["Id"]]
    assert participant_ids_of(all_client, ADMIN, auth) == [1]
    # Without identities: none.
    bare = all_client.post("/v1.0/participants", json={"name": "Bare"}, headers=auth).json()
    assert bare["Id"] > created["Id"]
    assert [item["name"] for item in listed(all_client, auth)] == [
        "Additiv Asset Management",
        "Additiv Private Banking",
        "Additiv Wealth",
        "Bare",
    ]


def test_a_participant_with_an_identity_of_no_tenant_or_another_is_422(
    all_client: TestClient,
) -> None:
    auth = identity_auth(all_client)
    for foreign in (BLUEBANK_ADMIN, UNKNOWN):
        body = {"name": "Nope", "identityInternalUserIds": [ADMIN, foreign]}
        response = all_client.post("/v1.0/participants", json=body, headers=auth)
        assert foreign in error(response, 422, "UnprocessableEntity")
    assert len(listed(all_client, auth)) == 2


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": None},
        {"name": ""},
        {"name": "x" * 201},
        {"name": "Ok", "identityInternalUserIds": ["not-a-uuid"]},
        {"name": "Ok", "isActive": False},
    ],
)
def test_a_malformed_new_participant_is_400(all_client: TestClient, body: Any) -> None:
    response = all_client.post("/v1.0/participants", json=body, headers=identity_auth(all_client))
    error(response, 400, "BadRequest")


def test_creating_a_participant_needs_wmember(all_client: TestClient) -> None:
    response = all_client.post(
        "/v1.0/participants", json={"name": "X"}, headers=app_auth(all_client, ROLE_APP)
    )
    assert "WMember" in error(response, 403, "Forbidden")


# PATCH /v1.0/participants/{participantId}


def test_an_update_changes_what_is_given(all_client: TestClient) -> None:
    auth = app_auth(all_client, MEMBER_APP)
    body = {"name": "Private Banking", "isActive": False, "identityInternalUserIds": [BILL_DOE]}
    no_content(all_client.patch("/v1.0/participants/1", json=body, headers=auth))
    assert participant(all_client, 1, auth) == {
        "name": "Private Banking",
        "uid": PRIVATE_BANKING["uid"],
        "isActive": False,
    }
    # The identities are replaced; an inactive participant is still listed.
    assert participant_ids_of(all_client, BILL_DOE, auth) == [1, 7]
    assert participant_ids_of(all_client, ADMIN, auth) == []
    assert participant_ids_of(all_client, TEAM_LEADER, auth) == []
    assert [item["id"] for item in listed(all_client, auth)] == [7, 1]
    # `{}` and nulls change nothing; `[]` removes every identity.
    no_content(all_client.patch("/v1.0/participants/1", json={}, headers=auth))
    nulls = {"name": None, "identityInternalUserIds": None}
    no_content(all_client.patch("/v1.0/participants/1", json=nulls, headers=auth))
    assert participant(all_client, 1, auth)["name"] == "Private Banking"
    assert participant_ids_of(all_client, BILL_DOE, auth) == [1, 7]
    empty: dict[str, list[str]] = {"identityInternalUserIds": []}
    no_content(all_client.patch("/v1.0/participants/1", json=empty, headers=auth))
    assert participant_ids_of(all_client, BILL_DOE, auth) == [7]
    reactivated = {"isActive": True, "identityInternalUserIds": [ADMIN, ADMIN]}
    no_content(all_client.patch("/v1.0/participants/1", json=reactivated, headers=auth))
    assert participant(all_client, 1, auth)["isActive"] is True
    assert participant_ids_of(all_client, ADMIN, auth) == [1]


def test_concurrent_updates_and_associations_do_not_clash(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    update = {"identityInternalUserIds": [ADMIN, TEAM_LEADER, BILL_DOE]}
    associate = {"participantIds": [1, 7]}

    def call(index: int) -> Any:
        if index % 2:
            return all_client.patch("/v1.0/participants/1", json=update, headers=auth)
        return all_client.post(application_path(SAMPLE_APP), json=associate, headers=auth)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(call, range(12)))
    assert [answer.status_code for answer in answers] == [204] * 12
    assert participant_ids_of(all_client, TEAM_LEADER, auth) == [1]


def test_updating_an_unknown_or_foreign_participant_is_404(all_client: TestClient) -> None:
    additiv = identity_auth(all_client)
    for participant_id in (8, 999):
        response = all_client.patch(
            f"/v1.0/participants/{participant_id}", json={"name": "X"}, headers=additiv
        )
        error(response, 404, "NotFound")
    response = all_client.patch(
        "/v1.0/participants/1", json={"name": "X"}, headers=bluebank(all_client)
    )
    error(response, 404, "NotFound")
    assert participant(all_client, 1, additiv)["name"] == "Additiv Private Banking"


def test_an_update_with_an_identity_of_another_tenant_is_422_and_changes_nothing(
    all_client: TestClient,
) -> None:
    auth = identity_auth(all_client)
    body = {"name": "Renamed", "identityInternalUserIds": [BLUEBANK_ADMIN]}
    response = all_client.patch("/v1.0/participants/1", json=body, headers=auth)
    assert BLUEBANK_ADMIN in error(response, 422, "UnprocessableEntity")
    assert participant(all_client, 1, auth)["name"] == "Additiv Private Banking"
    assert participant_ids_of(all_client, ADMIN, auth) == [1]


@pytest.mark.parametrize(
    "body", [{"name": ""}, {"isActive": None}, {"isActive": "yes"}, {"uid": UNKNOWN}]
)
def test_a_malformed_update_is_400(all_client: TestClient, body: Any) -> None:
    response = all_client.patch(
        "/v1.0/participants/1", json=body, headers=identity_auth(all_client)
    )
    error(response, 400, "BadRequest")


def test_updating_a_participant_needs_wmember(all_client: TestClient) -> None:
    response = all_client.patch(
        "/v1.0/participants/1", json={"name": "X"}, headers=app_auth(all_client, ROLE_APP)
    )
    assert "WMember" in error(response, 403, "Forbidden")


# POST /v1.0/participants/search


def test_the_samples_search_answers_the_samples_page(all_client: TestClient) -> None:
    body = {
        "page": 1,
        "pageSize": 10,
        "sortBy": "name",
        "sortOrder": "Ascending",
        "name": "additiv",
        "participantIds": [1, 7],
        "isActive": True,
    }
    assert search(all_client, body, identity_auth(all_client)) == {
        "results": [ASSET_MANAGEMENT, PRIVATE_BANKING],
        "page": 1,
        "pageSize": 10,
        "pageCount": 1,
        "totalCount": 2,
    }


def test_search_criteria_sorting_and_pages(all_client: TestClient) -> None:
    auth = app_auth(all_client, MEMBER_APP)
    assert search(all_client, {}, auth)["results"] == [ASSET_MANAGEMENT, PRIVATE_BANKING]
    assert search(all_client, {"page": 0, "pageSize": 0}, auth)["pageSize"] == 10
    by_id = search(all_client, {"sortBy": "id", "sortOrder": "Descending"}, auth)
    assert [item["id"] for item in by_id["results"]] == [7, 1]
    assert search(all_client, {"name": "PRIVATE"}, auth)["results"] == [PRIVATE_BANKING]
    assert search(all_client, {"name": "%"}, auth)["totalCount"] == 0
    second = search(all_client, {"page": 2, "pageSize": 1}, auth)
    assert second == {
        "results": [PRIVATE_BANKING],
        "page": 2,
        "pageSize": 1,
        "pageCount": 2,
        "totalCount": 2,
    }
    past = search(all_client, {"page": 3, "pageSize": 1}, auth)
    assert (past["results"], past["totalCount"]) == ([], 2)
    nothing = search(all_client, {"participantIds": []}, auth)
    assert (nothing["results"], nothing["pageCount"], nothing["totalCount"]) == ([], 0, 0)
    # Tenant 3's participant is not found from tenant 2.
    assert search(all_client, {"participantIds": [8]}, auth)["totalCount"] == 0


def test_the_search_sees_updates(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    no_content(all_client.patch("/v1.0/participants/7", json={"isActive": False}, headers=auth))
    inactive = search(all_client, {"isActive": False}, auth)["results"]
    assert inactive == [{**ASSET_MANAGEMENT, "isActive": False}]
    by_state = search(all_client, {"sortBy": "isActive"}, auth)["results"]
    assert [item["id"] for item in by_state] == [7, 1]
    assert search(all_client, {}, bluebank(all_client))["results"] == [BLUEBANK_RETAIL]


@pytest.mark.parametrize(
    "body",
    [
        {"sortBy": "uid"},
        {"sortOrder": "Up"},
        {"pageSize": 101},
        {"page": -1},
        {"participantIds": [0]},
        {"participantIds": [2**31]},
        {"name": "x" * 201},
    ],
)
def test_a_malformed_search_is_400(all_client: TestClient, body: Any) -> None:
    response = all_client.post(
        "/v1.0/participants/search", json=body, headers=identity_auth(all_client)
    )
    error(response, 400, "BadRequest")


def test_searching_participants_needs_rmember(all_client: TestClient) -> None:
    response = all_client.post(
        "/v1.0/participants/search", json={}, headers=app_auth(all_client, ROLE_APP)
    )
    assert "RMember" in error(response, 403, "Forbidden")


# POST /v1.0/applications/{applicationId}/participants


def application_path(application_id: str) -> str:
    return f"/v1.0/applications/{application_id}/participants"


def test_participants_are_added_to_an_application(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    body = {"participantIds": [1, 7, 7]}
    no_content(all_client.post(application_path(SAMPLE_APP), json=body, headers=auth))
    # Again: those associated stay so.
    no_content(all_client.post(application_path(SAMPLE_APP), json=body, headers=auth))
    # An app registered through its access policies (the member app) has none yet.
    member_app = application_path(MEMBER_APP["client_id"])
    no_content(all_client.post(member_app, json={"participantIds": [7]}, headers=auth))


def test_an_application_unknown_to_the_tenant_is_404(all_client: TestClient) -> None:
    body = {"participantIds": [1]}
    response = all_client.post(
        application_path("no-such-app"), json=body, headers=identity_auth(all_client)
    )
    error(response, 404, "NotFound")
    response = all_client.post(
        application_path(SAMPLE_APP), json={"participantIds": [8]}, headers=bluebank(all_client)
    )
    error(response, 404, "NotFound")


def test_a_participant_of_no_tenant_or_another_is_422(all_client: TestClient) -> None:
    auth = identity_auth(all_client)
    for foreign in (8, 999):
        body = {"participantIds": [1, foreign]}
        response = all_client.post(application_path(SAMPLE_APP), json=body, headers=auth)
        assert str(foreign) in error(response, 422, "UnprocessableEntity")


@pytest.mark.parametrize(
    "body",
    [{}, {"participantIds": []}, {"participantIds": [0]}, {"participantIds": [2**31]}],
)
def test_a_malformed_association_is_400(all_client: TestClient, body: Any) -> None:
    response = all_client.post(
        application_path(SAMPLE_APP), json=body, headers=identity_auth(all_client)
    )
    error(response, 400, "BadRequest")


def test_associating_participants_needs_wmember(all_client: TestClient) -> None:
    response = all_client.post(
        application_path(SAMPLE_APP),
        json={"participantIds": [1]},
        headers=app_auth(all_client, ROLE_APP),
    )
    assert "WMember" in error(response, 403, "Forbidden")
