"""Screening: the officer's eligibility and due-diligence checklist, and the decision that follows.

The checklist may be saved part-done and finished later. It is guarded by its own
optimistic lock (`ScreeningCheck.version_id`): a save based on an older version is refused
with the answers saved now, never silently overwritten. The decision (eligible,
ineligible, or a question for the applicant) is a workflow transition: the workflow's
`screening_passed` condition refuses "eligible" until every item has passed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from grants import access, audit
from grants.apply.services import NoQuestionSet as NoForm
from grants.apply.services import answers_summary, definition_for
from grants.errors import FieldErrors
from grants.extensions import db
from grants.formatting import pounds_text
from grants.listing import Column, Sort, SortSpec, csv_lines
from grants.models import Application, Document, Organisation, Round, ScreeningCheck
from grants.models.assessments import FRAUD_RISKS, SCREENING_ITEMS
from grants.models.base import utcnow
from grants.pagination import Page, paginate
from grants.workflow import apply_transition, engine
from grants.workflow_states import states, workflow_labels
from workflows import Option

ANSWERS = {"pass": "Pass", "fail": "Fail", "not_applicable": "Not applicable"}
# The checklist can be changed while the application waits for a decision.
NEXT_STEPS = ("mark_eligible", "mark_ineligible", "request_information")
NOT_STARTED, IN_PROGRESS, PASSED, FAILED = "not_started", "in_progress", "passed", "failed"
STATUS_LABELS = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", PASSED: "Passed", FAILED: "Failed"}

__all__ = ["ANSWERS", "FRAUD_RISKS", "SCREENING_ITEMS"]


class ScreeningClosed(Exception):
    """The application is not waiting for a decision, so its checklist is no longer changed."""


class ScreeningConflict(Exception):
    """Someone else saved the checklist after this user opened it; `current` is what is saved now."""

    def __init__(self, current: ScreeningCheck):
        self.current = current
        super().__init__("Someone else saved this checklist while you were editing it")


class ScreeningInvalid(FieldErrors):
    """The screening answers as typed cannot be saved; `errors` names each field and says why."""


class UnknownStep(Exception):
    """Not one of the screening decisions."""


@dataclass(frozen=True)
class Answers:
    items: dict[str, str | None]  # SCREENING_ITEMS key -> pass | fail | not_applicable | None
    fraud_risk: str | None
    notes: str


def check_for(application: Application) -> ScreeningCheck | None:
    return db.session.scalar(select(ScreeningCheck).where(ScreeningCheck.application_id == application.id))


def status_of(check: ScreeningCheck | None) -> str:
    if check is None:
        return NOT_STARTED
    if check.failed_items:
        return FAILED
    if check.complete:
        return PASSED
    return IN_PROGRESS


def is_open(application: Application) -> bool:
    return application.state in states("application", "screenable")


def form_values(check: ScreeningCheck | None) -> dict[str, Any]:
    if check is None:
        return {"version_id": ""}
    values: dict[str, Any] = {key: check.answers.get(key) for key in SCREENING_ITEMS}
    values.update(fraud_risk=check.fraud_risk, notes=check.notes or "", version_id=str(check.version_id))
    return values


def _check(answers: Answers) -> dict[str, str]:
    errors = {}
    for key, label in SCREENING_ITEMS.items():
        value = answers.items.get(key)
        if value not in (None, "") and value not in ANSWERS:
            errors[key] = f"Choose pass, fail or not applicable for '{label.lower()}'"
    if answers.fraud_risk not in (None, "") and answers.fraud_risk not in FRAUD_RISKS:
        errors["fraud_risk"] = "Choose a fraud risk of low, medium or high"
    if len(answers.notes) > 10_000:
        errors["notes"] = "Notes must be 10,000 characters or fewer"
    return errors


def save_screening(
    user: Any, application: Application, answers: Answers, expected_version: int | None
) -> ScreeningCheck:
    """Save the checklist (part-done is fine) and audit what was answered.

    `expected_version` is the checklist's version when the form was opened (None: there was
    none yet). Raises ScreeningConflict if it has been saved since, ScreeningClosed once the
    application has been decided, ScreeningInvalid for an answer that is not one of the choices.
    """
    if not is_open(application):
        raise ScreeningClosed(application.state)
    errors = _check(answers)
    if errors:
        raise ScreeningInvalid(errors)
    check = check_for(application)
    if check is not None and check.version_id != expected_version:
        raise ScreeningConflict(check)
    if check is None:
        check = ScreeningCheck(application_id=application.id)
        db.session.add(check)
    check.answers = {key: value for key, value in answers.items.items() if key in SCREENING_ITEMS and value}
    check.fraud_risk = answers.fraud_risk or None
    check.notes = answers.notes.strip()
    check.updated_by_id = user.id
    check.updated_at = utcnow()
    audit.record_on(
        application,
        actor=user,
        action="screen",
        data={"answers": dict(check.answers), "fraud_risk": check.fraud_risk, "notes": check.notes},
    )
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        # Saved by someone else between our read and our write (or created first, for a new one).
        db.session.rollback()
        current = check_for(application)
        assert current is not None
        raise ScreeningConflict(current) from None
    return check


# -- the decision ------------------------------------------------------------------------------
def next_steps(application: Application, user: Any) -> list[Option]:
    """The screening decisions the workflow offers from here that this user's role allows.

    A step blocked by a condition (eligible before the checklist has passed) is included, with
    the reason, so the officer sees what is missing.
    """
    roles = access.roles_for(user, application)
    offered = [
        option
        for option in engine().available(application, user)
        if option.name in NEXT_STEPS and roles & option.transition.roles
    ]
    return sorted(offered, key=lambda option: NEXT_STEPS.index(option.name))


def take_step(user: Any, application: Application, step: str, reason: str | None, expected_version: int | None) -> str:
    """Apply one screening decision; returns what happened, in words. Raises the engine's refusals."""
    if step not in NEXT_STEPS:
        raise UnknownStep(step)
    event = apply_transition(application, step, user, reason, expected_version=expected_version)
    definition = engine().registry.get(event.workflow, event.workflow_version)
    state = definition.states[event.to_state].label.lower()
    if step == "mark_ineligible":
        return f"{application.reference} is now {state}. We have emailed the applicant the reason."
    if step == "request_information":
        return f"{application.reference}: we have emailed your question to the applicant."
    return f"{application.reference} is now {state}. It can be sent for assessment."


# -- what the officer checks against --------------------------------------------------------
def documents(application: Application) -> list[tuple[str, Document]]:
    """The application's uploads, each with the question it answers."""
    labels: dict[str, str] = {}
    try:
        for section in definition_for(application).sections:
            labels.update({question.key: question.label for question in section.questions})
    except NoForm:
        pass
    found = db.session.scalars(
        select(Document).where(Document.application_id == application.id).order_by(Document.id)
    ).all()
    return [(labels.get(document.question_key, document.question_key), document) for document in found]


# Which uploads are the evidence for which checklist item (question keys of the application form).
ITEM_DOCUMENTS = {
    "governing_document": ("governing_document",),
    "accounts": ("latest_accounts", "accounts"),
    "safeguarding_policy": ("safeguarding_policy",),
}


@dataclass(frozen=True)
class Evidence:
    text: str
    document_id: int | None = None


def evidence(application: Application, uploaded: list[tuple[str, Document]]) -> dict[str, list[Evidence]]:
    """What to check each item against, shown beside it: the numbers and details given, the uploads."""
    organisation = application.organisation
    numbers = []
    if organisation.charity_number:
        numbers.append(Evidence(f"Charity number: {organisation.charity_number}"))
    if organisation.company_number:
        numbers.append(Evidence(f"Companies House number: {organisation.company_number}"))
    found: dict[str, list[Evidence]] = {
        "organisation_verified": [Evidence(f"{organisation.name}, {organisation.type_label}")]
        + (numbers or [Evidence("No charity or Companies House number given")]),
        "bank_details": [
            Evidence(
                f"Account name: {organisation.bank_account_name}, sort code {organisation.masked_sort_code}, "
                f"account {organisation.masked_account_number}"
            )
            if organisation.bank_account_number
            else Evidence("No bank details given")
        ],
    }
    for item, keys in ITEM_DOCUMENTS.items():
        documents_here = [Evidence(d.original_name, d.id) for _label, d in uploaded if d.question_key in keys]
        found[item] = documents_here or [Evidence("Not uploaded")]
    if organisation.safeguarding_lead_name:
        found["safeguarding_policy"].append(Evidence(f"Safeguarding lead: {organisation.safeguarding_lead_name}"))
    return found


def answers(application: Application) -> list[Any]:
    """The application's answers as check-your-answers rows, or none if it has no form."""
    try:
        return answers_summary(application)
    except NoForm:
        return []


# -- the round's list ------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    id: int
    reference: str
    organisation: str
    project_title: str
    amount_requested_pence: int
    state: str
    status: str
    fraud_risk: str


def _status_order() -> Any:
    """The screening status as a number, in SQL (not started, in progress, passed, failed), as `status_of`
    reads it: failed if any item failed; passed if every item is answered and the fraud risk rated."""
    answered = [ScreeningCheck.answers[key].as_string() for key in SCREENING_ITEMS]
    failed = or_(*(answer == "fail" for answer in answered))
    complete = and_(
        *(func.coalesce(answer, "") != "" for answer in answered), ScreeningCheck.fraud_risk.in_(FRAUD_RISKS)
    )
    status = case((failed, 3), (complete, 2), else_=1)
    found = select(status).where(ScreeningCheck.application_id == Application.id).scalar_subquery()
    return func.coalesce(found, 0)


def _fraud_risk_order() -> Any:
    """Low, medium, high, then not rated."""
    rank = case(*((ScreeningCheck.fraud_risk == risk, n) for n, risk in enumerate(FRAUD_RISKS)), else_=len(FRAUD_RISKS))
    found = select(rank).where(ScreeningCheck.application_id == Application.id).scalar_subquery()
    return func.coalesce(found, len(FRAUD_RISKS))


# The list's sortable columns (`?sort=<key>&dir=asc|desc`, grants.listing); it opens by reference.
SORTS = SortSpec(
    columns={
        "reference": Column("Reference", (Application.public_reference.is_(None), Application.public_reference)),
        "organisation": Column(
            "Organisation",
            (select(Organisation.name).where(Organisation.id == Application.organisation_id).scalar_subquery(),),
        ),
        "project": Column("Project", (Application.project_title,)),
        "amount": Column("Amount requested", (Application.amount_requested_pence,)),
        "state": Column("State", (Application.state,)),
        "screening": Column("Screening", (_status_order(),)),
        "fraud_risk": Column("Fraud risk", (_fraud_risk_order(),)),
    },
    default=Sort("reference", "asc"),
    tie_breaker=Application.id,
)


def _listed(round_: Round, viewer_id: int, sort: Sort) -> Select[Any]:
    """The round's submitted and screened bids, none the viewer has a conflict of interest on, sorted."""
    return (
        select(Application)
        .options(joinedload(Application.organisation))
        .where(
            Application.round_id == round_.id,
            Application.state.in_(states("application", "in_screening")),
            access.free_of_conflict(viewer_id, Application.organisation_id, Application.id),
        )
        .order_by(*SORTS.order_by(sort))
    )


def _checks(applications: Sequence[Application]) -> dict[int, ScreeningCheck]:
    """The listed bids' checklists (one statement for a page, or a CSV's batch of rows)."""
    ids = [application.id for application in applications]
    if not ids:
        return {}
    found = db.session.scalars(select(ScreeningCheck).where(ScreeningCheck.application_id.in_(ids)))
    return {check.application_id: check for check in found}


def _row(application: Application, check: ScreeningCheck | None, labels: dict[str, str]) -> Row:
    return Row(
        id=application.id,
        reference=application.reference,
        organisation=application.organisation.name,
        project_title=application.project_title,
        amount_requested_pence=application.amount_requested_pence,
        state=labels.get(application.state, application.state),
        status=STATUS_LABELS[status_of(check)],
        fraud_risk=FRAUD_RISKS.get(check.fraud_risk or "", "Not rated") if check else "Not rated",
    )


def screening_list(round_: Round, viewer_id: int, page: int, per_page: int, sort: Sort | None = None) -> Page[Row]:
    """The round's submitted and screened bids with their screening status: four statements a page."""
    found = paginate(_listed(round_, viewer_id, sort or SORTS.default), page, per_page)
    checks = _checks(found.items)
    labels = workflow_labels(round_.application_workflow)
    rows = [_row(application, checks.get(application.id), labels) for application in found.items]
    return Page(items=rows, page=found.page, per_page=found.per_page, total=found.total)


CSV_HEADER = ("Reference", "Organisation", "Project", "Amount requested (£)", "State", "Screening", "Fraud risk")


def screening_csv(round_: Round, viewer_id: int, sort: Sort) -> Iterator[str]:
    """Every bid the list shows (all its pages), in its order, as CSV (streamed)."""
    labels = workflow_labels(round_.application_workflow)
    checks: dict[int, ScreeningCheck] = {}

    def batch(applications: Sequence[Application]) -> None:
        checks.clear()
        checks.update(_checks(applications))

    def row(application: Application) -> list[Any]:
        found = _row(application, checks.get(application.id), labels)
        return [
            found.reference,
            found.organisation,
            found.project_title,
            pounds_text(found.amount_requested_pence),
            found.state,
            found.status,
            found.fraud_risk,
        ]

    return csv_lines(CSV_HEADER, _listed(round_, viewer_id, sort), row, each_batch=batch)
