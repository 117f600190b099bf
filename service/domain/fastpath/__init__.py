"""The fast path: how a request body's bytes become a validated request model.

One entry point, :func:`read_request`. Behind it, cheapest first: the byte
screen (:mod:`~service.domain.fastpath.screen`) refuses floods before parsing;
simdjson (:mod:`~service.domain.fastpath.fastjson`) reads numeric arrays straight
into numpy; orjson reads the rest; and when either fails, pydantic's strict
JSON validator reads the text again, so that every error is the reference's.
The rest of the service never knows which of them read a body.
"""

from service.domain.fastpath.reader import read_request

__all__ = ["read_request"]
