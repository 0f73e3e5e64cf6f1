"""Register and log in; both answer {access_token, token_type, user}. Password hashing (argon2,
deliberately slow) runs in a worker thread, never on the event loop."""

from __future__ import annotations

from functools import lru_cache

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Request, status

from app import crud
from app.api.deps import database
from app.core.config import Settings
from app.core.security import create_access_token, hash_password, verify_password
from app.schemas import ErrorOut, LoginIn, RegisterIn, TokenOut, UserOut

router = APIRouter(prefix="/api/auth", tags=["auth"])


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verifying against this keeps a login for an unknown email as slow as a wrong password."""
    return hash_password("not-a-real-password-0000")


def _token_response(request: Request, user: crud.Row) -> TokenOut:
    settings: Settings = request.app.state.settings
    token = create_access_token(user["id"], settings.jwt_secret.get_secret_value(), settings.jwt_expire_minutes)
    return TokenOut(access_token=token, user=UserOut.model_validate(user))


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create an account",
    responses={409: {"model": ErrorOut, "description": "The email is already registered"}},
)
async def register(body: RegisterIn, request: Request) -> TokenOut:
    email = body.email.strip().lower()
    password_hash = await anyio.to_thread.run_sync(hash_password, body.password)
    async with database(request).connection() as conn:
        user = await crud.create_user(conn, email, body.name, password_hash)
    if user is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "Email already registered")
    return _token_response(request, user)


@router.post(
    "/login",
    summary="Log in with email and password",
    responses={401: {"model": ErrorOut, "description": "Wrong email or password"}},
)
async def login(body: LoginIn, request: Request) -> TokenOut:
    async with database(request).connection() as conn:
        user = await crud.get_user_by_email(conn, body.email.strip().lower())
    password_hash = _dummy_hash() if user is None else user["password_hash"]
    valid = await anyio.to_thread.run_sync(verify_password, body.password, password_hash)
    if user is None or not valid:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid email or password")
    return _token_response(request, user)
