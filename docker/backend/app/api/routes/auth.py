"""Register and log in; both answer {access_token, token_type, user}."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, HTTPException, Request, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.api.deps import DB
from app.core.config import Settings
from app.core.security import create_access_token, hash_password, verify_password
from app.models import User
from app.schemas import ErrorOut, LoginIn, RegisterIn, TokenOut, UserOut

router = APIRouter(prefix="/api/auth", tags=["auth"])


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verifying against this keeps a login for an unknown email as slow as a wrong password."""
    return hash_password("not-a-real-password-0000")


def _token_response(request: Request, user: User) -> TokenOut:
    settings: Settings = request.app.state.settings
    token = create_access_token(user.id, settings.jwt_secret.get_secret_value(), settings.jwt_expire_minutes)
    return TokenOut(access_token=token, user=UserOut.model_validate(user))


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create an account",
    responses={409: {"model": ErrorOut, "description": "The email is already registered"}},
)
def register(body: RegisterIn, request: Request, db: DB) -> TokenOut:
    email = body.email.strip().lower()
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "Email already registered")
    user = User(email=email, name=body.name, password_hash=hash_password(body.password))
    db.add(user)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "Email already registered") from None
    return _token_response(request, user)


@router.post(
    "/login",
    summary="Log in with email and password",
    responses={401: {"model": ErrorOut, "description": "Wrong email or password"}},
)
def login(body: LoginIn, request: Request, db: DB) -> TokenOut:
    user = db.scalar(select(User).where(User.email == body.email.strip().lower()))
    if user is None:
        verify_password(body.password, _dummy_hash())
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid email or password")
    if not verify_password(body.password, user.password_hash):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid email or password")
    return _token_response(request, user)
