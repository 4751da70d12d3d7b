"""What a variation may ask for, checked the same way wherever it is typed: an officer's request, a grant
holder's ask, and the officer preparing that ask for a decision (its page or the generic case page).

A change is a new amount, a new end date, or both, with a reason. The words differ by reader (an officer
reads "the award", a grant holder "your grant"); the rules do not, except that a grant holder cannot ask
for an end date that has already passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from grants.extensions import db
from grants.formatting import london_date, money, pence_from_pounds
from grants.models import Award, Variation
from grants.payments.services import Invalid, parse_date, typed_text
from grants.workflow_states import states

REASON_MAX = 5000
MOST_PENCE = 100_000_000_000  # £1bn: far above any grant, and one the column holds


@dataclass(frozen=True)
class Words:
    """The sentences a reader sees when a change cannot be asked for."""

    nothing: str
    same_amount: str  # {amount}: the award's amount now
    below_committed: str  # {amount}: paid or approved for payment
    same_end: str
    reason_missing: str


OFFICER_WORDS = Words(
    nothing="Enter a new amount or a new end date, or both",
    same_amount="The new amount is the same as the award now ({amount})",
    below_committed="The new amount cannot be less than is already paid or approved ({amount})",
    same_end="The new end date is the same as the award's end date now",
    reason_missing="Enter the reason for the variation",
)
GRANTEE_WORDS = Words(
    nothing="Enter a new end date or a new amount, or both",
    same_amount="The new amount is the same as your grant now ({amount})",
    below_committed="The new amount cannot be less than has already been paid or approved for payment ({amount})",
    same_end="The new end date is the same as your grant's end date now",
    reason_missing="Enter why you need the change",
)


@dataclass(frozen=True)
class Change:
    new_amount_pence: int | None
    new_ends_on: date | None
    reason: str


def read_change(
    award: Award,
    amount_typed: str,
    ends: tuple[str, str, str],
    reason: str,
    words: Words = OFFICER_WORDS,
    *,
    not_before: date | None = None,
) -> Change:
    """The change as typed, checked against the award; Invalid (messages by field) when it cannot be asked for.

    `not_before`: the end date must be after this day (a grant holder cannot ask for a date already gone).
    """
    errors: dict[str, str] = {}
    typed = amount_typed.replace("\x00", "").strip()
    new_amount: int | None = None
    if typed:
        new_amount = pence_from_pounds(typed)
        if typed.replace(" ", "").lstrip("£").startswith("-") or new_amount == 0:
            errors["amount"] = "The new amount must be more than £0"
        elif new_amount is None:
            errors["amount"] = "Enter the new amount in pounds and pence, like 7500 or 7,500.50"
        elif new_amount > MOST_PENCE:
            errors["amount"] = f"The new amount must be {money(MOST_PENCE)} or less"
    day, problem = parse_date(ends)
    new_ends: date | None = None
    if problem and problem != "blank":
        errors["ends_on"] = f"The new end date {problem}"
    elif day is not None:
        if not_before is not None and day <= not_before and not (award.starts_on and day <= award.starts_on):
            errors["ends_on"] = "The new end date must be in the future"
        else:
            new_ends = day
    if not typed and problem == "blank":
        errors["amount"] = words.nothing
    if "amount" in errors:
        new_amount = None
    for field, message in figure_problems(award, new_amount, new_ends, words, day=day).items():
        errors.setdefault(field, message)
    reason = typed_text(
        errors,
        "reason",
        reason.replace("\x00", ""),
        words.reason_missing,
        REASON_MAX,
        f"The reason must be {REASON_MAX:,} characters or fewer",
    )
    if errors:
        raise Invalid(errors)
    return Change(new_amount, new_ends, reason)


def figure_problems(
    award: Award,
    new_amount: int | None,
    new_ends: date | None,
    words: Words = OFFICER_WORDS,
    *,
    day: date | None = None,
) -> dict[str, str]:
    """What is wrong with these figures for this award now, by field (empty when they may be asked for).

    `day`: an end date typed but not kept (already found wrong); it is still checked against the start.
    """
    errors: dict[str, str] = {}
    if new_amount is not None:
        committed = award.committed_pence()
        if new_amount == award.amount_pence:
            errors["amount"] = words.same_amount.format(amount=money(award.amount_pence))
        elif new_amount < committed:
            errors["amount"] = words.below_committed.format(amount=money(committed))
        elif new_amount > MOST_PENCE:
            errors["amount"] = f"The new amount must be {money(MOST_PENCE)} or less"
    ends = new_ends or day
    if ends is not None:
        if award.starts_on is not None and ends <= award.starts_on:
            errors["ends_on"] = f"The new end date must be after the start date ({london_date(award.starts_on)})"
        elif new_ends is not None and new_ends == award.ends_on:
            errors["ends_on"] = words.same_end
    if award.contract is not None:
        for field, message in allocation_limits(award, new_amount, new_ends).items():
            errors.setdefault(field, message)
    return errors


def allocation_limits(award: Award, new_amount: int | None, new_ends: date | None) -> dict[str, str]:
    """A contract's allocation stays inside its contract: within the contract's value (with the
    contract's other live allocations) and its end date, and within its own financial year."""
    contract = award.contract
    assert contract is not None
    errors: dict[str, str] = {}
    if new_amount is not None and contract.amount_pence is not None:
        others = int(
            db.session.scalar(
                select(func.coalesce(func.sum(Award.amount_pence), 0)).where(
                    Award.contract_id == contract.id,
                    Award.id != award.id,
                    Award.state.not_in(states("award", "fallen_away")),
                )
            )
            or 0
        )
        if others + new_amount > contract.amount_pence:
            errors["amount"] = (
                f"This would bring {contract.reference}'s allocations to {money(others + new_amount)}, "
                f"above the contract's value of {money(contract.amount_pence)}"
            )
    if new_ends is not None:
        if contract.end_date is not None and new_ends > contract.end_date:
            errors["ends_on"] = (
                f"The new end date is after {contract.reference} ends ({london_date(contract.end_date)}): "
                "extend the contract first"
            )
        elif award.starts_on is not None:
            year_end = date(award.starts_on.year + (award.starts_on.month >= 4), 3, 31)
            if new_ends > year_end:
                errors["ends_on"] = (
                    f"An allocation is for one financial year: the new end date must be on or before "
                    f"{london_date(year_end)}"
                )
    return errors


def open_variation(award: Award) -> Variation | None:
    """The award's variation still under way (asked for, or awaiting approval): there is at most one."""
    return db.session.scalar(
        select(Variation)
        .where(Variation.award_id == award.id, Variation.state.not_in(states("variation", "ended")))
        .order_by(Variation.number.desc())
        .limit(1)
    )


def next_number(award: Award) -> int:
    found = db.session.scalar(
        select(func.coalesce(func.max(Variation.number), 0)).where(Variation.award_id == award.id)
    )
    return int(found or 0) + 1


def change_in_words(new_amount: int | None, old_amount: int, new_ends: date | None, old_ends: date | None) -> str:
    """'End date 31 March 2024 to 30 June 2024; amount £7,985.00 to £9,000.00', as a list shows it."""
    parts = []
    if new_ends is not None:
        parts.append(f"end date {london_date(old_ends) or 'none'} to {london_date(new_ends)}")
    if new_amount is not None:
        parts.append(f"amount {money(old_amount)} to {money(new_amount)}")
    text = "; ".join(parts) or "no change"
    return text[:1].upper() + text[1:]


def figures_in_brief(new_amount: int | None, new_ends: date | None) -> str:
    """'£9,000.00; ends 30 June 2024': what a variation asks for, short enough for an audit row's state."""
    parts = [money(new_amount)] if new_amount is not None else []
    if new_ends is not None:
        parts.append(f"ends {london_date(new_ends)}")
    return ("; ".join(parts) or "no change")[:64]
