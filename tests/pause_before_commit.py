"""Run ``python -m analysis ARGS`` but stop just before an ingest's COMMIT (the last insert of a
load is its ``ingest_log`` row): write the file named by the first argument, then sleep, so that a
test can kill the process there. A test hook kept out of the package."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from analysis.cli.main import main
from analysis.intake import ingest

marker = Path(sys.argv[1])
_insert = ingest._insert


def _insert_then_pause(con, table, frame):  # type: ignore[no-untyped-def]
    _insert(con, table, frame)
    if table == "ingest_log":
        marker.write_text("paused", encoding="utf-8")
        time.sleep(120)


ingest._insert = _insert_then_pause
sys.exit(main(sys.argv[2:]))
