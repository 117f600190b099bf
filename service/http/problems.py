"""RFC 9457 problem details: the one place where every error becomes an HTTP response.

Every error body is ``application/problem+json`` with ``type``, ``title``,
``status``, ``detail`` and, for invalid requests, an ``errors`` list whose
items hold a JSON ``pointer`` to the offending field and a ``message``.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from gradcore import GradcoreError, NonFiniteError

PROBLEM_JSON = "application/problem+json"
MAX_ERRORS = 20
"""The most ``errors`` items an answer lists; ``detail`` counts the others."""
MAX_PART = 64
"""The longest key a JSON pointer in an answer repeats."""
logger = logging.getLogger("service")


class ProblemError(Exception):
    """An error that already knows its HTTP problem response."""

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
        self.status, self.detail, self.type, self.errors, self.headers = status, detail, type_, errors, headers
        self.extensions = extensions


def problem_response(
    status: int,
    detail: str,
    *,
    type_: str = "about:blank",
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> Response:
    """Build an ``application/problem+json`` response; ``extensions`` are extra members such as ``limit``.

    At most :data:`MAX_ERRORS` errors are listed, so that an answer stays small whatever the request.
    """
    body: dict[str, Any] = {"type": type_, "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors[:MAX_ERRORS]
    if extensions:
        body.update(extensions)
    return Response(orjson.dumps(body), status_code=status, headers=headers, media_type=PROBLEM_JSON)


def pointer(location: Sequence[str | int]) -> str:
    """The JSON pointer (RFC 6901) of a location, e.g. ``/network/layers/1/weights``.

    A part longer than :data:`MAX_PART` characters (an unknown key can be megabytes) is cut and ends with "…".
    """
    parts = (str(part) for part in location)
    shown = (part if len(part) <= MAX_PART else part[: MAX_PART - 1] + "…" for part in parts)
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in shown)


FINITE = "Input should be a finite number (float64: at most about ±1.8e308, no NaN or Infinity)"
"""One message for 1e999, a 340-digit integer and every other number float64 cannot hold."""


def _field_names() -> set[str]:
    """Every field name of the documented request models and the models they hold."""
    from service.http.openapi import REQUEST_MODELS

    names: set[str] = set()
    pending: list[Any] = list(REQUEST_MODELS.values())
    seen: set[Any] = set()
    while pending:
        model = pending.pop()
        if model in seen or not hasattr(model, "model_fields"):
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            names.add(name)
            pending.extend(getattr(field.annotation, "__args__", ()) or (field.annotation,))
            for argument in getattr(field.annotation, "__args__", ()):
                pending.extend(getattr(argument, "__args__", ()))
    return names


def _suggestion(key: str, missing: Sequence[str]) -> str:
    """ ": did you mean `weights`?" when a missing sibling or a known field name is close to ``key``."""
    close = difflib.get_close_matches(key, missing, n=1, cutoff=0.6) or difflib.get_close_matches(
        key, sorted(_field_names()), n=1, cutoff=0.75
    )
    return f": did you mean `{close[0]}`?" if close else ""


def _message(error: Mapping[str, Any], missing: Mapping[tuple[Any, ...], list[str]]) -> str:
    """The message of one pydantic error, saying how to fix it where pydantic's own does not."""
    kind, loc, value = error["type"], tuple(error["loc"]), error.get("input")
    standard_finite = kind == "finite_number" and error["msg"] == "Input should be a finite number"
    if standard_finite or (kind == "float_type" and isinstance(value, int) and not isinstance(value, bool)):
        return FINITE
    if kind == "float_type" and value is None and "input" in error:
        return "a number is missing here: null is not a number, and every entry of a matrix must be one"
    if kind == "float_type" and isinstance(value, str):
        return _not_a_number(value)
    if kind == "model_type" and loc and loc[-1] == "network":
        return 'Input should be an object: write {"layers": [...]}, the list of layers under "layers"'
    if kind == "extra_forbidden" and loc:
        key = str(loc[-1])
        return f"unknown field `{key[:MAX_PART]}`{_suggestion(key, missing.get(loc[:-1], []))}"
    return str(error["msg"])


def _not_a_number(text: str) -> str:
    """What to write instead of a string where a number belongs; a decimal comma gets its decimal point."""
    shown = text[:40]
    if shown.count(",") == 1 and shown.replace(",", "", 1).lstrip("+-").isdigit():
        return f"not a number: {shown!r} is text; write {shown.replace(',', '.')} (a decimal point, no quotes)"
    return f"not a number: {shown!r} is text; write a JSON number such as -0.01302 (no quotes)"


def error_items(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The ``errors`` items of pydantic errors (with their ``input``): a pointer and a message saying how to fix it,
    starting with the quantity in the seed's notation where it has one (``W_2, row 0, column 0: …``)."""
    from service.api.notation import quantity

    missing: dict[tuple[Any, ...], list[str]] = {}
    for error in errors:
        if error["type"] == "missing" and error["loc"]:
            missing.setdefault(tuple(error["loc"][:-1]), []).append(str(error["loc"][-1]))
    items = []
    for error in errors:
        message = _message(error, missing)
        name = quantity(error["loc"]) if error["type"] not in ("extra_forbidden", "shape_mismatch") else None
        named = name is not None and not message.startswith(name.split(",")[0])
        items.append({"pointer": pointer(error["loc"]), "message": f"{name}: {message}" if named else message})
    return items


def _validation_problem(errors: Iterable[Mapping[str, Any]]) -> Response:
    errors = list(errors)
    malformed = [error for error in errors if error["type"] == "json_invalid"]
    if malformed:
        reason = malformed[0].get("ctx", {}).get("error") or malformed[0]["msg"]
        return problem_response(400, f"The request body is not valid JSON: {reason}.", type_="/problems/malformed-json")
    items = error_items(errors)
    shown = "; ".join(f"{item['pointer'] or '/'}: {item['message']}" for item in items[:3])
    more = f" (and {len(items) - 3} more)" if len(items) > 3 else ""
    end = "" if (shown + more).endswith("?") else "."
    return problem_response(
        422, f"The request is invalid: {shown}{more}{end}", type_="/problems/invalid-request", errors=items
    )


async def _on_validation_error(request: Request, exc: ValidationError) -> Response:
    return _validation_problem(exc.errors(include_url=False))


async def _on_request_validation_error(request: Request, exc: RequestValidationError) -> Response:
    return _validation_problem({**error, "loc": error["loc"][1:]} for error in exc.errors())


async def _on_gradcore_error(request: Request, exc: GradcoreError) -> Response:
    items = [
        {
            "pointer": pointer(("network", *p.location[:2]) if p.location[0] == "layers" else p.location),
            "message": p.message,
        }
        for p in exc.problems
    ]
    if isinstance(exc, NonFiniteError):
        return problem_response(422, str(exc), type_="/problems/non-finite-result", errors=items)
    return problem_response(422, str(exc), type_="/problems/invalid-request", errors=items)


def to_response(exc: ProblemError) -> Response:
    """The problem response of a :class:`ProblemError`, e.g. for an ASGI middleware to send."""
    return problem_response(
        exc.status, exc.detail, type_=exc.type, errors=exc.errors, headers=exc.headers, extensions=exc.extensions
    )


async def _on_problem(request: Request, exc: ProblemError) -> Response:
    return to_response(exc)


async def _on_http_exception(request: Request, exc: HTTPException) -> Response:
    path = request.url.path
    if exc.status_code == 404 and path.endswith("/") and len(path) > 1:
        unslashed = path.rstrip("/")
        scope = {**request.scope, "path": unslashed}
        if any(route.matches(scope)[0] != Match.NONE for route in request.app.router.routes):
            return problem_response(
                404,
                f"There is no {path[:200]}: the path is {unslashed}, without the trailing slash.",
                extensions={"path": unslashed},
            )
    return problem_response(exc.status_code, str(exc.detail), headers=exc.headers)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(500, "An unexpected error occurred; it has been logged.")


def install(app: FastAPI) -> None:
    """Route every error of ``app`` through the problem responses above."""
    handlers: dict[type[Exception], Any] = {
        ValidationError: _on_validation_error,
        RequestValidationError: _on_request_validation_error,
        GradcoreError: _on_gradcore_error,
        ProblemError: _on_problem,
        HTTPException: _on_http_exception,
        Exception: _on_unexpected,
    }
    for exception, handler in handlers.items():
        app.add_exception_handler(exception, handler)
    # POST /v1/gradients/ is answered by a problem naming /v1/gradients, not by a bodyless 307 redirect.
    app.router.redirect_slashes = False
