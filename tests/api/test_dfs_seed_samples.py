"""The DFS vendor documents' own samples (seeds 002 and 004, transcribed in
samples/dfs_seed_samples.yaml) against a freshly seeded server: every request sample sent
verbatim gets a 2xx (but for the few the samples file says a correct server refuses, and
why), and every field of the response sample is in the answer with the same JSON
type. Values are not compared: the samples' values are placeholders (`"string"`, `0`) or data of
the vendor's own database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

SAMPLES_FILE = Path(__file__).parent / "samples" / "dfs_seed_samples.yaml"


def load_samples() -> list[Any]:
    samples: list[dict[str, Any]] = yaml.safe_load(SAMPLES_FILE.read_text(encoding="utf-8"))
    return [
        pytest.param(sample, id=f"{sample['seed']}-{sample['operationId']}") for sample in samples
    ]


def json_type(value: Any) -> str:
    # bool before int: in Python True is an int, in JSON a boolean is no number.
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def shape_mismatches(sample: Any, answer: Any, path: str = "$") -> list[str]:
    """Where `answer` lacks a field of `sample` or has it with another JSON type, by JSON path.

    `null` in the sample stands for any value. An object's keys are compared one by one, which
    also covers maps keyed by data (`AccessPolicies` by client id). The answer's array items
    need not be the sample's records nor in its order: each sample item needs one answer item
    of its shape, and a non-empty sample array needs a non-empty answer.
    """
    if sample is None:
        return []
    expected, found = json_type(sample), json_type(answer)
    if expected != found and (expected, found) != ("number", "integer"):
        return [f"{path}: {found} {answer!r}, the sample has {expected} {sample!r}"]
    if isinstance(sample, dict):
        problems: list[str] = []
        for key, value in sample.items():
            if key in answer:
                problems += shape_mismatches(value, answer[key], f"{path}.{key}")
            else:
                problems.append(f"{path}.{key}: missing (answer's keys: {sorted(answer)})")
        return problems
    if isinstance(sample, list):
        if sample and not answer:
            return [f"{path}: empty, the sample has {len(sample)} item(s)"]
        problems = []
        for index, item in enumerate(sample):
            attempts = [
                shape_mismatches(item, candidate, f"{path}[{position}]")
                for position, candidate in enumerate(answer)
            ]
            if all(attempts):
                closest = min(attempts, key=len)
                problems.append(f"{path}: no item has the shape of sample item {index}, e.g.")
                problems += [f"  {problem}" for problem in closest]
        return problems
    return []


@pytest.mark.parametrize("sample", load_samples())
def test_seed_sample_is_answered_as_documented(
    all_client: TestClient, admin: dict[str, str], sample: dict[str, Any]
) -> None:
    # Tenant Additiv's administrator holds every access policy, so one caller serves all
    # operations; the samples are of that tenant.
    body = {"json": sample["request"]} if "request" in sample else {}
    response = all_client.request(
        sample["method"], sample["path"], params=sample.get("query"), headers=admin, **body
    )
    refused = sample.get("refused")
    if refused is not None:
        # Why the sample cannot succeed is in the samples file; the refusal is the API's own.
        assert response.status_code == refused["status"], response.text
        assert response.json()["Code"] == refused["code"]
        return
    assert 200 <= response.status_code < 300, f"{response.status_code}: {response.text}"
    if sample["response"] is None:
        # The seed documents 204 No Content for these.
        assert (response.status_code, response.content) == (204, b"")
        return
    problems = shape_mismatches(sample["response"], response.json())
    assert not problems, "the answer differs from the seed's sample:\n" + "\n".join(problems)
