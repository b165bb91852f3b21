"""The specs themselves: valid OpenAPI 3.0.3, examples that match their schemas, house rules
(specserve.lint, which `specserve lint` runs too), and what is particular to one spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from specserve import lint
from specserve.apis import PRIMEDOCS
from specserve.settings import PROJECT_ROOT

# Every spec, served or still on its way to being served.
SPEC_FILES = lint.spec_files(PROJECT_ROOT / "specs")
SPECS = {path.stem: lint.load(path) for path in SPEC_FILES}
IDS = [path.stem for path in SPEC_FILES]


@pytest.mark.parametrize("rule", lint.RULES, ids=[rule.__name__ for rule in lint.RULES])
@pytest.mark.parametrize("path", SPEC_FILES, ids=IDS)
def test_spec_keeps_the_rule(path: Path, rule: lint.Rule) -> None:
    findings = rule(path.name, SPECS[path.stem])
    assert not findings, "\n".join(map(str, findings))


@pytest.mark.parametrize("name", IDS)
def test_spec_has_examples_to_check(name: str) -> None:
    assert any(lint.examples(SPECS[name]))


def test_the_specs_folder_lints_clean() -> None:
    assert lint.lint_all(PROJECT_ROOT / "specs") == []


def test_primedocs_promises_its_errors_on_every_operation() -> None:
    assert {400, 401, 403, 404} <= set(PRIMEDOCS.promised_errors.every)
    assert lint.promise_of("specs/primedocs-admin.yaml") == PRIMEDOCS.promised_errors


def test_primedocs_keeps_the_vendor_documents_paths_and_names() -> None:
    document = SPECS["primedocs-admin"]
    assert document["servers"] == [{"url": "/webapi"}]
    assert set(document["paths"]) == {
        "/api/v3/{datasourceId}/Admin/OrganizationUnits",
        "/api/v3/{datasourceId}/Admin/Users",
        "/api/v3/{datasourceId}/Admin/Users/{userId}",
        "/api/v3/{datasourceId}/Admin/Users/{userId}/Profiles/{profileId}",
        "/api/v3/{datasourceId}/Admin/Users/{userId}/Profile/{profileId}/ProfileShares",
    }
    vendor_schemas = {
        "AdditionalProfileInfoV3", "AdminOrganizationUnitInfoV3", "AdminProfileDetailInfoV3",
        "AdminProfileInfoV3", "AdminProfileShareEditV3", "AdminProfileShareV3",
        "AdminProfileUpdateEditV3", "AdminUserDetailInfoV3", "AdminUserInfoV3", "FlatFieldInfoV3",
        "LinkV3", "PagedResponse`1<AdminOrganizationUnitInfo[]v3>",
        "PagedResponse`1<AdminUserInfo[]v3>", "PagedResponse`1<SharedProfileInfo[]v3>",
        "PagingDetails", "ProfileInfoV3", "SearchInputFieldsResponseModel", "SharedProfileInfoV3",
        "UserInfoV3",
    }  # fmt: skip
    assert vendor_schemas <= set(document["components"]["schemas"])
    user_list = document["components"]["schemas"]["AdminUserInfoV3"]["properties"]
    user_detail = document["components"]["schemas"]["AdminUserDetailInfoV3"]["properties"]
    assert "primarySID" in user_list
    assert "primarySid" in user_detail
