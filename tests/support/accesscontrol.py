"""The Access Control API's demo data and key, as fixtures/seed/accesscontrol.yaml holds them."""

from __future__ import annotations

from typing import Any

BASE = "/api/v1/accesscontrol"
DEMO_KEY = "ssk_demo-AccessControl-key-for-curl-only"
ANDERS = "9cbf5b23-a9d3-4743-87d7-733e0c2bd08e"
BERIT = "4d1f2a9e-6b7c-4e21-9a3d-1c2b3a4d5e01"
CARL = "4d1f2a9e-6b7c-4e21-9a3d-1c2b3a4d5e02"
MY_GROUP = "2cbf5b23-a9d3-4743-87d7-733e0c2bd08e"
ADMINISTRATORS = "7a0e3c1d-2b4f-4c6a-8d9e-0f1a2b3c4d01"
VISITORS = "7a0e3c1d-2b4f-4c6a-8d9e-0f1a2b3c4d02"
KEY_HEADER = {"x-api-key": DEMO_KEY}


def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem details of an error answer, once its status and format are as expected."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = dict(response.json())
    assert body["status"] == status
    assert body["traceId"] == response.headers["x-correlation-id"]
    return body
