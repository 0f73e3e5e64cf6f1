"""Settings from the environment (and an optional .env file), as listed in env.schema.yaml."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def normalize_database_url(url: str) -> str:
    """Return a SQLAlchemy URL for psycopg 3 from postgresql://, postgres:// or +psycopg URLs.

    Query parameters such as Neon's ``?sslmode=require`` pass through to libpq unchanged.
    """
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must start with postgresql://, postgres:// or postgresql+psycopg://")


# A rate as `limits` reads it: "30/minute", "10/15 minutes", "5 per hour".
_RATE = r"^[0-9]+ *(/|per) *([0-9]+ *)?(second|minute|hour|day)s?$"


def _env_file() -> str:
    return os.environ.get("ENV_FILE", ".env")


class DatabaseSettings(BaseSettings):
    """What `migrate` needs: only the database."""

    model_config = SettingsConfigDict(env_file=_env_file(), extra="ignore")

    database_url: SecretStr

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, v: SecretStr) -> SecretStr:
        normalize_database_url(v.get_secret_value())
        return v

    @property
    def sqlalchemy_url(self) -> str:
        return normalize_database_url(self.database_url.get_secret_value())


class Settings(DatabaseSettings):
    """Every variable the API server reads."""

    model_config = SettingsConfigDict(env_file=_env_file(), extra="ignore")

    jwt_secret: SecretStr = Field(min_length=32)
    jwt_expire_minutes: int = Field(default=60, ge=1, le=43200)
    chat_provider: Literal["local", "openai"] = "local"
    openai_api_key: SecretStr | None = None
    openai_model: str = "gpt-4o-mini"
    openai_base_url: str | None = None
    openai_timeout_seconds: float = Field(default=20.0, gt=0, le=120)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # How long a request waits for a database connection before answering 503.
    db_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    # Connections of the process's pool (one pool per worker process; see docs/backend.md).
    db_pool_size: int = Field(default=5, ge=1, le=100)
    # How long a request's database work may take, measured here: a database that stops
    # answering (hung, not gone) gives 503 after this instead of holding the request.
    db_statement_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Hostile clients (docs/backend.md, "Limits"): the largest request body, read as it arrives,
    # and how long its reading may take.
    max_request_body_bytes: int = Field(default=65536, ge=1024, le=10 * 1024 * 1024)
    body_read_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # Login throttling (per process): attempts per client address, and per account since its last success.
    login_rate_per_client: str = Field(default="30/minute", pattern=_RATE)
    login_failures_per_account: str = Field(default="10/15 minutes", pattern=_RATE)
    # Password hashes computed at once (argon2 takes ARGON2_MEMORY_KIB each).
    password_hash_concurrency: int = Field(default=4, ge=1, le=64)
    # The longest chat reply stored and returned (a model's reply beyond it is cut, and says so).
    chat_max_reply_chars: int = Field(default=8000, ge=100, le=100000)
    # Serve /docs and /redoc (the OpenAPI schema at /openapi.json is always there).
    api_docs: bool = True

    @field_validator("openai_base_url", mode="before")
    @classmethod
    def _empty_is_none(cls, v: object) -> object:
        return None if v == "" else v

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, v: object) -> object:
        return v.lower() if isinstance(v, str) else v


@lru_cache
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


def describe_errors(exc: ValidationError) -> str:
    """Key names and reasons only: never the values (they may be secrets)."""
    lines = []
    for err in exc.errors(include_input=False, include_url=False):
        key = ".".join(str(p) for p in err["loc"]).upper()
        lines.append(f"  {key}: {err['msg']}")
    return "invalid configuration:\n" + "\n".join(lines)


def app_version(start: Path | None = None) -> str:
    """The repository's VERSION file: /app/VERSION in the image, the repository root natively
    (the nearest VERSION file in this package's folder or above it)."""
    here = (start or Path(__file__)).resolve()
    for folder in here.parents:
        candidate = folder / "VERSION"
        if candidate.is_file():
            return candidate.read_text().strip()
    raise RuntimeError(f"no VERSION file in {here.parent} or above it")
