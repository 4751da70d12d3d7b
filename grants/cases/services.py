"""Case pages: any workflowed thing (round, application, award, payment, return, contract)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from grants import access, audit
from grants.extensions import db
from grants.models import (
    CASE_MODELS,
    Application,
    Assessment,
    AuditEvent,
    Award,
    Contract,
    MonitoringReturn,
    Payment,
    Round,
    Variation,
    Workflowed,
)
from grants.pagination import Page, paginate
from grants.workflow import apply_transition, engine
from workflows import Definition, Option, TransitionEvent
from workflows.diagram import diagram

KIND_LABELS = {
    "round": ("Round", "Rounds"),
    "application": ("Application", "Applications"),
    "award": ("Award", "Awards"),
    "payment": ("Payment", "Payments"),
    "return": ("Monitoring return", "Monitoring returns"),
    "contract": ("Contract", "Contracts and strands"),
    "assessment": ("Assessment", "Assessments"),
    "variation": ("Award variation", "Award variations"),
}


class CaseNotFound(Exception):
    pass


def _programme_filter(kind: str, programme_ids: set[int] | None) -> Any:
    """A WHERE clause limiting a kind's rows to the given programmes (None: all)."""
    if programme_ids is None:
        return None
    ids = sorted(programme_ids)
    if kind == "round":
        return Round.programme_id.in_(ids)
    if kind == "application":
        return Application.round_id.in_(select(Round.id).where(Round.programme_id.in_(ids)))
    if kind in ("award",):
        return Award.programme_id.in_(ids)
    if kind in ("payment",):
        return Payment.award_id.in_(select(Award.id).where(Award.programme_id.in_(ids)))
    if kind == "variation":
        return Variation.award_id.in_(select(Award.id).where(Award.programme_id.in_(ids)))
    if kind == "return":
        return MonitoringReturn.award_id.in_(select(Award.id).where(Award.programme_id.in_(ids)))
    if kind == "assessment":
        return Assessment.application_id.in_(
            select(Application.id).join(Round, Round.id == Application.round_id).where(Round.programme_id.in_(ids))
        )
    return Contract.programme_id.in_(ids)


def _visible_programmes(user: Any) -> set[int] | None:
    grants = access.staff_grants(user)
    if access.ALL_PROGRAMMES in grants:
        return None
    return {pid for pid in grants if pid is not None}


_EAGER: dict[str, list[Any]] = {
    "round": [joinedload(Round.programme)],
    "application": [joinedload(Application.organisation), joinedload(Application.round)],
    "award": [joinedload(Award.organisation), joinedload(Award.programme)],
    "payment": [joinedload(Payment.award).joinedload(Award.organisation)],
    "return": [joinedload(MonitoringReturn.award).joinedload(Award.organisation)],
    "contract": [joinedload(Contract.provider), joinedload(Contract.programme)],
    "assessment": [joinedload(Assessment.assessor)],
    "variation": [joinedload(Variation.award).joinedload(Award.organisation)],
}


def kind_label(kind: str, plural: bool = False) -> str:
    return KIND_LABELS[kind][1 if plural else 0]


def summary(user: Any) -> list[dict[str, Any]]:
    """How many cases of each kind this user can see."""
    programmes = _visible_programmes(user)
    rows = []
    for kind, model in CASE_MODELS.items():
        query = select(func.count()).select_from(model)
        clause = _programme_filter(kind, programmes)
        if clause is not None:
            query = query.where(clause)
        rows.append({"kind": kind, "label": kind_label(kind, plural=True), "count": db.session.scalar(query)})
    return rows


def list_cases(kind: str, user: Any, page: int, per_page: int, state: str | None = None) -> Page[Any]:
    if kind not in CASE_MODELS:
        raise CaseNotFound(kind)
    model = CASE_MODELS[kind]
    query = select(model).options(*_EAGER[kind]).order_by(model.id)  # type: ignore[attr-defined]
    clause = _programme_filter(kind, _visible_programmes(user))
    if clause is not None:
        query = query.where(clause)
    if state:
        query = query.where(model.state == state)
    return paginate(query, page, per_page)


def load_case(kind: str, case_id: int, user: Any) -> Workflowed:
    """The case, if this user may see it; CaseNotFound otherwise (no hint that it exists)."""
    model = CASE_MODELS.get(kind)
    if model is None:
        raise CaseNotFound(kind)
    subject = db.session.get(model, case_id, options=_EAGER[kind])
    if subject is None or not access.can_see_case(user, subject):
        raise CaseNotFound(f"{kind} {case_id}")
    return subject


def _facts(kind: str, subject: Any) -> list[tuple[str, str]]:
    """The few facts an officer needs beside the state, as (label, text) rows."""
    from grants.formatting import london, london_date, money

    if kind == "round":
        return [
            ("Programme", subject.programme.name),
            ("Title", subject.title),
            ("Opens", london(subject.opens_at)),
            ("Closes", london(subject.closes_at)),
            ("Most a project can ask for", money(subject.max_grant_pence)),
            ("Budget", money(subject.budget_pence)),
        ]
    if kind == "application":
        return [
            ("Round", subject.round.title),
            ("Organisation", subject.organisation.name),
            ("Project", subject.project_title),
            ("Amount requested", money(subject.amount_requested_pence)),
            ("Submitted", london(subject.submitted_at) or "Not yet"),
        ]
    if kind == "award":
        return [
            ("Programme", subject.programme.name),
            ("Organisation", subject.organisation.name),
            ("Title", subject.title),
            ("Amount", money(subject.amount_pence)),
            (
                "Amount at decision",
                money(subject.amount_at_decision_pence) if subject.amount_at_decision_pence else "—",
            ),
            ("Budget stream and cost centre", f"{subject.budget_stream or 'None'} / {subject.cost_centre or 'None'}"),
            ("Starts", london_date(subject.starts_on) or "Not set"),
            ("Ends", london_date(subject.ends_on) or "Not set"),
        ]
    if kind == "payment":
        return [
            ("Award", subject.award.reference),
            ("Organisation", subject.award.organisation.name),
            ("Instalment", str(subject.instalment)),
            ("Amount", money(subject.amount_pence)),
            ("Due", london_date(subject.due_on)),
            ("Paid", london_date(subject.paid_on) or "Not yet"),
            ("Finance system reference", subject.finance_reference or "None yet"),
        ]
    if kind == "return":
        return [
            ("Award", subject.award.reference),
            ("Organisation", subject.award.organisation.name),
            ("Period", subject.period_label),
            ("Due", london_date(subject.due_date)),
            ("Submitted", london(subject.submitted_at) or "Not yet"),
        ]
    if kind == "variation":
        return [
            ("Award", subject.award.reference),
            ("Organisation", subject.award.organisation.name),
            ("Amount now", money(subject.award.amount_pence)),
            ("New amount", money(subject.new_amount_pence) if subject.new_amount_pence is not None else "No change"),
            ("New end date", london_date(subject.new_ends_on) or "No change"),
            ("Why", subject.reason),
        ]
    if kind == "assessment":
        return [
            ("Application", subject.application.reference),
            ("Project", subject.application.project_title),
            ("Assessor", subject.assessor.name),
            ("Assigned", london(subject.assigned_at)),
            ("Submitted", london(subject.submitted_at) or "Not yet"),
        ]
    return [
        ("Programme", subject.programme.name),
        ("Provider", subject.provider.name if subject.provider else "Not chosen yet"),
        ("Title", subject.title),
        ("Value", money(subject.amount_pence)),
        ("Ends", london_date(subject.end_date) or "Not set"),
    ]


@dataclass
class CaseView:
    kind: str
    subject: Workflowed
    definition: Definition
    history: list[AuditEvent]
    options: list[Option]
    diagram: str
    facts: list[tuple[str, str]]
    can_list_applications: bool = False

    @property
    def state(self) -> Any:
        return self.definition.states[self.subject.state]

    def state_label(self, name: str | None) -> str:
        if name is None:
            return ""
        state = self.definition.states.get(name)
        return state.label if state else name


def case_view(kind: str, subject: Workflowed, user: Any) -> CaseView:
    eng = engine()
    definition = eng.definition_for(subject)
    return CaseView(
        kind=kind,
        subject=subject,
        definition=definition,
        history=audit.history(subject),
        options=eng.available(subject, user),
        diagram=diagram(definition, current=subject.state),
        facts=_facts(kind, subject),
        can_list_applications=kind == "round"
        and bool(access.staff_roles(user, subject.owning_programme_id()) & {"officer", "admin"}),
    )


def transition(kind: str, case_id: int, name: str, user: Any, reason: str | None, expected_version: int | None) -> str:
    """Apply an action to a case; returns the sentence that tells the user what happened."""
    subject = load_case(kind, case_id, user)
    event: TransitionEvent = apply_transition(subject, name, user, reason, expected_version=expected_version)
    definition = engine().registry.get(event.workflow, event.workflow_version)
    label = definition.transitions[event.transition].label
    return f"{label}: done. {subject.reference} is now {definition.states[event.to_state].label.lower()}."
