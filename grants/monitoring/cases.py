"""The kind of case the monitoring area owns: a monitoring return."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants import case_rules
from grants.case_types import CaseType
from grants.formatting import london, london_date
from grants.models import Award, MonitoringReturn


def return_facts(subject: MonitoringReturn) -> list[tuple[str, str]]:
    return [
        ("Award", subject.award.reference),
        ("Organisation", subject.award.organisation.name),
        ("Period", subject.period_label),
        ("Due", london_date(subject.due_date)),
        ("Submitted", london(subject.submitted_at) or "Not yet"),
    ]


def _clause(ids: list[int]) -> Any:
    return MonitoringReturn.award_id.in_(select(Award.id).where(Award.programme_id.in_(ids)))


MONITORING_RETURN = CaseType(
    kind="return",
    model=MonitoringReturn,
    workflow="monitoring_return",
    label="Monitoring return",
    plural="Monitoring returns",
    effects=case_rules.EFFECTS,
    facts=return_facts,
    programme_clause=_clause,
    eager=lambda: [joinedload(MonitoringReturn.award).joinedload(Award.organisation)],
)

CASE_TYPES = [MONITORING_RETURN]
