"""Reset the sandbox's data; list its recent requests."""

from __future__ import annotations

import datetime
from typing import Any

from handlers.responses import JsonAnswer, json_ok
from handlers.timestamps import utc_text
from specserve.context import services
from specserve.sandbox import Sandbox


def _sandbox() -> Sandbox:
    sandbox = services().sandbox
    if sandbox is None:  # the operations are served in sandbox mode only
        raise RuntimeError("not a sandbox")
    return sandbox


def reset_sandbox() -> dict[str, Any]:
    counts = _sandbox().reset()
    return {
        "resetAt": utc_text(datetime.datetime.now(datetime.UTC)),
        "tables": len(counts),
        "rows": sum(counts.values()),
    }


def list_recent_requests(limit: int = 50) -> JsonAnswer:
    return json_ok(_sandbox().requests.recent(limit))
