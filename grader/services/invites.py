"""Invitations: how an account a roster import created gets its password.

A roster import (:mod:`grader.services.roster`) creates each new student's account without a password (it cannot
sign in) and an *invite* for it. The instructor hands out the invite's link (the page and the CLI write them to a
CSV); the student opens it, the Account page (``?invite=<token>``) shows whose account it is, and they choose
their password, which signs them in.

**The token**::

    i1.<invite id>.<expiry, unix seconds>.<HMAC-SHA256 of the three fields before it, base64url>

signed with a key derived from the server secret for this purpose only (a session token never verifies as an
invite, nor the reverse). The signature makes it unforgeable and carries its expiry; the ``invites`` row makes it
**single use** (``used_at``, set by one conditional update, so two tabs racing to accept it cannot both win) and
**revocable** (``revoked_at``: a newer invite for the same account, or the account getting a password, revokes
the older ones). Because the token is a function of the row, an instructor can download the open invites of a
course again at any time (:func:`list_invites`) without the server keeping the tokens themselves.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import ClassVar, Literal

from sqlalchemy import Exists, select, update
from sqlalchemy.orm import Session

from .. import db as D
from ..db import SessionFactory, read_session, write_session
from .accounts import UserOut, check_password, hasher
from .common import NotFound, OutModel, ServiceError, now_utc, require_teacher, retrying
from .sessions import MAX_TOKEN_CHARS, signing_secret

INVITE_TTL = dt.timedelta(days=14)
_PREFIX = "i1"

InviteReason = Literal["malformed", "tampered", "expired", "used", "revoked"]


class InvalidInvite(ServiceError):
    """An invite link that cannot be used; ``reason`` says why, the message says it to the student."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "malformed": "This invitation link is not one this app made: copy the whole link from your instructor.",
        "tampered": "This invitation link was altered (or comes from another server) and was refused.",
        "expired": "This invitation link has expired: ask your instructor for a new one.",
        "used": "This invitation link was already used: sign in with the password chosen then.",
        "revoked": "This invitation link was replaced by a newer one: use the newest link your instructor sent.",
    }

    def __init__(self, reason: InviteReason) -> None:
        super().__init__(self.MESSAGES[reason])
        self.reason: InviteReason = reason


class InviteOut(OutModel):
    """What an invite link opens: whose account, for which course, until when."""

    username: str
    display_name: str
    course_code: str | None
    expires_at: dt.datetime


class InviteLinkOut(OutModel):
    """An open invite as its course's instructors see it: the token goes into the link they hand out."""

    user_id: int
    username: str
    name: str
    email: str | None
    token: str
    expires_at: dt.datetime


# ------------------------------------------------------------------ tokens


def invite_key(sf: SessionFactory) -> bytes:
    """The key invites are signed with (derived from the server secret; fetch it *before* opening a transaction)."""
    return hmac.new(signing_secret(sf), b"cnnquiz/invite", hashlib.sha256).digest()


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def invite_token(key: bytes, invite_id: int, expires_at: dt.datetime) -> str:
    body = f"{_PREFIX}.{invite_id}.{int(expires_at.timestamp())}"
    return f"{body}.{_b64(hmac.new(key, body.encode('ascii'), hashlib.sha256).digest())}"


def _verify(key: bytes, token: str, now: dt.datetime) -> int:
    """The invite id of a well-formed, genuine, unexpired token (else :class:`InvalidInvite`)."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise InvalidInvite("malformed")
    parts = token.strip().split(".")
    if len(parts) != 4 or parts[0] != _PREFIX or not all(p.isascii() and p.isdigit() for p in parts[1:3]):
        raise InvalidInvite("malformed")
    body = ".".join(parts[:3])
    mac = _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())
    if not hmac.compare_digest(mac.encode("ascii"), parts[3].encode("ascii", "replace")):
        raise InvalidInvite("tampered")
    if now.timestamp() >= int(parts[2]):
        raise InvalidInvite("expired")
    return int(parts[1])


# ------------------------------------------------------------------ issuing (inside a caller's transaction)


def new_invite(
    s: Session, user_id: int, course_id: int | None, created_by: int | None, now: dt.datetime, ttl: dt.timedelta
) -> D.Invite:
    """A fresh invite for ``user_id``; the account's earlier open invites are revoked (in the caller's transaction)."""
    if ttl <= dt.timedelta(0):
        raise ValueError("an invite's lifetime must be positive")
    _revoke_open(s, user_id, now)
    inv = D.Invite(user_id=user_id, course_id=course_id, created_by=created_by, expires_at=now + ttl, created_at=now)
    s.add(inv)
    s.flush()
    return inv


def _revoke_open(s: Session, user_id: int, now: dt.datetime) -> None:
    s.execute(
        update(D.Invite)
        .where(D.Invite.user_id == user_id, D.Invite.used_at.is_(None), D.Invite.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _link(key: bytes, inv: D.Invite, u: D.User) -> InviteLinkOut:
    return InviteLinkOut(
        user_id=u.id,
        username=u.username,
        name=u.display_name,
        email=u.email,
        token=invite_token(key, inv.id, inv.expires_at),
        expires_at=inv.expires_at,
    )


# ------------------------------------------------------------------ the student's side


def _open_invite(s: Session, invite_id: int) -> tuple[D.Invite, D.User]:
    inv = s.get(D.Invite, invite_id)
    if inv is None:
        raise InvalidInvite("revoked")  # signed by us, but its row is gone (the account or course was deleted)
    if inv.used_at is not None:
        raise InvalidInvite("used")
    if inv.revoked_at is not None:
        raise InvalidInvite("revoked")
    u = s.get(D.User, inv.user_id)
    if u is None:  # pragma: no cover - the row cascades with its user
        raise InvalidInvite("revoked")
    return inv, u


def check_invite(sf: SessionFactory, token: str, *, now: dt.datetime | None = None) -> InviteOut:
    """Whose account an invite link is for (or :class:`InvalidInvite`: malformed, tampered, expired, used, revoked)."""
    t = now_utc(now)
    invite_id = _verify(invite_key(sf), token, t)
    with read_session(sf) as s:
        inv, u = _open_invite(s, invite_id)
        course = s.get(D.Course, inv.course_id) if inv.course_id is not None else None
        return InviteOut(
            username=u.username,
            display_name=u.display_name,
            course_code=course.code if course is not None else None,
            expires_at=inv.expires_at,
        )


def accept_invite(sf: SessionFactory, token: str, password: str, *, now: dt.datetime | None = None) -> UserOut:
    """Set the invited account's password (the link then stops working) and return the account, to sign it in.

    Single use: the invite is claimed by one conditional update, so of two accepts racing only one sets a password.
    The account's sessions issued before (if any) end, as after any password change.
    """
    check_password(password)
    t = now_utc(now)
    invite_id = _verify(invite_key(sf), token, t)
    pw_hash = hasher.hash(password)

    def tx() -> UserOut:
        with write_session(sf) as s:
            inv, u = _open_invite(s, invite_id)
            claimed = s.execute(
                update(D.Invite)
                .where(D.Invite.id == inv.id, D.Invite.used_at.is_(None), D.Invite.revoked_at.is_(None))
                .values(used_at=t)
            ).rowcount
            if not claimed:  # pragma: no cover - the write lock serialises accepts; kept for other backends
                raise InvalidInvite("used")
            _revoke_open(s, u.id, t)
            u.password_hash = pw_hash
            u.token_version = u.token_version + 1
            s.flush()
            return UserOut.model_validate(u)

    return retrying(tx)


# ------------------------------------------------------------------ the instructor's side


def list_invites(
    sf: SessionFactory, actor_id: int, course_id: int, *, now: dt.datetime | None = None
) -> list[InviteLinkOut]:
    """The open invites (unused, unrevoked, unexpired) of the course's members, by username (its instructors)."""
    t = now_utc(now)
    key = invite_key(sf)
    with read_session(sf) as s:
        if s.get(D.Course, course_id) is None:
            raise NotFound(f"no course {course_id}")
        require_teacher(s, actor_id, course_id)
        rows = s.execute(
            select(D.Invite, D.User)
            .join(D.User, D.User.id == D.Invite.user_id)
            .join(D.Enrolment, (D.Enrolment.user_id == D.User.id) & (D.Enrolment.course_id == course_id))
            .where(D.Invite.used_at.is_(None), D.Invite.revoked_at.is_(None), D.Invite.expires_at > t)
            .order_by(D.User.username)
        ).all()
        return [_link(key, inv, u) for inv, u in rows]


def open_invite(t: dt.datetime) -> Exists:
    """An SQL test, for a query over ``D.User``: that user has an invite still open at ``t`` (not used, not
    revoked, not expired)."""
    return (
        select(D.Invite.id)
        .where(
            D.Invite.user_id == D.User.id,
            D.Invite.used_at.is_(None),
            D.Invite.revoked_at.is_(None),
            D.Invite.expires_at > t,
        )
        .exists()
    )


def renew_invites(
    sf: SessionFactory,
    actor_id: int,
    course_id: int,
    *,
    ttl: dt.timedelta = INVITE_TTL,
    now: dt.datetime | None = None,
) -> list[InviteLinkOut]:
    """New invites for every member of the course whose account has no password and no open invite (e.g. theirs
    expired); returns the new ones (its instructors)."""
    t = now_utc(now)
    key = invite_key(sf)

    def tx() -> list[InviteLinkOut]:
        with write_session(sf) as s:
            if s.get(D.Course, course_id) is None:
                raise NotFound(f"no course {course_id}")
            require_teacher(s, actor_id, course_id)
            open_ = open_invite(t)
            users = s.execute(
                select(D.User)
                .join(D.Enrolment, D.Enrolment.user_id == D.User.id)
                .where(D.Enrolment.course_id == course_id, D.User.password_hash.is_(None), ~open_)
                .order_by(D.User.username)
            ).scalars()
            return [_link(key, new_invite(s, u.id, course_id, actor_id, t, ttl), u) for u in list(users)]

    return retrying(tx)
