"""Test data for monitoring: programmes with a shipped plan, accepted awards, returns on v2."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, MonitoringPlan, MonitoringReturn, OutboxMessage, Programme
from grants.monitoring.plans import definition_of, standard_text
from grants.workflow import apply_transition
from tests.factories import AwardFactory, OrganisationFactory, ProgrammeFactory, ReturnFactory, member_of


def programme_with_plan(plan: str = "mscf", text: str | None = None, **kwargs) -> Programme:
    """A programme whose plan version 1 is the shipped plan file of that name (or `text`)."""
    programme = ProgrammeFactory(**kwargs)
    source = text if text is not None else standard_text(plan)
    assert source is not None
    db.session.add(MonitoringPlan(programme_id=programme.id, version=1, definition=definition_of(source)))
    db.session.commit()
    return programme


def plan_row(programme: Programme) -> MonitoringPlan:
    return db.session.scalar(
        select(MonitoringPlan)
        .where(MonitoringPlan.programme_id == programme.id)
        .order_by(MonitoringPlan.version.desc())
    )


def accepted_award(
    programme: Programme, starts_on: date, ends_on: date | None, *, reference: str = "MSCF-R3-0042", **kw
):
    """An offer, signed, then accepted by a member through the workflow (as the acceptance page does)."""
    organisation = kw.pop("organisation", None) or OrganisationFactory(name="Calder Valley Boxing Club CIC")
    grantee = member_of(organisation, email=kw.pop("email", f"chair-{reference.lower()}@calder.example"))
    award = AwardFactory(
        programme=programme,
        organisation=organisation,
        public_reference=reference,
        title="Gloves Not Knives: boxing and mentoring",
        state="offered",
        starts_on=starts_on,
        ends_on=ends_on,
        signatory_name="Aisha Khan",
        signatory_position="Chair",
        signed_on=starts_on,
        declaration_agreed=True,
        **kw,
    )
    apply_transition(award, "accept", grantee, now=datetime.combine(starts_on, datetime.min.time(), tzinfo=UTC))
    return award


def returns_of(award) -> list[MonitoringReturn]:
    return list(
        db.session.scalars(
            select(MonitoringReturn).where(MonitoringReturn.award_id == award.id).order_by(MonitoringReturn.sequence)
        )
    )


def due_return(programme: Programme, due: date, *, state: str = "open", reference: str = "MSCF-R3-0042", **kw):
    """A v2 return under the programme's plan: its 6-month progress report, due on `due`."""
    organisation = kw.pop("organisation", None) or OrganisationFactory(name="Calder Valley Boxing Club CIC")
    award = kw.pop("award", None) or AwardFactory(
        programme=programme, organisation=organisation, public_reference=reference, title="Gloves Not Knives"
    )
    return ReturnFactory(
        award=award,
        period_label=kw.pop("period_label", "6 months"),
        due_date=due,
        opens_on=kw.pop("opens_on", None),
        workflow_version=2,
        state=state,
        plan_id=plan_row(programme).id,
        kind=kw.pop("kind", "progress"),
        sequence=kw.pop("sequence", 1),
        **kw,
    )


def emails_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id))
    )


def audit_rows(subject, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_type == subject.__audit_type__,
                AuditEvent.subject_id == subject.id,
                AuditEvent.action == action,
            )
        )
    )
