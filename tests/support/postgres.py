"""A throwaway PostgreSQL cluster for the test run, from Debian's packages.

initdb and the server refuse to run as root, so as root they run as the `postgres` user
(which Debian's package creates). The cluster lives in a temporary folder, listens on a free
loopback port, trades durability for speed, and is removed when the run ends.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import free_port


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin folder (or PG_BIN_DIR)."""
    if os.environ.get("PG_BIN_DIR"):
        return Path(os.environ["PG_BIN_DIR"])
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", _server_user(), "--", *command]


def _server_user() -> str:
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root, but there is no `postgres` user to run the server as")


def _run(*command: object, check: bool = True) -> None:
    subprocess.run(
        _as_server_user([str(part) for part in command]), check=check, capture_output=True
    )


@dataclass(frozen=True)
class Cluster:
    """A throwaway cluster that a test may stop and start again (a database outage)."""

    bin_dir: Path
    data: Path
    folder: Path
    options: str
    url: str

    def start(self) -> None:
        _run(self.bin_dir / "pg_ctl", "-D", self.data, "-o", self.options,
             "-l", self.folder / "server.log", "-w", "-t", "60", "start")  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown: sessions are ended, as when an operator restarts the server."""
        _run(self.bin_dir / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")


@contextlib.contextmanager
def throwaway_cluster(bin_dir: Path) -> Iterator[str]:
    """Start a cluster; yield a SQLAlchemy URL of its `postgres` database; stop and remove it."""
    with restartable_cluster(bin_dir) as cluster:
        yield cluster.url


@contextlib.contextmanager
def restartable_cluster(bin_dir: Path) -> Iterator[Cluster]:
    """A started cluster, its `url` that of its `postgres` database; stopped and removed at
    the end."""
    folder = Path(tempfile.mkdtemp(prefix="specserve-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        user = pwd.getpwnam(_server_user())
        os.chown(folder, user.pw_uid, user.pw_gid)
    port = free_port()
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    url = f"postgresql+psycopg://specserve@127.0.0.1:{port}/postgres"
    cluster = Cluster(bin_dir=bin_dir, data=data, folder=folder, options=options, url=url)
    try:
        _run(bin_dir / "initdb", "-D", data, "-U", "specserve", "-A", "trust", "-E", "UTF8",
             "--no-sync", "--locale=C")  # fmt: skip
        cluster.start()
        yield cluster
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user(
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
                ),
                check=False,
                capture_output=True,
            )
        shutil.rmtree(folder, ignore_errors=True)
