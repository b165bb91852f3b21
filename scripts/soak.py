"""The soak run: tests/support/mixed_load's load against a two-worker server on a throwaway
PostgreSQL cluster, with faults on a schedule, then the store checked against every
acknowledged write. Exit code 1 when a write was lost or a 5xx other than 503 came back."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from tests.support import mixed_load  # noqa: E402
from tests.support.postgres import Cluster, find_bin_dir, restartable_cluster  # noqa: E402
from tests.support.processes import free_port, wait_until_up, workers_serving  # noqa: E402

SPECSERVE = [sys.executable, "-m", "specserve"]
# Seconds from the load's start -> the fault injected then.
SCHEDULE = (15.0, 35.0, 60.0)
# A hard stop, whatever the load's progress: the run ends in well under ten minutes.
LONGEST_LOAD = 300.0


class Server:
    """`specserve serve` with two workers on a fixed loopback port, started again on demand."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                [*SPECSERVE, "serve", "--port", str(self.port), "--workers", "2"],
                env=self.env, stdout=subprocess.DEVNULL, stderr=output,
            )  # fmt: skip
        wait_until_up(self.base, self.process, self.log)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)


def faults(server: Server, cluster: Cluster) -> list[tuple[str, Callable[[], None]]]:
    def kill_a_worker() -> None:
        os.kill(workers_serving(server.base)[0], signal.SIGKILL)

    def restart_the_database() -> None:
        cluster.stop()
        time.sleep(5)
        cluster.start()

    def restart_the_server() -> None:
        server.stop()
        server.start()

    return [
        ("a worker killed (SIGKILL)", kill_a_worker),
        ("PostgreSQL stopped for 5 s", restart_the_database),
        ("the server stopped (SIGTERM) and started", restart_the_server),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit("soak: PostgreSQL is not installed (scripts/ensure-postgres)")
    with (
        TemporaryDirectory(prefix="specserve-soak-") as scratch,
        restartable_cluster(bin_dir) as cluster,
    ):
        work = Path(scratch)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SPECSERVE_")},
            "DATABASE_URL": cluster.url,
            "SPECSERVE_DATA_DIR": str(work / "data"),
        }
        for command in (["db", "upgrade"], ["db", "seed"]):
            subprocess.run([*SPECSERVE, *command], env=env, check=True, capture_output=True)
        server = Server(env, free_port(), work / "serve.log")
        server.start()
        injected: list[str] = []
        done = threading.Event()

        def inject() -> None:
            started = time.monotonic()
            for at, (name, fault) in zip(SCHEDULE, faults(server, cluster), strict=True):
                if done.wait(max(0.0, at - (time.monotonic() - started))):
                    return
                print(f"soak: {time.monotonic() - started:5.1f} s: {name}", flush=True)
                fault()
                injected.append(name)

        injector = threading.Thread(target=inject)
        injector.start()
        try:
            expected, tally = asyncio.run(
                mixed_load.run(
                    server.base,
                    requests=args.requests,
                    clients=args.clients,
                    seed=args.seed,
                    tag="soak",
                    longest=LONGEST_LOAD,
                )
            )
        finally:
            done.set()
            injector.join()
        server.stop()
        found = mixed_load.stored(cluster.url, "soak")
        errors = _unhandled_errors(server.log.read_text())
    lost = mixed_load.differences(expected, found)
    print(_table(tally, injected, expected, lost))
    unexpected_5xx = sum(
        count
        for status, count in tally.statuses.items()
        if status.startswith("5") and status != "503"
    )
    if any(lost.values()) or unexpected_5xx:
        for api, wrong in lost.items():
            for line in wrong[:10]:
                print(f"soak: {api}: {line}")
        for error in errors[:3]:
            print(f"soak: the server logged:\n{error}")
        raise SystemExit(1)


def _unhandled_errors(log: str) -> list[str]:
    """The server's tracebacks of unhandled errors (the 500s), each up to the next log line."""
    blocks = log.split("ERROR specserve.errors unhandled error")[1:]
    return [re.split(r"\n(?=\d{4}-\d\d-\d\d |INFO:)", block, maxsplit=1)[0] for block in blocks]


def _table(
    tally: mixed_load.Tally,
    injected: list[str],
    expected: mixed_load.Expected,
    lost: dict[str, list[str]],
) -> str:
    resources = sum(len(getattr(expected, api)) for api in lost)
    lost_count = sum(len(wrong) for wrong in lost.values())
    answers = ", ".join(f"{status}: {count:,}" for status, count in sorted(tally.statuses.items()))
    rows = [
        ("requests", f"{tally.requests:,} in {tally.seconds:.0f} s"),
        ("answers and errors by kind", answers),
        ("faults injected", "; ".join(injected) or "none"),
        ("writes acknowledged", f"{tally.acknowledged_writes:,} (to {resources:,} resources)"),
        ("writes in doubt (no answer came)", f"{len(expected.in_doubt):,}"),
        ("resources found after as acknowledged", f"{resources - lost_count:,}"),
        ("lost", f"{lost_count:,}"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"| {'':{width}} | soak |", f"|{'-' * (width + 2)}|------|"]
    lines += [f"| {name:{width}} | {value} |" for name, value in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
