"""``python -m service --workers N`` serves with N worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import httpx
import pytest
from test_subprocess import HOST, ROOT, free_port, wait_until_healthy

from service.__main__ import main
from service.schemas.examples import SEED_TWO_LAYER
from service.settings import Settings


def test_two_workers_serve_gradients() -> None:
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    command = [sys.executable, "-m", "service", "--host", HOST, "--port", str(port), "--workers", "2"]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=os.environ.copy(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_healthy(process, base_url, log)
            with httpx.Client(base_url=base_url, timeout=10) as client:
                answers = [client.post("/v1/gradients", json=SEED_TWO_LAYER) for _ in range(6)]
            assert {answer.status_code for answer in answers} == {200}
            assert len({answer.content for answer in answers}) == 1
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.seek(0)
        assert "Started parent process" in log.read().decode(errors="replace")


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
