"""``deploy/nginx/nginx.conf``: checked by ``nginx -t`` and run for real in front of two service processes.

The file names its backends ``replica:8000`` (the compose service) and listens on 8080; the tests render
it with loopback backends, a free loopback port and a temporary directory instead of ``/tmp``, and
change nothing else.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from servers import HOST, ROOT, SERVICE, Server, Servers, free_port, require_program, stop_process, wait_until_ready
from waiting import until_sync

from service.api.schemas.examples import SEED_TWO_LAYER

CONFIG = ROOT / "deploy" / "nginx" / "nginx.conf"
UPSTREAM = re.compile(r"^(\s*)server replica:8000( [^;]*)?;$", re.MULTILINE)
LISTEN = re.compile(r"^(\s*)listen 8080;$", re.MULTILINE)
REQUESTS = 24
STARTUP_TIMEOUT = 10.0
SAFETY = 30.0
"""Seconds after which a wait for an event fails: a safety net, never a synchronisation."""
GENEROUS = 3.0
"""A bound on one request's time that no loaded machine misses, far below the timeouts it tells apart (60 s)."""


def render(backends: list[str], port: int, prefix: Path) -> Path:
    """The repository's config with these backends, this loopback port and ``prefix`` for ``/tmp``."""
    text = CONFIG.read_text(encoding="utf-8")
    text, upstreams = UPSTREAM.subn(lambda m: "\n".join(f"{m[1]}server {b}{m[2] or ''};" for b in backends), text)
    text, listens = LISTEN.subn(lambda m: f"{m[1]}listen {HOST}:{port};", text)
    assert (upstreams, listens) == (1, 1), "deploy/nginx/nginx.conf no longer has the lines this test replaces"
    path = prefix / "nginx.conf"
    path.write_text(text.replace("/tmp/", f"{prefix}/"), encoding="utf-8")
    return path


def nginx_command(config: Path, *args: str) -> list[str]:
    return [require_program("nginx"), "-p", str(config.parent), "-c", str(config), "-e", "stderr", *args]


@contextmanager
def running_nginx(backends: list[str], prefix: Path) -> Iterator[str]:
    """nginx with the repository's config on a free loopback port in front of ``backends`` (host:port): its URL."""
    port = free_port()
    config = render(backends, port, prefix)
    log = (prefix / "nginx.log").open("wb")
    process = subprocess.Popen(
        nginx_command(config, "-g", "daemon off;"), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
    )
    base_url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                if httpx.get(f"{base_url}/nginx-healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nginx did not start:\n{(prefix / 'nginx.log').read_text(errors='replace')}")
            time.sleep(0.05)
        yield base_url
    finally:
        stop_process(process)
        log.close()


@pytest.fixture
def balancer(servers: Servers, tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """nginx on a free loopback port in front of two service processes: (its URL, the backends' URLs)."""
    backends = servers.start(2)
    with running_nginx([url.removeprefix("http://") for url in backends], tmp_path) as base_url:
        yield base_url, backends


@contextmanager
def black_hole() -> Iterator[str]:
    """A loopback host:port where connect() hangs, like the address of a container that is gone.

    A listening socket whose accept queue is full and never drained: the kernel drops new SYNs, so a client
    waits for its connect timeout instead of getting a refusal.
    """
    with ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind((HOST, 0))
        listener.listen(0)
        address = listener.getsockname()
        for _ in range(3):
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            filler.connect_ex(address)
        until_sync(lambda: connect_times_out(address), "a full accept queue")  # the kernel completes the fillers
        yield f"{address[0]}:{address[1]}"


def connect_times_out(address: tuple[str, int]) -> bool:
    """Whether a connection to ``address`` waits (its SYN dropped) rather than completes or is refused."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        try:
            probe.connect(address)
        except TimeoutError:
            return True
        except OSError:
            return False
        return False


def timed_posts(base_url: str, count: int) -> list[tuple[int, float]]:
    """(status, seconds) of ``count`` POST /v1/gradients, each on a new connection, as separate clients send."""
    results = []
    for _ in range(count):
        start = time.monotonic()
        status = httpx.post(f"{base_url}/v1/gradients", json=SEED_TWO_LAYER, timeout=10.0).status_code
        results.append((status, time.monotonic() - start))
    return results


def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    config = render(["127.0.0.1:18001", "127.0.0.1:18002"], free_port(), tmp_path)
    result = subprocess.run(nginx_command(config, "-t"), capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def served(backend: str) -> float:
    """How many POST /v1/gradients this backend answered with 200, from its own /metrics."""
    text = httpx.get(f"{backend}/metrics", timeout=5.0).text
    wanted = {"handler": "/v1/gradients", "method": "POST", "status": "200"}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "http_requests_total" and sample.labels == wanted:
                return sample.value
    return 0.0


def test_nginx_spreads_requests_over_both_replicas(balancer: tuple[str, list[str]]) -> None:
    base_url, backends = balancer
    direct = httpx.post(f"{backends[0]}/v1/gradients", json=SEED_TWO_LAYER, timeout=10.0).json()
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        answers = [client.post("/v1/gradients", json=SEED_TWO_LAYER) for _ in range(REQUESTS)]
        assert client.get("/metrics").status_code == 404  # scrape the replicas, not the balancer
        assert client.get("/readyz").json() == {"status": "ready"}
    assert [answer.status_code for answer in answers] == [200] * REQUESTS
    assert all(answer.json() == direct for answer in answers)
    counts = [served(backend) for backend in backends]
    assert counts[0] - 1 > 0  # the direct request above came on top
    assert counts[1] > 0
    assert counts[0] - 1 + counts[1] == REQUESTS


def test_nginx_retries_on_the_other_replica_when_one_stops(balancer: tuple[str, list[str]], servers: Servers) -> None:
    base_url, backends = balancer
    servers.stop(backends[1])
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        answers = [client.post("/v1/gradients", json=SEED_TWO_LAYER) for _ in range(REQUESTS // 2)]
    assert [answer.status_code for answer in answers] == [200] * (REQUESTS // 2)
    assert served(backends[0]) == REQUESTS // 2


def test_nginx_fails_over_in_well_under_a_second_when_a_replica_is_gone(servers: Servers, tmp_path: Path) -> None:
    """A stopped container's address does not refuse, it stays silent: each request that meets it costs one
    proxy_connect_timeout, then goes to the other replica, and the silent one is skipped for fail_timeout."""
    (live,) = servers.start(1)
    with black_hole() as gone, running_nginx([live.removeprefix("http://"), gone], tmp_path) as base_url:
        results = timed_posts(base_url, REQUESTS)
        time.sleep(1.1)  # past fail_timeout, so that the silent replica is tried again: more time cannot hurt
        results += timed_posts(base_url, REQUESTS)
    assert [status for status, _ in results] == [200] * (2 * REQUESTS)
    slowest = max(seconds for _, seconds in results)
    # One proxy_connect_timeout (0.3 s) per request that meets the silent replica, not nginx's default 60 s: the
    # bound is generous for a loaded machine (the figure itself is a benchmark's business).
    assert slowest < GENEROUS, f"the slowest request took {slowest:.2f} s"
    assert served(live) == 2 * REQUESTS
    log = (tmp_path / "nginx.log").read_text(errors="replace")
    assert "upstream timed out" in log  # the silent replica was tried, and cost a connect timeout


def test_nginx_sends_requests_to_a_replica_that_starts_listening_late(servers: Servers, tmp_path: Path) -> None:
    """nginx may start before a replica listens (podman-compose on podman < 4.6 does not wait for healthy):
    the refused replica is tried again after fail_timeout (1 s), not 10 s."""
    (early,) = servers.start(1)
    port = free_port()
    with running_nginx([early.removeprefix("http://"), f"{HOST}:{port}"], tmp_path) as base_url:
        before = timed_posts(base_url, REQUESTS)
        with (tmp_path / "late.log").open("w+b") as output:
            process = subprocess.Popen(
                [*SERVICE, "--host", HOST, "--port", str(port)],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            late = Server(process, f"http://{HOST}:{port}", port, output)
            try:
                wait_until_ready(late)
                started = time.monotonic()
                with httpx.Client(base_url=base_url, timeout=10.0) as client:
                    while served(late.base_url) == 0 and time.monotonic() - started < SAFETY:
                        assert client.post("/v1/gradients", json=SEED_TWO_LAYER).status_code == 200
                        time.sleep(0.02)
                waited = time.monotonic() - started
            finally:
                stop_process(process)
    assert [status for status, _ in before] == [200] * REQUESTS
    assert max(seconds for _, seconds in before) < GENEROUS
    # after fail_timeout (1 s), not 10 s: a bound between the two that a loaded machine does not miss
    assert waited < 8.0, f"the late replica got its first request {waited:.1f} s after it was ready"
