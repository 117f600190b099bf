"""Liveness."""

from fastapi import APIRouter

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    """Return ``{"status": "ok"}`` while the process can answer requests."""
    return {"status": "ok"}
