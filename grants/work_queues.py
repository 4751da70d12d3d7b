"""Work queues: what is waiting for each staff role, as a count and a link to where it is done.

Any area adds its queues by listing them in its `cases` module as `WORK_QUEUES` (grants/areas.py
collects them); the staff home page ("Your work", grants/workspace) shows, for each role a person
holds, that role's queues with their counts, all counted in one statement. A queue is either a kind
of case in some states (counted among the cases that person may list: their programmes, no
conflicts; its link is the cases list filtered to those states), or its own count query and page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select


@dataclass(frozen=True)
class Queue:
    key: str
    title: str  # what is waiting, as the reader says it: "Applications to screen"
    roles: frozenset[str]
    hint: str = ""  # what doing it means, one short sentence
    # A kind of case in some states (optionally narrowed further), listed on the cases pages ...
    kind: str | None = None
    states: tuple[str, ...] = ()
    where: Callable[[], ColumnElement[bool]] | None = None
    # ... or a count of its own for this person (None: not their work), and the page where it is done.
    count: Callable[[Any], Select[Any] | None] | None = None
    endpoint: str | None = None  # for a kind of case, a page of its own instead of the cases list
    endpoint_args: Callable[[], dict[str, Any]] = dict  # worked out when the page is shown (dates)

    def __post_init__(self) -> None:
        if (self.kind is None) == (self.count is None):
            raise ValueError(f"work queue {self.key}: give a kind of case or a count, not both or neither")
        if self.count is not None and self.endpoint is None:
            raise ValueError(f"work queue {self.key}: a queue with its own count needs its page (endpoint)")


class WorkQueues:
    """The registered queues, in the order they were added (areas list the most pressing first)."""

    def __init__(self) -> None:
        self._queues: dict[str, Queue] = {}

    def add(self, queues: Iterable[Queue]) -> None:
        for queue in queues:
            if queue.key in self._queues:
                raise ValueError(f"work queue {queue.key} is registered twice")
            self._queues[queue.key] = queue

    def __iter__(self) -> Iterator[Queue]:
        return iter(self._queues.values())

    def for_role(self, role: str) -> list[Queue]:
        return [queue for queue in self if role in queue.roles]
