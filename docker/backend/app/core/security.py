"""Password hashing (argon2id via argon2-cffi) and JWT (HS256 via PyJWT)."""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_access_token(subject: str, secret: str, expire_minutes: int) -> str:
    now = datetime.now(UTC)
    payload = {"sub": subject, "iat": now, "exp": now + timedelta(minutes=expire_minutes)}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


# Tokens that passed full verification: (token, secret) -> (subject, exp). A client sends the
# same token with every request, and verifying it (base64, JSON, HMAC, claims) was about 5 % of
# the API's CPU per request; a hit only re-checks the expiry, the one claim that changes with
# time (our tokens carry no nbf, and iat is the issue time). Bounded, oldest entries go first.
_VERIFIED: OrderedDict[tuple[str, str], tuple[str, float]] = OrderedDict()
_VERIFIED_MAX = 4096


def decode_access_token(token: str, secret: str) -> str | None:
    """The token's subject, or None when the token is invalid or expired."""
    key = (token, secret)
    hit = _VERIFIED.get(key)
    if hit is not None:
        if hit[1] > time.time():
            return hit[0]
        _VERIFIED.pop(key, None)
        return None
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
    except jwt.PyJWTError:
        return None
    sub = payload.get("sub")
    if not (isinstance(sub, str) and sub):
        return None
    if "nbf" not in payload:  # a not-before claim would need its own check on each hit
        _VERIFIED[key] = (sub, float(payload["exp"]))
        if len(_VERIFIED) > _VERIFIED_MAX:
            _VERIFIED.popitem(last=False)
    return sub
