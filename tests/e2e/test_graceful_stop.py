"""SIGTERM stops `specserve serve` gracefully: it stops accepting connections, finishes the
requests in flight, runs the app's shutdown and exits cleanly, with one worker and with two."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_serve import SPECSERVE, environment
from tests.support.processes import free_port, wait_until_up

# Mock mode with a fixed delay: a request that is surely in flight when the signal comes.
DELAY_MS = 2000
IDENTITY = "/v1.0/identities/3fa85f64-5717-4562-b3fc-2c963f66afa4"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_finishes_the_requests_in_flight_then_exits(tmp_path: Path, workers: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    command = [
        *SPECSERVE, "serve", "--port", str(port), "--workers", workers,
        "--mock", "dfs", "--mock-auth", "off", "--latency", f"{DELAY_MS}..{DELAY_MS}",
    ]  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(
            command, env=environment(tmp_path), stdout=subprocess.DEVNULL, stderr=output
        )
    try:
        wait_until_up(base, process, log)
        in_flight: list[httpx.Response] = []
        # One request per worker, so that each has one in flight.
        senders = [
            threading.Thread(
                target=lambda: in_flight.append(httpx.get(base + IDENTITY, timeout=30))
            )
            for _ in range(int(workers) * 2)
        ]
        for sender in senders:
            sender.start()
        time.sleep(DELAY_MS / 1000 / 2)  # the requests are being served
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)

        time.sleep(0.5)
        with pytest.raises(httpx.TransportError):
            httpx.get(base + "/_specserve/apis", timeout=2)  # no longer accepting

        for sender in senders:
            sender.join(timeout=30)
        assert [response.status_code for response in in_flight] == [200] * len(senders)
        process.wait(timeout=30)
        assert time.monotonic() - signalled < 15
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    written = log.read_text()
    assert process.returncode in (0, -signal.SIGTERM), written[-2000:]
    assert written.count("Application shutdown complete") == int(workers), written[-2000:]
    assert "Traceback" not in written, written[-3000:]
