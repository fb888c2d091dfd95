"""The ledger of accepted submissions: a plain CSV file beside the archived workbooks
(``data/received/ledger.csv``), one row per file loaded, in the order loaded.

The ledger lives outside the store on purpose: if the store is lost or corrupt, ``build``
rebuilds it from the raw tables and loads again, in order, every archived file the ledger lists
for that store. A file loaded with ``--no-archive`` is listed as ``not_archived`` (a rebuild
cannot load it again); ``build --no-replay --yes`` marks the store's rows ``dropped``.
"""

from __future__ import annotations

import csv
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from analysis.core.errors import UsageError
from analysis.core.text import defuse_frame

LEDGER_NAME = "ledger.csv"
COLUMNS = (
    "seq",
    "loaded_at",
    "store",
    "unit_code",
    "year",
    "file_name",
    "sha256",
    "received_on",
    "archived_as",
    "status",
)
#: ``status`` of a row: loaded and archived (replayed by ``build``), loaded without an archived
#: copy (cannot be replayed), or dropped by ``build --no-replay --yes``.
STATUSES = ("archived", "not_archived", "dropped")


class LedgerError(UsageError):
    """The ledger file cannot be read: the message names the file and the line."""


def read_ledger(path: Path) -> pd.DataFrame:
    """Every row of the ledger at ``path`` as text (an empty table when there is no ledger)."""
    if not path.exists():
        return pd.DataFrame(columns=list(COLUMNS), dtype=object)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LedgerError(f"{path}: the ledger cannot be read ({reason})") from exc
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise LedgerError(f"{path}, line 1: the ledger lacks the column(s) {', '.join(missing)}")
    bad = ~frame["status"].isin(STATUSES)
    if bad.any():
        line = int(bad.idxmax()) + 2
        raise LedgerError(
            f"{path}, line {line}: unknown status {frame.at[bad.idxmax(), 'status']!r} "
            f"(one of {', '.join(STATUSES)})"
        )
    return frame[list(COLUMNS)]


def _write(path: Path, frame: pd.DataFrame) -> None:
    """Write the whole ledger to a temporary file and rename it over the old one (atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        defuse_frame(frame[list(COLUMNS)]).to_csv(
            handle, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL
        )
    os.replace(tmp, path)


def store_key(db_path: Path) -> str:
    """How the ledger names a store: its absolute path."""
    return str(db_path.resolve())


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<ledger>.lock`` while the ledger is read and rewritten, so
    that two ingests at once both keep their row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def record(path: Path, entry: dict[str, object]) -> None:
    """Add one accepted submission (``COLUMNS`` but ``seq``) at the end of the ledger."""
    with _locked(path):
        _append(path, entry)


def _append(path: Path, entry: dict[str, object]) -> None:
    frame = read_ledger(path)
    seq = int(pd.to_numeric(frame["seq"]).max()) + 1 if len(frame) else 1
    row = {c: "" if entry.get(c) is None else str(entry.get(c)) for c in COLUMNS}
    row["seq"] = str(seq)
    archived = entry.get("archived_as")
    if archived:
        try:
            row["archived_as"] = str(
                Path(str(archived)).resolve().relative_to(path.parent.resolve())
            )
        except ValueError:
            row["archived_as"] = str(Path(str(archived)).resolve())
    _write(path, pd.concat([frame, pd.DataFrame([row])], ignore_index=True))


def entries_for(path: Path, db_path: Path) -> pd.DataFrame:
    """The ledger's rows of one store, in the order loaded; ``archived_as`` as full paths."""
    frame = read_ledger(path)
    mine = frame[frame["store"] == store_key(db_path)].copy()
    mine["archived_as"] = [
        "" if not text else str(path.parent / text) if not Path(text).is_absolute() else text
        for text in mine["archived_as"]
    ]
    return mine.reset_index(drop=True)


def replayable(path: Path, db_path: Path) -> pd.DataFrame:
    """What ``build`` loads again into a rebuilt store: ``archived_as`` and ``received_on`` of
    the store's archived rows, in order."""
    mine = entries_for(path, db_path)
    mine = mine[mine["status"] == "archived"]
    return pd.DataFrame(
        {
            "archived_as": list(mine["archived_as"]),
            "received_on": pd.to_datetime(mine["received_on"].replace("", None), errors="coerce"),
        }
    )


def mark_dropped(path: Path, db_path: Path) -> int:
    """Mark the store's archived and unarchived rows ``dropped`` (``build --no-replay --yes``);
    return how many."""
    if not path.exists():
        return 0
    with _locked(path):
        frame = read_ledger(path)
        hit = (frame["store"] == store_key(db_path)) & (frame["status"] != "dropped")
        if hit.any():
            frame.loc[hit, "status"] = "dropped"
            _write(path, frame)
    return int(hit.sum())
