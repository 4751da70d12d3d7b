"""Round 3 assessed and decided, as the decision of 9 February 2023 left it.

Every one of the 198 bids is screened; a handful are ineligible, with a reason the
applicant reads. The rest go to two assessors each (balanced across a panel of four),
who declare conflicts of interest and score the round's five criteria; one declares a
conflict and the officer assigns a replacement. The panel moderates the bids its
assessors disagreed on, ranks them, and recommends the 73 of `DEMO_R3_FUNDED` — the
highest scored — for exactly the amounts they asked for (£506,097.82 in all), holds the
next four in reserve and does not recommend the rest. The decision maker approves the
73 and rejects the others.

Every change of state goes through the workflow engine at its historical time, so the
audit trail is real; scores, screening checklists, recommendations and approvals,
which have no workflow of their own, are written in bulk.

The timeline (Europe/London), between the close on Friday 4 November 2022 and the
decision on Thursday 9 February 2023:

- 7-18 Nov 2022   officers screen the bids (two are asked for more information first)
- 21 Nov 10:00    eligible bids sent for assessment and assigned, two assessors each
- 22 Nov-13 Jan   assessors declare any conflict, score and submit
- 19 Jan 2023     panel meeting: moderation, ranking, recommendations
- 9 Feb 2023 14:00  the decision maker approves and rejects

A weighted total is the sum of score x weight; the weights add up to 10, so with the
0-5 scale a total is out of 50. Everything is drawn from a seeded random.Random, so
every load makes the same data. The plan is pure (no database); `assess_round3`
writes it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from grants.demo.assessment_criteria import (
    ensure_criteria,
)
from grants.demo.assessment_plan import (
    AssessmentPlan,
    BidFacts,
    Outcome,
    Review,
    plan,
)
from grants.demo.assessment_text import (
    ASSIGNED_AT,
    DECISION_AT,
    REJECTED,
    REJECTED_BELOW_MINIMUM,
    RESERVE_REASON,
)
from grants.extensions import db
from grants.models import (
    Application,
    ApplicationSection,
    ApplicationTerm,
    Approval,
    Assessment,
    Criterion,
    Membership,
    Organisation,
    Recommendation,
    Round,
    Score,
    ScreeningCheck,
    Term,
    User,
)
from grants.workflow import apply_transition, engine, start_case


def bid_facts(round_: Round) -> tuple[list[BidFacts], dict[str, Application]]:
    rows = db.session.execute(
        select(Application, Organisation)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(Application.round_id == round_.id, Application.public_reference.is_not(None))
        .order_by(Application.public_reference)
    ).all()
    areas: dict[int, list[str]] = {}
    for application_id, label in db.session.execute(
        select(ApplicationTerm.application_id, Term.label)
        .join(Term, Term.id == ApplicationTerm.term_id)
        .join(Application, Application.id == ApplicationTerm.application_id)
        .where(Application.round_id == round_.id, Term.vocabulary == "area_of_focus")
        .order_by(ApplicationTerm.application_id, Term.position)
    ):
        areas.setdefault(application_id, []).append(label)
    vulnerable = {
        application_id
        for application_id, answers in db.session.execute(
            select(ApplicationSection.application_id, ApplicationSection.answers)
            .join(Application, Application.id == ApplicationSection.application_id)
            .where(Application.round_id == round_.id, ApplicationSection.section_key == "safeguarding")
        )
        if (answers or {}).get("values", {}).get("works_with_vulnerable") == "yes"
    }
    bids_of: dict[int, int] = {}
    for application, _organisation in rows:
        bids_of[application.organisation_id] = bids_of.get(application.organisation_id, 0) + 1
    facts = [
        BidFacts(
            reference=application.reference,
            amount_pence=application.amount_requested_pence,
            organisation=organisation.name,
            org_type=organisation.org_type,
            place=organisation.town or (organisation.district or "West Yorkshire").title(),
            people_reached=application.people_reached,
            areas=tuple(areas.get(application.id, ())),
            solo=bids_of[application.organisation_id] == 1,
            vulnerable=application.id in vulnerable,
        )
        for application, organisation in rows
    ]
    return facts, {application.reference: application for application, _organisation in rows}


def _step(subject: Any, name: str, user: Any, reason: str | None, at: datetime) -> None:
    """Apply a transition unless the subject is already past it (a demo loaded before this existed)."""
    transition = engine().definition_for(subject).transitions[name]
    if subject.state in transition.sources:
        apply_transition(subject, name, user, reason, now=at, commit=False)


def _applicant(application: Application) -> User:
    user = db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == application.organisation_id)
        .order_by(Membership.id)
    )
    assert user is not None, application.reference
    return user


def _bulk(model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert rows in one statement (executemany): no ORM objects, no audit rows."""
    if rows:
        db.session.execute(insert(model), rows)


def assess_round3(round_: Round, officer: User, decision_maker: User, panel: list[User]) -> None:
    """Screen, assess, recommend and decide Round 3's bids; does nothing if they have been assessed.

    Each stage applies its transitions without autoflush (the conditions they check read rows
    written in bulk, or flushed at the end of an earlier stage) and flushes once at its end:
    the same rows and audit trail, in a fraction of the time.
    """
    done = db.session.scalar(select(Assessment.id).join(Application).where(Application.round_id == round_.id).limit(1))
    if done is not None:
        return
    criteria = ensure_criteria(round_)
    facts, applications = bid_facts(round_)
    the_plan = plan(facts, round_.moderation_spread or Decimal("5"), round_.budget_pence or 51_000_000)
    eligible = [o for o in the_plan.outcomes if o.screening.ineligible is None]
    by_rank = sorted(eligible, key=lambda o: o.rank or 0)
    with db.session.no_autoflush:
        _screen(the_plan, applications, officer)
        made = _assign(eligible, applications, officer, panel)
        _score(made, criteria, panel)
        _recommend(by_rank, applications, officer)
        _decide(by_rank, applications, decision_maker)


def _screen(the_plan: AssessmentPlan, applications: dict[str, Application], officer: User) -> None:
    """Checklists in bulk, then each bid eligible or not, in the order the officers screened them."""
    screened = set(db.session.scalars(select(ScreeningCheck.application_id)))
    _bulk(
        ScreeningCheck,
        [
            {
                "application_id": applications[o.bid.reference].id,
                "answers": o.screening.answers,
                "fraud_risk": o.screening.fraud_risk,
                "notes": o.screening.notes,
                "updated_by_id": officer.id,
                "updated_at": o.screening.at,
                "version_id": 1,
            }
            for o in the_plan.outcomes
            if applications[o.bid.reference].id not in screened
        ],
    )
    for outcome in sorted(the_plan.outcomes, key=lambda o: o.screening.at):
        application = applications[outcome.bid.reference]
        screening = outcome.screening
        if screening.information is not None:
            question, answer, asked, answered = screening.information
            _step(application, "request_information", officer, question, asked)
            _step(application, "provide_information", _applicant(application), answer, answered)
        if screening.ineligible is not None:
            _step(application, "mark_ineligible", officer, screening.ineligible, screening.at)
        else:
            _step(application, "mark_eligible", officer, None, screening.at)
    db.session.flush()


def _assign(
    eligible: list[Outcome], applications: dict[str, Application], officer: User, panel: list[User]
) -> list[tuple[Review, Assessment]]:
    """Every eligible bid sent for assessment and its assessors assigned, in one go (and the replacement later)."""
    made: list[tuple[Review, Assessment]] = []
    initial = engine().registry.latest("assessment")
    for outcome in eligible:
        application = applications[outcome.bid.reference]
        _step(application, "start_assessment", officer, None, ASSIGNED_AT)
        for review in outcome.reviews:
            assessment = Assessment(
                application=application,
                assessor_id=panel[review.assessor].id,
                assigned_by_id=officer.id,
                assigned_at=review.assigned_at,
                workflow=initial.name,
                workflow_version=initial.version,
                state=initial.initial,
                state_changed_at=review.assigned_at,
            )
            db.session.add(assessment)
            made.append((review, assessment))
    db.session.flush()  # all in one go, so that each case below starts with its id
    for review, assessment in made:
        start_case(assessment, "assessment", officer, now=review.assigned_at)
    db.session.flush()
    return made


def _score(made: list[tuple[Review, Assessment]], criteria: list[Criterion], panel: list[User]) -> None:
    """Scores in bulk (append-only rows, not audited); then each assessor declares and submits, in time order."""
    rows = []
    for review, assessment in made:
        if review.submitted_at is None:
            continue
        step = (review.submitted_at - review.declared_at) / (len(criteria) + 1)
        for k, (criterion, score, comment) in enumerate(zip(criteria, review.scores, review.comments), start=1):
            rows.append(
                {
                    "assessment_id": assessment.id,
                    "criterion_id": criterion.id,
                    "score": score,
                    "comment": comment,
                    "created_at": review.declared_at + step * k,
                    "created_by_id": assessment.assessor_id,
                }
            )
    _bulk(Score, rows)
    for review, assessment in sorted(made, key=lambda pair: pair[0].declared_at):
        assessor = panel[review.assessor]
        assessment.declared_at = review.declared_at
        if review.conflict is not None:
            assessment.conflict_details = review.conflict
            apply_transition(
                assessment, "declare_conflict", assessor, review.conflict, now=review.declared_at, commit=False
            )
            continue
        assert review.submitted_at is not None
        apply_transition(assessment, "declare_no_conflict", assessor, now=review.declared_at, commit=False)
        apply_transition(assessment, "submit", assessor, now=review.submitted_at, commit=False)
    db.session.flush()


def _recommend(by_rank: list[Outcome], applications: dict[str, Application], officer: User) -> None:
    """The panel: a recommendation (with feedback) for every eligible bid, then each bid marked in rank order."""
    recommended = set(db.session.scalars(select(Recommendation.application_id)))
    _bulk(
        Recommendation,
        [
            {
                "application_id": applications[o.bid.reference].id,
                "moderated_score": o.scores.moderated if o.scores else None,
                "moderation_reason": o.scores.moderation_reason if o.scores else None,
                "recommended_amount_pence": o.bid.amount_pence if o.tier == "funded" else None,
                "feedback": o.feedback,
                "conditions": o.conditions,
                "updated_by_id": officer.id,
                "updated_at": o.panel_at,
                "version_id": 1,
            }
            for o in by_rank
            if applications[o.bid.reference].id not in recommended
        ],
    )
    for outcome in by_rank:
        application = applications[outcome.bid.reference]
        assert outcome.panel_at is not None
        if outcome.tier == "funded":
            _step(application, "recommend", officer, None, outcome.panel_at)
        elif outcome.tier == "reserve":
            _step(application, "hold_in_reserve", officer, RESERVE_REASON, outcome.panel_at)
        else:
            _step(application, "do_not_recommend", officer, outcome.panel_reason, outcome.panel_at)
    db.session.flush()


def _decide(by_rank: list[Outcome], applications: dict[str, Application], decision_maker: User) -> None:
    """The decision: an approval for each recommended bid, then each approved or rejected, in rank order."""
    approved = set(db.session.scalars(select(Approval.application_id)))
    _bulk(
        Approval,
        [
            {
                "application_id": applications[o.bid.reference].id,
                "approver_id": decision_maker.id,
                "conditions": o.conditions,
                "created_at": DECISION_AT,
            }
            for o in by_rank
            if o.tier == "funded" and applications[o.bid.reference].id not in approved
        ],
    )
    for outcome in by_rank:
        application = applications[outcome.bid.reference]
        if outcome.tier == "funded":
            _step(application, "approve", decision_maker, None, DECISION_AT)
        else:
            reason = REJECTED_BELOW_MINIMUM if outcome.tier == "below_minimum" else REJECTED
            _step(application, "reject", decision_maker, reason, DECISION_AT)
    db.session.flush()
