"""Every area's kinds of case, registered in one place; only the app factory imports this module."""

from __future__ import annotations

from grants import notifications
from grants.admin import services as admin_services
from grants.apply import cases as apply_cases
from grants.assessors import cases as assessor_cases
from grants.awards import cases as award_cases
from grants.case_types import CaseTypes
from grants.cases import officers as case_officers
from grants.commissioning import cases as commissioning_cases
from grants.decisions import cases as decision_cases
from grants.monitoring import cases as monitoring_cases
from grants.payments import cases as payment_cases
from grants.work_queues import WorkQueues

# Effects any definition may name, whatever its kind of case: the emails. (Each case type declares the
# shared guards and effects it uses from grants/case_rules.py itself.)
SHARED_EFFECTS = dict(notifications.EFFECTS)


def case_types() -> CaseTypes:
    registered = CaseTypes()
    for module in (apply_cases, assessor_cases, award_cases, payment_cases, monitoring_cases, commissioning_cases):
        for case_type in module.CASE_TYPES:
            registered.register(case_type)
    registered.contribute("application", decision_cases.APPLICATION_STEPS)
    return registered


def work_queues() -> WorkQueues:
    """What waits for each staff role: every area's queues, most pressing first within an area."""
    registered = WorkQueues()
    for module in (apply_cases, decision_cases, assessor_cases, award_cases, payment_cases, monitoring_cases,
                   commissioning_cases, case_officers, admin_services):  # fmt: skip
        registered.add(module.WORK_QUEUES)
    return registered
