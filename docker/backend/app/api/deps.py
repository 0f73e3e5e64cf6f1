"""Dependencies: the database and the authenticated user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.config import Settings
from app.core.db import Database
from app.core.security import Claims, token_claims

bearer = HTTPBearer(auto_error=False, description="The access_token from /api/auth/login or /api/auth/register")


def database(request: Request) -> Database:
    """The process's database (one pool per process, app/core/db.py)."""
    return request.app.state.db


def token_claims_or_401(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Claims:
    """The claims of a valid, unexpired bearer token that no logout ended; 401 otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Not authenticated", {"WWW-Authenticate": "Bearer"})
    settings: Settings = request.app.state.settings
    claims = token_claims(credentials.credentials, settings.jwt_secret.get_secret_value())
    if claims is None or claims.token_id in request.app.state.revoked_tokens:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid or expired token", {"WWW-Authenticate": "Bearer"})
    return claims


def token_subject(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str:
    """The subject of a valid, unexpired bearer token that no logout ended; 401 otherwise."""
    return token_claims_or_401(request, credentials).subject


# Async and one level deep on purpose (pure CPU, microseconds): a sync dependency costs a
# thread-pool hop per request, and each nested dependency costs FastAPI a resolution step.
async def path_user(
    user_id: str,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The path's user_id, which must be the token's subject (401 without a valid token, then 403)."""
    if user_id != token_subject(request, credentials):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Not allowed to access another user's data")
    return user_id


UserId = Annotated[str, Depends(path_user)]
