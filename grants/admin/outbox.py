"""The outbox as an admin of every programme reads it: every email, filtered by status, sorted by any
column both ways (`?sort=<column>&dir=asc|desc`, grants.listing), a page at a time or all as CSV.

A page is two statements whatever its size (the count and the rows); the CSV runs the same query,
streamed. The CSV has no bodies: a body may hold a link that signs its recipient in.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from grants.formatting import LONDON
from grants.listing import Column, Sort, SortSpec, csv_lines, without_nul
from grants.models import OutboxMessage
from grants.models.outbox import FAILED, PENDING, SENDING, SENT
from grants.pagination import Page, paginate

STATUSES = {PENDING: "Pending", SENDING: "Sending", SENT: "Sent", FAILED: "Failed"}

# The list's sortable columns; it opens newest first. An email not sent yet sorts after every sent one.
SORTS = SortSpec(
    columns={
        "queued": Column("Queued", (OutboxMessage.created_at,)),
        "recipient": Column("To", (OutboxMessage.recipient,)),
        "subject": Column("Subject", (OutboxMessage.subject,)),
        "status": Column("Status", (OutboxMessage.status,)),
        "attempts": Column("Attempts", (OutboxMessage.attempts,)),
        "sent": Column("Sent", (OutboxMessage.sent_at.is_(None), OutboxMessage.sent_at)),
    },
    default=Sort("queued", "desc"),
    tie_breaker=OutboxMessage.id,
)


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    error: str | None = None  # what is wrong with the status asked for


def read_filters(args: Mapping[str, Any]) -> Filters:
    """The status in the address (empty: every email); one that is not a status is a message."""
    typed = without_nul(str(args.get("status") or "")).strip()
    if not typed:
        return Filters()
    if typed not in STATUSES:
        return Filters(error="Choose a status from the list")
    return Filters(status=typed)


def _query(filters: Filters, sort: Sort) -> Select[Any]:
    query = select(OutboxMessage).order_by(*SORTS.order_by(sort))
    if filters.status:
        query = query.where(OutboxMessage.status == filters.status)
    return query


def list_emails(filters: Filters, sort: Sort, page: int, per_page: int) -> Page[Any]:
    """A page of the outbox (none when the filter is wrong: the page says why)."""
    if filters.error:
        return Page(items=[], page=1, per_page=per_page, total=0)
    return paginate(_query(filters, sort), page, per_page)


CSV_HEADER = ("Queued (UK time)", "To", "Subject", "Status", "Attempts", "Sent (UK time)", "Last error")


def _when(moment: datetime | None) -> str:
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if moment else ""


def emails_csv(filters: Filters, sort: Sort) -> Iterator[str]:
    """Every email the list shows (all its pages), in its order, as CSV (streamed)."""

    def row(message: OutboxMessage) -> list[Any]:
        return [
            _when(message.created_at),
            message.recipient,
            message.subject,
            STATUSES.get(message.status, message.status),
            message.attempts,
            _when(message.sent_at),
            message.last_error or "",
        ]

    return csv_lines(CSV_HEADER, _query(filters, sort), row)
