"""`make lab`: JupyterLab starts with the project's environment as its kernel."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analysis.core import config

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read().decode())


def test_lab_serves_the_project_kernel(tmp_path: Path) -> None:
    makefile = (config.ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^lab:.*\n\t(.+)$", makefile, re.M).group(1)
    assert "jupyter lab --notebook-dir=notebooks" in recipe  # what `make lab` runs
    port = _free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path)}
    cmd = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--notebook-dir=notebooks",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--allow-root",
    ]
    server = subprocess.Popen(
        cmd, cwd=config.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        specs = None
        while time.monotonic() < deadline:
            try:
                specs = _get(f"{base}/api/kernelspecs")
                break
            except OSError:
                time.sleep(0.5)
        assert specs is not None, "JupyterLab did not answer within 60 s"
        python = specs["kernelspecs"][specs["default"]]["spec"]["argv"][0]
        # "python" is replaced by the server's own interpreter when a kernel starts (jupyter_
        # client), and the server runs from .venv: `import analysis` needs no path tricks
        assert python == "python" or Path(python).parent == Path(sys.executable).parent
        contents = _get(f"{base}/api/contents/questions")
        names = {item["name"] for item in contents["content"]}
        assert "off_track_2025.ipynb" in names
    finally:
        server.terminate()
        server.wait(timeout=30)
