"""Which awards a programme publishes as 360Giving grants, read from the database in one statement.

Published: the programme's awards with a decision date whose state carries the award workflow's
"published" tag (preparing, offered, accepted, active, suspended, closed); declined and cancelled are not.
Each becomes a `Grant`: the fields the standard asks for, with the recipient's org-id
(identifiers.py) and the project's districts with their ONS codes. The grants are the writers'
rows (exports/threesixtygiving_grants.py); publish.py hands them to the writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Select, and_, func, select, type_coerce
from sqlalchemy.orm import Session, scoped_session

from exports.threesixtygiving_grants import Funder, Grant, Location, Recipient
from grants.formatting import LONDON, money
from grants.models import (
    Application,
    ApplicationSection,
    ApplicationTerm,
    AuditEvent,
    Award,
    Contract,
    Organisation,
    Programme,
    Round,
    Term,
)
from grants.open_data.identifiers import clean_number, cleaned_org_id, company_number
from grants.reference import WEST_YORKSHIRE_DISTRICTS
from grants.workflow_states import states

# The form's project summary ("We may publish this summary if your project is funded"), from the
# checked answers of the section ({"raw": what was typed, "values": what passed the checks}).
SUMMARY_SECTION, SUMMARY_PATH = "project", ("values", "summary")
PAGE_SIZE = 500

# A plain Session (scripts, benchmarks) or Flask-SQLAlchemy's scoped db.session.
AnySession = Session | scoped_session[Any]


class PublicationError(Exception):
    """Why nothing could be published; the message is for people."""


class UnknownProgramme(PublicationError):
    pass


class NothingToPublish(PublicationError):
    pass


@dataclass
class Publication:
    """What is being published, and (once written) how many grants and how much."""

    programme_id: int
    programme_code: str
    programme_name: str
    programme_kind: str
    prefix: str
    funder: Funder
    count: int = 0
    total_pence: int = 0
    districts: dict[str, Location] = field(default_factory=dict)
    data_source: str | None = None  # the public page the grants are published on
    first_decided: datetime | None = None  # the package's dates come from the data
    last_modified: datetime | None = None


def published_awards(programme_id: Any) -> Any:
    """The condition for the published awards of a programme: an id, or a column to join on (the open data page)."""
    return and_(
        Award.programme_id == programme_id,
        Award.state.in_(states("award", "published")),
        Award.decided_at.is_not(None),
    )


def open_publication(
    session: AnySession,
    programme_code: str,
    *,
    prefix: str,
    funder_id: str,
    funder_name: str,
    data_source: str | None = None,
) -> Publication:
    """Find the programme and check there is something to publish; raises PublicationError."""
    programme = session.execute(
        select(Programme.id, Programme.code, Programme.name, Programme.kind).where(Programme.code == programme_code)
    ).first()
    if programme is None:
        known = session.scalars(select(Programme.code).order_by(Programme.code).limit(50)).all()
        hint = f" Programmes: {', '.join(known)}." if known else ""
        raise UnknownProgramme(f"There is no programme with the code {programme_code!r}.{hint}")
    anything = session.execute(select(Award.id).where(published_awards(programme.id)).limit(1)).first()
    if anything is None:
        raise NothingToPublish(
            f"{programme.code} has no awarded grants to publish yet "
            "(360Giving data needs at least one grant with a decision date)."
        )
    publication = Publication(
        programme_id=programme.id,
        programme_code=programme.code,
        programme_name=programme.name,
        programme_kind=programme.kind,
        prefix=prefix,
        funder=Funder(funder_id, funder_name),
        data_source=data_source,
    )
    publication.districts = _districts(session)
    publication.first_decided, publication.last_modified = _dates(session, programme.id)
    return publication


def _dates(session: AnySession, programme_id: int) -> tuple[datetime | None, datetime | None]:
    """When the first published grant was decided, and when any published grant last changed (its row or
    its history): the package's "issued" and "modified", the same on every download of the same data."""
    first, changed, created = session.execute(
        select(func.min(Award.decided_at), func.max(Award.state_changed_at), func.max(Award.created_at)).where(
            published_awards(programme_id)
        )
    ).one()
    audited = session.scalar(
        select(func.max(AuditEvent.occurred_at))
        .join(Award, and_(AuditEvent.subject_type == "award", AuditEvent.subject_id == Award.id))
        .where(published_awards(programme_id))
    )
    moments = [_aware(m) for m in (changed, created, audited) if m is not None]
    return (_aware(first) if first else None), (max(moments) if moments else None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _districts(session: AnySession) -> dict[str, Location]:
    """District code → name and ONS code: the "district" vocabulary, falling back on grants.reference."""
    found = {code: Location(name, ons) for code, name, ons in WEST_YORKSHIRE_DISTRICTS}
    for code, label, external in session.execute(
        select(Term.code, Term.label, Term.external_code).where(Term.vocabulary == "district")
    ):
        known = found.get(code)
        found[code] = Location(label, external or (known.geo_code if known else None))
    return found


def _grant_programme(programme_name: str, round_title: str | None) -> str:
    if not round_title:
        return programme_name
    if round_title.startswith(programme_name):
        return round_title
    return f"{programme_name}: {round_title}"


def grants_query(publication: Publication) -> Select[*tuple[Any, ...]]:
    """All the published grants in one statement, in reference order: each award with its organisation,
    application, round and project summary, the moment of its latest audit event, and one row per project
    district (in the vocabulary's order; one row with no district if it has none)."""
    summary = ApplicationSection.answers[SUMMARY_PATH].as_string()
    districts = (
        select(ApplicationTerm.application_id, Term.code, Term.position)
        .join(Term, Term.id == ApplicationTerm.term_id)
        .where(Term.vocabulary == "district")
        .subquery("project_districts")
    )
    audited = (
        select(func.max(_moment(AuditEvent.occurred_at)))
        .where(AuditEvent.subject_type == "award", AuditEvent.subject_id == Award.id)
        .scalar_subquery()
    )
    # The order of these columns is the order `_GrantMaker.grant` unpacks them in.
    return (
        select(
            Award.id,
            Award.public_reference,
            Award.title,
            Award.amount_pence,
            _moment(Award.decided_at),
            Award.starts_on,
            Award.ends_on,
            Award.contract_id,
            Award.application_id,
            _moment(Award.state_changed_at),
            _moment(Award.created_at),
            audited,
            Organisation.id,
            Organisation.name,
            Organisation.org_type,
            Organisation.charity_number,
            Organisation.company_number,
            Organisation.other_identifier,
            Organisation.district,
            Organisation.postcode,
            Organisation.town,
            Application.project_title,
            Round.code,
            Round.title,
            summary,
            Contract.specification,
            Contract.districts_served,
            districts.c.code,
        )
        .join(Organisation, Organisation.id == Award.organisation_id)
        .outerjoin(Contract, Contract.id == Award.contract_id)
        .outerjoin(Application, Application.id == Award.application_id)
        .outerjoin(Round, Round.id == Application.round_id)
        .outerjoin(
            ApplicationSection,
            and_(
                ApplicationSection.application_id == Award.application_id,
                ApplicationSection.section_key == SUMMARY_SECTION,
            ),
        )
        .outerjoin(districts, districts.c.application_id == Award.application_id)
        .where(published_awards(publication.programme_id))
        .order_by(Award.public_reference, districts.c.position, districts.c.code)
    )


def _moment(column: Any) -> Any:
    """A UTCDateTime column read as the driver gives it, without UTCDateTime's Python step on each value
    (aware on PostgreSQL, in the connection's time zone; naive UTC on SQLite): `_GrantMaker.grant` makes
    it aware where it matters, once per grant instead of on every column."""
    return type_coerce(column, DateTime(timezone=True))


def iter_grants(session: AnySession, publication: Publication, page_size: int = PAGE_SIZE) -> Iterator[Grant]:
    """The published grants in reference order, read `page_size` rows at a time from one statement
    (`grants_query`; `yield_per`: a server-side cursor on PostgreSQL), so memory stays flat.

    An award with several project districts comes as consecutive rows, one per district.
    """
    make = _GrantMaker(publication)
    # Core, on the session's connection and transaction: plain rows, without the ORM's per-row step.
    result = session.connection().execute(grants_query(publication), execution_options={"yield_per": page_size})
    try:
        current: Any = None
        codes: list[str] = []
        for partition in result.partitions():
            for row in partition:
                if current is not None:
                    if row[0] == current[0]:  # the same award, another district
                        codes.append(row[-1])
                        continue
                    grant = make.grant(current, codes)
                    publication.count += 1
                    publication.total_pence += grant.amount_pence
                    yield grant
                current = row
                codes = [row[-1]] if row[-1] is not None else []
        if current is not None:
            grant = make.grant(current, codes)
            publication.count += 1
            publication.total_pence += grant.amount_pence
            yield grant
    finally:
        result.close()


class _GrantMaker:
    """A row of `grants_query` (and its project district codes) as a Grant, with what is the same for
    every grant of the publication worked out once."""

    def __init__(self, publication: Publication) -> None:
        self.prefix = publication.prefix
        self.programme_name = publication.programme_name
        self.programme_code = publication.programme_code
        self.districts = publication.districts
        # Without a contract or an application: "Yes" only if the programme runs open grant rounds.
        self.open_call = "Yes" if publication.programme_kind == "grant_rounds" else "No"
        self._locations: dict[tuple[str, ...], tuple[Location, ...]] = {}
        self._programmes: dict[str | None, str] = {}
        self.data_source = publication.data_source

    def description(
        self, title: str, summary: str | None, specification: str | None, amount_pence: int, recipient: str
    ) -> str:
        """What the grant is for, in more words than its title: the project summary the applicant agreed to
        publish, or the contract's specification; failing both, a sentence saying who was funded, by
        which programme and how much (never the title again: 360Giving's quality check flags that)."""
        for text in (summary, specification):
            cleaned = " ".join((text or "").split())
            if cleaned and cleaned.casefold() != title.casefold():
                return cleaned
        return f"{title}: {money(amount_pence)} from the {self.programme_name} to {recipient}."

    def locations(self, codes: tuple[str, ...]) -> tuple[Location, ...]:
        found = self._locations.get(codes)
        if found is None:
            found = tuple(self.districts.get(code, Location(code.title(), None)) for code in codes)
            if len(self._locations) < 1000:  # district vocabularies are small; stay bounded regardless
                self._locations[codes] = found
        return found

    def programme_title(self, round_title: str | None) -> str:
        found = self._programmes.get(round_title)
        if found is None:
            found = self._programmes[round_title] = _grant_programme(self.programme_name, round_title)
        return found

    def grant(self, row: Any, project_districts: list[str]) -> Grant:
        (
            _award_id,
            reference,
            title,
            amount_pence,
            decided_at,
            starts_on,
            ends_on,
            contract_id,
            application_id,
            state_changed_at,
            created_at,
            audited,
            organisation_id,
            organisation_name,
            org_type,
            charity_number,
            company_number_,
            other_identifier,
            district,
            postcode,
            town,
            project_title,
            round_code,
            round_title,
            summary,
            specification,
            served,
            _district_code,
        ) = row
        if served:  # a commissioned allocation benefits the districts its contract serves
            codes: tuple[str, ...] = tuple(served)
        elif project_districts:
            codes = tuple(project_districts)
        else:
            codes = (district,) if district else ()
        title = (title or "").strip() or (project_title or "").strip() or reference
        if contract_id is not None:
            open_call = "No"  # an allocation to a commissioned provider
        elif application_id is not None:
            open_call = "Yes"  # applied for in an open, competitive round
        else:
            open_call = self.open_call
        modified = created_at  # all aware (PostgreSQL) or all naive UTC (SQLite), so comparable
        for moment in (state_changed_at, audited):
            if moment is not None and (modified is None or moment > modified):
                modified = moment
        if decided_at.tzinfo is None:  # SQLite
            decided_at = decided_at.replace(tzinfo=UTC)
            modified = modified.replace(tzinfo=UTC)
        charity = clean_number(charity_number)
        company = company_number(company_number_)
        return Grant(
            f"{self.prefix}-{reference}",
            reference,
            title,
            self.description(title, summary, specification, amount_pence, organisation_name),
            amount_pence,
            decided_at.astimezone(LONDON).date(),
            starts_on,
            ends_on,
            Recipient(
                cleaned_org_id(organisation_id, org_type, charity, company, other_identifier, self.prefix),
                organisation_name,
                charity or None,
                company or None,
                (postcode or "").strip() or None,
                (town or "").strip() or None,
            ),
            self.locations(codes),
            self.programme_title(round_title),
            round_code or self.programme_code,
            open_call,
            modified,
            self.data_source,
        )
