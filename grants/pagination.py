"""One page of a list: a fixed number of queries whatever the page size."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from grants.extensions import db

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


class Filtering:
    """Mixed into a list's filters (a dataclass): `any` says whether any filter is set."""

    @property
    def any(self) -> bool:
        return any(value not in (None, "") for value in self.__dict__.values())


def page_number(args: Mapping[str, str]) -> int:
    """The page asked for in a query string (?page=3); 1 when missing or not a number."""
    try:
        return max(1, int(args.get("page", "1")))
    except ValueError:
        return 1


def paginate(query: Select[Any], page: int, per_page: int) -> Page[Any]:
    """Two statements: the count, and the page of rows (eager loads ride on the row query)."""
    page = max(1, page)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    last = max(1, -(-total // per_page))
    page = min(page, last)
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items=items, page=page, per_page=per_page, total=total)
