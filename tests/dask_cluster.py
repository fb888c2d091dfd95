"""A real Dask cluster for tests, started with the ``dask`` command line as a user would:
a scheduler and worker processes whose working and local directories are their own (not the
client's), so nothing but the installed package is shared with them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DASK = str(Path(sys.executable).parent / "dask")


@dataclass
class Cluster:
    address: str
    workdir: Path
    scheduler: subprocess.Popen
    workers: subprocess.Popen

    def kill_workers(self) -> None:
        """kill -9 every worker process and its nanny (their whole process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.workers.pid, signal.SIGKILL)
        self.workers.wait(timeout=30)


def _start(
    cmd: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen:
    return subprocess.Popen(
        cmd,
        cwd=cwd,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )


@contextlib.contextmanager
def dask_cluster(
    tmp: Path, n_workers: int = 2, env: dict[str, str] | None = None
) -> Iterator[Cluster]:
    """A scheduler and ``n_workers`` one-thread worker processes, in ``tmp/worker``; ``env``
    is added to the workers' environment."""
    workdir = tmp / "worker"
    workdir.mkdir(parents=True)
    info = tmp / "scheduler.json"
    scheduler = _start(
        [DASK, "scheduler", "--scheduler-file", str(info), "--port", "0", "--no-dashboard"],
        workdir,
        tmp / "scheduler.log",
    )
    workers = None
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        workers = _start(
            [
                DASK,
                "worker",
                address,
                "--nworkers",
                str(n_workers),
                "--nthreads",
                "1",
                "--local-directory",
                str(workdir),
                "--no-dashboard",
            ],
            workdir,
            tmp / "workers.log",
            env,
        )
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(n_workers, timeout=120)
        yield Cluster(address, workdir, scheduler, workers)
    finally:
        for proc in (workers, scheduler):
            if proc is None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)
