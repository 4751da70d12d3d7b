"""The kind of case the commissioning area owns: a commissioned contract or strand of provision."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from grants import case_rules
from grants.case_types import CaseType
from grants.formatting import london_date, money
from grants.models import Contract


def contract_facts(subject: Contract) -> list[tuple[str, str]]:
    return [
        ("Programme", subject.programme.name),
        ("Provider", subject.provider.name if subject.provider else "Not chosen yet"),
        ("Title", subject.title),
        ("Value", money(subject.amount_pence)),
        ("Ends", london_date(subject.end_date) or "Not set"),
    ]


CONTRACT = CaseType(
    model=Contract,
    label="Contract",
    plural="Contracts and strands",
    guards=case_rules.GUARDS,
    facts=contract_facts,
    programme_clause=case_rules.by_programme(Contract.programme_id),
    eager=lambda: [joinedload(Contract.provider), joinedload(Contract.programme)],
)

CASE_TYPES = [CONTRACT]
