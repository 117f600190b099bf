"""The road of one request through the code: ``python -m bench.road [--workload medium]``.

Sends one ``POST /v1/gradients`` (a workload of :mod:`bench.workloads`) through the app in-process, after one
warm-up request, and follows it with :func:`sys.setprofile`. Prints the project files it runs code of, and how
many times it enters a file of ``service/`` anew: a call or return that goes from one file to another counts
as one entry of the file it goes to. ``--root DIR`` runs the app of another checkout (a ``git worktree``), to
compare before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import orjson


def follow(root: Path, body: bytes) -> tuple[list[str], int, list[str]]:
    """The files of ``root`` that one request runs, how many times it enters a file of ``service/``, and the
    order in which it first enters each."""
    sys.path.insert(0, str(root))
    for name in [name for name in sys.modules if name.split(".")[0] in ("service", "gradcore")]:
        del sys.modules[name]
    import httpx

    app = importlib.import_module("service.app").create_app()
    prefix = str(root.resolve()) + "/"
    files: set[str] = set()
    order: list[str] = []
    entries = 0
    current = [""]

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal entries
        if event not in ("call", "return"):
            return
        caller = frame.f_back.f_code.co_filename if frame.f_back else ""
        target = frame.f_code.co_filename if event == "call" else caller
        if not target.startswith(prefix):
            return
        relative = target[len(prefix) :]
        if relative.startswith(("service/", "gradcore/")):
            files.add(relative)
            if relative != current[0]:
                if relative.startswith("service/"):
                    entries += 1
                if relative not in order:
                    order.append(relative)
                current[0] = relative

    async def post() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = {"content-type": "application/json"}
            warm = await client.post("/v1/gradients", content=body, headers=headers)
            warm.raise_for_status()
            sys.setprofile(profile)
            try:
                answer = await client.post("/v1/gradients", content=body, headers=headers)
            finally:
                sys.setprofile(None)
            answer.raise_for_status()

    asyncio.run(post())
    return sorted(files), entries, order


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.road", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--workload", default="medium")
    args = parser.parse_args()
    from bench.workloads import workloads

    (workload,) = [w for w in workloads(quick=False) if w.name == args.workload]
    files, entries, order = follow(args.root, orjson.dumps(workload.body))
    service = [file for file in files if file.startswith("service/")]
    print(f"{args.root}: {len(service)} files of service/ and {len(files) - len(service)} of gradcore/ run;")
    print(f"the request enters a file of service/ {entries} times. First entries, in order:")
    for file in order:
        print(f"  {file}")


if __name__ == "__main__":
    main()
