"""Real Redis and haproxy processes on loopback ports, for the store and scale-out tests.

A module at the top of ``tests`` (not a conftest) so the root conftest's ``redis_server``
fixture and ``tests/scale``'s cluster fixture share one home. The programs come from
Debian; ``make scale-deps`` installs them, and :func:`require` runs it on first use.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from mcp_foundry import paths

TOOLS = ("redis-server", "haproxy")


def require(*programs: str) -> None:
    """Install the missing ``programs`` (``make scale-deps``) or skip, saying why."""
    if all(shutil.which(p) for p in programs):
        return
    if paths.CHECKOUT is not None and shutil.which("make"):
        done = subprocess.run(
            ["make", "-s", "-C", str(paths.CHECKOUT), "scale-deps"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode == 0 and all(shutil.which(p) for p in programs):
            return
        reason = done.stderr.strip().splitlines()[-1:] or ["make scale-deps failed"]
        pytest.skip(f"{', '.join(programs)} missing and not installable: {reason[0]}")
    pytest.skip(f"{', '.join(programs)} missing; install them (make scale-deps)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, process: subprocess.Popen[bytes], what: str, timeout: float = 20) -> None:
    """Return once ``port`` accepts connections; fail if ``process`` exits first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            assert process.poll() is None, f"{what} exited with {process.returncode}"
            assert time.monotonic() < deadline, f"{what} did not listen on {port}"
            time.sleep(0.02)


def end(process: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    """Stop ``process`` (``sig``, then SIGKILL after 5 s) and reap it."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


class RedisServer:
    """A throwaway ``redis-server`` (no persistence) that can be stopped and restarted
    on the same port."""

    def __init__(self, folder: Path) -> None:
        require("redis-server")
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--logfile",
                "",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            cwd=self.folder,
            env={**os.environ},
        )
        wait_port(self.port, self.process, "redis-server")

    def stop(self) -> None:
        """Kill it (SIGKILL: peers see their connections reset, as in a crash)."""
        end(self.process, signal.SIGKILL)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None
