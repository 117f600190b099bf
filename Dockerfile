# gradservice: docker build -t gradservice . && docker run -p 8000:8000 gradservice
# Two stages: "build" installs uv and makes the virtual environment /opt/venv from uv.lock, with the project
# installed in it; the final image holds that environment and the healthcheck only (no uv, no sources, no caches).
# scripts/container-check builds this file with podman, `--from` a local base in place of python:3.12-slim.
FROM python:3.12-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

FROM base AS build

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv

WORKDIR /app
RUN pip install --no-cache-dir uv

# Dependencies first, from the lock file, so that code changes reuse this layer.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project --no-cache

COPY gradcore ./gradcore
COPY gradclient ./gradclient
COPY service ./service
RUN uv sync --locked --no-dev --no-editable --no-cache

FROM base

RUN useradd --create-home --uid 10001 gradservice
COPY --from=build /opt/venv /opt/venv
COPY deploy/healthcheck.py /opt/healthcheck.py

# The service reads its address from GRADSERVICE_HOST and GRADSERVICE_PORT (service/domain/settings.py):
# `docker run -e GRADSERVICE_PORT=9000 -p 9000:9000 gradservice` moves it, and the healthcheck follows.
ENV PATH=/opt/venv/bin:$PATH \
    GRADSERVICE_HOST=0.0.0.0 \
    GRADSERVICE_PORT=8000

WORKDIR /home/gradservice
USER gradservice

EXPOSE 8000
# deploy/healthcheck.py asks the port the service listens on: the command's --port, else GRADSERVICE_PORT.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "/opt/healthcheck.py", "/healthz"]
CMD ["python", "-m", "service"]
