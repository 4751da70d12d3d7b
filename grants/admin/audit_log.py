"""The audit log as admins search it: by person, case, action, programme and date; one page or a CSV.

An audit row names its subject by type and id; its programme is found through the subject (an
application through its round, a payment through its award, ...). An admin of some programmes sees
the rows of cases on those programmes only; rows about no programme (accounts, organisations,
reference data) are for admins of every programme.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, false, func, or_, select
from sqlalchemy.orm import joinedload

from exports.xlsx import safe_text
from grants import access
from grants.extensions import db
from grants.formatting import LONDON, london_today
from grants.models import (
    Application,
    Assessment,
    AuditEvent,
    Award,
    BackgroundJob,
    Contract,
    IncomingGrant,
    MonitoringReturn,
    Payment,
    Programme,
    Round,
    Uplift,
    User,
    Variation,
)
from grants.pagination import Filtering, Page, paginate

MAX_TEXT = 200
CSV_BATCH = 1_000
CSV_HEADER = ["When (UK time)", "Who", "Action", "Case type", "Case", "Programme", "From", "To", "Reason"]
_DATE = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*$|^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def _programme_of() -> ColumnElement[Any]:
    """The programme id of an audit row's subject, as SQL (NULL for subjects on no programme)."""
    subject = AuditEvent.subject_id

    def through_award(model: Any) -> Any:
        return select(Award.programme_id).join(model, model.award_id == Award.id).where(model.id == subject)

    found = {
        "round": select(Round.programme_id).where(Round.id == subject),
        "application": select(Round.programme_id)
        .join(Application, Application.round_id == Round.id)
        .where(Application.id == subject),
        "assessment": select(Round.programme_id)
        .join(Application, Application.round_id == Round.id)
        .join(Assessment, Assessment.application_id == Application.id)
        .where(Assessment.id == subject),
        "award": select(Award.programme_id).where(Award.id == subject),
        "payment": through_award(Payment),
        "variation": through_award(Variation),
        "return": through_award(MonitoringReturn),
        "contract": select(Contract.programme_id).where(Contract.id == subject),
        "incoming_grant": select(IncomingGrant.programme_id).where(IncomingGrant.id == subject),
        "uplift": select(Uplift.programme_id).where(Uplift.id == subject),
        "background_job": select(BackgroundJob.programme_id).where(BackgroundJob.id == subject),
    }
    return case(
        (AuditEvent.subject_type == "programme", subject),
        *(
            (AuditEvent.subject_type == kind, query.correlate(AuditEvent).scalar_subquery())
            for kind, query in found.items()
        ),
        else_=None,
    )


@dataclass
class AuditSearch(Filtering):
    """What the admin asked for (as typed, kept for the form) and what each part means."""

    person: str = ""
    case: str = ""
    action: str = ""
    programme: str = ""
    since: str = ""
    until: str = ""
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def any(self) -> bool:
        return any((self.person, self.case, self.action, self.programme, self.since, self.until))

    def query_args(self) -> dict[str, str]:
        values = {
            "person": self.person,
            "case": self.case,
            "action": self.action,
            "programme": self.programme,
            "since": self.since,
            "until": self.until,
        }
        return {key: value for key, value in values.items() if value}


def _clean(value: str | None) -> str:
    return (value or "").replace("\x00", "").strip()[:MAX_TEXT]


def _date(text: str) -> date:
    match = _DATE.match(text)
    if not match:
        raise ValueError
    day, month, year = (match.group(1), match.group(2), match.group(3))
    if year is None:
        year, month, day = match.group(4), match.group(5), match.group(6)
    return date(int(year), int(month), int(day))


def read_search(args: Mapping[str, str]) -> AuditSearch:
    """The search from a query string; a date that is not a real date is named in `errors`."""
    search = AuditSearch(
        person=_clean(args.get("person")),
        case=_clean(args.get("case")),
        action=_clean(args.get("action")),
        programme=_clean(args.get("programme")),
        since=_clean(args.get("since")),
        until=_clean(args.get("until")),
    )
    for name, label in (("since", "From"), ("until", "To")):
        text = getattr(search, name)
        if not text:
            continue
        try:
            _date(text)
        except (ValueError, OverflowError):
            search.errors[name] = f"{label} date must be a real date, like 27/3/2024"
    if not search.errors and search.since and search.until and _date(search.since) > _date(search.until):
        search.errors["until"] = "To date must be the same as or after the from date"
    return search


def programme_choices(admin: User) -> list[tuple[str, str]]:
    """("", "Any programme") and the programmes this admin administers, by name."""
    mine = access.administered(admin)
    query = select(Programme.code, Programme.name).order_by(Programme.name)
    if mine is not None:
        query = query.where(Programme.id.in_(mine))
    return [("", "Any programme"), *((code, name) for code, name in db.session.execute(query))]


def _statement(search: AuditSearch, admin: User) -> Select[Any]:
    programme_of = _programme_of()
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    mine = access.administered(admin)
    if mine is not None:
        query = query.where(programme_of.in_(mine) if mine else false())
    if search.errors:
        return query.where(false())
    if search.person:
        pattern = f"%{_like(search.person.lower())}%"
        people = select(User.id).where(or_(func.lower(User.email).like(pattern, escape="\\"),
                                           func.lower(User.name).like(pattern, escape="\\")))  # fmt: skip
        query = query.where(AuditEvent.actor_id.in_(people))
    if search.case:
        query = query.where(func.upper(AuditEvent.subject_reference).like(
            f"%{_like(search.case.upper())}%", escape="\\"))  # fmt: skip
    if search.action:
        query = query.where(AuditEvent.action == search.action)
    if search.programme:
        chosen = select(Programme.id).where(Programme.code == search.programme)
        query = query.where(programme_of.in_(chosen))
    if search.since:
        query = query.where(AuditEvent.occurred_at >= _london_midnight(_date(search.since)))
    if search.until:
        day_after = _date(search.until) + timedelta(days=1)
        query = query.where(AuditEvent.occurred_at < _london_midnight(day_after))
    return query


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def search_page(search: AuditSearch, admin: User, page: int, per_page: int) -> Page[AuditEvent]:
    """One page of matching rows, newest first, each with who did it (three statements)."""
    return paginate(_statement(search, admin).options(joinedload(AuditEvent.actor)), page, per_page)


def actions() -> list[str]:
    """Every action the log holds, for the action filter."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def programme_names(events: list[AuditEvent]) -> dict[int, str]:
    """Each shown row's programme name, by audit row id (one statement for the page)."""
    if not events:
        return {}
    rows = db.session.execute(
        select(AuditEvent.id, Programme.name)
        .join(Programme, Programme.id == _programme_of())
        .where(AuditEvent.id.in_([event.id for event in events]))
    )
    return dict(rows.all())  # type: ignore[arg-type]


def csv_lines(search: AuditSearch, admin: User) -> Iterator[str]:
    """The matching rows as CSV, newest first, a batch at a time (memory stays flat)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    yield "\ufeff" + buffer.getvalue()
    names = dict(db.session.execute(select(Programme.id, Programme.name)).all())
    query = _csv_query(search, admin)
    for partition in db.session.execute(query).partitions():
        buffer.seek(0)
        buffer.truncate()
        for row in partition:
            writer.writerow(_csv_row(row, names))
        yield buffer.getvalue()


def _csv_query(search: AuditSearch, admin: User) -> Select[Any]:
    statement = _statement(search, admin)
    return (
        statement.with_only_columns(
            AuditEvent.occurred_at,
            User.name,
            User.email,
            AuditEvent.action,
            AuditEvent.subject_type,
            AuditEvent.subject_reference,
            _programme_of(),
            AuditEvent.from_state,
            AuditEvent.to_state,
            AuditEvent.reason,
            maintain_column_froms=True,
        )
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .execution_options(yield_per=CSV_BATCH)
    )


def _csv_row(row: Any, names: dict[int, str]) -> list[str]:
    occurred, name, email, action, kind, reference, programme_id, from_state, to_state, reason = row
    who = f"{name} <{email}>" if email else "System"
    text = [who, action, kind, reference, names.get(programme_id, ""), from_state or "", to_state or "", reason or ""]
    return [occurred.astimezone(LONDON).isoformat(timespec="seconds"), *(safe_text(cell) for cell in text)]


def csv_filename() -> str:
    return f"audit-log-{london_today().isoformat()}.csv"
