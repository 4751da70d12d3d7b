"""The demo's Round 3: 198 applications asking for about £1.3m, and the 73 the decision funds."""

from __future__ import annotations

from collections import Counter
from datetime import UTC

import pytest
from sqlalchemy import func, select

from grants.apply import formbuilder
from grants.apply.services import definition_for
from grants.auth.services import find_user
from grants.demo import DEMO_R3_FUNDED, load_demo, round3_funded_references
from grants.demo_round3 import check_plan, plan, round3_funded_applications
from grants.extensions import db
from grants.models import Application, ApplicationTerm, AuditEvent, Organisation, Round, Term
from grants.models.applications import COMPLETED

FUNDED_AREAS = {
    "Serious Violence": 12,
    "High Street Crime": 11,
    "Recovery from COVID": 15,
    "Hate Crime": 12,
    "Countering Terrorism": 2,
    "Drugs and Alcohol": 18,
    "Neighbourhood Crime and ASB": 42,
    "Road Safety, Speeding and Dangerous Driving": 8,
}


@pytest.fixture(scope="module")
def _loaded(app):
    """The demo, loaded and committed once for this module (a load takes a second or so); removed after."""
    with app.app_context():
        load_demo()
        db.session.remove()
    yield
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


@pytest.fixture
def demo(_loaded):
    return db.session.scalar(select(Round).where(Round.code == "MSCF-R3"))


def _applications(round_: Round) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application).where(Application.round_id == round_.id).order_by(Application.public_reference)
        )
    )


def _labels(application_ids: list[int], vocabulary: str) -> Counter[str]:
    rows = db.session.scalars(
        select(Term.label)
        .join(ApplicationTerm, ApplicationTerm.term_id == Term.id)
        .where(ApplicationTerm.application_id.in_(application_ids), Term.vocabulary == vocabulary)
    )
    return Counter(rows)


def test_loading_the_demo_twice_leaves_198_round_three_applications_numbered_from_the_round(demo):
    load_demo()
    db.session.expire_all()

    applications = _applications(demo)
    assert len(applications) == 198
    assert [a.public_reference for a in applications] == [f"MSCF-R3-{n:04d}" for n in range(1, 199)]
    assert demo.application_count == 198


def test_round_three_asks_for_almost_1_3m_each_bid_within_the_cap(demo):
    amounts = [a.amount_requested_pence for a in _applications(demo)]

    assert 125_000_000 <= sum(amounts) <= 130_000_000
    assert sum(amounts) == 129_648_731  # £1,296,487.31
    assert all(0 < amount <= 800_000 for amount in amounts)


def test_the_73_funded_bids_ask_for_exactly_the_decisions_total_with_its_areas_of_focus(demo):
    funded = round3_funded_applications()

    assert round3_funded_references() == DEMO_R3_FUNDED
    assert len(funded) == len(set(DEMO_R3_FUNDED)) == 73
    assert sum(a.amount_requested_pence for a in funded) == 50_609_782  # £506,097.82
    assert dict(_labels([a.id for a in funded], "area_of_focus")) == FUNDED_AREAS
    tagged = db.session.scalar(
        select(func.count(func.distinct(ApplicationTerm.application_id)))
        .join(Term, Term.id == ApplicationTerm.term_id)
        .where(ApplicationTerm.application_id.in_([a.id for a in funded]), Term.vocabulary == "area_of_focus")
    )
    assert 73 - tagged == 8  # 89% tackle at least one area of focus
    assert Counter(a.state for a in funded) == {"submitted": 72, "approved": 1}


def test_every_district_and_area_of_focus_is_present(demo):
    ids = [a.id for a in _applications(demo)]

    assert set(_labels(ids, "district")) == {"Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"}
    assert set(_labels(ids, "area_of_focus")) == set(FUNDED_AREAS)


def test_every_bid_was_submitted_through_the_workflow_before_the_round_closed(demo):
    applications = _applications(demo)
    submits = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.subject_type == "application",
            AuditEvent.subject_id.in_([a.id for a in applications]),
            AuditEvent.action == "submit",
        )
    )

    assert submits == 198
    assert all(a.submitted_at is not None and a.submitted_at < demo.closes_at for a in applications)
    assert {a.state for a in applications} == {"submitted", "approved"}


def test_organisations_are_many_and_a_few_applied_twice(demo):
    per_organisation = Counter(a.organisation_id for a in _applications(demo))
    names = db.session.scalars(select(Organisation.name).where(Organisation.id.in_(per_organisation)))

    assert 150 <= len(per_organisation) <= 190
    assert 5 <= sum(1 for count in per_organisation.values() if count == 2) <= 30
    assert max(per_organisation.values()) == 2
    assert len(set(names)) == len(per_organisation)


def test_every_bid_has_every_section_completed_as_the_form_would_save_it(demo, app):
    for application in _applications(demo)[::3]:
        definition = definition_for(application)
        sections = {s.section_key: s for s in application.sections}
        assert set(sections) == {s.key for s in definition.sections}
        for section in definition.sections:
            row = sections[section.key]
            with app.test_request_context():
                context = _context(application)
                form = formbuilder.build_form(section, context, formbuilder.formdata_from_raw(row.answers["raw"]))
                form.validate()
            errors = {key: value for key, value in form.errors.items() if key != "csrf_token"}
            assert errors == {}, (application.reference, section.key, errors)
            problems = formbuilder.check_section(form, section, context)
            files = {q.key for q in section.questions if q.type == "file"}
            assert set(problems) <= files, (application.reference, problems)  # the demo uploads no documents
            assert row.status == COMPLETED
            assert formbuilder.values_from_form(form, section) == row.answers["values"], (
                application.reference,
                section.key,
            )
        budget = sections["budget"].answers["values"]["budget_lines"]
        assert sum(line["cost"] for line in budget) == application.amount_requested_pence
        assert application.project_title == sections["project"].answers["values"]["project_title"]
        assert application.people_reached == sections["people"].answers["values"]["people_reached"]


def _context(application: Application) -> formbuilder.FormContext:
    from grants.apply.services import vocabularies

    round_ = application.round
    return formbuilder.FormContext(
        vocabularies=vocabularies(),
        max_grant_pence=round_.max_grant_pence,
        min_grant_pence=round_.min_grant_pence,
        delivery_starts_on=round_.delivery_starts_on,
        delivery_ends_on=round_.delivery_ends_on,
    )


def test_the_demo_officer_sees_198_applications_asking_for_1_296_487_31(demo, client, sign_in):
    from tests.integration.conftest import post_form

    officer = find_user("officer@example.org")
    response = post_form(client, "/sign-in", {"email": officer.email, "password": "grantflow-demo"})
    assert response.status_code == 302

    html = client.get("/officer/rounds/MSCF-R3/applications").get_data(as_text=True)

    assert "198 applications asking for £1,296,487.31" in html


def test_the_plan_is_the_same_every_time_and_adds_up():
    from datetime import date, datetime, timedelta

    closes = datetime(2022, 11, 4, 12, tzinfo=UTC)
    args = ((date(2023, 3, 11), date(2024, 3, 10)), closes - timedelta(days=32), closes, closes - timedelta(days=2))

    one, two = plan(*args), plan(*args)

    assert [(b.reference, b.organisation.name, b.amount_pence) for b in one.all_bids] == [
        (b.reference, b.organisation.name, b.amount_pence) for b in two.all_bids
    ]
    figures = check_plan(one)
    assert (figures["applications"], figures["funded"], figures["funded_pence"]) == (198, 73, 50_609_782)
    assert figures["funded_without_area"] == 8
