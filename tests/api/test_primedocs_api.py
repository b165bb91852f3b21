"""The primedocs Admin API through the ASGI app, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from starlette.testclient import TestClient

from tests.conftest import PRIMEDOCS_DATASOURCE

BASE = f"/webapi/api/v3/{PRIMEDOCS_DATASOURCE}/Admin"
SECOND_DATASOURCE = "2c9d4e1a-7b3f-4a58-8e6d-91f0a2b3c4d5"
ANNA = "8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5001"
PETER = "8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5002"
LAURA = "8f0e2c54-3b1a-4d6e-9c7f-1a2b3c4d5003"
NINA_OTHER_DATASOURCE = "3b7c9d1e-2f4a-4b6c-8d0e-1f2a3b4c9101"
ANNA_PROFILE = "a1f3c2d4-5e6f-4a7b-8c9d-0e1f2a3b6001"
PETER_PROFILE = "a1f3c2d4-5e6f-4a7b-8c9d-0e1f2a3b6003"
LEGAL = "5d1c3b1e-6f0a-4b8e-9a51-2f7c0e3a1003"
BRANCH_OFFICE_OTHER_DATASOURCE = "7e2a9c4b-1d3f-4e5a-8b6c-0d1e2f3a9001"
NEW_SID = "S-1-5-21-3623811015-3361044348-30300820-1104"


def problem(response) -> dict:
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == response.status_code
    assert body["traceId"] == response.headers["x-correlation-id"]
    return body


class TestSeedExamples:
    """The documentation's PowerShell examples, with only the host changed."""

    def test_list_users_with_lower_case_paging_names(self, client: TestClient, auth) -> None:
        response = client.get(f"{BASE}/Users?pageSize=2&page=1", headers=auth)
        assert response.status_code == 200
        body = response.json()
        assert [user["title"] for user in body["data"]] == ["Anna Muster", "Laura Frei"]
        assert set(body["data"][0]) == {"id", "primarySID", "title"}
        assert body["pagingDetails"] == {"pageSize": 2, "page": 1, "totalPages": 2}

    def test_onboard_user_by_sid(self, client: TestClient, auth) -> None:
        response = client.post(f"{BASE}/Users?sid={NEW_SID}", headers=auth)
        assert response.status_code == 200
        user = response.json()
        assert user["title"] == "Marco Rossi"
        assert user["primarySid"] == NEW_SID
        uuid.UUID(user["id"])


class TestPaging:
    def test_defaults_are_page_1_of_50(self, client: TestClient, auth) -> None:
        body = client.get(f"{BASE}/Users", headers=auth).json()
        assert body["pagingDetails"] == {"pageSize": 50, "page": 1, "totalPages": 1}
        assert len(body["data"]) == 3

    def test_second_page_holds_the_rest(self, client: TestClient, auth) -> None:
        body = client.get(f"{BASE}/Users?PageSize=2&Page=2", headers=auth).json()
        assert [user["title"] for user in body["data"]] == ["Peter Keller"]
        assert body["pagingDetails"] == {"pageSize": 2, "page": 2, "totalPages": 2}

    def test_page_past_the_last_is_empty(self, client: TestClient, auth) -> None:
        body = client.get(f"{BASE}/OrganizationUnits?PAGESIZE=3&PAGE=9", headers=auth).json()
        assert body["data"] == []
        assert body["pagingDetails"] == {"pageSize": 3, "page": 9, "totalPages": 2}

    @pytest.mark.parametrize(
        "query", ["PageSize=0", "PageSize=501", "Page=0", "page=-1", "pageSize=ten"]
    )
    def test_out_of_range_values_are_400(self, client: TestClient, auth, query: str) -> None:
        response = client.get(f"{BASE}/Users?{query}", headers=auth)
        assert response.status_code == 400
        name = query.split("=", maxsplit=1)[0].lower()
        assert f"'{'PageSize' if name == 'pagesize' else 'Page'}'" in problem(response)["detail"]

    def test_organization_units_in_title_order(self, client: TestClient, auth) -> None:
        body = client.get(f"{BASE}/OrganizationUnits", headers=auth).json()
        assert [unit["title"] for unit in body["data"]] == [
            "Head Office",
            "Human Resources",
            "Legal",
            "Sales",
        ]


class TestOnboarding:
    def test_creates_the_user_with_a_default_profile(self, client: TestClient, auth) -> None:
        user = client.post(f"{BASE}/Users?sid={NEW_SID}", headers=auth).json()
        assert user["profiles"] == [
            {
                "id": user["profiles"][0]["id"],
                "title": "Marco Rossi",
                "organizationUnitId": "5d1c3b1e-6f0a-4b8e-9a51-2f7c0e3a1002",
                "organizationUnitTitle": "Sales",
            }
        ]
        assert client.get(f"{BASE}/Users/{user['id']}", headers=auth).json() == user
        listed = client.get(f"{BASE}/Users", headers=auth).json()["data"]
        assert {"id": user["id"], "primarySID": NEW_SID, "title": "Marco Rossi"} in listed

    def test_is_idempotent_for_a_sid_that_exists(self, client: TestClient, auth) -> None:
        first = client.post(f"{BASE}/Users?sid={NEW_SID}", headers=auth).json()
        second = client.post(f"{BASE}/Users?SID={NEW_SID}", headers=auth)
        assert second.status_code == 200
        assert second.json() == first
        existing = client.post(
            f"{BASE}/Users?sid=S-1-5-21-3623811015-3361044348-30300820-1101", headers=auth
        )
        assert existing.json()["id"] == ANNA
        listed = client.get(f"{BASE}/Users", headers=auth).json()["data"]
        assert len(listed) == 4

    def test_sid_outside_the_directory_is_404(self, client: TestClient, auth) -> None:
        response = client.post(f"{BASE}/Users?sid=S-1-5-21-1-2-3-999", headers=auth)
        assert response.status_code == 404
        assert "directory" in problem(response)["detail"]

    def test_sid_of_another_datasource_directory_is_404(self, client: TestClient, auth) -> None:
        response = client.post(
            f"{BASE}/Users?sid=S-1-5-21-1004336348-1177238915-682003330-2102", headers=auth
        )
        assert response.status_code == 404

    @pytest.mark.parametrize("sid", ["alice", "S-1-5", "S-1-5-21-abc", "s-1-5-21-1"])
    def test_malformed_sid_is_400(self, client: TestClient, auth, sid: str) -> None:
        response = client.post(f"{BASE}/Users?sid={sid}", headers=auth)
        assert response.status_code == 400
        assert "'sid'" in problem(response)["detail"]

    def test_missing_sid_is_400(self, client: TestClient, auth) -> None:
        response = client.post(f"{BASE}/Users", headers=auth)
        assert response.status_code == 400
        assert problem(response)["detail"] == "The query parameter 'sid' is required."


class TestUsersAndProfiles:
    def test_get_user_with_profiles(self, client: TestClient, auth) -> None:
        user = client.get(f"{BASE}/Users/{ANNA}", headers=auth).json()
        assert user["primarySid"] == "S-1-5-21-3623811015-3361044348-30300820-1101"
        assert [p["title"] for p in user["profiles"]] == ["Anna Muster", "Anna Muster (Legal)"]

    def test_get_profile_with_shares(self, client: TestClient, auth) -> None:
        profile = client.get(f"{BASE}/Users/{ANNA}/Profiles/{ANNA_PROFILE}", headers=auth).json()
        assert profile == {
            "id": ANNA_PROFILE,
            "title": "Anna Muster",
            "organizationUnitId": "5d1c3b1e-6f0a-4b8e-9a51-2f7c0e3a1001",
            "organizationUnitTitle": "Head Office",
            "profileShares": [{"id": "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d7001", "accountId": PETER}],
        }

    @pytest.mark.parametrize(
        "path",
        [
            f"/Users/{uuid.UUID(int=1)}",
            f"/Users/{NINA_OTHER_DATASOURCE}",
            f"/Users/{ANNA}/Profiles/{PETER_PROFILE}",
            f"/Users/{ANNA}/Profiles/{uuid.UUID(int=2)}",
        ],
    )
    def test_unknown_or_foreign_ids_are_404(self, client: TestClient, auth, path: str) -> None:
        response = client.get(f"{BASE}{path}", headers=auth)
        assert response.status_code == 404
        problem(response)

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/OrganizationUnits"),
            ("GET", "/Users"),
            ("POST", f"/Users?sid={NEW_SID}"),
            ("GET", f"/Users/{ANNA}"),
            ("GET", f"/Users/{ANNA}/Profiles/{ANNA_PROFILE}"),
        ],
    )
    def test_unknown_datasource_is_404(
        self, client: TestClient, auth, method: str, path: str
    ) -> None:
        response = client.request(
            method, f"/webapi/api/v3/{uuid.UUID(int=3)}/Admin{path}", headers=auth
        )
        assert response.status_code == 404
        assert "datasource" in problem(response)["detail"]

    def test_the_second_datasource_sees_only_its_own(self, client: TestClient, auth) -> None:
        body = client.get(f"/webapi/api/v3/{SECOND_DATASOURCE}/Admin/Users", headers=auth).json()
        assert [user["title"] for user in body["data"]] == ["Nina Graf"]


class TestUpdateProfile:
    URL = f"{BASE}/Users/{ANNA}/Profiles/{ANNA_PROFILE}"

    def test_changes_title_and_unit(self, client: TestClient, auth) -> None:
        response = client.put(
            self.URL, headers=auth, json={"title": "Anna (Legal)", "organizationUnitId": LEGAL}
        )
        assert response.status_code == 200
        assert response.content == b""
        profile = client.get(self.URL, headers=auth).json()
        assert (profile["title"], profile["organizationUnitTitle"]) == ("Anna (Legal)", "Legal")

    def test_absent_and_null_leave_values_as_they_are(self, client: TestClient, auth) -> None:
        before = client.get(self.URL, headers=auth).json()
        assert client.put(self.URL, headers=auth, json={}).status_code == 200
        assert client.put(self.URL, headers=auth, json={"title": None}).status_code == 200
        assert client.get(self.URL, headers=auth).json() == before

    def test_property_names_match_without_regard_to_case(self, client: TestClient, auth) -> None:
        response = client.put(
            self.URL, headers=auth, json={"Title": "Renamed", "ORGANIZATIONUNITID": LEGAL}
        )
        assert response.status_code == 200
        assert client.get(self.URL, headers=auth).json()["title"] == "Renamed"

    def test_text_json_is_accepted(self, client: TestClient, auth) -> None:
        response = client.put(
            self.URL,
            headers={**auth, "Content-Type": "text/json"},
            content=b'{"title": "Via text/json"}',
        )
        assert response.status_code == 200
        assert client.get(self.URL, headers=auth).json()["title"] == "Via text/json"

    @pytest.mark.parametrize("unit", [str(uuid.UUID(int=4)), BRANCH_OFFICE_OTHER_DATASOURCE])
    def test_unknown_unit_is_404_and_changes_nothing(
        self, client: TestClient, auth, unit: str
    ) -> None:
        response = client.put(
            self.URL, headers=auth, json={"title": "Not saved", "organizationUnitId": unit}
        )
        assert response.status_code == 404
        assert problem(response)["errors"] == {"organizationUnitId": [problem(response)["detail"]]}
        assert client.get(self.URL, headers=auth).json()["title"] == "Anna Muster"

    @pytest.mark.parametrize(
        ("content", "content_type", "fragment"),
        [
            (b'{"title": 5}', "application/json", "5 is not of type 'string'"),
            (b'{"title": ""}', "application/json", "non-empty"),
            (b'{"colour": "red"}', "application/json", "Additional properties"),
            (b'{"title": "a", "TITLE": "b"}', "application/json", "more than once"),
            (b'{"title": ', "application/json", "not valid JSON"),
            (b'{"title": "\xff\xfe"}', "application/json", "not valid UTF-8"),
            (b"", "application/json", ""),
        ],
    )
    def test_bad_bodies_are_400(
        self, client: TestClient, auth, content: bytes, content_type: str, fragment: str
    ) -> None:
        response = client.put(
            self.URL, headers={**auth, "Content-Type": content_type}, content=content
        )
        assert response.status_code == 400
        assert fragment in problem(response)["detail"]

    def test_wrong_media_type_is_415(self, client: TestClient, auth) -> None:
        response = client.put(
            self.URL, headers={**auth, "Content-Type": "text/plain"}, content=b"title"
        )
        assert response.status_code == 415
        problem(response)


class TestProfileShares:
    URL = f"{BASE}/Users/{ANNA}/Profile/{ANNA_PROFILE}/ProfileShares"
    PROFILE = f"{BASE}/Users/{ANNA}/Profiles/{ANNA_PROFILE}"

    def shares(self, client: TestClient, auth) -> list[dict]:
        return client.get(self.PROFILE, headers=auth).json()["profileShares"]

    def put(self, client: TestClient, auth, account: str, profile_level: int, signature_level: int):
        return client.put(
            self.URL,
            headers=auth,
            json={
                "accountId": account,
                "profilePermissionLevel": profile_level,
                "signaturePermissionLevel": signature_level,
            },
        )

    def test_adds_a_share_beside_the_existing_ones(self, client: TestClient, auth) -> None:
        assert self.put(client, auth, LAURA, 2, 1).status_code == 200
        assert {share["accountId"] for share in self.shares(client, auth)} == {PETER, LAURA}

    def test_replaces_the_share_of_the_same_account(self, client: TestClient, auth) -> None:
        before = self.shares(client, auth)
        assert self.put(client, auth, PETER, 3, 2).status_code == 200
        assert self.shares(client, auth) == before

    def test_both_levels_zero_removes_the_share(self, client: TestClient, auth) -> None:
        assert self.put(client, auth, PETER, 0, 0).status_code == 200
        assert self.shares(client, auth) == []
        assert self.put(client, auth, PETER, 0, 0).status_code == 200

    def test_sharing_with_the_profiles_own_user_is_400(self, client: TestClient, auth) -> None:
        response = self.put(client, auth, ANNA, 1, 0)
        assert response.status_code == 400
        assert "accountId" in problem(response)["errors"]

    @pytest.mark.parametrize("account", [str(uuid.UUID(int=5)), NINA_OTHER_DATASOURCE])
    def test_unknown_account_is_404(self, client: TestClient, auth, account: str) -> None:
        response = self.put(client, auth, account, 1, 0)
        assert response.status_code == 404
        assert len(self.shares(client, auth)) == 1

    @pytest.mark.parametrize(
        "body",
        [
            {"accountId": LAURA, "profilePermissionLevel": 4, "signaturePermissionLevel": 0},
            {"accountId": LAURA, "profilePermissionLevel": 1, "signaturePermissionLevel": -1},
            {"accountId": LAURA, "profilePermissionLevel": 1},
            {"accountId": "laura", "profilePermissionLevel": 1, "signaturePermissionLevel": 0},
        ],
    )
    def test_invalid_shares_are_400(self, client: TestClient, auth, body: dict) -> None:
        response = client.put(self.URL, headers=auth, json=body)
        assert response.status_code == 400
        problem(response)

    def test_lower_case_property_names(self, client: TestClient, auth) -> None:
        response = client.put(
            self.URL,
            headers=auth,
            json={"accountid": LAURA, "ProfilePermissionLevel": 1, "SIGNATUREPERMISSIONLEVEL": 0},
        )
        assert response.status_code == 200
        assert LAURA in {share["accountId"] for share in self.shares(client, auth)}


class TestValuesNoDatabaseCanStore:
    def test_nul_in_a_title_is_400_and_stores_nothing(self, client: TestClient, auth) -> None:
        url = f"{BASE}/Users/{ANNA}/Profiles/{ANNA_PROFILE}"
        response = client.put(url, headers=auth, json={"title": "Anna\u0000Muster"})
        assert response.status_code == 400
        problem(response)
        assert client.get(url, headers=auth).json()["title"] == "Anna Muster"

    def test_nul_in_a_datasource_id_is_404(self, client: TestClient, auth) -> None:
        response = client.get("/webapi/api/v3/b78c%00/Admin/Users", headers=auth)
        assert response.status_code == 404
        problem(response)


class TestBindingAsTheRealServiceDoes:
    """ASP.NET's routing and model binding, which the real service's clients rely on."""

    @pytest.mark.parametrize(
        "path",
        [
            f"/webapi/api/v3/{PRIMEDOCS_DATASOURCE}/admin/users",
            f"/WebApi/API/v3/{PRIMEDOCS_DATASOURCE}/ADMIN/Users/",
            f"{BASE}/Users//",
        ],
    )
    def test_path_case_and_trailing_slashes_do_not_matter(
        self, client: TestClient, auth, path: str
    ) -> None:
        response = client.get(path, headers=auth, follow_redirects=False)
        assert response.status_code == 200
        assert len(response.json()["data"]) == 3

    def test_parameter_values_keep_their_case(self, client: TestClient, auth) -> None:
        response = client.get(f"{BASE}/Users/{ANNA.upper()}", headers=auth)
        assert response.status_code == 200
        assert response.json()["id"] == ANNA

    def test_a_repeated_scalar_parameter_binds_its_first_value(
        self, client: TestClient, auth
    ) -> None:
        body = client.get(f"{BASE}/Users?PageSize=2&pagesize=3", headers=auth).json()
        assert body["pagingDetails"]["pageSize"] == 2

    @pytest.mark.parametrize(
        "value", ["%D9%A5", "%EF%BC%95", "1_0", "0x10", "%C2%A05", "5%E2%80%83"]
    )
    def test_integers_are_ascii_digits(self, client: TestClient, auth, value: str) -> None:
        response = client.get(f"{BASE}/Users?PageSize={value}", headers=auth)
        assert response.status_code == 400
        assert "'PageSize'" in problem(response)["detail"]

    def test_media_types_match_without_regard_to_case(self, client: TestClient, auth) -> None:
        url = f"{BASE}/Users/{ANNA}/Profiles/{ANNA_PROFILE}"
        for media_type in ("Application/JSON", "TEXT/JSON; charset=UTF-8"):
            headers = {**auth, "Content-Type": media_type}
            response = client.put(url, headers=headers, content=b'{"title": "Cased"}')
            assert response.status_code == 200, response.text

    def test_path_literals_fold_ascii_case_only(self, client: TestClient, auth) -> None:
        response = client.get(f"{BASE}/User\u017f", headers=auth)
        assert response.status_code == 404

    @pytest.mark.parametrize(
        "query", ["PageSize=x", "PageSize=%D9%A5", "sid=S-1%0A"], ids=["type", "digit", "sid"]
    )
    def test_credentials_are_checked_before_the_input(self, client: TestClient, query: str) -> None:
        assert client.get(f"{BASE}/Users?{query}").status_code == 401
        no_body_type = client.put(
            f"{BASE}/Users/{ANNA}/Profiles/{ANNA_PROFILE}", content=b'{"title": "x"}'
        )
        assert no_body_type.status_code == 401

    def test_a_sid_with_a_trailing_newline_is_400(self, client: TestClient, auth) -> None:
        response = client.post(f"{BASE}/Users?sid={NEW_SID}%0A", headers=auth)
        assert response.status_code == 400

    def test_a_body_without_content_type_is_415(self, client: TestClient, auth) -> None:
        url = f"{BASE}/Users/{ANNA}/Profile/{ANNA_PROFILE}/ProfileShares"
        body = b'{"accountId": "%s", "profilePermissionLevel": 1, "signaturePermissionLevel": 0}'
        response = client.put(url, headers=auth, content=body % LAURA.encode())
        assert response.status_code == 415
        assert "application/json" in problem(response)["detail"]

    def test_an_empty_answer_has_no_content_type(self, client: TestClient, auth) -> None:
        url = f"{BASE}/Users/{ANNA}/Profiles/{ANNA_PROFILE}"
        response = client.put(url, headers=auth, json={"title": "Anna"})
        assert response.status_code == 200
        assert "content-type" not in response.headers
        assert response.content == b""

    @pytest.mark.parametrize(
        ("content", "fragment"),
        [
            (b"[" * 100_000 + b"]" * 100_000, "more than 32 deep"),
            (b'{"title": ' + b"1" * 5000 + b"}", "not valid JSON"),
            (b'{"title": "a\\ud800b"}', "surrogate"),
            (b'{"title": "a", "title": "b"}', "more than once"),
        ],
        ids=["nested 100,000 deep", "a 5,000 digit number", "a lone surrogate", "a name twice"],
    )
    def test_bodies_the_parser_chokes_on_are_400(
        self, client: TestClient, auth, content: bytes, fragment: str
    ) -> None:
        url = f"{BASE}/Users/{ANNA}/Profiles/{ANNA_PROFILE}"
        response = client.put(
            url, headers={**auth, "Content-Type": "application/json"}, content=content
        )
        assert response.status_code == 400
        assert fragment in problem(response)["detail"]
