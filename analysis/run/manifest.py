"""The batch's files on the client: every output written atomically (temporary file, then
rename), and the manifest updated entry by entry under a lock, so an aborted batch keeps what it
made and two batches writing to one folder both appear in it."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from analysis.core.errors import AnalysisError

MANIFEST = "manifest.json"
LOCK = ".manifest.lock"


class DiskFull(AnalysisError):
    """The output folder's disk is full (or over quota): nothing half-written is left behind."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    A reader sees the old file or the new one, never a part. On a full disk the temporary file is
    removed and :class:`DiskFull` says which file could not be written.
    """
    path = Path(path)
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~_umask())  # mkstemp makes 0600; keep the usual mode
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFull(f"disk full: cannot write {path} ({len(data):,} bytes)") from exc
        raise
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return path


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's manifest lock (an advisory ``flock``; released if we die)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def read_manifest(out_dir: Path) -> dict[str, dict]:
    """The manifest's entries by key (empty when there is none or it cannot be read)."""
    return _read(out_dir)[1]


def _read(out_dir: Path) -> tuple[dict[str, object], dict[str, dict]]:
    path = out_dir / MANIFEST
    if not path.exists():
        return {}, {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}, {}
    meta = {k: v for k, v in data.items() if k != "reports"}
    return meta, {entry["key"]: entry for entry in data.get("reports", [])}


def _write(out_dir: Path, meta: dict[str, object], entries: dict[str, dict]) -> Path:
    body = {**meta, "reports": sorted(entries.values(), key=lambda e: e["key"])}
    return atomic_write(
        out_dir / MANIFEST, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
    )


def write_manifest(out_dir: Path, entries: dict[str, dict], meta: dict[str, object]) -> Path:
    """Write the whole manifest (under the lock): ``meta`` and ``entries``."""
    with locked(out_dir):
        return _write(out_dir, meta, entries)


def update_manifest(
    out_dir: Path, entries: list[dict], meta: dict[str, object] | None = None
) -> Path:
    """Merge ``entries`` (by key) into the manifest as it is on disk now, under the lock.

    Called as each report finishes, so what is done is recorded even if the batch is killed;
    entries another batch wrote meanwhile are kept.
    """
    with locked(out_dir):
        old_meta, current = _read(out_dir)
        for entry in entries:
            current[entry["key"]] = entry
        return _write(out_dir, {**old_meta, **(meta or {})}, current)


def write_index_atomically(out_dir: Path, db_path: Path) -> Path:
    """Write ``index.html`` from the manifest, under the lock, through a temporary folder.

    The index page is made by :func:`analysis.reports.index_page.write_index` in a private
    folder holding a copy of the manifest, then renamed into place.
    """
    # The report layer only when the index page is written.
    from analysis.reports.index_page import write_index

    with locked(out_dir):
        scratch = Path(tempfile.mkdtemp(prefix=".index.", dir=out_dir))
        try:
            (scratch / MANIFEST).write_bytes((out_dir / MANIFEST).read_bytes())
            write_index(scratch, db_path=db_path)
            for made in scratch.iterdir():  # the page and what it links to (downloads/...)
                if made.name == MANIFEST:
                    continue
                target = out_dir / made.name
                if made.is_dir() and target.is_dir():
                    shutil.rmtree(target)
                os.replace(made, target)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFull(f"disk full: cannot write {out_dir / 'index.html'}") from exc
            raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return out_dir / "index.html"
