"""Targets: what an award aims to reach on a metric in a period (baseline and target), set by an
officer, and shown beside what its return for that period reported (the actual)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from grants import access, audit
from grants.extensions import db
from grants.formatting import money, pence_from_pounds, whole_number
from grants.models import Award, MonitoringReturn, MonitoringTarget, ReturnMetric
from grants.monitoring.metrics import METRICS, MONEY
from grants.transactions import commit_or_conflict
from workflows import Conflict

PERIOD_MAX = 64
LIMIT = 10**15  # pence or people: more than any award will report


class Invalid(ValueError):
    """What was typed cannot be used: messages by field."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class NotAllowed(Exception):
    """Only an officer of the award's programme sets its targets."""


@dataclass(frozen=True)
class Figure:
    """One metric in one period: what was aimed at, and what the return reported."""

    period_label: str
    metric: str
    baseline: int | None
    target: int | None
    actual: int | None

    @property
    def label(self) -> str:
        found = METRICS.get(self.metric)
        return found.label if found else self.metric.replace("_", " ").capitalize()

    @property
    def is_money(self) -> bool:
        found = METRICS.get(self.metric)
        return bool(found and found.kind == MONEY)

    def show(self, value: int | None) -> str:
        if value is None:
            return "Not set"
        return money(value) if self.is_money else f"{value:,}"

    @property
    def against_target(self) -> str:
        """ "120 of 100 (120%)", or what is missing."""
        if self.target is None:
            return "No target"
        if self.actual is None:
            return "Not reported yet"
        share = f" ({self.actual * 100 // self.target}%)" if self.target else ""
        return f"{self.show(self.actual)} of {self.show(self.target)}{share}"


def _order(figure: Figure) -> tuple[str, int, str]:
    keys = list(METRICS)
    return (figure.period_label, keys.index(figure.metric) if figure.metric in keys else len(keys), figure.metric)


def figures_for_return(subject: MonitoringReturn) -> list[Figure]:
    """The return's reported metrics beside the award's targets for the return's period."""
    actual = dict(
        db.session.execute(
            select(ReturnMetric.metric, ReturnMetric.value).where(ReturnMetric.monitoring_return_id == subject.id)
        ).all()
    )
    aims = {
        t.metric: t
        for t in db.session.scalars(
            select(MonitoringTarget).where(
                MonitoringTarget.award_id == subject.award_id, MonitoringTarget.period_label == subject.period_label
            )
        )
    }
    figures = [
        Figure(
            period_label=subject.period_label,
            metric=metric,
            baseline=aims[metric].baseline if metric in aims else None,
            target=aims[metric].target if metric in aims else None,
            actual=actual.get(metric),
        )
        for metric in set(actual) | set(aims)
    ]
    return sorted(figures, key=_order)


def figures_for_awards(award_ids: Iterable[int]) -> dict[int, list[Figure]]:
    """Every award's targets, each beside what the award's return for that period reported
    (an accepted return first, else the latest); two statements whatever the number of awards."""
    ids = list(award_ids)
    if not ids:
        return {}
    aims = list(
        db.session.scalars(
            select(MonitoringTarget).where(MonitoringTarget.award_id.in_(ids)).order_by(MonitoringTarget.id)
        )
    )
    reported: dict[tuple[int, str, str], int] = {}
    if aims:
        rows = db.session.execute(
            select(MonitoringReturn.award_id, MonitoringReturn.period_label, ReturnMetric.metric, ReturnMetric.value)
            .join(ReturnMetric, ReturnMetric.monitoring_return_id == MonitoringReturn.id)
            .where(MonitoringReturn.award_id.in_(ids))
            .order_by(MonitoringReturn.id)
        )
        for award_id, period, metric, value in rows:
            reported[(award_id, period, metric)] = value  # the latest return of the period wins
    found: dict[int, list[Figure]] = {award_id: [] for award_id in ids}
    for aim in aims:
        found[aim.award_id].append(
            Figure(
                period_label=aim.period_label,
                metric=aim.metric,
                baseline=aim.baseline,
                target=aim.target,
                actual=reported.get((aim.award_id, aim.period_label, aim.metric)),
            )
        )
    return {award_id: sorted(figures, key=_order) for award_id, figures in found.items()}


def periods_of(award: Award) -> list[str]:
    """The award's return periods, in order: the periods a target can be set for."""
    return list(
        db.session.scalars(
            select(MonitoringReturn.period_label)
            .where(MonitoringReturn.award_id == award.id)
            .group_by(MonitoringReturn.period_label)
            .order_by(MonitoringReturn.period_label)
        )
    )


def _figure(typed: str, metric: str, noun: str, errors: dict[str, str], field: str, *, required: bool) -> int | None:
    typed = typed.strip()
    if not typed:
        if required:
            errors[field] = f"Enter the {noun}"
        return None
    is_money = METRICS[metric].kind == MONEY if metric in METRICS else False
    if typed.replace(" ", "").lstrip("£").startswith("-"):
        errors[field] = f"The {noun} must be 0 or more"
        return None
    value = pence_from_pounds(typed) if is_money else whole_number(typed)
    if value is None:
        errors[field] = (
            f"Enter the {noun} in pounds and pence, like 1,250.50"
            if is_money
            else f"Enter the {noun} as a whole number, like 120"
        )
        return None
    if value >= LIMIT:
        errors[field] = f"The {noun} is too large"
        return None
    return value


def set_target(
    user: Any, award: Award, metric: str, period_label: str, baseline_typed: str, target_typed: str
) -> MonitoringTarget:
    """Set (or change) the award's target on one metric for one period; audited `target_set`."""
    if "officer" not in access.staff_roles(user, award.programme_id):
        raise NotAllowed("Only an officer of this programme can set targets.")
    errors: dict[str, str] = {}
    if metric not in METRICS:
        errors["metric"] = "Select the figure the target is for"
    period = " ".join(period_label.split())
    if not period:
        errors["period_label"] = "Enter the period, for example Q1 2024-25 or 6 months"
    elif len(period) > PERIOD_MAX:
        errors["period_label"] = f"The period must be {PERIOD_MAX} characters or fewer"
    baseline = _figure(baseline_typed, metric, "baseline", errors, "baseline", required=False)
    target = _figure(target_typed, metric, "target", errors, "target", required=True)
    if errors:
        raise Invalid(errors)
    assert target is not None
    found = db.session.scalar(
        select(MonitoringTarget).where(
            MonitoringTarget.award_id == award.id,
            MonitoringTarget.metric == metric,
            MonitoringTarget.period_label == period,
        )
    )
    shown = Figure(period, metric, baseline, target, None)
    before = None
    if found is None:
        found = MonitoringTarget(award_id=award.id, metric=metric, period_label=period, target=target)
        db.session.add(found)
    else:
        before = f"{shown.show(found.target)} (baseline {shown.show(found.baseline)})"
    found.baseline, found.target, found.set_by_id = baseline, target, getattr(user, "id", None)
    audit.record_on(
        award,
        actor=user,
        action="target_set",
        from_state=before,
        to_state=f"{shown.show(target)} (baseline {shown.show(baseline)})",
        data={"metric": metric, "period": period, "baseline": baseline, "target": target},
    )
    commit_or_conflict(lambda: Conflict(award), duplicates=True)
    return found
