"""The report batch on a Dask cluster: the executor, the worker plugin that keeps a warm kernel
per worker, and the checks that turn a wrong address or a mismatched cluster into a message.

Nothing is assumed shared with the workers but the installed package: the store goes with the
tasks (scattered once, copied once per worker and checked against its fingerprint) and the
rendered files come back as bytes. See ``docs/cluster.md``.
"""

from __future__ import annotations

import contextlib
import logging
import platform
import queue
import socket
import threading
import time
import uuid
from collections import deque
from concurrent.futures import CancelledError
from pathlib import Path

from distributed import Client, get_worker, wait
from distributed.diagnostics.plugin import WorkerPlugin

from analysis import __version__
from analysis.core.errors import UsageError
from analysis.run.executors import WORKER_TIMEOUT, Deadlines, OnResult, failed, no_answer
from analysis.run.kernel import (
    Limits,
    StoreRef,
    StoreRefused,
    Task,
    TaskResult,
    WarmKernel,
    materialize_store,
    run_task,
)
from analysis.run.plan import code_fingerprint

#: Seconds to reach the scheduler.
CONNECT_TIMEOUT = 10.0
#: Seconds a worker that did not answer in time may take to be restarted by its nanny.
RESTART_TIMEOUT = 30.0
log = logging.getLogger(__name__)


class ClusterError(UsageError):
    """The Dask cluster cannot be used: bad address, not a scheduler, no workers, other code."""


PLUGIN_NAME = "analysis-warm-kernels"


class WarmKernelPlugin(WorkerPlugin):
    """A Dask worker plugin: one warm kernel per worker thread (run workers with one thread),
    kept across reports and reset between them, plus the worker's checked copy of the store."""

    name = PLUGIN_NAME

    def __init__(self, start_timeout: float) -> None:
        self.start_timeout = start_timeout

    def setup(self, worker: object) -> None:
        self.workdir = Path(worker.local_directory) / "analysis"
        self.kernels: dict[int, WarmKernel] = {}
        self.lock = threading.Lock()

    def kernel(self) -> WarmKernel:
        with self.lock:
            ident = threading.get_ident()
            if ident not in self.kernels:
                self.kernels[ident] = WarmKernel(self.workdir, self.start_timeout)
            return self.kernels[ident]

    def store(self, ref: StoreRef) -> Path:
        with self.lock:
            return materialize_store(ref, self.workdir)

    def teardown(self, worker: object) -> None:
        for kernel in self.kernels.values():
            kernel.shutdown()


def hold(store: StoreRef) -> StoreRef:
    """The store as a task result (see :meth:`DaskExecutor.run`)."""
    return store


def dask_task(task: Task, store: StoreRef, limits: Limits, topic: str = "") -> TaskResult:
    """Run one report on the Dask worker executing this function. With a ``topic``, tell the
    client (a Dask event) when the report begins and when its kernel is ready, so it can bound
    the wait for the answer (:class:`~analysis.run.executors.Deadlines`)."""
    worker = get_worker()
    plugin = worker.plugins[PLUGIN_NAME]

    def tell(phase: str) -> None:
        if topic:
            worker.log_event(topic, {"name": task.name, "phase": phase, "worker": worker.address})

    tell("began")
    try:
        path = plugin.store(store)
    except StoreRefused as exc:
        return failed(task, str(exc))
    return run_task(task, plugin.kernel(), path, limits, on_ready=lambda: tell("ready"))


def worker_identity() -> dict[str, str]:
    """What a worker runs: the package's version and code fingerprint, Python's version."""

    return {
        "analysis": __version__,
        "code": code_fingerprint(),
        "python": platform.python_version(),
    }


def probe_scheduler(address: str, timeout: float = CONNECT_TIMEOUT) -> str:
    """Check that ``address`` is a Dask scheduler before handing it to Dask, and say what is
    wrong in words when not (Dask itself hangs on a dashboard port and reports "Unable to
    allocate 3.07 EiB" for an HTTP server). Returns the address with its scheme."""
    full = address if "://" in address else f"tcp://{address}"
    scheme, _, rest = full.partition("://")
    if scheme != "tcp":
        return full  # tls://, inproc://, ucx://: left to Dask
    host, sep, port_text = rest.rpartition(":")
    if not sep or not port_text.isdigit() or not host:
        raise ClusterError(
            f"bad scheduler address {address!r}: use HOST:PORT, e.g. tcp://10.0.0.5:8786"
        )
    port = int(port_text)
    host = host.strip("[]")
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.gaierror as exc:
        raise ClusterError(f"unknown host {host!r} in the scheduler address {address!r}") from exc
    except ConnectionRefusedError as exc:
        raise ClusterError(
            f"nothing listens at {host}:{port}: is the Dask scheduler running there? "
            "(`dask scheduler` listens on port 8786 by default)"
        ) from exc
    except OSError as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {host}:{port} within {timeout:g} s ({exc})"
        ) from exc
    with sock:
        sock.settimeout(min(timeout, 5.0))
        try:
            greeting = sock.recv(16)
        except TimeoutError:
            greeting = None
        except OSError:
            greeting = b""
    hint = "the scheduler's own port is usually 8786; 8787 is its dashboard"
    if greeting is None:
        raise ClusterError(f"{host}:{port} is not a Dask scheduler: it sent no greeting ({hint})")
    if greeting.startswith(b"HTTP") or greeting[:1] == b"<":
        raise ClusterError(f"{host}:{port} is a web server, not a Dask scheduler ({hint})")
    if not greeting:
        raise ClusterError(f"{host}:{port} closed the connection: not a Dask scheduler ({hint})")
    if len(greeting) < 8 or int.from_bytes(greeting[:8], "little") > 1 << 30:
        raise ClusterError(
            f"{host}:{port} is not a Dask scheduler: it answered {greeting[:12]!r} ({hint})"
        )
    return full


class DaskExecutor:
    """The workers of a Dask cluster, each worker process keeping a warm kernel.

    The store travels with the tasks (scattered once, copied once per worker), or, with
    ``shared_store``, as a path each worker reads and checks; the files come back as bytes.
    ``max_in_flight`` (``--jobs``) caps the reports running at once on the cluster.
    """

    def __init__(
        self,
        address: str,
        limits: Limits | None = None,
        *,
        max_in_flight: int | None = None,
        worker_timeout: float = WORKER_TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
        shared_store: bool = False,
    ) -> None:
        if max_in_flight is not None and max_in_flight < 1:
            raise UsageError(f"--jobs must be 1 or more, not {max_in_flight}")
        self.address = address
        self.limits = limits or Limits()
        self.max_in_flight = max_in_flight
        self.worker_timeout = worker_timeout
        self.connect_timeout = connect_timeout
        self.shared_store = shared_store
        self.ships_store = not shared_store

    def connect(self) -> object:
        """A client for the scheduler, its workers checked; :class:`ClusterError` if unusable."""

        address = probe_scheduler(self.address, self.connect_timeout)
        try:
            client = Client(address, timeout=self.connect_timeout)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot connect to the Dask scheduler at {address}: {exc}") from exc
        try:
            client.wait_for_workers(1, timeout=self.worker_timeout)
        except (TimeoutError, OSError) as exc:
            client.close()
            raise ClusterError(
                f"the Dask scheduler at {address} has no workers (waited "
                f"{self.worker_timeout:g} s); start some with `dask worker {address} --nthreads 1`"
            ) from exc
        self._check_workers(client)
        return client

    def _check_workers(self, client: object) -> None:
        mine = worker_identity()
        try:
            theirs = client.run(worker_identity)
        except Exception as exc:  # the package cannot even be imported there
            client.close()
            raise ClusterError(
                f"the workers cannot run the analysis package ({exc.__class__.__name__}: {exc}); "
                "install the same version of the project on every worker"
            ) from exc
        wrong = {addr: ident for addr, ident in theirs.items() if ident["code"] != mine["code"]}
        if wrong:
            client.close()
            addr, ident = next(iter(wrong.items()))
            raise ClusterError(
                f"{len(wrong)} worker(s) run other code than this client: {addr} has analysis "
                f"{ident['analysis']} (code {ident['code'][:12]}), here analysis "
                f"{mine['analysis']} (code {mine['code'][:12]}); "
                "install the same version everywhere"
            )

    def run(self, tasks: list[Task], store: StoreRef, on_result: OnResult) -> None:
        client = self.connect()
        pending = deque(tasks)
        running: dict[object, Task] = {}
        by_name: dict[str, object] = {}
        watch = Deadlines(self.limits)
        # the workers say when a report begins and when its kernel is ready (Dask events)
        topic = f"analysis-batch-{uuid.uuid4().hex}"
        events: queue.SimpleQueue = queue.SimpleQueue()
        restarts: dict[str, threading.Thread] = {}

        def settle(future: object) -> Task:
            task = running.pop(future)
            del by_name[task.name]
            watch.end(task.name)
            return task

        try:
            client.subscribe_topic(topic, events.put)
            client.register_plugin(WarmKernelPlugin(self.limits.start), name=PLUGIN_NAME)
            # The store rides in a task, not scattered data: if every worker holding it dies,
            # the scheduler makes it again on the next worker instead of cancelling the batch.
            ref = store if self.shared_store else client.submit(hold, store, pure=False)
            cap = self.max_in_flight or len(tasks)

            def submit() -> None:
                while pending and len(running) < cap:
                    task = pending.popleft()
                    future = client.submit(
                        dask_task,
                        task,
                        ref,
                        self.limits,
                        topic,
                        key=f"report-{task.name}-{id(task)}",
                    )
                    running[future] = task
                    by_name[task.name] = future

            submit()
            alone_since: float | None = None
            while running:
                try:
                    done, _ = wait(list(running), timeout=2, return_when="FIRST_COMPLETED")
                except TimeoutError:  # nothing finished in 2 s: are there still workers?
                    done = set()
                except CancelledError:  # some were cancelled: each is looked at below
                    done = {f for f in running if f.done()}
                for future in done:
                    on_result(self._result(settle(future), future))
                self._note(events, watch, by_name, running)
                late = watch.overdue()
                workers = client.nthreads() if late else {}
                for run in late:
                    if run.worker not in workers:  # it died: the scheduler gives the report
                        continue  # to another worker, which says when it begins again
                    future = by_name[run.task.name]
                    settle(future)
                    future.cancel()
                    on_result(no_answer(run, "asked its nanny to restart the worker"))
                    if run.worker not in restarts:  # once, if several of its reports hang
                        restarts[run.worker] = self._restart(client, run.worker)
                submit()
                if done:
                    continue
                if client.nthreads():
                    alone_since = None
                    continue
                alone_since = alone_since or time.monotonic()
                if time.monotonic() - alone_since > self.worker_timeout:
                    reason = f"no Dask worker left for {self.worker_timeout:g} s"
                    for future, task in list(running.items()):
                        future.cancel()
                        on_result(failed(task, reason))
                    running.clear()
                    while pending:
                        on_result(failed(pending.popleft(), reason))
        except (OSError, TimeoutError) as exc:
            reason = f"lost the Dask scheduler at {self.address} ({exc.__class__.__name__})"
            for task in [*running.values(), *pending]:
                on_result(failed(task, reason))
        finally:
            until = time.monotonic() + RESTART_TIMEOUT
            for thread in restarts.values():
                thread.join(timeout=max(0.0, until - time.monotonic()))
            with contextlib.suppress(Exception):
                client.close(timeout=5)

    @staticmethod
    def _note(events: queue.SimpleQueue, watch: Deadlines, by_name: dict, running: dict) -> None:
        """Start or shorten the clock of the reports the workers said began or are ready."""
        while True:
            try:
                _, msg = events.get_nowait()
            except queue.Empty:
                return
            future = by_name.get(msg.get("name"))
            if future is None:  # already answered or given up: a late word
                continue
            if msg.get("phase") == "began":  # again, after a worker died: a fresh start
                watch.began(running[future], str(msg.get("worker")))
            elif msg.get("phase") == "ready":
                watch.ready(msg["name"])

    @staticmethod
    def _restart(client: object, worker: str) -> threading.Thread:
        """Have the worker that does not answer restarted by its nanny, in the background: a
        thread stuck in rendering, or a stopped process, would keep its place (and the reports
        queued behind it) forever. The scheduler gives its other reports to other workers."""

        def restart() -> None:
            try:
                client.restart_workers([worker], timeout=RESTART_TIMEOUT, raise_for_error=False)
            except Exception as exc:  # no nanny, or the cluster is going away
                log.warning("could not restart the Dask worker %s: %s", worker, exc)

        thread = threading.Thread(target=restart, name=f"restart {worker}", daemon=True)
        thread.start()
        return thread

    def _result(self, task: Task, future: object) -> TaskResult:
        """The report's result, or why it failed. Never waits for ever: a result (or an error)
        is fetched from the worker holding it, and if that worker died in between, the future
        waits for a worker to make it again, for ever if none is left."""
        if future.status == "cancelled":
            return failed(task, "cancelled on the cluster")
        try:
            if future.status == "finished":
                return future.result(timeout=self.worker_timeout)
            exc = future.exception(timeout=self.worker_timeout)
        except TimeoutError:
            return failed(
                task,
                "its result was lost with its Dask worker and not made again within "
                f"{self.worker_timeout:g} s",
            )
        if exc.__class__.__name__ == "KilledWorker":
            return failed(task, "its Dask worker died (again and again) while running it")
        return failed(task, f"{exc.__class__.__name__}: {exc}")
