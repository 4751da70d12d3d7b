"""Demo history: the funded projects of MSCF Rounds 1 and 2 (2021-22), imported as closed awards.

Those rounds ran on spreadsheets before grantflow, so only their 100 funded projects are here, as
imported records (state set directly, each with an "imported" audit row saying so). Their figures are
chosen so that, with Round 3's current awards, the cumulative figures of the Panel's reports come out
exactly: rounds 1-3 173 projects and £1,037,781.75 at decision (172 after MSCF-R3-0027 fell away);
Neighbourhood Crime 78 projects, £486,367.63, 23,098 people; Mental Health 93 projects, £555,732.17,
21,222 people (counted on the 172 current projects, as the reports do).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from grants import audit
from grants.demo.clock import on
from grants.demo.round3_plan import spread_amounts
from grants.extensions import db
from grants.models import (
    Application,
    ApplicationSection,
    Award,
    Organisation,
    Payment,
    Round,
    Term,
)
from grants.models.applications import COMPLETED
from grants.models.budgets import financial_year_of

SEED = 20220210
PROJECTS = 100
ROUND_1_PROJECTS = 47
TOTAL_PENCE = 103_778_175 - 50_609_782  # rounds 1-3 £1,037,781.75 less Round 3's £506,097.82
NC = "neighbourhood_crime_and_asb"
NC_TARGET = (78, 48_636_763, 23_098)
MH_TARGET = (93, 55_573_217, 21_222)
KEEP_OUT = ("Bramley Community Kitchen", "Calder Valley Boxing Club CIC")  # the demo applicant's groups
TITLES = {
    "nc": ("Safer Streets Patrol volunteers in {place}", "Alley gating and clean-up days in {place}",
           "Community Speedwatch in {place}", "Youth diversion nights in {place}"),
    "mh": ("Talking Space: peer support for young people in {place}", "Men's wellbeing walks in {place}",
           "Creative recovery workshops in {place}"),
    "both": ("Street-based youth work and wellbeing support in {place}",
             "Good Neighbours: befriending older residents in {place}"),
    "neither": ("Hate crime reporting champions in {place}", "Road safety lessons for new drivers in {place}",
                "Women's safety walks in {place}", "Prevent awareness sessions in {place}"),
}  # fmt: skip
OTHER_AREAS = ("serious_violence", "high_street_crime", "hate_crime", "drugs_and_alcohol", "road_safety")


def _spread(rng: random.Random, count: int, total: int, low: int, high: int) -> list[int]:
    """`count` whole numbers in [low, high] adding up to exactly `total`."""
    assert count * low <= total <= count * high, "people cannot be spread within the limits"
    values = [low] * count
    left = total - count * low
    weights = [rng.random() + 0.2 for _ in range(count)]
    scale = sum(weights)
    for i, weight in enumerate(weights):
        values[i] += min(high - low, int(left * weight / scale))
    left = total - sum(values)
    while left:
        for i in rng.sample(range(count), count):
            if left and values[i] < high:
                values[i] += 1
                left -= 1
    return values


def _round3_current(flag: str) -> tuple[int, int, int]:
    """Round 3's live awards with an area of focus (or, for "mental_health", saying they support it)."""
    query = (
        select(func.count(Award.id), func.coalesce(func.sum(Award.amount_pence), 0))
        .join(Application, Application.id == Award.application_id)
        .join(Round, Round.id == Application.round_id)
        .where(Round.code == "MSCF-R3", Award.state.not_in(("declined", "cancelled")))
    )
    people = select(func.coalesce(func.sum(Application.people_reached), 0)).join(
        Award, Award.application_id == Application.id
    )
    people = people.join(Round, Round.id == Application.round_id).where(
        Round.code == "MSCF-R3", Award.state.not_in(("declined", "cancelled"))
    )
    if flag == "mental_health":
        ids = [
            section.application_id
            for section in db.session.scalars(
                select(ApplicationSection)
                .join(Award, Award.application_id == ApplicationSection.application_id)
                .where(ApplicationSection.section_key == "focus")
            )
            if section.answers.get("values", {}).get("mental_health") == "yes"
        ]
        query, people = query.where(Application.id.in_(ids)), people.where(Application.id.in_(ids))
    else:
        tagged = (
            select(Application.id).join(Application.terms).where(Term.vocabulary == "area_of_focus", Term.code == flag)
        )
        query, people = query.where(Application.id.in_(tagged)), people.where(Application.id.in_(tagged))
    count, amount = db.session.execute(query).one()
    return int(count), int(amount), int(db.session.scalar(people) or 0)


def _groups(rng: random.Random) -> list[tuple[str, int, int]]:
    """(group, amount, people) for each of the 100 projects: NC and mental health, one, or neither."""
    nc3, mh3 = _round3_current(NC), _round3_current("mental_health")
    n_nc, nc_money, nc_people = (t - r for t, r in zip(NC_TARGET, nc3, strict=True))
    n_mh, mh_money, mh_people = (t - r for t, r in zip(MH_TARGET, mh3, strict=True))
    both = max(0, round(n_nc * n_mh / PROJECTS))
    counts = {"both": both, "nc": n_nc - both, "mh": n_mh - both, "neither": PROJECTS - n_nc - n_mh + both}
    assert min(counts.values()) >= 0, counts
    # Money: the two groups with both flags share a per-project average; the rest follows from the targets.
    average = (nc_money + mh_money) // (n_nc + n_mh)
    money = {"both": average * both}
    money["nc"] = nc_money - money["both"]
    money["mh"] = mh_money - money["both"]
    money["neither"] = TOTAL_PENCE - money["nc"] - money["mh"] - money["both"]
    people_average = (nc_people + mh_people) // (n_nc + n_mh)
    people = {"both": people_average * both}
    people["nc"] = nc_people - people["both"]
    people["mh"] = mh_people - people["both"]
    people["neither"] = counts["neither"] * 150
    rows: list[tuple[str, int, int]] = []
    for group, count in counts.items():
        if count == 0:
            continue
        amounts = spread_amounts(rng, count, money[group], 100_000, 600_000, 0.35)
        reach = _spread(rng, count, people[group], 12, 900)
        rows += [(group, a, p) for a, p in zip(amounts, reach, strict=True)]
    rng.shuffle(rows)
    return rows


def import_rounds_1_and_2(rounds: dict[int, Round], users: dict[str, Any]) -> None:
    """Idempotent: nothing happens if Round 1 already has applications."""
    r1, r2 = rounds[1], rounds[2]
    if db.session.scalar(select(func.count(Application.id)).where(Application.round_id == r1.id)):
        return
    rng = random.Random(SEED)
    terms = {(t.vocabulary, t.code): t for t in db.session.scalars(select(Term))}
    organisations = list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.org_type != "public_body", Organisation.name.not_in(KEEP_OUT))
            .where(Organisation.district.is_not(None))
            .order_by(Organisation.id)
        )
    )
    officer = users["officer"]
    rows = _groups(rng)
    picks = {1: rng.sample(organisations, ROUND_1_PROJECTS), 2: rng.sample(organisations, PROJECTS - ROUND_1_PROJECTS)}
    for number, round_ in ((1, r1), (2, r2)):
        decided = round_.decision_on or date(2022, 2, 10)
        decided_at = on(decided, 0) + timedelta(hours=14)
        batch = rows[:ROUND_1_PROJECTS] if number == 1 else rows[ROUND_1_PROJECTS:]
        for position, ((group, amount, people), organisation) in enumerate(zip(batch, picks[number], strict=True)):
            _import(round_, position + 1, group, amount, people, organisation, decided_at, terms, rng, officer)
        round_.application_count = len(batch)
    db.session.flush()


def _import(
    round_: Round,
    number: int,
    group: str,
    amount: int,
    people: int,
    organisation: Organisation,
    decided_at: datetime,
    terms: dict[tuple[str, str], Term],
    rng: random.Random,
    officer: Any,
) -> None:
    reference = f"{round_.code}-{number:04d}"
    place = (organisation.town or organisation.name.split()[0]).strip()
    title = rng.choice(TITLES[group]).format(place=place)
    areas = [NC] if group in ("nc", "both") else []
    areas += rng.sample(OTHER_AREAS, rng.choice((0, 1, 1, 2)))
    mental_health = "yes" if group in ("mh", "both") else "no"
    assert round_.closes_at is not None  # imported rounds have their dates
    submitted = round_.closes_at - timedelta(days=rng.randint(1, 20))
    application = Application(
        round_id=round_.id,
        organisation_id=organisation.id,
        public_reference=reference,
        project_title=title,
        amount_requested_pence=amount,
        people_reached=people,
        submitted_at=submitted,
        created_at=submitted - timedelta(days=3),
        workflow="application",
        workflow_version=1,
        state="approved",
        state_changed_at=decided_at,
    )
    codes = [("district", organisation.district or "leeds")] + [("area_of_focus", a) for a in areas]
    codes.append(("priority", "safer_places" if group in ("nc", "both") else "keeping_people_safe"))
    if rng.random() < 0.4:
        codes.append(("theme", rng.choice(("early_intervention", "women_and_girls", "equality_diversity_inclusion"))))
    application.terms = [terms[c] for c in dict.fromkeys(codes) if c in terms]
    application.sections = [
        _section("focus", {"areas_of_focus": areas, "mental_health": mental_health}, decided_at),
        _section("people", {"people_reached": people}, decided_at),
    ]
    db.session.add(application)
    db.session.flush()
    paid_on = (decided_at + timedelta(days=35)).date()
    ends = decided_at.date() + timedelta(days=395)
    award = Award(
        public_reference=reference,
        programme_id=round_.programme_id,
        organisation_id=organisation.id,
        application_id=application.id,
        title=title,
        amount_pence=amount,
        amount_at_decision_pence=amount,
        decided_at=decided_at,
        budget_stream="community_safety",
        cost_centre="CS-4410",
        starts_on=decided_at.date() + timedelta(days=30),
        ends_on=ends,
        agreement_terms=f"Round {round_.number} grant agreement (signed on paper; held in the team's records).",
        offered_at=decided_at + timedelta(days=3),
        respond_by=decided_at.date() + timedelta(days=31),
        signatory_name="Signed on paper",
        signatory_position="Chair",
        signed_on=decided_at.date() + timedelta(days=10),
        declaration_agreed=True,
        accepted_at=decided_at + timedelta(days=10),
        final_spend_pence=amount,
        workflow="award",
        workflow_version=2,
        state="closed",
        state_changed_at=on(ends + timedelta(days=60), 0),
    )
    db.session.add(award)
    db.session.flush()
    payment = Payment(
        award_id=award.id,
        instalment=1,
        amount_pence=amount,
        due_on=paid_on,
        paid_on=paid_on,
        paid_at=on(paid_on, 0),
        finance_reference=f"AP-{paid_on.year}-{900_000 + award.id:06d}",
        workflow="payment",
        workflow_version=2,
        state="paid",
        state_changed_at=on(paid_on, 0),
    )
    db.session.add(payment)
    db.session.flush()
    why = f"Imported from the {round_.title} records: rounds 1 and 2 ran before grantflow."
    for subject, state in ((application, "approved"), (award, "closed"), (payment, "paid")):
        audit.record_on(
            subject,
            actor=officer,
            action="imported",
            to_state=state,
            reason=why,
            at=decided_at if subject is application else subject.state_changed_at,
        )
    assert financial_year_of(decided_at.date()) in (2021, 2022)


def _section(key: str, values: dict[str, Any], at: datetime) -> ApplicationSection:
    raw = {k: (v if isinstance(v, list) else [str(v)]) for k, v in values.items()}
    return ApplicationSection(
        section_key=key, answers={"raw": raw, "values": values}, status=COMPLETED, updated_at=at, version_id=1
    )
