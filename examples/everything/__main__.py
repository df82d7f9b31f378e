"""``python -m examples.everything --transport stdio|http [--port N] [--log-level L]
[--store URL --state-secret-file FILE]`` (HTTP binds 127.0.0.1; with a shared store,
several instances serve as one)."""

from __future__ import annotations

import argparse
import logging
import sys

from mcp_foundry.authoring.deploy_options import add_deploy_options, deploy_settings

from .server import app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m examples.everything", description=__doc__)
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    parser.add_argument(
        "--port", type=int, default=3001, help="HTTP port on 127.0.0.1 (default 3001)"
    )
    parser.add_argument(
        "--log-level", default="INFO", help="stderr log level, both transports (default INFO)"
    )
    add_deploy_options(parser)
    args = parser.parse_args(argv)
    deploy = deploy_settings(parser, args)
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    app.run(args.transport, port=args.port, **deploy)


if __name__ == "__main__":
    main()
