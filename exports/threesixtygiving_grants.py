"""Which awards a programme publishes as 360Giving grants, read from the database a page at a time.

Published: the programme's awards with a decision date whose state is in `PUBLISHED_STATES`
(preparing, offered, accepted, active, suspended, closed); declined and cancelled awards are not.
Each becomes a `Grant`: the fields the standard asks for, with the recipient's org-id
(`organisation_identifier`) and the project's districts with their ONS codes. The JSON and
spreadsheet writers are in exports/threesixtygiving.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, scoped_session

from grants.formatting import LONDON
from grants.models import (
    Application,
    ApplicationSection,
    ApplicationTerm,
    AuditEvent,
    Award,
    Organisation,
    Programme,
    Round,
    Term,
)
from grants.reference import WEST_YORKSHIRE_DISTRICTS

# Awards in these states are published; "declined" and "cancelled" are not. An allow-list, so
# that a state added to the award workflow later is not published until someone decides it is.
PUBLISHED_STATES = ("preparing", "offered", "accepted", "active", "suspended", "closed")
GEO_CODE_TYPE = "LAD"  # local authority district (360Giving geoCodeType codelist)
# The form's project summary ("We may publish this summary if your project is funded"), from the
# checked answers of the section ({"raw": what was typed, "values": what passed the checks}).
SUMMARY_SECTION, SUMMARY_PATH = "project", ("values", "summary")
PAGE_SIZE = 500
PENNY = Decimal("0.01")

# A plain Session (scripts, benchmarks) or Flask-SQLAlchemy's scoped db.session.
AnySession = Session | scoped_session[Any]


class PublicationError(Exception):
    """Why nothing could be published; the message is for people."""


class UnknownProgramme(PublicationError):
    pass


class NothingToPublish(PublicationError):
    pass


# -- organisation identifiers (org-id.guide) -----------------------------------------------------
def _clean(number: str | None) -> str:
    return "".join((number or "").split()).upper()


def company_number(number: str | None) -> str:
    """A Companies House number as registered: 8 characters, so digits are zero-padded (7654321 → 07654321)."""
    cleaned = _clean(number)
    return cleaned.zfill(8) if cleaned.isdigit() else cleaned


def charity_identifier(number: str) -> str:
    """GB-SC-SC012345 (OSCR keeps its SC), GB-NIC-104226 (CCNI without NIC), else GB-CHC-1187654."""
    cleaned = _clean(number)
    if cleaned.startswith("SC"):
        return f"GB-SC-{cleaned}"
    if cleaned.startswith("NIC"):
        return f"GB-NIC-{cleaned[3:]}"
    return f"GB-CHC-{cleaned}"


def organisation_identifier(
    *,
    organisation_id: int,
    org_type: str | None,
    charity_number: str | None,
    company_number_: str | None,
    other_identifier: str | None,
    prefix: str,
) -> str:
    """The recipient's org-id, best first (org-id.guide ranks charity registers above Companies House).

    1. A community interest company with a company number: GB-COH-… (a CIC cannot be a registered
       charity, so a charity number recorded for one is not trusted over its company number).
    2. A charity number: GB-CHC-… (England and Wales), GB-SC-SC… (Scotland), GB-NIC-… (Northern Ireland).
    3. A company number: GB-COH-… (zero-padded to 8 characters).
    4. The identifier recorded for a public body or school (GB-LAE-…, GB-NHS-…, GB-EDU-…).
    5. Otherwise our own: {prefix}-ORG-{organisation id}.
    """
    if org_type == "cic" and _clean(company_number_):
        return f"GB-COH-{company_number(company_number_)}"
    if _clean(charity_number):
        return charity_identifier(charity_number or "")
    if _clean(company_number_):
        return f"GB-COH-{company_number(company_number_)}"
    if (other_identifier or "").strip():
        return (other_identifier or "").strip()
    return f"{prefix}-ORG-{organisation_id}"


def pounds(pence: int) -> Decimal:
    """Integer pence as pounds with exactly two decimals, without passing through a float."""
    return (Decimal(pence) / 100).quantize(PENNY)


def rfc3339(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


# -- one grant, as read from the database ------------------------------------------------------
@dataclass(slots=True)
class Location:
    name: str
    geo_code: str | None


@dataclass(slots=True)
class Recipient:
    identifier: str
    name: str
    charity_number: str | None
    company_number: str | None
    postal_code: str | None
    town: str | None


@dataclass(slots=True)
class Grant:
    identifier: str
    reference: str
    title: str
    description: str
    amount_pence: int
    award_date: date
    starts_on: date | None
    ends_on: date | None
    recipient: Recipient
    locations: tuple[Location, ...]
    programme_title: str
    programme_code: str
    from_open_call: str
    modified: datetime


@dataclass(frozen=True)
class Funder:
    identifier: str
    name: str


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


def published_awards(programme_id: Any) -> Any:
    """The condition for the published awards of a programme: an id, or a column to join on (the open data page)."""
    return and_(
        Award.programme_id == programme_id,
        Award.state.in_(PUBLISHED_STATES),
        Award.decided_at.is_not(None),
    )


def open_publication(
    session: AnySession, programme_code: str, *, prefix: str, funder_id: str, funder_name: str
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
    )
    publication.districts = _districts(session)
    return publication


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


def iter_grants(session: AnySession, publication: Publication, page_size: int = PAGE_SIZE) -> Iterator[Grant]:
    """The published grants in reference order, read in keyset pages of `page_size` rows.

    Three statements a page: the awards with their organisation, application, round and summary;
    the project districts of those applications; the latest audit event of those awards.
    """
    summary = ApplicationSection.answers[SUMMARY_PATH].as_string()
    query = (
        select(
            Award.id,
            Award.public_reference,
            Award.title,
            Award.amount_pence,
            Award.decided_at,
            Award.starts_on,
            Award.ends_on,
            Award.contract_id,
            Award.application_id,
            Award.state_changed_at,
            Award.created_at,
            Organisation.id.label("organisation_id"),
            Organisation.name.label("organisation_name"),
            Organisation.org_type,
            Organisation.charity_number,
            Organisation.company_number,
            Organisation.other_identifier,
            Organisation.district,
            Organisation.postcode,
            Organisation.town,
            Application.project_title,
            Round.code.label("round_code"),
            Round.title.label("round_title"),
            summary.label("summary"),
        )
        .join(Organisation, Organisation.id == Award.organisation_id)
        .outerjoin(Application, Application.id == Award.application_id)
        .outerjoin(Round, Round.id == Application.round_id)
        .outerjoin(
            ApplicationSection,
            and_(
                ApplicationSection.application_id == Award.application_id,
                ApplicationSection.section_key == SUMMARY_SECTION,
            ),
        )
        .where(published_awards(publication.programme_id))
        .order_by(Award.public_reference)
        .limit(page_size)
    )
    after: str | None = None
    while True:
        page = session.execute(query if after is None else query.where(Award.public_reference > after)).all()
        if not page:
            return
        after = page[-1].public_reference
        districts = _project_districts(session, [r.application_id for r in page if r.application_id is not None])
        audited = _last_audited(session, [r.id for r in page])
        for row in page:
            grant = _grant(row, publication, districts.get(row.application_id, ()), audited.get(row.id))
            publication.count += 1
            publication.total_pence += grant.amount_pence
            yield grant
        if len(page) < page_size:
            return


def _project_districts(session: AnySession, application_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    if not application_ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(ApplicationTerm.application_id, Term.code)
        .join(Term, Term.id == ApplicationTerm.term_id)
        .where(ApplicationTerm.application_id.in_(application_ids), Term.vocabulary == "district")
        .order_by(ApplicationTerm.application_id, Term.position, Term.code)
    )
    for application_id, code in rows:
        found.setdefault(application_id, []).append(code)
    return {key: tuple(codes) for key, codes in found.items()}


def _last_audited(session: AnySession, award_ids: Sequence[int]) -> dict[int, datetime]:
    rows = session.execute(
        select(AuditEvent.subject_id, func.max(AuditEvent.occurred_at))
        .where(AuditEvent.subject_type == "award", AuditEvent.subject_id.in_(award_ids))
        .group_by(AuditEvent.subject_id)
    )
    return {subject_id: moment for subject_id, moment in rows if moment is not None}


def _grant(row: Any, publication: Publication, project_districts: tuple[str, ...], audited: datetime | None) -> Grant:
    codes = project_districts or ((row.district,) if row.district else ())
    locations = tuple(publication.districts.get(code, Location(code.title(), None)) for code in codes)
    title = (row.title or "").strip() or (row.project_title or "").strip() or row.public_reference
    description = (row.summary or "").strip() or title
    if row.contract_id is not None:
        open_call = "No"  # an allocation to a commissioned provider
    elif row.application_id is not None or publication.programme_kind == "grant_rounds":
        open_call = "Yes"  # applied for in an open, competitive round
    else:
        open_call = "No"
    moments = [m for m in (row.created_at, row.state_changed_at, audited) if m is not None]
    charity = _clean(row.charity_number) or None
    company = company_number(row.company_number) or None
    return Grant(
        identifier=f"{publication.prefix}-{row.public_reference}",
        reference=row.public_reference,
        title=title,
        description=description,
        amount_pence=row.amount_pence,
        award_date=row.decided_at.astimezone(LONDON).date(),
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        recipient=Recipient(
            identifier=organisation_identifier(
                organisation_id=row.organisation_id,
                org_type=row.org_type,
                charity_number=row.charity_number,
                company_number_=row.company_number,
                other_identifier=row.other_identifier,
                prefix=publication.prefix,
            ),
            name=row.organisation_name,
            charity_number=charity,
            company_number=company,
            postal_code=(row.postcode or "").strip() or None,
            town=(row.town or "").strip() or None,
        ),
        locations=locations,
        programme_title=_grant_programme(publication.programme_name, row.round_title),
        programme_code=row.round_code or publication.programme_code,
        from_open_call=open_call,
        modified=max(moments),
    )
