# gradservice: docker build -t gradservice . && docker run -p 8000:8000 gradservice
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app
RUN pip install --no-cache-dir uv

# Dependencies first, from the lock file, so that code changes reuse this layer.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project

COPY gradcore ./gradcore
COPY gradclient ./gradclient
COPY service ./service
RUN uv sync --locked --no-dev --no-editable

RUN useradd --create-home --uid 10001 gradservice
USER gradservice

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["python", "-m", "service", "--host", "0.0.0.0", "--port", "8000"]
