"""The values of one case for its emails' placeholders: for a transition's email, a preview on a
real case, or an email sent to a selection of cases (batch actions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from grants.email_wording.catalogue import ASSESSORS_ASSIGNED, email, extensions
from grants.email_wording.links import page_address
from grants.email_wording.wording import override, rendered
from grants.extensions import db
from grants.formatting import london_date, money
from grants.models import Organisation, Programme


def _lower_first(text: str) -> str:
    return f"{text[:1].lower()}{text[1:]}"


def _name(model: Any, row_id: int | None) -> str:
    if row_id is None:
        return ""
    return db.session.scalar(select(model.name).where(model.id == row_id)) or ""


def _round_title(subject: Any) -> str:
    round_ = getattr(subject, "round", None)
    if round_ is None and getattr(subject, "application", None) is not None:
        round_ = getattr(subject.application, "round", None)
    return getattr(round_, "title", "") or ""


def link_for(subject: Any, audience: str) -> str:
    """Where the reader of a case's email sees it: an organisation its dashboard, staff the case page."""
    if audience == "organisation":
        return page_address("apply.dashboard", {})
    return page_address("cases.show", {"kind": subject.__audit_type__, "case_id": subject.id})


def case_values(subject: Any, audience: str, *, definition: Any = None, state: str | None = None) -> dict[str, str]:
    """The placeholders every transition email of this case knows (`state`: the state it is in
    now unless given, by name); the transition's own (action, reason, …) are the caller's to add."""
    engine, _ = extensions()
    definition = definition or engine.registry.get(subject.workflow, subject.workflow_version)
    state_name = state or subject.state
    values = {
        "reference": str(getattr(subject, "reference", "") or ""),
        "case_label": _lower_first(definition.label),
        "state": _lower_first(definition.states[state_name].label) if state_name in definition.states else "",
        "organisation": _name(Organisation, subject.owning_organisation_id()),
        "programme": _name(Programme, subject.owning_programme_id()),
        "round": _round_title(subject),
        "link": link_for(subject, audience),
    }
    if hasattr(subject, "amount_pence"):
        values["amount"] = money(subject.amount_pence)
    return values


def round_values(round_: Any, references: list[str]) -> dict[str, str]:
    """The placeholders of the email telling an assessor which bids of a round to score."""
    due = round_.assessment_due_on or round_.decision_on
    if round_.assessment_due_on:
        by_when = f" by {london_date(round_.assessment_due_on)}"
    else:
        by_when = f" before the panel decides on {london_date(round_.decision_on)}" if round_.decision_on else ""
    count = len(references)
    return {
        "count": "1 bid" if count == 1 else f"{count} bids",
        "round": round_.title,
        "programme": round_.programme.name,
        "due_date": london_date(due) if due else "",
        "by_when": by_when,
        "bids": "\n".join(f"- {reference}" for reference in references),
        "link": page_address("assessors.index", {}),
    }


def values_for_case(key: str, subject: Any, *, as_if_sent: bool = False) -> dict[str, str]:
    """The values an email with this key has on this case. Now (the default): the state is the
    case's current one and the action and reason are empty. `as_if_sent` (a preview of a
    transition's email): the state is where the transition takes the case, the previous state its
    current one, so the preview reads as the email would when the case moves."""
    if key == ASSESSORS_ASSIGNED:
        return round_values(subject, [])
    audience = key.rsplit(".", 1)[-1]
    engine, _ = extensions()
    definition = engine.registry.get(subject.workflow, subject.workflow_version)
    step = definition.transitions.get(key.split(".")[1])
    moved = as_if_sent and step is not None
    values = case_values(subject, audience, definition=definition, state=step.target if moved else None)
    previous = definition.states.get(subject.state) if moved else None
    values.update(
        previous_state=_lower_first(previous.label) if previous else "",
        action=step.label if step else "",
        reason="",
        details="",
    )
    return values


def render_for_case(programme_id: int, key: str, subject: Any) -> tuple[str, str]:
    """The subject and body of the email `key` on one case, from the programme's own wording or,
    when it has none, the wording an officer starts from. LookupError for a key the service does not
    send. The batch-actions engineer's entry point: email a selection of cases from a template."""
    found = email(key)
    if found is None:
        raise LookupError(f"no email is keyed {key!r}")
    template = override(programme_id, key)
    subject_text, body_text = (template.subject, template.body) if template else (found.subject, found.body)
    return rendered(subject_text, body_text, values_for_case(key, subject))
