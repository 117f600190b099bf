"""The exceptions of the client: an error answer of the service, or no answer at all."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, NamedTuple

import httpx


class FieldError(NamedTuple):
    """One offending field of an invalid request: a JSON pointer (RFC 6901) into the body and a message."""

    pointer: str
    message: str


class ProblemError(Exception):
    """The service answered with an RFC 9457 problem (or another error status).

    Attributes
    ----------
    status : int
        The HTTP status, e.g. 422.
    title : str
        The status phrase, e.g. ``"Unprocessable Entity"``.
    detail : str
        What went wrong, naming the field and the shapes.
    type : str
        The problem type, e.g. ``"/problems/invalid-request"``.
    errors : tuple of FieldError
        For an invalid request, each offending field's pointer and message.
    problem : dict
        The whole problem body (for a body that is not a problem, these fields).
    """

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        type_: str = "about:blank",
        errors: tuple[FieldError, ...] = (),
        problem: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status, self.title, self.detail, self.type, self.errors = status, title, detail, type_, errors
        self.problem = (
            problem if problem is not None else {"type": type_, "title": title, "status": status, "detail": detail}
        )

    @property
    def pointers(self) -> tuple[str, ...]:
        """The JSON pointers of the offending fields, e.g. ``("/network/layers/1/weights",)``."""
        return tuple(error.pointer for error in self.errors)

    @classmethod
    def from_response(cls, response: httpx.Response) -> ProblemError:
        """Read an error response: a problem+json body, or any other body (e.g. from a proxy) as the detail."""
        phrase = _phrase(response.status_code)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return cls(response.status_code, phrase, response.text.strip()[:1000] or phrase)
        errors = tuple(
            FieldError(str(item.get("pointer", "")), str(item.get("message", "")))
            for item in body.get("errors") or ()
            if isinstance(item, dict)
        )
        return cls(
            int(body.get("status", response.status_code)),
            str(body.get("title", phrase)),
            str(body.get("detail", phrase)),
            str(body.get("type", "about:blank")),
            errors,
            body,
        )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ServiceUnreachableError(httpx.ConnectError):
    """No service answers at the client's ``base_url``: it is not running there, or the URL is wrong.

    The message says how to start one, or how to compute in-process without a server. ``base_url`` holds
    the URL tried; httpx's connection error is the ``__cause__`` (and this is one too, so that code catching
    ``httpx.TransportError`` still catches it).
    """

    def __init__(self, base_url: str, cause: httpx.ConnectError) -> None:
        super().__init__(
            f"No service answers at {base_url} ({type(cause).__name__}: {cause}). Start one with "
            "`python3 -m uv run --locked --no-dev python -m service` (it listens on http://127.0.0.1:8000), "
            "pass the base_url where it runs, or compute in-process without a server: "
            "`GradientClient.in_process(service.app.create_app())`.",
            request=cause.request,
        )
        self.base_url = base_url
