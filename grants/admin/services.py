"""Administration: staff role grants, workflow definitions, the outbox."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import joinedload

from grants import access, audit
from grants.api import tokens as api_tokens
from grants.apply.question_set_admin import load_question_set as load
from grants.apply.question_set_admin import use_for_round
from grants.apply.questions import QuestionSetError
from grants.auth import two_factor
from grants.auth.services import find_user
from grants.extensions import db
from grants.formatting import whole_number
from grants.listing import Column, Sort, SortSpec
from grants.models import Membership, OutboxMessage, Programme, QuestionSet, RoleGrant, Round, User
from grants.models.outbox import FAILED
from grants.models.people import STAFF_ROLES
from grants.pagination import Page, paginate
from grants.work_queues import Queue
from grants.workflow import engine
from workflows import Definition
from workflows.diagram import diagram

EVERY_PROGRAMME = "all"


class GrantError(Exception):
    """A role grant that cannot be made; the message says which field and why."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def administered_programmes(admin: Any) -> list[Programme]:
    """The programmes this admin administers, by code."""
    query = select(Programme).order_by(Programme.code)
    mine = access.administered(admin)
    if mine is not None:
        query = query.where(Programme.id.in_(mine))
    return list(db.session.scalars(query))


def programme_choices(admin: Any) -> list[tuple[str, str]]:
    """Every programme for an admin of every programme; an admin of some, only theirs."""
    every = [(EVERY_PROGRAMME, "Every programme")] if access.administers(admin, None) else []
    return [("", "Choose a programme"), *every] + [
        (str(p.id), f"{p.name} ({p.code})") for p in administered_programmes(admin)
    ]


def _grants_in_scope(admin: Any) -> Any:
    """The role grants this admin may see and remove: those on the programmes they administer."""
    mine = access.administered(admin)
    return None if mine is None else RoleGrant.programme_id.in_(mine)


# The role list's sortable columns (?sort=<key>&dir=asc|desc); it opens in the order roles were given.
ROLE_SORTS = SortSpec(
    columns={
        "granted": Column("Given", (RoleGrant.id,)),
        "person": Column("Person", (select(User.name).where(User.id == RoleGrant.user_id).scalar_subquery(),)),
        "role": Column("Role", (RoleGrant.role,)),
        "programme": Column(
            "Programme", (select(Programme.name).where(Programme.id == RoleGrant.programme_id).scalar_subquery(),)
        ),
    },
    default=Sort("granted", "asc"),
    tie_breaker=RoleGrant.id,
)


def list_grants(admin: Any, page: int, per_page: int, sort: Sort | None = None) -> Page[Any]:
    query = (
        select(RoleGrant)
        .options(joinedload(RoleGrant.user), joinedload(RoleGrant.programme))
        .order_by(*ROLE_SORTS.order_by(sort or ROLE_SORTS.default))
    )
    scope = _grants_in_scope(admin)
    if scope is not None:
        query = query.where(scope)
    return paginate(query, page, per_page)


def grant_role(admin: Any, email: str, role: str, programme: str) -> RoleGrant:
    """Grant a staff role on a programme this admin administers (every programme: an admin of every
    programme only). Nobody grants themselves a role: another admin does, so it is seen."""
    user = find_user(email)
    if user is None:
        raise GrantError("email", "There is no account with this email address. Ask them to register first.")
    if user.id == admin.id:
        raise GrantError("email", "You cannot give yourself a role. Ask another admin to grant it.")
    if role not in STAFF_ROLES:
        raise GrantError("role", "Choose a role from the list")
    programme_id: int | None = None
    if programme != EVERY_PROGRAMME:
        number = whole_number(programme)
        found = db.session.get(Programme, number) if number is not None else None
        if found is None or not access.administers(admin, found.id):
            raise GrantError("programme", "Choose a programme from the list")
        programme_id = found.id
    elif not access.administers(admin, None):
        raise GrantError(
            "programme",
            "Choose one of your programmes: only an admin of every programme grants a role on all of them",
        )
    existing = db.session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == user.id,
            RoleGrant.role == role,
            RoleGrant.programme_id.is_(None) if programme_id is None else RoleGrant.programme_id == programme_id,
        )
    )
    if existing is not None:
        raise GrantError("role", f"{user.name} already has this role on this programme")
    grant = RoleGrant(user_id=user.id, role=role, programme_id=programme_id, granted_by_id=admin.id)
    db.session.add(grant)
    db.session.flush()
    audit.record_on_user(
        user,
        actor=admin,
        action="grant_role",
        data={"role": role, "programme_id": programme_id},
    )
    db.session.commit()
    return grant


def revoke_role(admin: Any, grant_id: int) -> RoleGrant | None:
    """None when there is no such grant, or it is on a programme this admin does not administer."""
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or not access.administers(admin, grant.programme_id):
        return None
    audit.record_on_user(
        grant.user,
        actor=admin,
        action="revoke_role",
        data={"role": grant.role, "programme_id": grant.programme_id},
    )
    db.session.delete(grant)
    db.session.commit()
    return grant


def workflow_definitions() -> list[Definition]:
    return engine().registry.all()


def workflow_definition(name: str, version: int) -> tuple[Definition, str] | None:
    try:
        definition = engine().registry.get(name, version)
    except ValueError:
        return None
    return definition, diagram(definition)


def may_read_outbox(admin: Any) -> bool:
    """Emails are about every programme's cases, so only an admin of every programme reads them."""
    return access.administers(admin, None)


def get_email(message_id: int) -> OutboxMessage | None:
    return db.session.get(OutboxMessage, message_id)


SECRET_LINK_SHOWN = "[link withheld: it signs its recipient in or resets their password, so only they see it]"  # noqa: S105 - words, not a secret


def _secret_link_pattern() -> re.Pattern[str]:
    """Links to any route that takes a token (password reset, invitation): found from the URL map."""
    paths = []
    for rule in current_app.url_map.iter_rules():
        if "token" in rule.arguments:
            parts = re.split(r"<[^>]+>", rule.rule)
            paths.append(r"[^\s/?#]+".join(re.escape(part) for part in parts))
    return re.compile(r"\S*(?:" + "|".join(paths) + r")\S*") if paths else re.compile(r"(?!x)x")


def shown_body(message: OutboxMessage) -> str:
    """The email's text as an admin sees it: a link that lets its holder into someone's account is
    withheld, so reading the outbox never lets an admin act as another person."""
    return _secret_link_pattern().sub(SECRET_LINK_SHOWN, message.body)


def question_sets() -> list[dict[str, Any]]:
    """Every form version, with the rounds that use it."""

    rounds = db.session.scalars(select(Round).where(Round.question_set_id.is_not(None))).all()
    using: dict[int, list[str]] = {}
    for round_ in rounds:
        using.setdefault(round_.question_set_id or 0, []).append(round_.code)
    sets = db.session.scalars(select(QuestionSet).order_by(QuestionSet.name, QuestionSet.version)).all()
    return [
        {"set": qs, "sections": len(qs.definition.get("sections", [])), "rounds": sorted(using.get(qs.id, []))}
        for qs in sets
    ]


def round_choices(admin: Any) -> list[tuple[str, str]]:
    """The rounds of the programmes this admin administers."""
    query = select(Round).order_by(Round.code)
    mine = access.administered(admin)
    if mine is not None:
        query = query.where(Round.programme_id.in_(mine))
    rounds = db.session.scalars(query).all()
    return [("", "Do not use it for a round yet")] + [(r.code, f"{r.title} ({r.code})") for r in rounds]


class QuestionSetProblem(Exception):
    pass


def load_question_set(admin: Any, text: bytes, filename: str, round_code: str) -> str:
    """Load an uploaded form; returns what was done, in words. QuestionSetProblem says what is wrong."""

    if round_code:
        round_ = db.session.scalar(select(Round).where(Round.code == round_code))
        if round_ is None or not access.administers(admin, round_.programme_id):
            raise QuestionSetProblem("Choose one of your programmes' rounds from the list")
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        raise QuestionSetProblem("The file must be a TOML text file (UTF-8)") from None
    try:
        question_set = load(decoded, filename, admin)
        done = f"Loaded {question_set.title} (version {question_set.version})."
        if round_code:
            use_for_round(round_code, question_set, admin)
            done += f" {round_code} now uses it for new applications."
    except QuestionSetError as exc:
        db.session.rollback()
        raise QuestionSetProblem(str(exc)) from None
    return done


# -- API tokens: the work is done in grants/api/tokens.py ------------------------------------------

TokenProblem = api_tokens.TokenProblem
api_token_status = api_tokens.token_status
api_token_role_label = api_tokens.role_label


def api_token_page(admin: Any, page: int, per_page: int) -> Page[Any]:
    return api_tokens.list_tokens(admin, page, per_page)


def api_token_choices(admin: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The people a token can be issued to, and the programmes it can be narrowed to, in this admin's scope."""
    return api_tokens.user_choices(admin), api_tokens.programme_choices(admin)


def issue_api_token(admin: Any, user_id: str, role: str, programme: str, name: str, days: str) -> api_tokens.Issued:
    return api_tokens.issue_from_form(admin, user_id, role, programme, name, days)


def revoke_api_token(admin: Any, token_id: int) -> tuple[Any, bool]:
    return api_tokens.revoke_token(admin, token_id)


# -- resetting someone's two-factor sign-in (grants/auth/two_factor.py) --------------------------------
class ResetProblem(Exception):
    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def reset_two_factor(admin: Any, email: str, reason: str) -> Any:
    """Reset the second factor of someone this admin administers; ResetProblem names the field at fault."""
    user = find_user(email)
    if user is None or not two_factor.may_reset(admin, user):
        raise ResetProblem("email", "There is no account with this email address on your programmes")
    if user.id == admin.id:
        raise ResetProblem("email", "You cannot reset your own two-factor sign-in. Ask another admin.")
    if not two_factor.enrolled(user):
        raise ResetProblem("email", f"{user.name} has not set up two-factor sign-in: there is nothing to reset")
    two_factor.reset(admin, user, reason.strip()[:500])
    return user


def _failed_emails(admin: Any) -> Select[Any] | None:
    if not may_read_outbox(admin):
        return None
    return select(func.count(OutboxMessage.id)).where(OutboxMessage.status == FAILED)


def _awaiting_a_role() -> ColumnElement[bool]:
    """People with an active account who belong to no organisation and hold no role: they can do
    nothing yet, and are most often staff who registered and wait for an admin to give them a role."""
    return (
        User.active.is_(True)
        & ~exists(select(Membership.id).where(Membership.user_id == User.id))
        & ~exists(select(RoleGrant.id).where(RoleGrant.user_id == User.id))
    )


def _people_awaiting_roles(admin: Any) -> Select[Any] | None:
    return select(func.count(User.id)).where(_awaiting_a_role())


def people_awaiting_roles(page: int, per_page: int) -> Page[Any]:
    """Every admin grants roles, so every admin sees who waits for one, newest account first."""
    return paginate(select(User).where(_awaiting_a_role()).order_by(User.created_at.desc(), User.id.desc()),
                    page, per_page)  # fmt: skip


WORK_QUEUES = [
    Queue(
        "failed_emails",
        "Emails that could not be sent",
        frozenset({"admin"}),
        "Check the address, then send again from the email's page",
        count=_failed_emails,
        endpoint="admin.emails",
        endpoint_args=lambda: {"status": FAILED},
    ),
    Queue(
        "people_awaiting_roles",
        "People with no role or organisation",
        frozenset({"admin"}),
        "Give a role to those who are staff; applicants set up their organisation themselves",
        count=_people_awaiting_roles,
        endpoint="admin.awaiting_roles",
    ),
]
