"""The checks of scripts/container-check that need more than curl; the host's python3, standard library only.

helper.py containers-conf FILE        set the two settings podman needs on these machines, keep the rest
helper.py wait URL SECONDS            poll URL until it answers 200 (prints the seconds it took)
helper.py answer URL FILE             POST the example FILE to URL, compare with the math, within 1e-9
helper.py traffic URL FILE MARK       POST FILE to URL back to back until 12 s after the file MARK appears
                                      (60 s at most), then print the counts, failures and the slowest
                                      request; exit 1 on any failure, any request over 1 s, or no request
                                      after MARK
"""

from __future__ import annotations

import http.client
import json
import math
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

TOLERANCE = 1e-9
SLOWEST_ALLOWED = 1.0
CONTAINERS_CONF = {
    "containers": {"default_ulimits": '["nofile=20000:20000", "nproc=32768:32768"]'},
    "engine": {"runtime": '"runc"'},
}


def containers_conf(path: Path) -> None:
    """Write CONTAINERS_CONF's keys into the TOML file ``path``, replacing those keys, keeping every other line."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for table, settings in CONTAINERS_CONF.items():
        for key, value in settings.items():
            wanted = f"{key} = {value}"
            header = next((i for i, line in enumerate(lines) if line.strip() == f"[{table}]"), None)
            if header is None:
                lines += ["", f"[{table}]", wanted]
                continue
            end = next((i for i in range(header + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
            existing = [i for i in range(header + 1, end) if re.match(rf"\s*{key}\s*=", lines[i])]
            if existing:
                # A value may span lines (a TOML array); these are one line, so drop a multi-line tail.
                first = existing[0]
                tail = first + 1
                if lines[first].count("[") > lines[first].count("]"):
                    while tail < end and "]" not in lines[tail - 1]:
                        tail += 1
                lines[first:tail] = [wanted]
            else:
                lines.insert(header + 1, wanted)
    text = "\n".join(lines).lstrip("\n") + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    else:
        print(f"{path} already has the settings")


def wait(url: str, seconds: float) -> None:
    start = time.monotonic()
    last = ""
    while time.monotonic() - start < seconds:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    print(f"{url}: 200 after {time.monotonic() - start:.1f} s")
                    return
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            last = str(error)
        time.sleep(0.1)
    sys.exit(f"{url} did not answer 200 within {seconds} s (last: {last})")


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def expected(case: dict[str, Any]) -> dict[str, Any]:
    """Loss, output and per-layer z, l, Δ and ∂L/∂W of a bias-free sigmoid network, one example, ½ squared error.

    The closed form, written out independently of gradcore: z_k = l_{k−1} W_k, l_k = σ(z_k),
    Δ_L = (ŷ − y) ŷ (1 − ŷ), Δ_k = (Δ_{k+1} W_{k+1}ᵀ) l_k (1 − l_k), ∂L/∂W_k = l_{k−1}ᵀ Δ_k.
    """
    layers = case["network"]["layers"]
    assert all(layer["activation"] == "sigmoid" and "biases" not in layer for layer in layers)
    assert case["loss"] == "half_squared_error"
    inputs = [float(v) for v in case["inputs"]]
    targets = case["targets"] if isinstance(case["targets"], list) else [case["targets"]]
    activations, pre = [inputs], []
    for layer in layers:
        weights = layer["weights"]
        z = [sum(activations[-1][i] * weights[i][j] for i in range(len(weights))) for j in range(len(weights[0]))]
        pre.append(z)
        activations.append([sigmoid(v) for v in z])
    output = activations[-1]
    loss = sum(0.5 * (y - yhat) ** 2 for y, yhat in zip(targets, output, strict=True))
    deltas: list[list[float]] = [[]] * len(layers)
    deltas[-1] = [(yhat - y) * yhat * (1 - yhat) for y, yhat in zip(targets, output, strict=True)]
    for k in range(len(layers) - 2, -1, -1):
        following = layers[k + 1]["weights"]
        back = [sum(w * d for w, d in zip(row, deltas[k + 1], strict=True)) for row in following]
        deltas[k] = [b * a * (1 - a) for b, a in zip(back, activations[k + 1], strict=True)]
    return {
        "loss": loss,
        "output": [output],
        "layers": [
            {
                "pre_activation": [pre[k]],
                "activation": [activations[k + 1]],
                "delta": [deltas[k]],
                "weights_gradient": [[a * d for d in deltas[k]] for a in activations[k]],
            }
            for k in range(len(layers))
        ],
    }


def compare(got: Any, want: Any, where: str) -> list[str]:
    """Every place where ``got`` differs from ``want``: numbers within TOLERANCE, same shapes and keys."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{where}: expected an object, got {got!r}"]
        return [problem for key in want for problem in compare(got.get(key), want[key], f"{where}.{key}")]
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{where}: expected {len(want)} items, got {got!r}"]
        pairs = enumerate(zip(got, want, strict=True))
        return [problem for i, (g, w) in pairs for problem in compare(g, w, f"{where}[{i}]")]
    if not isinstance(got, int | float) or not math.isclose(got, want, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
        return [f"{where}: got {got!r}, expected {want!r}"]
    return []


def post(url: str, body: bytes, timeout: float = 10.0) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def answer(url: str, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    status, body = post(url, path.read_bytes())
    if status != 200:
        sys.exit(f"POST {url} {path}: {status} {body[:500]!r}")
    want = expected(case)
    problems = compare(json.loads(body), want, "answer")
    if problems:
        sys.exit("the answer differs from the closed form:\n  " + "\n  ".join(problems))
    print(f"POST {url} {path.name}: 200, loss {json.loads(body)['loss']!r}, every number within {TOLERANCE}")


AFTER_MARK = 12.0
"""Longer than nginx's fail_timeout was (10 s): a stopped replica is tried again, and that try is timed."""
PAUSE = 0.005
"""Between requests, to leave the shared machine some CPU."""
TRAFFIC_LIMIT = 60.0


def traffic(url: str, path: Path, mark: Path) -> None:
    """Requests back to back on fresh connections (as many clients would), each timed; all must be 200, < 1 s.

    The caller creates ``mark`` once it has stopped a replica; requests go on for AFTER_MARK seconds more.
    """
    body = path.read_bytes()
    parts = urlsplit(url)
    timings: list[float] = []
    failures: list[str] = []
    began = time.monotonic()
    marked_at: float | None = None
    before_mark = 0
    while time.monotonic() - began < TRAFFIC_LIMIT:
        if marked_at is None and mark.exists():
            marked_at, before_mark = time.monotonic(), len(timings)
        if marked_at is not None and time.monotonic() - marked_at > AFTER_MARK:
            break
        start = time.monotonic()
        try:
            connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
            connection.request("POST", parts.path, body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                failures.append(f"{response.status} at {start:.3f}")
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{error!r} at {start:.3f}")
        timings.append(time.monotonic() - start)
        time.sleep(PAUSE)
    timings_sorted = sorted(timings)
    slowest = timings_sorted[-1] if timings else math.inf
    p99 = timings_sorted[int(0.99 * (len(timings) - 1))] if timings else math.inf
    print(
        f"traffic: {len(timings)} requests in {time.monotonic() - began:.1f} s ({before_mark} before podman stop "
        f"returned), {len(failures)} failed, slowest {slowest * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
    )
    if marked_at is None or len(timings) == before_mark:
        sys.exit(f"no request after {mark} appeared (within {TRAFFIC_LIMIT} s)")
    if failures:
        sys.exit("failed requests: " + ", ".join(failures[:10]))
    if slowest > SLOWEST_ALLOWED:
        sys.exit(f"a request took {slowest:.3f} s, more than {SLOWEST_ALLOWED} s")


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "containers-conf":
        containers_conf(Path(args[0]))
    elif command == "wait":
        wait(args[0], float(args[1]))
    elif command == "answer":
        answer(args[0], Path(args[1]))
    elif command == "traffic":
        traffic(args[0], Path(args[1]), Path(args[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
