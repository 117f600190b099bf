"""``POST /v1/assignments``: a problem per student from one seed, as JSON or as printable Markdown sheets."""

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from gradcore import AssignedProblem, assigned_problem, unchecked_backward, unchecked_forward
from service.api.body import app_settings, read_json
from service.api.openapi import documented_body
from service.api.routers.network import gradients_content
from service.api.routing import RequestRoute
from service.api.schemas.assignments import AssignmentsRequest, AssignmentsResponse, problem_body
from service.api.sheets import playground_link, sheets
from service.domain import limits
from service.domain.errors import ServiceError
from service.http.compute import compute
from service.http.instructor import is_instructor
from service.http.negotiation import negotiate
from service.http.responses import ArrayJSONResponse

router = APIRouter(prefix="/v1", tags=["teaching"], route_class=RequestRoute)

JSON, MARKDOWN = "application/json", "text/markdown"


def key_content(problem: AssignedProblem) -> dict[str, Any]:
    """The ``/v1/gradients`` answer to the problem: L, ŷ and every z_k, l_k, Δ_k, ∂L/∂W_k and ∂L/∂b_k."""
    cache = unchecked_forward(problem.layers, problem.X)
    return gradients_content(cache, unchecked_backward(problem.layers, cache, problem.Y, problem.loss))


@router.post(
    "/assignments",
    response_model=AssignmentsResponse,
    summary="A backpropagation problem per student from one seed (JSON, or printable sheets with text/markdown)",
    openapi_extra=documented_body(AssignmentsRequest),
    responses={
        200: {"content": {MARKDOWN: {"schema": {"type": "string"}}}},
        406: {"description": "The Accept header accepts neither application/json nor text/markdown."},
        413: {"description": "More students than `max_students` (GRADSERVICE_MAX_STUDENTS)."},
    },
)
async def assignments(request: Request) -> Response:
    """Draw each student's problem from the seed, the template and the student's id.

    The same seed, template and id always give the same problem, whoever else is listed; the algorithm
    (canonical JSON → SHA-256 → PCG64 → the draws, redrawn until fit for hand work) is in docs/grading.md.
    Each `problem` is a valid `/v1/gradients` request; `"include": ["key"]` adds its answer as `key`, and
    `playground` opens it in the playground's exercise mode. `Accept: text/markdown` gives a printable sheet per
    student, separated by page breaks. The attempts of all
    the students together are bounded by `max_request_work` (422 when a template needs more than estimated).
    """
    payload = await read_json(request, AssignmentsRequest)
    if payload.with_key and not is_instructor(request.scope):
        raise ServiceError(
            403,
            "This service is in classroom mode: the answer key (include: key) needs the instructor's key "
            "(`GRADSERVICE_INSTRUCTOR_KEY`); the problems alone need none.",
            type_="/problems/classroom",
            errors=[{"pointer": "/include", "message": "the key is the instructor's"}],
        )
    markdown = negotiate(request.headers.get("accept"), (JSON, MARKDOWN)) == MARKDOWN
    cost = limits.assignment_cost(
        len(payload.students),
        payload.sizes,
        payload.examples,
        payload.bias,
        payload.with_key,
        markdown,
        relu_layers=payload.activations.count("relu"),
    )
    work = app_settings(request).max_request_work
    return await compute(answer, payload, markdown, work, str(request.base_url), cost=cost)


def draw_all(request: AssignmentsRequest, max_request_work: int) -> list[AssignedProblem]:
    """Every student's problem (gradcore's algorithm), within max_request_work / attempt_work(L) attempts in all.

    Raises
    ------
    ServiceError
        422 ``max_request_work`` when the attempts run out (the cost estimated too few for this template).
    """
    problems: list[AssignedProblem] = []
    each = limits.attempt_work(len(request.sizes) - 1)
    budget = total = max(1, max_request_work // each)
    for student in request.students:
        problem = assigned_problem(request.seed, request.template, student, max_attempts=budget)
        if problem is None:
            what = (
                f"the problems of {len(problems)} of {len(request.students)} students took {total} attempts "
                f"(about {each} work units each), and this template meets the rules of hand work "
                "rarely; fewer students, nodes or examples"
            )
            raise limits.limit_exceeded("max_request_work", max_request_work, what, pointer="/students")
        budget -= problem.attempt + 1
        problems.append(problem)
    return problems


def answer(request: AssignmentsRequest, markdown: bool, max_request_work: int, base_url: str) -> Response:
    """The work of the endpoint, run by the compute seam (:mod:`service.http.compute`); ``base_url``: the service's
    address, for the sheets' links."""
    if markdown and request.include is not None:
        raise ServiceError(
            422,
            "include adds the answer key to the JSON problems; the printable sheets (Accept: text/markdown) never "
            "carry it: leave include out, or ask for application/json.",
            type_="/problems/invalid-request",
            errors=[{"pointer": "/include", "message": "not available with Accept: text/markdown"}],
        )
    problems = draw_all(request, max_request_work)
    if markdown:
        return Response(sheets(request.seed, problems, request.template, base_url), media_type=MARKDOWN)
    entries = []
    for problem in problems:
        entry: dict[str, Any] = {"student": problem.student, "attempt": problem.attempt}
        entry["problem"] = problem_body(problem)
        entry["playground"] = playground_link(request.seed, request.template, problem.student)
        if request.with_key:
            entry["key"] = key_content(problem)
        entries.append(entry)
    return ArrayJSONResponse({"problems": entries})
