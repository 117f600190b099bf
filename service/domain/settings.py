"""Settings, read once from environment variables prefixed ``GRADSERVICE_``."""

import json
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MiB = 1024 * 1024


class Settings(BaseSettings):
    """Every setting of the service, with its environment variable and default.

    Example: ``GRADSERVICE_PORT=9000 python -m service``. The limits are
    described, with the error each one gives, in the README's "Limits and errors".
    """

    model_config = SettingsConfigDict(env_prefix="GRADSERVICE_", extra="ignore")

    host: str = "127.0.0.1"
    """Interface that ``python -m service`` binds to (``GRADSERVICE_HOST``)."""
    port: int = 8000
    """Port that ``python -m service`` listens on (``GRADSERVICE_PORT``)."""
    max_train_steps: int = Field(10_000, ge=1)
    """The most gradient-descent steps one ``POST /v1/train`` may ask for (``GRADSERVICE_MAX_TRAIN_STEPS``)."""
    max_check_parameters: int = 100_000
    """Most weights and biases ``/v1/gradients/check`` moves, four losses each (±ε, ±2ε), each a forward pass from
    the moved layer on: a 784-64-10 network (50,890) fits (``GRADSERVICE_MAX_CHECK_PARAMETERS``)."""

    max_body_bytes: int = Field(16 * MiB, ge=0)
    """Largest request body in bytes, checked while it is read (``GRADSERVICE_MAX_BODY_BYTES``)."""
    max_numbers: int = Field(1_000_000, gt=0)
    """Most numbers in one request: every W_k, b_k, X and Y together (``GRADSERVICE_MAX_NUMBERS``)."""
    max_layers: int = Field(100, gt=0)
    """Most layers L in a network (``GRADSERVICE_MAX_LAYERS``)."""
    max_width: int = Field(10_000, gt=0)
    """Largest layer width n_k, inputs n_0 included (``GRADSERVICE_MAX_WIDTH``)."""
    max_batch: int = Field(100_000, gt=0)
    """Largest batch: m, the rows of X (``GRADSERVICE_MAX_BATCH``)."""
    max_activations: int = Field(1_000_000, gt=0)
    """Largest m × Σ n_k: the numbers in all z_k (and as many in l_k and Δ_k) (``GRADSERVICE_MAX_ACTIVATIONS``)."""
    max_work: int = Field(500_000_000, gt=0)
    """Largest m × Σ n_{k−1}·n_k: multiply-adds of one forward pass (``GRADSERVICE_MAX_WORK``)."""
    max_train_work: int = Field(1_000_000_000, gt=0)
    """Largest steps × parameters × m of a training run (``GRADSERVICE_MAX_TRAIN_WORK``)."""
    max_submissions: int = Field(1000, gt=0)
    """Most submissions in one ``POST /v1/grade`` (``GRADSERVICE_MAX_SUBMISSIONS``); the numbers of all of them
    together count against ``max_numbers``."""
    max_check_work: int = Field(1_000_000_000, gt=0)
    """Largest 4 × Σ_k P_k × m × (1 + n_L + Σ_{i>k} n_i + Σ_{i>k+1} n_{i−1}·n_i) of a finite-difference check
    (:func:`~service.domain.limits.check_work`; a 784-64-10 check at m = 32 is 136 million)
    (``GRADSERVICE_MAX_CHECK_WORK``)."""

    max_students: int = Field(1000, gt=0)
    """Most students of one ``POST /v1/assignments``, a problem each (``GRADSERVICE_MAX_STUDENTS``)."""
    max_assignment_numbers: int = Field(200, gt=0)
    """Most numbers given in one assignment problem: X, every W_k and b_k, and Y; a problem meant for hand work has a
    few dozen (``GRADSERVICE_MAX_ASSIGNMENT_NUMBERS``)."""

    max_request_work: int = Field(8_000_000_000, gt=0)
    """Largest estimated work of one request on any endpoint, in units of about 1 ns on one core
    (:func:`~service.domain.limits.cost`): passes × (L × per-layer
    overhead + multiply-adds + m × Σ n_k × per-element cost)
    plus the numbers written in the answer; under the default the heaviest request of any endpoint took 5.4 s
    (``bench/heaviest.py``) (``GRADSERVICE_MAX_REQUEST_WORK``)."""
    max_inflight_bytes: int = Field(288 * MiB, gt=0)
    """Estimated bytes of the requests in flight of one worker (:mod:`service.http.compute`): a quarter for bodies
    and their parsed inputs, the rest for activations and answers; more wait, up to ``queue_timeout``
    (``GRADSERVICE_MAX_INFLIGHT_BYTES``)."""
    inline_work: int = Field(1_000_000, ge=0)
    """Requests of at most this much estimated work (about a millisecond) run on the event loop: the two hops to a
    thread would cost a good share of it, and a millisecond is far below what a probe waits
    (``GRADSERVICE_INLINE_WORK``; ``bench/``: medium requests, inline, are about a quarter faster)."""
    light_work: int = Field(50_000_000, ge=0)
    """Requests of at most this much estimated work take the light lane of ``light_threads`` threads;
    heavier ones the ``compute_threads`` lane, so that they never queue in front of light ones
    (``GRADSERVICE_LIGHT_WORK``)."""
    compute_threads: int = Field(1, gt=0)
    """Threads of each worker for heavy requests (``GRADSERVICE_COMPUTE_THREADS``)."""
    light_threads: int = Field(1, gt=0)
    """Threads of each worker for light requests and for reading large bodies (``GRADSERVICE_LIGHT_THREADS``); one,
    as a worker is one core: a second thread only contends for the core and the GIL (``bench/``: 6 % slower)."""
    queue_timeout: float = Field(10.0, ge=0)
    """Seconds a request may wait for memory to be admitted before a 503 with ``Retry-After``
    (``GRADSERVICE_QUEUE_TIMEOUT``)."""
    body_timeout: float = Field(30.0, gt=0)
    """Seconds a request body may take to arrive in all before a 408 (``GRADSERVICE_BODY_TIMEOUT``)."""
    body_idle_timeout: float = Field(10.0, gt=0)
    """Seconds a request body may go without a byte arriving before a 408 (``GRADSERVICE_BODY_IDLE_TIMEOUT``)."""
    max_header_bytes: int = Field(65_536, gt=0)
    """Bytes of a request's line and headers; more get a 431 problem and the connection closes
    (``GRADSERVICE_MAX_HEADER_BYTES``; :mod:`service.http.protocol`)."""
    header_timeout: float = Field(10.0, gt=0)
    """Seconds a connection may take to send a request's line and headers, from its opening or from the first
    byte of a later request on it; slower ones get a 408 problem and the connection closes (slowloris)
    (``GRADSERVICE_HEADER_TIMEOUT``; :mod:`service.http.protocol`)."""
    api_key: SecretStr | None = None
    """When set, every request but the probes ``/healthz`` and ``/readyz`` needs ``Authorization: Bearer KEY`` or
    ``X-API-Key: KEY`` (``GRADSERVICE_API_KEY``); off by default, and when empty."""
    direct_lane: bool = True
    """Serve the network routes' ``POST``s past FastAPI's router (``GRADSERVICE_DIRECT_LANE``;
    :mod:`service.http.lane`): the same answers, a little faster."""
    instructor_key: SecretStr | None = None
    """When set, the service is in classroom mode (``GRADSERVICE_INSTRUCTOR_KEY``; :mod:`service.http.instructor`):
    students check their work (``POST /v1/gradients/verify``, without the expected values) and get their problems
    (``POST /v1/assignments``, without the key), but every other ``POST``, which would reveal the answers, needs
    this key, sent as the API key is; off by default, and when empty."""
    max_concurrency: int = Field(32, gt=0)
    """Most requests that hold or wait for memory at once (:mod:`service.http.compute`): bodies over 125 kB being
    read or waiting to be, bodies being parsed, work waiting or computed; more get 503 with ``Retry-After``
    (``GRADSERVICE_MAX_CONCURRENCY``)."""
    retry_after: int = Field(1, ge=0)
    """Seconds a 503 asks the client to wait (``GRADSERVICE_RETRY_AFTER``)."""
    shutdown_timeout: int = Field(30, ge=0)
    """Seconds that SIGTERM waits for requests in flight before exiting (``GRADSERVICE_SHUTDOWN_TIMEOUT``)."""
    log_format: Literal["json", "text"] = "json"
    """``json``: one JSON object per line; ``text``: for reading in a terminal (``GRADSERVICE_LOG_FORMAT``)."""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    """Least severe level logged (``GRADSERVICE_LOG_LEVEL``)."""
    keep_freed_mib: int = Field(256, ge=0)
    """MiB of freed memory kept for the next request instead of being returned to the system, so that
    request-sized arrays do not page-fault (glibc's ``malloc``, :mod:`service.process`); 0 keeps glibc's
    defaults (``GRADSERVICE_KEEP_FREED_MIB``)."""
    blas_threads: int = Field(1, ge=0)
    """BLAS threads of each server process (threadpoolctl, :mod:`service.process`): one per worker by default,
    since the workers already use the cores; 0 leaves the BLAS library's own default
    (``GRADSERVICE_BLAS_THREADS``)."""
    opentelemetry: bool = False
    """FastAPI's native OpenTelemetry spans and metrics, sent to the global providers that an OpenTelemetry setup
    (e.g. ``opentelemetry-instrument``) configures (``GRADSERVICE_OPENTELEMETRY``); off by default, when FastAPI
    would look for configured providers on every request."""
    workers: int = Field(1, ge=1)
    """Worker processes of ``python -m service`` (``GRADSERVICE_WORKERS``); each serves requests on its own core."""
    cors_origins: Annotated[list[str], NoDecode] = []
    """Origins whose browser pages may call the API (CORS, Starlette's ``CORSMiddleware``), e.g.
    ``GRADSERVICE_CORS_ORIGINS=https://jupyterlite.github.io,https://observablehq.com`` (commas, or a JSON list);
    ``*`` allows every origin. Off (no CORS headers, preflights refused) by default."""

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins_list(cls, value: object) -> object:
        """A comma-separated string or a JSON list, each origin without a trailing slash."""
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else [part for part in text.split(",") if part.strip()]
        if isinstance(value, list):
            return [str(origin).strip().rstrip("/") for origin in value]
        return value

    @field_validator("api_key", "instructor_key", mode="before")
    @classmethod
    def _empty_key_is_no_key(cls, value: object) -> object:
        """``GRADSERVICE_API_KEY=`` (as ``${KEY:-}`` gives when KEY is unset) turns the key off, not into ""."""
        return None if value == "" else value


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, as a FastAPI dependency."""
    return Settings()
