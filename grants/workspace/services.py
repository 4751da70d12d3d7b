"""Your work: for each staff role a person holds, what is waiting for it (grants.work_queues), with
the counts of every queue shown taken in one statement, whatever the number of queues or cases.
(An organisation's picture is in grants.workspace.organisation.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from sqlalchemy import Select, select

from grants import access
from grants.cases import services as cases
from grants.decisions import budget_guard
from grants.extensions import db
from grants.formatting import london_today
from grants.kept import access_key, kept
from grants.models import Programme
from grants.models.people import ROLE_LABELS, STAFF_ROLES
from grants.work_queues import Queue, WorkQueues

DECISION_MAKER = frozenset({"decision_maker"})
STATEMENTS_KEPT = 1000  # counting statements kept per process (one per person, grants and day)


@dataclass(frozen=True)
class WorkItem:
    key: str
    title: str
    count: int
    href: str
    hint: str


@dataclass(frozen=True)
class RoleWork:
    role: str
    label: str
    items: list[WorkItem]

    @property
    def waiting(self) -> int:
        return sum(item.count for item in self.items)


def registered() -> WorkQueues:
    return current_app.extensions["work_queues"]


def _href(queue: Queue) -> str:
    if queue.endpoint is not None:
        return url_for(queue.endpoint, **queue.endpoint_args())
    return url_for("cases.list_kind", kind=queue.kind, state=list(queue.states))


def _count_query(queue: Queue, user: Any) -> Any:
    if queue.count is not None:
        return queue.count(user)
    assert queue.kind is not None  # noqa: S101 - Queue checks one of the two is given
    narrower = queue.where() if queue.where is not None else None
    return cases.count_in_states(queue.kind, user, queue.roles, queue.states, narrower)


def budget_positions(user: Any) -> list[budget_guard.BudgetPosition]:
    """For a decision maker, each budget stream of their programmes this financial year (committed and
    left), shown beside the decisions waiting: four statements a stream, whatever the number of cases."""
    programmes = access.programmes_with(user, DECISION_MAKER)
    if programmes == []:
        return []
    query = select(Programme.budget_stream).where(Programme.budget_stream.is_not(None)).distinct()
    if programmes is not None:
        query = query.where(Programme.id.in_(programmes))
    today = london_today()
    streams = sorted(stream for stream in db.session.scalars(query) if stream)
    return [budget_guard.stream_position(stream, today) for stream in streams]


def is_member(user: Any) -> bool:
    """Whether this member of staff also belongs to an organisation (their own applications are then
    reached from here: the staff menu leaves them out)."""
    return bool(user.memberships)


def _counts_statement(user: Any, roles: list[str]) -> Select[Any] | None:
    """One statement counting every queue of these roles for this person (None: no queue is theirs)."""
    queues = {queue.key: queue for role in roles for queue in registered().for_role(role)}
    queries = {key: _count_query(queue, user) for key, queue in queues.items()}
    shown = {key: query for key, query in queries.items() if query is not None}
    if not shown:
        return None
    return select(*(query.scalar_subquery().label(key) for key, query in shown.items()))


def _cached_statement(user: Any, roles: list[str]) -> Select[Any] | None:
    """The counting statement, built once per person, grants and day in this process (building it is most
    of the page's work: some thirty SQL expressions); the counts are read afresh each time."""
    return kept("work_statements", STATEMENTS_KEPT, access_key(user), lambda: _counts_statement(user, roles))


def your_work(user: Any) -> list[RoleWork]:
    """Each staff role the person holds (in the usual order), with its queues and their counts."""
    roles = [role for role in STAFF_ROLES if role in access.staff_roles(user)]
    statement = _cached_statement(user, roles)
    counts: dict[str, int] = {}
    if statement is not None:
        counts = {key: int(value or 0) for key, value in db.session.execute(statement).one()._mapping.items()}
    return [
        RoleWork(
            role=role,
            label=ROLE_LABELS.get(role, role),
            items=[
                WorkItem(queue.key, queue.title, counts[queue.key], _href(queue), queue.hint)
                for queue in registered().for_role(role)
                if queue.key in counts
            ],
        )
        for role in roles
    ]
