"""The figures returns report, by key: what each is called and whether it counts people or money.

A return form's metric question names one of these keys (`metric = "victims_supported"`); when
its section is completed, the answer is copied to a ReturnMetric row under that key, so reports add
the figures up in SQL. Counts are whole numbers of people or cases; money is in pence. The MoJ keys
are the figures the team reports to the Ministry of Justice each year.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNT, MONEY = "count", "money"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    kind: str = COUNT


_ALL = [
    # Every programme
    Metric("people_reached", "People reached"),
    Metric("spend_to_date", "Spend to date", MONEY),
    Metric("referrals", "Referrals received"),
    Metric("sessions_delivered", "Sessions delivered"),
    Metric("volunteers", "Volunteers involved"),
    # VRU commissioned interventions
    Metric("young_people_engaged", "Young people engaged"),
    Metric("young_people_completed", "Young people completing the intervention"),
    # MoJ victims' services: the figures reported to the Ministry
    Metric("victims_supported", "Victims supported directly"),
    Metric("idva_domestic_abuse", "Domestic-abuse victims supported by IDVAs"),
    Metric("isva_sexual_abuse", "Sexual-abuse victims supported by ISVAs"),
    Metric("reported_before", "Victims who had reported to the police before engaging"),
    Metric("reported_during_or_after", "Victims who reported to the police during or after support"),
    Metric("mental_health_referrals", "Victims referred to mental-health support"),
    Metric("restorative_justice", "Victims supported by the restorative-justice service"),
]

METRICS: dict[str, Metric] = {metric.key: metric for metric in _ALL}

MOJ_METRICS = (
    "victims_supported",
    "idva_domestic_abuse",
    "isva_sexual_abuse",
    "reported_before",
    "reported_during_or_after",
    "mental_health_referrals",
    "restorative_justice",
)
