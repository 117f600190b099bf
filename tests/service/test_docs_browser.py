"""``/docs`` in a real browser, offline: headless Chromium (Debian's package) driven by Playwright.

The page is loaded from a real server on loopback; every request the page makes is recorded and any
that would leave 127.0.0.1 is aborted and fails the test. The documented 200 answer is the seed's
real one; "Try it out" then posts the seed's example to ``/v1/gradients`` and the 200 answer must show.
The screenshot goes to ``test-artifacts/docs.png``.

Swagger UI renders descriptions as Markdown, where ``_`` and ``*`` mark emphasis: ``n_{k−1} × m) · (m × n_k``
would lose its underscores to an italic run. Descriptions write subscripts as Unicode (nₖ₋₁) and symbols
with no Unicode subscript (``l_L``) or literal names as code spans; the rendered text of every operation's
description, its summary and the API's description must read exactly as written, code-span backticks and
link targets aside.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from browsers import CHROMIUM_ARGS, TIMEOUT_MS, is_local
from playwright.sync_api import Locator, Route, expect, sync_playwright
from servers import Servers, require_program

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
OPERATION = "#operations-network-gradients_v1_gradients_post"


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
            documented = operation.locator("tr.response[data-code='200']").first
            expect(documented).to_contain_text('"loss": 0.08105458279800112')  # the seed's answer, no placeholder
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


CODE_SPAN = re.compile(r"(`+)(.+?)\1", flags=re.DOTALL)
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def intended(markdown: str) -> str:
    """The text a description should render to: as written, without code-span backticks and link targets."""
    return " ".join(LINK.sub(r"\1", CODE_SPAN.sub(r"\2", markdown)).split())


def rendered(element: Locator) -> str:
    """The rendered text of an element, whitespace-normalized."""
    return " ".join(element.inner_text().split())


def operation_id(tag: str, operation: dict[str, Any]) -> str:
    """Swagger UI's element id of an operation: ``operations-{tag}-{operationId}``, non-word characters as ``_``."""
    return f"operations-{tag}-" + re.sub(r"\W", "_", operation["operationId"])


def test_docs_page_renders_every_description_as_written(servers: Servers) -> None:
    chromium = require_program("chromium")
    [base_url] = servers.start()
    document = httpx.get(f"{base_url}/openapi.json").json()
    operations = [
        (item["tags"][0], item)
        for path in document["paths"].values()
        for item in path.values()
        if item.get("description") or item.get("summary")
    ]
    assert len(operations) >= 10
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(TIMEOUT_MS)
            page.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
            page.goto(f"{base_url}/docs", wait_until="networkidle")
            info = page.locator(".information-container .description .renderedMarkdown")
            expect(info).to_contain_text("Exact float64")
            shown = [("info", rendered(info), intended(document["info"]["description"]))]
            emphasized = ["info"] if info.locator("em, strong").count() else []
            for tag, operation in operations:
                block = page.locator(f"#{operation_id(tag, operation)}")
                summary = block.locator(".opblock-summary-description")
                shown.append((f"{operation['operationId']} summary", rendered(summary), intended(operation["summary"])))
                block.locator(".opblock-summary").click()
                description = block.locator(".opblock-description .renderedMarkdown")
                expect(description).to_be_visible()
                shown.append((operation["operationId"], rendered(description), intended(operation["description"])))
                if description.locator("em, strong").count():
                    emphasized.append(operation["operationId"])
                block.locator(".opblock-summary").click()  # collapse again
        finally:
            browser.close()
    mismatches = [(name, got, want) for name, got, want in shown if got != want]
    assert mismatches == []
    assert emphasized == []


# Markdown that Swagger UI's renderer (remarkable) reads as markup: emphasis, escapes, HTML, strike-through,
# links; ``*`` as the element-wise product is plain text only between spaces.
MARKUP = re.compile(r"[_\\<^]|~~|==|\S\*|\*\S|\]\(")


def markdown_texts(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every description and summary of the OpenAPI document, with where it is."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"description", "summary"} and isinstance(value, str):
                found.append((f"{path}/{key}", value))
            elif key != "example":
                found.extend(markdown_texts(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(markdown_texts(value, f"{path}/{index}"))
    return found


@pytest.mark.anyio
async def test_every_description_of_the_document_is_free_of_stray_markup(client: httpx.AsyncClient) -> None:
    """Schema and field descriptions too: outside code spans, no character that Markdown would eat."""
    document = (await client.get("/openapi.json")).json()
    texts = markdown_texts(document)
    assert len(texts) > 100
    stray = [(where, text) for where, text in texts if MARKUP.search(LINK.sub(r"\1", CODE_SPAN.sub("", text)))]
    assert stray == []
