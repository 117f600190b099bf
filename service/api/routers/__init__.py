"""One router per resource; :data:`ROUTERS` in the order requests are matched, :data:`REQUEST_MODELS` their bodies."""

from pydantic import BaseModel

from service.api.routers import (
    assignments,
    check,
    derivation,
    grade,
    health,
    hessian,
    network,
    train,
    umbridge,
    verify,
)
from service.api.schemas.assignments import AssignmentsRequest
from service.api.schemas.check import GradientsCheckRequest
from service.api.schemas.derivation import DerivationRequest
from service.api.schemas.grade import GradeRequest
from service.api.schemas.hessian import HessianVectorRequest
from service.api.schemas.requests import ForwardRequest, GradientsRequest, LossRequest
from service.api.schemas.train import TrainRequest
from service.api.schemas.verify import GradientsVerifyRequest

ROUTERS = (
    network.router,
    train.router,
    check.router,
    verify.router,
    hessian.router,
    derivation.router,
    assignments.router,
    grade.router,
    health.router,
    umbridge.router,
)
"""The API's routers, each with its own prefix, the busiest first."""

REQUEST_MODELS: dict[str, type[BaseModel]] = {
    "/v1/gradients": GradientsRequest,
    "/v1/forward": ForwardRequest,
    "/v1/loss": LossRequest,
    "/v1/train": TrainRequest,
    "/v1/gradients/check": GradientsCheckRequest,
    "/v1/gradients/verify": GradientsVerifyRequest,
    "/v1/gradients/hessian-vector": HessianVectorRequest,
    "/v1/derivation": DerivationRequest,
    "/v1/assignments": AssignmentsRequest,
    "/v1/grade": GradeRequest,
}
"""The body model of every route that reads one (:func:`service.api.body.read_json`), by path: the OpenAPI
document's schemas and the error messages' field names (:func:`service.app.create_app` passes them on)."""
