"""The service's one error type: what went wrong, as the RFC 9457 problem that :mod:`service.http.problems` sends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ServiceError(Exception):
    """A request the service refuses: its HTTP ``status``, a ``detail`` saying how to fix it, and the problem's
    ``type`` URI; ``errors`` (``{"pointer", "message"}`` items), ``headers`` and ``extensions`` (extra members
    such as ``limit``) when there are any."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type_: str = "about:blank",
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.type, self.errors = status, detail, type_, errors
        self.headers, self.extensions = headers, extensions
