"""Property-based API tests: schemathesis generates requests from the app's own OpenAPI schema.

Schema-valid bodies and bodies that break the schema on purpose (negative mode) are sent in-process;
no answer may be a 5xx, and every answer must conform to the schema: status, content type, headers, body.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from service.app import create_app

app = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

# JSON Schema cannot say that W_k must be n_{k−1} × n_k or that Y must be m × n_L, so a body
# that fits the schema may still be refused with 422: that check does not apply to this API.
NOT_APPLICABLE = [checks.positive_data_acceptance]


@schema.parametrize()
@settings(max_examples=40, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=NOT_APPLICABLE)
