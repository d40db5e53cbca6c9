"""Start `brink serve` on a free port of 127.0.0.1 for a test, wait until it answers, stop it afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def brink() -> list[str]:
    exe = Path(sys.executable).parent / "brink"
    return [str(exe)] if exe.exists() else [shutil.which("brink") or "brink"]


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


@contextlib.contextmanager
def running_server(*args: str, timeout: float = 90.0) -> Iterator[tuple[str, subprocess.Popen]]:
    """`brink serve ARGS --port <free>` until the block ends; yields the base URL and the process."""
    port = free_port()
    log = ARTIFACTS / f"serve-{port}.log"
    ARTIFACTS.mkdir(exist_ok=True)
    with open(log, "w") as out:
        proc = subprocess.Popen([*brink(), "serve", *args, "--host", HOST, "--port", str(port)], stdout=out,
                                stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://{HOST}:{port}/"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"server did not answer within {timeout}s") from None
                time.sleep(0.2)  # polling a condition with a deadline
        yield url, proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def post_callback(url: str, payload: dict[str, Any], timeout: float = 120.0) -> dict[str, Any]:
    """POST one Dash callback request to the server and return the JSON answer."""
    req = urllib.request.Request(url + "_dash-update-component", data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())
