"""Round 3's 198 bids planned without the database (seeded): organisations, amounts, areas of focus, answers."""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from grants.demo import round3_groups as groups
from grants.demo import round3_text as text

SEED = 20221104
APPLICATIONS = 198
TOTAL_PENCE = 129_648_731  # £1,296,487.31: "198 applications asking for about £1.3m"
FIRST_AMOUNT_PENCE = 798_500  # MSCF-R3-0001, approved at the decision with its award
FUNDED_TOTAL_PENCE = 50_609_782  # £506,097.82
# One approved project fell away after the decision (it declined its offer): the Panel's June 2023
# report gives Round 3 as 72 projects, £503,493. That bid asked for £2,604.82 and named no area of focus.
FALLEN_AWAY_PENCE = 260_482
FUNDED_AREAS = {
    text.SV: 12,
    text.HSC: 11,
    text.COVID: 15,
    text.HATE: 12,
    text.CT: 2,
    text.DA: 18,
    text.NC: 42,
    text.ROAD: 8,
}

# The 73 applications approved at the decision of 9 February 2023.
DEMO_R3_FUNDED: tuple[str, ...] = (
    "MSCF-R3-0001", "MSCF-R3-0003", "MSCF-R3-0007", "MSCF-R3-0010", "MSCF-R3-0013", "MSCF-R3-0014",
    "MSCF-R3-0015", "MSCF-R3-0016", "MSCF-R3-0017", "MSCF-R3-0021", "MSCF-R3-0022", "MSCF-R3-0027",
    "MSCF-R3-0032", "MSCF-R3-0033", "MSCF-R3-0034", "MSCF-R3-0037", "MSCF-R3-0043", "MSCF-R3-0045",
    "MSCF-R3-0047", "MSCF-R3-0048", "MSCF-R3-0049", "MSCF-R3-0050", "MSCF-R3-0051", "MSCF-R3-0052",
    "MSCF-R3-0054", "MSCF-R3-0058", "MSCF-R3-0065", "MSCF-R3-0066", "MSCF-R3-0067", "MSCF-R3-0069",
    "MSCF-R3-0070", "MSCF-R3-0071", "MSCF-R3-0073", "MSCF-R3-0076", "MSCF-R3-0077", "MSCF-R3-0078",
    "MSCF-R3-0080", "MSCF-R3-0081", "MSCF-R3-0083", "MSCF-R3-0085", "MSCF-R3-0089", "MSCF-R3-0090",
    "MSCF-R3-0091", "MSCF-R3-0093", "MSCF-R3-0097", "MSCF-R3-0105", "MSCF-R3-0116", "MSCF-R3-0120",
    "MSCF-R3-0122", "MSCF-R3-0124", "MSCF-R3-0125", "MSCF-R3-0126", "MSCF-R3-0129", "MSCF-R3-0131",
    "MSCF-R3-0135", "MSCF-R3-0144", "MSCF-R3-0145", "MSCF-R3-0147", "MSCF-R3-0151", "MSCF-R3-0159",
    "MSCF-R3-0161", "MSCF-R3-0163", "MSCF-R3-0164", "MSCF-R3-0166", "MSCF-R3-0168", "MSCF-R3-0170",
    "MSCF-R3-0172", "MSCF-R3-0179", "MSCF-R3-0186", "MSCF-R3-0187", "MSCF-R3-0188", "MSCF-R3-0191",
    "MSCF-R3-0195",
)  # fmt: skip


def reference(number: int) -> str:
    return f"MSCF-R3-{number:04d}"


# -- the plan (no database) ---------------------------------------------------------------------
@dataclass
class OrganisationPlan:
    name: str
    kind: str
    org_type: str
    district: str
    place: str
    outward: str
    contact: tuple[str, str]
    bids: int = 0
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return "".join(ch for ch in self.name.lower() if ch.isalnum())[:48]


@dataclass
class Bid:
    number: int
    funded: bool
    archetype: str
    organisation: OrganisationPlan
    place: str
    districts: list[str]
    areas: list[str]
    amount_pence: int
    title: str | None = None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    started_at: datetime | None = None
    submitted_at: datetime | None = None

    @property
    def reference(self) -> str:
        return reference(self.number)


def spread_amounts(rng: random.Random, count: int, total: int, low: int, high: int, at_cap: float) -> list[int]:
    """`count` amounts in [low, high] pence adding up to exactly `total`, most in whole £5."""
    assert count * low <= total <= count * high, "the total cannot be reached within the limits"
    amounts = [
        high if rng.random() < at_cap else round(rng.triangular(low, high, high * 0.9) / 500) * 500
        for _ in range(count)
    ]
    order = list(range(count))
    rng.shuffle(order)
    diff = total - sum(amounts)
    while abs(diff) >= 500:
        step = max(500, abs(diff) // count // 500 * 500)
        sign = 1 if diff > 0 else -1
        moved = False
        for i in order:
            if abs(diff) < 500:
                break
            change = sign * min(step, abs(diff) // 500 * 500)
            if low <= amounts[i] + change <= high:
                amounts[i] += change
                diff -= change
                moved = True
        assert moved, "amounts stuck at their limits"
    for i in order:  # the odd pence go on one bid
        if diff == 0:
            break
        if low <= amounts[i] + diff <= high:
            amounts[i] += diff
            diff = 0
    assert diff == 0 and sum(amounts) == total
    return amounts


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _organisation(
    rng: random.Random, archetype: text.Archetype, district: str, organisations: list[OrganisationPlan], taken: set[str]
) -> OrganisationPlan:
    """An organisation of a kind that runs this sort of project: now and then one that has already bid."""
    if rng.random() < 0.12:
        repeat = [o for o in organisations if o.bids == 1 and o.kind in archetype.kinds and o.district == district]
        if repeat:
            return rng.choice(repeat)
    kinds = list(archetype.kinds)
    rng.shuffle(kinds)
    places = list(groups.PLACES[district])
    rng.shuffle(places)
    for place, outward in places:
        for kind in kinds:
            name = groups.KINDS[kind].name.format(place=place)
            org_type = rng.choice(groups.KINDS[kind].org_types)
            if org_type == "cic":
                name += " CIC"
            if name in taken:
                continue
            taken.add(name)
            organisation = OrganisationPlan(
                name=name,
                kind=kind,
                org_type=org_type,
                district=district,
                place=place,
                outward=outward,
                contact=(rng.choice(groups.FIRST_NAMES), rng.choice(groups.LAST_NAMES)),
            )
            organisation.fields = _organisation_fields(rng, organisation)
            organisations.append(organisation)
            return organisation
    raise RuntimeError(f"no organisation name left in {district}")  # pragma: no cover - 84 places x 30 kinds


def _organisation_fields(rng: random.Random, o: OrganisationPlan) -> dict[str, Any]:
    charity = o.org_type in ("registered_charity", "cio") or (
        o.org_type == "company_limited_by_guarantee" and rng.random() < 0.5
    )
    company = o.org_type in ("cic", "company_limited_by_guarantee")
    first, last = o.contact
    return {
        "charity_number": str(rng.randint(1_050_000, 1_199_999)) if charity else None,
        "company_number": f"{rng.randint(4_000_000, 14_999_999):08d}" if company else None,
        "address_line_1": f"{rng.randint(1, 240)} {rng.choice(groups.STREETS)}",
        "town": o.place,
        "postcode": f"{o.outward} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXY')}"
        f"{rng.choice('ABDEFGHJLNPQRSTUWXY')}",
        "annual_income_pence": rng.choice((8, 15, 25, 40, 60, 90, 150, 240, 400)) * 100_000 + rng.randint(0, 999) * 100,
        "safeguarding_lead_name": f"{first} {last}",
        "safeguarding_lead_email": f"safeguarding@{o.slug[:30]}.example.org",
        "bank_account_name": o.name[:200],
        "bank_sort_code": f"{rng.randint(10, 99)}{rng.randint(0, 99):02d}{rng.randint(0, 99):02d}",
        "bank_account_number": f"{rng.randint(10_000_000, 99_999_999)}",
        # A school is known by its URN (Get Information about Schools): its org-id is GB-EDU-<URN>. Made
        # from the name, not the generator, so the draws of everything after stay as they were.
        "other_identifier": f"GB-EDU-{100_000 + zlib.crc32(o.name.encode()) % 900_000}"
        if o.org_type == "school"
        else None,
    }


def _budget(rng: random.Random, archetype: text.Archetype, amount: int) -> list[dict[str, Any]]:
    """Budget lines (item, cost in pence, capital or revenue) that add up to the amount asked for."""
    count = min(len(archetype.budget), rng.randint(2, 4), max(1, amount // 50_000))
    items = rng.sample(archetype.budget, count)
    weights = [rng.uniform(1, 3) for _ in items]
    costs = [int(amount * w / sum(weights)) // 100 * 100 for w in weights[:-1]]
    costs.append(amount - sum(costs))
    return [{"item": item, "cost": cost, "kind": kind} for (item, kind), cost in zip(items, costs)]


def _words(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _values(rng: random.Random, bid: Bid, archetype: text.Archetype, window: tuple[date, date]) -> dict[str, Any]:
    """The checked answers to every section, as the Round 3 form stores them."""
    o = bid.organisation
    first, last = o.contact
    place = bid.place
    who = archetype.who.format(place=place)
    partners = rng.sample(text.PARTNERS, 2)
    title = bid.title or rng.choice(archetype.titles).format(place=place)
    starts_on = window[0] + timedelta(days=rng.randint(2, 80))
    ends_on = min(window[1], starts_on + timedelta(days=rng.randint(150, 340)))
    months = max(3, (ends_on - starts_on).days // 30)
    budget_lines = _budget(rng, archetype, bid.amount_pence)
    match = rng.randint(5, 60) * 10_000 if rng.random() < 0.4 else None
    served = ", ".join(place if d == o.district else groups.PLACES[d][0][0] for d in bid.districts)
    return {
        "organisation": {
            "contact_name": f"{first} {last}",
            "contact_phone": rng.choice(
                (f"0113 496 0{rng.randint(0, 999):03d}", f"07700 900{rng.randint(0, 999):03d}")
            ),
            "what_you_do": f"{o.name} {groups.KINDS[o.kind].does}. We are based in {o.place}, and most of our "
            "staff and volunteers live locally.",
            "years_operating": rng.randint(1, 45),
        },
        "project": {
            "project_title": title[:100],
            "summary": f"{_words(archetype.activity)}, for {who}."[:400],
            "description": " ".join(
                (
                    f"Over {months} months we will run {archetype.activity}.",
                    f"The project is for {who}.",
                    archetype.need,
                    f"We will work closely with {partners[0]} and {partners[1]}, who will refer people to us "
                    "and help us reach those who need it most.",
                    f"Sessions will take place in {served}, at times that suit the people taking part, "
                    "including evenings and school holidays.",
                )
            ),
            "start_date": starts_on.isoformat(),
            "end_date": ends_on.isoformat(),
            "districts": bid.districts,
            "wards": rng.choice((place, f"{place}, {o.outward}", "")),
        },
        "focus": {
            "areas_of_focus": bid.areas,
            "mental_health": "yes" if rng.random() < 0.55 else "no",
        },
        "priorities": {
            "priorities": [p for p in text.PRIORITY_ORDER
                           if p in archetype.priorities or (p == "keeping_people_safe" and rng.random() < 0.3)],
            "themes": [t for t in text.THEME_ORDER if t in archetype.themes or rng.random() < 0.15],
        },
        "people": {
            # People taking part directly: a tenth of the archetype's community reach (the Panel's reports
            # count about 300 people per neighbourhood-crime project).
            "people_reached": max(12, rng.randint(*archetype.reach) // 10),
            "who": _words(who) + ".",
        },
        "outcomes": {"outcomes": archetype.outcome, "measures": archetype.measure},
        "budget": {
            "budget_lines": budget_lines,
            "match_funding": match,
            "match_funding_source": rng.choice(text.MATCH_SOURCES) if match else "",
        },
        "safeguarding": {
            "works_with_vulnerable": "yes" if archetype.vulnerable else "no",
            "dbs_checks": "yes" if archetype.vulnerable or rng.random() < 0.5 else "not_needed",
        },
        "equality": {
            "eia_groups": rng.choice(text.EIA_GROUPS).format(who=who),
            "eia_barriers": rng.choice(text.EIA_BARRIERS),
            "eia_monitoring": rng.choice(text.EIA_MONITORING),
        },
        "declarations": {
            "declarations": ["true_and_complete", "terms", "monitoring"],
            "declared_by": f"{first} {last}",
            "declared_position": rng.choice(groups.POSITIONS),
        },
    }  # fmt: skip


@dataclass
class Plan:
    first: Bid
    bids: list[Bid]  # MSCF-R3-0002 onwards, in reference order
    organisations: list[OrganisationPlan]

    @property
    def all_bids(self) -> list[Bid]:
        return [self.first, *self.bids]


def plan(
    window: tuple[date, date],
    opens_at: datetime,
    closes_at: datetime,
    first_submitted_at: datetime,
    taken_names: Iterable[str] = (),
) -> Plan:
    """Round 3's 198 bids, the same every time."""
    rng = random.Random(SEED)
    funded_numbers = {int(ref.rsplit("-", 1)[1]) for ref in DEMO_R3_FUNDED} - {1}
    numbers = range(2, APPLICATIONS + 1)
    funded_kinds = [name for name, count in text.FUNDED_ARCHETYPES.items() for _ in range(count)]
    assert len(funded_kinds) == len(funded_numbers) == 72
    rng.shuffle(funded_kinds)
    funded_amounts = spread_amounts(rng, 72, FUNDED_TOTAL_PENCE - FIRST_AMOUNT_PENCE, 300_000, 800_000, 0.3)
    other_amounts = spread_amounts(rng, APPLICATIONS - 73, TOTAL_PENCE - FUNDED_TOTAL_PENCE, 100_000, 800_000, 0.25)

    taken = set(taken_names)
    organisations: list[OrganisationPlan] = []
    calder = OrganisationPlan(
        name="Calder Valley Boxing Club CIC", kind="{place} Boxing Club", org_type="cic", district="calderdale",
        place="Hebden Bridge", outward="HX7", contact=("Dean", "Sutcliffe"), bids=1,
    )  # fmt: skip
    first = Bid(1, True, "youth_violence", calder, "Hebden Bridge and Mytholmroyd", ["calderdale"],
                [text.SV, text.NC], FIRST_AMOUNT_PENCE,
                title="Gloves Not Knives: boxing and mentoring for 11-16s")  # fmt: skip
    bids: list[Bid] = []
    district_names = list(groups.DISTRICT_WEIGHTS)
    for number in numbers:
        funded = number in funded_numbers
        name = funded_kinds.pop() if funded else _weighted(rng, text.OTHER_ARCHETYPES)
        archetype = text.ARCHETYPES[name]
        district = _weighted(rng, groups.DISTRICT_WEIGHTS)
        organisation = _organisation(rng, archetype, district, organisations, taken)
        organisation.bids += 1
        districts = [organisation.district]
        roll = rng.random()
        if roll < 0.04:
            districts = list(district_names)
        elif roll < 0.16:
            districts.append(rng.choice([d for d in district_names if d != organisation.district]))
        districts.sort()  # as the form posts them: in the vocabulary's (alphabetical) order
        bids.append(
            Bid(
                number=number,
                funded=funded,
                archetype=name,
                organisation=organisation,
                place=organisation.place,
                districts=districts,
                areas=sorted(archetype.areas, key=text.AREA_ORDER.index),
                amount_pence=(funded_amounts if funded else other_amounts).pop(),
            )
        )

    _fall_away(bids)
    first.values = _values(rng, first, text.ARCHETYPES[first.archetype], window)
    first.values["budget"]["budget_lines"] = [
        {"item": "Boxing coach sessions, two evenings a week", "cost": 420_000, "kind": "revenue"},
        {"item": "Mentor training and DBS checks", "cost": 98_500, "kind": "revenue"},
        {"item": "Gloves, pads and safety kit", "cost": 130_000, "kind": "capital"},
        {"item": "Hall hire", "cost": 150_000, "kind": "revenue"},
    ]
    first.values["people"]["people_reached"] = 120
    # Submitted one by one after MSCF-R3-0001, most in the last two days before the close.
    last = closes_at - timedelta(minutes=3)
    span = (last - first_submitted_at).total_seconds()
    moments = sorted(rng.uniform(60, span) for _ in bids)
    for bid, offset in zip(bids, moments):
        bid.values = _values(rng, bid, text.ARCHETYPES[bid.archetype], window)
        bid.submitted_at = first_submitted_at + timedelta(seconds=int(offset))
        earliest = opens_at + timedelta(hours=2)
        bid.started_at = max(earliest, bid.submitted_at - timedelta(hours=rng.randint(3, 24 * 28)))
    return Plan(first=first, bids=bids, organisations=organisations)


def _fall_away(bids: list[Bid]) -> None:
    """Give the first funded bid with no area of focus the amount of the project that later fell away,
    moving the difference onto the smallest funded bids so the decision's total stays exact."""
    fallen = next(b for b in bids if b.funded and not b.areas)
    spare = fallen.amount_pence - FALLEN_AWAY_PENCE
    fallen.amount_pence = FALLEN_AWAY_PENCE
    for bid in sorted((b for b in bids if b.funded and b is not fallen), key=lambda b: (b.amount_pence, b.number)):
        moved = min(spare, 800_000 - bid.amount_pence)
        bid.amount_pence += moved
        spare -= moved
        if spare == 0:
            break
    assert spare == 0
