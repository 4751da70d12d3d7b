"""A grant's red/amber/green rating: the officer's own judgement (with a reason, audited `rag_set`,
locked to the award's version), beside the flags the monitoring raises by itself:

- a return is overdue;
- spend is far below plan: the latest accepted return's spend to date is less than half the award's
  pro-rata share at the end of that return's period;
- an accepted return is missing metrics: it reported none, or none for a metric with a target.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from grants import access, audit
from grants.errors import NotFound
from grants.extensions import db
from grants.formatting import money
from grants.models import Award, MonitoringReturn, MonitoringTarget, ReturnMetric
from grants.models.base import utcnow
from grants.transactions import commit_or_conflict
from grants.workflow_states import states
from workflows import Conflict

VIEW_ROLES = access.CASE_PAGE_ROLES
LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "": "Not rated"}
REASON_MAX = 5000
CONFLICT = (
    "Someone else changed this award while you were rating it. Nothing you entered has been saved: "
    "here is its rating now; check it, then try again if it still needs changing."
)


class Invalid(ValueError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class NotAllowed(Exception):
    """Only an officer of the award's programme rates it."""


def roles_on(user: Any, award: Award) -> frozenset[str]:
    return access.staff_roles(user, award.programme_id)


def award_for_staff(award_id: int, user: Any) -> Award:
    """The award, if the user reads cases on its programme; anyone else gets a 404."""
    award = db.session.get(Award, award_id, options=[joinedload(Award.organisation), joinedload(Award.programme)])
    if (
        award is None
        or not access.staff_roles(user, award.programme_id) & VIEW_ROLES
        or access.has_conflict(user, award)
    ):
        raise NotFound(str(award_id))
    return award


def set_rating(user: Any, award: Award, rating: str, reason: str, expected_version: int | None) -> Award:
    """The officer's rating with the reason; a stale version is a Conflict and nothing is written."""
    if "officer" not in roles_on(user, award):
        raise NotAllowed("Only an officer of this programme can rate this grant.")
    errors: dict[str, str] = {}
    if rating not in ("red", "amber", "green"):
        errors["rating"] = "Select red, amber or green"
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Enter the reason for the rating"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX:,} characters or fewer"
    if errors:
        raise Invalid(errors)
    if expected_version is not None and expected_version != award.version_id:
        raise Conflict(award)
    before = award.rag_rating
    award.rag_rating, award.rag_reason = rating, reason
    award.rag_set_at, award.rag_set_by_id = utcnow(), getattr(user, "id", None)
    audit.record_on(
        award,
        actor=user,
        action="rag_set",
        from_state=LABELS[before] if before else None,
        to_state=LABELS[rating],
        reason=reason,
    )
    commit_or_conflict(lambda: Conflict(award))
    return award


def _share(award: Award, on: date) -> int | None:
    """The award's pro-rata share of its amount by this date (None without delivery dates)."""
    if award.starts_on is None or award.ends_on is None or award.ends_on <= award.starts_on:
        return None
    elapsed = (min(max(on, award.starts_on), award.ends_on) - award.starts_on).days
    return award.amount_pence * elapsed // (award.ends_on - award.starts_on).days


def flags_for(awards: Iterable[Award], today: date) -> dict[int, list[str]]:
    """The automatic flags of each award; three statements whatever the number of awards."""
    by_id = {award.id: award for award in awards}
    flags: dict[int, list[str]] = {award_id: [] for award_id in by_id}
    if not by_id:
        return flags
    ids = list(by_id)
    late = db.session.execute(
        select(MonitoringReturn.award_id, func.count(), func.min(MonitoringReturn.due_date))
        .where(MonitoringReturn.award_id.in_(ids), MonitoringReturn.state.in_(states("return", "late")))
        .group_by(MonitoringReturn.award_id)
    )
    for award_id, count, oldest in late:
        noun = "return is" if count == 1 else "returns are"
        flags[award_id].append(f"{count} {noun} overdue (the oldest was due {oldest:%-d %B %Y})")
    accepted = list(
        db.session.execute(
            select(
                MonitoringReturn.id,
                MonitoringReturn.award_id,
                MonitoringReturn.period_label,
                MonitoringReturn.period_ends_on,
                MonitoringReturn.spend_to_date_pence,
                func.count(ReturnMetric.id),
            )
            .outerjoin(ReturnMetric, ReturnMetric.monitoring_return_id == MonitoringReturn.id)
            .where(MonitoringReturn.award_id.in_(ids), MonitoringReturn.state.in_(states("return", "return_accepted")))
            .group_by(
                MonitoringReturn.id,
                MonitoringReturn.award_id,
                MonitoringReturn.period_label,
                MonitoringReturn.period_ends_on,
                MonitoringReturn.spend_to_date_pence,
            )
            .order_by(MonitoringReturn.period_ends_on, MonitoringReturn.id)
        )
    )
    wanted: dict[tuple[int, str], set[str]] = {}
    reported: dict[int, set[str]] = {}
    if accepted:
        for award_id, period, metric in db.session.execute(
            select(MonitoringTarget.award_id, MonitoringTarget.period_label, MonitoringTarget.metric).where(
                MonitoringTarget.award_id.in_(ids)
            )
        ):
            wanted.setdefault((award_id, period), set()).add(metric)
        for return_id, metric in db.session.execute(
            select(ReturnMetric.monitoring_return_id, ReturnMetric.metric)
            .join(MonitoringReturn, MonitoringReturn.id == ReturnMetric.monitoring_return_id)
            .where(MonitoringReturn.award_id.in_(ids))
        ):
            reported.setdefault(return_id, set()).add(metric)
    latest: dict[int, tuple[date, int | None]] = {}
    for return_id, award_id, period, ends_on, spend, metrics in accepted:
        latest[award_id] = (ends_on, spend)
        missing = wanted.get((award_id, period), set()) - reported.get(return_id, set())
        if metrics == 0:
            flags[award_id].append(f"The accepted {period} return reported no figures")
        elif missing:
            flags[award_id].append(f"The accepted {period} return is missing {len(missing)} figure(s) with a target")
    for award_id, (ends_on, spend) in latest.items():
        share = _share(by_id[award_id], min(ends_on, today))
        if spend is not None and share and spend * 2 < share:
            flags[award_id].append(
                f"Spend is far below plan: {money(spend)} spent by {ends_on:%-d %B %Y}, against {money(share)} pro rata"
            )
    return flags
