"""The guards in front of the routes: API key, slow bodies, and one log line per request."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from waiting import until

from service.api.schemas.examples import SEED_TWO_LAYER
from service.app import create_app
from service.domain.settings import Settings
from service.http.logs import JsonFormatter, flush_logs, log_config

pytestmark = pytest.mark.anyio

KEY = "s3cret-ключ"  # not ASCII: compared as the UTF-8 bytes the client sends
KEYED = create_app(Settings(api_key=KEY))


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def utf8(headers: dict[str, str]) -> dict[str, bytes]:
    return {name: value.encode() for name, value in headers.items()}


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({}, 401, id="no-key"),
        pytest.param({"x-api-key": "wrong"}, 401, id="wrong-x-api-key"),
        pytest.param({"authorization": "Bearer wrong"}, 401, id="wrong-bearer"),
        pytest.param({"authorization": KEY}, 401, id="no-scheme"),
        pytest.param({"authorization": f"Basic {KEY}"}, 401, id="basic-scheme"),
        pytest.param({"x-api-key": KEY[:-1]}, 401, id="prefix-of-the-key"),
        pytest.param({"x-api-key": KEY}, 200, id="x-api-key"),
        pytest.param({"authorization": f"Bearer {KEY}"}, 200, id="bearer"),
        pytest.param({"authorization": f"bearer {KEY}"}, 200, id="bearer-lowercase"),
        pytest.param({"authorization": "Bearer wrong", "x-api-key": KEY}, 200, id="either-is-enough"),
    ],
)
async def test_api_key(headers: dict[str, str], status: int) -> None:
    async with client_of(KEYED) as http:
        response = await http.post("/v1/gradients", json=SEED_TWO_LAYER, headers=utf8(headers))
    assert response.status_code == status, response.text
    if status == 401:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")
        problem = response.json()
        assert problem["status"] == 401
        assert problem["type"] == "/problems/unauthorized"
        assert KEY not in response.text


async def test_api_key_guards_every_path_but_healthz() -> None:
    async with client_of(KEYED) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        assert (await http.get("/readyz")).status_code == 200  # a probe too: documented in docs/operations.md
        for path in ("/openapi.json", "/docs", "/v1/nowhere"):
            assert (await http.get(path)).status_code == 401, path
        assert (await http.post("/playground", json={})).status_code == 401  # only the page's GETs are open
        assert (await http.get("/openapi.json", headers=utf8({"x-api-key": KEY}))).status_code == 200


@pytest.mark.parametrize("path", ["/", "/playground", "/playground/main.js", "/playground/report.html"])
async def test_the_playground_s_files_need_no_key(path: str) -> None:
    """The page holds no answer; it asks for the key and sends it with its calls (tests/service/page)."""
    async with client_of(KEYED) as http:
        assert (await http.get(path)).status_code in (200, 307), path
        assert (await http.head(path)).status_code in (200, 307), path
        assert (await http.get("/playground/nothing-here.js")).status_code == 404


async def test_api_key_is_off_by_default_and_when_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().api_key is None
    async with client_of(create_app(Settings())) as http:
        assert (await http.post("/v1/gradients", json=SEED_TWO_LAYER)).status_code == 200
    monkeypatch.setenv("GRADSERVICE_API_KEY", "")
    assert Settings().api_key is None
    monkeypatch.setenv("GRADSERVICE_API_KEY", KEY)
    assert Settings().api_key is not None


async def test_openapi_documents_the_key_only_when_it_is_set() -> None:
    async with client_of(KEYED) as http:
        keyed = (await http.get("/openapi.json", headers=utf8({"x-api-key": KEY}))).json()
    async with client_of(create_app(Settings())) as http:
        open_ = (await http.get("/openapi.json")).json()
    assert "401" in keyed["paths"]["/v1/gradients"]["post"]["responses"]
    assert keyed["components"]["securitySchemes"]
    assert "401" not in open_["paths"]["/v1/gradients"]["post"]["responses"]
    assert "securitySchemes" not in open_["components"]


async def test_clients_still_sending_their_bodies_hold_no_slot() -> None:
    """Two slow small bodies (read on the event loop: they reserve nothing) with max_concurrency = 1: a third
    request still gets 200, then both slow ones do too. A large body reserves its memory before it is read
    (test_body_budget.py)."""
    app = create_app(Settings(max_concurrency=1, retry_after=7))
    release = anyio.Event()
    body = json.dumps(SEED_TWO_LAYER).encode()
    started = 0

    async def slow_body() -> AsyncIterator[bytes]:
        nonlocal started
        started += 1
        yield body[:10]
        await release.wait()
        yield body[10:]

    answers: list[httpx.Response] = []

    async def slow_request(http: httpx.AsyncClient) -> None:
        answers.append(
            await http.post("/v1/gradients", content=slow_body(), headers={"content-type": "application/json"})
        )

    async with client_of(app) as http, anyio.create_task_group() as tasks:
        tasks.start_soon(slow_request, http)
        tasks.start_soon(slow_request, http)
        await until(lambda: started == 2, "both slow bodies' first bytes")
        assert (await http.post("/v1/gradients", json=SEED_TWO_LAYER)).status_code == 200
        assert (await http.get("/healthz")).status_code == 200
        release.set()
    assert [answer.status_code for answer in answers] == [200, 200]


async def test_a_body_that_stops_gets_408_problem() -> None:
    app = create_app(Settings(body_idle_timeout=0.2))
    body = json.dumps(SEED_TWO_LAYER).encode()

    async def stalled() -> AsyncIterator[bytes]:
        yield body[:10]
        await anyio.Event().wait()  # the rest never comes: only the idle deadline ends the request
        yield body[10:]

    async with client_of(app) as http:
        answer = await http.post("/v1/gradients", content=stalled(), headers={"content-type": "application/json"})
    assert answer.status_code == 408
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "/problems/request-timeout"
    assert "GRADSERVICE_BODY_IDLE_TIMEOUT" in answer.json()["detail"]


def access_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [record.fields for record in caplog.records if record.name == "service.access"]  # type: ignore[attr-defined]


async def test_one_log_line_per_request_with_its_request_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="service.access")
    secret = "0.123456789"  # a number of the body: it must never reach the log
    body = json.dumps(SEED_TWO_LAYER).replace("0.1", secret)
    async with client_of(create_app(Settings())) as http:
        given = await http.post(
            "/v1/gradients", content=body, headers={"content-type": "application/json", "x-request-id": "abc-123"}
        )
        made = await http.post("/v1/forward?token=hidden", json={"inputs": 1})
        refused = await http.get("/v1/gradients", headers={"x-request-id": "not a token!" + "x" * 200})
    flush_logs()  # the lines wait up to 50 ms to be written together
    assert given.status_code == 200
    assert given.headers["x-request-id"] == "abc-123"
    assert made.status_code == 422
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])  # a new id
    assert re.fullmatch(r"[0-9a-f]{32}", refused.headers["x-request-id"])
    assert made.headers["x-request-id"] != refused.headers["x-request-id"]
    records = access_records(caplog)
    assert [(r["method"], r["path"], r["status"], r["request_id"]) for r in records] == [
        ("POST", "/v1/gradients", 200, "abc-123"),
        ("POST", "/v1/forward", 422, made.headers["x-request-id"]),
        ("GET", "/v1/gradients", 405, refused.headers["x-request-id"]),
    ]
    assert all(isinstance(r["duration_ms"], float) and r["duration_ms"] >= 0 for r in records)
    for formatter in (JsonFormatter(), logging.Formatter(log_config(Settings())["formatters"]["text"]["format"])):
        lines = "\n".join(formatter.format(record) for record in caplog.records)
        assert secret not in lines
        assert "hidden" not in lines


def test_json_log_lines_are_json_objects(caplog: pytest.LogCaptureFixture) -> None:
    record = logging.LogRecord("service.access", logging.INFO, __file__, 1, "GET %(path)s", None, None)
    record.fields = {"method": "GET", "path": '/x\n"y', "status": 404, "duration_ms": 0.5, "request_id": "r"}
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "info"
    assert entry["logger"] == "service.access"
    assert entry["path"] == '/x\n"y'
    assert entry["status"] == 404


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_log_config_sends_one_format_to_stdout_and_silences_uvicorns_access_log(log_format: str) -> None:
    config = log_config(Settings(log_format=log_format))  # type: ignore[arg-type]
    assert config["handlers"]["stdout"]["formatter"] == log_format
    assert config["loggers"]["uvicorn.access"] == {"handlers": [], "propagate": False}
    assert config["loggers"]["service"]["handlers"] == ["stdout"]
