"""A scaled-out deployment on one machine, for tests and benchmarks: a throwaway
``redis-server``, server instances sharing it, and ``haproxy`` balancing them round robin
without stickiness, all on loopback ports. The programs are Debian's (``make
scale-deps`` in a checkout installs them)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from mcp_foundry import paths


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


class Instance:
    """One server process of a cluster, on its own loopback port."""

    def __init__(self, argv: list[str], port: int, log: Path, cwd: Path) -> None:
        self.argv = argv
        self.port = port
        self.url = f"http://127.0.0.1:{port}/mcp"
        self.log = log
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert not self.running(), "already running"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv, stdout=subprocess.DEVNULL, stderr=log, cwd=self.cwd
            )
        wait_port(self.port, self.process, f"instance on {self.port} (log: {self.log})")

    def kill(self) -> None:
        """SIGKILL: no drain, no goodbye (a crash)."""
        end(self.process, signal.SIGKILL)

    def stop(self) -> None:
        """SIGTERM: the graceful way."""
        end(self.process)

    def restart(self) -> None:
        self.kill()
        self.start()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


HAPROXY_CONFIG = """\
global
    maxconn 4096
defaults
    mode http
    option http-server-close
    option redispatch
    retries 3
    timeout connect 2s
    timeout client 300s
    timeout server 300s
    timeout tunnel 300s
    timeout http-request 10s
frontend mcp
    bind 127.0.0.1:{port}
    default_backend instances
backend instances
    balance roundrobin
    http-response set-header {served_by} %[srv_name]
{servers}
"""
"""Round robin per request, no stickiness: ``http-server-close`` makes every request
pass through the balancer's choice again; a dead instance (connection refused) is
retried on another one and dropped by the health check within a second; long server
and tunnel timeouts let SSE streams idle. Each response names the instance that
answered (:data:`SERVED_BY`: ``i0``, ``i1``, ...: ``Cluster.instances[n]``)."""

SERVED_BY = "x-served-by"


def haproxy_config(port: int, backends: list[int]) -> str:
    servers = "\n".join(
        f"    server i{n} 127.0.0.1:{p} check inter 500ms fall 1 rise 1"
        for n, p in enumerate(backends)
    )
    return HAPROXY_CONFIG.format(port=port, servers=servers, served_by=SERVED_BY)


class Balancer:
    """``haproxy`` in front of ``backends``, config written to ``folder``."""

    def __init__(self, folder: Path, backends: list[int]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.config = folder / "haproxy.cfg"
        self.config.write_text(haproxy_config(self.port, backends))
        self.log = folder / "haproxy.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                ["haproxy", "-db", "-f", str(self.config)], stdout=log, stderr=log
            )
        wait_port(self.port, self.process, f"haproxy (log: {self.log})")

    def stop(self) -> None:
        end(self.process)


STATE_SECRET = b"scale-tests-shared-state-secret-0123456789"


class Cluster:
    """``count`` instances of ``python -m examples.everything`` (or ``app`` argv) over
    HTTP sharing ``redis`` and one requestState secret, behind :class:`Balancer`."""

    def __init__(
        self,
        folder: Path,
        redis: RedisServer,
        count: int = 3,
        app: list[str] | None = None,
    ) -> None:
        assert paths.CHECKOUT is not None, "the tests run from a checkout"
        self.folder = folder
        self.redis = redis
        self.secret_file = folder / "state-secret"
        self.secret_file.write_bytes(STATE_SECRET)
        command = app or [sys.executable, "-m", "examples.everything"]
        self.instances: list[Instance] = []
        for n in range(count):
            port = free_port()
            argv = [
                *command,
                "--transport",
                "http",
                "--port",
                str(port),
                "--store",
                redis.url,
                "--state-secret-file",
                str(self.secret_file),
                "--log-level",
                "WARNING",
            ]
            log = folder / f"instance-{n}.log"
            self.instances.append(Instance(argv, port, log, paths.CHECKOUT))
        self.balancer = Balancer(folder, [i.port for i in self.instances])
        self.url = self.balancer.url

    def start(self) -> None:
        for instance in self.instances:
            instance.start()
        self.balancer.start()

    def stop(self) -> None:
        self.balancer.stop()
        for instance in self.instances:
            instance.stop()

    def logs(self) -> str:
        """Every instance's stderr (for assertion messages)."""
        return "\n".join(
            f"--- {i.log.name}\n{i.log.read_text(errors='replace')[-3000:]}"
            for i in self.instances
            if i.log.exists()
        )
