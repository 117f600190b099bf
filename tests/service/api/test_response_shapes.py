"""Every endpoint's answers fit its documented response schema, with every option (``tests/shapes.py``).

The ``client`` fixture checks every 200 JSON answer the HTTP tests receive; this module makes sure that each
endpoint is reached with each encoding and with ``include``, and that the check itself can fail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from shapes import check_answer, validators

from service.api.routers import REQUEST_MODELS
from service.api.schemas.options import ResponseOptions
from service.app import create_app

pytestmark = pytest.mark.anyio


EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def example(path: str) -> dict[str, Any]:
    """The documented request example of ``path``, else its example in ``examples/`` (a whole class, for grading)."""
    document = create_app().openapi()
    media = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    if "example" in media:
        body: dict[str, Any] = media["example"]
        return body
    return dict(json.loads((EXAMPLES / {"/v1/grade": "grade_class.json"}[path]).read_text(encoding="utf-8")))


def test_every_route_that_reads_a_body_has_a_checked_answer() -> None:
    assert set(REQUEST_MODELS) <= set(validators())


WITH_OPTIONS = sorted(path for path, model in REQUEST_MODELS.items() if issubclass(model, ResponseOptions))
"""The endpoints that take the response options ``include`` (any field of the answer) and ``encoding``."""


def test_the_options_are_offered_where_answers_are_arrays() -> None:
    # /v1/assignments' include asks for the key; /v1/grade answers scores and verdicts (CSV on request)
    assert set(REQUEST_MODELS) - set(WITH_OPTIONS) == {"/v1/assignments", "/v1/grade"}


@pytest.mark.parametrize("path", sorted(REQUEST_MODELS))
async def test_every_example_answer_fits_its_schema(client: httpx.AsyncClient, path: str) -> None:
    response = await client.post(path, json=example(path))
    assert response.status_code == 200, response.text
    check_answer(response)


@pytest.mark.parametrize("encoding", ["json", "base64"])
@pytest.mark.parametrize("path", WITH_OPTIONS)
async def test_every_answer_fits_its_schema(client: httpx.AsyncClient, path: str, encoding: str) -> None:
    response = await client.post(path, json={**example(path), "encoding": encoding})
    assert response.status_code == 200, response.text
    check_answer(response)  # the fixture's hook did too; here it is explicit


@pytest.mark.parametrize("path", WITH_OPTIONS)
async def test_an_answer_with_some_fields_fits_its_schema(client: httpx.AsyncClient, path: str) -> None:
    documented = validators()[path].schema["$ref"].rpartition("/")[2]
    first_field = next(iter(validators()[path].schema["components"]["schemas"][documented]["properties"]))
    response = await client.post(path, json={**example(path), "include": [first_field]})
    assert response.status_code == 200, response.text
    assert first_field in response.json()


async def test_the_check_fails_on_an_undocumented_field_or_a_wrong_type(client: httpx.AsyncClient) -> None:
    request = client.build_request("POST", "http://testserver/v1/loss")
    extra = httpx.Response(200, json={"loss": 0.5, "surprise": 1}, request=request)
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        check_answer(extra)
    wrong = httpx.Response(200, json={"loss": "half"}, request=request)
    with pytest.raises(jsonschema.ValidationError):
        check_answer(wrong)
    check_answer(httpx.Response(200, json={"loss": 0.5}, request=request))
