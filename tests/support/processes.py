"""Servers as processes, for the end-to-end tests and the soak run: a free loopback port, the
wait until a started server answers, and the workers of a running one."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once the server at `base` answers; kill it and fail with its log's end if it
    exits first or does not answer within a minute."""
    deadline = time.monotonic() + 60
    while True:
        try:
            # Only whether it answers: the tests that use TLS check its certificate.
            if httpx.get(f"{base}/_specserve/apis", timeout=1, verify=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise AssertionError(f"the server did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)


def workers_serving(base: str) -> list[int]:
    """The pids of the workers of the server listening at `base`: of the processes holding its
    socket, those whose parent holds it too (uvicorn's supervisor)."""
    port = base.rsplit(":", 1)[1]
    listing = subprocess.run(
        ["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    holders = {int(part.split(",")[0]) for part in listing.split("pid=")[1:]}
    workers = sorted(pid for pid in holders if _parent_of(pid) in holders)
    assert workers, listing
    return workers


def _parent_of(pid: int) -> int:
    # /proc/PID/stat: "pid (name) state ppid ...", the name in parentheses.
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
