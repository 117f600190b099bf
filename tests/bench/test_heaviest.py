"""bench/heaviest.py runs end to end in its tiny mode (budgets of 2 ms); no time is asserted."""

from __future__ import annotations

import pytest

from bench import heaviest
from service.domain.settings import Settings


def test_heaviest_finds_and_times_an_admitted_request_of_every_endpoint(capsys: pytest.CaptureFixture[str]) -> None:
    rows = heaviest.main(["--quick"])
    assert {row.endpoint for row in rows} == set(heaviest.ENDPOINTS)
    assert all(row.work <= 2_000_000 and row.seconds > 0 for row in rows)
    assert "| endpoint | shape |" in capsys.readouterr().out


def test_the_search_admits_nothing_over_the_budgets() -> None:
    settings = Settings()
    for endpoint in heaviest.ENDPOINTS:
        for shape in heaviest.candidates(endpoint, 10, settings)[:3]:
            assert heaviest.estimate(endpoint, shape).work <= settings.max_request_work
            larger = heaviest.Shape(shape.L, shape.width, shape.m + 1, shape.steps)
            assert shape.m == settings.max_batch or not heaviest.admitted(endpoint, larger, settings)
