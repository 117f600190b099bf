"""``python -m service [--host HOST] [--port PORT] [--workers N]``: serve the API with uvicorn."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from service.settings import get_settings


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run uvicorn on ``service.app:app``."""
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__)
    parser.add_argument("--host", default=settings.host, help="interface to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=settings.port, help="port to listen on (default %(default)s)")
    parser.add_argument(
        "--workers", type=_positive, default=settings.workers, help="worker processes (default %(default)s)"
    )
    args = parser.parse_args(argv)
    uvicorn.run("service.app:app", host=args.host, port=args.port, workers=args.workers)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


if __name__ == "__main__":
    main()
