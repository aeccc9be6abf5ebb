"""Signed session tokens, sign-out, and sealed (encrypted, authenticated) tokens for links, over one server secret.

**The secret.** 32 random bytes, created on first use and kept in the ``server_secrets`` table
(:func:`grader.services.common.server_secret`), so every app process on one database signs alike and a restart signs nobody out. Each
use derives its own key from it (HMAC-SHA256 of the secret and a purpose label), so a token made for one purpose
never verifies as another.

**Session tokens** (:func:`issue_session_token`, :func:`verify_session_token`)::

    s1.<user id>.<expiry, unix seconds>.<token version>.<HMAC-SHA256 of the four fields before it, base64url>

The user's ``token_version`` is part of what is signed; :func:`revoke_sessions` (sign-out) bumps it, so every
token issued to that user before stops verifying, wherever it is kept. Verification checks, in this order, the
shape, the signature (constant-time), the expiry, then the user and the version, and refuses with an
:class:`InvalidSession` whose ``reason`` says which (and whose message can be shown as it is).

**Sealed tokens** (:func:`seal`, :func:`unseal`): deterministic authenticated encryption (the SIV construction
with HMAC-SHA256 as the PRF): ``iv = HMAC(k_mac, data)[:16]``, ``ct = data XOR HMAC-CTR(k_enc, iv)``, the token
is ``base64url(iv + ct)``. Whoever holds the token learns nothing of ``data`` and cannot alter it; the same data
always seals to the same token (a shared practice link stays the same link).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import threading
import weakref
from typing import ClassVar, Literal

from sqlalchemy import Engine, select, update

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from .accounts import UserOut
from .common import NotFound, OutModel, ServiceError, now_utc, retrying, user_row
from .common import server_secret as common_secret

SECRET_SETTING = "server.secret"
SESSION_TTL = dt.timedelta(days=7)
MAX_TOKEN_CHARS = 512
_PREFIX = "s1"

Reason = Literal["malformed", "tampered", "expired", "revoked", "unknown_user"]


class InvalidSession(ServiceError):
    """A session token that cannot be used; ``reason`` says why, the message says it to the user."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "malformed": "Your sign-in token is not one this app issued. Please sign in again.",
        "tampered": "Your sign-in token was altered (or comes from another server) and was refused. "
        "Please sign in again.",
        "expired": "Your session expired. Please sign in again.",
        "revoked": "This session was signed out. Please sign in again.",
        "unknown_user": "The account of this session no longer exists.",
    }

    def __init__(self, reason: Reason) -> None:
        super().__init__(self.MESSAGES[reason])
        self.reason: Reason = reason


class InvalidToken(ServiceError):
    """A sealed token that is not well-formed, or was not sealed by this server for this purpose."""


class SessionToken(OutModel):
    token: str
    user_id: int
    expires_at: dt.datetime


# ------------------------------------------------------------------ the server secret

_SECRETS: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()
_SECRETS_GUARD = threading.Lock()


def signing_secret(sf: SessionFactory) -> bytes:
    """The database's signing secret, created (32 random bytes) the first time it is asked for; cached per engine."""
    engine = sf.kw["bind"]
    with _SECRETS_GUARD:
        cached = _SECRETS.get(engine)
    if cached is not None:
        return cached

    def tx() -> bytes:
        with write_session(sf) as s:
            return common_secret(s, SECRET_SETTING)

    secret = retrying(tx)
    with _SECRETS_GUARD:
        _SECRETS[engine] = secret
    return secret


def _key(sf: SessionFactory, purpose: str) -> bytes:
    return hmac.new(signing_secret(sf), f"cnnquiz/{purpose}".encode(), hashlib.sha256).digest()


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def _unb64(s: str) -> bytes:
    if not s or not s.isascii():
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# ------------------------------------------------------------------ session tokens


def _session_mac(sf: SessionFactory, body: str) -> str:
    return _b64(hmac.new(_key(sf, "session"), body.encode("ascii"), hashlib.sha256).digest())


def issue_session_token(
    sf: SessionFactory, user_id: int, *, ttl: dt.timedelta = SESSION_TTL, now: dt.datetime | None = None
) -> SessionToken:
    """A token that signs ``user_id`` in until ``now + ttl`` (or until they sign out)."""
    t = now_utc(now)
    if ttl <= dt.timedelta(0):
        raise ValueError("ttl must be positive")
    with read_session(sf) as s:
        version = user_row(s, user_id).token_version
    expires = int((t + ttl).timestamp())
    body = f"{_PREFIX}.{user_id}.{expires}.{version}"
    return SessionToken(
        token=f"{body}.{_session_mac(sf, body)}",
        user_id=user_id,
        expires_at=dt.datetime.fromtimestamp(expires, dt.UTC),
    )


def _fields(token: str) -> tuple[str, int, int, int, str]:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise InvalidSession("malformed")
    parts = token.split(".")
    if len(parts) != 5 or parts[0] != _PREFIX or not all(p.isascii() and p.isdigit() for p in parts[1:4]):
        raise InvalidSession("malformed")
    return ".".join(parts[:4]), int(parts[1]), int(parts[2]), int(parts[3]), parts[4]


def verify_session_token(sf: SessionFactory, token: str, *, now: dt.datetime | None = None) -> UserOut:
    """The user a token signs in, or :class:`InvalidSession` (malformed, tampered, expired, revoked, unknown user)."""
    t = now_utc(now)
    body, user_id, expires, version, mac = _fields(token)
    if not hmac.compare_digest(mac.encode("ascii"), _session_mac(sf, body).encode("ascii")):
        raise InvalidSession("tampered")
    if t.timestamp() >= expires:
        raise InvalidSession("expired")
    with read_session(sf) as s:
        u = s.get(D.User, user_id)
        if u is None:
            raise InvalidSession("unknown_user")
        if u.token_version != version:
            raise InvalidSession("revoked")
        return UserOut.model_validate(u)


def revoke_sessions(sf: SessionFactory, actor_id: int) -> None:
    """Sign the actor out everywhere: every session token issued to them so far stops verifying."""
    with write_session(sf) as s:
        done = s.execute(
            update(D.User).where(D.User.id == actor_id).values(token_version=D.User.token_version + 1)
        ).rowcount
        if not done:
            raise NotFound(f"no user {actor_id}")


def has_users(sf: SessionFactory) -> bool:
    """Whether any account exists (the app shows its first-run set-up until one does)."""
    with read_session(sf) as s:
        return s.execute(select(D.User.id).limit(1)).first() is not None


# ------------------------------------------------------------------ sealed tokens


def _seal_keys(sf: SessionFactory, purpose: str) -> tuple[bytes, bytes]:
    k = _key(sf, f"seal/{purpose}")
    return hmac.new(k, b"mac", hashlib.sha256).digest(), hmac.new(k, b"enc", hashlib.sha256).digest()


def _keystream(k_enc: bytes, iv: bytes, n: int) -> bytes:
    blocks = (hmac.new(k_enc, iv + i.to_bytes(4, "big"), hashlib.sha256).digest() for i in range((n + 31) // 32))
    return b"".join(blocks)[:n]


def seal(sf: SessionFactory, purpose: str, data: bytes) -> str:
    """``data`` encrypted and authenticated for ``purpose`` (see the module docstring), as a URL-safe token."""
    if len(data) > 256:
        raise ValueError("seal() is for short values (at most 256 bytes)")
    k_mac, k_enc = _seal_keys(sf, purpose)
    iv = hmac.new(k_mac, data, hashlib.sha256).digest()[:16]
    ct = bytes(a ^ b for a, b in zip(data, _keystream(k_enc, iv, len(data)), strict=True))
    return _b64(iv + ct)


def unseal(sf: SessionFactory, purpose: str, token: str) -> bytes:
    """The data :func:`seal` sealed for ``purpose``, or :class:`InvalidToken`."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken("this link is not valid (it is not a token this server made)")
    try:
        raw = _unb64(token)
    except (ValueError, binascii.Error):
        raise InvalidToken("this link is not valid (it is not a token this server made)") from None
    if len(raw) < 17:
        raise InvalidToken("this link is not valid (it is too short: was it cut off when copied?)")
    iv, ct = raw[:16], raw[16:]
    k_mac, k_enc = _seal_keys(sf, purpose)
    data = bytes(a ^ b for a, b in zip(ct, _keystream(k_enc, iv, len(ct)), strict=True))
    if not hmac.compare_digest(iv, hmac.new(k_mac, data, hashlib.sha256).digest()[:16]):
        raise InvalidToken("this link was altered, or it was made by another server")
    return data
