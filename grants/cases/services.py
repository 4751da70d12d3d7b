"""Case pages: any workflowed thing (round, application, award, payment, return, contract)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, func, select

from grants import access, audit
from grants.case_types import CaseType
from grants.cases import lists
from grants.correspondence import services as correspondence
from grants.errors import NotFound
from grants.extensions import db
from grants.kept import access_key, kept
from grants.listing import Sort, SortSpec, without_nul
from grants.models import Workflowed
from grants.pagination import Page, paginate
from grants.workflow import apply_transition, case_types, engine
from grants.workflow_states import state_labels
from workflows import Definition, Option, TransitionEvent
from workflows.diagram import diagram

SORTS_KEPT = 100  # one per kind of case
CLAUSES_KEPT = 4000  # visibility clauses kept per process (one per kind, person, grants and day)


def _case_type(kind: str) -> CaseType:
    case_type = case_types().find(kind)
    if case_type is None:
        raise NotFound(kind)
    return case_type


def _programme_filter(case_type: CaseType, programme_ids: set[int] | None) -> Any:
    """A WHERE clause limiting a kind's rows to the given programmes (None: all)."""
    if programme_ids is None or case_type.programme_clause is None:
        return None
    return case_type.programme_clause(sorted(programme_ids))


def _visible_programmes(user: Any) -> set[int] | None:
    """The programmes whose cases the user lists: where they hold a role that sees case pages.

    An assessor's grant does not count: assessors see only their own bids, on their own pages."""
    programmes = access.programmes_with(user, access.CASE_PAGE_ROLES)
    return None if programmes is None else set(programmes)


def _visible(case_type: CaseType, user: Any) -> list[Any]:
    """The WHERE clauses of the rows of a kind this user may list: their programmes, no conflicts.

    Built once per kind, person, grants and day in this process (a list, search and the case counts build
    them several times a page). Only the SQL expressions are kept: the conflicts are subqueries read
    afresh by every statement, and a role given or taken away is a new key. FORM_CACHES=False builds
    them every time."""
    key = access_key(user)
    found = kept(
        "case_visible_clauses",
        CLAUSES_KEPT,
        None if key is None else (case_type.kind, id(case_type), *key),
        lambda: _build_visible(case_type, user),
    )
    return list(found)


def _build_visible(case_type: CaseType, user: Any) -> list[Any]:
    clauses = []
    programme = _programme_filter(case_type, _visible_programmes(user))
    if programme is not None:
        clauses.append(programme)
    if case_type.conflict_clause is not None:
        clauses.append(case_type.conflict_clause(user))
    return clauses


def kind_label(kind: str, plural: bool = False) -> str:
    case_type = _case_type(kind)
    return case_type.plural if plural else case_type.label


def summary(user: Any) -> list[dict[str, Any]]:
    """How many cases of each kind this user can see."""
    rows = []
    for case_type in case_types():
        query = select(func.count()).select_from(case_type.model).where(*_visible(case_type, user))
        rows.append({"kind": case_type.kind, "label": case_type.plural, "count": db.session.scalar(query)})
    return rows


def list_sorts(kind: str) -> SortSpec:
    """A kind's sortable columns (the address's `?sort=<column>&dir=asc|desc`; older `?sort=newest` too).
    They hold nothing but the kind's columns, so they are built once per kind in this process."""
    return _sorts(_case_type(kind))


def _sorts(case_type: CaseType) -> SortSpec:
    """A kind's sortable columns, built once per kind in this process."""
    key = (case_type.kind, id(case_type))
    return kept("case_list_sorts", SORTS_KEPT, key, lambda: lists.sorts(case_type))


def _listed(case_type: CaseType, user: Any, filters: lists.CaseFilters, sort: Sort) -> Select[Any]:
    """The list's query: what the user may see, as filtered and sorted (the page and its CSV share it)."""
    model: Any = case_type.model
    order = _sorts(case_type).order_by(sort)
    return select(model).where(*_visible(case_type, user), *lists.clauses(case_type, filters, user)).order_by(*order)


def list_cases(
    kind: str,
    user: Any,
    page: int,
    per_page: int,
    states: Sequence[str] = (),
    sort: str | Sort = "oldest",
    filters: lists.CaseFilters | None = None,
) -> Page[Any]:
    """One page of a kind's cases: two statements (and the kind's eager loads) whatever the page size.

    `sort` is a Sort, or a key from the address (an unknown one is the default order); `states`
    narrows `filters` (or is the only filter)."""
    case_type = _case_type(kind)
    if not isinstance(sort, Sort):
        sort = _sorts(case_type).read({"sort": sort})
    filters = filters or lists.CaseFilters()
    wanted = tuple(without_nul(state) for state in states if state)  # PostgreSQL text cannot hold a NUL
    if wanted:
        filters = replace(filters, states=wanted)
    return paginate(_listed(case_type, user, filters, sort).options(*case_type.eager()), page, per_page)


def cases_csv(kind: str, user: Any, filters: lists.CaseFilters, sort: Sort) -> Iterator[str]:
    """Every case of the list, with its filters and order, as CSV (streamed)."""
    case_type = _case_type(kind)
    return lists.csv_of(case_type, _listed(case_type, user, filters, sort).options(*case_type.eager()))


def read_filters(args: Any) -> lists.CaseFilters:
    """The filters in a list's address, with a message for each that cannot be used."""
    return lists.read_filters(args)


def filter_choices(kind: str, user: Any) -> lists.Choices:
    return lists.choices(_case_type(kind), user)


def state_choices(kind: str) -> list[tuple[str, str]]:
    """A kind's states (name, label) in its workflow's order, for the state filter."""
    _case_type(kind)  # an unknown kind is not found
    return list(state_labels(kind).items())


def count_in_states(
    kind: str, user: Any, roles: frozenset[str], states: Sequence[str], narrower: Any = None
) -> Select[Any]:
    """How many cases of a kind in these states are on the programmes where the user holds one of
    `roles`, conflicts left out (a work queue's count, grants.work_queues), as one query."""
    case_type = _case_type(kind)
    model: Any = case_type.model
    programmes = access.programmes_with(user, roles)
    clauses = [model.state.in_(states)]
    programme = _programme_filter(case_type, None if programmes is None else set(programmes))
    if programme is not None:
        clauses.append(programme)
    if case_type.conflict_clause is not None:
        clauses.append(case_type.conflict_clause(user))
    if narrower is not None:
        clauses.append(narrower)
    return select(func.count()).select_from(model).where(*clauses)


def load_case(kind: str, case_id: int, user: Any) -> Workflowed:
    """The case, if this user may see it; NotFound otherwise (no hint that it exists)."""
    case_type = _case_type(kind)
    subject = db.session.get(case_type.model, case_id, options=case_type.eager())
    if subject is None or not access.can_see_case(user, subject):
        raise NotFound(f"{kind} {case_id}")
    return subject


@dataclass
class CaseView:
    kind: str
    subject: Workflowed
    definition: Definition
    history: list[Any]  # audit events, notes and messages, oldest first
    options: list[Option]
    diagram: str
    facts: list[tuple[str, str]]
    can_list_applications: bool = False
    can_decide: bool = False
    organisation_name: str | None = None  # who messages on the case go to (None: it has no organisation)

    @property
    def state(self) -> Any:
        return self.definition.states[self.subject.state]

    def state_label(self, name: str | None) -> str:
        if name is None:
            return ""
        state = self.definition.states.get(name)
        return state.label if state else name


def case_view(kind: str, subject: Workflowed, user: Any) -> CaseView:
    eng = engine()
    definition = eng.definition_for(subject)
    return CaseView(
        kind=kind,
        subject=subject,
        definition=definition,
        history=correspondence.history(audit.history(subject), correspondence.on_case(subject, staff=True)),
        options=eng.available(subject, user),
        diagram=diagram(definition, current=subject.state),
        facts=_case_type(kind).facts(subject),
        can_list_applications=kind == "round"
        and bool(access.staff_roles(user, subject.owning_programme_id()) & {"officer", "admin"}),
        can_decide=kind == "round" and "decision_maker" in access.staff_roles(user, subject.owning_programme_id()),
        organisation_name=correspondence.organisation_name(subject),
    )


def transition(kind: str, case_id: int, name: str, user: Any, reason: str | None, expected_version: int | None) -> str:
    """Apply an action to a case; returns the sentence that tells the user what happened."""
    subject = load_case(kind, case_id, user)
    event: TransitionEvent = apply_transition(subject, name, user, reason, expected_version=expected_version)
    definition = engine().registry.get(event.workflow, event.workflow_version)
    label = definition.transitions[event.transition].label
    return f"{label}: done. {subject.reference} is now {definition.states[event.to_state].label.lower()}."


def case_type(kind: str) -> CaseType:
    """The registered kind of case (NotFound for an unknown kind)."""
    return _case_type(kind)


def visible_clauses(kind: str, user: Any) -> list[Any]:
    """The WHERE clauses of the cases of a kind this user may list (their programmes, no conflicts)."""
    return _visible(_case_type(kind), user)
