"""Password hashing (argon2id via argon2-cffi), JWT (HS256 via PyJWT) and the tokens ended by
logout before their expiry."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

if TYPE_CHECKING:
    from app.core.db import Database

log = logging.getLogger("app.security")

# argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane), not the library's
# 64 MiB x 4 lanes: PASSWORD_HASH_CONCURRENCY hashes at once stay far inside the chart's
# memory limit (docs/backend.md, "Limits"). Hashes made with other settings still verify and
# are replaced at the next successful sign-in.
ARGON2_MEMORY_KIB = 19456
_hasher = PasswordHasher(time_cost=2, memory_cost=ARGON2_MEMORY_KIB, parallelism=1)
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


class Claims(NamedTuple):
    subject: str
    token_id: str  # jti: what logout revokes
    expires: float


def create_access_token(subject: str, secret: str, expire_minutes: int) -> str:
    now = datetime.now(UTC)
    payload = {"sub": subject, "jti": uuid.uuid4().hex, "iat": now, "exp": now + timedelta(minutes=expire_minutes)}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


# Tokens that passed full verification: (token, secret) -> claims. A client sends the same token
# with every request, and verifying it (base64, JSON, HMAC, claims) was about 5 % of the API's
# CPU per request; a hit only re-checks the expiry, the one claim that changes with time (our
# tokens carry no nbf, and iat is the issue time). Bounded, oldest entries go first.
_VERIFIED: OrderedDict[tuple[str, str], Claims] = OrderedDict()
_VERIFIED_MAX = 4096


def token_claims(token: str, secret: str) -> Claims | None:
    """The claims of a valid, unexpired token, or None. (Revocation is RevokedTokens' business.)"""
    key = (token, secret)
    hit = _VERIFIED.get(key)
    if hit is not None:
        if hit.expires > time.time():
            return hit
        _VERIFIED.pop(key, None)
        return None
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "jti"]})
    except jwt.PyJWTError:
        return None
    sub, jti = payload.get("sub"), payload.get("jti")
    if not (isinstance(sub, str) and sub and isinstance(jti, str) and jti):
        return None
    claims = Claims(sub, jti, float(payload["exp"]))
    if "nbf" not in payload:  # a not-before claim would need its own check on each hit
        _VERIFIED[key] = claims
        if len(_VERIFIED) > _VERIFIED_MAX:
            _VERIFIED.popitem(last=False)
    return claims


def decode_access_token(token: str, secret: str) -> str | None:
    """The token's subject, or None when the token is invalid or expired."""
    claims = token_claims(token, secret)
    return claims.subject if claims else None


class RevokedTokens:
    """Tokens ended by logout before they expire (the revoked_tokens table), as a set in memory.
    A logout adds its token here at once and in the table; every process reads the table's new
    rows every `interval` seconds, so a token ended on one replica is refused by all of them
    within that time (docs/backend.md, "Sessions"). Only unexpired tokens are kept."""

    def __init__(self, interval: float = 2.0) -> None:
        self.interval = interval
        self._expires: dict[str, float] = {}
        self._last_id = 0

    def __contains__(self, token_id: str) -> bool:
        return token_id in self._expires

    def add(self, token_id: str, expires: float) -> None:
        self._expires[token_id] = expires

    async def refresh(self, database: Database) -> None:
        from app import crud  # app.crud imports app.core.db, which this module must not import at load

        async with database.connection() as conn:
            rows = await crud.revoked_since(conn, self._last_id)
        for row in rows:
            self._expires[row["jti"]] = row["expires_at"].timestamp()
            self._last_id = max(self._last_id, int(row["id"]))
        now = time.time()
        for token_id in [t for t, exp in self._expires.items() if exp <= now]:
            del self._expires[token_id]

    async def poll(self, database: Database) -> None:
        """Runs for the life of the process."""
        while True:
            try:
                await self.refresh(database)
            except Exception as exc:  # the database may be down: the next round retries
                # A cancellation that arrived while the pool was closing can surface as another
                # exception (PoolClosed, a timeout): the task must still end when cancelled.
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from exc
                log.debug("revoked tokens not refreshed", extra={"error": type(exc).__name__})
            await asyncio.sleep(self.interval)
