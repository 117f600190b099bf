"""The service's domain: settings, limits, the one error type and the fast path from bytes to a request model.

Nothing here imports FastAPI or Starlette: :mod:`service.http.problems` maps :class:`errors.ServiceError` (and
gradcore's and pydantic's errors) to HTTP answers.
"""
