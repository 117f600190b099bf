"""gradserve: serve the API, or send a request file to it and print the answer as tables.

    gradserve serve [--host HOST] [--port PORT] [--workers N]
    gradserve gradients FILE.json [--url URL] [--json] [--input-gradient]
    gradserve forward | loss | check | verify | hessian-vector FILE.json [--url URL] [--json]
    gradserve derivation FILE.json [--markdown]
    gradserve train FILE.json [--save TRAINED.json]
    gradserve assign TEMPLATE.json --out DIR [--students IDS.txt] [--url URL]
    gradserve grade CLASS.json|CLASS.csv [--url URL] > grades.csv   (the summary table on stderr)

Without --url the request is computed in this process: the file goes through the
service's own app (same validation, same gradcore computation, same answers and
problems) without a socket. --url 127.0.0.1:8000 (no scheme) means http://.

Exit status:
  0  the answer was printed (check: every layer passed; verify: every claim is correct)
  1  the service answered with a problem (4xx, 5xx)
  2  wrong arguments, or the file cannot be read
  3  the service at --url cannot be reached
  4  the answer is "no": check has a failing layer, verify a wrong claimed gradient
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

# Only the standard library here: `gradserve --help` must not wait for numpy, httpx, pydantic or FastAPI.
# Each command imports what it needs when it runs (service.cli.commands, service.__main__ for serve).

COMMANDS = {
    "forward": ("/v1/forward", "forward pass: z_k, l_k and ŷ"),
    "loss": ("/v1/loss", "the loss L and ŷ"),
    "gradients": ("/v1/gradients", "backpropagation: Δ_k and ∂L/∂W_k of every layer (and ∂L/∂X on request)"),
    "check": ("/v1/gradients/check", "compare ∂L/∂W_k with central differences; exit 4 if a layer fails"),
    "verify": ("/v1/gradients/verify", "diagnose claimed gradients (claimed_gradients in the file); exit 4 if wrong"),
    "hessian-vector": (
        "/v1/gradients/hessian-vector",
        "the exact Hessian–vector product ∇²L · v (vector in the file), slope, curvature and Newton step",
    ),
    "derivation": ("/v1/derivation", "backpropagation written out step by step, with shapes and values"),
    "train": ("/v1/train", "gradient descent: the loss history as a sparkline, the trained network"),
    "grade": ("/v1/grade", "grade a class's submissions (JSON, or CSV: student, problem, answer): the gradebook CSV"),
}
"""Each request command: the path it posts to and its help."""

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_NO = 0, 1, 2, 3, 4


def url(text: str) -> str:
    """A service URL; without a scheme, ``http://`` (``127.0.0.1:8000`` → ``http://127.0.0.1:8000``)."""
    text = text.strip()
    if "://" not in text:
        text = "http://" + text
    return text.rstrip("/")


def build_parser() -> argparse.ArgumentParser:
    """The ``gradserve`` command line (``serve`` hands its arguments to :func:`serve_arguments`)."""
    parser = argparse.ArgumentParser(
        prog="gradserve", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # Listed for the help; main() hands `gradserve serve …` to serve_arguments() before this parser sees it.
    commands.add_parser("serve", help="run the service (the options of python -m service; serve --help)")
    for name, (path, summary) in COMMANDS.items():
        command = commands.add_parser(name, help=summary, description=f"POST FILE.json to {path}: {summary}.")
        shown = "FILE" if name == "grade" else "FILE.json"
        command.add_argument("file", metavar=shown, help="the request body; - reads standard input")
        command.add_argument(
            "--url", type=url, help="the service to call, e.g. http://127.0.0.1:8000 (default: compute here)"
        )
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
    commands.choices["gradients"].add_argument(
        "--input-gradient", action="store_true", help="also ∂L/∂X = Δ_1 · W_1ᵀ (m × n_0), the gradient of the inputs"
    )
    assign = commands.add_parser(
        "assign",
        help="a problem and a printable sheet per student from a template, and the answer key, in a folder",
        description="POST TEMPLATE.json to /v1/assignments and write, in DIR, ID.json (the problem, a /v1/gradients "
        "request) and ID.md (its sheet) for each student, sheets.md (all sheets, to print) and key.json (the answers).",
    )
    assign.add_argument("file", metavar="TEMPLATE.json", help="seed, students, sizes, activations, loss, examples, …")
    assign.add_argument("--out", required=True, metavar="DIR", help="the folder to write (made if missing)")
    assign.add_argument("--students", metavar="IDS.txt", help="the students' ids, one per line, instead of the file's")
    assign.add_argument("--url", type=url, help="the service to call (default: compute here)")
    assign.add_argument(
        "--api-key", default=os.environ.get("GRADSERVICE_API_KEY"), help="(default: $GRADSERVICE_API_KEY)"
    )
    assign.add_argument("--timeout", type=float, default=30.0, help="seconds (default %(default)s)")
    commands.choices["derivation"].add_argument(
        "--markdown", action="store_true", help="the service's Markdown document instead of plain text"
    )
    commands.choices["train"].add_argument(
        "--save",
        metavar="TRAINED.json",
        help="write the trained network with the file's inputs, targets and loss: a request for loss, gradients, "
        "check, derivation, or train to go on",
    )
    return parser


def serve_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """The arguments of ``gradserve serve``: those of ``python -m service``, with its defaults."""
    from service.__main__ import build_parser as build_serve_parser

    parser = build_serve_parser()
    parser.prog, parser.description = "gradserve serve", "Serve the API with uvicorn, like python -m service."
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``gradserve`` console script; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["serve"]:  # its own parser, so that `gradserve serve --help` lists the options of serving
        from service.__main__ import serve

        serve(serve_arguments(argv[1:]))
        return EXIT_OK
    args = build_parser().parse_args(argv)
    if args.command == "assign":
        from service.cli.assign import run_assign

        return run_assign(args)
    if args.command == "grade":
        from service.cli.grade import run as run_grade

        return run_grade(args)
    from service.cli.commands import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
