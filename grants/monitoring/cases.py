"""The kind of case the monitoring area owns: a monitoring return."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from grants import case_rules
from grants.case_types import CaseType
from grants.formatting import london, london_date
from grants.models import Award, MonitoringReturn


def return_facts(subject: MonitoringReturn) -> list[tuple[str, str]]:
    return [
        *case_rules.award_facts(subject.award),
        ("Period", subject.period_label),
        ("Due", london_date(subject.due_date)),
        ("Submitted", london(subject.submitted_at) or "Not yet"),
    ]


MONITORING_RETURN = CaseType(
    model=MonitoringReturn,
    workflow="monitoring_return",
    label="Monitoring return",
    effects=case_rules.EFFECTS,
    facts=return_facts,
    programme_clause=case_rules.through_award(MonitoringReturn.award_id),
    eager=lambda: [joinedload(MonitoringReturn.award).joinedload(Award.organisation)],
)

CASE_TYPES = [MONITORING_RETURN]
