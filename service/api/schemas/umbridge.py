"""UM-Bridge 1.0 requests and the models a ``config`` describes (``service/api/routers/umbridge.py``).

A request body is a JSON object with ``name`` (the model), ``config`` (an object; ``{}`` or absent: seed case 5,
``examples/seed_case_5.json``) and, by method, ``input`` (a list of input vectors: here one), ``outWrt``, ``inWrt``,
``inWrt1``, ``inWrt2`` (indices: here 0), ``sens`` (output-sized) and ``vec`` (input-sized). Extra members (the
shared-memory ones of the reference client) are ignored.

A request model validates the whole request, once: the name first (``ModelNotFound``), then the fields, then the
model its config describes (:attr:`ModelRequest.model`) and the sizes and indices that the model makes right. The
body reaches it as every other endpoint's does (:func:`service.api.body.read_json`); what it refuses, it refuses
with an :class:`~service.api.schemas.umbridge_errors.UMBridgeError` or pydantic's ``ValidationError``.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from gradcore import Array, GradcoreError, Problem, shape_problems
from service.api.schemas.examples import SEED_TWO_LAYER
from service.api.schemas.network import NetworkSpec
from service.api.schemas.requests import GradientsRequest
from service.api.schemas.tensor import to_array
from service.api.schemas.umbridge_errors import UMBridgeError, from_gradcore, from_problem, from_validation
from service.api.umbridge import LossModel, Model, NetworkModel
from service.domain import limits
from service.domain.errors import ServiceError
from service.domain.fastpath.context import ReadContext, read_context
from service.domain.settings import Settings

PROTOCOL_VERSION = 1.0
MODELS = ("loss", "network")
"""The models, in the order of ``GET /Info``: protocol tests exercise the first."""
SEED_CASE_5 = SEED_TWO_LAYER
"""The default config, ``examples/seed_case_5.json``: 3 inputs → 2 hidden sigmoid nodes → 1 sigmoid output."""


def _vector(value: Any, info: ValidationInfo) -> Array:
    """A list of finite numbers as a 1-D array, read like the ``/v1`` tensors (:func:`to_array`): as simdjson's
    ndarray when it made one, else strictly, each entry's error located."""
    a = to_array(value, info)
    if a.ndim != 1:
        raise PydanticCustomError("vector_expected", "must be a list of numbers")
    return a


Vector = Annotated[Array, PlainValidator(_vector, json_schema_input_type=list[float])]
Index = Annotated[int, Strict()]
"""``outWrt``, ``inWrt``, ``inWrt1``, ``inWrt2``: a JSON integer (:func:`indices` says which)."""


class NamedRequest(BaseModel):
    """Every POST: the model's name, checked before anything else (``ModelNotFound``, :func:`model_name`)."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)

    name: str

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any) -> Any:
        model_name(data)
        return data


class ModelRequest(NamedRequest):
    """A request about the model its ``config`` describes (:func:`build`): :attr:`model`, once validated."""

    config: dict[str, Any] = Field(default_factory=dict)
    _model: Model

    @model_validator(mode="after")
    def _built(self, info: ValidationInfo) -> Self:
        self._model = build(self.name, self.config, read_context(info.context))
        self.check(self._model)
        return self

    def check(self, model: Model) -> None:
        """Refuse what ``model`` makes wrong in the request (an :class:`UMBridgeError`); here, nothing."""

    @property
    def model(self) -> Model:
        """The model that ``name`` and ``config`` describe."""
        return self._model


class EvaluateRequest(ModelRequest):
    """``input``: a list of the model's one input vector."""

    input: list[Vector]

    @field_validator("input", mode="before")
    @classmethod
    def _rows(cls, value: Any) -> Any:
        """simdjson's matrix (one row per input vector) as its rows."""
        return list(value) if isinstance(value, np.ndarray) and value.ndim == 2 else value

    def check(self, model: Model) -> None:
        """Exactly one input, of the model's size."""
        if len(self.input) != 1:
            raise UMBridgeError(
                "InvalidInput",
                f"/input: the model has 1 input, {model.describe_input()}, but the request has {len(self.input)}",
            )
        if self.u.size != model.input_size:
            raise UMBridgeError(
                "InvalidInput", f"/input/0 has {self.u.size} numbers but the model's input is {model.describe_input()}"
            )

    @property
    def u(self) -> Array:
        """Input 0."""
        return self.input[0]


class GradientRequest(EvaluateRequest):
    outWrt: Index
    inWrt: Index
    sens: Vector

    def check(self, model: Model) -> None:
        super().check(model)
        indices(self, "outWrt", "inWrt")
        sized(self.sens, "sens", model.output_size, "output 0")


class ApplyJacobianRequest(EvaluateRequest):
    outWrt: Index
    inWrt: Index
    vec: Vector

    def check(self, model: Model) -> None:
        super().check(model)
        indices(self, "outWrt", "inWrt")
        sized(self.vec, "vec", model.input_size, f"input 0, {model.describe_input()},")


class ApplyHessianRequest(EvaluateRequest):
    outWrt: Index
    inWrt1: Index
    inWrt2: Index
    sens: Vector
    vec: Vector

    def check(self, model: Model) -> None:
        super().check(model)
        indices(self, "outWrt", "inWrt1", "inWrt2")
        sized(self.sens, "sens", model.output_size, "output 0")
        sized(self.vec, "vec", model.input_size, f"input 0, {model.describe_input()},")


def model_name(body: Any) -> str:
    """The ``name`` of a body: ``ModelNotFound`` if it names no model of :data:`MODELS`."""
    if not isinstance(body, dict):
        raise UMBridgeError("InvalidInput", "/: the body must be a JSON object with the model's name and its config")
    name = body.get("name")
    if name not in MODELS:
        shown = "no name" if name is None else f"{str(name)[:64]!r}"
        raise UMBridgeError("ModelNotFound", f"/name: {shown} is not a model: the models are {', '.join(MODELS)}")
    return str(name)


def build(name: str, config: dict[str, Any], context: ReadContext) -> Model:
    """The model ``name`` with ``config`` (seed case 5 when empty), validated like a ``/v1`` request body.

    ``loss``: config is a ``/v1/gradients`` body (network, inputs, targets, loss); its weights give the shapes, the
    activations and which layers have a bias, θ comes from the input. A layer may give ``outputs`` n_k (and
    ``bias``: true) instead of its weights (:func:`with_shapes`). ``network``: config holds ``network`` (its
    weights are the model's), other members are ignored.
    """
    config = config or SEED_CASE_5
    settings = context.settings or Settings()
    try:
        if name == "loss":
            body = {**with_shapes(config, settings), "include": None, "encoding": "json"}
            request = GradientsRequest.model_validate(body, context=context)
            return LossModel(request.layers, request.inputs, request.targets, request.loss)
        if "network" not in config:
            raise UMBridgeError("InvalidInput", "/config/network: the network model's config needs its network")
        layers = NetworkSpec.model_validate(config["network"], context=context).to_layers()
        X = np.zeros((1, layers[0].W.shape[0] if layers[0].W.ndim == 2 else 1))
        limits.check_sizes(settings, layers, X)
        problems = shape_problems(layers, X, check_finite=False)
        if problems:
            raise GradcoreError(
                [
                    Problem(("network", *p.location) if p.location[0] == "layers" else p.location, p.message)
                    for p in problems
                ]
            )
        limits.check_compute(settings, layers, X)
        return NetworkModel(layers)
    except ValidationError as error:
        raise from_validation(error, "/config" + ("/network" if name == "network" else "")) from None
    except ServiceError as problem:
        raise from_problem(problem, "/config") from None
    except GradcoreError as error:
        raise from_gradcore(error, "/config") from None


SHAPE_KEYS = frozenset({"outputs", "activation", "bias"})


def with_shapes(config: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The loss model's config with every layer ``{"outputs": n_k, "activation": f_k, "bias": true}`` written as a
    ``/v1`` layer of zero weights (n_{k−1} × n_k, n_0 the columns of the inputs) and, with ``bias``, a zero bias:
    the loss model needs only the shapes, and a config without the weights' numbers is smaller to send and read."""
    network = config.get("network")
    if not isinstance(network, dict):
        return config
    layers = network.get("layers")
    if not isinstance(layers, list) or not any(isinstance(layer, dict) and "outputs" in layer for layer in layers):
        return config
    inputs = np.asarray(
        config.get("inputs"), dtype=object if not isinstance(config.get("inputs"), np.ndarray) else None
    )
    n_prev = int(inputs.shape[-1]) if inputs.ndim in (1, 2) and inputs.size else 1
    written = []
    for k, layer in enumerate(layers):
        if not (isinstance(layer, dict) and "outputs" in layer):
            written.append(layer)
            n_prev = _columns(layer.get("weights") if isinstance(layer, dict) else None)
            continue
        where = f"/config/network/layers/{k}"
        n_k, unknown = layer["outputs"], sorted(str(key) for key in layer.keys() - SHAPE_KEYS)
        if unknown:
            raise UMBridgeError("InvalidInput", f"{where}/{unknown[0]}: a layer given by its outputs has no weights")
        if not isinstance(n_k, int) or isinstance(n_k, bool) or not 1 <= n_k <= settings.max_width:
            most = f"max_width = {settings.max_width}"
            raise UMBridgeError("InvalidInput", f"{where}/outputs: must be a whole number n_{k + 1} from 1 to {most}")
        shaped: dict[str, Any] = {"weights": np.zeros((n_prev, n_k))}
        if "activation" in layer:
            shaped["activation"] = layer["activation"]
        if layer.get("bias", False) is not False:
            if layer["bias"] is not True:
                raise UMBridgeError("InvalidInput", f"{where}/bias: true or false for a layer given by its outputs")
            shaped["bias"] = np.zeros(n_k)
        written.append(shaped)
        n_prev = n_k
    return {**config, "network": {**network, "layers": written}}


def _columns(value: Any) -> int:
    """The columns of a tensor as a request writes it (rows, one row, a number, a compact tensor, an ndarray); 1 when
    there is no telling (validation then names what is wrong)."""
    if isinstance(value, np.ndarray):
        return int(value.shape[-1]) if value.ndim else 1
    if isinstance(value, dict) and isinstance(value.get("shape"), list) and value["shape"]:
        last = value["shape"][-1]
        return last if isinstance(last, int) else 1
    if isinstance(value, list) and value:
        return len(value[0]) if isinstance(value[0], list) else len(value)
    return 1


def indices(request: BaseModel, *fields: str) -> None:
    """Refuse an ``outWrt``/``inWrt`` other than 0: each model has one input and one output."""
    for field in fields:
        value = getattr(request, field)
        if value != 0:
            what = "output" if field.startswith("out") else "input"
            raise UMBridgeError(
                "InvalidInput", f"/{field} is {value} but the model has 1 {what} (indices from 0): it must be 0"
            )


def sized(values: Array, field: str, size: int, what: str) -> None:
    """Refuse a ``sens`` or ``vec`` unless it has ``size`` numbers."""
    if values.size != size:
        raise UMBridgeError("InvalidInput", f"/{field} has {values.size} numbers but {what} has {size}")
