"""A small programme to report on, built with the factories; every expected figure is worked out here.

Programme TST, three rounds (numbers 1, 2, 3); the report is of round 2, so round 1 is in the
cumulative totals and round 3 is not. Another programme's round is never counted.

Round 1 (TST-R1): A1 approved for £1,000.00 (requested; no recommendation), award active at
£1,000.00, tackles Serious Violence and Neighbourhood Crime, Leeds, 100 people, mental health
yes; A2 unsuccessful (£500.00 asked).

Round 2 (TST-R2), the report's round:

- B1 approved: asked £3,000.00, recommended £2,500.00; award accepted, then varied to £2,000.00;
  Serious Violence and Neighbourhood Crime; Bradford and Leeds; safer places; women and girls;
  40 people; mental health yes.
- B2 approved: asked £2,000.00 (no recommendation); the grantee declines the offer; Neighbourhood
  Crime; Bradford; victims; no theme; 60 people; mental health no.
- B3 approved: asked and recommended £1,200.50; award active, £50 underspend returned and £10
  clawed back; no area of focus; Leeds; safer places; early intervention; people not given.
- B4 approved: asked £800.00; no award yet; Hate Crime; Leeds; no priority or theme; 25 people.
- B5 unsuccessful (£999.99 asked, Serious Violence); B6 a draft (£777.77): not received.

Round 3 (TST-R3): C1 approved for £9,999.00.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from grants.extensions import db
from grants.models import Application, ApplicationSection, Award, Programme, Recommendation, Round, User
from grants.workflow import apply_transition
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RecoveryFactory,
    RoundFactory,
    VariationFactory,
    ensure_terms,
    member_of,
    staff_user,
)

TERMS = {
    ("area_of_focus", "serious_violence"): "Serious Violence",
    ("area_of_focus", "hate_crime"): "Hate Crime",
    ("area_of_focus", "neighbourhood_crime_and_asb"): "Neighbourhood Crime and ASB",
    ("district", "bradford"): "Bradford",
    ("district", "leeds"): "Leeds",
    ("priority", "victims_and_justice"): "Supporting Victims and Witnesses and Improving Criminal Justice Outcomes",
    ("priority", "safer_places"): "Safer Places and Thriving Communities",
    ("theme", "women_and_girls"): "Safety of Women and Girls",
    ("theme", "early_intervention"): "Early Intervention and Prevention",
}
SV, HATE, NC = "Serious Violence", "Hate Crime", "Neighbourhood Crime and ASB"
DECLINE_REASON = "We could not find a venue in time."


@dataclass
class Programme2:
    programme: Programme
    r1: Round
    r2: Round
    r3: Round
    apps: dict[str, Application]
    awards: dict[str, Award]
    officer: User
    decision_maker: User


def _application(
    round_: Round,
    key: str,
    number: int,
    *,
    state: str,
    asked: int,
    terms: Sequence[str] = (),
    people: int | None = None,
    recommended: int | None = None,
    mental_health: str | None = None,
    submitted: bool = True,
    organisation: Any = None,
) -> Application:
    found = ensure_terms(TERMS)
    application = ApplicationFactory(
        round=round_,
        organisation=organisation or OrganisationFactory(),
        project_title=f"Project {key}",
        public_reference=f"{round_.code}-{number:04d}" if submitted else None,
        submitted_at=datetime(2022, 11, 1, tzinfo=UTC) if submitted else None,
        amount_requested_pence=asked,
        people_reached=people,
        state=state,
        terms=[found[code] for code in terms],
    )
    if recommended is not None:
        db.session.add(Recommendation(application_id=application.id, recommended_amount_pence=recommended))
    if mental_health is not None:
        db.session.add(
            ApplicationSection(
                application_id=application.id,
                section_key="focus",
                answers={"raw": {"mental_health": [mental_health]}, "values": {"mental_health": mental_health}},
                status="completed",
            )
        )
    db.session.commit()
    return application


def _award(programme: Programme, application: Application, amount: int, state: str) -> Award:
    return AwardFactory(
        programme=programme,
        organisation=application.organisation,
        application=application,
        public_reference=f"AW-{application.public_reference}",
        title=application.project_title,
        amount_pence=amount,
        amount_at_decision_pence=amount,
        state=state,
    )


def build(code: str = "TST") -> Programme2:
    programme = ProgrammeFactory(code=code, name="Test Safer Communities Fund")
    r1 = RoundFactory(programme=programme, number=1, code=f"{code}-R1", title="Test fund round 1")
    r2 = RoundFactory(programme=programme, number=2, code=f"{code}-R2", title="Test fund round 2")
    r3 = RoundFactory(programme=programme, number=3, code=f"{code}-R3", title="Test fund round 3")
    officer = staff_user("officer", programme)
    decision_maker = staff_user("decision_maker", programme)

    apps: dict[str, Application] = {}
    apps["A1"] = _application(
        r1,
        "A1",
        1,
        state="approved",
        asked=100_000,
        terms=["serious_violence", "neighbourhood_crime_and_asb", "leeds"],
        people=100,
        mental_health="yes",
    )
    apps["A2"] = _application(r1, "A2", 2, state="unsuccessful", asked=50_000, terms=["neighbourhood_crime_and_asb"])
    apps["B1"] = _application(
        r2,
        "B1",
        1,
        state="approved",
        asked=300_000,
        recommended=250_000,
        terms=[
            "serious_violence",
            "neighbourhood_crime_and_asb",
            "bradford",
            "leeds",
            "safer_places",
            "women_and_girls",
        ],
        people=40,
        mental_health="yes",
    )
    apps["B2"] = _application(
        r2,
        "B2",
        2,
        state="approved",
        asked=200_000,
        terms=["neighbourhood_crime_and_asb", "bradford", "victims_and_justice"],
        people=60,
        mental_health="no",
    )
    apps["B3"] = _application(
        r2,
        "B3",
        3,
        state="approved",
        asked=120_050,
        recommended=120_050,
        terms=["leeds", "safer_places", "early_intervention"],
    )
    apps["B4"] = _application(r2, "B4", 4, state="approved", asked=80_000, terms=["hate_crime", "leeds"], people=25)
    apps["B5"] = _application(r2, "B5", 5, state="unsuccessful", asked=99_999, terms=["serious_violence"])
    apps["B6"] = _application(r2, "B6", 0, state="draft", asked=77_777, submitted=False)
    apps["C1"] = _application(r3, "C1", 1, state="approved", asked=999_900, terms=["neighbourhood_crime_and_asb"])
    # Another programme's round is never in this programme's figures.
    other = RoundFactory(number=1, code=f"{code}-OTHER", title="Another programme's round")
    apps["X1"] = _application(other, "X1", 1, state="approved", asked=555_500, terms=["neighbourhood_crime_and_asb"])

    awards = {
        "A1": _award(programme, apps["A1"], 100_000, "active"),
        "B1": _award(programme, apps["B1"], 250_000, "accepted"),
        "B2": _award(programme, apps["B2"], 200_000, "offered"),
        "B3": _award(programme, apps["B3"], 120_050, "active"),
    }
    # B2's grantee declines the offer; B1's award is varied down; B3 returns money.
    grantee = member_of(apps["B2"].organisation)
    apply_transition(awards["B2"], "decline", grantee, reason=DECLINE_REASON)
    variation = VariationFactory(award=awards["B1"], new_amount_pence=200_000)
    apply_transition(variation, "approve", decision_maker)
    RecoveryFactory(award=awards["B3"], kind="underspend_returned", amount_pence=5_000)
    RecoveryFactory(award=awards["B3"], kind="clawback", amount_pence=1_000, reason="Equipment not bought.")
    return Programme2(programme, r1, r2, r3, apps, awards, officer, decision_maker)


def grow(data: Programme2, extra: int) -> None:
    """More of everything in round 2 and round 1 (for 'the same number of queries whatever the size')."""
    for i in range(extra):
        for round_, base in ((data.r2, 100), (data.r1, 100)):
            application = _application(
                round_,
                f"G{i}",
                base + i,
                state="approved",
                asked=10_000 + i,
                terms=["serious_violence", "leeds", "safer_places", "women_and_girls"],
                people=i,
                mental_health="yes",
            )
            _award(data.programme, application, 10_000 + i, "active")
