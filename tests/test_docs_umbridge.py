"""docs/umbridge.md stays true: its SciPy MAP fit, run through the ``umbridge`` client against a real server, prints
what the page shows, and the messages its error table quotes are the service's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from servers import running
from texts import same_text

from service.app import create_app

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "umbridge.md").read_text(encoding="utf-8")


def fit_and_output() -> tuple[str, str]:
    section = PAGE[PAGE.index("## A MAP fit with SciPy") :]
    code = re.search(r"^```python\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    shown = re.search(r"^```text\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    assert code is not None
    assert shown is not None
    return code.group(1), shown.group(1)


def test_the_map_fit_prints_what_the_page_shows() -> None:
    code, shown = fit_and_output()
    assert 'URL = "http://127.0.0.1:8000/umbridge"' in code
    with running() as server:
        script = code.replace("http://127.0.0.1:8000", server.base_url)
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
        )
    assert result.returncode == 0, result.stderr
    same_text(result.stdout, shown, rtol=1e-3)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "request_body"),
    [
        ("Evaluate", {"name": "posterior"}),
        ("Evaluate", {"name": "loss", "input": [[0.0] * 9]}),
        ("Gradient", {"name": "loss", "input": [[0.0] * 8], "outWrt": 0, "inWrt": 1, "sens": [1.0]}),
    ],
)
async def test_the_error_table_quotes_real_messages(path: str, request_body: dict[str, object]) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://t") as client:
        answer = await client.post(f"/umbridge/{path}", json=request_body)
    assert answer.status_code == 400
    assert f"`{answer.json()['error']['message']}`" in PAGE
