"""Test-only: put this folder on a process's ``PYTHONPATH`` with ``ANALYSIS_TEST_HANG_RENDER``
set to a place id, and rendering that place's report hangs (as a stuck PDF or Word export
would), or, with ``ANALYSIS_TEST_HANG_HOW=stop``, stops the whole worker process (SIGSTOP: no
answer, no heartbeat, as a frozen machine). Python imports ``sitecustomize`` at start-up; the
package itself has no hook: this wraps ``analysis.reports.exporters.render`` once that module
is imported."""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import signal
import sys
import time

PLACE = os.environ.get("ANALYSIS_TEST_HANG_RENDER", "")
TARGET = "analysis.reports.exporters"


def _patch(module: object) -> None:
    render = module.render

    def hanging_render(nb, formats):
        if nb.metadata.get("papermill", {}).get("parameters", {}).get("place") == PLACE:
            if os.environ.get("ANALYSIS_TEST_HANG_HOW") == "stop":
                os.kill(os.getpid(), signal.SIGSTOP)
            while True:
                time.sleep(60)
        return render(nb, formats)

    module.render = hanging_render


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != TARGET:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module: object) -> None:
            run(module)
            _patch(module)

        spec.loader.exec_module = exec_module
        return spec


if PLACE:
    sys.meta_path.insert(0, _Finder())
