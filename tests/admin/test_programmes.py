"""Reference data an admin edits: programmes (name, standard agreement terms).

The seed puts in version 1 of each programme's terms and never writes over an admin's edit; awards
prepared after an edit start with the new terms and awards that exist keep theirs; only admins edit,
an admin of one programme only that programme, and only an admin of every programme the shared
vocabularies; every save is audited (from, to); two admins at once: the second is told.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grants.awards.creation import STANDARD_AGREEMENT_TERMS, create_awards_for_round
from grants.extensions import db
from grants.models import AgreementTerms, Award, Programme, Term
from tests.admin.helpers import (
    NEW_TERMS,
    audit_rows,
    browser_for,
    inline_error,
    programme_fields,
    term,
    terms_versions,
    text_of,
)
from tests.awards.helpers import approved_bid
from tests.factories import RoundFactory, staff_user
from tests.fixtures import post_form

# -- the seed -------------------------------------------------------------------------------------------


def test_setup_gives_every_programme_version_1_of_todays_standard_terms(seeded):
    for code in ("MSCF", "VRU", "MOJ"):
        assert terms_versions(seeded[code]) == [(1, STANDARD_AGREEMENT_TERMS)]
    assert "acknowledge the Mayor of West Yorkshire's funding" in STANDARD_AGREEMENT_TERMS


def test_setup_then_an_admins_edit_then_setup_again_keeps_the_edit(app, admin, seeded):
    mscf = seeded["MSCF"]
    response = post_form(
        admin,
        "/admin/programmes/MSCF",
        programme_fields(mscf, name="Safer Communities Fund", agreement_terms=NEW_TERMS),
    )
    assert response.status_code == 302

    result = app.test_cli_runner().invoke(args=["grantflow", "setup"])
    assert result.exit_code == 0, result.output
    assert "Standard grant agreement terms added" not in result.output
    db.session.expire_all()

    assert db.session.get(Programme, mscf.id).name == "Safer Communities Fund"
    assert terms_versions(mscf) == [(1, STANDARD_AGREEMENT_TERMS), (2, NEW_TERMS)]


def test_a_programme_without_terms_gets_version_1_from_setup_and_only_once(app):
    first = app.test_cli_runner().invoke(args=["grantflow", "setup"])
    second = app.test_cli_runner().invoke(args=["grantflow", "setup"])

    assert "Standard grant agreement terms added for MSCF, VRU, MOJ." in first.output
    assert "Standard grant agreement terms added" not in second.output
    assert len(db.session.scalars(select(AgreementTerms)).all()) == 3


# -- awards start with the newest terms -------------------------------------------------------------


def test_an_award_prepared_after_an_edit_carries_the_new_terms_and_an_earlier_award_keeps_its_own(admin, seeded):
    mscf = seeded["MSCF"]
    round_ = RoundFactory(programme=mscf, code="MSCF-R9", state="decided")
    officer = staff_user("officer", mscf)
    approved_bid(round_, requested=100_000)
    (before,) = create_awards_for_round(round_, officer)

    response = post_form(admin, "/admin/programmes/MSCF", programme_fields(mscf, agreement_terms=NEW_TERMS))
    assert response.status_code == 302
    approved_bid(round_, requested=200_000)
    (after,) = create_awards_for_round(round_, officer)
    db.session.expire_all()

    assert db.session.get(Award, before.id).agreement_terms == STANDARD_AGREEMENT_TERMS
    assert db.session.get(Award, after.id).agreement_terms == NEW_TERMS


def test_another_programmes_awards_keep_the_standard_terms(admin, seeded):
    post_form(admin, "/admin/programmes/MSCF", programme_fields(seeded["MSCF"], agreement_terms=NEW_TERMS))
    round_ = RoundFactory(programme=seeded["VRU"], code="VRU-R1", state="decided")
    approved_bid(round_, requested=100_000)

    (award,) = create_awards_for_round(round_, staff_user("officer", seeded["VRU"]))

    assert award.agreement_terms == STANDARD_AGREEMENT_TERMS


# -- the pages --------------------------------------------------------------------------------------------


def test_the_admin_index_links_to_programmes_and_vocabularies(admin):
    page = text_of(admin.get("/admin/"))

    assert 'href="/admin/programmes"' in page and ">Programmes</a>" in page
    assert 'href="/admin/vocabularies"' in page and ">Vocabularies</a>" in page


def test_an_admin_changes_a_programmes_name_and_terms_and_both_are_audited(admin, seeded):
    mscf = seeded["MSCF"]
    page = text_of(admin.get("/admin/programmes"))
    assert "Mayor's Safer Communities Fund" in page and "Version 1" in page

    form = text_of(admin.get("/admin/programmes/MSCF"))
    assert "1. Use of the grant." in form

    response = post_form(
        admin,
        "/admin/programmes/MSCF",
        programme_fields(mscf, name="  Safer   Communities Fund ", agreement_terms=NEW_TERMS.replace("\n", "\r\n")),
    )
    assert response.status_code == 302
    listing = text_of(admin.get(response.headers["Location"]))
    assert "MSCF: saved the name and the standard agreement terms." in listing
    assert "Safer Communities Fund" in listing and "Version 2" in listing

    (renamed,) = audit_rows("change_programme_name")
    assert renamed.actor.name == "Ada Admin"
    assert (renamed.subject_type, renamed.subject_id, renamed.subject_reference) == ("programme", mscf.id, "MSCF")
    assert renamed.data == {"from": "Mayor's Safer Communities Fund", "to": "Safer Communities Fund"}
    (terms,) = audit_rows("change_agreement_terms")
    assert terms.actor.name == "Ada Admin" and terms.occurred_at is not None
    assert terms.data == {"from": STANDARD_AGREEMENT_TERMS, "to": NEW_TERMS, "from_version": 1, "to_version": 2}


def test_saving_without_a_change_changes_and_audits_nothing(admin, seeded):
    response = post_form(admin, "/admin/programmes/MSCF", programme_fields(seeded["MSCF"]), follow_redirects=True)

    assert "You did not change anything." in text_of(response)
    assert terms_versions(seeded["MSCF"]) == [(1, STANDARD_AGREEMENT_TERMS)]
    assert audit_rows("change_programme_name") == audit_rows("change_agreement_terms") == []


NAME_ERRORS = [
    ("", "Enter the programme's name"),
    ("    ", "The programme's name must not be only spaces"),
    ("x" * 201, "The programme's name must be 200 characters or fewer"),
    ("Safer\x00Fund", "The programme's name must not contain a NUL character (\\0): remove it and try again"),
    ("Safer\x07Fund", "The programme's name must not contain control characters: remove them and try again"),
    (
        "violence reduction unit COMMISSIONED interventions",
        "There is already a programme called violence reduction unit COMMISSIONED interventions (VRU): "
        "choose another name",
    ),
]


@pytest.mark.parametrize(("typed", "message"), NAME_ERRORS)
def test_a_wrong_programme_name_is_refused_with_its_own_message_and_what_was_typed_is_kept(
    admin, seeded, typed, message
):
    response = post_form(
        admin, "/admin/programmes/MSCF", programme_fields(seeded["MSCF"], name=typed, agreement_terms=NEW_TERMS)
    )

    page = text_of(response)
    assert response.status_code == 200
    assert "There is a problem" in page and 'href="#name"' in page
    assert inline_error(page, "name") == message
    assert NEW_TERMS in page  # the other field's typing is kept too
    if "\x00" not in typed and "\x07" not in typed:
        assert f'value="{typed}"' in page
    db.session.expire_all()
    assert db.session.get(Programme, seeded["MSCF"].id).name == "Mayor's Safer Communities Fund"
    assert terms_versions(seeded["MSCF"]) == [(1, STANDARD_AGREEMENT_TERMS)]


TERMS_ERRORS = [
    ("", "Enter the agreement terms"),
    (" \r\n  \r\n ", "The agreement terms must not be only spaces"),
    ("x" * 50_001, "The agreement terms must be 50,000 characters or fewer"),
    ("1. Use\x00 of the grant.", "The agreement terms must not contain a NUL character (\\0): remove it and try again"),
]


@pytest.mark.parametrize(("typed", "message"), TERMS_ERRORS)
def test_wrong_agreement_terms_are_refused_with_their_own_message(admin, seeded, typed, message):
    response = post_form(
        admin, "/admin/programmes/MSCF", programme_fields(seeded["MSCF"], name="Kept Name", agreement_terms=typed)
    )

    page = text_of(response)
    assert response.status_code == 200
    assert 'href="#agreement_terms"' in page
    assert inline_error(page, "agreement_terms") == message
    assert 'value="Kept Name"' in page
    assert terms_versions(seeded["MSCF"]) == [(1, STANDARD_AGREEMENT_TERMS)]


def test_two_admins_at_once_the_second_is_told_and_keeps_what_they_typed(app, admin, seeded):
    mscf = seeded["MSCF"]
    shown_to_second = programme_fields(mscf)  # both open the form now
    second = browser_for(app, staff_user("admin", None, name="Bo Second"))
    assert post_form(admin, "/admin/programmes/MSCF", programme_fields(mscf, name="First Name")).status_code == 302

    response = post_form(second, "/admin/programmes/MSCF", shown_to_second | {"name": "Second Name"})

    page = text_of(response)
    assert response.status_code == 409
    assert "Someone else changed this programme while you were editing" in page
    assert 'value="Second Name"' in page  # what they typed
    assert "First Name" in page  # what is saved now
    db.session.expire_all()
    assert db.session.get(Programme, mscf.id).name == "First Name"
    assert len(audit_rows("change_programme_name")) == 1

    hidden = dict(re.findall(r'name="(version_id|terms_version)" type="hidden" value="(\d+)"', page))
    assert hidden == {"version_id": str(db.session.get(Programme, mscf.id).version_id), "terms_version": "1"}
    retry = post_form(second, "/admin/programmes/MSCF", shown_to_second | {"name": "Second Name"} | hidden)
    assert retry.status_code == 302  # saving again, knowingly, replaces it


def test_two_admins_changing_the_terms_at_once_make_one_version_each_in_turn(app, admin, seeded):
    mscf = seeded["MSCF"]
    stale = programme_fields(mscf, agreement_terms="Second admin's terms")
    assert (
        post_form(admin, "/admin/programmes/MSCF", programme_fields(mscf, agreement_terms=NEW_TERMS)).status_code == 302
    )

    response = post_form(browser_for(app, staff_user("admin", None)), "/admin/programmes/MSCF", stale)

    assert response.status_code == 409
    assert "Second admin's terms" in text_of(response)
    assert terms_versions(mscf) == [(1, STANDARD_AGREEMENT_TERMS), (2, NEW_TERMS)]


# -- who may ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/programmes",
        "/admin/programmes/MSCF",
        "/admin/vocabularies",
        "/admin/vocabularies/district",
    ],
)
@pytest.mark.parametrize("role", ["officer", "finance", "decision_maker", "assessor"])
def test_staff_who_are_not_admins_are_refused(app, seeded, url, role):
    browser = browser_for(app, staff_user(role, None))

    assert browser.get(url).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, seeded):
    response = client.get("/admin/programmes/MSCF")

    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_an_admin_of_one_programme_changes_only_that_programme(mscf_admin, seeded):
    listing = text_of(mscf_admin.get("/admin/programmes"))
    assert 'href="/admin/programmes/MSCF"' in listing
    assert 'href="/admin/programmes/VRU"' not in listing
    assert "Another programme's administrators change it" in listing

    assert mscf_admin.get("/admin/programmes/MSCF").status_code == 200
    assert mscf_admin.get("/admin/programmes/VRU").status_code == 403
    refused = post_form(
        mscf_admin,
        "/admin/programmes/VRU",
        programme_fields(seeded["VRU"], name="Taken over"),
        form_page="/admin/programmes/MSCF",
    )
    assert refused.status_code == 403
    assert (
        post_form(mscf_admin, "/admin/programmes/MSCF", programme_fields(seeded["MSCF"], name="Ours")).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Programme, seeded["VRU"].id).name == "Violence Reduction Unit commissioned interventions"


def test_an_admin_of_one_programme_reads_the_vocabularies_but_cannot_change_them(mscf_admin, seeded):
    leeds = term("district", "leeds")
    page = text_of(mscf_admin.get("/admin/vocabularies/district"))
    assert "Leeds" in page and "Only an administrator of every programme can change this vocabulary" in page
    assert "Add a term" not in page and "Change label" not in page

    added = post_form(
        mscf_admin,
        "/admin/vocabularies/district",
        {"code": "york", "label": "York"},
        form_page="/admin/programmes/MSCF",
    )
    assert added.status_code == 403
    assert mscf_admin.get(f"/admin/vocabularies/district/terms/{leeds.id}").status_code == 403
    relabelled = post_form(
        mscf_admin,
        f"/admin/vocabularies/district/terms/{leeds.id}",
        {"label": "Leeds City", "version_id": str(leeds.version_id)},
        form_page="/admin/programmes/MSCF",
    )
    assert relabelled.status_code == 403
    assert term("district", "leeds").label == "Leeds"
    assert db.session.scalar(select(Term).where(Term.code == "york")) is None


def test_unknown_programmes_vocabularies_and_terms_are_not_found(admin, seeded):
    leeds = term("district", "leeds")

    assert admin.get("/admin/programmes/NOPE").status_code == 404
    assert admin.get("/admin/programmes/MS%00CF").status_code == 404
    assert admin.get("/admin/vocabularies/dis%00trict").status_code == 404
    assert admin.get("/admin/vocabularies/colours").status_code == 404
    assert admin.get("/admin/vocabularies/theme/terms/999999").status_code == 404
    assert admin.get(f"/admin/vocabularies/theme/terms/{leeds.id}").status_code == 404  # a district, not a theme
