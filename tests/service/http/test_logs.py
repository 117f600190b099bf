"""The access log as a server writes it: logging configured by ``log_config``, one JSON line per request."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import numpy as np
import pytest
from waiting import until

from service.api.schemas.examples import SEED_TWO_LAYER
from service.app import create_app
from service.domain.settings import Settings
from service.http import batch
from service.http.logs import (
    MAX_LOGGED_PATH,
    JsonFormatter,
    JsonLinesHandler,
    _only_handler,
    flush_logs,
    log_config,
    record,
    utc_time,
)

LOGGERS = ("service", "service.access", "uvicorn", "uvicorn.access")


def state_of(logger: logging.Logger) -> dict[str, Any]:
    """What a logger holds, its lists of handlers and filters copied: a test may add to them."""
    return {key: value.copy() if isinstance(value, list) else value for key, value in logger.__dict__.items()}


@pytest.fixture
def configured(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """Logging as ``python -m service`` configures it (in ``request.param`` format), writing to a string;
    the loggers are restored afterwards."""
    saved = [(logging.getLogger(name), state_of(logging.getLogger(name))) for name in LOGGERS]
    logging.config.dictConfig(log_config(Settings(log_format=request.param)))
    (handler,) = logging.getLogger("service").handlers
    stream = io.StringIO()
    handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        for logger, state in saved:
            logger.__dict__.clear()
            logger.__dict__.update(state)


def alone() -> JsonLinesHandler:
    """The service's JSON handler, made the only handler of its logger as in a server: pytest adds its capture
    handlers to the loggers that do not propagate, for the test's call."""
    service = logging.getLogger("service")
    for handler in service.handlers[:]:
        if type(handler) is not JsonLinesHandler:
            service.removeHandler(handler)
    (handler,) = service.handlers
    assert isinstance(handler, JsonLinesHandler)
    assert _only_handler() is handler
    return handler


class Writes(io.StringIO):
    """A stream that counts its writes."""

    writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def client(settings: Settings | None = None) -> httpx.AsyncClient:
    """A client of a new app, in this process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings)), base_url="http://testserver")


async def post_seed(settings: Settings, request_id: str) -> httpx.Response:
    async with client(settings) as http:
        return await http.post("/v1/gradients", json=SEED_TWO_LAYER, headers={"x-request-id": request_id})


@pytest.mark.anyio
@pytest.mark.parametrize("configured", ["json"], indirect=True)
async def test_a_server_writes_the_line_the_formatter_writes(configured: io.StringIO) -> None:
    alone()
    answer = await post_seed(Settings(), "line-1")
    assert answer.status_code == 200
    await until(configured.getvalue, "the access line")  # it waits DELAY for others, on the event loop
    (line,) = configured.getvalue().splitlines()
    written = json.loads(line)
    assert written["request_id"] == "line-1"
    fields = {key: written[key] for key in ("method", "path", "status", "duration_ms", "request_id")}
    formatted: dict[str, Any] = json.loads(JsonFormatter().format(record(fields)))
    assert written.keys() == formatted.keys()
    assert {k: v for k, v in written.items() if k != "time"} == {k: v for k, v in formatted.items() if k != "time"}
    assert written["message"] == f"POST /v1/gradients 200 {fields['duration_ms']:.1f} ms id=line-1"


def access_fields(number: int) -> dict[str, Any]:
    return {"method": "POST", "path": "/v1/gradients", "status": 200, "duration_ms": 0.5, "request_id": f"n{number}"}


def written_ids(stream: io.StringIO) -> list[str]:
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [entry["request_id"] for entry in entries if entry["logger"] == "service.access"]


@pytest.mark.anyio
@pytest.mark.parametrize("configured", ["json"], indirect=True)
async def test_access_lines_wait_to_be_written_together(
    configured: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "DELAY", 3600.0)  # however slow the machine, the three requests end within it
    handler = alone()
    stream = Writes()
    handler.setStream(stream)
    async with client() as http:
        for number in range(3):
            answer = await http.post("/v1/gradients", json=SEED_TWO_LAYER, headers={"x-request-id": f"n{number}"})
            assert answer.status_code == 200
        assert stream.getvalue() == ""  # they wait, DELAY at most
        flush_logs()  # as the timer would, or the end of the lifespan
    assert written_ids(stream) == ["n0", "n1", "n2"]
    assert stream.writes == 1


@pytest.mark.anyio
@pytest.mark.parametrize("configured", ["json"], indirect=True)
async def test_another_record_or_a_flush_writes_the_waiting_lines_first(configured: io.StringIO) -> None:
    alone()
    async with client() as http:
        await http.post("/v1/gradients", json=SEED_TWO_LAYER, headers={"x-request-id": "n1"})
        logging.getLogger("service.other").warning("after the access line")
        before, other = configured.getvalue().splitlines()
        assert json.loads(before)["request_id"] == "n1"  # written first, in order
        assert json.loads(other)["message"] == "after the access line"
        await http.post("/v1/gradients", json=SEED_TWO_LAYER, headers={"x-request-id": "n2"})
        flush_logs()  # as at the end of a server's lifespan
        assert written_ids(configured) == ["n1", "n2"]


@pytest.mark.parametrize("configured", ["json"], indirect=True)
def test_the_handler_writes_the_lines_it_is_given_at_once_in_one_write(configured: io.StringIO) -> None:
    handler = alone()
    stream = Writes()
    handler.setStream(stream)
    handler.write_access([(1735732800.25, access_fields(number)) for number in range(3)])
    assert written_ids(stream) == ["n0", "n1", "n2"]
    assert stream.writes == 1
    assert json.loads(stream.getvalue().splitlines()[0])["time"] == "2025-01-01T12:00:00.250+00:00"


@pytest.mark.anyio
@pytest.mark.parametrize("configured", ["json"], indirect=True)
async def test_a_filter_or_another_handler_gets_the_record(configured: io.StringIO) -> None:
    seen: list[logging.LogRecord] = []
    access = logging.getLogger("service.access")
    access.addFilter(lambda entry: not seen.append(entry))
    await post_seed(Settings(), "line-2")
    flush_logs()
    assert [entry.fields["request_id"] for entry in seen] == ["line-2"]  # type: ignore[attr-defined]
    assert json.loads(configured.getvalue())["request_id"] == "line-2"


@pytest.mark.anyio
@pytest.mark.parametrize("configured", ["text"], indirect=True)
async def test_the_text_format_goes_through_logging(configured: io.StringIO) -> None:
    await post_seed(Settings(), "line-3")
    flush_logs()
    (line,) = configured.getvalue().splitlines()
    assert " INFO service.access: POST /v1/gradients 200 " in line
    assert line.endswith(" id=line-3")


@pytest.mark.anyio
@pytest.mark.parametrize("configured", ["json"], indirect=True)
async def test_no_line_below_the_level(configured: io.StringIO) -> None:
    logging.getLogger("service").setLevel(logging.WARNING)
    await post_seed(Settings(), "line-4")
    flush_logs()
    assert configured.getvalue() == ""


def test_the_time_is_written_as_datetime_writes_it() -> None:
    rng = np.random.default_rng(11)
    whole = rng.integers(0, 2 * 10**9, size=20_000)
    milliseconds = rng.integers(0, 1000, size=whole.size) / 1000
    near_edges = whole + milliseconds + rng.choice([0.0, 5e-7, -5e-7, 4e-7], whole.size)  # rounding's edges
    stamps = [0.0, 1.0005, 1735732800.9995, 1735732800.9999995, *rng.uniform(0, 2e9, 20_000), *near_edges]
    for created in stamps:
        expected = datetime.fromtimestamp(float(created), UTC).isoformat(timespec="milliseconds")
        assert utc_time(float(created)) == expected


@pytest.mark.anyio
@pytest.mark.parametrize("configured", ["json"], indirect=True)
async def test_a_long_path_is_logged_and_kept_cut_short(configured: io.StringIO) -> None:
    alone()
    async with client() as http:
        assert (await http.get("/" + "p" * 5000)).status_code == 404
    flush_logs()
    (line,) = configured.getvalue().splitlines()
    assert json.loads(line)["path"] == "/" + "p" * (MAX_LOGGED_PATH - 1)
