"""Applying online: rounds, eligibility, starting, the task list, submitting, answering, withdrawing."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from flask import current_app, g, has_app_context
from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import aliased, contains_eager, joinedload

from grants import access, layout
from grants.agreement_terms import terms_for_new_award
from grants.apply import rendering, summary
from grants.apply.questions import QuestionSetDefinition, parse
from grants.errors import NotFound
from grants.extensions import db
from grants.formatting import london_date, money
from grants.models import (
    Application,
    ApplicationSection,
    AuditEvent,
    Document,
    Membership,
    Organisation,
    QuestionSet,
    Round,
    Term,
)
from grants.models.applications import COMPLETED, NOT_STARTED
from grants.models.people import ORGANISATION_TYPES
from grants.transactions import lock_row, lost_race
from grants.workflow import apply_transition, engine, start_case
from grants.workflow_states import states
from workflows import Conflict, TransitionRefused

PLAIN_STATES = {
    "draft": "Draft",
    "submitted": "Submitted",
    "information_requested": "More information needed",
    "eligible": "Being assessed",
    "in_assessment": "Being assessed",
    "recommended": "Being assessed",
    "reserve": "Being assessed",
    "not_recommended": "Being assessed",
    "approved": "Successful",
    "unsuccessful": "Unsuccessful",
    "ineligible": "Not eligible",
    "withdrawn": "Withdrawn",
}


class NotAllowed(Exception):
    """The step cannot be taken; the message says why, in words for the applicant."""


def now() -> datetime:
    return datetime.now(UTC)


# -- rounds ----------------------------------------------------------------------------------
def visible_rounds() -> list[Round]:
    return list(
        db.session.scalars(
            select(Round)
            .options(joinedload(Round.programme))
            .where(Round.state.in_(("scheduled", "open")))
            .order_by(Round.closes_at)
        )
    )


def round_by_code(code: str) -> Round:
    round_ = db.session.scalar(select(Round).where(Round.code == code))
    if round_ is None or round_.state == "draft":
        raise NotFound(code)
    return round_


def profile_gaps(application: Application) -> list[str]:
    """What the applying organisation's profile does not yet give that a grant will need
    (assessors screen the income and safeguarding lead; a grant is paid into the bank account)."""
    organisation = application.organisation
    gaps = []
    if organisation.annual_income_pence is None:
        gaps.append("annual income")
    if not organisation.safeguarding_lead_name:
        gaps.append("safeguarding lead")
    if not organisation.bank_account_number:
        gaps.append("bank details")
    return gaps


def grant_terms(round_: Round) -> str:
    """The standard grant agreement terms a grant from this round would be offered on now:
    the programme's newest version (an admin can change them), else the standard text."""
    return terms_for_new_award(round_.programme_id)


def accepts_submissions(round_: Round, at: datetime | None = None) -> bool:
    return round_.state == "open" and (round_.closes_at is None or (at or now()) < round_.closes_at)


_DEFINITIONS: dict[tuple[str, int], QuestionSetDefinition] = {}


def form_caches_on() -> bool:
    """Whether forms come from this process's caches (FORM_CACHES, on but for the tests that compare)."""
    return not has_app_context() or bool(current_app.config.get("FORM_CACHES", True))


def clear_form_caches() -> None:
    """Forget every cached form: the next page reads and renders everything afresh."""
    _DEFINITIONS.clear()
    _VOCABULARIES.clear()
    rendering.clear()
    layout.clear()


def definition_of(question_set: QuestionSet) -> QuestionSetDefinition:
    """The parsed form; a name and version never change their questions, so they key the cache."""
    key = (question_set.name, question_set.version)
    if not form_caches_on():
        return parse(question_set.definition, f"{question_set.name} v{question_set.version}")
    if key not in _DEFINITIONS:
        _DEFINITIONS[key] = parse(question_set.definition, f"{question_set.name} v{question_set.version}")
    return _DEFINITIONS[key]


# The vocabularies as last read by this process, with their stamp: (how many terms, the sum of their
# version_id). A term is never deleted, and adding one or relabelling one (its version_id goes up) makes
# the stamp bigger, so a stamp read now names exactly one state of the vocabularies.
_VOCABULARIES: list[tuple[tuple[int, int], dict[str, list[tuple[str, str]]]]] = []


def vocabulary_stamp() -> tuple[Any, Any]:
    """Columns giving the vocabularies' stamp, to read beside something else in one statement."""
    return (
        select(func.count(Term.id)).scalar_subquery(),
        select(func.coalesce(func.sum(Term.version_id), 0)).scalar_subquery(),
    )


def vocabularies() -> dict[str, list[tuple[str, str]]]:
    """Choices for districts, areas of focus, priorities and themes (code, label), in order; read once
    per request, or not at all where the stamp read with the application (application_for) is the one
    of the vocabularies this process last read. The lists are shared: never change them."""
    if has_app_context() and "_vocabularies" in g:
        return g._vocabularies
    found: dict[str, list[tuple[str, str]]] = {}
    count = total = 0
    rows = db.session.execute(
        select(Term.vocabulary, Term.code, Term.label, Term.version_id).order_by(Term.vocabulary, Term.position)
    )
    for vocabulary, code, label, version_id in rows:
        found.setdefault(vocabulary, []).append((code, label))
        count, total = count + 1, total + version_id
    if form_caches_on():
        _VOCABULARIES[:] = [((count, total), found)]
    if has_app_context():
        g._vocabularies = found
    return found


def choice_labels(definition: QuestionSetDefinition) -> dict[str, str]:
    labels = {code: label for items in vocabularies().values() for code, label in items}
    for section in definition.sections:
        for question in section.questions:
            labels.update(dict(question.options))
            for sub in question.fields:
                labels.update(dict(sub.options))
    return labels


# -- eligibility -----------------------------------------------------------------------------
@dataclass(frozen=True)
class EligibilityAnswers:
    organisation: Organisation
    in_west_yorkshire: bool
    amount_pence: int
    ends_on: date


def eligibility_problems(round_: Round, answers: EligibilityAnswers) -> list[str]:
    """Each rule the answers fail, in words; empty when eligible."""

    problems = []
    allowed = round_.allowed_org_types
    if allowed and answers.organisation.org_type not in allowed:
        kinds = ", ".join(ORGANISATION_TYPES[k].lower() for k in allowed)
        problems.append(
            f"This round is open to {kinds}. {answers.organisation.name} is registered as "
            f"a {answers.organisation.type_label.lower()}."
        )
    if not answers.in_west_yorkshire:
        problems.append(
            "Projects must take place in West Yorkshire (Bradford, Calderdale, Kirklees, Leeds or Wakefield)."
        )
    if round_.max_grant_pence is not None and answers.amount_pence > round_.max_grant_pence:
        problems.append(f"You can ask for up to {money(round_.max_grant_pence)} in this round.")
    if round_.min_grant_pence is not None and answers.amount_pence < round_.min_grant_pence:
        problems.append(f"You must ask for at least {money(round_.min_grant_pence)} in this round.")
    if round_.delivery_ends_on is not None and answers.ends_on > round_.delivery_ends_on:
        problems.append(f"Projects must end by {london_date(round_.delivery_ends_on)}.")
    return problems


# -- the applicant's applications ------------------------------------------------------------
def member_organisations(user: Any) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id)
            .order_by(Organisation.name)
        )
    )


def member_organisation(user: Any, organisation_id: int) -> Organisation:
    for organisation in member_organisations(user):
        if organisation.id == organisation_id:
            return organisation
    raise NotFound(organisation_id)


def dashboard(user: Any) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .join(Membership, Membership.organisation_id == Application.organisation_id)
            .where(Membership.user_id == user.id)
            .options(joinedload(Application.organisation))
            .order_by(Application.created_at.desc())
        )
    )


def application_for(user: Any, application_id: int) -> Application:
    """The application if the user is a member of its organisation; NotFound otherwise (never a hint).

    One statement: the application and its round, whether the user is a member, and what the form
    caches need to answer without asking again: its question set's name and version (definition_for)
    and the vocabularies' stamp (vocabularies)."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound(application_id)
    found = db.session.execute(_member_application(), {"user_id": user.id, "application_id": application_id}).first()
    if found is None:
        raise NotFound(application_id)
    application, question_set_id, name, version, terms, term_versions = found
    if question_set_id is not None:
        _QUESTION_SETS_READ[application] = (question_set_id, name, version)
    _vocabularies_if_current((terms, term_versions))
    return application


@cache
def _member_application() -> Select[Any]:
    """application_for's statement, built once (building it is most of its cost)."""
    member = exists().where(
        Membership.user_id == bindparam("user_id"), Membership.organisation_id == Application.organisation_id
    )
    question_set = aliased(QuestionSet)
    return (
        select(Application, question_set.id, question_set.name, question_set.version, *vocabulary_stamp())
        .join(Application.round)
        .options(contains_eager(Application.round))
        .outerjoin(question_set, question_set.id == func.coalesce(Application.question_set_id, Round.question_set_id))
        .where(Application.id == bindparam("application_id"), member)
    )


# The question set (id, name, version) each application loaded by application_for was read with: its
# definition then comes from _DEFINITIONS without asking for the question set's row.
_QUESTION_SETS_READ: weakref.WeakKeyDictionary[Application, tuple[int, str, int]] = weakref.WeakKeyDictionary()


def _vocabularies_if_current(stamp: tuple[int, int]) -> None:
    """This request's vocabularies from the process's cache, when the stamp just read is the cache's."""
    cached = next(iter(_VOCABULARIES), None)
    if has_app_context() and cached is not None and cached[0] == stamp and form_caches_on():
        g._vocabularies = cached[1]


def application_for_staff_or_member(user: Any, application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound(application_id)
    if access.is_member(user, application.organisation_id) or access.can_see_case(user, application):
        return application
    raise NotFound(application_id)


def start_application(user: Any, round_: Round, organisation_id: int) -> Application:
    """A new draft for the organisation, or its application already under way in this round."""
    organisation = member_organisation(user, organisation_id)
    if not accepts_submissions(round_):
        raise NotAllowed("This round is not open for applications.")
    if round_.question_set_id is None:
        raise NotAllowed("This round's application form is not ready yet.")
    try:
        # Two members starting at once (or one double click): one draft, the other is given it.
        lock_row(Organisation, organisation.id)
        existing = under_way(round_.id, organisation.id)
        if existing is not None:
            return existing
        application = Application(
            round_id=round_.id,
            organisation_id=organisation.id,
            created_by_id=user.id,
            question_set_id=round_.question_set_id,
        )
        start_case(application, round_.application_workflow, user)
        db.session.commit()
    except (IntegrityError, OperationalError) as exc:
        db.session.rollback()
        found = under_way(round_.id, organisation.id) if lost_race(exc) else None
        if found is None:
            raise
        return found
    return application


def under_way(round_id: int, organisation_id: int) -> Application | None:
    """The organisation's application under way in the round, if it has one."""
    return db.session.scalar(
        select(Application).where(
            Application.round_id == round_id,
            Application.organisation_id == organisation_id,
            Application.state.in_(states("application", "under_way")),
        )
    )


class NoQuestionSet(NotFound):
    """The application (or its round) has no online form: a 404 unless the caller expects it."""


def definition_for(application: Application) -> QuestionSetDefinition:
    read = _QUESTION_SETS_READ.get(application)
    if read is not None and read[0] == (application.question_set_id or application.round.question_set_id):
        cached = _DEFINITIONS.get(read[1:]) if form_caches_on() else None
        if cached is not None:
            return cached
    question_set = application.question_set or application.round.question_set
    if question_set is None:
        raise NoQuestionSet(application.id)
    return definition_of(question_set)


def section_rows(application: Application) -> dict[str, ApplicationSection]:
    return {s.section_key: s for s in application.sections}


def task_list(application: Application) -> list[tuple[Any, str]]:
    saved = section_rows(application)
    return [
        (section, saved[section.key].status if section.key in saved else NOT_STARTED)
        for section in definition_for(application).sections
    ]


def documents_of(application: Application) -> dict[str, Document]:
    return {
        d.question_key: d
        for d in db.session.scalars(
            select(Document).where(Document.application_id == application.id).order_by(Document.id)
        )
    }


def answers_summary(application: Application) -> list[tuple[Any, list[summary.Row]]]:
    definition = definition_for(application)
    answers = {key: row.answers.get("values", {}) for key, row in section_rows(application).items()}
    return summary.rows(definition, answers, choice_labels(definition), documents_of(application))


def incomplete_sections(application: Application) -> list[Any]:
    return [section for section, status in task_list(application) if status != COMPLETED]


def submit(user: Any, application: Application, expected_version: int | None) -> Application:
    """Submit once: a second click, or a second tab, finds it submitted and is told so, not refused."""
    if application.state != "draft":
        if application.submitted_at is not None:
            return application
        raise NotAllowed("This application cannot be submitted now.")
    missing = incomplete_sections(application)
    if missing:
        raise NotAllowed("Complete every section before you submit: " + ", ".join(s.title for s in missing) + ".")
    try:
        apply_transition(application, "submit", user, expected_version=expected_version)
    except Conflict:
        db.session.expire_all()
        fresh = db.session.get(Application, application.id)
        if fresh is not None and fresh.submitted_at is not None:
            return fresh
        raise NotAllowed(
            "Someone else changed this application while you were looking at it. Check it and try again."
        ) from None
    except TransitionRefused as exc:
        raise NotAllowed(" ".join(exc.reasons)) from None
    return application


def officer_questions(application: Application) -> list[AuditEvent]:
    """The officer's questions and the applicant's answers, oldest first (none to read for a case still
    where it started, in a state nothing comes back to and no question is asked from: a draft)."""
    if _never_asked(application):
        return []
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_type == "application",
                AuditEvent.subject_id == application.id,
                AuditEvent.action.in_(("request_information", "provide_information")),
            )
            .order_by(AuditEvent.id)
        )
    )


def provide_information(user: Any, application: Application, answer: str, expected_version: int | None) -> None:
    _act(user, application, "provide_information", answer, expected_version)


def withdraw(user: Any, application: Application, reason: str, expected_version: int | None) -> None:
    _act(user, application, "withdraw", reason, expected_version)


def _act(user: Any, application: Application, name: str, reason: str, expected_version: int | None) -> None:
    try:
        apply_transition(application, name, user, reason, expected_version=expected_version)
    except Conflict:
        raise NotAllowed(
            "Someone else changed this application while you were looking at it. Check its current state and try again."
        ) from None
    except TransitionRefused as exc:
        raise NotAllowed(" ".join(exc.reasons)) from None


def can(user: Any, application: Application, transition: str) -> bool:
    return transition in allowed(user, application)


def allowed(user: Any, application: Application) -> frozenset[str]:
    """The transitions the user may apply to the application now (the workflow asked once)."""
    return frozenset(o.name for o in engine().available(application, user) if o.allowed)


def _never_asked(application: Application) -> bool:
    """Whether the application has never left the state it started in, and no question is asked from it."""
    definition = engine().definition_for(application)
    state = application.state
    return (
        state in definition.starts
        and not any(t.target == state for t in definition.transitions.values())
        and not any(state in t.sources for t in definition.transitions.values() if t.name == "request_information")
    )
