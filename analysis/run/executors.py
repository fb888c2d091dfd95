"""Executors: where the reports' notebooks run. One interface, two places:

- :class:`LocalExecutor`: worker processes of our own on this machine (``--jobs N``);
- :class:`DaskExecutor`: the workers of a Dask cluster (``--scheduler ADDRESS``).

Both take the same :class:`~analysis.run.kernel.Task` list and call ``on_result`` exactly once
per task, with the files' bytes or the reason it failed, as each one finishes: a report that
fails, a kernel that dies or hangs, a worker that is killed, or no workers left, never stop the
others nor leave a task without an answer. Writing files and the manifest is the caller's job
(:mod:`analysis.run.runner`), done once for both.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import queue
import shutil
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from analysis.core.errors import UsageError
from analysis.run.kernel import (
    Limits,
    StoreRef,
    StoreRefused,
    Task,
    TaskResult,
    WarmKernel,
    die_with_parent,
    materialize_store,
    run_task,
)

OnResult = Callable[[TaskResult], None]
#: Seconds a Dask batch waits with no worker at all before failing what is left.
WORKER_TIMEOUT = 60.0
log = logging.getLogger(__name__)


class Executor(Protocol):
    """Runs tasks somewhere and reports each one's result once, as it finishes."""

    #: True when the workers get the store's bytes, False when they read it at a path.
    ships_store: bool

    def run(self, tasks: list[Task], store: StoreRef, on_result: OnResult) -> None: ...


def failed(task: Task, reason: str, seconds: float = 0.0) -> TaskResult:
    return TaskResult(task.name, "failed", seconds, error=reason)


# -------------------------------------------------------------------------------------- local


def _local_worker(inbox: mp.Queue, outbox: mp.Queue, wid: int, workdir: str, limits: Limits):
    """A local worker process: one warm kernel, tasks from ``inbox`` until ``None`` arrives."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    logging.getLogger("papermill").setLevel(logging.ERROR)
    kernel = WarmKernel(Path(workdir), limits.start)
    try:
        while (item := inbox.get()) is not None:
            task, store = item
            try:
                path = materialize_store(store, Path(workdir))
                result = run_task(task, kernel, path, limits)
            except StoreRefused as exc:
                result = failed(task, str(exc))
            outbox.put((wid, result))
    finally:
        kernel.shutdown()


def kill_tree(pid: int) -> None:
    """Kill a process and everything it started (its kernel), at once."""
    # psutil only when a report has to be killed.
    import psutil

    try:
        proc = psutil.Process(pid)
        family = [*proc.children(recursive=True), proc]
    except psutil.NoSuchProcess:
        return
    for p in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    psutil.wait_procs(family, timeout=10)


@dataclass
class _Slot:
    proc: mp.Process
    inbox: mp.Queue
    task: Task | None = None
    started: float = 0.0


class LocalExecutor:
    """``n_jobs`` worker processes on this machine, each with a warm kernel.

    A report that outlives its limits (start-up + run + ``grace``) has its worker and kernel
    killed, fails with the reason, and a new worker takes the next report. Workers die with the
    batch (``PR_SET_PDEATHSIG``; kernels follow their parent), so a killed batch leaves none.
    """

    ships_store = False  # same machine: the workers read the client's store (and check it)

    def __init__(self, n_jobs: int = 2, limits: Limits | None = None, grace: float = 60.0):
        if n_jobs < 1:
            raise UsageError(f"--jobs must be 1 or more, not {n_jobs}")
        self.n_jobs = n_jobs
        self.limits = limits or Limits()
        self.grace = grace

    def run(self, tasks: list[Task], store: StoreRef, on_result: OnResult) -> None:
        ctx = mp.get_context("spawn")
        outbox: mp.Queue = ctx.Queue()
        root = Path(tempfile.mkdtemp(prefix="analysis-batch-"))
        pending = deque(tasks)
        slots: dict[int, _Slot] = {}
        count = iter(range(1_000_000))

        def start() -> int:
            wid = next(count)
            inbox: mp.Queue = ctx.Queue()
            proc = ctx.Process(
                target=_local_worker,
                args=(inbox, outbox, wid, str(root / f"w{wid}"), self.limits),
                daemon=True,
            )
            proc.start()
            slots[wid] = _Slot(proc, inbox)
            return wid

        def feed(wid: int) -> None:
            slot = slots[wid]
            if pending:
                slot.task, slot.started = pending.popleft(), time.monotonic()
                slot.inbox.put((slot.task, store))
            else:
                slot.task = None

        def finish(wid: int, result: TaskResult) -> None:
            slots[wid].task = None
            on_result(result)
            feed(wid)

        def replace(wid: int, reason: str) -> None:
            slot = slots.pop(wid)
            kill_tree(slot.proc.pid)
            if slot.task is not None:
                on_result(failed(slot.task, reason, time.monotonic() - slot.started))
            if pending:
                feed(start())

        limit = self.limits.start + self.limits.report + self.grace
        try:
            for _ in range(max(1, min(self.n_jobs, len(tasks)))):
                feed(start())
            while any(s.task is not None for s in slots.values()):
                with contextlib.suppress(queue.Empty):
                    wid, result = outbox.get(timeout=1)
                    finish(wid, result)
                    continue
                now = time.monotonic()
                for wid, slot in list(slots.items()):
                    if slot.task is None:
                        continue
                    if not slot.proc.is_alive():
                        code = slot.proc.exitcode
                        replace(wid, f"the worker process stopped unexpectedly (exit code {code})")
                    elif now - slot.started > limit:
                        replace(wid, f"timed out: no answer within {limit:g} s; worker killed")
        finally:
            for slot in slots.values():
                with contextlib.suppress(Exception):
                    slot.inbox.put(None)
            deadline = time.monotonic() + 10
            for slot in slots.values():
                slot.proc.join(timeout=max(0.1, deadline - time.monotonic()))
                if slot.proc.is_alive():
                    kill_tree(slot.proc.pid)
            shutil.rmtree(root, ignore_errors=True)
