"""A real multi-process server for tests that need one: gunicorn, several workers with threads,
on a free port of 127.0.0.1, serving the test app's configuration against the suite's database.

Requests from a test reach it over HTTP, so concurrency is real: separate processes, separate
connection pools, the database deciding who gets what. Data the test writes must be committed
before the server can see it (the factories commit).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn_server(database_url: str, log_path: Path, *, workers: int = 4, threads: int = 4,
                    config: dict | None = None):
    """Serve create_app('testing') on DATABASE_URL (with CONFIG's overrides, plain values only);
    yields the base URL, stops the server after."""
    port = free_port()
    overrides = {"SQLALCHEMY_DATABASE_URI": database_url, **(config or {})}
    factory = f"marketplace:create_app('testing', {overrides!r})"
    env = {**os.environ, "CANTING_CONFIG": "testing", "PYTHONUNBUFFERED": "1"}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
             "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5", factory],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, process, log_path)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base: str, process: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)  # not listening yet: ask again
            continue
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{log_path.read_text()}")


def post_json(url: str, payload: dict, headers: dict | None = None, timeout: float = 60) -> tuple[int, dict]:
    """POST PAYLOAD as JSON; the status and the decoded JSON answer, whatever the status."""
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body or b"{}")
        except ValueError:
            return error.code, {"raw": body.decode(errors="replace")[:500]}
