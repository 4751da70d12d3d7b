"""The section page and its save are cheap (a fixed handful of SQL statements, the form and the
vocabularies from the caches), and an admin's change to a vocabulary or a round's form shows at once."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict

from grants.apply.question_set_admin import SHIPPED
from grants.extensions import db
from grants.models import Application, ApplicationTerm, Membership, Term
from tests.apply.helpers import open_round
from tests.datasets.applications import form_fields
from tests.factories import PASSWORD, OrganisationFactory, member_of, staff_user
from tests.fixtures import csrf_token, sign_in_as

_TRANSACTION = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)
_VERSION = re.compile(r'name="version_id" value="(\d+)"')


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Every statement sent to the database inside the block but those that begin and end transactions
    (the tests' savepoints stand for the transactions of a real request, which send none of their own)."""
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if not _TRANSACTION.match(statement):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def _tables(statements: list[str]) -> str:
    return " | ".join(" ".join(s.split())[:90] for s in statements)


@pytest.fixture
def round_():
    return open_round()


@pytest.fixture
def application(client, sign_in, round_):
    organisation = OrganisationFactory(name="Bramley Community Kitchen", org_type="community_group")
    sign_in(member_of(organisation, email="aisha@example.org"))
    token = csrf_token(client, "/sign-out")
    response = client.post(
        f"/rounds/{round_.code}/start", data={"csrf_token": token, "organisation_id": organisation.id}
    )
    assert response.status_code == 302
    return db.session.get(Application, int(response.headers["Location"].rsplit("/", 1)[1]))


def _fresh_session() -> None:
    """As at the start of a real request: nothing already loaded (the tests share one session)."""
    db.session.expunge_all()


def _save(client, application_id: int, section: str, action: str = "continue", **changes):
    url = f"/applications/{application_id}/sections/{section}"
    html = client.get(url).get_data(as_text=True)
    data = MultiDict(form_fields(section, **changes))
    data.add("csrf_token", csrf_token(client, "/sign-out"))
    data.add("version_id", _VERSION.search(html).group(1))
    data.add("action", action)
    _fresh_session()
    with counting_statements() as statements:
        response = client.post(url, data=data, content_type="multipart/form-data")
    return response, statements


def test_a_section_page_runs_at_most_four_statements(client, application):
    url = f"/applications/{application.id}/sections/project"
    assert client.get(url).status_code == 200  # the form and the vocabularies now in the caches
    application_id = application.id
    _fresh_session()

    with counting_statements() as statements:
        response = client.get(url)

    assert response.status_code == 200
    assert "Which districts will the project serve?" in response.get_data(as_text=True)
    assert len(statements) <= 4, _tables(statements)
    # Never read for this page: an applicant's role grants (they hold none), the form, the vocabularies.
    for table in ("role_grants", "question_sets", "terms"):
        assert not any(s.lstrip().startswith(f"SELECT {table}.") for s in statements), _tables(statements)
    assert f"/applications/{application_id}" in response.get_data(as_text=True)


def test_saving_a_section_runs_at_most_six_statements(client, application):
    first, _ = _save(client, application.id, "project")
    assert first.status_code == 302

    saved, statements = _save(client, application.id, "project", project_title="Safe Suppers Two")

    assert saved.status_code == 302
    assert len(statements) <= 6, _tables(statements)
    later, statements = _save(client, application.id, "organisation", action="later", contact_name="Sam")
    assert later.status_code == 302
    assert len(statements) <= 6, _tables(statements)
    assert "Safe Suppers Two" in client.get(f"/applications/{application.id}").get_data(as_text=True)


def test_a_page_refused_answers_runs_at_most_six_statements_and_shows_them(client, application):
    refused, statements = _save(client, application.id, "organisation", years_operating="lots")

    assert refused.status_code == 200
    assert "must be a whole number" in refused.get_data(as_text=True)
    assert len(statements) <= 6, _tables(statements)


# -- an admin's changes show at once ------------------------------------------------------------------
@pytest.fixture
def admin_client(app):
    admin = staff_user("admin", email="admin@example.org")
    other = app.test_client()
    response = sign_in_as(other, admin.email, PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return other


def _leeds() -> Term:
    return db.session.scalar(select(Term).where(Term.vocabulary == "district", Term.code == "leeds"))


def test_a_term_an_admin_relabels_shows_on_the_next_page(client, admin_client, application):
    url = f"/applications/{application.id}/sections/project"
    assert "Leeds" in client.get(url).get_data(as_text=True)
    term = _leeds()
    page = f"/admin/vocabularies/district/terms/{term.id}"

    relabelled = admin_client.post(
        page,
        data={"csrf_token": csrf_token(admin_client, page), "label": "Leeds (the city)", "version_id": term.version_id},
    )

    assert relabelled.status_code == 302, relabelled.get_data(as_text=True)[:500]
    html = client.get(url).get_data(as_text=True)
    assert "Leeds (the city)" in html


def test_a_term_an_admin_adds_shows_on_the_next_page(client, admin_client, application):
    url = f"/applications/{application.id}/sections/project"
    assert "Otley" not in client.get(url).get_data(as_text=True)
    page = "/admin/vocabularies/district"

    added = admin_client.post(
        page, data={"csrf_token": csrf_token(admin_client, page), "code": "otley", "label": "Otley"}
    )

    assert added.status_code == 302, added.get_data(as_text=True)[:500]
    assert 'value="otley"' in client.get(url).get_data(as_text=True)


SECOND_VERSION = (
    (SHIPPED / "mscf-round-3.v1.toml")
    .read_text(encoding="utf-8")
    .replace("version = 1", "version = 2", 1)
    .replace('label = "Project title"', 'label = "What is your project called?"', 1)
)


def test_a_new_version_of_the_form_shows_at_once_where_it_applies(client, admin_client, round_, application):
    """A draft keeps the form it was started on; one that keeps none of its own (an older draft)
    follows its round's, and shows the new version on its next page."""
    user = application.created_by
    second = OrganisationFactory(name="Bramley Youth Club", org_type="community_group")
    db.session.add(Membership(user_id=user.id, organisation_id=second.id, is_owner=True))
    db.session.commit()
    token = csrf_token(client, "/sign-out")
    started = client.post(f"/rounds/{round_.code}/start", data={"csrf_token": token, "organisation_id": second.id})
    following = db.session.get(Application, int(started.headers["Location"].rsplit("/", 1)[1]))
    following.question_set_id = None
    db.session.commit()
    keeps, follows = (f"/applications/{a.id}/sections/project" for a in (application, following))
    for url in (keeps, follows):
        assert "Project title" in client.get(url).get_data(as_text=True)
    page = "/admin/question-sets"

    loaded = admin_client.post(
        page,
        data={
            "csrf_token": csrf_token(admin_client, page),
            "file": (io.BytesIO(SECOND_VERSION.encode()), "mscf-round-3.v2.toml"),
            "round": round_.code,
        },
        content_type="multipart/form-data",
    )

    assert loaded.status_code == 302, loaded.get_data(as_text=True)[:800]
    assert "What is your project called?" in client.get(follows).get_data(as_text=True)
    assert "Project title" not in client.get(follows).get_data(as_text=True)
    assert "Project title" in client.get(keeps).get_data(as_text=True)


def _districts(application_id: int) -> list[str]:
    return sorted(
        db.session.scalars(
            select(Term.code)
            .join(ApplicationTerm, ApplicationTerm.term_id == Term.id)
            .where(ApplicationTerm.application_id == application_id, Term.vocabulary == "district")
        )
    )


def test_the_tags_a_section_gives_follow_each_save_written_only_when_they_change(client, application):
    application_id = application.id
    assert _save(client, application_id, "project", districts=["leeds", "bradford"])[0].status_code == 302
    assert _districts(application_id) == ["bradford", "leeds"]

    changed, statements = _save(client, application_id, "project", districts=["wakefield"])
    assert changed.status_code == 302
    assert _districts(application_id) == ["wakefield"]
    assert any("application_terms" in s for s in statements)

    same, statements = _save(client, application_id, "project", districts=["wakefield"], summary="Shorter.")
    assert same.status_code == 302
    assert _districts(application_id) == ["wakefield"]
    assert not any("application_terms" in s for s in statements)


def test_a_save_that_adds_a_section_is_seen_by_a_task_list_loaded_before_it(app, application):
    """The save's commit keeps what the session holds; a list of the bid's sections read before it must
    still show the section the save added (the CLI, the demo loader and the API save and read in one go)."""
    from flask import g

    from grants.apply import sections, services
    from grants.models import User

    user = db.session.scalar(select(User).where(User.email == "aisha@example.org"))
    before = {section.key: status for section, status in services.task_list(application)}  # loads the sections
    assert before["organisation"] == "not_started"
    with app.test_request_context(method="POST"):
        g.csrf_valid = True
        page = sections.save(
            user, application, "organisation", MultiDict(form_fields("organisation")), MultiDict(), sections.CONTINUE, 0
        )
    assert page.saved, page.errors
    after = {section.key: status for section, status in services.task_list(application)}
    assert after["organisation"] == "completed"


# -- the other pages of applying -------------------------------------------------------------------------
def _counted_get(client, url: str):
    assert client.get(url).status_code == 200  # the form and the shared parts of the page now in the caches
    _fresh_session()
    with counting_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True), statements


def test_a_draft_task_list_runs_at_most_six_statements(client, application):
    html, statements = _counted_get(client, f"/applications/{application.id}")

    assert "Withdraw" in html
    assert "Bramley Community Kitchen" in html
    assert len(statements) <= 6, _tables(statements)
    # A draft has never been asked a question, and the workflow is asked once what the applicant may do.
    assert not any("audit_events" in s for s in statements), _tables(statements)
    assert sum(s.lstrip().startswith("SELECT memberships.") for s in statements) <= 1, _tables(statements)


def test_check_your_answers_runs_at_most_five_statements(client, application):
    html, statements = _counted_get(client, f"/applications/{application.id}/check")

    assert "Check your answers" in html
    assert len(statements) <= 5, _tables(statements)


def test_the_sign_in_page_runs_no_statements(app):
    visitor = app.test_client()
    html, statements = _counted_get(visitor, "/sign-in")

    assert "Sign in" in html
    assert statements == [], _tables(statements)
