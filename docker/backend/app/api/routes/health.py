"""Liveness (the process alone) and readiness (includes a database round trip)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.core.db import RETRY_AFTER_SECONDS, Database

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness: the process answers (no database)")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="Readiness: a database round trip with a short timeout",
    responses={503: {"description": "The database is unreachable"}},
)
async def ready(request: Request) -> JSONResponse:
    database: Database = request.app.state.db
    if await database.check(timeout=1.5):
        return JSONResponse({"status": "ready", "database": "ok"})
    return JSONResponse(
        {"status": "not ready", "database": "unavailable"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
