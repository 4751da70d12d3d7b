"""The kind of case the awards area owns: an award, from offer to closure."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from grants import case_rules
from grants.awards.emails import accepted_text, offer_text
from grants.case_types import CaseType, Step
from grants.formatting import london_date, money
from grants.models import Award
from workflows import Context


# Awards answer their own readiness questions (a sentence, or None); these guards only ask.
def offer_ready(ctx: Context) -> str | None:
    """An offer names its grant agreement terms and a date to reply by."""
    return ctx.subject.offer_problem()


def acceptance_signed(ctx: Context) -> str | None:
    """A named signatory, their position, the date and the declaration."""
    return ctx.subject.acceptance_problem()


def schedule_matches_award(ctx: Context) -> str | None:
    """The live instalments add up to the award, to the penny."""
    return ctx.subject.schedule_problem()


def final_spend_recorded(ctx: Context) -> str | None:
    return ctx.subject.closure_problem()


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
    kind="award",
    model=Award,
    workflow="award",
    label="Award",
    plural="Awards",
    guards={
        **case_rules.GUARDS,
        "offer_ready": offer_ready,
        "acceptance_signed": acceptance_signed,
        "schedule_matches_award": schedule_matches_award,
        "final_spend_recorded": final_spend_recorded,
    },
    effects={"record_offer_time": record_offer_time, "record_acceptance_time": record_acceptance_time},
    steps={
        "offer": Step(email_subject=offer_subject, email_details=lambda ctx: offer_text(ctx.subject)),
        "accept": Step(email_details=lambda ctx: accepted_text(ctx.subject)),
    },
    facts=award_facts,
    programme_clause=lambda ids: Award.programme_id.in_(ids),
    eager=lambda: [joinedload(Award.organisation), joinedload(Award.programme)],
)

CASE_TYPES = [AWARD]
