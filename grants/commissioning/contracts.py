"""Running a contract: recording a need, choosing its route, filling in its details, moving it on.

Views call these with the signed-in user; every change goes under the contract's optimistic lock
(a stale page raises Conflict, nothing overwritten) and into its history. Moving the contract always
goes through the engine (`apply_transition`), with the fields a step records set first, so the
contract workflow's guards see them and a refusal leaves nothing changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from grants import access, audit
from grants.commissioning import details, money_by_year
from grants.commissioning.details import SECTIONS, Parsed, Section
from grants.errors import FieldErrors, NotFound
from grants.extensions import db
from grants.form_fields import version_or_none
from grants.models import Contract, Programme
from grants.transactions import commit_or_conflict, conflicts_as
from grants.workflow import apply_transition, engine, start_case
from grants.workflow_states import states
from workflows import Conflict, Option, TransitionRefused
from workflows.diagram import diagram

COMMISSIONING_KINDS = ("commissioning", "sub_grant")
MANAGERS = frozenset({"officer", "admin"})
VIEWERS = frozenset({"officer", "finance", "decision_maker", "admin"})
# Transitions with a form of their own on the contract page, not a plain button.
OWN_FORMS = {"choose_competition", "choose_direct_award", "extend"}


def _conflict() -> Exception:
    return Conflict("The contract changed since the page was shown.")


def programmes_for(user: Any) -> list[Programme]:
    """Commissioning programmes where the user may record a need (officer or admin there)."""
    rows = db.session.scalars(select(Programme).where(Programme.kind.in_(COMMISSIONING_KINDS)).order_by(Programme.name))
    return [p for p in rows if access.staff_roles(user, p.id) & MANAGERS]


def load(user: Any, reference: str) -> Contract:
    """The contract, for staff with a role on its programme; NotFound otherwise."""
    contract = db.session.scalar(select(Contract).where(Contract.public_reference == reference[:32]))
    if (
        contract is None
        or not access.staff_roles(user, contract.programme_id) & VIEWERS
        or access.has_conflict(user, contract)
    ):
        raise NotFound(reference)
    return contract


def may_manage(user: Any, contract: Contract) -> bool:
    return bool(access.staff_roles(user, contract.programme_id) & MANAGERS)


def _managed(user: Any, reference: str) -> Contract:
    contract = load(user, reference)
    if not may_manage(user, contract):
        raise NotFound(reference)
    return contract


def _check_version(contract: Contract, version_id: str | None) -> None:
    expected = version_or_none(version_id)
    if expected is not None and expected != contract.version_id:
        raise _conflict()


# -- a new need ----------------------------------------------------------------------------------------
def next_reference(programme: Programme, today: date) -> str:
    """MOJ-S-073 for the MoJ programme's strands, VRU-2026-011 elsewhere: the next number free."""
    prefix = f"{programme.code}-S-" if programme.kind == "sub_grant" else f"{programme.code}-{today.year}-"
    taken = db.session.scalars(select(Contract.public_reference).where(Contract.public_reference.like(f"{prefix}%")))
    numbers = [int(m.group(1)) for r in taken if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", r))]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def record_need(
    user: Any, programme_id: str, title: str, form: Mapping[str, Any], getlist: Callable[[str], list[str]], today: date
) -> Contract:
    """A new contract in "need identified", from the need form. FieldErrors with every message."""
    allowed = {str(p.id): p for p in programmes_for(user)}
    parsed = details.parse(details.NEED, form, None, getlist)
    title = title.replace("\x00", "").strip()
    if not title:
        parsed.errors = {"title": "Enter a title for the contract", **parsed.errors}
    elif len(title) > 200:
        parsed.errors = {"title": "The title must be 200 characters or fewer", **parsed.errors}
    programme = allowed.get(programme_id.strip())
    if programme is None:
        parsed.errors = {"programme_id": "Choose the programme the contract is for", **parsed.errors}
    if parsed.errors or programme is None:
        raise FieldErrors(parsed.errors)
    with conflicts_as(_conflict, duplicates=True):
        contract = Contract(public_reference=next_reference(programme, today), programme_id=programme.id, title=title)
        for name, value in parsed.values.items():
            setattr(contract, name, value)
        start_case(contract, "contract", user)
        db.session.commit()
    return contract


# -- details, section by section -------------------------------------------------------------------
@dataclass
class SectionForm:
    contract: Contract
    section: Section
    values: dict[str, Any]
    errors: dict[str, str]
    choices: dict[str, list[tuple[str, str]]]


def section_form(user: Any, reference: str, name: str) -> SectionForm:
    contract = _managed(user, reference)
    section = _section(contract, name)
    return SectionForm(contract, section, details.current_values(section, contract), {}, _choices(section, contract))


def _section(contract: Contract, name: str) -> Section:
    section = SECTIONS.get(name)
    if section is None or not section.editable_in(contract.state, states("contract", "ended")):
        raise NotFound(name)
    return section


def _choices(section: Section, contract: Contract | None) -> dict[str, list[tuple[str, str]]]:
    return {f.name: f.choices(contract) for f in section.fields if f.choices is not None}


def save_section(
    user: Any, reference: str, name: str, form: Mapping[str, Any], getlist: Callable[[str], list[str]]
) -> SectionForm:
    """Save a section. Returns the form with errors (nothing saved) or none (saved); Conflict if stale."""
    contract = _managed(user, reference)
    section = _section(contract, name)
    _check_version(contract, form.get("version_id"))
    parsed: Parsed = details.parse(section, form, contract, getlist)
    if parsed.errors:
        typed = details.typed_values(section, form, getlist)
        return SectionForm(contract, section, typed, parsed.errors, _choices(section, contract))
    details.apply_values(user, contract, section, parsed.values)
    if section is details.TERMS:
        contract.original_end_date = contract.end_date  # extensions count from the end first agreed
    commit_or_conflict(_conflict)
    return SectionForm(contract, section, {}, {}, {})


def new_need_choices() -> dict[str, list[tuple[str, str]]]:
    return _choices(details.NEED, None)


# -- moving it on ------------------------------------------------------------------------------------
def choose_route(
    user: Any, reference: str, route: str, justification: str, exception: str, version_id: str | None
) -> str:
    """Compete it, or award it directly with a written justification citing a CSO exception."""
    contract = _managed(user, reference)
    justification = justification.replace("\x00", "").strip()
    exception = exception.replace("\x00", "").strip()
    errors: dict[str, str] = {}
    if route not in ("competed", "direct_award"):
        errors["route"] = "Choose how the contract will be awarded"
    elif route == "direct_award":
        if not justification:
            errors["justification"] = "Write why a direct award is justified"
        elif len(justification) > 4000:
            errors["justification"] = "The justification must be 4,000 characters or fewer"
        if exception not in dict(details.CSO_EXCEPTIONS):
            errors["exception"] = "Choose the Contract Standing Orders exception it relies on"
    if errors:
        raise FieldErrors(errors)
    fields = {"route": route}
    if route == "direct_award":
        fields |= {"direct_award_justification": justification, "cso_exception": exception}
    name = "choose_direct_award" if route == "direct_award" else "choose_competition"
    return _move(user, contract, name, justification or None, version_id, fields)


def extend(user: Any, reference: str, new_end: date | None, reason: str, version_id: str | None) -> str:
    contract = _managed_or_decider(user, reference)
    if new_end is None:
        raise FieldErrors({"new_end": "Enter the new end date, like 31 3 2028"})
    if contract.end_date is not None and new_end <= contract.end_date:
        raise FieldErrors(
            {"new_end": f"The new end date must be after the current one ({contract.end_date:%-d %B %Y})"}
        )
    return _move(user, contract, "extend", reason, version_id, {"end_date": new_end})


def step(user: Any, reference: str, name: str, reason: str | None, version_id: str | None) -> str:
    """Any other transition, by its button."""
    contract = load(user, reference)
    if name in OWN_FORMS:
        raise NotFound(name)
    return _move(user, contract, name, reason, version_id, {})


def _managed_or_decider(user: Any, reference: str) -> Contract:
    return load(user, reference)


def _move(
    user: Any, contract: Contract, name: str, reason: str | None, version_id: str | None, fields: Mapping[str, Any]
) -> str:
    """Apply the transition with its fields; nothing changes when it is refused or stale."""
    _check_version(contract, version_id)
    try:
        with conflicts_as(_conflict):
            if contract.end_date and "end_date" in fields and contract.original_end_date is None:
                contract.original_end_date = contract.end_date
            for key, value in fields.items():
                setattr(contract, key, value)
            event = apply_transition(
                contract, name, user, reason or None, expected_version=version_or_none(version_id), commit=False
            )
            db.session.commit()
    except TransitionRefused:
        db.session.rollback()
        raise
    definition = engine().registry.get(event.workflow, event.workflow_version)
    return (
        f"{definition.transitions[event.transition].label}: done. {contract.reference} is now "
        f"{definition.states[event.to_state].label.lower()}."
    )


# -- the page --------------------------------------------------------------------------------------------
@dataclass
class ContractPage:
    contract: Contract
    state_label: str
    state_description: str
    sections: list[tuple[Section, list[tuple[str, str]], bool]]
    options: list[Option]
    years: money_by_year.Years
    history: list[Any]
    diagram: str
    definition: Any
    may_manage: bool
    cso_exceptions: list[tuple[str, str]]
    contracted_states: frozenset[str]

    def state_name(self, name: str | None) -> str:
        if not name:
            return ""
        state = self.definition.states.get(name)
        return state.label if state else name


def page(user: Any, reference: str) -> ContractPage:
    contract = load(user, reference)
    eng = engine()
    definition = eng.definition_for(contract)
    ended = states("contract", "ended")
    managing = may_manage(user, contract)
    shown = [details.NEED, details.PROCUREMENT, details.TERMS, details.STRAND]
    if contract.programme.kind == "commissioning":
        shown.append(details.INTERVENTION)
    state = definition.states[contract.state]
    return ContractPage(
        contract=contract,
        state_label=state.label,
        state_description=state.description or "",
        sections=[(s, details.display(s, contract), managing and s.editable_in(contract.state, ended)) for s in shown],
        options=eng.available(contract, user),
        years=money_by_year.contract_years(contract),
        history=audit.history(contract),
        diagram=diagram(definition, current=contract.state),
        definition=definition,
        may_manage=managing,
        cso_exceptions=details.CSO_EXCEPTIONS,
        contracted_states=states("contract", "contracted"),
    )
