"""``POST /v1/grade``: grade a class's partial answers, quantity by quantity, with error carried forward."""

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from service.api.body import app_settings, check_json_headers, read_body
from service.api.classroom import class_cost, csv_report, grade_class, read_class, students_content, summary
from service.api.openapi import documented_body
from service.api.routing import RequestRoute
from service.api.schemas.grade import GradeRequest, GradeResponse
from service.domain.limits import body_cost
from service.http.compute import compute
from service.http.negotiation import negotiate
from service.http.responses import ArrayJSONResponse

router = APIRouter(prefix="/v1", tags=["teaching"], route_class=RequestRoute)

JSON, CSV = "application/json", "text/csv"


@router.post(
    "/grade",
    response_model=GradeResponse,
    summary="Grade a class: each student's partial answer, quantity by quantity (JSON, or CSV with Accept: text/csv)",
    openapi_extra=documented_body(GradeRequest),
    responses={
        200: {"content": {CSV: {"schema": {"type": "string"}}}},
        406: {"description": "The Accept header accepts neither application/json nor text/csv."},
    },
)
async def grade(request: Request) -> Response:
    """Grade every submission's answer against its problem: each quantity given (zₖ, lₖ, ŷ, L, Δₖ, ∂L/∂Wₖ,
    ∂L/∂bₖ) gets a verdict, the usual mistakes found (`mistakes`), a credit, and `carried_forward` when it is
    right given the student's own earlier wrong values. A submission that is not valid, or whose student is listed
    twice, gets an `error` and no score; the others are graded. `Accept: text/csv` gives one row per student:
    `student`, `score`, a credit column per quantity and a comment naming the mistakes.
    """
    media_type = negotiate(request.headers.get("accept"), (JSON, CSV))
    check_json_headers(request)
    settings = app_settings(request)
    body = await read_body(request, settings)
    options, entries = await compute(read_class, body, settings, cost=body_cost(len(body)), reading=True)
    await compute(grade_class, options, entries, cost=class_cost(entries))
    if media_type == CSV:
        return Response(csv_report(entries), media_type="text/csv; charset=utf-8")
    return ArrayJSONResponse({"students": students_content(options, entries), "summary": summary(entries)})
