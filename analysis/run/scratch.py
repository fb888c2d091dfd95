"""The batch's scratch folders (``analysis-batch-*`` in the temporary directory), and sweeping
the ones a killed batch left behind.

A batch removes its scratch folder when it ends, but a batch killed with ``kill -9`` cannot.
So each folder carries a lock file its batch holds an exclusive ``flock`` on for as long as it
lives; the operating system drops the lock when the process dies, whatever the signal, and a
reused process id does not bring it back. The next batch removes every folder whose lock it can
take, and never one whose lock is held (a live batch). The folder is born locked: it is made
under a hidden name, locked, then renamed, so no sweep ever sees it unlocked.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PREFIX = "analysis-batch-"
#: The lock file inside a scratch folder; it also says which process made the folder, and when.
LOCK = "owner.lock"
log = logging.getLogger(__name__)


def _lock(path: Path, flags: int) -> int | None:
    """An open descriptor of ``path`` with an exclusive flock on it, or None if another
    process holds it."""
    fd = os.open(path, flags, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def sweep_stale(tmp: Path | None = None) -> list[Path]:
    """Remove the scratch folders of batches that are gone (their lock is free); the folders
    removed. A folder of a live batch, of another user, or without a lock file (made by an
    older version, or not ours) is left alone."""
    tmp = Path(tmp or tempfile.gettempdir())
    removed: list[Path] = []
    uid = os.getuid()
    for folder in sorted(tmp.glob(f"{PREFIX}*")):
        try:
            if not folder.is_dir() or folder.is_symlink() or folder.stat().st_uid != uid:
                continue
            fd = _lock(folder / LOCK, os.O_RDONLY)
        except OSError:  # no lock file, gone meanwhile, not readable: not ours to judge
            continue
        if fd is None:
            continue  # its batch is alive
        try:
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            os.close(fd)
        if not folder.exists():
            removed.append(folder)
            log.info("removed the scratch folder of a batch that is gone: %s", folder)
    return removed


@contextlib.contextmanager
def scratch_dir(tmp: Path | None = None) -> Iterator[Path]:
    """A scratch folder for this batch, locked while it lives and removed when it ends."""
    tmp = Path(tmp or tempfile.gettempdir())
    hidden = Path(tempfile.mkdtemp(prefix=f".{PREFIX}new-", dir=tmp))
    fd = _lock(hidden / LOCK, os.O_RDWR | os.O_CREAT | os.O_EXCL)
    assert fd is not None  # a file just made in a folder just made: nobody else holds it
    os.write(fd, f"pid {os.getpid()} started {time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n".encode())
    root = tmp / (PREFIX + hidden.name.removeprefix(f".{PREFIX}new-"))
    try:
        os.rename(hidden, root)  # the lock goes with the open file, not the name
    except OSError:
        os.close(fd)
        shutil.rmtree(hidden, ignore_errors=True)
        raise
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
        os.close(fd)
