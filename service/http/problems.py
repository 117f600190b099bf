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
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.routing import Match

from gradcore import GradcoreError, NonFiniteError
from service.domain.errors import ServiceError
from service.http.notation import quantity

PROBLEM_JSON = "application/problem+json"
MAX_ERRORS = 20
"""The most ``errors`` items an answer lists; ``detail`` counts the others."""
MAX_PART = 64
"""The longest key a JSON pointer in an answer repeats."""
CLIENT_CLOSED = 499
"""The status recorded for a request whose client went away before it was read ("Client Closed Request", as nginx
logs it): not a server error, so it never counts as a 5xx in the metrics or the logs. It is never sent."""
MAX_SHOWN_PATH = 100
"""The most characters of a request's path that an answer repeats."""
logger = logging.getLogger("service")


def problem_response(error: ServiceError) -> Response:
    """The ``application/problem+json`` answer of ``error``; its ``extensions`` are extra members such as ``limit``.

    At most :data:`MAX_ERRORS` errors are listed, so that an answer stays small whatever the request.
    """
    status = error.status
    body: dict[str, Any] = {"type": error.type, "title": HTTPStatus(status).phrase, "status": status}
    body["detail"] = error.detail
    if error.errors is not None:
        body["errors"] = error.errors[:MAX_ERRORS]
    if error.extensions:
        body.update(error.extensions)
    return Response(orjson.dumps(body), status_code=status, headers=error.headers, media_type=PROBLEM_JSON)


def pointer(location: Sequence[str | int]) -> str:
    """The JSON pointer (RFC 6901) of a location, e.g. ``/network/layers/1/weights``.

    A part longer than :data:`MAX_PART` characters (an unknown key can be megabytes) is cut and ends with "…".
    """
    parts = (str(part) for part in location)
    shown = (part if len(part) <= MAX_PART else part[: MAX_PART - 1] + "…" for part in parts)
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in shown)


FINITE = "Input should be a finite number (float64: at most about ±1.8e308, no NaN or Infinity)"
"""One message for 1e999, a 340-digit integer and every other number float64 cannot hold."""


def field_owners(request_models: Mapping[str, type[BaseModel]]) -> dict[str, list[str]]:
    """Every field name of the request models (and of the models they hold), with the paths whose body has it."""
    owners: dict[str, list[str]] = {}
    for path, root in request_models.items():
        pending: list[Any] = [root]
        seen: set[Any] = set()
        while pending:
            model = pending.pop()
            if model in seen or not hasattr(model, "model_fields"):
                continue
            seen.add(model)
            for name, field in model.model_fields.items():
                paths = owners.setdefault(name, [])
                if path not in paths:
                    paths.append(path)
                pending.extend(getattr(field.annotation, "__args__", ()) or (field.annotation,))
                for argument in getattr(field.annotation, "__args__", ()):
                    pending.extend(getattr(argument, "__args__", ()))
    return owners


def _suggestion(key: str, missing: Sequence[str], owners: Mapping[str, list[str]], path: str) -> str:
    """ ": did you mean `weights`?" when a missing sibling or a known field name is close to ``key``; where
    ``key`` is a field of other endpoints' bodies only, which endpoints take it."""
    elsewhere = [other for other in owners.get(key, []) if other != path]
    if elsewhere:
        return ": it is a field of " + " and ".join(f"POST {other}" for other in elsewhere[:3]) + ", not of this one"
    close = difflib.get_close_matches(key, missing, n=1, cutoff=0.6) or difflib.get_close_matches(
        key, sorted(owners), n=1, cutoff=0.75
    )
    return f": did you mean `{close[0]}`?" if close else ""


def _message(
    error: Mapping[str, Any], missing: Mapping[tuple[Any, ...], list[str]], owners: Mapping[str, list[str]], path: str
) -> str:
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
        return f"unknown field `{key[:MAX_PART]}`{_suggestion(key, missing.get(loc[:-1], []), owners, path)}"
    return str(error["msg"])


def _not_a_number(text: str) -> str:
    """What to write instead of a string where a number belongs; a decimal comma gets its decimal point."""
    shown = text[:40]
    if shown.count(",") == 1 and shown.replace(",", "", 1).lstrip("+-").isdigit():
        return f"not a number: {shown!r} is text; write {shown.replace(',', '.')} (a decimal point, no quotes)"
    return f"not a number: {shown!r} is text; write a JSON number such as -0.01302 (no quotes)"


def error_items(
    errors: Sequence[Mapping[str, Any]], owners: Mapping[str, list[str]] | None = None, path: str = ""
) -> list[dict[str, str]]:
    """The ``errors`` items of pydantic errors (with their ``input``): a pointer and a message saying how to fix it,
    starting with the quantity in the seed's notation where it has one (``W_2, row 0, column 0: …``).

    ``owners`` (:func:`field_owners`) and the request's ``path`` let an unknown field's message suggest a name.
    """
    missing: dict[tuple[Any, ...], list[str]] = {}
    for error in errors:
        if error["type"] == "missing" and error["loc"]:
            missing.setdefault(tuple(error["loc"][:-1]), []).append(str(error["loc"][-1]))
    owners = owners or {}
    items = []
    for error in errors:
        message = _message(error, missing, owners, path)
        name = quantity(error["loc"]) if error["type"] not in ("extra_forbidden", "shape_mismatch") else None
        named = name is not None and not message.startswith(name.split(",")[0])
        items.append({"pointer": pointer(error["loc"]), "message": f"{name}: {message}" if named else message})
    return items


def json_error(errors: Iterable[Mapping[str, Any]]) -> str | None:
    """Why the body is not JSON, if pydantic's ``errors`` say it is not (``json_invalid``); else ``None``."""
    for error in errors:
        if error["type"] == "json_invalid":
            return str(error.get("ctx", {}).get("error") or error["msg"])
    return None


def validation_problem(
    errors: Iterable[Mapping[str, Any]], owners: Mapping[str, list[str]] | None = None, path: str = ""
) -> Response:
    """The 400 (not JSON) or 422 problem of pydantic's ``errors``; ``owners`` and ``path`` as in :func:`error_items`."""
    errors = list(errors)
    reason = json_error(errors)
    if reason is not None:
        return problem_response(
            ServiceError(400, f"The request body is not valid JSON: {reason}.", type_="/problems/malformed-json")
        )
    items = error_items(errors, owners, path)
    shown = "; ".join(f"{item['pointer'] or '/'}: {item['message']}" for item in items[:3])
    more = f" (and {len(items) - 3} more)" if len(items) > 3 else ""
    end = "" if (shown + more).endswith("?") else "."
    return problem_response(
        ServiceError(
            422, f"The request is invalid: {shown}{more}{end}", type_="/problems/invalid-request", errors=items
        )
    )


async def _on_gradcore_error(request: Request, exc: GradcoreError) -> Response:
    items = [
        {
            "pointer": pointer(("network", *p.location[:2]) if p.location[0] == "layers" else p.location),
            "message": p.message,
        }
        for p in exc.problems
    ]
    if isinstance(exc, NonFiniteError):
        return problem_response(ServiceError(422, str(exc), type_="/problems/non-finite-result", errors=items))
    return problem_response(ServiceError(422, str(exc), type_="/problems/invalid-request", errors=items))


async def _on_problem(request: Request, exc: ServiceError) -> Response:
    return problem_response(exc)


async def _on_http_exception(request: Request, exc: HTTPException) -> Response:
    path = request.url.path
    if exc.status_code == 404 and path.endswith("/") and len(path) > 1:
        unslashed = path.rstrip("/")
        scope = {**request.scope, "path": unslashed}
        if any(route.matches(scope)[0] != Match.NONE for route in request.app.router.routes):
            return problem_response(
                ServiceError(
                    404,
                    f"There is no {shown(path)}: the path is {shown(unslashed)}, without the trailing slash.",
                    extensions={"path": shown(unslashed)},
                )
            )
    return problem_response(ServiceError(exc.status_code, str(exc.detail), headers=exc.headers))


def shown(path: str) -> str:
    """``path`` as an answer repeats it: its first :data:`MAX_SHOWN_PATH` characters, then "…" if it is longer."""
    return path if len(path) <= MAX_SHOWN_PATH else path[: MAX_SHOWN_PATH - 1] + "…"


async def _on_client_disconnect(request: Request, exc: ClientDisconnect) -> Response:
    """The client closed the connection before its request was read: logged at info level, without a traceback,
    and recorded (access line, metrics) with the status :data:`CLIENT_CLOSED`; the answer reaches no one."""
    logger.info("client disconnected before its request was read: %s %s", request.method, shown(request.url.path))
    return Response(status_code=CLIENT_CLOSED)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(ServiceError(500, "An unexpected error occurred; it has been logged."))


def install(app: FastAPI, request_models: Mapping[str, type[BaseModel]]) -> None:
    """Route every error of ``app`` through the problem responses above; ``request_models``: each network route's
    body model by path, whose field names the messages of unknown fields suggest."""
    owners = field_owners(request_models)

    async def on_validation_error(request: Request, exc: ValidationError) -> Response:
        return validation_problem(exc.errors(include_url=False), owners, request.url.path)

    async def on_request_validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = ({**error, "loc": error["loc"][1:]} for error in exc.errors())
        return validation_problem(errors, owners, request.url.path)

    handlers: dict[type[Exception], Any] = {
        ValidationError: on_validation_error,
        RequestValidationError: on_request_validation_error,
        GradcoreError: _on_gradcore_error,
        ServiceError: _on_problem,
        HTTPException: _on_http_exception,
        ClientDisconnect: _on_client_disconnect,
        Exception: _on_unexpected,
    }
    for exception, handler in handlers.items():
        app.add_exception_handler(exception, handler)
    # POST /v1/gradients/ is answered by a problem naming /v1/gradients, not by a bodyless 307 redirect.
    app.router.redirect_slashes = False
