"""``deploy/nginx/nginx.conf``: checked by ``nginx -t`` and run for real in front of two service processes.

The file names its backends ``replica:8000`` (the compose service) and listens on 8080; the tests render
it with loopback backends, a free loopback port and a temporary directory instead of ``/tmp``, and
change nothing else.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from servers import HOST, ROOT, Servers, free_port, require_program, stop_process

from service.api.schemas.examples import SEED_TWO_LAYER

CONFIG = ROOT / "deploy" / "nginx" / "nginx.conf"
UPSTREAM = re.compile(r"^(\s*)server replica:8000( [^;]*)?;$", re.MULTILINE)
LISTEN = re.compile(r"^(\s*)listen 8080;$", re.MULTILINE)
REQUESTS = 24
STARTUP_TIMEOUT = 10.0


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


@pytest.fixture
def balancer(servers: Servers, tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """nginx on a free loopback port in front of two service processes: (its URL, the backends' URLs)."""
    backends = servers.start(2)
    port = free_port()
    config = render([url.removeprefix("http://") for url in backends], port, tmp_path)
    log = (tmp_path / "nginx.log").open("wb")
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
                pytest.fail(f"nginx did not start:\n{(tmp_path / 'nginx.log').read_text(errors='replace')}")
            time.sleep(0.05)
        yield base_url, backends
    finally:
        stop_process(process)
        log.close()


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
