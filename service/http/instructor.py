"""Classroom mode: answers are the instructor's, checking is everyone's (``GRADSERVICE_INSTRUCTOR_KEY``).

:class:`InstructorKey` is an ASGI middleware, on when ``instructor_key`` is set. A request that carries the
instructor's key (as ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``) is marked in its scope
(:func:`is_instructor`) and goes on. Any other ``POST`` is a 403 problem, unless its path is one of
:data:`STUDENT_PATHS`: checking one's own work and getting one's problem, whose routes leave out what would
reveal an answer for a request that is not the instructor's (verify's expected values, the assignment's key).
Every ``GET`` (the playground's files, the docs, the probes, the metrics) reveals no answer and stays open.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from service.domain.errors import ServiceError
from service.domain.settings import Settings
from service.http.guards import authorized, digest
from service.http.problems import problem_response

STUDENT_PATHS = frozenset({"/v1/gradients/verify", "/v1/assignments"})
"""The ``POST`` paths open to students in classroom mode."""
INSTRUCTOR = "gradservice.instructor"
"""The scope key that marks a request carrying the instructor's key."""


def is_instructor(scope: Scope) -> bool:
    """Whether ``scope``'s request may see answers: no classroom mode, or the instructor's key."""
    return bool(scope.get(INSTRUCTOR, True))


class InstructorKey:
    """Mark the instructor's requests; refuse a student's ``POST`` that would reveal answers."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        if settings.instructor_key is None:
            raise ValueError("InstructorKey needs settings.instructor_key")
        self.app = app
        self.digest = digest(settings.instructor_key.get_secret_value().encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        instructor = authorized(Headers(scope=scope), self.digest)
        scope[INSTRUCTOR] = instructor
        if instructor or scope["method"] != "POST" or scope["path"] in STUDENT_PATHS:
            await self.app(scope, receive, send)
            return
        response = problem_response(
            ServiceError(
                403,
                f"This service is in classroom mode: POST {scope['path'][:100]} reveals answers and needs the "
                "instructor's key (GRADSERVICE_INSTRUCTOR_KEY, sent as 'Authorization: Bearer KEY' or "
                "'X-API-Key: KEY'). Check your own work with POST /v1/gradients/verify.",
                type_="/problems/classroom",
            )
        )
        await response(scope, receive, send)
