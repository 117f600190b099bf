"""Issue 26's floods against a container under a memory limit; the host's python3, standard library only.

floods.py URL       send each flood (64 junk bodies of 16 MB, 64 valid 16 MB /v1/gradients, 32 Markdown
                    derivations of some 6 MB) all at once, one connection per request, while /healthz is asked
                    every 0.25 s; print each flood's answers by status and the slowest /healthz; exit 1 if a
                    request gets no answer or one other than 200, 4xx or 503, or /healthz ever fails

scripts/container-check runs the image with ``--memory 512m`` and checks afterwards that podman saw no OOM kill;
``python -m bench.floods`` measures the same floods against a local server (bench/README.md).
"""

from __future__ import annotations

import http.client
import random
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

MAX_BODY = 16 * 1024 * 1024
HEALTH_EVERY = 0.25
HEALTH_TIMEOUT = 5.0
"""A /healthz slower than this counts as a failure (Kubernetes' default probe waits 1 s, three times)."""
REQUEST_TIMEOUT = 180.0


def matrix(rng: random.Random, rows: int, columns: int, low: float, high: float) -> str:
    return (
        "["
        + ",".join("[" + ",".join(repr(rng.uniform(low, high)) for _ in range(columns)) + "]" for _ in range(rows))
        + "]"
    )


def gradients_body() -> bytes:
    """A valid /v1/gradients body just under 16 MiB: one sigmoid layer 900 × 1, X m × 900 in full precision."""
    rng = random.Random(26)
    weights = matrix(rng, 900, 1, -0.1, 0.1)
    rows = [matrix(rng, 1, 900, -1, 1)[1:-1] for _ in range(1000)]
    targets = [repr(rng.uniform(0, 1)) for _ in range(1000)]
    m = len(rows)
    while True:
        body = (
            '{"network":{"layers":[{"weights":'
            + weights
            + '}]},"inputs":['
            + ",".join(rows[:m])
            + '],"targets":['
            + ",".join(f"[{t}]" for t in targets[:m])
            + "]}"
        ).encode()
        if len(body) <= MAX_BODY:
            return body
        m -= 10


def derivation_body() -> bytes:
    """Two tanh layers 200 × 100 and 100 × 100, X 1000 × 200, Y 1000 × 100 in full precision (some 6.6 MB)."""
    rng = random.Random(27)
    layers = ",".join(
        '{"weights":' + matrix(rng, rows, 100, -0.1, 0.1) + ',"activation":"tanh"}' for rows in (200, 100)
    )
    X, Y = matrix(rng, 1000, 200, -1, 1), matrix(rng, 1000, 100, -1, 1)
    return ('{"network":{"layers":[' + layers + ']},"inputs":' + X + ',"targets":' + Y + "}").encode()


def floods() -> list[tuple[str, str, bytes, int, str]]:
    """(name, path, body, requests, Accept) of each flood."""
    return [
        ("junk", "/v1/gradients", b'{"inputs": "' + b"a" * 16_000_000 + b'"}', 64, "application/json"),
        ("gradients", "/v1/gradients", gradients_body(), 64, "application/json"),
        ("derivation", "/v1/derivation", derivation_body(), 32, "text/markdown"),
    ]


def one(
    host: str, port: int, path: str, body: bytes, accept: str, statuses: Counter[str], lock: threading.Lock
) -> None:
    try:
        connection = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
        connection.request("POST", path, body, {"Content-Type": "application/json", "Accept": accept})
        response = connection.getresponse()
        response.read()
        connection.close()
        outcome = str(response.status)
    except (OSError, http.client.HTTPException) as error:
        outcome = f"no answer ({type(error).__name__})"
    with lock:
        statuses[outcome] += 1


def probe(host: str, port: int, stop: threading.Event, failures: list[str], slowest: list[float]) -> None:
    """Ask /healthz every HEALTH_EVERY seconds until ``stop``; note every failure and the slowest answer."""
    while not stop.is_set():
        start = time.monotonic()
        try:
            connection = http.client.HTTPConnection(host, port, timeout=HEALTH_TIMEOUT)
            connection.request("GET", "/healthz")
            status = connection.getresponse().status
            connection.close()
            if status != 200:
                failures.append(f"/healthz {status}")
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"/healthz {type(error).__name__} after {time.monotonic() - start:.1f} s")
        slowest[0] = max(slowest[0], time.monotonic() - start)
        stop.wait(HEALTH_EVERY)


def main(url: str) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    bad: list[str] = []
    for name, path, body, count, accept in floods():
        statuses: Counter[str] = Counter()
        lock, stop = threading.Lock(), threading.Event()
        failures: list[str] = []
        slowest = [0.0]
        prober = threading.Thread(target=probe, args=(host, port, stop, failures, slowest))
        prober.start()
        started = time.monotonic()
        senders = [
            threading.Thread(target=one, args=(host, port, path, body, accept, statuses, lock)) for _ in range(count)
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        stop.set()
        prober.join()
        answers = ", ".join(f"{n} × {status}" for status, n in sorted(statuses.items()))
        print(
            f"flood {name}: {count} × {len(body) / 1e6:.1f} MB in {time.monotonic() - started:.1f} s: {answers}; "
            f"slowest /healthz {slowest[0] * 1000:.0f} ms"
        )
        wrong = [s for s in statuses if not (s == "200" or s == "503" or (s.isdigit() and 400 <= int(s) < 500))]
        bad += [f"{name}: {statuses[s]} × {s}" for s in wrong] + [f"{name}: {failure}" for failure in failures[:5]]
    if bad:
        sys.exit("floods: " + "; ".join(bad))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
