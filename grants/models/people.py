"""People, organisations, memberships and per-programme staff role grants."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, utcnow
from grants.models.sealed import SealedString

if TYPE_CHECKING:
    from grants.models.programmes import Programme

STAFF_ROLES = ("assessor", "officer", "finance", "decision_maker", "admin")
ROLE_LABELS = {
    "applicant": "Applicant",
    "assessor": "Assessor",
    "officer": "Grants officer",
    "finance": "Finance",
    "decision_maker": "Decision maker",
    "admin": "Administrator",
}
# How a refusal names who may act: "Only an officer can do this."
ROLE_WHO = {
    "applicant": "the applicant",
    "assessor": "an assessor",
    "officer": "an officer",
    "finance": "finance staff",
    "decision_maker": "the decision maker",
    "admin": "an administrator",
}
ORGANISATION_TYPES = {
    "registered_charity": "Registered charity",
    "cio": "Charitable incorporated organisation (CIO)",
    "cic": "Community interest company (CIC)",
    "company_limited_by_guarantee": "Company limited by guarantee",
    "community_group": "Constituted community group",
    "school": "School",
    "public_body": "Public body",
}


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (grants.auth.two_factor): the authenticator app's shared secret (base32, kept
    # sealed: grants.models.sealed), when it was confirmed, and the last 30-second step a code was
    # accepted for (a code works once).
    totp_secret: Mapped[str | None] = mapped_column(SealedString)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")
    role_grants: Mapped[list[RoleGrant]] = relationship(back_populates="user", foreign_keys="RoleGrant.user_id")

    @property
    def session_key(self) -> str | None:
        """The signed-in session this object was loaded for ("<user id>:<session token>"): set on sign-in
        and by the user loader, never stored; flask-login keeps it in the cookie (grants.auth.sessions)."""
        return self.__dict__.get("_session_key")

    @session_key.setter
    def session_key(self, value: str) -> None:
        self.__dict__["_session_key"] = value

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        if not self.session_key:
            raise RuntimeError("a user is signed in only through grants.auth.sessions.start")
        return self.session_key

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserSession(Base):
    """One sign-in: the cookie holds its token, the table its hash. Ending it (sign-out, sign out
    everywhere, a password reset) ends it wherever the cookie has been copied to."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_device", "user_id", "device_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_why: Mapped[str | None] = mapped_column(String(32))  # signed_out, signed_out_everywhere, password_reset
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    # When the second factor was given on this session (None: only the password so far).
    second_factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The hash of the browser's long-lived device cookie: a sign-in from a browser none of the
    # person's sessions has used is emailed to them (grants.auth.sessions).
    device_hash: Mapped[str | None] = mapped_column(String(64))
    # A passkey ceremony's challenge ("add:" or "sign_in:" and base64url), until its answer takes it:
    # held here, not in the cookie, so an answer works once (grants.auth.passkeys).
    passkey_challenge: Mapped[str | None] = mapped_column(String(120))


class RecoveryCode(Base):
    """A one-time code that stands in for the authenticator app once (its hash only)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Passkey(Base):
    """A passkey (WebAuthn credential) that stands in for the authenticator app's code at sign-in: the
    credential's id, its public key (nothing secret is held), and the signature counter last seen."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url; up to 1023 bytes
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    org_type: Mapped[str] = mapped_column(String(40))
    charity_number: Mapped[str | None] = mapped_column(String(10))
    company_number: Mapped[str | None] = mapped_column(String(8))
    # An org-id.guide identifier for bodies with neither number, e.g. GB-LAE-BRD for a council.
    other_identifier: Mapped[str | None] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(40))
    address_line_1: Mapped[str | None] = mapped_column(String(200))
    address_line_2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(10))
    annual_income_pence: Mapped[int | None] = mapped_column(BigInteger)
    safeguarding_lead_name: Mapped[str | None] = mapped_column(String(200))
    safeguarding_lead_email: Mapped[str | None] = mapped_column(String(320))
    # Held for finance; shown masked to everyone else.
    bank_account_name: Mapped[str | None] = mapped_column(String(200))
    bank_sort_code: Mapped[str | None] = mapped_column(String(6))
    bank_account_number: Mapped[str | None] = mapped_column(String(8))
    # When they last changed, and finance's check of them since (who, when, how): none yet means unchecked.
    bank_details_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bank_details_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bank_details_verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    bank_details_verified_how: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")

    __mapper_args__ = {"version_id_col": version_id}

    def bank_details_problem(self) -> str | None:
        """Why no instalment may be approved or paid to this organisation now, or None."""
        if not (self.bank_account_name and self.bank_sort_code and self.bank_account_number):
            return f"{self.name} has not given its bank details: no instalment can be approved or paid until it does."
        changed, verified = self.bank_details_changed_at, self.bank_details_verified_at
        if changed is not None and (verified is None or verified < changed):
            return (
                f"{self.name}'s bank details changed on {changed:%-d %B %Y} and finance has not verified them yet: "
                "check them with the organisation first."
            )
        return None

    @property
    def masked_sort_code(self) -> str:
        return f"**-**-{self.bank_sort_code[-2:]}" if self.bank_sort_code else ""

    @property
    def masked_account_number(self) -> str:
        return f"****{self.bank_account_number[-4:]}" if self.bank_account_number else ""

    @property
    def type_label(self) -> str:
        return ORGANISATION_TYPES.get(self.org_type, self.org_type)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class Invitation(Base):
    """An invitation, by email, to join an organisation; the link carries a token we keep only hashed."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])


class RoleGrant(Base):
    """A staff role on one programme, or on every programme when programme_id is null."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "programme_id", name="uq_role_grants_user_role_programme"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_grants", foreign_keys=[user_id])
    programme: Mapped[Programme | None] = relationship()

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)
