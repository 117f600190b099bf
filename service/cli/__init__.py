"""gradserve: serve the API, or send a request file to it and print the answer as tables.

    gradserve serve [--host HOST] [--port PORT]
    gradserve gradients FILE.json [--url URL] [--json]     (also forward, loss, check, verify)

Without --url the request is computed in this process: the file goes through the
service's own app (same validation by the pydantic request models, same gradcore
computation, same answers and problems) without a socket. Exit status: 0 on success,
1 when the service answers with a problem, 2 for a usage error or an unreadable file,
3 when the service cannot be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from gradclient import AsyncGradientClient, ProblemError
from service.__main__ import build_parser as build_serve_parser
from service.__main__ import serve
from service.cli.tables import render

COMMANDS = {
    "forward": ("/v1/forward", "forward pass: z_k, l_k and ŷ"),
    "loss": ("/v1/loss", "the loss L and ŷ"),
    "gradients": ("/v1/gradients", "backpropagation: Δ_k and ∂L/∂W_k of every layer"),
    "check": ("/v1/gradients/check", "compare ∂L/∂W_k with central differences"),
    "verify": ("/v1/gradients/verify", "diagnose claimed gradients (claimed_gradients in the file)"),
}
"""Each request command: the path it posts to and its help."""

LOCAL_URL = "http://gradserve.local"
EXIT_PROBLEM, EXIT_USAGE, EXIT_UNREACHABLE = 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    """The ``gradserve`` command line."""
    parser = argparse.ArgumentParser(
        prog="gradserve", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "serve",
        parents=[build_serve_parser(add_help=False)],
        help="run the service (the options of python -m service)",
        description="Serve the API with uvicorn, like python -m service.",
    )
    for name, (path, summary) in COMMANDS.items():
        command = commands.add_parser(name, help=summary, description=f"POST FILE.json to {path}: {summary}.")
        command.add_argument("file", metavar="FILE.json", help="the request body; - reads standard input")
        command.add_argument("--url", help="the service to call, e.g. http://127.0.0.1:8000 (default: compute here)")
        command.add_argument(
            "--api-key",
            default=os.environ.get("GRADSERVICE_API_KEY"),
            help="sent as Authorization: Bearer (default: $GRADSERVICE_API_KEY)",
        )
        command.add_argument("--timeout", type=float, default=30.0, help="seconds (default %(default)s)")
        command.add_argument("--json", action="store_true", help="print the answer's JSON instead of tables")
        command.add_argument(
            "--digits", type=int, default=6, help="significant digits in the tables (default %(default)s)"
        )
    return parser


async def post(path: str, body: bytes, url: str | None, api_key: str | None, timeout: float) -> dict[str, Any]:
    """POST ``body`` to ``url``, or to the service's app in this process when ``url`` is None."""
    transport = None
    if url is None:
        from service.app import app

        transport = httpx.ASGITransport(app=app)
    async with AsyncGradientClient(url or LOCAL_URL, api_key, timeout, transport=transport) as client:
        return await client.post(path, body)


def report(problem: ProblemError, as_json: bool) -> None:
    """Print a problem on stderr: its detail, then any offending field the detail does not already name.

    With ``--json``, the problem's JSON also goes to stdout.
    """
    if as_json:
        print(json.dumps(problem.problem))
    print(f"gradserve: {problem}", file=sys.stderr)
    for error in problem.errors:
        if f"{error.pointer}: {error.message}" not in problem.detail:
            print(f"  {error.pointer or '/'}: {error.message}", file=sys.stderr)


def request(args: argparse.Namespace) -> int:
    """Run one request command and print its answer."""
    try:
        body = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as error:
        print(f"gradserve: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    path = COMMANDS[args.command][0]
    try:
        data = asyncio.run(post(path, body, args.url, args.api_key, args.timeout))
    except ProblemError as problem:
        report(problem, args.json)
        return EXIT_PROBLEM
    except httpx.TransportError as error:
        print(f"gradserve: cannot reach {args.url}: {error}", file=sys.stderr)
        return EXIT_UNREACHABLE
    print(json.dumps(data) if args.json else render(data, args.digits))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The ``gradserve`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        serve(args)
        return 0
    return request(args)


if __name__ == "__main__":
    sys.exit(main())
