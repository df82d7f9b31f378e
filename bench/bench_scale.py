"""Scale-out benchmark: what the Redis store costs, and what a second instance brings.

1. Store cost: one echo server (``bench/echo_server.py``) with the in-memory store and
   one with the Redis store (a throwaway ``redis-server`` on loopback), ``tools/call
   echo`` on both wires (2025-11-25 inside a session, 2026-07-28 stateless), one client,
   alternating rounds; printed: each server's CPU per request (its CPU-time clock) and the
   difference, the Redis store's cost (goal: at most 100 µs per request).
2. Throughput: one Redis-backed instance reached directly, the same behind ``haproxy``
   (the balancer's own cost), and two instances behind it (round robin, no
   stickiness), several clients; printed: req/s and the ratios to one instance.

Both servers' rows come from the same run, so the ratios hold on a busy machine even
when the absolute numbers do not. Needs Debian's redis-server and haproxy (``make
scale-deps``).

    python bench/bench_scale.py [--seconds 1] [--rounds 3] [--clients 16]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

import uvloop
from bench_http import LEGACY, MODERN, Cell, combine, load
from mcp_foundry.testing.deployment import (
    STATE_SECRET,
    Balancer,
    RedisServer,
    end,
    free_port,
    wait_port,
)

HERE = Path(__file__).resolve().parent
WIRES = ((LEGACY, False), (MODERN, True))


class Echo:
    """One echo server process, with ``store`` (``None``: in memory)."""

    def __init__(self, store: str | None, secret_file: Path) -> None:
        self.port = free_port()
        argv = [sys.executable, str(HERE / "echo_server.py"), "http", "--port", str(self.port)]
        if store is not None:
            argv += ["--store", store, "--state-secret-file", str(secret_file)]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, self.process, f"echo server ({store or 'memory'})")

    def run(self, modern: bool, clients: int, seconds: float, port: int | None = None) -> Cell:
        return uvloop.run(load(self.process.pid, port or self.port, modern, clients, seconds))


def store_cost(servers: dict[str, Echo], rounds: int, seconds: float) -> None:
    print("store cost: one instance, one client, server CPU per request")
    print(f"{'wire':<12}{'memory':>10}{'redis':>10}{'redis cost':>12}{'ratio':>8}{'errors':>8}")
    for wire, modern in WIRES:
        runs: dict[str, list[Cell]] = {name: [] for name in servers}
        for index in range(rounds):
            order = list(servers) if index % 2 == 0 else list(reversed(servers))
            for name in order:
                runs[name].append(servers[name].run(modern, 1, seconds))
        memory, redis = combine(runs["memory"]), combine(runs["redis"])
        print(
            f"{wire:<12}{memory.cpu_us:>8.0f}us{redis.cpu_us:>8.0f}us"
            f"{redis.cpu_us - memory.cpu_us:>10.0f}us"
            f"{redis.cpu_us / max(memory.cpu_us, 1e-9):>7.2f}x"
            f"{memory.errors + redis.errors:>8}",
            flush=True,
        )


def throughput(
    folder: Path, redis: RedisServer, secret: Path, clients: int, rounds: int, seconds: float
) -> None:
    one, two = Echo(redis.url, secret), Echo(redis.url, secret)
    solo = Balancer(folder / "solo", [one.port])
    pair = Balancer(folder / "pair", [one.port, two.port])
    try:
        for balancer in (solo, pair):
            balancer.start()
        print(f"\nthroughput: Redis store, {clients} clients (req/s, median of {rounds})")
        print(
            f"{'wire':<12}{'direct':>9}{'haproxy+1':>11}{'haproxy+2':>11}{'2 vs 1':>8}{'errors':>8}"
        )
        for wire, modern in WIRES:
            rates: dict[str, list[float]] = {"direct": [], "solo": [], "pair": []}
            errors = 0
            try:
                for _ in range(rounds):
                    for name, port in (
                        ("direct", one.port),
                        ("solo", solo.port),
                        ("pair", pair.port),
                    ):
                        cell = one.run(modern, clients, seconds, port)
                        rates[name].append(cell.rate)
                        errors += cell.errors
            except (AssertionError, ConnectionError) as exc:
                # a session opened on one instance and not known on the other
                print(f"{wire:<12}not served through the balancer ({exc!r})", flush=True)
                continue
            direct, alone, both = (median(rates[n]) for n in ("direct", "solo", "pair"))
            print(
                f"{wire:<12}{direct:>9.0f}{alone:>11.0f}{both:>11.0f}"
                f"{both / max(direct, 1e-9):>7.2f}x{errors:>8}",
                flush=True,
            )
    finally:
        for balancer in (solo, pair):
            balancer.stop()
        for echo in (one, two):
            end(echo.process)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=1.0, help="per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16, help="for the throughput part")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        folder = Path(tmp)
        for sub in ("redis", "solo", "pair"):
            (folder / sub).mkdir()
        secret = folder / "secret"
        secret.write_bytes(STATE_SECRET)
        redis = RedisServer(folder / "redis")
        redis.start()
        servers = {"memory": Echo(None, secret), "redis": Echo(redis.url, secret)}
        try:
            store_cost(servers, options.rounds, options.seconds)
            throughput(folder, redis, secret, options.clients, options.rounds, options.seconds)
        finally:
            for echo in servers.values():
                end(echo.process)
            redis.stop()


if __name__ == "__main__":
    main()
