"""The playground's files: served from the package, and none of them reaches for another host."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from service.page.router import STATIC

PAGE_FILES = sorted(path for path in STATIC.rglob("*") if path.is_file())
URL = re.compile(r"https?://[^\s\"'`)<>]+")
XML_NAMESPACES = {
    "http://www.w3.org/2000/svg",  # SVG elements are created in it; nothing is fetched
    "http://www.w3.org/1998/Math/MathML",  # Temml's MathML namespace
}
"""Namespace names: identifiers that look like addresses; a browser never requests them."""


def test_the_page_has_its_files() -> None:
    names = {path.relative_to(STATIC).as_posix() for path in PAGE_FILES}
    assert {"index.html", "main.js", "diagram.js", "matrices.js", "derivation.js", "verify.js", "train.js"} <= names
    assert {"exercise.js", "heatmap.js", "notation.js", "results.js", "format.js", "formulas.js"} <= names
    assert {"report.html", "report.js", "report.css", "classdata.js", "classcharts.js"} <= names  # the class report
    assert {"vendor/uplot/LICENSE", "vendor/temml/LICENSE", "vendor/VERSIONS"} <= names


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda path: path.relative_to(STATIC).as_posix())
def test_no_file_reaches_for_another_host(path: Path) -> None:
    if path.name in {"LICENSE", "VERSIONS"} or path.suffix in {".woff2", ".png"}:
        return
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^/\*!.*?\*/", "", text, flags=re.DOTALL)  # a vendored file's licence banner
    hosts = {url for url in URL.findall(text) if url not in XML_NAMESPACES}
    assert hosts == set(), f"{path.name} refers to another host"


@pytest.mark.anyio
async def test_every_file_the_page_names_is_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/playground")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"#]+)"', page.text)
    assert any(url.endswith("main.js") for url in assets), assets
    modules = {"/playground/" + path.name for path in STATIC.glob("*.js")}
    for url in {*assets, *modules} - {"/docs", "data:,"}:
        assert url.startswith("/playground/"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url
        if url.endswith(".js"):
            assert asset.headers["content-type"].startswith("text/javascript"), url


@pytest.mark.anyio
async def test_the_class_report_and_its_files_are_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/playground/report.html")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assets = set(re.findall(r'(?:src|href)="([^"#]+)"', page.text)) - {"/playground", "data:,"}
    assert {"/playground/report.js", "/playground/report.css"} <= assets
    for url in assets:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url


@pytest.mark.anyio
async def test_the_home_page_leads_to_the_playground_and_the_docs_link_it(client: httpx.AsyncClient) -> None:
    home = await client.get("/")
    assert home.status_code == 307
    assert home.headers["location"] == "/playground"
    description = (await client.get("/openapi.json")).json()["info"]["description"]
    assert "](/playground)" in description


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["../router.py", "%2e%2e/router.py", "nothing.js", "vendor"])
async def test_nothing_outside_the_page_is_served(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(f"/playground/{path}")).status_code == 404
