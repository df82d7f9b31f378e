"""Instructions per pipelined stdio ``tools/call`` of one server, counted by callgrind.

The stdio counterpart of ``instr_http.py``: instruction counts do not drift with the
neighbours' load as CPU time does, so this is the number to compare before and after a
change to the request path (``bench_stdio.py`` stays the one for speed against the
peers). The server runs under callgrind and is warmed up as ``bench_stdio.py`` does; the
counters are zeroed, ``--requests`` calls are pipelined and answered, and the server's
whole process is counted (event loop, ours, the interpreter).

    python bench/instr_stdio.py [--server ours] [--wire legacy|modern] [--requests 4000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

from bench_stdio import SERVERS, open_server, pipelined
from instr_http import totals


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", choices=sorted(SERVERS), default="ours")
    parser.add_argument("--wire", choices=["legacy", "modern"], default="legacy")
    parser.add_argument("--requests", type=int, default=4000)
    options = parser.parse_args()
    out = Path(f"/tmp/instr-stdio-{os.getpid()}.out")
    callgrind = ("valgrind", "--tool=callgrind", f"--callgrind-out-file={out}")
    os.environ["PYTHONHASHSEED"] = "0"  # the server inherits it: steady dict layouts
    pipe = open_server(options.server, options.wire, callgrind)
    try:
        pid = str(pipe.process.pid)
        subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
        pipelined(pipe, options.wire, options.requests)
        subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
        dump = sorted(out.parent.glob(out.name + ".*"), key=lambda p: p.stat().st_mtime)[-1]
        per = totals(dump) / options.requests
        print(f"{options.server} {options.wire}: {per:,.0f} instructions per call")
    finally:
        pipe.close()
        for path in out.parent.glob(out.name + "*"):
            path.unlink()


if __name__ == "__main__":
    main()
