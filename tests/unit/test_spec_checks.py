"""Connexion's check of a spec against the OpenAPI schema, done once per spec content."""

from __future__ import annotations

import copy

import pytest
import yaml
from connexion.exceptions import InvalidSpecification
from connexion.spec import Specification

from specserve.settings import PROJECT_ROOT
from specserve.spec_checks import check_specs_once


def test_a_spec_that_passed_is_not_checked_again_but_a_broken_one_always_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check_specs_once()
    valid = yaml.safe_load((PROJECT_ROOT / "specs" / "accesscontrol.yaml").read_text())
    broken = copy.deepcopy(valid)
    broken["paths"]["/identities"]["get"]["responses"] = "not a responses object"
    Specification.from_dict(copy.deepcopy(valid))

    # Connexion's own check, replaced by a spy: the same content is not checked again.
    checks: list[object] = []
    spy = type("Spy", (), {"__func__": staticmethod(lambda cls, spec: checks.append(spec))})
    monkeypatch.setattr("specserve.spec_checks._connexion_check", spy)
    Specification.from_dict(copy.deepcopy(valid))
    assert checks == []
    monkeypatch.undo()
    for _ in range(2):
        with pytest.raises(InvalidSpecification):
            Specification.from_dict(copy.deepcopy(broken))
