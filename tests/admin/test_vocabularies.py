"""Reference data an admin edits: the shared vocabularies (relabel a term, add a term)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import Term
from tests.admin.helpers import (
    audit_rows,
    browser_for,
    inline_error,
    term,
    text_of,
)
from tests.factories import staff_user
from tests.fixtures import post_form

# -- vocabularies ------------------------------------------------------------------------------------------


def test_the_vocabularies_list_each_vocabulary_and_its_terms_in_order(admin, seeded):
    listing = text_of(admin.get("/admin/vocabularies"))
    for label in (
        "District",
        "Area of focus",
        "Police and Crime Plan priority",
        "Cross-cutting theme",
        "Budget stream",
    ):
        assert label in listing

    page = text_of(admin.get("/admin/vocabularies/district"))
    positions = [page.index(name) for name in ("Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield")]
    assert positions == sorted(positions)
    assert "E08000035" in page
    assert "cannot be deleted or retired" in page


def test_an_admin_relabels_a_term_and_it_is_audited(admin, seeded):
    leeds = term("district", "leeds")
    url = f"/admin/vocabularies/district/terms/{leeds.id}"
    assert 'value="Leeds"' in text_of(admin.get(url))

    response = post_form(admin, url, {"label": " Leeds  City ", "version_id": str(leeds.version_id)})

    assert response.status_code == 302
    assert "The label of leeds is now Leeds City." in text_of(admin.get(response.headers["Location"]))
    assert term("district", "leeds").label == "Leeds City"
    (row,) = audit_rows("relabel_term")
    assert (row.subject_type, row.subject_id, row.subject_reference) == ("term", leeds.id, "district:leeds")
    assert row.actor.name == "Ada Admin"
    assert row.data == {"from": "Leeds", "to": "Leeds City"}


LABEL_ERRORS = [
    ("", "Enter the label"),
    ("   ", "The label must not be only spaces"),
    ("L" * 201, "The label must be 200 characters or fewer"),
    ("Le\x00eds", "The label must not contain a NUL character (\\0): remove it and try again"),
    ("bradford", "There is already a district called bradford (code bradford): choose another label"),
]


@pytest.mark.parametrize(("typed", "message"), LABEL_ERRORS)
def test_a_wrong_label_is_refused_with_its_own_message(admin, seeded, typed, message):
    leeds = term("district", "leeds")
    url = f"/admin/vocabularies/district/terms/{leeds.id}"

    response = post_form(admin, url, {"label": typed, "version_id": str(leeds.version_id)})

    page = text_of(response)
    assert response.status_code == 200 and 'href="#label"' in page
    assert inline_error(page, "label") == message
    if "\x00" not in typed:
        assert f'value="{typed}"' in page
    assert term("district", "leeds").label == "Leeds"
    assert audit_rows("relabel_term") == []


def test_a_term_relabelled_by_someone_else_meanwhile_is_not_overwritten_unseen(app, admin, seeded):
    leeds = term("district", "leeds")
    url = f"/admin/vocabularies/district/terms/{leeds.id}"
    stale = {"label": "Leeds District", "version_id": str(leeds.version_id)}
    assert post_form(admin, url, {"label": "Leeds City", "version_id": str(leeds.version_id)}).status_code == 302

    response = post_form(browser_for(app, staff_user("admin", None)), url, stale)

    page = text_of(response)
    assert response.status_code == 409
    assert "Someone else changed this term while you were editing" in page
    assert 'value="Leeds District"' in page and "Leeds City" in page
    assert term("district", "leeds").label == "Leeds City"


def test_an_admin_adds_a_term_at_the_end_and_it_is_audited(admin, seeded):
    response = post_form(
        admin, "/admin/vocabularies/theme", {"code": "youth_voice", "label": "Youth Voice"}, follow_redirects=True
    )

    page = text_of(response)
    assert "Added Youth Voice (code youth_voice)." in page
    assert page.index("Early Intervention and Prevention") < page.index("<code>youth_voice</code>")
    added = term("theme", "youth_voice")
    others = db.session.scalars(select(Term.position).where(Term.vocabulary == "theme", Term.id != added.id)).all()
    assert added.position > max(others)
    (row,) = audit_rows("add_term")
    assert (row.subject_type, row.subject_id, row.subject_reference) == ("term", added.id, "theme:youth_voice")
    assert row.actor.name == "Ada Admin"
    assert row.data == {"vocabulary": "theme", "code": "youth_voice", "from": None, "to": "Youth Voice"}


ADD_ERRORS = [
    ({"code": "", "label": "York"}, "code", "Enter the code"),
    ({"code": "   ", "label": "York"}, "code", "The code must not be only spaces"),
    ({"code": "y" * 41, "label": "York"}, "code", "The code must be 40 characters or fewer"),
    (
        {"code": "yo\x00rk", "label": "York"},
        "code",
        "The code must not contain a NUL character (\\0): remove it and try again",
    ),
    (
        {"code": "North Yorkshire", "label": "York"},
        "code",
        "The code must start with a lower-case letter and use only lower-case letters, numbers and underscores, "
        "like youth_violence",
    ),
    (
        {"code": "leeds", "label": "York"},
        "code",
        "There is already a district with the code leeds: codes cannot repeat",
    ),
    ({"code": "york", "label": ""}, "label", "Enter the label"),
    ({"code": "york", "label": "  "}, "label", "The label must not be only spaces"),
    ({"code": "york", "label": "Y" * 201}, "label", "The label must be 200 characters or fewer"),
    (
        {"code": "york", "label": "Yo\x00rk"},
        "label",
        "The label must not contain a NUL character (\\0): remove it and try again",
    ),
    (
        {"code": "york", "label": "LEEDS"},
        "label",
        "There is already a district called LEEDS (code leeds): choose another label",
    ),
]


@pytest.mark.parametrize(("typed", "field", "message"), ADD_ERRORS)
def test_a_wrong_new_term_is_refused_with_its_own_message_and_what_was_typed_is_kept(
    admin, seeded, typed, field, message
):
    before = db.session.scalars(select(Term.code).where(Term.vocabulary == "district")).all()

    response = post_form(admin, "/admin/vocabularies/district", typed)

    page = text_of(response)
    assert response.status_code == 200 and f'href="#{field}"' in page
    assert inline_error(page, field) == message
    other = "label" if field == "code" else "code"
    assert f'value="{typed[other]}"' in page
    assert db.session.scalars(select(Term.code).where(Term.vocabulary == "district")).all() == before
    assert audit_rows("add_term") == []


def test_the_same_code_in_another_vocabulary_is_allowed(admin, seeded):
    response = post_form(admin, "/admin/vocabularies/theme", {"code": "leeds", "label": "Leeds-wide work"})

    assert response.status_code == 302
    assert term("theme", "leeds").label == "Leeds-wide work"
