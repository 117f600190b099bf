"""``python -m service [--host HOST] [--port PORT] [--workers N]``: serve the API with uvicorn."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import uvicorn

from service.domain.settings import get_settings
from service.http.logs import log_config


def build_parser(**kwargs: Any) -> argparse.ArgumentParser:
    """The options of ``python -m service``, shared with ``gradserve serve``."""
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__, **kwargs)
    parser.add_argument("--host", default=settings.host, help="interface to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=settings.port, help="port to listen on (default %(default)s)")
    parser.add_argument(
        "--workers", type=_positive, default=settings.workers, help="worker processes (default %(default)s)"
    )
    return parser


def serve(args: argparse.Namespace) -> None:
    """Run uvicorn on ``service.server:app`` with the options parsed by :func:`build_parser`."""
    settings = get_settings()
    uvicorn.run(
        "service.server:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=log_config(settings),
        access_log=False,  # service.http.observe.Observe logs one line per request
        timeout_graceful_shutdown=settings.shutdown_timeout,  # SIGTERM: finish requests in flight, then exit
        http=http_protocol(),
    )


def http_protocol() -> Any:
    """uvicorn's httptools protocol with a bound on header bytes (:mod:`service.http.protocol`), when httptools is
    installed (CPython); else uvicorn's h11 protocol, which bounds incomplete events itself."""
    try:
        from service.http.protocol import BoundedHeaders
    except ImportError:
        return "h11"
    return BoundedHeaders


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run uvicorn on ``service.server:app``."""
    serve(build_parser().parse_args(argv))


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


if __name__ == "__main__":
    main()
