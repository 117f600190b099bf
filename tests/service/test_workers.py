"""``python -m service --workers N`` serves with N worker processes."""

from __future__ import annotations

import httpx
import pytest
from servers import SERVICE, running

from service.__main__ import main
from service.api.schemas.examples import SEED_TWO_LAYER
from service.domain.settings import Settings


def test_two_workers_serve_gradients() -> None:
    with running(command=[*SERVICE, "--workers", "2"]) as server:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            answers = [client.post("/v1/gradients", json=SEED_TWO_LAYER) for _ in range(6)]
        assert {answer.status_code for answer in answers} == {200}
        assert len({answer.content for answer in answers}) == 1
        assert "Started parent process" in server.log()


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_workers_must_be_a_positive_number(workers: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--workers", workers])
    assert exit_.value.code == 2
    assert "--workers" in capsys.readouterr().err


def test_workers_setting_is_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADSERVICE_WORKERS", "3")
    assert Settings().workers == 3
    monkeypatch.setenv("GRADSERVICE_WORKERS", "0")
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        Settings()
