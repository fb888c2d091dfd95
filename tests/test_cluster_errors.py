"""A wrong ``--scheduler`` is said in words with exit 2, before any work and without Dask's own
hangs or "Unable to allocate 3.07 EiB": nothing listening, a web server (the dashboard's port),
a service that says nothing, a service with another greeting, a malformed address. And the
manifest's writes: atomic, merged under a lock, a full disk named with nothing left behind."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import socket
import socketserver
import stat
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from analysis.cli.main import main
from analysis.run.manifest import DiskFull, atomic_write, read_manifest, update_manifest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Quiet(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def http_server() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


class _Banner(socketserver.BaseRequestHandler):
    banner = b""

    def handle(self) -> None:
        if self.banner:
            self.request.sendall(self.banner)
        self.request.recv(1024)


@pytest.fixture(params=[b"", b"SSH-2.0-OpenSSH_9.6\r\n"], ids=["silent", "ssh"])
def tcp_server(request: pytest.FixtureRequest) -> Iterator[tuple[int, bytes]]:
    handler = type("Handler", (_Banner,), {"banner": request.param})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], request.param
    server.shutdown()


def _report(address: str, capsys: pytest.CaptureFixture) -> tuple[int, str]:
    code = main(["report", "--scheduler", address, "--db", "/nonexistent/never-read.duckdb"])
    return code, capsys.readouterr().err


def test_nothing_listening(capsys: pytest.CaptureFixture) -> None:
    port = _free_port()
    code, err = _report(f"tcp://127.0.0.1:{port}", capsys)
    assert code == 2
    assert f"nothing listens at 127.0.0.1:{port}: is the Dask scheduler running there?" in err


def test_a_web_server_is_not_a_scheduler(http_server: int, capsys: pytest.CaptureFixture):
    code, err = _report(f"127.0.0.1:{http_server}", capsys)
    assert code == 2
    assert f"127.0.0.1:{http_server} is not a Dask scheduler: it sent no greeting" in err
    assert "8787 is its dashboard" in err and "EiB" not in err


def test_other_services(tcp_server: tuple[int, bytes], capsys: pytest.CaptureFixture) -> None:
    port, banner = tcp_server
    code, err = _report(f"tcp://127.0.0.1:{port}", capsys)
    assert code == 2
    if banner:
        assert "is not a Dask scheduler: it answered b'SSH-2.0-Open'" in err
    else:
        assert "it sent no greeting" in err


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("localhost", "bad scheduler address 'localhost': use HOST:PORT"),
        ("tcp://:8786", "bad scheduler address 'tcp://:8786'"),
        ("no-such-host.invalid:8786", "unknown host 'no-such-host.invalid'"),
    ],
)
def test_malformed_addresses(address: str, message: str, capsys: pytest.CaptureFixture) -> None:
    code, err = _report(address, capsys)
    assert code == 2 and message in err


def test_jobs_and_limits_are_checked_first(capsys: pytest.CaptureFixture) -> None:
    assert main(["report", "--jobs", "0", "--db", "/nonexistent.duckdb"]) == 2
    assert "--jobs must be 1 or more, not 0" in capsys.readouterr().err
    assert main(["report", "--timeout", "0", "--db", "/nonexistent.duckdb"]) == 2
    assert "--timeout must be a number of seconds above 0" in capsys.readouterr().err
    assert main(["report", "--format", "", "--db", "/nonexistent.duckdb"]) == 2
    assert "no output format given" in capsys.readouterr().err
    assert main(["report", "--shared-store", "--db", "/nonexistent.duckdb"]) == 2
    assert "--shared-store only applies with --scheduler" in capsys.readouterr().err


# ------------------------------------------------------------------------------------ manifest


def _entry(key: str) -> dict:
    return {"key": key, "status": "done", "outputs": {}}


def _writer(out: str, prefix: str, n: int) -> None:
    for i in range(n):
        update_manifest(Path(out), [_entry(f"{prefix}/{i}")], {"writer": prefix})


def test_two_writers_at_once_lose_no_entry(tmp_path: Path) -> None:
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), p, 40)) for p in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    keys = set(read_manifest(tmp_path))
    assert keys == {f"{p}/{i}" for p in ("a", "b") for i in range(40)}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_update_keeps_other_entries_and_replaces_its_own(tmp_path: Path) -> None:
    update_manifest(tmp_path, [_entry("x"), _entry("y")], {"run": 1})
    update_manifest(tmp_path, [{**_entry("y"), "status": "failed"}], {"run": 2})
    body = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert body["run"] == 2
    assert [(e["key"], e["status"]) for e in body["reports"]] == [("x", "done"), ("y", "failed")]


def test_atomic_write_keeps_the_usual_file_mode(tmp_path: Path) -> None:
    path = atomic_write(tmp_path / "a" / "r.html", b"<html></html>")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    assert path.read_bytes() == b"<html></html>"


def test_full_disk_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)])
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        atomic_write(mount / "r.html", b"old")
        with pytest.raises(DiskFull, match=r"disk full: cannot write .*r\.html \(200,000 bytes\)"):
            atomic_write(mount / "r.html", b"x" * 200_000)
        assert (mount / "r.html").read_bytes() == b"old"
        assert sorted(p.name for p in mount.iterdir()) == ["r.html"]
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
