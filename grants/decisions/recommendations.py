"""The panel's recommendation on one bid: the amount (at most what was asked for; a reason
when less), the feedback the applicant will read, proposed conditions, and the mark:
recommended, reserve or not recommended (workflow transitions, so refusals such as a
score below a criterion's minimum come from the workflow's conditions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grants import audit
from grants.decisions.moderation import recommendation
from grants.decisions.services import PanelConflict, PanelError, commit_or_conflict, panel_states
from grants.extensions import db
from grants.formatting import money
from grants.models import Application, Recommendation
from grants.models.base import utcnow
from grants.workflow import apply_transition, engine
from workflows import Option, TransitionRefused

# The marks an officer gives a bid, as transitions of the application workflow.
MARKS = {
    "recommend": "Recommended",
    "hold_in_reserve": "Reserve",
    "do_not_recommend": "Not recommended",
}
TEXT_LIMIT = 5000


@dataclass(frozen=True)
class Values:
    """What the officer typed on the recommendation form."""

    amount_pence: int | None
    amount_reason: str | None
    feedback: str | None
    conditions: str | None


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def check(application: Application, values: Values) -> dict[str, Any]:
    """The values to save, or PanelError naming each field that is wrong."""
    errors: dict[str, str] = {}
    amount = values.amount_pence
    reason = _clean(values.amount_reason)
    requested = application.amount_requested_pence
    if amount is None:
        errors["amount"] = "Enter the recommended amount"
    elif amount <= 0:
        errors["amount"] = "The recommended amount must be more than £0"
    elif amount > requested:
        errors["amount"] = f"The recommended amount must be no more than the {money(requested)} asked for"
    elif amount < requested and not reason:
        errors["amount_reason"] = "Enter the reason for recommending less than was asked for"
    for name, text in (("amount_reason", reason), ("feedback", values.feedback), ("conditions", values.conditions)):
        if text and len(text) > TEXT_LIMIT:
            errors.setdefault(name, f"This must be {TEXT_LIMIT:,} characters or fewer")
    if errors:
        raise PanelError(errors)
    return {
        "recommended_amount_pence": amount,
        "amount_reason": reason if amount != requested else None,
        "feedback": _clean(values.feedback),
        "conditions": _clean(values.conditions),
    }


def save(application: Application, user: Any, values: Values, expected_version: int | None) -> Recommendation:
    """Save the recommended amount, feedback and conditions (optimistic lock on the Recommendation).

    Raises PanelError for wrong values, PanelConflict when someone else saved since
    `expected_version` was read (None: the bid had no recommendation then).
    """
    if application.state not in panel_states():
        raise PanelError({"amount": "This bid has been decided, so its recommendation can no longer be changed"})
    checked = check(application, values)
    current = recommendation(application.id)
    if (None if current is None else current.version_id) != expected_version:
        raise PanelConflict(current)
    previous = None if current is None else current.recommended_amount_pence
    if current is None:
        current = Recommendation(application_id=application.id)
        db.session.add(current)
    changed = [name for name, value in checked.items() if getattr(current, name) != value]
    for name, value in checked.items():
        setattr(current, name, value)
    if changed:  # money and what the applicant will read: audited, from and to
        audit.record_on(
            application,
            actor=user,
            action="recommendation",
            reason=checked["amount_reason"],
            data={
                "changed": changed,
                "from_amount_pence": previous,
                "to_amount_pence": checked["recommended_amount_pence"],
            },
        )
    current.updated_by_id = user.id
    current.updated_at = utcnow()
    commit_or_conflict(lambda: recommendation(application.id))
    return current


def options(application: Application, user: Any) -> list[Option]:
    """The marks this officer can give the bid now, each with why not when blocked."""
    return [option for option in engine().available(application, user) if option.name in MARKS]


def mark(application: Application, user: Any, name: str, reason: str | None, expected_version: int | None) -> str:
    """Apply recommend / hold_in_reserve / do_not_recommend; returns what to tell the officer.

    Raises workflows.TransitionRefused (ReasonRequired) or Conflict, as apply_transition does.
    """
    if name not in MARKS:
        raise TransitionRefused(["Choose recommended, reserve or not recommended."])
    apply_transition(application, name, user, reason, expected_version=expected_version)
    return f"{application.reference} is now marked {MARKS[name].lower()}."
