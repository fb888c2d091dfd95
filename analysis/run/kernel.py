"""What a worker does for one report, the same in a local worker process and on a Dask worker:
get the client's store (bytes or a checked path), run the notebook with papermill on a warm
kernel under a time limit, render it, and hand back the files' bytes. A worker never writes to
the client's output folder and never builds a store of its own."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.errors import AnalysisError
from analysis.run.plan import Job, store_name

KERNEL_NAME = "python3"
#: Defaults of the per-report limits (seconds); ``report --timeout/--start-timeout`` change them.
REPORT_TIMEOUT = 600.0
START_TIMEOUT = 120.0
#: Seconds allowed for rendering a report (HTML, PDF, Word) after its notebook ran.
RENDER_TIMEOUT = 120.0
log = logging.getLogger(__name__)


class StoreRefused(AnalysisError):
    """The worker cannot use the client's store: missing, or holding other data."""


@dataclass(frozen=True)
class StoreRef:
    """How a worker gets the client's store: its bytes, or a path it can read itself. Either way
    the worker checks ``fingerprint`` (the store's content fingerprint) before using it."""

    fingerprint: str
    data: bytes | None = None
    path: str | None = None


@dataclass(frozen=True)
class Limits:
    """Per-report time limits: kernel start-up, the whole notebook run, and an allowance for
    rendering. The worker enforces the first two itself; the client (the executor) gives up on
    a worker that has not answered within their sum (see :attr:`answer`)."""

    report: float = REPORT_TIMEOUT
    start: float = START_TIMEOUT
    render: float = RENDER_TIMEOUT

    @property
    def answer(self) -> float:
        """Seconds from a report's start on a worker to its answer, at most."""
        return self.start + self.report + self.render

    @property
    def answer_when_ready(self) -> float:
        """Seconds from the kernel being ready (start-up over) to the answer, at most."""
        return self.report + self.render


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one report (the package aside)."""

    job: Job
    fingerprint: str
    notebook: bytes
    key: str = ""
    #: Worked out on the client (a question notebook's are read from it): the notebook's
    #: parameters; empty means "ask the job" (same machine).
    parameters: dict[str, object] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.key or self.job.key


@dataclass
class TaskResult:
    """A worker's answer: the status, and the files' bytes by name (``notebook``, ``html``...)."""

    name: str
    status: str  # done, failed
    seconds: float = 0.0
    error: str = ""
    failed_cell: int | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds: execute, html, pdf, docx

    @property
    def nbytes(self) -> int:
        return sum(len(b) for b in self.files.values())


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies (``PR_SET_PDEATHSIG``), so
    a killed batch leaves no worker behind. A no-op elsewhere."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(sig), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG


# -------------------------------------------------------------------------------------- store


def materialize_store(ref: StoreRef, workdir: Path) -> Path:
    """The store as a file in ``workdir``, named after its fingerprint, checked against it.

    Bytes are written once per fingerprint; a path is linked. A store whose content fingerprint
    is not the client's is refused, so a report never comes from other data than the manifest says.
    """
    # The store's module (DuckDB, pandas) only where a report runs (the worker).
    from analysis.data.store_file import content_fingerprint

    target = workdir / store_name(ref.fingerprint)
    if target.exists():
        return target
    workdir.mkdir(parents=True, exist_ok=True)
    host = os.uname().nodename
    if ref.data is not None:
        fd, tmp = tempfile.mkstemp(prefix=".store.", dir=workdir)
        with os.fdopen(fd, "wb") as fh:
            fh.write(ref.data)
    elif ref.path is not None:
        if not Path(ref.path).is_file():
            raise StoreRefused(
                f"the store {ref.path} is not on worker {host}; send the store with the task "
                "(the default) or share that path with every worker"
            )
        tmp = str(workdir / f".link.{os.getpid()}.{threading.get_ident()}")
        os.symlink(Path(ref.path).resolve(), tmp)
    else:
        raise StoreRefused("the task carries neither the store nor its path")
    try:
        found = content_fingerprint(Path(tmp))
        if found != ref.fingerprint:
            raise StoreRefused(
                f"the store on worker {host} ({ref.path or 'sent bytes'}) holds other data than "
                f"the client's: fingerprint {found[:12]}, expected {ref.fingerprint[:12]}"
            )
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target


# ------------------------------------------------------------------------------------- kernel


class KernelStartError(AnalysisError):
    """The kernel did not start (or answer) within the start-up limit."""


class WarmKernel:
    """A Jupyter kernel kept alive across notebooks, with the heavy imports done once.

    Between reports :meth:`reset` forgets the previous notebook's variables; a kernel that died
    or was stopped for a time limit is started again on the next :meth:`ensure`.
    """

    WARM_UP = (
        "import analysis.reports.content, analysis.reports.charts\n"
        "import analysis.indicators.progress, analysis.indicators.recognition\n"
        "import matplotlib.pyplot as _plt\n"
        "analysis.reports.charts.apply_style()\n"
        "_fig = _plt.figure(); _fig.text(0.5, 0.5, 'Lạng Sơn'); _fig.savefig(__import__('io')"
        ".BytesIO(), format='png'); _plt.close(_fig)"
    )

    def __init__(self, workdir: Path, start_timeout: float = START_TIMEOUT) -> None:
        self.workdir = workdir
        self.start_timeout = start_timeout
        self.km: object | None = None
        self._log = None
        self.killed_for_time = False

    @property
    def pid(self) -> int | None:
        provisioner = getattr(self.km, "provisioner", None)
        return getattr(provisioner, "pid", None) if provisioner else None

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    #: Between notebooks: forget variables and figures, and number cells from 1 again, so a
    #: notebook's cell numbers (and a failure's "cell N") do not depend on what ran before.
    RESET = (
        "%reset -f\nimport matplotlib.pyplot as _plt\n_plt.close('all')\n"
        "get_ipython().execution_count = 1"
    )

    def ensure(self) -> None:
        """Start the kernel if it is not running; reset it for the next notebook."""
        if self.alive():
            try:
                self._run(self.RESET, 60)
                return
            except Exception:  # a kernel that no longer answers is replaced
                log.warning("the warm kernel did not answer its reset; starting a new one")
        self._start()
        self._run(self.RESET, 60)

    def _start(self) -> None:
        self.shutdown()
        # jupyter_client only when a kernel starts (a rerun with nothing to do starts none).
        from jupyter_client.manager import KernelManager

        self.workdir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.workdir / f"kernel-{os.getpid()}.log", "ab")
        # nbclient runs the notebook with asyncio: it must get an asynchronous client, or it
        # blocks reading messages and never sees the kernel die (the batch hung forever).
        self.km = KernelManager(
            kernel_name=KERNEL_NAME, client_class="jupyter_client.asynchronous.AsyncKernelClient"
        )
        started = time.monotonic()
        self.km.start_kernel(
            cwd=str(self.workdir),
            stdout=self._log,
            stderr=self._log,
            # no IPython history database: cell numbers restart per notebook, and many kernels
            # on a cluster's shared home would fight over one SQLite file
            extra_arguments=["--HistoryManager.enabled=False"],
        )
        left = max(1.0, self.start_timeout - (time.monotonic() - started))
        try:
            self._run(self.WARM_UP, left)
        except Exception as exc:
            self.shutdown()
            raise KernelStartError(
                f"the kernel did not start within {self.start_timeout:g} s ({exc})"
            ) from exc

    def _run(self, code: str, timeout: float) -> None:
        client = self.km.blocking_client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=timeout)
            client.execute_interactive(
                code, timeout=timeout, store_history=False, output_hook=lambda msg: None
            )
        finally:
            client.stop_channels()

    def kill(self) -> None:
        """Stop the kernel at once (the time limit); the running notebook fails."""
        self.killed_for_time = True
        pid = self.pid
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def shutdown(self) -> None:
        if self.km is not None:
            with contextlib.suppress(Exception):
                self.km.shutdown_kernel(now=True)
            self.km = None
        if self._log is not None:
            self._log.close()
            self._log = None


# ------------------------------------------------------------------------------------ one task


def render(nb: object, job: Job) -> tuple[dict[str, bytes], dict[str, float]]:
    """The report's files from its executed notebook, by format, and the seconds each took: the
    one call into the report layer (:func:`analysis.reports.exporters.render`)."""
    # The report layer (nbconvert, WeasyPrint, python-docx) only where a report is rendered.
    from analysis.reports.exporters import render as render_model

    return render_model(nb, job.formats)


def _failure(exc: BaseException, kernel: WarmKernel, limits: Limits) -> tuple[str, int | None]:
    # papermill only where a report runs.
    from papermill.exceptions import PapermillExecutionError

    if kernel.killed_for_time:
        return f"timed out: the notebook ran longer than {limits.report:g} s", None
    if isinstance(exc, PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue}", exc.exec_count
    name = exc.__class__.__name__
    if name == "DeadKernelError" or (kernel.km is not None and not kernel.alive()):
        return f"the kernel died while running the notebook ({name}: {exc})", None
    if name == "CellTimeoutError":
        return f"timed out: a cell ran longer than {limits.report:g} s", None
    return f"{name}: {exc}", None


def run_task(
    task: Task,
    kernel: WarmKernel,
    store: Path,
    limits: Limits,
    on_ready: Callable[[], None] | None = None,
) -> TaskResult:
    """Run one report's notebook on ``kernel`` against ``store`` and render it; never raises for
    a failing report (the reason is in the result). ``on_ready`` is called once the kernel is up,
    so the client can shorten its bound on the answer to :attr:`Limits.answer_when_ready`."""
    # nbformat only where a notebook is read.
    import nbformat
    import papermill

    started = time.perf_counter()
    job = task.job
    kernel.killed_for_time = False
    try:
        kernel.ensure()
    except Exception as exc:
        return TaskResult(task.name, "failed", time.perf_counter() - started, error=str(exc))
    if on_ready is not None:
        on_ready()
    timer = threading.Timer(limits.report, kernel.kill)
    timer.daemon = True
    try:
        nb = nbformat.reads(task.notebook.decode("utf-8"), as_version=4)
        timer.start()
        nb = papermill.execute_notebook(
            nb,
            None,
            parameters=task.parameters or job.parameters(store.name),
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            request_save_on_cell_execute=False,
            cwd=str(store.parent),
            start_timeout=limits.start,
            execution_timeout=limits.report,
            km=kernel.km,
        )
        timer.cancel()
        executed = round(time.perf_counter() - started, 3)
        nb.metadata.papermill["input_path"] = f"notebooks/{job.notebook.name}"
        nb.metadata.papermill["output_path"] = None
        files = {"notebook": nbformat.writes(nb).encode("utf-8")}
        rendered, timings = render(nb, job)
        files.update(rendered)
    except Exception as exc:  # a report failing must not stop the batch
        timer.cancel()
        error, cell = _failure(exc, kernel, limits)
        if cell is None:  # not an error inside the notebook: the kernel may be stuck or dead
            kernel.shutdown()
        return TaskResult(
            task.name, "failed", time.perf_counter() - started, error=error, failed_cell=cell
        )
    return TaskResult(
        task.name,
        "done",
        time.perf_counter() - started,
        files=files,
        timings={"execute": executed, **timings},
    )
