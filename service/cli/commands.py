"""The request commands of ``gradserve``: read the file, post it (in this process or to ``--url``), print the answer.

Imported only when a request command runs: httpx, numpy and the client load here, and the
service's app (FastAPI) only when the request is computed in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from gradclient import AsyncGradientClient, ProblemError
from gradclient.calls import GRADIENTS_FIELDS
from gradclient.results import array
from service.cli import COMMANDS, EXIT_NO, EXIT_OK, EXIT_PROBLEM, EXIT_UNREACHABLE, EXIT_USAGE
from service.cli.tables import render
from service.cli.text import derivation_text, training_text

LOCAL_URL = "http://127.0.0.1:8000"
"""The address computed in-process answers for: where `python -m service` listens by default (the sheets link there)."""


async def post(path: str, body: bytes, args: argparse.Namespace, markdown: bool = False) -> Any:
    """POST ``body`` to ``args.url``, or to the service's app in this process when there is none.

    The answer's JSON object, or its text when ``markdown`` asks for the Markdown document.
    """
    transport = None
    if args.url is None:
        from service.app import create_app

        transport = httpx.ASGITransport(app=create_app())
    async with AsyncGradientClient(args.url or LOCAL_URL, args.api_key, args.timeout, transport=transport) as client:
        return await (client.post_text(path, body) if markdown else client.post(path, body))


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


def with_input_gradient(body: bytes) -> bytes:
    """The body asking for ∂L/∂X too: ``input_gradient`` added to its ``include`` (or to the default fields).

    A body that is not a JSON object is sent as it is, for the service to name what is wrong with it.
    """
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict):
        return body
    include = data.get("include")
    fields = list(include) if isinstance(include, list) else list(GRADIENTS_FIELDS)
    data["include"] = [*fields, "input_gradient"] if "input_gradient" not in fields else fields
    return json.dumps(data).encode()


def plain(value: Any) -> Any:
    """The answer with every compact tensor (``"encoding": "base64"``) as nested lists, for the tables."""
    if isinstance(value, dict):
        if {"shape", "dtype", "data"} <= value.keys():
            return array(value).tolist()
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def human(command: str, data: dict[str, Any], digits: int) -> str:
    """The answer as text: tables, or the derivation's steps, or the training's sparkline."""
    data = plain(data)
    if command == "derivation":
        return derivation_text(data, digits)
    if command == "train":
        return training_text(data, digits)
    if command == "hessian-vector":
        return render(hessian_vector_tables(data), digits)
    return render(data, digits)


def hessian_vector_tables(data: dict[str, Any]) -> dict[str, Any]:
    """A Hessian–vector answer for the tables: each layer's blocks as ``hessian_vector_weights`` (and ``_bias``),
    and the Newton step along v, −slope / curvature, when both are there."""
    data = dict(data)
    if isinstance(data.get("slope"), float) and isinstance(data.get("curvature"), float) and data["curvature"] != 0:
        data["newton_step"] = -data["slope"] / data["curvature"]
    layers = []
    for layer in data.get("layers") or ():
        layer = dict(layer)
        blocks = layer.pop("hessian_vector", None) or {}
        layers.append(layer | {f"hessian_vector_{name}": value for name, value in blocks.items()})
    if "layers" in data:
        data["layers"] = layers
    return data


def verdict(command: str, data: dict[str, Any]) -> str | None:
    """Why the answer is "no" (a check failed, a claim is wrong), or ``None``."""
    layers = [layer for layer in data.get("layers") or () if isinstance(layer, dict)]
    if command == "check" and data.get("passed") is False:
        failing = [f"layer {k} ({layer.get('rating', 'failed')})" for k, layer in enumerate(layers, 1)]
        failing = [text for text, layer in zip(failing, layers, strict=True) if layer.get("passed") is False]
        return "check failed: " + (", ".join(failing) or "a layer failed")
    if command == "verify" and data.get("all_correct") is False:
        wrong = [f"layer {k} {layer.get('verdict')}" for k, layer in enumerate(layers, 1)]
        wrong = [text for text, layer in zip(wrong, layers, strict=True) if layer.get("verdict") != "correct"]
        return "a claimed gradient is wrong: " + (", ".join(wrong) or "see the verdicts")
    return None


KEPT = ("network", "inputs", "targets", "loss")
"""The fields of a saved training: a gradients request that loss, gradients, check, derivation and train accept."""


def save(path: str, body: bytes, data: dict[str, Any]) -> None:
    """Write the request's inputs, targets and loss with the trained network: a request for any command."""
    sent = json.loads(body)
    request = {key: data["network"] if key == "network" else sent[key] for key in KEPT if key in sent}
    Path(path).write_text(json.dumps(request, indent=2) + "\n", encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    """Run one request command and print its answer; the exit status of :mod:`service.cli`."""
    try:
        body = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as error:
        print(f"gradserve: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "input_gradient", False):
        body = with_input_gradient(body)
    markdown = bool(getattr(args, "markdown", False)) and not args.json
    try:
        answer = asyncio.run(post(COMMANDS[args.command][0], body, args, markdown))
    except ProblemError as problem:
        report(problem, args.json)
        return EXIT_PROBLEM
    except httpx.TransportError as error:
        print(f"gradserve: cannot reach {args.url}: {error}", file=sys.stderr)
        return EXIT_UNREACHABLE
    if markdown:
        print(answer, end="" if answer.endswith("\n") else "\n")
        return EXIT_OK
    print(json.dumps(answer) if args.json else human(args.command, answer, args.digits))
    if getattr(args, "save", None):
        try:
            save(args.save, body, answer)
        except OSError as error:
            print(f"gradserve: cannot write {args.save}: {error.strerror}", file=sys.stderr)
            return EXIT_USAGE
        print(f"gradserve: the trained network is in {args.save}", file=sys.stderr)
    reason = verdict(args.command, answer)
    if reason is not None:
        print(f"gradserve: {reason} (exit status {EXIT_NO})", file=sys.stderr)
        return EXIT_NO
    return EXIT_OK
