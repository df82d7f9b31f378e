"""Benchmark the generator: generation time, and import time/memory of generated models.

Run: ``.venv/bin/python bench/bench_generate.py [--revision 2026-07-28] [--repeat 3]``.

Every import measurement runs in a fresh interpreter (imports are cached per process);
the official SDK's ``mcp.types`` (its pydantic protocol models) is measured the same way,
side by side, and the ratio reported. Targets on a 2-core box: all revisions < 5 s,
one revision's models import < 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mcp_foundry import generated

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "mcp-foundry"

# Imported in the child: pydantic first (both sides need it), then the measured module.
_IMPORT_PROBE = """
import json, os, sys, time, tracemalloc
import pydantic, typing_extensions

def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

traced = sys.argv[3] == "traced"
if traced:
    tracemalloc.start()
rss_before = rss_kib()
started = time.perf_counter()
module = __import__(sys.argv[1], fromlist=["*"])
elapsed = time.perf_counter() - started
rss_after = rss_kib()
peak = tracemalloc.get_traced_memory()[1] if traced else 0
started = time.perf_counter()
exec(sys.argv[2])
first_use = time.perf_counter() - started
print(json.dumps({"import_s": elapsed, "alloc_peak_kib": peak / 1024,
                  "rss_delta_kib": rss_after - rss_before, "first_use_s": first_use}))
"""

_FIRST_USE = {
    "generated": (
        "module.CallToolRequest.model_validate({'jsonrpc': '2.0', 'id': 1, 'method': "
        "'tools/call', 'params': {'name': 'x', 'arguments': {}, '_meta': "
        "{'io.modelcontextprotocol/protocolVersion': '2026-07-28', "
        "'io.modelcontextprotocol/clientCapabilities': {}}}})"
    ),
    "sdk": (
        "module.CallToolRequest.model_validate({'method': 'tools/call', "
        "'params': {'name': 'x', 'arguments': {}}})"
    ),
}


def _import_probe(module: str, first_use: str, repeat: int) -> dict[str, float]:
    """Median over ``repeat`` fresh interpreters; allocation peak from one extra traced
    run (tracemalloc slows imports several-fold, so timing runs are untraced)."""

    def probe(mode: str) -> dict[str, float]:
        done = subprocess.run(
            [sys.executable, "-c", _IMPORT_PROBE, module, first_use, mode],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        result: dict[str, float] = json.loads(done.stdout)
        return result

    runs = [probe("timed") for _ in range(repeat)]
    summary = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    summary["alloc_peak_kib"] = probe("traced")["alloc_peak_kib"]
    return summary


def _generation(repeat: int) -> list[float]:
    """Wall time of ``mcp-foundry generate`` for all revisions, fresh process each run."""
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            subprocess.run(
                [str(CLI), "generate", "--out", out],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            times.append(time.perf_counter() - started)
    return times


def _in_process_stages() -> dict[str, float]:
    """Per stage, one process, sequential: where generation time goes."""
    sys.path.insert(0, str(ROOT))
    from mcp_foundry.emit import emit_revision
    from mcp_foundry.ir import load_revision
    from mcp_foundry.ir.source import known_revisions

    revisions = known_revisions()
    started = time.perf_counter()
    irs = [load_revision(r) for r in revisions]
    ir_s = time.perf_counter() - started
    started = time.perf_counter()
    for ir in irs:
        emit_revision(ir)
    return {"revisions": len(revisions), "ir_s": ir_s, "emit_s": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revision", default="2026-07-28")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    package = generated.module_name(args.revision)

    generation = _generation(args.repeat)
    stages = _in_process_stages()
    ours = _import_probe(f"{package}.models", _FIRST_USE["generated"], args.repeat)
    sdk = _import_probe("mcp.types", _FIRST_USE["sdk"], args.repeat)

    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    print(
        f"generate all {stages['revisions']} revisions (CLI, fresh process): "
        f"median {statistics.median(generation):.2f} s  runs "
        + ", ".join(f"{t:.2f}" for t in generation)
        + "  [target < 5 s]"
    )
    print(
        f"  in-process, sequential: IR {stages['ir_s']:.2f} s, "
        f"render+black {stages['emit_s']:.2f} s"
    )
    print(f"import {package}.models vs official SDK mcp.types (pydantic preloaded, median):")
    for label, key, unit, scale in (
        ("import time", "import_s", "ms", 1000.0),
        ("tracemalloc peak", "alloc_peak_kib", "KiB", 1.0),
        ("RSS growth (untraced)", "rss_delta_kib", "KiB", 1.0),
        ("first CallToolRequest validation", "first_use_s", "ms", 1000.0),
    ):
        mine, theirs = ours[key] * scale, sdk[key] * scale
        ratio = mine / theirs if theirs else float("nan")
        print(
            f"  {label:34s} ours {mine:9.1f} {unit}  sdk {theirs:9.1f} {unit}  ratio {ratio:5.2f}"
        )
    print("  [target: import < 200 ms]")


if __name__ == "__main__":
    main()
