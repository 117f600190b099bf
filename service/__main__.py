"""``python -m service [--host HOST] [--port PORT]``: serve the API with uvicorn."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from service.logs import log_config
from service.settings import get_settings


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run uvicorn on ``service.app:app``."""
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__)
    parser.add_argument("--host", default=settings.host, help="interface to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=settings.port, help="port to listen on (default %(default)s)")
    args = parser.parse_args(argv)
    uvicorn.run(
        "service.app:app",
        host=args.host,
        port=args.port,
        log_config=log_config(settings),
        access_log=False,  # service.logs.RequestLog writes one line per request
        timeout_graceful_shutdown=settings.shutdown_timeout,  # SIGTERM: finish requests in flight, then exit
    )


if __name__ == "__main__":
    main()
