"""Round 3 of the Mayor's Safer Communities Fund as the reports describe it: 198 applications.

The decision of 9 February 2023 funded 73 of them for £506,097.82 (docs/domain.md). Which 73 is
fixed here, in `DEMO_R3_FUNDED`, and the plan below gives exactly those bids the amounts and
areas of focus that add up to the decision's figures. `grants.demo.assessment` then screens,
scores and decides all 198 so that exactly these 73 are approved (MSCF-R3-0001 among them,
with its award).

Everything is drawn from a seeded random.Random, so every load makes the same data. The
plan is pure (no database); `load_round3_applications` writes it, submitting every bid
through the workflow engine while the round is still open.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from grants.apply.questions import Question, QuestionSetDefinition, parse
from grants.demo.round3_plan import (
    DEMO_R3_FUNDED,
    Bid,
    Plan,
    plan,
)
from grants.extensions import db
from grants.models import Application, ApplicationSection, Membership, Organisation, Round, Term, User
from grants.models.applications import COMPLETED
from grants.workflow import apply_transition, start_case


def round3_funded_references() -> tuple[str, ...]:
    """The references of the 73 Round 3 applications the decision of 9 February 2023 approved."""
    return DEMO_R3_FUNDED


def round3_funded_applications() -> list[Application]:
    """Those 73 applications, by reference."""
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.public_reference.in_(DEMO_R3_FUNDED))
            .order_by(Application.public_reference)
        )
    )


# -- raw answers as the browser posts them -------------------------------------------------------
def _typed(question: Question, value: Any) -> list[str]:
    if value is None:
        return [""]
    if question.type == "money":
        return [f"{value // 100}.{value % 100:02d}"]
    if question.type == "date":
        day = date.fromisoformat(value)
        return [str(day.day), str(day.month), str(day.year)]
    if question.type == "checkboxes":
        return list(value)
    return [str(value)]


def raw_answers(definition: QuestionSetDefinition, section_key: str, values: dict[str, Any]) -> dict[str, list[str]]:
    """What the section's form would have posted to give these values (a dict of lists of strings)."""
    raw: dict[str, list[str]] = {}
    for question in definition.section(section_key).questions:
        value = values.get(question.key)
        if question.type == "file":
            continue
        if question.type == "group":
            for index, item in enumerate(value or []):
                for sub in question.fields:
                    raw[f"{question.key}-{index}-{sub.key}"] = _typed(sub, item.get(sub.key))
        elif question.type == "checkboxes":
            if value:
                raw[question.key] = _typed(question, value)
        else:
            raw[question.key] = _typed(question, value)
    return raw


# -- writing it ----------------------------------------------------------------------------------
def _sections(definition: QuestionSetDefinition, bid: Bid, user: Any, at: datetime) -> list[ApplicationSection]:
    return [
        ApplicationSection(
            section_key=section.key,
            answers={"raw": raw_answers(definition, section.key, bid.values[section.key]),
                     "values": bid.values[section.key]},
            status=COMPLETED,
            updated_at=at,
            updated_by_id=user.id,
        )
        for section in definition.sections
    ]  # fmt: skip


def _tags(bid: Bid, terms: dict[tuple[str, str], Term]) -> list[Term]:
    codes = [("district", d) for d in bid.values["project"]["districts"]]
    codes += [("area_of_focus", a) for a in bid.values["focus"]["areas_of_focus"]]
    codes += [("priority", p) for p in bid.values["priorities"]["priorities"]]
    codes += [("theme", t) for t in bid.values["priorities"]["themes"]]
    return [terms[code] for code in codes]


def _fill(
    application: Application,
    bid: Bid,
    definition: QuestionSetDefinition,
    user: Any,
    terms: dict[tuple[str, str], Term],
    at: datetime,
) -> None:
    """Answers, and the tags the form copies onto the application (districts, areas...)."""
    application.sections.extend(_sections(definition, bid, user, at))
    application.terms.extend(_tags(bid, terms))
    _copy(application, bid)


def _copy(application: Application, bid: Bid) -> None:
    """What the form copies onto the application for lists and reports: title, amount, reach."""
    application.project_title = bid.values["project"]["project_title"]
    application.people_reached = bid.values["people"]["people_reached"]
    application.amount_requested_pence = sum(line["cost"] for line in bid.values["budget"]["budget_lines"])
    assert application.amount_requested_pence == bid.amount_pence


def load_round3_applications(round_: Round, first: Application, first_user: Any, password_hash: str) -> None:
    """Round 3's other 197 bids, submitted through the workflow engine before the round closes.

    Call it while the round is open, after MSCF-R3-0001 is submitted; it does nothing if they exist.
    """
    existing = db.session.scalar(select(func.count()).select_from(Application).where(Application.round_id == round_.id))
    if existing and existing > 1:
        return
    if round_.question_set is None or first.submitted_at is None:
        raise RuntimeError("Round 3 needs its question set, and MSCF-R3-0001 submitted, first")
    definition = parse(round_.question_set.definition, round_.question_set.name)
    terms = {(t.vocabulary, t.code): t for t in db.session.scalars(select(Term))}
    taken = set(db.session.scalars(select(Organisation.name)))
    assert round_.delivery_starts_on and round_.delivery_ends_on and round_.opens_at and round_.closes_at
    the_plan = plan(
        (round_.delivery_starts_on, round_.delivery_ends_on), round_.opens_at, round_.closes_at,
        first.submitted_at, taken,
    )  # fmt: skip

    made: dict[str, tuple[Organisation, User]] = {}
    for o in the_plan.organisations:
        organisation = Organisation(name=o.name, org_type=o.org_type, district=o.district, **o.fields)
        user = User(name=" ".join(o.contact), email=f"{o.slug}@example.org", password_hash=password_hash)
        db.session.add_all([organisation, user, Membership(user=user, organisation=organisation, is_owner=True)])
        made[o.name] = (organisation, user)
    db.session.flush()

    first.question_set_id = round_.question_set_id
    first.created_by_id = first.created_by_id or first_user.id
    _fill(first, the_plan.first, definition, first_user, terms, first.submitted_at - timedelta(hours=1))
    round_.application_count = max(round_.application_count or 0, 1)
    db.session.flush()

    applications: list[tuple[Bid, Application, User]] = []
    for bid in the_plan.bids:
        assert bid.started_at and bid.submitted_at
        organisation, user = made[bid.organisation.name]
        application = Application(
            round_id=round_.id,
            organisation=organisation,
            created_by=user,
            question_set_id=round_.question_set_id,
            created_at=bid.started_at,
            sections=[],
            terms=[],
        )
        _copy(application, bid)
        start_case(application, round_.application_workflow, user, now=bid.started_at)
        applications.append((bid, application, user))
    for bid, application, user in applications:  # answers, all in one flush
        assert bid.submitted_at is not None  # every bid of the plan is submitted
        _fill(application, bid, definition, user, terms, bid.submitted_at - timedelta(minutes=5))
    db.session.flush()

    for bid, application, user in applications:
        apply_transition(application, "submit", user, now=bid.submitted_at, commit=False)
        if application.public_reference != bid.reference:
            raise RuntimeError(f"expected {bid.reference}, the engine gave {application.public_reference}")
    db.session.flush()
    db.session.expire(round_, ["application_count"])


def check_plan(the_plan: Plan) -> dict[str, Any]:
    """The plan's figures (for tests and a sanity check): totals, and areas of the funded bids."""
    bids = the_plan.all_bids
    funded = [b for b in bids if b.reference in DEMO_R3_FUNDED]
    return {
        "applications": len(bids),
        "total_pence": sum(b.amount_pence for b in bids),
        "funded": len(funded),
        "funded_pence": sum(b.amount_pence for b in funded),
        "funded_areas": Counter(a for b in funded for a in b.areas),
        "funded_without_area": sum(1 for b in funded if not b.areas),
    }
