"""Settings, read once from environment variables prefixed ``GRADSERVICE_``."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of the service, with its environment variable and default.

    Example: ``GRADSERVICE_PORT=9000 python -m service``.
    """

    model_config = SettingsConfigDict(env_prefix="GRADSERVICE_", extra="ignore")

    host: str = "127.0.0.1"
    """Interface that ``python -m service`` binds to (``GRADSERVICE_HOST``)."""
    port: int = 8000
    """Port that ``python -m service`` listens on (``GRADSERVICE_PORT``)."""
    workers: int = Field(1, ge=1)
    """Worker processes of ``python -m service`` (``GRADSERVICE_WORKERS``); each serves requests on its own core."""


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, as a FastAPI dependency."""
    return Settings()
