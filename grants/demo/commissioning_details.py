"""The demo's commissioning details: what each strand delivers and where, each intervention's Youth
Endowment Fund rating and cohort, and the incoming grants that fund them.

Incoming grants (docs/domain.md): the Ministry of Justice victims' grant, £14m from 1 April 2022 to
31 March 2025, in the three Victims of Crime budgets, funding every MoJ strand; the Home Office VRU
grant of £4.4m for 2023/24 (of which the £2.3m Violence Reduction Unit budget is earmarked for
commissioned interventions); the Home Office GRIP hotspot-policing grant, £1,651,943 in each of three
years with match funding rising 20%, 30%, 40%.

Filled in only where empty, so a demo loaded before these details existed is topped up.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from grants.demo import clock
from grants.demo.awards import BUDGETS
from grants.demo.commissioning_text import STRANDS, UPLIFT_PERCENT, UPLIFT_REASON
from grants.extensions import db
from grants.models import (
    Award,
    Contract,
    GrantReport,
    IncomingGrant,
    IncomingGrantYear,
    MatchContribution,
    Organisation,
    Programme,
    Uplift,
    Variation,
)

SERVICE_TYPES = {
    "idva": "idva", "hospital_idva": "idva", "marac": "idva", "isva": "isva", "cyp_isva": "isva", "sarc": "isva",
    "rj": "restorative_justice", "mh": "mental_health", "counselling": "mental_health", "cyp": "children_young_people",
    "cyp_da": "children_young_people", "hate": "hate_crime",
}  # fmt: skip
DISTRICTS = {"Bradford": "bradford", "Keighley": "bradford", "Calderdale": "calderdale", "Halifax": "calderdale",
             "Kirklees": "kirklees", "Huddersfield": "kirklees", "Dewsbury": "kirklees", "Leeds": "leeds",
             "Wakefield": "wakefield", "Pontefract": "wakefield", "Castleford": "wakefield"}  # fmt: skip
ALL_DISTRICTS = ["bradford", "calderdale", "kirklees", "leeds", "wakefield"]

# VRU interventions: (approach as the YEF toolkit names it, evidence strength 1-5, cost, ages, settings, reach)
INTERVENTIONS = {
    "VRU-2023-001": ("A&E navigators", 2, "moderate", (10, 24), ["a_and_e"], 650),
    "VRU-2023-002": ("Diversion", 3, "low", (10, 17), ["custody", "youth_justice"], 900),
    "VRU-2023-003": ("Mentoring", 4, "moderate", (11, 16), ["schools"], 420),
    "VRU-2023-004": ("Sports programmes", 3, "low", (8, 18), ["sport", "community"], 2_400),
    "VRU-2023-005": ("Focused deterrence", 3, "moderate", (14, 24), ["community", "youth_justice"], 180),
    "VRU-2023-006": ("Detached youth work", 1, "low", (11, 19), ["community"], 1_100),
    "VRU-2023-007": ("Trauma-informed training", 2, "low", (5, 18), ["schools", "community"], 3_000),
    "VRU-2023-008": ("Cognitive behavioural therapy", 4, "moderate", (10, 18), ["community"], 240),
    "VRU-2023-009": ("Relationship violence prevention lessons", 3, "low", (11, 16), ["schools"], 5_200),
    "VRU-2023-010": ("After-school programmes", 2, "moderate", (8, 16), ["community", "sport"], 1_300),
    "VRU-2022-001": ("Diversion", 3, "low", (10, 17), ["custody"], 520),
    "VRU-2022-002": ("A&E navigators", 2, "moderate", (10, 24), ["a_and_e"], 380),
    "VRU-2022-003": ("Mentoring", 4, "moderate", (11, 16), ["schools"], 260),
    "VRU-2022-004": ("Sports programmes", 3, "low", (12, 19), ["sport"], 700),
    "VRU-2022-005": ("Focused deterrence", 3, "moderate", (14, 24), ["community", "youth_justice"], 110),
    "VRU-2022-006": ("Detached youth work", 1, "low", (11, 19), ["community"], 640),
    "VRU-2022-007": ("Trauma-informed training", 2, "low", (5, 18), ["schools"], 1_200),
    "VRU-2022-008": ("Cognitive behavioural therapy", 4, "moderate", (10, 18), ["community"], 120),
    "VRU-2022-009": ("Relationship violence prevention lessons", 3, "low", (11, 16), ["schools"], 2_900),
    "VRU-2022-010": ("After-school programmes", 2, "moderate", (8, 16), ["community"], 800),
    "VRU-2022-011": ("Knife crime education", 1, "low", (11, 16), ["schools"], 4_100),
    "VRU-2022-012": ("Parenting programmes", 3, "moderate", (8, 16), ["community"], 150),
    "VRU-2022-013": ("Sports programmes", 3, "low", (11, 16), ["sport"], 340),
    "VRU-2022-014": ("Mentoring", 2, "moderate", (15, 24), ["community", "youth_justice"], 90),
    "VRU-2022-015": ("Detached youth work", 1, "low", (13, 19), ["community"], 560),
    "VRU-2022-016": ("Trauma-informed training", 2, "low", (10, 18), ["youth_justice"], 300),
    "VRU-2022-017": ("Mental health training", 1, "low", (11, 19), ["community"], 210),
    "VRU-2022-018": ("Bystander interventions", 2, "low", (11, 16), ["schools"], 1_800),
    "VRU-2022-019": ("After-school programmes", 2, "moderate", (8, 16), ["community", "sport"], 950),
    "VRU-2022-020": ("Diversion", 2, "moderate", (18, 24), ["custody", "community"], 130),
}
GRIP_YEAR_PENCE = 165_194_300
MATCH_PERCENT = {2022: Decimal("20"), 2023: Decimal("30"), 2024: Decimal("40")}


def districts_in(title: str, fallback: str | None) -> list[str]:
    if "all five districts" in title or "five West Yorkshire" in title:
        return list(ALL_DISTRICTS)
    found = []
    for name, code in DISTRICTS.items():
        if name in title and code not in found:
            found.append(code)
    return found or ([fallback] if fallback else [])


def load_details(programmes: dict[str, Programme], users: dict[str, Any]) -> None:
    """Strand and intervention details, and the incoming grants; caller commits."""
    moj_grant = _incoming_grants(programmes)
    _uplift_decision(programmes["MOJ"], users)
    kinds = {f"MOJ-S-{number:03d}": kind for number, (_p, _t, kind) in enumerate(STRANDS, start=1)}
    rows = db.session.execute(
        select(Contract, Organisation.district).outerjoin(Organisation, Organisation.id == Contract.provider_id)
    ).all()
    for contract, district in rows:
        if not contract.districts_served:
            contract.districts_served = districts_in(contract.title, district)
        if contract.programme_id == programmes["MOJ"].id:
            if contract.service_type is None:
                contract.service_type = SERVICE_TYPES.get(
                    kinds.get(contract.public_reference, ""), "general_victim_support"
                )
            if contract.incoming_grant_id is None:
                contract.incoming_grant_id = moj_grant.id
        details = INTERVENTIONS.get(contract.public_reference)
        if details is not None and contract.yef_approach is None:
            approach, evidence, cost, (young, old), settings, reach = details
            contract.service_type = contract.service_type or "youth_intervention"
            contract.yef_approach, contract.yef_evidence_strength, contract.yef_cost = approach, evidence, cost
            contract.cohort_age_from, contract.cohort_age_to = young, old
            contract.settings, contract.reach = settings, reach
            contract.yef_impact = contract.yef_impact or "unclear"
    db.session.flush()


def _incoming_grants(programmes: dict[str, Programme]) -> IncomingGrant:
    victims = {year: amount for stream, year, _centre, amount in BUDGETS if stream == "victims_of_crime"}
    made = {}
    for reference, title, funder, scheme, programme, starts, ends, years, conditions in (
        (
            "MOJ-VS-2022",
            "Ministry of Justice victims' services grant 2022-25",
            "Ministry of Justice",
            "MoJ PCC Victims' Services Grant Agreement 2022-25",
            programmes["MOJ"],
            date(2022, 4, 1),
            date(2025, 3, 31),
            {year: (amount, None) for year, amount in victims.items()},
            "Spent on services that help victims cope and recover; quarterly returns in the MoJ outcomes framework; "
            "underspend returned to the Ministry at the end of each year.",
        ),
        (
            "HO-VRU-2023",
            "Home Office Violence Reduction Unit grant 2023/24",
            "Home Office",
            "HO SVF: VRU core and intervention funding 2023/24",
            programmes["VRU"],
            date(2023, 4, 1),
            date(2024, 3, 31),
            {2023: (440_000_000, None)},
            "At least half for commissioned interventions; interventions evaluated against the Youth Endowment Fund "
            "toolkit; quarterly spend returns to the Home Office.",
        ),
        (
            "HO-GRIP-2022",
            "Home Office GRIP hotspot policing grant 2022-25",
            "Home Office",
            "HO GRIP: Grip and hotspot policing 2022-25",
            None,
            date(2022, 4, 1),
            date(2025, 3, 31),
            {year: (GRIP_YEAR_PENCE, MATCH_PERCENT[year]) for year in (2022, 2023, 2024)},
            "Match funding from local partners rising to 20%, 30% and 40% of each year's grant.",
        ),
    ):
        found = db.session.scalar(select(IncomingGrant).where(IncomingGrant.reference == reference))
        if found is None:
            found = IncomingGrant(
                reference=reference,
                title=title,
                funder=funder,
                scheme_reference=scheme,
                programme_id=programme.id if programme else None,
                amount_pence=sum(amount for amount, _match in years.values()),
                starts_on=starts,
                ends_on=ends,
                conditions=conditions,
                years=[
                    IncomingGrantYear(financial_year=year, amount_pence=amount, match_percent=match)
                    for year, (amount, match) in sorted(years.items())
                ],
            )
            db.session.add(found)
        made[reference] = found
    db.session.flush()
    _reports_and_match(made)
    return made["MOJ-VS-2022"]


# GRIP partners' match funding: 2023/24 falls short of its 30% target (£495,582.90) by £45,582.90.
CONTRIBUTIONS = [
    (2022, "West Yorkshire Police", 25_000_000), (2022, "Leeds City Council", 9_000_000),
    (2023, "West Yorkshire Police", 30_000_000), (2023, "City of Bradford Metropolitan District Council", 15_000_000),
    (2024, "West Yorkshire Police", 50_000_000), (2024, "Kirklees Council", 17_500_000),
]  # fmt: skip


def _reports_and_match(made: dict[str, IncomingGrant]) -> None:
    """Quarterly returns to the Ministry (sent), GRIP's annual returns, one report still to send, and GRIP's
    partners' contributions; only where the grant has none yet."""
    today = date.today()
    moj, grip = made["MOJ-VS-2022"], made["HO-GRIP-2022"]
    if not db.session.scalar(select(GrantReport.id).where(GrantReport.incoming_grant_id == moj.id).limit(1)):
        for year in (2022, 2023, 2024):
            for number, due in enumerate((date(year, 7, 31), date(year, 10, 31), date(year + 1, 1, 31),
                                          date(year + 1, 4, 30)), start=1):  # fmt: skip
                what = f"Q{number} {year}/{(year + 1) % 100:02d} return to the Ministry of Justice"
                db.session.add(GrantReport(incoming_grant_id=moj.id, due_on=due, what=what, sent_on=due))
        db.session.add(
            GrantReport(
                incoming_grant_id=moj.id,
                due_on=today + timedelta(days=10),
                what="Closing statement of grant usage 2022-25",
            )
        )
    if not db.session.scalar(select(GrantReport.id).where(GrantReport.incoming_grant_id == grip.id).limit(1)):
        for year in (2022, 2023, 2024):
            due = date(year + 1, 5, 31)
            what = f"GRIP annual return {year}/{(year + 1) % 100:02d} to the Home Office"
            db.session.add(GrantReport(incoming_grant_id=grip.id, due_on=due, what=what, sent_on=due))
    if not db.session.scalar(select(MatchContribution.id).where(MatchContribution.incoming_grant_id == grip.id)):
        for year, partner, amount in CONTRIBUTIONS:
            db.session.add(
                MatchContribution(
                    incoming_grant_id=grip.id,
                    financial_year=year,
                    partner=partner,
                    amount_pence=amount,
                    received_on=date(year + 1, 3, 15),
                )
            )
    db.session.flush()


def _uplift_decision(moj: Programme, users: dict[str, Any]) -> None:
    """The 1 June 2023 9% uplift is one decision: its variations point to it."""
    if db.session.scalar(select(Uplift.id).where(Uplift.reference == "MOJ-UPLIFT-2023-01")) is not None:
        return
    rows = db.session.execute(
        select(Variation, Award, Organisation)
        .join(Award, Award.id == Variation.award_id)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .where(Variation.reason == UPLIFT_REASON)
        .order_by(Award.public_reference)
    ).all()
    if not rows:
        return
    uplift = Uplift(
        reference="MOJ-UPLIFT-2023-01",
        programme_id=moj.id,
        financial_year=2023,
        percent=Decimal(UPLIFT_PERCENT),
        scope="vcse",
        reason=UPLIFT_REASON,
        status="approved",
        items=[
            {
                "award_id": award.id,
                "reference": award.public_reference,
                "provider": organisation.name,
                "provider_id": organisation.id,
                "before": variation.old_amount_pence,
                "after": variation.new_amount_pence,
                "version_id": award.version_id,
            }
            for variation, award, organisation in rows
        ],
        skipped=[],
        prepared_by_id=users["officer"].id,
        prepared_at=clock.local(2023, 5, 30, 10),
        decided_by_id=users["decision_maker"].id,
        decided_at=clock.local(2023, 6, 1, 11),
    )
    db.session.add(uplift)
    db.session.flush()
    for variation, _award, _organisation in rows:
        variation.uplift_id = uplift.id
