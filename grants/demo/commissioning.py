"""Demo commissioning: the MoJ victims' services strands and the VRU interventions, with their money.

MoJ victims' services 2022-25 (a £14m grant to the Mayor, docs/domain.md): 34 providers (27 VCSE
organisations, 5 district councils, 2 hospital trusts) fund 72 strands of provision, MOJ-S-001
(made by grants/demo.py) to MOJ-S-072, all commissioned under the "contract" workflow and
delivering from 1 April 2022 to 31 March 2025. Each strand has one allocation (an Award) per
financial year, decided on 1 April; each year's allocations add up exactly to that year's
Victims of Crime budget. On 1 June 2023 the Mayor gave the VCSE providers a 9% uplift: one
approved variation per VCSE allocation of 2023/24, spread over the three instalments still to
pay. (The 1 April 2023 allocations left that headroom unallocated; after the uplift 2023/24
adds up to its budget. The uplift carried into 2024/25's allocations.) Instalments are
quarterly; all were paid except a handful in 2024/25: three held by finance and two waiting
for an overdue monitoring return. Allocations fully paid are closed.

VRU 2023/24: ten commissioned interventions (VRU-2023-001, the A&E navigators, is made by
grants/demo.py) with £2.3m of allocations, three of them (30%) rated high impact on the Youth
Endowment Fund toolkit. Their last instalment waits for the Q3 return; eight were paid and
closed, two providers have still not sent it, so those two awards are still active.

Everything is planned first (`plan()`: pure, seeded, no database), then made; what already
exists (organisations by name, contracts and awards by reference) is left alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, has_request_context
from sqlalchemy import select

from grants import audit
from grants.demo.awards import BUDGETS, pay, prepare_offer, sign
from grants.demo.round3_text import FIRST_NAMES, LAST_NAMES, STREETS
from grants.extensions import db
from grants.formatting import london_to_utc, money
from grants.models import Award, Contract, MonitoringReturn, Organisation, Payment, Programme, Variation
from grants.workflow import engine, start_case

SEED = 20220401
MOJ_STREAM, MOJ_YEARS = "victims_of_crime", (2022, 2023, 2024)
VRU_STREAM, VRU_YEAR = "violence_reduction_unit", 2023
UPLIFT_PERCENT = 9
UPLIFT_REASON = "Mayoral decision: 9% uplift for MoJ-funded VCSE providers to meet rising costs"
REPLACED = "Replaced when the payment schedule was changed."
QUARTER_ENDS = ((6, 30), (9, 30), (12, 31), (3, 31))
VCSE_TYPES = ("registered_charity", "cio", "cic", "company_limited_by_guarantee", "community_group")
# MOJ-S-001 (ISVA service, Kirklees and Calderdale, £412,500 over three years) is made by demo.py;
# its allocations are fixed so they add up to its contract: 2023/24 before the uplift.
FIRST_STRAND = "MOJ-S-001"
FIRST_STRAND_ALLOCATIONS = {2022: 13_750_000, 2023: 13_000_000, 2024: 14_500_000}
FIRST_INTERVENTION, FIRST_INTERVENTION_PENCE = "VRU-2023-001", 32_000_000

MOJ_TERMS = """1. Use of the allocation. The allocation may be spent only on the strand of provision described \
in your contract or grant agreement, for victims of crime in West Yorkshire, within the financial year.
2. Payment. We pay quarterly in arrears, in the instalments set out in the payment schedule. An instalment \
may be held until a monitoring return it depends on is accepted.
3. Monitoring. You will send quarterly returns in the Ministry of Justice victims' services format: victims \
supported, referrals in and out, whether victims had reported to the police, and outcomes.
4. Unspent money. Money not spent on the strand within the year is returned to the Mayor.
5. Safeguarding and data. You will keep safeguarding arrangements suited to work with victims, and handle \
their personal data lawfully (UK GDPR), sharing only anonymised figures with us.
6. Equality. You will deliver in line with your Equality Impact Assessment and report on its actions.
7. Acknowledgement. You will acknowledge funding from the Mayor of West Yorkshire and the Ministry of Justice."""

VRU_TERMS = """1. Use of the allocation. The allocation may be spent only on the intervention specified in \
your contract, in West Yorkshire, between 1 April 2023 and 31 March 2024.
2. Payment. We pay quarterly in arrears. The last instalment is paid once we accept your Q3 monitoring return.
3. Monitoring and evaluation. You will send quarterly returns (young people reached, sessions delivered, \
referrals) and take part in the Violence Reduction Unit's evaluation against the Youth Endowment Fund toolkit.
4. Unspent money. Money not spent on the intervention is returned to the Mayor.
5. Safeguarding. You will keep a safeguarding policy, a named safeguarding lead and enhanced DBS checks for \
everyone working with children and young people.
6. Equality. You will deliver in line with your Equality Impact Assessment and report on its actions."""

Member = Callable[[Organisation], Any]


# -- the plan: providers, strands, allocations ---------------------------------------------------------------


@dataclass
class ProviderPlan:
    name: str
    org_type: str
    district: str
    town: str
    outward: str
    other_identifier: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def vcse(self) -> bool:
        return self.org_type in VCSE_TYPES


@dataclass
class AllocationPlan:
    year: int
    decided_pence: int  # the amount decided on 1 April
    current_pence: int  # after the 2023/24 uplift (VCSE), otherwise the same

    @property
    def reference_suffix(self) -> str:
        return f"{self.year % 100:02d}"


@dataclass
class StrandPlan:
    reference: str
    provider: str
    title: str
    kind: str
    direct_award: str | None  # the written justification, or None when competed
    allocations: dict[int, AllocationPlan] = field(default_factory=dict)

    @property
    def contract_pence(self) -> int:
        return sum(a.decided_pence for a in self.allocations.values())


@dataclass
class InterventionPlan:
    reference: str
    provider: str
    title: str
    yef_rating: str
    amount_pence: int
    direct_award: str | None = None
    awaiting_return: bool = False


@dataclass
class Plan:
    providers: dict[str, ProviderPlan]
    strands: list[StrandPlan]
    interventions: list[InterventionPlan]
    vru_providers: dict[str, ProviderPlan]
    held: dict[str, str]  # strand reference -> why its last 2024/25 instalment is held
    awaiting_return: list[str]  # strands whose last 2024/25 instalment waits for an overdue return


# (name, org_type, district, town, postcode outward code)
VCSE_PROVIDERS = [
    ("Pennine Victim Support Services", "registered_charity", "kirklees", "Huddersfield", "HD1"),
    ("Airedale Women's Aid", "registered_charity", "bradford", "Keighley", "BD21"),
    ("Calder Valley Domestic Abuse Service", "cio", "calderdale", "Halifax", "HX1"),
    ("Spen Valley Women's Centre", "company_limited_by_guarantee", "kirklees", "Heckmondwike", "WF16"),
    ("Five Towns Women's Aid", "registered_charity", "wakefield", "Pontefract", "WF8"),
    ("Kirkgate Domestic Abuse Partnership", "registered_charity", "leeds", "Leeds", "LS2"),
    ("West Riding Rape and Sexual Abuse Support", "registered_charity", "leeds", "Leeds", "LS7"),
    ("Bronte Sexual Abuse Survivors' Centre", "cio", "bradford", "Bradford", "BD1"),
    ("Ridings Rape Crisis", "cio", "wakefield", "Wakefield", "WF1"),
    ("White Rose Restorative Justice", "company_limited_by_guarantee", "leeds", "Leeds", "LS11"),
    ("Huddersfield Together Against Hate", "cio", "kirklees", "Huddersfield", "HD1"),
    ("Bradford Unity Hate Crime Advocacy", "registered_charity", "bradford", "Bradford", "BD3"),
    ("Chapeltown and Harehills Community Advocacy", "company_limited_by_guarantee", "leeds", "Leeds", "LS7"),
    ("Safe Futures Young Victims' Service", "registered_charity", "wakefield", "Castleford", "WF10"),
    ("Northern Lights Children's ISVA Service", "cio", "leeds", "Leeds", "LS9"),
    ("Holme Valley Young People's Counselling", "cio", "kirklees", "Holmfirth", "HD9"),
    ("Mindful Recovery Victims' Wellbeing Service", "company_limited_by_guarantee", "calderdale", "Brighouse", "HD6"),
    ("Bridge Street Trauma Therapy Centre", "registered_charity", "bradford", "Shipley", "BD18"),
    ("Nayi Zindagi Women's Support", "cio", "bradford", "Bradford", "BD8"),
    ("Rainbow Ridings LGBT+ Advocacy", "cio", "leeds", "Leeds", "LS1"),
    ("Pathways Stalking Advocacy Service", "company_limited_by_guarantee", "wakefield", "Wakefield", "WF1"),
    ("Safe Haven Modern Slavery Support", "registered_charity", "leeds", "Leeds", "LS12"),
    ("Afterwards Homicide Bereavement Service", "cio", "kirklees", "Dewsbury", "WF13"),
    ("Access Advocacy Calderdale", "cio", "calderdale", "Halifax", "HX3"),
    ("Safer Homes Older People's Victim Support", "registered_charity", "wakefield", "Ossett", "WF5"),
    ("After the Crash Road Victims' Support", "cio", "calderdale", "Todmorden", "OL14"),
    ("Aire and Worth Exploitation Survivors' Project", "company_limited_by_guarantee", "bradford", "Keighley", "BD22"),
]  # fmt: skip
# (name, district, town, full postcode, org-id)
PUBLIC_PROVIDERS = [
    ("City of Bradford Metropolitan District Council", "bradford", "Bradford", "BD1 1HY", "GB-LAE-BRD"),
    ("Calderdale Metropolitan Borough Council", "calderdale", "Halifax", "HX1 1UJ", "GB-LAE-CLD"),
    ("Kirklees Council", "kirklees", "Huddersfield", "HD1 2TA", "GB-LAE-KIR"),
    ("Leeds City Council", "leeds", "Leeds", "LS1 1UR", "GB-LAE-LDS"),
    ("Wakefield Council", "wakefield", "Wakefield", "WF1 2EB", "GB-LAE-WKF"),
    ("West Riding Hospitals NHS Trust", "wakefield", "Wakefield", "WF1 4DG", "GB-NHS-RXF"),
    ("Airedale and Bradford Teaching Hospitals NHS Foundation Trust", "bradford", "Bradford", "BD9 6RJ", "GB-NHS-RAE"),
]  # fmt: skip
# Organisations grants/demo.py makes, with the details it gives them (kept as they are).
EXISTING = {
    "Pennine Victim Support Services": {"charity_number": "1145678", "company_number": "08765432",
                                        "postcode": "HD1 2QA"},
    "West Riding Hospitals NHS Trust": {"postcode": "WF1 4DG"},
}  # fmt: skip

# Annual value of a strand by kind of service, in £ thousands (low, high): the weights the budget is shared by.
KINDS = {
    "idva": (130, 260), "isva": (90, 170), "court": (60, 100), "hub": (150, 220), "refuge": (60, 110),
    "outreach": (35, 70), "helpline": (40, 70), "cyp_da": (40, 75), "counselling": (50, 100), "rj": (200, 280),
    "hate": (30, 65), "cyp": (45, 80), "cyp_isva": (50, 90), "mh": (45, 95), "specialist": (30, 80),
    "marac": (40, 70), "sanctuary": (35, 60), "hospital_idva": (60, 110), "sarc": (90, 150),
}  # fmt: skip

# (provider, title, kind); MOJ-S-001 first, then MOJ-S-002 ... in this order.
STRANDS = [
    ("Pennine Victim Support Services", "Independent Sexual Violence Advisers (ISVA) service, Kirklees and Calderdale",
     "isva"),
    ("Pennine Victim Support Services", "Victim care and needs assessment hub, Kirklees", "hub"),
    ("Pennine Victim Support Services", "Witness and victim support at Huddersfield courts", "court"),
    ("Airedale Women's Aid", "IDVA service, Bradford", "idva"),
    ("Airedale Women's Aid", "Refuge-based support, Bradford and Keighley", "refuge"),
    ("Airedale Women's Aid", "Domestic abuse outreach, Keighley", "outreach"),
    ("Airedale Women's Aid", "Domestic abuse advocates in GP practices, Bradford", "outreach"),
    ("Calder Valley Domestic Abuse Service", "IDVA service, Calderdale", "idva"),
    ("Calder Valley Domestic Abuse Service", "Domestic abuse helpline, Calderdale", "helpline"),
    ("Calder Valley Domestic Abuse Service", "Children and young people affected by domestic abuse, Calderdale",
     "cyp_da"),
    ("Spen Valley Women's Centre", "IDVA service, Kirklees", "idva"),
    ("Spen Valley Women's Centre", "Domestic abuse recovery programme, Kirklees", "counselling"),
    ("Spen Valley Women's Centre", "IDVA service for Black and minoritised women, Kirklees", "specialist"),
    ("Five Towns Women's Aid", "IDVA service, Wakefield", "idva"),
    ("Five Towns Women's Aid", "Refuge-based support, Wakefield", "refuge"),
    ("Five Towns Women's Aid", "Children and young people affected by domestic abuse, Wakefield", "cyp_da"),
    ("Kirkgate Domestic Abuse Partnership", "IDVA service, Leeds", "idva"),
    ("Kirkgate Domestic Abuse Partnership", "Court IDVAs at Leeds Magistrates' and Crown Courts", "court"),
    ("Kirkgate Domestic Abuse Partnership", "Domestic abuse support for older people, Leeds", "specialist"),
    ("Kirkgate Domestic Abuse Partnership", "Domestic abuse helpline, Leeds", "helpline"),
    ("West Riding Rape and Sexual Abuse Support", "ISVA service, Leeds", "isva"),
    ("West Riding Rape and Sexual Abuse Support", "Sexual violence counselling, Leeds", "counselling"),
    ("West Riding Rape and Sexual Abuse Support", "Rape crisis helpline, West Yorkshire", "helpline"),
    ("West Riding Rape and Sexual Abuse Support", "Sexual violence outreach for women in street sex work, Leeds",
     "outreach"),
    ("Bronte Sexual Abuse Survivors' Centre", "ISVA service, Bradford", "isva"),
    ("Bronte Sexual Abuse Survivors' Centre", "Sexual violence counselling, Bradford", "counselling"),
    ("Bronte Sexual Abuse Survivors' Centre", "Sexual violence outreach, Keighley and Airedale", "outreach"),
    ("Ridings Rape Crisis", "ISVA service, Wakefield", "isva"),
    ("Ridings Rape Crisis", "Sexual violence therapy, Wakefield", "counselling"),
    ("White Rose Restorative Justice", "Restorative Justice service", "rj"),
    ("White Rose Restorative Justice", "Restorative Justice in domestic and sexual abuse cases", "specialist"),
    ("Huddersfield Together Against Hate", "Hate crime advocacy, Kirklees", "hate"),
    ("Huddersfield Together Against Hate", "Hate crime advocacy, Calderdale", "hate"),
    ("Bradford Unity Hate Crime Advocacy", "Hate crime advocacy, Bradford", "hate"),
    ("Bradford Unity Hate Crime Advocacy", "Hate crime third-party reporting centres, Bradford", "hate"),
    ("Chapeltown and Harehills Community Advocacy", "Hate crime advocacy, Leeds", "hate"),
    ("Chapeltown and Harehills Community Advocacy", "Hate crime advocacy, Wakefield", "hate"),
    ("Safe Futures Young Victims' Service", "Young victims' service, Wakefield", "cyp"),
    ("Safe Futures Young Victims' Service", "Young victims' service, Calderdale", "cyp"),
    ("Safe Futures Young Victims' Service", "Young victims' service, Bradford", "cyp"),
    ("Northern Lights Children's ISVA Service", "Children and young people's ISVA, Leeds", "cyp_isva"),
    ("Northern Lights Children's ISVA Service", "Children and young people's ISVA, Bradford", "cyp_isva"),
    ("Holme Valley Young People's Counselling", "Mental health support for young victims, Kirklees", "mh"),
    ("Mindful Recovery Victims' Wellbeing Service", "Mental health support for victims, Calderdale", "mh"),
    ("Mindful Recovery Victims' Wellbeing Service", "Trauma therapy for victims, Calderdale", "mh"),
    ("Mindful Recovery Victims' Wellbeing Service", "Mental health support for victims, Wakefield", "mh"),
    ("Bridge Street Trauma Therapy Centre", "Mental health support for victims, Bradford", "mh"),
    ("Bridge Street Trauma Therapy Centre", "Mental health support for victims, Leeds", "mh"),
    ("Nayi Zindagi Women's Support", "Honour-based abuse and forced marriage advocacy", "specialist"),
    ("Rainbow Ridings LGBT+ Advocacy", "LGBT+ domestic abuse advocacy", "specialist"),
    ("Rainbow Ridings LGBT+ Advocacy", "LGBT+ hate crime support", "hate"),
    ("Pathways Stalking Advocacy Service", "Stalking advocacy service", "specialist"),
    ("Safe Haven Modern Slavery Support", "Modern slavery and human trafficking victim support", "specialist"),
    ("Afterwards Homicide Bereavement Service", "Support for families bereaved by homicide", "specialist"),
    ("Access Advocacy Calderdale", "Advocacy for disabled victims of crime", "specialist"),
    ("Safer Homes Older People's Victim Support", "Support for older victims of fraud and scams", "specialist"),
    ("After the Crash Road Victims' Support", "Support for victims of road crime", "specialist"),
    ("Aire and Worth Exploitation Survivors' Project",
     "Advocacy for survivors of child sexual exploitation, Bradford", "specialist"),
    ("City of Bradford Metropolitan District Council", "Domestic abuse MARAC coordination, Bradford", "marac"),
    ("City of Bradford Metropolitan District Council", "Sanctuary scheme for domestic abuse victims, Bradford",
     "sanctuary"),
    ("Calderdale Metropolitan Borough Council", "Domestic abuse MARAC coordination, Calderdale", "marac"),
    ("Calderdale Metropolitan Borough Council", "Sanctuary scheme for domestic abuse victims, Calderdale",
     "sanctuary"),
    ("Kirklees Council", "Domestic abuse MARAC coordination, Kirklees", "marac"),
    ("Kirklees Council", "Anti-social behaviour victim advocacy, Kirklees", "outreach"),
    ("Leeds City Council", "Domestic abuse front door safeguarding hub, Leeds", "hub"),
    ("Leeds City Council", "Sanctuary scheme for domestic abuse victims, Leeds", "sanctuary"),
    ("Wakefield Council", "Domestic abuse MARAC coordination, Wakefield", "marac"),
    ("Wakefield Council", "Sanctuary scheme for domestic abuse victims, Wakefield", "sanctuary"),
    ("West Riding Hospitals NHS Trust", "Hospital-based IDVAs, Wakefield emergency departments", "hospital_idva"),
    ("West Riding Hospitals NHS Trust", "Sexual assault referral centre crisis workers", "sarc"),
    ("Airedale and Bradford Teaching Hospitals NHS Foundation Trust", "Hospital-based IDVAs, Bradford and Airedale",
     "hospital_idva"),
    ("Airedale and Bradford Teaching Hospitals NHS Foundation Trust", "Psychological therapies for victims of crime",
     "mh"),
]  # fmt: skip

DIRECT_AWARD_VCSE = (
    "Continuation of an established specialist service; no other provider in the area "
    "(Contract Standing Orders, direct award exemption).",
    "The only specialist provider able to deliver from 1 April 2022; market engagement found no other bidder "
    "(Contract Standing Orders, direct award exemption).",
    "A grant of less than £75,000 a year to a specialist VCSE service (Contract Standing Orders, grant exemption).",
)
DIRECT_AWARD_PUBLIC = (
    "A statutory partner delivering the service under its own duties: a public-to-public arrangement "
    "(Contract Standing Orders, exemption for grants to public bodies)."
)
HOLD_REASONS = (
    "The provider changed its bank account; finance is checking the new details with them before paying.",
    "The provider's year-end forecast shows an underspend; held until the final amount is agreed with them.",
    "Held at the provider's request while its trustees confirm the new signatory for the account.",
)

# VRU 2023/24 (reference, provider, title, YEF toolkit rating, £ in pence, direct award justification,
# awaiting the Q3 return).
VRU_PROVIDERS = [
    ("Second Chance Youth Trust", "registered_charity", "leeds", "Leeds", "LS9"),
    ("Bright Futures Inclusion Mentoring", "cio", "bradford", "Bradford", "BD5"),
    ("Active Streets Sports Trust", "company_limited_by_guarantee", "kirklees", "Huddersfield", "HD2"),
    ("Clearway Violence Intervention Service", "company_limited_by_guarantee", "leeds", "Leeds", "LS8"),
    ("Street Level Youth Work", "cio", "wakefield", "Castleford", "WF10"),
    ("Trauma Aware Yorkshire CIC", "cic", "calderdale", "Halifax", "HX1"),
    ("Mindset Young People's Therapy Service", "registered_charity", "kirklees", "Huddersfield", "HD1"),
    ("Respect Matters Education", "cio", "leeds", "Leeds", "LS6"),
    ("Evening Lights Youth Clubs", "company_limited_by_guarantee", "wakefield", "Wakefield", "WF1"),
]  # fmt: skip
INTERVENTIONS = [
    ("VRU-2023-002", "Second Chance Youth Trust",
     "Custody diversion: youth workers in the five West Yorkshire custody suites", "moderate impact", 31_000_000,
     "The provider runs the custody diversion pilot in all five custody suites; continuing it avoids a gap in the "
     "service (Contract Standing Orders, direct award exemption).", False),
    ("VRU-2023-003", "Bright Futures Inclusion Mentoring",
     "Education inclusion mentoring in Bradford, Leeds, Calderdale and Kirklees", "moderate impact", 28_500_000,
     None, False),
    ("VRU-2023-004", "Active Streets Sports Trust", "Sports-based programmes in all five districts",
     "moderate impact", 35_000_000, None, False),
    ("VRU-2023-005", "Clearway Violence Intervention Service", "Focused deterrence: Leeds and Bradford",
     "high impact", 24_000_000, None, False),
    ("VRU-2023-006", "Street Level Youth Work", "Detached youth work in violence hotspots", "not yet rated",
     21_500_000, None, True),
    ("VRU-2023-007", "Trauma Aware Yorkshire CIC", "Trauma-informed practice training for schools and youth services",
     "low impact", 9_500_000, None, False),
    ("VRU-2023-008", "Mindset Young People's Therapy Service",
     "Cognitive behavioural therapy for young people at risk of violence, Kirklees and Wakefield", "high impact",
     18_000_000, None, False),
    ("VRU-2023-009", "Respect Matters Education", "Relationship violence prevention lessons in secondary schools",
     "moderate impact", 12_000_000, None, True),
    ("VRU-2023-010", "Evening Lights Youth Clubs",
     "After-school and holiday activities in hotspot wards, Wakefield and Calderdale", "moderate impact",
     18_500_000, None, False),
]  # fmt: skip


def budget(stream: str, year: int) -> tuple[int, str]:
    """A demo budget's amount and cost centre (the Budget rows grants/demo_awards.py makes)."""
    for row_stream, row_year, centre, amount in BUDGETS:
        if (row_stream, row_year) == (stream, year):
            return amount, centre
    raise LookupError(f"no demo budget for {stream} {year}")


def _provider_fields(rng: random.Random, p: ProviderPlan, taken: set[str]) -> dict[str, Any]:
    def unique(make: Callable[[], str]) -> str:
        while (value := make()) in taken:
            pass
        taken.add(value)
        return value

    charity = p.org_type in ("registered_charity", "cio") or p.org_type == "company_limited_by_guarantee"
    company = p.org_type in ("registered_charity", "cic", "company_limited_by_guarantee")
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    slug = "".join(ch for ch in p.name.lower() if ch.isalnum())[:30]
    fields: dict[str, Any] = {
        "charity_number": unique(lambda: str(rng.randint(1_050_000, 1_199_999))) if charity and p.vcse else None,
        "company_number": unique(lambda: f"{rng.randint(3_000_000, 12_999_999):08d}") if company and p.vcse else None,
        "address_line_1": f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
        "town": p.town,
        "annual_income_pence": (rng.randint(4, 60) * 10_000_000 if p.vcse else rng.randint(40, 90) * 10**11),
        "safeguarding_lead_name": f"{first} {last}",
        "safeguarding_lead_email": f"safeguarding@{slug}.example.org",
        "bank_account_name": p.name[:200],
        "bank_sort_code": f"{rng.randint(10, 99)}{rng.randint(0, 99):02d}{rng.randint(0, 99):02d}",
        "bank_account_number": f"{rng.randint(10_000_000, 99_999_999)}",
    }
    if p.other_identifier is None:
        letters = "ABDEFGHJLNPQRSTUWXY"
        fields["postcode"] = f"{p.outward} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    else:
        fields["postcode"] = p.outward
    fields.update(EXISTING.get(p.name, {}))
    return fields


def _providers(rng: random.Random) -> tuple[dict[str, ProviderPlan], dict[str, ProviderPlan]]:
    taken = {"1145678", "08765432", "1187654", "13456789", "1123456", "07654321", "1176543", "1165432", "09876543"}
    moj: dict[str, ProviderPlan] = {}
    for name, org_type, district, town, outward in VCSE_PROVIDERS:
        moj[name] = ProviderPlan(name, org_type, district, town, outward)
    for name, district, town, postcode, org_id in PUBLIC_PROVIDERS:
        moj[name] = ProviderPlan(name, "public_body", district, town, postcode, other_identifier=org_id)
    vru = {row[0]: ProviderPlan(*row) for row in VRU_PROVIDERS}
    for p in [*moj.values(), *vru.values()]:
        p.fields = _provider_fields(rng, p, taken)
    return moj, vru


def _round_to(pence: float, step: int) -> int:
    return int(round(pence / step)) * step


def _share(strands: list[StrandPlan], providers: dict[str, ProviderPlan], rng: random.Random) -> None:
    """Each year's allocations, adding up exactly to its budget; the last public body's takes the pennies."""
    weights = {s.reference: rng.uniform(*KINDS[s.kind]) for s in strands}
    last_public = [s for s in strands if not providers[s.provider].vcse][-1]
    for year in MOJ_YEARS:
        target, _centre = budget(MOJ_STREAM, year)
        pinned = FIRST_STRAND_ALLOCATIONS[year]
        # The decided amounts are rounded to £10, so 109% of a 2023/24 one is exact to the penny.
        uplift = {s.reference: year >= 2023 and providers[s.provider].vcse for s in strands}
        noisy = {ref: w * rng.uniform(0.97, 1.03) for ref, w in weights.items()}
        free = [s for s in strands if s.reference != FIRST_STRAND]
        spread = sum(noisy[s.reference] * (1 + UPLIFT_PERCENT / 100 if uplift[s.reference] else 1) for s in free)
        scale = (target - _uplifted(pinned, year)) / spread
        for s in strands:
            if s.reference == FIRST_STRAND:
                decided = pinned
            elif year == 2024 and uplift[s.reference]:  # the uplift carried into 2024/25's allocations
                decided = _round_to(noisy[s.reference] * scale * (1 + UPLIFT_PERCENT / 100), 1000)
            else:
                decided = _round_to(noisy[s.reference] * scale, 1000)
            current = _uplifted(decided, year) if year == 2023 and uplift[s.reference] else decided
            s.allocations[year] = AllocationPlan(year, decided, current)
        rest = sum(s.allocations[year].current_pence for s in strands if s is not last_public)
        last_public.allocations[year] = AllocationPlan(year, target - rest, target - rest)


def _uplifted(pence: int, year: int) -> int:
    """2023/24's 9% uplift of a decided amount, to the penny (half up)."""
    return (pence * (100 + UPLIFT_PERCENT) + 50) // 100 if year == 2023 else pence


def plan() -> Plan:
    """The whole demo, decided before anything is made: the same every time."""
    rng = random.Random(SEED)
    moj, vru = _providers(rng)
    strands: list[StrandPlan] = []
    for number, (provider, title, kind) in enumerate(STRANDS, start=1):
        direct: str | None = None
        if number == 1:  # as grants/demo.py made it
            direct = "Continuation of an existing specialist ISVA service; no other provider in the area."
        elif not moj[provider].vcse:
            direct = DIRECT_AWARD_PUBLIC
        elif rng.random() < 0.3:
            direct = rng.choice(DIRECT_AWARD_VCSE)
        strands.append(StrandPlan(f"MOJ-S-{number:03d}", provider, title, kind, direct))
    _share(strands, moj, rng)
    chosen = rng.sample([s.reference for s in strands[1:]], 5)
    held = {ref: HOLD_REASONS[i] for i, ref in enumerate(chosen[:3])}
    interventions = [InterventionPlan(*row) for row in INTERVENTIONS]
    return Plan(moj, strands, interventions, vru, held, chosen[3:])


# -- making it ------------------------------------------------------------------------------------------------


def _local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return london_to_utc(datetime(year, month, day, hour, minute))


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return _local(day.year, day.month, day.day, hour, minute)


def _working_day(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


class _Maker:
    """Makes the planned rows through the workflows, with their audit trail; flushes as it needs ids."""

    def __init__(self, programmes: dict[str, Programme], users: dict[str, Any], member: Member):
        self.programmes = programmes
        self.officer = users["officer"]
        self.finance = users["finance"]
        self.decision = users["decision_maker"]
        self._member = member
        self._members: dict[int, Any] = {}
        self.engine = engine()
        self.rng = random.Random(SEED + 1)
        self.payment_number = 300_000

    def member(self, organisation: Organisation) -> Any:
        """The provider's user who accepts offers and sends returns (asked once per provider)."""
        if organisation.id not in self._members:
            self._members[organisation.id] = self._member(organisation)
        return self._members[organisation.id]

    def walk(self, subject: Any, steps: list[tuple[str, Any, str | None, datetime]]) -> None:
        for name, user, reason, when in steps:
            self.engine.apply(subject, name, user, reason, now=when)

    # organisations and contracts
    def organisations(self, providers: dict[str, ProviderPlan]) -> dict[str, Organisation]:
        names = list(providers)
        found = {o.name: o for o in db.session.scalars(select(Organisation).where(Organisation.name.in_(names)))}
        for name, p in providers.items():
            org = found.get(name)
            if org is None:
                org = Organisation(name=name, org_type=p.org_type, district=p.district, **p.fields)
                org.other_identifier = p.other_identifier
                db.session.add(org)
                found[name] = org
            elif p.other_identifier and not org.other_identifier:
                org.other_identifier = p.other_identifier
        db.session.flush()
        return found

    def contract(
        self,
        reference: str,
        programme: str,
        provider: Organisation,
        title: str,
        amount: int,
        stream: str,
        span: tuple[date, date],
        direct_award: str | None,
        yef_rating: str | None = None,
        specification: str = "",
    ) -> Contract:
        contract = Contract(
            public_reference=reference,
            programme_id=self.programmes[programme].id,
            provider_id=provider.id,
            title=title,
            specification=specification,
            amount_pence=amount,
            budget_stream=stream,
            yef_rating=yef_rating,
            starts_on=span[0],
            end_date=span[1],
        )
        officer, decision = self.officer, self.decision
        start = span[0]
        if direct_award:
            opened = _local(start.year, 1, 10)
            steps = [
                ("choose_direct_award", officer, direct_award, _local(start.year, 2, 1)),
                ("start_procurement", officer, None, _local(start.year, 2, 7)),
                ("award_contract", decision, None, _local(start.year, 3, 1)),
                ("mobilise", officer, None, _local(start.year, 3, 7)),
            ]
        else:
            opened = _local(start.year - 1, 10, 4)
            steps = [
                ("choose_competition", officer, None, _local(start.year - 1, 11, 1)),
                ("start_procurement", officer, None, _local(start.year - 1, 12, 1)),
                ("award_contract", decision, None, _local(start.year, 2, 21)),
                ("mobilise", officer, None, _local(start.year, 3, 1)),
            ]
        start_case(contract, "contract", officer, now=opened)
        self.walk(contract, [*steps, ("start_delivery", officer, None, _at(start, 9))])
        return contract

    # allocations
    def allocation(
        self,
        reference: str,
        contract: Contract,
        provider: Organisation,
        title: str,
        year: int,
        amount: int,
        stream: str,
        terms: str,
        conditions: str,
    ) -> Award:
        _budget, centre = budget(stream, year)
        decided = _local(year, 4, 1, 9)
        award = Award(
            public_reference=reference,
            programme_id=contract.programme_id,
            organisation_id=provider.id,
            contract_id=contract.id,
            title=title,
            amount_pence=amount,
            amount_at_decision_pence=amount,
            decided_at=decided,
            budget_stream=stream,
            cost_centre=centre,
            starts_on=date(year, 4, 1),
            ends_on=date(year + 1, 3, 31),
            payments=[],
            variations=[],
        )
        start_case(award, "award", self.officer, now=decided)
        prepare_offer(award, date(year, 4, 29), conditions)
        award.agreement_terms = terms
        self.walk(award, [("offer", self.officer, None, decided + timedelta(hours=1))])
        grantee = self.member(provider)
        signed = date(year, 4, 1) + timedelta(days=self.rng.randint(1, 12))
        position = "Chief Executive" if provider.org_type in VCSE_TYPES else "Head of Commissioning"
        sign(award, f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}", position, signed)
        self.walk(award, [("accept", grantee, None, _at(signed, 16, 30))])
        return award

    def schedule(self, award: Award, year: int, amounts: list[int], first: int = 1) -> list[Payment]:
        payments = []
        created = award.accepted_at or _local(year, 4, 1)
        for number, (amount, (month, day)) in enumerate(zip(amounts, QUARTER_ENDS, strict=True), start=first):
            due = date(year if month > 3 else year + 1, month, day)
            payment = Payment(award=award, instalment=number, amount_pence=amount, due_on=due)
            start_case(payment, "payment", self.officer, now=created)
            payments.append(payment)
        return payments

    def pay(self, payment: Payment) -> None:
        """Finance approves an instalment three days before it is due and pays it (on a working day)."""
        paid = _working_day(payment.due_on)
        self.payment_number += 1
        pay(payment, self.finance, _at(paid - timedelta(days=3)), paid, f"AP-{paid.year}-{self.payment_number:06d}")

    def start_delivery(self, award: Award) -> None:
        accepted = award.accepted_at
        assert accepted is not None
        started = accepted + timedelta(hours=17)
        self.walk(award, [("start_delivery", self.officer, None, started)])

    def close(self, award: Award, paid: int, on: date, why: str) -> None:
        award.final_spend_pence = paid
        self.walk(award, [("close", self.officer, why, _at(on))])

    def uplift(self, award: Award, after: int) -> Variation:
        """The Mayor's 9% uplift: a variation approved on 1 June 2023."""
        variation = Variation(
            award=award,
            number=1,
            old_amount_pence=award.amount_pence,
            new_amount_pence=after,
            old_ends_on=award.ends_on,
            reason=UPLIFT_REASON,
            requested_by_id=self.officer.id,
        )
        start_case(variation, "variation", self.officer, now=_local(2023, 6, 1, 9))
        self.walk(variation, [("approve", self.decision, UPLIFT_REASON, _local(2023, 6, 1, 11))])
        return variation

    def reschedule(self, award: Award, payments: list[Payment], keep: int) -> list[Payment]:
        """Spread a varied amount over the instalments not yet paid (as the schedule page does)."""
        kept, replaced = payments[:keep], payments[keep:]
        at = _local(2023, 6, 2, 10)
        before = [(p.amount_pence, p.due_on) for p in payments]
        for payment in replaced:
            self.walk(payment, [("cancel", self.officer, REPLACED, at)])
        rest = award.amount_pence - sum(p.amount_pence for p in kept)
        count = len(replaced)
        amounts = [rest // count] * (count - 1) + [rest - rest // count * (count - 1)]
        new = []
        for offset, (old, amount) in enumerate(zip(replaced, amounts, strict=True)):
            payment = Payment(
                award=award, instalment=len(payments) + 1 + offset, amount_pence=amount, due_on=old.due_on
            )
            start_case(payment, "payment", self.officer, now=at)
            new.append(payment)
        after = [(p.amount_pence, p.due_on) for p in kept + new]
        audit.record(
            actor=self.officer,
            subject_type=award.__audit_type__,
            subject_id=award.id,
            subject_reference=award.reference,
            action="schedule_set",
            from_state=f"{money(sum(a for a, _ in before))} in {len(before)} instalments",
            to_state=f"{money(sum(a for a, _ in after))} in {len(after)} instalments",
            reason=UPLIFT_REASON,
            data={
                "before": [f"{money(a)} due {d:%-d %B %Y}" for a, d in before],
                "after": [f"{money(a)} due {d:%-d %B %Y}" for a, d in after],
                "cancelled": len(replaced),
                "added": len(new),
            },
            at=at,
        )
        return kept + new

    def overdue_return(self, award: Award, year: int) -> MonitoringReturn:
        """The Q3 return (October to December) a last instalment waits for, never sent."""
        ret = self._q3_return(award, year)
        self.walk(ret, [("become_overdue", None, None, _local(year + 1, 2, 1, 0, 5))])
        return ret

    def accepted_return(self, award: Award, year: int, grantee: Any) -> MonitoringReturn:
        ret = self._q3_return(award, year)
        sent = date(year + 1, 1, 15) + timedelta(days=self.rng.randint(0, 14))
        self.walk(
            ret,
            [
                ("submit", grantee, None, _at(sent, 15)),
                ("accept", self.officer, None, _at(sent + timedelta(days=self.rng.randint(3, 10)))),
            ],
        )
        return ret

    def _q3_return(self, award: Award, year: int) -> MonitoringReturn:
        ret = MonitoringReturn(
            award=award,
            period_label=f"Q3 {year}-{(year + 1) % 100:02d}",
            period_starts_on=date(year, 10, 1),
            period_ends_on=date(year, 12, 31),
            due_date=date(year + 1, 1, 31),
        )
        start_case(
            ret, "monitoring_return", self.officer, now=(award.accepted_at or _local(year, 4, 1)) + timedelta(hours=17)
        )
        return ret


def _quarters(amount: int) -> list[int]:
    quarter = amount // 4
    return [quarter, quarter, quarter, amount - 3 * quarter]


def load_commissioning(programmes: dict[str, Programme], users: dict[str, Any], member: Member) -> None:
    """Load (or top up) the MoJ strands and VRU interventions with their allocations; caller commits.

    About 5,000 workflow transitions: to keep that quick, the session flushes when it must (a new
    case needs its id, a payment is approved against the unpaid balance) rather than before every
    query, and the load runs in a request context so each user's role grants are read once
    (grants.access caches them per request) rather than on every transition.
    """
    made_first = _existing(Contract, [FIRST_STRAND, FIRST_INTERVENTION])
    if len(made_first) != 2:
        raise LookupError(f"{FIRST_STRAND} and {FIRST_INTERVENTION} are made by grants/demo.py first")
    the_plan = plan()
    maker = _Maker(programmes, users, member)
    request = nullcontext() if has_request_context() else current_app.test_request_context()
    with request, db.session.no_autoflush:
        _load_moj(the_plan, maker)
        _load_vru(the_plan, maker)
        db.session.flush()


def _existing(model: Any, references: list[str]) -> dict[str, Any]:
    rows = db.session.scalars(select(model).where(model.public_reference.in_(references)))
    return {row.public_reference: row for row in rows}


def _load_moj(the_plan: Plan, maker: _Maker) -> None:
    orgs = maker.organisations(the_plan.providers)
    contracts = _existing(Contract, [s.reference for s in the_plan.strands])
    for strand in the_plan.strands:
        if strand.reference in contracts:
            continue
        contracts[strand.reference] = maker.contract(
            strand.reference,
            "MOJ",
            orgs[strand.provider],
            strand.title,
            strand.contract_pence,
            MOJ_STREAM,
            (date(2022, 4, 1), date(2025, 3, 31)),
            strand.direct_award,
            specification=f"{strand.title}, for victims of crime in West Yorkshire, 1 April 2022 to 31 March "
            "2025. Reports quarterly to the Ministry of Justice victims' services outcomes framework: victims "
            "supported, referrals, whether they had reported to the police, and outcomes.",
        )
    db.session.flush()
    wanted = [f"{s.reference}-{a.reference_suffix}" for s in the_plan.strands for a in s.allocations.values()]
    have = set(_existing(Award, wanted))
    for strand in the_plan.strands:
        provider = orgs[strand.provider]
        vcse = the_plan.providers[strand.provider].vcse
        for allocation in strand.allocations.values():
            reference = f"{strand.reference}-{allocation.reference_suffix}"
            if reference in have:
                continue
            _moj_allocation(maker, the_plan, strand, contracts[strand.reference], provider, vcse, allocation)
        db.session.flush()


def _moj_allocation(
    maker: _Maker,
    the_plan: Plan,
    strand: StrandPlan,
    contract: Contract,
    provider: Organisation,
    vcse: bool,
    allocation: AllocationPlan,
) -> None:
    year = allocation.year
    award = maker.allocation(
        f"{strand.reference}-{allocation.reference_suffix}",
        contract,
        provider,
        f"{strand.title}: {year}/{(year + 1) % 100:02d} allocation",
        year,
        allocation.decided_pence,
        MOJ_STREAM,
        MOJ_TERMS,
        "Quarterly monitoring returns in the MoJ victims' services format, due a month after each quarter.",
    )
    payments = maker.schedule(award, year, _quarters(allocation.decided_pence))
    maker.start_delivery(award)
    if allocation.current_pence != allocation.decided_pence:
        maker.uplift(award, allocation.current_pence)
        payments = maker.reschedule(award, payments, keep=1)
    last = payments[-1]
    for payment in payments[:-1]:
        maker.pay(payment)
    if year == 2024 and strand.reference in the_plan.held:
        maker.walk(last, [("hold", maker.finance, the_plan.held[strand.reference], _local(2025, 3, 26, 11))])
        return
    if year == 2024 and strand.reference in the_plan.awaiting_return:
        last.monitoring_return = maker.overdue_return(award, year)
        return
    maker.pay(last)
    maker.close(
        award,
        allocation.current_pence,
        date(year + 1, 5, 16),
        "Year-end monitoring return accepted; the allocation is paid in full.",
    )


def _load_vru(the_plan: Plan, maker: _Maker) -> None:
    orgs = maker.organisations(the_plan.vru_providers)
    references = [FIRST_INTERVENTION] + [i.reference for i in the_plan.interventions]
    contracts = _existing(Contract, references)
    first = contracts[FIRST_INTERVENTION]
    assert first.provider is not None
    span = (date(2023, 4, 1), date(2024, 3, 31))
    for item in the_plan.interventions:
        if item.reference in contracts:
            continue
        contracts[item.reference] = maker.contract(
            item.reference,
            "VRU",
            orgs[item.provider],
            item.title,
            item.amount_pence,
            VRU_STREAM,
            span,
            item.direct_award,
            yef_rating=item.yef_rating,
            specification=f"{item.title}, 1 April 2023 to 31 March 2024, for young people aged 10 to 24 at "
            "risk of serious violence, evaluated against the Youth Endowment Fund toolkit.",
        )
    db.session.flush()
    have = set(_existing(Award, references))
    items = [(FIRST_INTERVENTION, first.provider, first.title, FIRST_INTERVENTION_PENCE, False)] + [
        (i.reference, orgs[i.provider], i.title, i.amount_pence, i.awaiting_return) for i in the_plan.interventions
    ]
    for reference, provider, title, amount, awaiting in items:
        if reference in have:
            continue
        award = maker.allocation(
            reference,
            contracts[reference],
            provider,
            title,
            VRU_YEAR,
            amount,
            VRU_STREAM,
            VRU_TERMS,
            "Quarterly returns of young people reached and sessions delivered; the last instalment follows the "
            "Q3 return.",
        )
        payments = maker.schedule(award, VRU_YEAR, _quarters(amount))
        maker.start_delivery(award)
        for payment in payments[:-1]:
            maker.pay(payment)
        last = payments[-1]
        if awaiting:
            last.monitoring_return = maker.overdue_return(award, VRU_YEAR)
            continue
        last.monitoring_return = maker.accepted_return(award, VRU_YEAR, maker.member(provider))
        maker.pay(last)
        maker.close(award, amount, date(2024, 5, 15), "End-of-year return accepted; the allocation is paid in full.")
    db.session.flush()
