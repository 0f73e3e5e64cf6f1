"""One stack for the HTTP attacks (tests/security/seclib.py), started once, always stopped."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import seclib  # noqa: E402


@pytest.fixture(scope="session")
def log_dir() -> Path:
    d = seclib.ROOT / "build/security"
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="session")
def stack(log_dir: Path) -> Iterator[dict[str, Any]]:
    pg = seclib.PgTemp()
    servers: list[seclib.Server] = []
    model = seclib.HostileModel()
    try:
        seclib.migrate(pg.url, log_dir)
        backend, api = seclib.start_backend(pg.url, log_dir)
        servers.append(backend)
        frontend, web = seclib.start_frontend(api, log_dir)
        servers.append(frontend)
        llm_backend, llm_api = seclib.start_backend(
            pg.url, log_dir, name="backend-openai", CHAT_PROVIDER="openai", OPENAI_API_KEY="sk-test-not-a-real-key",
            OPENAI_BASE_URL=model.url, OPENAI_TIMEOUT_SECONDS="20",
        )
        servers.append(llm_backend)
        yield {"pg": pg, "api": api, "web": web, "backend": backend, "llm_api": llm_api, "model": model,
               "log_dir": log_dir}
    finally:
        for s in servers:
            s.stop()
        model.close()
        pg.destroy()
