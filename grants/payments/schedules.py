"""An award's payment schedule: instalments with amounts and due dates that add up to the award.

Instalments finance has approved, held or paid are kept as they are (locked). The others
("scheduled", never approved) are what the officer edits. Saving replaces them through the
payment workflow: an unchanged row is kept, a changed or removed one is cancelled (the
"cancel" transition, with its audit row) and a new one is started on the workflow. Nothing
is deleted, and an instalment's reference (AWD-0001-P2) never comes back meaning another
amount. One "schedule_set" row on the award's history says what the schedule was and is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from grants import audit
from grants.extensions import db
from grants.formatting import london_date, money, pence_from_pounds
from grants.models import Award, MonitoringReturn, Payment
from grants.payments.services import (
    Invalid,
    NotAllowed,
    Stale,
    award_for_update,
    before_award_message,
    commit_or_stale,
    parse_date,
    require_officer,
)
from grants.workflow import apply_transition, start_case
from grants.workflow_states import state_labels, states

EDITABLE = "scheduled"
MAX_ROWS = 24  # monthly over two years
REPLACED = "Replaced when the payment schedule was changed."


@dataclass
class RowInput:
    """One editable row of the schedule form, as typed."""

    payment_id: int | None = None
    amount: str = ""
    due: tuple[str, str, str] = ("", "", "")
    return_id: str = ""

    @property
    def blank(self) -> bool:
        return not self.amount.strip() and not any(p.strip() for p in self.due) and not self.return_id

    @classmethod
    def from_payment(cls, payment: Payment) -> RowInput:
        return cls(
            payment_id=payment.id,
            amount=f"{payment.amount_pence // 100}.{payment.amount_pence % 100:02d}",
            due=(str(payment.due_on.day), str(payment.due_on.month), str(payment.due_on.year)),
            return_id=str(payment.monitoring_return_id or ""),
        )


@dataclass(frozen=True)
class Instalment:
    """A checked row: what a live instalment will be."""

    payment_id: int | None
    amount_pence: int
    due_on: date
    return_id: int | None


@dataclass
class Schedule:
    award: Award
    locked: list[Payment]
    scheduled: list[Payment]
    cancelled: list[Payment]
    returns: list[MonitoringReturn]
    fingerprint: str
    states: dict[str, str] = field(default_factory=dict)

    @property
    def locked_pence(self) -> int:
        return sum(p.amount_pence for p in self.locked)

    @property
    def live_pence(self) -> int:
        return self.locked_pence + sum(p.amount_pence for p in self.scheduled)

    @property
    def editable(self) -> bool:
        return self.award.state not in states("award", "ended")

    @property
    def problem(self) -> str | None:
        """Why the live instalments do not match the award now (after a variation, say), or None."""
        if not self.locked and not self.scheduled:
            return None
        total = self.live_pence
        if total != self.award.amount_pence:
            return (
                f"The instalments add up to {money(total)} but the award is {money(self.award.amount_pence)}. "
                "Change the schedule so that they match."
            )
        return None

    def first_number(self) -> int:
        """The number the form's first row shows: after the locked instalments."""
        return len(self.locked) + 1


def _payments(award: Award) -> list[Payment]:
    return list(
        db.session.scalars(
            select(Payment)
            .where(Payment.award_id == award.id)
            .order_by(Payment.instalment, Payment.id)
            .execution_options(populate_existing=True)
        )
    )


def _fingerprint(payments: list[Payment]) -> str:
    return ",".join(f"{p.id}.{p.version_id}" for p in sorted(payments, key=lambda p: p.id))


def returns_of(award: Award) -> list[MonitoringReturn]:
    return list(
        db.session.scalars(
            select(MonitoringReturn)
            .where(MonitoringReturn.award_id == award.id, MonitoringReturn.state != "waived")
            .order_by(MonitoringReturn.due_date, MonitoringReturn.id)
        )
    )


def schedule_of(award: Award) -> Schedule:
    payments = _payments(award)
    return Schedule(
        award=award,
        locked=[p for p in payments if p.state in states("payment", "locked")],
        scheduled=sorted((p for p in payments if p.state == EDITABLE), key=lambda p: (p.due_on, p.instalment)),
        cancelled=[p for p in payments if p.state == "cancelled"],
        returns=returns_of(award),
        fingerprint=_fingerprint(payments),
        states=state_labels("payment"),
    )


def starting_rows(schedule: Schedule) -> list[RowInput]:
    rows = [RowInput.from_payment(p) for p in schedule.scheduled]
    if not rows and not schedule.locked:
        rows = [RowInput()]
    return rows


# -- checking what was typed ---------------------------------------------------------------------
def check_rows(schedule: Schedule, rows: list[RowInput]) -> list[Instalment]:
    """The rows as instalments, or Invalid with a message for each field that is wrong (ids as in the form)."""
    award = schedule.award
    errors: dict[str, str] = {}
    checked: list[Instalment] = []
    returns = {str(r.id): r for r in schedule.returns}
    earliest = award.made_on
    for index, row in enumerate(rows):
        if row.blank:
            continue
        number = schedule.first_number() + index
        name = f"instalment {number}"
        prefix = f"instalments-{index}"
        amount: int | None = None
        typed = row.amount.strip()
        if not typed:
            errors[f"{prefix}-amount"] = f"Enter the amount of {name}"
        elif typed.replace(" ", "").lstrip("£").startswith("-"):
            errors[f"{prefix}-amount"] = f"The amount of {name} must be more than £0"
        else:
            amount = pence_from_pounds(typed)
            if amount is None:
                errors[f"{prefix}-amount"] = f"Enter the amount of {name} in pounds and pence, like 1250 or 1250.50"
            elif amount <= 0:
                errors[f"{prefix}-amount"] = f"The amount of {name} must be more than £0"
                amount = None
        due, problem = parse_date(row.due)
        if problem == "blank":
            errors[f"{prefix}-due"] = f"Enter the due date of {name}"
        elif problem:
            errors[f"{prefix}-due"] = f"The due date of {name} {problem}"
        elif due is not None and due < earliest:
            errors[f"{prefix}-due"] = before_award_message(f"The due date of {name}", award)
            due = None
        return_id: int | None = None
        if row.return_id:
            if row.return_id not in returns:
                errors[f"{prefix}-return"] = f"Choose one of this award's monitoring returns for {name}, or none"
            else:
                return_id = returns[row.return_id].id
        if amount is not None and due is not None:
            checked.append(Instalment(row.payment_id, amount, due, return_id))
    if not errors:
        if not checked and not schedule.locked:
            errors["instalments"] = "Add at least one instalment"
        else:
            total = schedule.locked_pence + sum(i.amount_pence for i in checked)
            if total != award.amount_pence:
                errors["instalments"] = (
                    f"The instalments add up to {money(total)} but the award is {money(award.amount_pence)}"
                )
    if errors:
        raise Invalid(errors)
    return checked


# -- saving --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Saved:
    kept: int
    cancelled: int
    created: int

    @property
    def changed(self) -> bool:
        return bool(self.cancelled or self.created)


def _describe(payments: list[tuple[int, date]]) -> str:
    total = sum(amount for amount, _ in payments)
    count = len(payments)
    return f"{money(total)} in {count} instalment{'' if count == 1 else 's'}"


def _listing(items: list[tuple[int, date]]) -> list[str]:
    return [f"{money(amount)} due {london_date(due)}" for amount, due in sorted(items, key=lambda i: i[1])]


def save_schedule(user: Any, award: Award, rows: list[RowInput], fingerprint: str) -> Saved:
    """Check and save the schedule in one transaction; Invalid, Stale or NotAllowed write nothing."""
    require_officer(user, award)
    if award.state in states("award", "ended"):
        raise NotAllowed("This award has ended, so its payment schedule can no longer be changed.")
    try:
        award = award_for_update(award.id)
        schedule = schedule_of(award)
        if schedule.fingerprint != fingerprint:
            raise Stale(schedule)
        wanted = check_rows(schedule, rows)
    except (Invalid, Stale):
        db.session.rollback()  # let go of the award's row lock
        raise
    result = _replace(user, award, schedule, wanted)
    if not result.changed:
        db.session.rollback()
        return result
    commit_or_stale(lambda: schedule_of(award))
    return result


def spread_rise(user: Any, award: Award, rise: int, why: str) -> int:
    """Add `rise` to the instalments still to approve, evenly (the pennies left over on the last), as a
    changed schedule (each replaced instalment cancelled with its audit row, one "schedule_set" row);
    flushed, not committed. Returns how many instalments carry it (0 when none is left to pay)."""
    schedule = schedule_of(award)
    if not schedule.scheduled or rise <= 0:
        return 0
    count = len(schedule.scheduled)
    share, left = divmod(rise, count)
    wanted = [
        Instalment(None, p.amount_pence + share + (left if n == count - 1 else 0), p.due_on, p.monitoring_return_id)
        for n, p in enumerate(schedule.scheduled)
    ]
    _replace(user, award, schedule, wanted, why)
    return count


def _replace(user: Any, award: Award, schedule: Schedule, wanted: list[Instalment], why: str = REPLACED) -> Saved:
    """Make the schedule's editable instalments what `wanted` says (nothing when unchanged); not committed."""
    before = [(p.amount_pence, p.due_on) for p in schedule.locked + schedule.scheduled]
    current = {p.id: p for p in schedule.scheduled}
    kept_ids: set[int] = set()
    new: list[Instalment] = []
    for item in wanted:
        payment = current.get(item.payment_id) if item.payment_id is not None else None
        if (
            payment is not None
            and payment.id not in kept_ids
            and (payment.amount_pence, payment.due_on, payment.monitoring_return_id)
            == (item.amount_pence, item.due_on, item.return_id)
        ):
            kept_ids.add(payment.id)
        else:
            new.append(item)
    to_cancel = [p for p in schedule.scheduled if p.id not in kept_ids]
    result = Saved(kept=len(kept_ids), cancelled=len(to_cancel), created=len(new))
    if not result.changed:
        return result
    for payment in to_cancel:
        apply_transition(payment, "cancel", user, why, commit=False)  # one commit for the whole schedule
    number = max((p.instalment for p in schedule.locked + schedule.scheduled + schedule.cancelled), default=0)
    for item in sorted(new, key=lambda i: i.due_on):
        number += 1
        payment = Payment(
            award=award,
            instalment=number,
            amount_pence=item.amount_pence,
            due_on=item.due_on,
            monitoring_return_id=item.return_id,
        )
        start_case(payment, "payment", user)
    after = [(p.amount_pence, p.due_on) for p in schedule.locked] + [
        (p.amount_pence, p.due_on) for p in schedule.scheduled if p.id in kept_ids
    ]
    after += [(i.amount_pence, i.due_on) for i in new]
    audit.record_on(
        award,
        actor=user,
        action="schedule_set",
        from_state=_describe(before) if before else "no instalments",
        to_state=_describe(after),
        data={"before": _listing(before), "after": _listing(after), "cancelled": len(to_cancel), "added": len(new)},
    )
    return result
