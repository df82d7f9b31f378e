"""The command-line options of a server that runs as several instances, for any
``argparse`` front end (the examples, the benchmark server, scaffolded projects).

``--store URL`` (default ``$MCP_FOUNDRY_STORE``) and ``--state-secret-file FILE`` (else
``$MCP_FOUNDRY_STATE_SECRET``) become :meth:`App.run`'s ``store=``/``state_secret=``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

STORE_ENV = "MCP_FOUNDRY_STORE"


def add_deploy_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        default=os.environ.get(STORE_ENV) or None,
        metavar="URL",
        help="state shared by every instance: redis://HOST:PORT/DB"
        f" (default: ${STORE_ENV}, else this process's memory)",
    )
    parser.add_argument(
        "--state-secret-file",
        type=Path,
        metavar="FILE",
        help="the requestState key every instance shares (at least 16 bytes;"
        " default: $MCP_FOUNDRY_STATE_SECRET); needed with a shared --store",
    )


def deploy_settings(parser: argparse.ArgumentParser, args: argparse.Namespace) -> dict[str, Any]:
    """``store``/``state_secret`` for :meth:`App.run`; a bad file or URL is a usage error."""
    secret: bytes | None = None
    if args.state_secret_file is not None:
        try:
            secret = args.state_secret_file.read_bytes().strip()
        except OSError as exc:
            parser.error(f"--state-secret-file: cannot read it ({exc.strerror})")
    from mcp_foundry.runtime.store import deployment

    try:
        deployment(args.store, secret)  # checked now, so a bad setting is a usage error
    except ValueError as exc:
        parser.error(str(exc))
    return {"store": args.store, "state_secret": secret}
