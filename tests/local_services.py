"""The tests' side of :mod:`mcp_foundry.testing.deployment` (real Redis, server
instances and haproxy on loopback ports): the same names, plus :func:`require`, which
installs the programs on first use (``make scale-deps``) or skips, saying why.

A module at the top of ``tests`` (not a conftest) so the root conftest's ``redis_server``
fixture, ``tests/store`` and ``tests/scale`` share it.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from mcp_foundry import paths
from mcp_foundry.testing.deployment import (
    SERVED_BY,
    STATE_SECRET,
    Balancer,
    Cluster,
    Instance,
    RedisServer,
    end,
    free_port,
    haproxy_config,
    wait_port,
)

__all__ = [
    "SERVED_BY",
    "STATE_SECRET",
    "TOOLS",
    "Balancer",
    "Cluster",
    "Instance",
    "RedisServer",
    "end",
    "free_port",
    "haproxy_config",
    "require",
    "wait_port",
]

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
