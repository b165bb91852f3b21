"""Sends the same requests to specserve's mock mode and to Prism, both mocking the DFS Admin
spec, and prints a markdown table of what each answered. Run by scripts/compare-prism, which
installs Prism, starts both servers and stops them; this module only waits, asks and reports.

specserve runs with `--mock-auth verify`, so it gets a real token of the DFS demo client;
Prism only checks that a bearer token is there, so it gets the same token string.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

BILL_DOE = "3fa85f64-5717-4562-b3fc-2c963f66afa4"
# The fixtures' convention for an unknown identity: an id starting 00000000- is 404.
UNKNOWN = "00000000-0000-0000-0000-000000000001"
IDENTITY = f"/v1.0/identities/{BILL_DOE}"
SEARCH = "/v1.0/identities/search"
CREATE = "/v1.2/identities"
STARTUP_SECONDS = 90
SUMMARY_CHARS = 120


@dataclass(frozen=True)
class Probe:
    """One request sent to both servers, and what it is there to show."""

    label: str
    method: str
    path: str
    note: str
    headers: dict[str, str] = field(default_factory=dict)
    json_body: Any = None
    raw_body: bytes | None = None
    auth: str | None = "token"  # "token": the real token; None: no Authorization; else as is


PROBES = [
    Probe(
        "GET getIdentity, Bill Doe's id",
        "GET",
        IDENTITY,
        "specserve's `when:` fixture matches the id; Prism has one `example` for any id",
    ),
    Probe(
        "GET getIdentity, unknown-looking id 00000000-…",
        "GET",
        f"/v1.0/identities/{UNKNOWN}",
        "specserve's fixture convention answers 404; Prism cannot know and answers its example",
    ),
    Probe(
        "GET getIdentity, `Prefer: code=404`",
        "GET",
        IDENTITY,
        "both honour it; the body is a fixture (specserve) or the spec's 404 example (Prism)",
        headers={"Prefer": "code=404"},
    ),
    Probe(
        "GET getIdentity, `Prefer: example=admin-admin`",
        "GET",
        IDENTITY,
        "a fixture name; Prism's names are keys of the spec's `examples:` maps, and the DFS "
        "spec has none (only single `example:` values)",
        headers={"Prefer": "example=admin-admin"},
    ),
    Probe(
        "GET getIdentity, `Prefer: dynamic=true`",
        "GET",
        IDENTITY,
        "both generate from the schema; specserve's data is the same for the same request",
        headers={"Prefer": "dynamic=true"},
    ),
    Probe(
        "GET getIdentity, `Prefer: code=418` (undocumented)",
        "GET",
        IDENTITY,
        "specserve: the client's error, naming the documented statuses; Prism: 404",
        headers={"Prefer": "code=418"},
    ),
    Probe(
        "GET getIdentity, `Prefer: example=no-such-example`",
        "GET",
        IDENTITY,
        "specserve: the client's error, naming the examples it has; Prism: 404",
        headers={"Prefer": "example=no-such-example"},
    ),
    Probe(
        "GET getIdentity, malformed uuid `not-a-uuid`",
        "GET",
        "/v1.0/identities/not-a-uuid",
        "`format: uuid`. Prism answers any request violation with the operation's 422 and that "
        "status's spec example (whose words are about something else: the `sl-violations` header "
        "says what was wrong); specserve 400 with the DFS envelope, as real mode",
    ),
    Probe(
        "GET getIdentity, no Authorization",
        "GET",
        IDENTITY,
        "security `bearer` on every operation",
        auth=None,
    ),
    Probe(
        "GET getIdentity, `Authorization: Bearer x.y.z`",
        "GET",
        IDENTITY,
        "specserve verifies the token (`--mock-auth verify`); Prism checks presence only, "
        "as specserve's `--mock-auth presence` does",
        auth="Bearer x.y.z",
    ),
    Probe(
        "POST searchIdentities, `SearchTerm: bill`",
        "POST",
        SEARCH,
        "the valid search the invalid ones below vary; specserve's `when:` body matcher",
        json_body={"SearchTerm": "bill"},
    ),
    Probe(
        "POST searchIdentities, malformed JSON",
        "POST",
        SEARCH,
        'body `{"Page": 1,`; Prism\'s 400 is its own shape, not the DFS envelope',
        headers={"Content-Type": "application/json"},
        raw_body=b'{"Page": 1,',
    ),
    Probe(
        'POST searchIdentities, wrong type `PageSize: "ten"`',
        "POST",
        SEARCH,
        "`PageSize` is an integer; Prism: 422 as for every violation",
        json_body={"PageSize": "ten"},
    ),
    Probe(
        "POST searchIdentities, unknown property `Colour`",
        "POST",
        SEARCH,
        "`IdentitySearchRequest` has `additionalProperties: false`",
        json_body={"SearchTerm": "bill", "Colour": "blue"},
    ),
    Probe(
        "POST createIdentityV12, missing required `IdentityRoleId`",
        "POST",
        CREATE,
        "`IdentityCreateRequest` requires FirstName, LastName, Username, IdentityRoleId",
        json_body={"FirstName": "John", "LastName": "Connor", "Username": "jconnor"},
    ),
    Probe(
        "POST searchIdentities, out of range `PageSize: 500`",
        "POST",
        SEARCH,
        "`PageSize` is 1 to 100",
        json_body={"PageSize": 500},
    ),
    Probe(
        "POST searchIdentities, `Content-Type: text/plain`",
        "POST",
        SEARCH,
        "a JSON text sent as text/plain; only application/json is documented. specserve 415 (as "
        "ASP.NET does), Prism 422",
        headers={"Content-Type": "text/plain"},
        raw_body=b'{"SearchTerm": "bill"}',
    ),
    Probe(
        "DELETE getIdentity's path (undeclared method)",
        "DELETE",
        IDENTITY,
        "the path declares only GET; only specserve sends `Allow: GET`",
    ),
    Probe(
        "POST searchIdentities, camel-case `pageSize: 2`",
        "POST",
        SEARCH,
        "DFS (ASP.NET) binds names without regard to case; the spec says any casing is "
        "accepted, which JSON Schema's `additionalProperties: false` alone does not",
        json_body={"pageSize": 2},
    ),
]


@dataclass(frozen=True)
class Answer:
    status: int
    summary: str


def main() -> int:
    args = _parser().parse_args()
    specserve = httpx.Client(base_url=args.specserve, timeout=30)
    prism = httpx.Client(base_url=args.prism, timeout=30)
    try:
        _wait_until_up({"specserve": specserve, "Prism": prism}, args.logs)
        token = _token(args.specserve)
        rows = [
            (probe, _ask(specserve, probe, token), _ask(prism, probe, token)) for probe in PROBES
        ]
    finally:
        specserve.close()
        prism.close()
    table = _table(rows)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n", encoding="utf-8")
        print(f"compare-prism: wrote {args.out}", file=sys.stderr)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/compare-prism",
        description="Compare specserve's mock mode with Prism on the DFS Admin spec.",
    )
    parser.add_argument("--specserve", required=True, help="specserve's base URL")
    parser.add_argument("--prism", required=True, help="Prism's base URL")
    parser.add_argument("--logs", type=Path, help="folder of the servers' logs, shown on failure")
    parser.add_argument("--out", help="also write the markdown table to this file")
    return parser


def _wait_until_up(servers: dict[str, httpx.Client], logs: Path | None) -> None:
    """Any HTTP answer will do (Prism answers 401 without a token); a refused connection is
    a server still starting. A server that never answers ends the run with its log."""
    deadline = time.monotonic() + STARTUP_SECONDS
    waiting = dict(servers)
    while waiting:
        for name, client in list(waiting.items()):
            try:
                client.get(IDENTITY, timeout=2)
                del waiting[name]
            except httpx.TransportError:
                pass
        if waiting and time.monotonic() > deadline:
            names = ", ".join(waiting)
            for log in sorted(logs.glob("*.log")) if logs else []:
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
            raise SystemExit(f"compare-prism: {names} did not answer in {STARTUP_SECONDS} s")
        time.sleep(0.3)


def _token(specserve_url: str) -> str:
    """A real access token of the DFS demo client, from the server's own data folder
    (SPECSERVE_DATA_DIR, set by scripts/compare-prism) and for its port (the issuer)."""
    port = urlsplit(specserve_url).port
    specserve = Path(sys.executable).with_name("specserve")
    done = subprocess.run(
        [str(specserve), "token", "--api", "dfs", "--port", str(port)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"compare-prism: `specserve token` failed:\n{done.stderr}")
    return done.stdout.strip()


def _ask(client: httpx.Client, probe: Probe, token: str) -> Answer:
    headers = dict(probe.headers)
    if probe.auth == "token":
        headers["Authorization"] = f"Bearer {token}"
    elif probe.auth is not None:
        headers["Authorization"] = probe.auth
    response = client.request(
        probe.method,
        probe.path,
        headers=headers,
        json=probe.json_body,
        content=probe.raw_body,
    )
    return Answer(response.status_code, _summary(response))


def _summary(response: httpx.Response) -> str:
    """A few words on the answer: what the server says it did first (which mock answer, which
    violations, which methods), then the body's gist."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    parts = []
    # specserve says which answer it chose (fixture, spec example or generated).
    if "specserve-mock-answer" in response.headers:
        parts.append(f"[{response.headers['specserve-mock-answer']}]")
    # Prism's request violations: its error bodies are the spec's examples, and say less.
    if "sl-violations" in response.headers:
        parts.append(f"violation: {_violations(response.headers['sl-violations'])};")
    if "allow" in response.headers:
        parts.append(f"Allow: {response.headers['allow']};")
    parts.append(_describe(body))
    text = " ".join(parts)
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def _describe(body: Any) -> str:
    if body in ("", None):
        return "(empty)"
    if not isinstance(body, dict):
        return str(body)[:60]
    if "Code" in body and "Message" in body:  # the DFS error envelope
        return f"{body['Code']}: {body['Message']}"
    if "title" in body:  # problem details: Prism's own errors
        return f"{body['title']}: {body.get('detail', '')}"
    if isinstance(body.get("error"), dict):  # Prism's answer to a body that is not JSON
        return f"{body['error'].get('code')}: {body['error'].get('message')}"
    if "FirstName" in body:
        return (
            f"{body.get('FirstName')} {body.get('LastName')} ({str(body.get('IdentityId'))[:8]}…)"
        )
    if "Results" in body:
        names = [f"{r.get('FirstName')} {r.get('LastName')}" for r in body["Results"]]
        return f"{len(names)} of {body.get('TotalCount')}: {', '.join(names)}"
    return "{" + ", ".join(list(body)[:5]) + "}"


def _violations(header: str) -> str:
    try:
        violations = json.loads(header)
    except ValueError:
        return header
    return "; ".join(str(v.get("message", v)) for v in violations)


def _table(rows: list[tuple[Probe, Answer, Answer]]) -> str:
    lines = [
        "| request | specserve --mock | Prism 5 | note |",
        "| --- | --- | --- | --- |",
    ]
    for probe, ours, theirs in rows:
        same = "same status" if ours.status == theirs.status else "**differs**"
        cells = [
            probe.label,
            f"{ours.status} {ours.summary}",
            f"{theirs.status} {theirs.summary}",
            f"{same}: {probe.note}",
        ]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    sys.exit(main())
