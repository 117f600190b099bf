"""``GET /playground`` and its files, served from this package; ``GET /`` redirects to it.

Every number the page shows comes from the ``/v1`` endpoints: the files here only draw them. Nothing is fetched
from another host, so the page works offline.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse, Response

from service.http.problems import shown

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
MAX_SEGMENT, MAX_PATH = 255, 4096
"""The longest file name and path (in bytes) Linux accepts: NAME_MAX and PATH_MAX."""
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
    """A file of the page: its scripts, styles and vendored libraries; 404 for anything outside ``static/``, and
    for any path that cannot name a file (:func:`static_file`)."""
    file = static_file(path)
    if file is None:
        raise HTTPException(404, f"the playground has no file {shown(path)!r}")
    media_type = MEDIA_TYPES.get(file.suffix, "text/plain; charset=utf-8")
    return FileResponse(file, media_type=media_type, headers=CACHE)


def static_file(path: str) -> Path | None:
    """The file of ``static/`` that ``path`` names, or ``None``: outside ``static/``, not a file, or not a name
    any file can have (a NUL byte, a segment over :data:`MAX_SEGMENT` bytes, a path over :data:`MAX_PATH` bytes,
    or anything else the file system refuses)."""
    encoded = path.encode("utf-8", "surrogateescape")
    if "\0" in path or len(encoded) > MAX_PATH or any(len(part) > MAX_SEGMENT for part in encoded.split(b"/")):
        return None
    try:
        file = (STATIC / path).resolve()
        found = file.is_relative_to(STATIC) and file.is_file()
    except (OSError, ValueError):
        return None
    return file if found else None
