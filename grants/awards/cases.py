"""The kind of case the awards area owns: an award, from offer to closure."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants import case_rules
from grants.awards import unscheduled
from grants.awards.emails import accepted_text, offer_text
from grants.case_types import Action, CaseType, Step
from grants.extensions import db
from grants.formatting import london_date, money
from grants.models import Award, MonitoringReturn
from grants.models.monitoring import FINAL
from grants.monitoring.schedule import create_returns
from grants.work_queues import Queue
from grants.workflow_states import state_labels, states
from workflows import Context, TransitionEvent


def record_offer_time(ctx: Context) -> None:
    ctx.subject.offered_at = ctx.now


def record_acceptance_time(ctx: Context) -> None:
    ctx.subject.accepted_at = ctx.now
    ctx.subject.accepted_by_id = getattr(ctx.user, "id", None)


def offer_subject(ctx: Context) -> str:
    """The offer's email says what it is: "Your grant offer MSCF-R3-0042 for £7,985.50: please reply by …"."""
    award = ctx.subject
    reply = f": please reply by {award.respond_by:%-d %B %Y}" if award.respond_by else ""
    return f"Your grant offer {award.reference} for {money(award.amount_pence)}{reply}"


def accept(action: Action) -> TransitionEvent:
    """Accepting an award (a grant, or a provider's allocation under a contract) schedules its
    monitoring returns from the programme's plan, in the same transaction."""
    event = action.apply()
    create_returns(action.subject, action.user, action.now)
    return event


def final_return_accepted(ctx: Context) -> str | None:
    """An award with a final return closes only once that return is accepted (or waived): its
    total spend and outcomes are in. An award scheduled no final return (made before monitoring
    plans) has nothing to wait for."""
    waiting = db.session.execute(
        select(MonitoringReturn.period_label, MonitoringReturn.state)
        .where(
            MonitoringReturn.award_id == ctx.subject.id,
            MonitoringReturn.kind == FINAL,
            MonitoringReturn.state.not_in(states("return", "ended")),
        )
        .order_by(MonitoringReturn.due_date)
    ).first()
    if waiting is None:
        return None
    label = state_labels("return").get(waiting.state, waiting.state).lower()
    return (
        f"The final return ({waiting.period_label}) must be accepted or waived before the award closes: it is {label}."
    )


def award_facts(subject: Award) -> list[tuple[str, str]]:
    return [
        ("Programme", subject.programme.name),
        ("Organisation", subject.organisation.name),
        ("Title", subject.title),
        ("Amount", money(subject.amount_pence)),
        ("Amount at decision", money(subject.amount_at_decision_pence) if subject.amount_at_decision_pence else "—"),
        ("Budget stream and cost centre", f"{subject.budget_stream or 'None'} / {subject.cost_centre or 'None'}"),
        ("Starts", london_date(subject.starts_on) or "Not set"),
        ("Ends", london_date(subject.ends_on) or "Not set"),
    ]


AWARD = CaseType(
    model=Award,
    label="Award",
    guards={
        **case_rules.GUARDS,
        # The award answers these itself (grants/models/awards.py): terms and a reply-by date; a signed
        # acceptance; live instalments adding up to the award; the final spend recorded.
        "offer_ready": case_rules.asks("offer_problem"),
        "acceptance_signed": case_rules.asks("acceptance_problem"),
        "schedule_matches_award": case_rules.asks("schedule_problem"),
        "final_spend_recorded": case_rules.asks("closure_problem"),
        "final_return_accepted": final_return_accepted,
    },
    effects={"record_offer_time": record_offer_time, "record_acceptance_time": record_acceptance_time},
    steps={
        "offer": Step(email_subject=offer_subject, email_details=lambda ctx: offer_text(ctx.subject)),
        "accept": Step(handler=accept, email_details=lambda ctx: accepted_text(ctx.subject)),
    },
    facts=award_facts,
    programme_clause=case_rules.by_programme(Award.programme_id),
    district_clause=case_rules.award_in_district(Award.id),
    conflict_clause=case_rules.of_organisation(Award.organisation_id),
    eager=lambda: [joinedload(Award.organisation), joinedload(Award.programme)],
)

CASE_TYPES = [AWARD]

WORK_QUEUES = [
    Queue("offers_to_send", "Approved bids awaiting their offer", frozenset({"officer"}),
          "Prepare and send the grant offer", kind="award", states=("preparing",)),
    Queue("offers_awaiting_reply", "Offers awaiting the grantee's reply", frozenset({"officer"}),
          kind="award", states=("offered",)),
    Queue("awards_without_schedule", "Awards without a payment schedule", frozenset({"officer"}),
          "Set the instalments and when each falls due", count=unscheduled.count, endpoint="awards.unscheduled"),
]  # fmt: skip
