"""The TypeScript SDKs as benchmark peers: their echo servers (``bench/ts/``) installed with
Node 22 into ``.cache/bench-ts`` on first use, from the npm registry, at pinned versions.

Node 22 is the one the conformance kit caches (``~/.cache/mcp-conformance/node22``); when
neither it nor a system ``node`` of 22 or newer exists, the same npm package is installed
here. ESM ignores ``NODE_PATH``, so the servers run from the folder holding node_modules.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE.parent / ".cache" / "bench-ts"
NODE_PACKAGE = "node-linux-{arch}@22.23.3"
CONFORMANCE_NODE = (
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    / "mcp-conformance/node22/node_modules/node-linux-{arch}/bin/node"
)


def _arch() -> str:
    return {"x86_64": "x64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()]


def _major(node: str) -> int:
    done = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30)
    return int(done.stdout.strip().lstrip("v").split(".")[0]) if done.returncode == 0 else 0


def node() -> str:
    """A Node 22+ binary, installed into the cache when the machine has none."""
    system = shutil.which("node")
    if system and _major(system) >= 22:
        return system
    for candidate in (
        Path(str(CONFORMANCE_NODE).format(arch=_arch())),
        CACHE / "node22" / "node_modules" / f"node-linux-{_arch()}" / "bin" / "node",
    ):
        if candidate.is_file():
            return str(candidate)
    target = CACHE / "node22"
    target.mkdir(parents=True, exist_ok=True)
    (target / "package.json").write_text('{"name": "node22", "private": true}\n')
    _npm("install", NODE_PACKAGE.format(arch=_arch()), cwd=target)
    return str(target / "node_modules" / f"node-linux-{_arch()}" / "bin" / "node")


def _npm(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["npm", *args, "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=cwd,
        check=True,
        timeout=600,
    )


def server(name: str) -> list[str]:
    """``[node, script]`` for ``echo_v1`` (@modelcontextprotocol/sdk) or ``echo_v2``
    (@modelcontextprotocol/server), installed on first use. The node binary itself, no
    npx or shell in between, so the pid the benchmarks read CPU time from is the server's;
    ``NODE_ENV=production`` (inherited) as a deployment would run it."""
    os.environ.setdefault("NODE_ENV", "production")
    CACHE.mkdir(parents=True, exist_ok=True)
    for source in (HERE / "ts").iterdir():
        shutil.copyfile(source, CACHE / source.name)
    wanted = (HERE / "ts" / "package.json").read_text()
    stamp = CACHE / "node_modules" / ".installed-package.json"
    if not stamp.is_file() or stamp.read_text() != wanted:
        _npm("install", cwd=CACHE)
        stamp.write_text(wanted)
    return [node(), str(CACHE / f"{name}.mjs")]
