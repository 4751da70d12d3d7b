"""The demo's commissioning planned without the database (seeded): providers, strands, allocations."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grants.demo.awards import BUDGETS
from grants.demo.commissioning_text import (
    DIRECT_AWARD_PUBLIC,
    DIRECT_AWARD_VCSE,
    EXISTING,
    FIRST_STRAND,
    FIRST_STRAND_ALLOCATIONS,
    HOLD_REASONS,
    INTERVENTIONS,
    KINDS,
    MOJ_STREAM,
    MOJ_YEARS,
    PUBLIC_PROVIDERS,
    SEED,
    STRANDS,
    UPLIFT_PERCENT,
    VCSE_PROVIDERS,
    VCSE_TYPES,
    VRU_PROVIDERS,
)
from grants.demo.round3_groups import FIRST_NAMES, LAST_NAMES, STREETS

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


def budget(stream: str, year: int) -> tuple[int, str]:
    """A demo budget's amount and cost centre (the Budget rows grants/demo/awards.py makes)."""
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
        if number == 1:  # as grants/demo/featured.py made it
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
