"""UM-Bridge 1.0 errors: :class:`UMBridgeError`, and every refusal of a request as one (:func:`protocol_error`).

The protocol's error is status 400 and ``{"error": {"type", "message"}}`` with its types ``ModelNotFound``,
``UnsupportedFeature`` and ``InvalidInput``; the message names the field, as a JSON pointer, and the shapes. A
refusal of the service's own (a limit, a body too large, too slow or not JSON) keeps its status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import ValidationError

from gradcore import GradcoreError
from service.domain.errors import ServiceError
from service.http.problems import error_items, json_error, pointer

ErrorType = Literal["InvalidInput", "UnsupportedFeature", "ModelNotFound"]


class UMBridgeError(ServiceError):
    """An error answer of the protocol: ``status`` (400), ``headers`` and ``{"error": {"type": ..., "message": ...}}``.

    A :class:`~service.domain.errors.ServiceError` (its ``type`` the protocol's), so that the reader treats it as
    every refusal: when its fast path meets one, the reference path decides.
    """

    def __init__(
        self, type_: ErrorType, message: str, status: int = 400, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status, message, type_=type_, headers=headers)

    @property
    def body(self) -> dict[str, Any]:
        return {"error": {"type": self.type, "message": self.detail}}


def invalid(errors: list[dict[str, str]], where: str = "") -> UMBridgeError:
    """An ``InvalidInput`` whose message lists each ``pointer: message`` (pointers prefixed with ``where``)."""
    shown = "; ".join(f"{where}{item['pointer']}: {item['message']}" for item in errors[:3])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return UMBridgeError("InvalidInput", f"{shown}{more}")


def protocol_error(error: ValidationError | ServiceError | GradcoreError) -> UMBridgeError:
    """Any refusal of a request as the protocol's error."""
    if isinstance(error, ValidationError):
        return from_validation(error)
    if isinstance(error, ServiceError):
        return from_problem(error)
    return from_gradcore(error)


def from_validation(error: ValidationError, where: str = "") -> UMBridgeError:
    """A pydantic error as ``InvalidInput``, each field named by its JSON pointer under ``where``; a body that is not
    JSON says so."""
    errors = error.errors(include_url=False)
    reason = json_error(errors)
    if reason is not None:
        return UMBridgeError("InvalidInput", f"/: the body is not valid JSON: {reason}")
    return invalid(error_items(errors), where)


def from_problem(problem: ServiceError, where: str = "") -> UMBridgeError:
    """A service problem (a limit, a body too slow, too large or not JSON) as ``InvalidInput``; 4xx other than 422
    and 5xx keep their status and headers (413, 415, 408, 503), with the protocol's error body. A protocol error is
    itself."""
    if isinstance(problem, UMBridgeError):
        return problem
    items = problem.errors or []
    detail = (
        problem.detail if not items else "; ".join(f"{where}{item['pointer']}: {item['message']}" for item in items)
    )
    return UMBridgeError("InvalidInput", detail, 400 if problem.status == 422 else problem.status, problem.headers)


def from_gradcore(error: GradcoreError, where: str = "") -> UMBridgeError:
    """gradcore's problems (shapes, overflow) as ``InvalidInput``."""
    return invalid([{"pointer": pointer(p.location), "message": p.message} for p in error.problems], where)
