"""Building blocks of the commissioning tests: a programme, a provider with a member, contracts at a stage."""

from __future__ import annotations

from datetime import date

from tests.factories import ContractFactory, OrganisationFactory, ProgrammeFactory


def need_recorded(**overrides):
    """A contract with its need written down (what, why, evidence, stream, estimate), ready for a route."""
    fields = {
        "programme": overrides.pop("programme", None) or ProgrammeFactory(code="VRU", kind="commissioning"),
        "need_summary": "Youth workers in emergency departments",
        "need_reason": "Assault admissions among 10 to 24 year olds rose by a fifth",
        "need_evidence": "VRU strategic needs assessment 2022",
        "budget_stream": "violence_reduction_unit",
        "estimated_value_pence": 9_000_000,
        "starts_on": date(2026, 4, 1),
        "end_date": date(2027, 3, 31),
    }
    fields.update(overrides)
    return ContractFactory(**fields)


def provider(**overrides):
    return OrganisationFactory(**overrides)
