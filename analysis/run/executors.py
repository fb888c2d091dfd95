"""Executors: where the reports' notebooks run. One interface, two places:

- :class:`LocalExecutor`: worker processes of our own on this machine (``--jobs N``);
- :class:`DaskExecutor`: the workers of a Dask cluster (``--scheduler ADDRESS``).

Both take the same :class:`~analysis.run.kernel.Task` list and call ``on_result`` exactly once
per task, with the files' bytes or the reason it failed, as each one finishes: a report that
fails, a kernel that dies or hangs, a worker that is killed, hangs after the notebook (rendering)
or stops answering (the client's bound, :class:`Deadlines`, the same for both), or no workers
left, never stop the others nor leave a task without an answer. Writing files and the manifest
is the caller's job (:mod:`analysis.run.runner`), done once for both.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import queue
import signal
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
from analysis.run.scratch import scratch_dir

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


# ------------------------------------------------------------------ the client's bound on answers


@dataclass
class Running:
    """A report running on a worker, as the client sees it."""

    task: Task
    worker: str
    began: float
    bound: float  # seconds from ``began`` (or from the kernel being ready) to the answer
    deadline: float
    parts: str  # what the bound is made of, for the message


class Deadlines:
    """The client's wall-clock bound on each running report, the same for every executor.

    The worker enforces the notebook's time limit itself, but a worker can hang after it (in
    rendering) or stop answering altogether (a stopped or frozen process). So the client gives
    each report :attr:`~analysis.run.kernel.Limits.answer` seconds from its start (kernel
    start-up + notebook + rendering allowance), or
    :attr:`~analysis.run.kernel.Limits.answer_when_ready` from the moment its kernel is ready;
    a report past that is given up (:func:`no_answer`) and its worker replaced.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.running: dict[str, Running] = {}

    def began(self, task: Task, worker: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        lim = self.limits
        parts = (
            f"kernel start-up {lim.start:g} s + notebook {lim.report:g} s"
            f" + rendering {lim.render:g} s"
        )
        self.running[task.name] = Running(task, worker, now, lim.answer, now + lim.answer, parts)

    def ready(self, name: str, now: float | None = None) -> None:
        """The report's kernel is up: from now on it has the notebook's limit plus rendering."""
        run = self.running.get(name)
        if run is not None:
            lim = self.limits
            run.bound = lim.answer_when_ready
            run.deadline = (time.monotonic() if now is None else now) + run.bound
            run.parts = f"notebook {lim.report:g} s + rendering {lim.render:g} s, kernel ready"

    def end(self, name: str) -> Running | None:
        return self.running.pop(name, None)

    def overdue(self, now: float | None = None) -> list[Running]:
        """The reports past their bound, taken off the watch (the caller fails them)."""
        now = time.monotonic() if now is None else now
        late = [r for r in self.running.values() if now > r.deadline]
        for run in late:
            del self.running[run.task.name]
        return late


def no_answer(run: Running, action: str, now: float | None = None) -> TaskResult:
    """The failure of a report whose worker did not answer within the client's bound."""
    seconds = (time.monotonic() if now is None else now) - run.began
    return failed(
        run.task,
        f"timed out: no answer from worker {run.worker} within {run.bound:g} s "
        f"({run.parts}); {action}",
        seconds,
    )


# -------------------------------------------------------------------------------------- local


#: What a local worker sends when its report's kernel is ready (the rest is a TaskResult).
READY = "ready"


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
                result = run_task(
                    task, kernel, path, limits, on_ready=lambda: outbox.put((wid, READY))
                )
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


class LocalExecutor:
    """``n_jobs`` worker processes on this machine, each with a warm kernel.

    A report that gets no answer within the client's bound (:class:`Deadlines`: start-up +
    notebook + rendering allowance) has its worker and kernel killed, fails with the reason, and
    a new worker takes the next report. Workers die with the batch (``PR_SET_PDEATHSIG``; kernels
    follow their parent), so a killed batch leaves none; its scratch folder is swept by the next
    batch (:mod:`analysis.run.scratch`).
    """

    ships_store = False  # same machine: the workers read the client's store (and check it)

    def __init__(self, n_jobs: int = 2, limits: Limits | None = None):
        if n_jobs < 1:
            raise UsageError(f"--jobs must be 1 or more, not {n_jobs}")
        self.n_jobs = n_jobs
        self.limits = limits or Limits()

    def run(self, tasks: list[Task], store: StoreRef, on_result: OnResult) -> None:
        with scratch_dir() as root:
            self._run(tasks, store, on_result, root)

    def _run(self, tasks: list[Task], store: StoreRef, on_result: OnResult, root: Path) -> None:
        ctx = mp.get_context("spawn")
        outbox: mp.Queue = ctx.Queue()
        pending = deque(tasks)
        slots: dict[int, _Slot] = {}
        watch = Deadlines(self.limits)
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
                slot.task = pending.popleft()
                watch.began(slot.task, f"local-{wid} (pid {slot.proc.pid})")
                slot.inbox.put((slot.task, store))
            else:
                slot.task = None

        def finish(wid: int, result: TaskResult) -> None:
            watch.end(result.name)
            slots[wid].task = None
            on_result(result)
            feed(wid)

        def replace(wid: int, result: TaskResult) -> None:
            slot = slots.pop(wid)
            kill_tree(slot.proc.pid)
            if slot.task is not None:
                watch.end(slot.task.name)
                on_result(result)
            if pending:
                feed(start())

        try:
            for _ in range(max(1, min(self.n_jobs, len(tasks)))):
                feed(start())
            while any(s.task is not None for s in slots.values()):
                with contextlib.suppress(queue.Empty):
                    wid, message = outbox.get(timeout=1)
                    slot = slots.get(wid)  # None: a worker already replaced, its task answered
                    if slot is not None and slot.task is not None:
                        if message == READY:
                            watch.ready(slot.task.name)
                        else:
                            finish(wid, message)
                    continue
                for run in watch.overdue():
                    wid = next(w for w, s in slots.items() if s.task is run.task)
                    replace(wid, no_answer(run, "worker and kernel killed"))
                for wid, slot in list(slots.items()):
                    if slot.task is not None and not slot.proc.is_alive():
                        code = slot.proc.exitcode
                        reason = f"the worker process stopped unexpectedly (exit code {code})"
                        replace(wid, failed(slot.task, reason))
        finally:
            for slot in slots.values():
                with contextlib.suppress(Exception):
                    slot.inbox.put(None)
            deadline = time.monotonic() + 10
            for slot in slots.values():
                slot.proc.join(timeout=max(0.1, deadline - time.monotonic()))
                if slot.proc.is_alive():
                    kill_tree(slot.proc.pid)
