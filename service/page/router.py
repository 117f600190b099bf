"""``GET /playground`` and its files, served from this package; ``GET /`` redirects to it.

Every number the page shows comes from the ``/v1`` endpoints: the files here only draw them. Nothing is fetched
from another host, so the page works offline.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse, Response

STATIC = Path(__file__).resolve().parent / "static"
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
"""What the page is made of; any other file (a LICENSE, VERSIONS) is sent as plain text."""
CACHE = {"Cache-Control": "no-cache"}  # revalidate: a new release of the page shows at once

router = APIRouter(include_in_schema=False)


@router.api_route("/", methods=["GET", "HEAD"])
async def root() -> Response:
    """The service's home is the playground."""
    return RedirectResponse("/playground", status_code=307)


@router.api_route("/playground", methods=["GET", "HEAD"])
async def playground() -> Response:
    """The page itself."""
    return FileResponse(STATIC / "index.html", media_type=MEDIA_TYPES[".html"], headers=CACHE)


@router.api_route("/playground/{path:path}", methods=["GET", "HEAD"])
async def asset(path: str) -> Response:
    """A file of the page: its scripts, styles and vendored libraries; 404 for anything outside ``static/``."""
    file = (STATIC / path).resolve()
    if not file.is_relative_to(STATIC) or not file.is_file():
        raise HTTPException(404, f"the playground has no file {path!r}")
    media_type = MEDIA_TYPES.get(file.suffix, "text/plain; charset=utf-8")
    return FileResponse(file, media_type=media_type, headers=CACHE)
