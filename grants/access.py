"""Who holds which role where: applicants through membership, staff through role grants."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context
from sqlalchemy import ColumnElement, Select, and_, or_, select

from grants.extensions import db
from grants.models import Application, Assessment, Membership, RoleGrant, Round, User, Workflowed
from grants.workflow_states import states

ALL_PROGRAMMES = None


def staff_grants(user: User) -> dict[int | None, frozenset[str]]:
    """The user's staff roles by programme id (None: every programme); cached per request."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cache: dict[int, dict[int | None, frozenset[str]]] | None = None
    if has_request_context():
        cache = g.setdefault("_staff_grants", {})
        if user.id in cache:
            return cache[user.id]
    rows = db.session.execute(select(RoleGrant.programme_id, RoleGrant.role).where(RoleGrant.user_id == user.id)).all()
    grants: dict[int | None, set[str]] = {}
    for programme_id, role in rows:
        grants.setdefault(programme_id, set()).add(role)
    result = {k: frozenset(v) for k, v in grants.items()}
    if cache is not None:
        cache[user.id] = result
    return result


def no_staff_grants(user: User) -> None:
    """Record, for this request, that the user holds no staff role (the sign-in's own statement found
    none), so staff_grants answers without asking the database."""
    if has_request_context():
        g.setdefault("_staff_grants", {})[user.id] = {}


def staff_roles(user: User, programme_id: int | None = None) -> frozenset[str]:
    """Roles the user holds on this programme (grants for every programme included).

    With programme_id None: every role the user holds on any programme.
    """
    grants = staff_grants(user)
    if programme_id is None:
        return frozenset().union(*grants.values()) if grants else frozenset()
    return grants.get(ALL_PROGRAMMES, frozenset()) | grants.get(programme_id, frozenset())


def programmes_with(user: User, roles: frozenset[str]) -> list[int] | None:
    """The programmes the user holds one of `roles` on; None when they hold one on every programme."""
    grants = staff_grants(user)
    if roles & grants.get(ALL_PROGRAMMES, frozenset()):
        return None
    return [programme for programme, held in grants.items() if programme is not None and roles & held]


def is_member(user: User, organisation_id: int | None) -> bool:
    if organisation_id is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.execute(
            select(Membership.id).where(Membership.user_id == user.id, Membership.organisation_id == organisation_id)
        ).first()
        is not None
    )


def roles_for(user: Any, subject: Workflowed, wanted: frozenset[str] | None = None) -> frozenset[str]:
    """The roles this user acts in on this case.

    Staff roles count only where the user has no conflict of interest on the case (see
    `has_conflict`): a member of staff who belongs to the organisation acts on its case as
    an applicant, or not at all. With `wanted` (the roles a transition allows), membership
    of the applicant organisation is only looked up when it could make the difference.
    """
    roles = set(staff_roles(user, subject.owning_programme_id()))
    acting_user_id = getattr(subject, "acting_user_id", None)
    if acting_user_id is not None and acting_user_id() != user.id:
        roles.discard("assessor")  # only the assigned assessor acts as assessor on an assessment
    if roles and has_conflict(user, subject):
        roles = set()
    if wanted is not None and ("applicant" not in wanted or roles & wanted):
        return frozenset(roles)
    if is_member(user, subject.owning_organisation_id()):
        roles.add("applicant")
    return frozenset(roles)


CASE_PAGE_ROLES = frozenset({"officer", "finance", "decision_maker", "admin"})


def can_see_case(user: Any, subject: Workflowed) -> bool:
    """Officers, finance, decision makers and admins on the case's programme see case pages,
    unless they have a conflict of interest on the case.

    Assessors do not: they see only the bids assigned to them, on their own pages, so a
    declared conflict can hide a bid from them everywhere.
    """
    return bool(staff_roles(user, subject.owning_programme_id()) & CASE_PAGE_ROLES) and not has_conflict(user, subject)


# -- conflicts of interest --------------------------------------------------------------------------
# A member of staff has a conflict of interest on every case of an organisation they belong to
# (its bids, awards, payments, returns, contracts), and on a bid they declared a conflict on as an
# assessor (the bid and its assessments). With a conflict they do not act on the case in any staff
# role, and it is hidden from them as staff: its own page and every list. A member of the
# organisation still sees it as the organisation's own, on the applicants' pages.


def _conflict_states() -> frozenset[str]:
    """The assessment states that record a declared conflict (outcome "conflict"), in every version."""
    registry = current_app.extensions["workflow_engine"].registry
    workflow = current_app.extensions["case_types"].get("assessment").workflow
    return frozenset(
        name
        for definition in registry.versions(workflow)
        for name, state in definition.states.items()
        if state.outcome == "conflict"
    )


def member_organisations(user_id: int) -> Select[int]:
    """The organisations the user belongs to, as a subquery."""
    return select(Membership.organisation_id).where(Membership.user_id == user_id)


def declared_conflicts(user_id: int) -> Select[int]:
    """The bids the user declared a conflict of interest on, as a subquery."""
    return select(Assessment.application_id).where(
        Assessment.assessor_id == user_id, Assessment.state.in_(_conflict_states())
    )


def has_conflict(user: Any, subject: Workflowed) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if is_member(user, subject.conflict_organisation_id()):
        return True
    bid = subject.bid_id()
    return (
        bid is not None
        and db.session.scalar(declared_conflicts(user.id).where(Assessment.application_id == bid).limit(1)) is not None
    )


def free_of_conflict(user_id: int, organisation: Any, bid: Any = None) -> ColumnElement[bool]:
    """A WHERE clause keeping the rows the user has no conflict on: `organisation` is the rows'
    organisation id column (it may be NULL: no organisation, no conflict), `bid` their application
    id column where they belong to a bid."""
    clause = or_(organisation.is_(None), organisation.not_in(member_organisations(user_id)))
    if bid is not None:
        clause = and_(clause, bid.not_in(declared_conflicts(user_id)))
    return clause


# -- the conflict rule ------------------------------------------------------------------------------
# An assessor never sees a bid they declared a conflict on, nor one they were removed from: an
# assessment that has ended (the assessment workflow's "ended" tag).


def visible_assessments(user: Any) -> Select[Assessment]:
    """The assessments this user may see as an assessor: theirs, not conflicted, not removed,
    on a programme where they still hold the assessor role.

    The single source of the conflict rule. Anything that shows an assessor their bids
    (pages, exports, the API) must build on this query, never on Assessment directly.
    """
    grants = staff_grants(user)
    query = select(Assessment).where(
        Assessment.assessor_id == user.id,
        Assessment.state.not_in(states("assessment", "ended")),
        Assessment.application_id.not_in(  # nor a bid of an organisation they belong to
            select(Application.id).where(Application.organisation_id.in_(member_organisations(user.id)))
        ),
    )
    if "assessor" in grants.get(ALL_PROGRAMMES, frozenset()):
        return query
    programmes = [programme_id for programme_id, roles in grants.items() if "assessor" in roles]
    return query.where(
        Assessment.application_id.in_(
            select(Application.id)
            .join(Round, Round.id == Application.round_id)
            .where(Round.programme_id.in_(programmes))
        )
    )


def can_see_application(user: Any, application_id: int) -> bool:
    """Whether the user is assigned to this bid as an assessor and has not declared a conflict."""
    found = db.session.scalar(
        visible_assessments(user).where(Assessment.application_id == application_id).with_only_columns(Assessment.id)
    )
    return found is not None


# -- what an admin administers ----------------------------------------------------------------------
# An admin acts on the programmes they hold the admin role on. Anything that spans programmes (a
# role or a token for every programme, the outbox, the shared vocabularies) is for admins of every
# programme only.

ADMIN = frozenset({"admin"})


def administered(user: Any) -> list[int] | None:
    """The programmes this user administers; None when they administer every programme."""
    return programmes_with(user, ADMIN)


def administers(user: Any, programme_id: int | None) -> bool:
    """Whether the user administers this programme (None: every programme, so only a global admin)."""
    mine = administered(user)
    if mine is None:
        return True
    return programme_id is not None and programme_id in mine
