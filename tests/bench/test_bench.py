"""The benchmark's parts: every server computes the service's numbers, and the report's ratios are right."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench import floor_server, lean_server, naive_server
from bench.load import Measurement, _ms
from bench.report import Result, goals, markdown, write_report
from bench.workloads import Workload, workloads
from service.app import create_app

pytestmark = pytest.mark.anyio


async def post(app: Any, body: Any) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        return await client.post("/v1/gradients", json=body)


@pytest.mark.parametrize("workload", workloads(quick=True), ids=lambda w: w.name)
async def test_naive_and_lean_servers_agree_with_the_service(workload: Workload) -> None:
    body = workload.body
    expected = (await post(create_app(), body)).json()
    if workload.options:
        assert set(expected) == {"loss", "layers"}
        assert set(expected["layers"][0]) == {"weights_gradient"}
        return
    for app in (naive_server.app, lean_server.app):
        response = await post(app, body)
        assert response.status_code == 200
        assert response.json() == expected


async def test_floor_reads_the_body_and_answers_a_constant() -> None:
    response = await post(floor_server.app, {"anything": [1, 2, 3]})
    assert response.status_code == 200
    assert response.json() == {"loss": 0.0}


@pytest.mark.parametrize(("text", "ms"), [("850.00us", 0.85), ("1.50ms", 1.5), ("2.00s", 2000.0), ("1.00m", 60000.0)])
def test_wrk_latency_units(text: str, ms: float) -> None:
    assert _ms(text) == pytest.approx(ms)


def fake_table() -> list[Result]:
    rps = {("service", "seed"): 400.0, ("floor", "seed"): 1000.0, ("service", "large"): 30.0}
    rps |= {("lean", "large"): 20.0, ("naive", "large"): 2.0, ("service", "large-compact"): 300.0}
    rps |= {("service, 2 workers", "large"): 45.0, ("lean", "seed"): 800.0, ("baseline", "large"): 25.0}
    return [Result(server, workload, Measurement(value, 1.0, 2.0, 0)) for (server, workload), value in rps.items()]


def test_goals_divide_the_service_by_the_other_server() -> None:
    rows = "\n".join(goals(fake_table()))
    assert "| seed: service ÷ HTTP floor (≥ 0.8×) | 0.40× | no |" in rows
    assert "| seed: service ÷ lean yardstick (≥ 0.6×) | 0.50× | no |" in rows
    assert "| large: service ÷ lean yardstick (≥ 1×) | 1.50× | yes |" in rows
    assert "| large: service ÷ naive reference (≥ 10×) | 15.00× | yes |" in rows
    assert "| large-compact: service ÷ lean yardstick on large (≥ 10×) | 15.00× | yes |" in rows
    assert "| large: 2 workers ÷ 1 worker (report only) | 1.50× | |" in rows
    assert "| large: service ÷ baseline, the same rounds (report only) | 1.20× | |" in rows
    assert "seed: service ÷ baseline" not in rows  # no baseline measured there


def test_report_writes_markdown_and_chart(tmp_path: Path) -> None:
    args = argparse.Namespace(rounds=1, duration=1.0, connections=2, quick=True)
    text = write_report(fake_table(), tmp_path, args, generator="Python client", pinned=False)
    assert (tmp_path / "results.md").read_text() == text
    assert "| large | naive | 2.0 | 1.00 | 2.00 | 0 | 15.00× |" in markdown(fake_table())
    assert (tmp_path / "results.png").read_bytes().startswith(b"\x89PNG")
