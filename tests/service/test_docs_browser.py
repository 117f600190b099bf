"""``/docs`` in a real browser, offline: headless Chromium (Debian's package) driven by Playwright.

The page is loaded from a real server on loopback; every request the page makes is recorded and any
that would leave 127.0.0.1 is aborted and fails the test. "Try it out" then posts the seed's example
to ``/v1/gradients`` and the 200 answer must show. The screenshot goes to ``test-artifacts/docs.png``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Route, expect, sync_playwright
from servers import Servers, require_program

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000
OPERATION = "#operations-network-gradients_v1_gradients_post"


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname == "127.0.0.1"


def test_docs_page_works_offline_and_tries_the_seed_example(
    servers: Servers,
) -> None:
    chromium = require_program("chromium")
    [base_url] = servers.start()
    requested: list[str] = []
    blocked: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        requested.append(url)
        if is_local(url):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(TIMEOUT_MS)
            page.route("**/*", guard)
            page.goto(f"{base_url}/docs", wait_until="networkidle")
            expect(page.locator(".information-container .title")).to_contain_text("gradservice")

            operation = page.locator(OPERATION)
            operation.locator(".opblock-summary").click()
            operation.get_by_role("button", name="Try it out").click()
            body = operation.locator("textarea.body-param__text")
            expect(body).to_contain_text('"half_squared_error"')  # the seed's example, prefilled
            operation.get_by_role("button", name="Execute").click()

            live = operation.locator(".live-responses-table .response")
            expect(live.locator(".response-col_status")).to_contain_text("200", timeout=TIMEOUT_MS)
            expect(live.locator(".response-col_description")).to_contain_text("weights_gradient")
            live.evaluate("element => element.scrollIntoView({block: 'end'})")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / "docs.png")
        finally:
            browser.close()

    assert blocked == [], f"the docs page tried to leave the machine: {blocked}"
    paths = {urlsplit(url).path for url in requested}
    assert {"/docs", "/openapi.json", "/v1/gradients"} <= paths
    assert any(path.endswith("swagger-ui-bundle.js") for path in paths)
    assert Path(ARTIFACTS / "docs.png").stat().st_size > 0


@pytest.mark.anyio
async def test_docs_page_loads_swagger_ui_from_this_server(client: httpx.AsyncClient) -> None:
    page = (await client.get("/docs")).text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(url.endswith("swagger-ui-bundle.js") for url in assets), assets
    assert all(url.startswith("/") and not url.startswith("//") for url in assets), assets
    for url in assets:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.content
    assert (await client.get("/redoc")).status_code == 404  # removed: ReDoc's bundle fetches its logo online
