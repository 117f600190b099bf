"""The playground's browser tests: one server and one Chromium per test module (a running
Playwright loop must not outlive its module: the async tests of other modules run their own), offline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsers import CHROMIUM_ARGS
from pages import Site
from playwright.sync_api import sync_playwright
from servers import require_program, running


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    chromium = require_program("chromium")
    with running() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield Site(server.base_url, browser)
        finally:
            browser.close()


@pytest.fixture(autouse=True)
def nothing_leaves_the_machine(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a browser test whose page tried to reach another host."""
    yield
    if "site" in request.fixturenames:
        site: Site = request.getfixturevalue("site")
        assert site.blocked == [], f"the playground tried to leave the machine: {site.blocked}"
