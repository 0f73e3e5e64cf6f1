"""Register, log in and log out; register and login answer {access_token, token_type, user}.

Password hashing (argon2id, deliberately slow and memory-hard) runs in worker threads, at most
PASSWORD_HASH_CONCURRENCY at once per process, never on the event loop. Sign-in and sign-up are
throttled per client address, and failed sign-ins per account (429 with Retry-After)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials

from app import crud
from app.api.deps import bearer, database, token_claims_or_401
from app.core.config import Settings
from app.core.limits import LoginThrottle
from app.core.security import RevokedTokens, create_access_token, hash_password, needs_rehash, verify_password
from app.schemas import ErrorOut, LoginIn, RegisterIn, TokenOut, UserOut

router = APIRouter(prefix="/api/auth", tags=["auth"])
T = TypeVar("T")

THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorOut, "description": "Too many attempts; retry after Retry-After seconds"}
}


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verifying against this keeps a login for an unknown email as slow as a wrong password."""
    return hash_password("not-a-real-password-0000")


def normal_email(email: str) -> str:
    """One account per address however it is typed: NFKC (compatibility forms, composed
    accents) and lower case, before any lookup or uniqueness check."""
    return unicodedata.normalize("NFKC", email.strip()).lower()


def _throttled(retry_after: int) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"Too many attempts; retry in {retry_after} s",
        {"Retry-After": str(retry_after)},
    )


def _client_attempt(request: Request) -> None:
    throttle: LoginThrottle = request.app.state.login_throttle
    client = request.client.host if request.client else "unknown"
    retry_after = throttle.client_attempt(client)
    if retry_after is not None:
        raise _throttled(retry_after)


async def _hashing(request: Request, func: Callable[..., T], *args: str) -> T:
    """Runs a password hash function in a worker thread, within the process's hashing limit."""
    return await anyio.to_thread.run_sync(func, *args, limiter=request.app.state.hash_limiter)


def _token_response(request: Request, user: crud.Row) -> TokenOut:
    settings: Settings = request.app.state.settings
    token = create_access_token(user["id"], settings.jwt_secret.get_secret_value(), settings.jwt_expire_minutes)
    return TokenOut(access_token=token, user=UserOut.model_validate(user))


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create an account",
    responses={409: {"model": ErrorOut, "description": "The email is already registered"}, **THROTTLED},
)
async def register(body: RegisterIn, request: Request) -> TokenOut:
    _client_attempt(request)
    email = normal_email(body.email)
    password_hash = await _hashing(request, hash_password, body.password)
    async with database(request).connection() as conn:
        user = await crud.create_user(conn, email, body.name, password_hash)
    if user is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "Email already registered")
    return _token_response(request, user)


@router.post(
    "/login",
    summary="Log in with email and password",
    responses={401: {"model": ErrorOut, "description": "Wrong email or password"}, **THROTTLED},
)
async def login(body: LoginIn, request: Request) -> TokenOut:
    _client_attempt(request)
    email = normal_email(body.email)
    throttle: LoginThrottle = request.app.state.login_throttle
    retry_after = throttle.account_attempt(email)
    if retry_after is not None:
        raise _throttled(retry_after)
    async with database(request).connection() as conn:
        user = await crud.get_user_by_email(conn, email)
    password_hash = _dummy_hash() if user is None else user["password_hash"]
    valid = await _hashing(request, verify_password, body.password, password_hash)
    if user is None or not valid:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid email or password")
    throttle.account_succeeded(email)
    if needs_rehash(password_hash):  # made with older argon2 settings
        new_hash = await _hashing(request, hash_password, body.password)
        async with database(request).connection() as conn:
            await crud.set_password_hash(conn, user["id"], new_hash)
    return _token_response(request, user)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End this session: the token is refused from now on",
    responses={401: {"model": ErrorOut, "description": "Missing or invalid token"}},
)
async def logout(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Response:
    claims = token_claims_or_401(request, credentials)
    revoked: RevokedTokens = request.app.state.revoked_tokens
    async with database(request).connection() as conn:
        await crud.revoke_token(conn, claims.token_id, claims.subject, claims.expires)
    revoked.add(claims.token_id, claims.expires)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
