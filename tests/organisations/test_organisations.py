"""Creating an organisation, seeing and changing its details, inviting people to join it."""

from __future__ import annotations

import hashlib
import html
import json
import re
from datetime import timedelta

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from grants.extensions import db
from grants.models import AuditEvent, Invitation, Membership, Organisation, OutboxMessage
from grants.models.base import utcnow
from grants.organisations import services
from grants.organisations.details import Details
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, member_of, staff_user
from tests.fixtures import csrf_token, post_form, sign_in_as

SORT_CODE = "309430"
ACCOUNT_NUMBER = "31926819"
ACCOUNT_NAME = "HVYT General Account"


class Browser(FlaskClient):
    """A browser: each request starts with an empty `flask.g`, as in production (see test_auth.py)."""

    def open(self, *args, **kwargs):
        for name in list(g):
            g.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture
def new_browser(app):
    return lambda: Browser(app, app.response_class, use_cookies=True)


@pytest.fixture
def browser_for(new_browser):
    def _browser_for(user):
        browser = new_browser()
        response = sign_in_as(browser, user.email, PASSWORD)
        assert response.status_code == 302
        return browser

    return _browser_for


@pytest.fixture
def applicant():
    return UserFactory(name="Nadia Hussain", email="nadia@holmevalley.example.org")


@pytest.fixture
def browser(browser_for, applicant):
    return browser_for(applicant)


def valid_details(**changes) -> dict:
    data = {
        "name": "Holme Valley Youth Trust",
        "org_type": "community_group",
        "charity_number": "",
        "company_number": "",
        "address_line_1": "12 Station Road",
        "address_line_2": "Honley",
        "town": "Holmfirth",
        "postcode": "HD9 6AA",
        "district": "kirklees",
        "annual_income": "12,500",
        "safeguarding_lead_name": "Grace Oduya",
        "safeguarding_lead_email": "grace@holmevalley.example.org",
        "bank_account_name": ACCOUNT_NAME,
        "bank_sort_code": "30-94-30",
        "bank_account_number": ACCOUNT_NUMBER,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def create(browser, **changes):
    return post_form(browser, "/organisations/new", valid_details(**changes))


def created(browser, **changes) -> Organisation:
    response = create(browser, **changes)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    organisation_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    return db.session.get(Organisation, organisation_id)


def page_of(response) -> str:
    return response.get_data(as_text=True)


def without_nonce(page: str) -> str:
    return re.sub(r'nonce="[^"]*"', "", page)


def input_value(page: str, field_id: str) -> str | None:
    tag = re.search(rf'<input\b[^>]*\bid="{field_id}"[^>]*>', page, re.S)
    assert tag, f"no input with id {field_id!r}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def checked_radio(page: str, name: str) -> str | None:
    for tag in re.findall(rf'<input\b[^>]*\bname="{name}"[^>]*>', page, re.S):
        if re.search(r"\bchecked\b", tag):
            return html.unescape(re.search(r'\bvalue="([^"]*)"', tag).group(1))
    return None


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'<p id="{field_id}-error" class="govuk-error-message">(.*?)</p>', page, re.S)
    assert match, f"no error message on field {field_id!r}"
    return _text(match.group(1)).removeprefix("Error: ")


def summary_links(page: str) -> dict[str, str]:
    """The error summary's links: target id -> message."""
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert summary, "no error summary on the page"
    return {target: _text(text) for target, text in re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary.group(0), re.S)}


def members_of(organisation: Organisation) -> dict[int, bool]:
    rows = db.session.execute(
        select(Membership.user_id, Membership.is_owner).where(Membership.organisation_id == organisation.id)
    )
    return dict(rows.all())


def audit_rows(organisation: Organisation, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.subject_type == "organisation", AuditEvent.subject_id == organisation.id
    )
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def edit_page(browser, organisation: Organisation) -> tuple[str, str]:
    """Open the edit page: the CSRF token and the version it carries, as a browser would keep them."""
    page = page_of(browser.get(f"/organisations/{organisation.id}/edit"))
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1), input_value(page, "version_id")


def edit_data(organisation: Organisation, **changes) -> dict:
    data = services.form_values(organisation)
    data.update({"bank_account_name": "", "bank_sort_code": "", "bank_account_number": ""})
    data.update(changes)
    return data


# Creating an organisation


def test_creating_an_organisation_shows_its_profile_with_bank_details_masked(browser):
    response = create(browser)
    assert response.status_code == 302

    page = page_of(browser.get(response.headers["Location"]))

    assert "Holme Valley Youth Trust has been created" in page
    assert '<h1 class="govuk-heading-l">Holme Valley Youth Trust</h1>' in page
    assert "govuk-summary-list" in page
    assert "HD9 6AA" in page and "Kirklees" in page and "£12,500.00" in page
    assert "**-**-30" in page
    assert "****6819" in page
    assert ACCOUNT_NUMBER not in page
    assert SORT_CODE not in page and "30-94-30" not in page


def test_the_person_who_creates_an_organisation_is_its_owner(browser, applicant):
    organisation = created(browser)

    assert members_of(organisation) == {applicant.id: True}


def test_an_organisation_is_stored_with_its_numbers_postcode_and_bank_details_tidied(browser):
    organisation = created(
        browser,
        org_type="registered_charity",
        charity_number="sc 012345",
        company_number="sc123456",
        postcode="hd96aa",
        bank_sort_code="30 94 30",
        bank_account_number="3192 6819",
    )

    assert organisation.charity_number == "SC012345"
    assert organisation.company_number == "SC123456"
    assert organisation.postcode == "HD9 6AA"
    assert organisation.bank_sort_code == SORT_CODE
    assert organisation.bank_account_number == ACCOUNT_NUMBER
    assert organisation.district == "kirklees"


def test_sending_the_create_form_twice_makes_one_organisation(browser):
    first = create(browser)

    second = create(browser, name="holme valley  youth trust")

    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1
    assert "You are already a member of Holme Valley Youth Trust." in page_of(browser.get(second.headers["Location"]))


@pytest.mark.parametrize("sort_code", ["30-94-30", "30 94 30", "309430"])
def test_a_sort_code_with_dashes_or_spaces_is_accepted(browser, sort_code):
    organisation = created(browser, bank_sort_code=sort_code)

    assert organisation.bank_sort_code == SORT_CODE


@pytest.mark.parametrize(
    ("typed", "pence"), [("£12,500.50", 1250050), ("12,500", 1250000), ("12500.5", 1250050), ("0", 0)]
)
def test_annual_income_in_pounds_is_stored_in_pence(browser, typed, pence):
    organisation = created(browser, annual_income=typed)

    assert organisation.annual_income_pence == pence


@pytest.mark.parametrize("number", ["1123456", "123456", "12345678", "SC012345"])
def test_a_charity_number_in_a_right_shape_is_accepted(browser, number):
    organisation = created(browser, org_type="registered_charity", charity_number=number)

    assert organisation.charity_number == number


@pytest.mark.parametrize("number", ["12345", "123456789", "SC12345", "AB123456"])
def test_a_charity_number_in_a_wrong_shape_is_refused(browser, number):
    page = page_of(create(browser, org_type="registered_charity", charity_number=number))

    assert field_error(page, "charity_number") == (
        "Enter a charity number in the correct format, like 1123456 or SC012345"
    )
    assert input_value(page, "charity_number") == number


@pytest.mark.parametrize("number", ["01234567", "SC123456"])
def test_a_companies_house_number_in_a_right_shape_is_accepted(browser, number):
    organisation = created(browser, org_type="cic", company_number=number)

    assert organisation.company_number == number


@pytest.mark.parametrize("number", ["1234567", "0123456A", "123456789"])
def test_a_companies_house_number_in_a_wrong_shape_is_refused(browser, number):
    page = page_of(create(browser, org_type="cic", company_number=number))

    assert field_error(page, "company_number") == (
        "Enter a Companies House number in the correct format, like 01234567 or SC123456"
    )


REQUIRED_AND_WRONG = [
    ("name", "", "Enter the name of the organisation"),
    ("name", "x" * 201, "Name of the organisation must be 200 characters or fewer"),
    ("org_type", None, "Select the type of organisation"),
    ("org_type", "a_secret_society", "Select the type of organisation"),
    ("address_line_1", "", "Enter address line 1, typically the building and street"),
    ("town", "", "Enter the town or city"),
    ("postcode", "", "Enter the postcode"),
    ("postcode", "HD9", "Enter a real postcode, like LS1 2AB"),
    ("postcode", "12345", "Enter a real postcode, like LS1 2AB"),
    ("district", None, "Select the district where your organisation is based"),
    ("district", "sheffield", "Select the district where your organisation is based"),
    ("annual_income", "lots", "Annual income must be an amount of money in pounds, like 12,500 or £12,500.50"),
    ("annual_income", "12.505", "Annual income must be an amount of money in pounds, like 12,500 or £12,500.50"),
    ("annual_income", "-500", "Annual income must be £0 or more"),
    ("annual_income", "£-500", "Annual income must be £0 or more"),
    ("safeguarding_lead_name", "", "Enter the full name of your safeguarding lead"),
    ("safeguarding_lead_email", "", "Enter the email address of your safeguarding lead"),
    (
        "safeguarding_lead_email",
        "grace-at-example",
        "Enter an email address in the correct format, like name@example.com",
    ),
    ("bank_account_name", "", "Enter the name on the account"),
    ("bank_sort_code", "", "Enter the sort code"),
    ("bank_sort_code", "30-94-3", "Enter a valid sort code, like 30-94-30"),
    ("bank_sort_code", "３０９４３０", "Enter a valid sort code, like 30-94-30"),
    ("bank_account_number", "", "Enter the account number"),
    ("bank_account_number", "3192681", "Enter a valid account number, like 00733445. It must be 8 digits long"),
    ("bank_account_number", "ABCDEFGH", "Enter a valid account number, like 00733445. It must be 8 digits long"),
]


@pytest.mark.parametrize(("field", "typed", "message"), REQUIRED_AND_WRONG)
def test_a_missing_or_wrong_detail_is_named_in_the_summary_and_on_its_field(browser, field, typed, message):
    response = create(browser, **{field: typed})
    page = page_of(response)

    assert response.status_code == 200
    assert "Error: Create an organisation" in page
    assert summary_links(page) == {field: message}
    assert field_error(page, field) == message
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_a_registered_charity_or_cio_must_give_its_charity_number(browser):
    for org_type in ("registered_charity", "cio"):
        page = page_of(create(browser, org_type=org_type, company_number="01234567"))

        assert summary_links(page) == {
            "charity_number": "Enter the charity number: registered charities and CIOs must give one"
        }


def test_a_cic_or_company_limited_by_guarantee_must_give_its_companies_house_number(browser):
    for org_type in ("cic", "company_limited_by_guarantee"):
        page = page_of(create(browser, org_type=org_type, charity_number="1123456"))

        assert summary_links(page) == {
            "company_number": "Enter the Companies House number: CICs and companies limited by guarantee must give one"
        }


def test_every_problem_is_shown_at_once(browser):
    page = page_of(create(browser, name="", postcode="nowhere", annual_income="-1", bank_sort_code="12"))

    assert list(summary_links(page)) == ["name", "postcode", "annual_income", "bank_sort_code"]


def test_what_was_typed_is_kept_when_a_detail_is_wrong(browser):
    typed = valid_details(postcode="HD9 6A", annual_income="£12,500.50", bank_sort_code="30-94-30")

    page = page_of(post_form(browser, "/organisations/new", typed))

    assert field_error(page, "postcode") == "Enter a real postcode, like LS1 2AB"
    for field, value in typed.items():
        if field in ("org_type", "district"):
            assert checked_radio(page, field) == value
        else:
            assert input_value(page, field) == value, field


# Seeing your organisations


def test_your_organisations_lists_the_ones_you_belong_to_with_links(browser, applicant):
    mine = OrganisationFactory(name="Calder Valley Food Bank")
    db.session.add(Membership(user_id=applicant.id, organisation_id=mine.id))
    db.session.commit()
    OrganisationFactory(name="Somebody Else's Group")

    page = page_of(browser.get("/organisations/"))

    assert f'href="/organisations/{mine.id}"' in page
    assert "Calder Valley Food Bank" in page
    assert "Somebody Else" not in page
    assert 'href="/organisations/new"' in page


def test_your_organisations_says_when_you_have_none_and_links_to_create_one(browser):
    page = page_of(browser.get("/organisations/"))

    assert "You are not a member of any organisation yet." in page
    assert 'href="/organisations/new"' in page


def test_the_profile_lists_the_members(browser, browser_for, applicant):
    organisation = created(browser)
    colleague = UserFactory(name="Tom Briggs")
    db.session.add(Membership(user_id=colleague.id, organisation_id=organisation.id))
    db.session.commit()

    page = page_of(browser.get(f"/organisations/{organisation.id}"))

    assert "Nadia Hussain" in page and "Tom Briggs" in page
    assert page.count("Owner</strong>") == 1


OTHER_PAGES = [
    ("get", "/organisations/{id}"),
    ("get", "/organisations/{id}/edit"),
    ("post", "/organisations/{id}/edit"),
    ("get", "/organisations/{id}/invite"),
    ("post", "/organisations/{id}/invite"),
]


@pytest.mark.parametrize(("method", "path"), OTHER_PAGES)
def test_another_organisations_pages_are_not_found_for_someone_who_is_not_a_member(browser, method, path):
    other = OrganisationFactory(name="Wakefield Women's Aid", bank_account_number="55554444")
    member_of(other)
    url = path.format(id=other.id)

    if method == "get":
        response = browser.get(url)
    else:
        token = csrf_token(browser, "/organisations/new")
        response = browser.post(url, data={"csrf_token": token, "name": "Taken over", "email": "me@example.org"})

    assert response.status_code == 404
    assert "Wakefield Women" not in page_of(response)
    assert db.session.get(Organisation, other.id).name == "Wakefield Women's Aid"
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


@pytest.mark.parametrize("path", ["/organisations/{id}", "/organisations/{id}/edit", "/organisations/{id}/invite"])
def test_someone_elses_organisation_looks_the_same_as_one_that_does_not_exist(browser, path):
    other = OrganisationFactory()

    theirs = browser.get(path.format(id=other.id))
    missing = browser.get(path.format(id=other.id + 1000))

    assert theirs.status_code == missing.status_code == 404
    assert without_nonce(page_of(theirs)) == without_nonce(page_of(missing))


def test_staff_who_are_not_members_do_not_see_an_organisation_here(browser_for):
    organisation = OrganisationFactory()
    member_of(organisation)
    admin = browser_for(staff_user("admin"))

    assert admin.get(f"/organisations/{organisation.id}").status_code == 404
    assert organisation.name not in page_of(admin.get("/organisations/"))


# Changing the details


def test_the_edit_form_is_filled_in_and_shows_bank_details_masked_but_leaves_them_blank(browser):
    organisation = created(browser, annual_income="£12,500.50")

    page = page_of(browser.get(f"/organisations/{organisation.id}/edit"))

    assert input_value(page, "name") == "Holme Valley Youth Trust"
    assert input_value(page, "annual_income") == "12,500.50"
    assert checked_radio(page, "district") == "kirklees"
    assert input_value(page, "version_id") == str(organisation.version_id)
    for field in ("bank_account_name", "bank_sort_code", "bank_account_number"):
        assert not input_value(page, field)
    assert "Saved: **-**-30" in page and "Saved: ****6819" in page
    assert ACCOUNT_NUMBER not in page and SORT_CODE not in page


def test_leaving_the_bank_details_blank_keeps_them(browser):
    organisation = created(browser)
    _, version = edit_page(browser, organisation)

    response = post_form(
        browser,
        f"/organisations/{organisation.id}/edit",
        edit_data(organisation, town="Huddersfield", version_id=version),
    )

    assert response.status_code == 302
    db.session.refresh(organisation)
    assert organisation.town == "Huddersfield"
    assert (organisation.bank_account_name, organisation.bank_sort_code, organisation.bank_account_number) == (
        ACCOUNT_NAME,
        SORT_CODE,
        ACCOUNT_NUMBER,
    )


def test_typing_new_bank_details_replaces_them(browser):
    organisation = created(browser)
    _, version = edit_page(browser, organisation)

    post_form(
        browser,
        f"/organisations/{organisation.id}/edit",
        edit_data(organisation, bank_sort_code="40-11-62", version_id=version),
    )

    db.session.refresh(organisation)
    assert organisation.bank_sort_code == "401162"
    assert organisation.bank_account_number == ACCOUNT_NUMBER


def test_a_wrong_detail_when_changing_is_shown_and_nothing_is_saved(browser):
    organisation = created(browser)
    _, version = edit_page(browser, organisation)

    response = post_form(
        browser,
        f"/organisations/{organisation.id}/edit",
        edit_data(organisation, town="", bank_account_number="123", version_id=version),
    )
    page = page_of(response)

    assert response.status_code == 200
    assert summary_links(page) == {
        "town": "Enter the town or city",
        "bank_account_number": "Enter a valid account number, like 00733445. It must be 8 digits long",
    }
    assert input_value(page, "bank_account_number") == "123"
    db.session.refresh(organisation)
    assert organisation.town == "Holmfirth"


def test_when_someone_else_saved_meanwhile_your_typing_is_kept_and_theirs_is_not_overwritten(
    browser, browser_for, applicant
):
    organisation = created(browser)
    colleague = UserFactory(name="Tom Briggs")
    db.session.add(Membership(user_id=colleague.id, organisation_id=organisation.id))
    db.session.commit()
    token, version_seen = edit_page(browser, organisation)

    other = browser_for(colleague)
    _, version_then = edit_page(other, organisation)
    saved = post_form(
        other,
        f"/organisations/{organisation.id}/edit",
        edit_data(organisation, town="Huddersfield", version_id=version_then),
    )
    assert saved.status_code == 302

    response = browser.post(
        f"/organisations/{organisation.id}/edit",
        data={"csrf_token": token, **edit_data(organisation, town="Holmfirth", address_line_2="Upperthong")}
        | {"version_id": version_seen},
    )
    page = page_of(response)

    assert response.status_code == 409
    assert "Someone else changed these details while you were editing" in page
    assert summary_links(page) == {"current-details": "Someone else changed these details while you were editing"}
    assert input_value(page, "address_line_2") == "Upperthong"
    db.session.refresh(organisation)
    assert organisation.town == "Huddersfield"
    assert organisation.address_line_2 == "Honley"
    assert [row.actor_id for row in audit_rows(organisation, "update_organisation")] == [colleague.id]


def test_after_a_conflict_saving_again_replaces_the_details_knowingly(browser, applicant):
    organisation = created(browser)
    token, version_seen = edit_page(browser, organisation)
    services.update_organisation(  # someone else, meanwhile
        applicant,
        organisation.id,
        Details.from_mapping(edit_data(organisation, town="Huddersfield")),
        int(version_seen),
    )
    mine = edit_data(organisation, town="Marsden") | {"version_id": version_seen}
    conflict = page_of(browser.post(f"/organisations/{organisation.id}/edit", data={"csrf_token": token, **mine}))

    again = browser.post(
        f"/organisations/{organisation.id}/edit",
        data={"csrf_token": token, **mine, "version_id": input_value(conflict, "version_id")},
    )

    assert again.status_code == 302
    db.session.refresh(organisation)
    assert organisation.town == "Marsden"


def test_a_save_that_races_another_is_refused_and_writes_nothing(browser, applicant):
    organisation = created(browser)
    version = organisation.version_id
    # Another request saves after this one has read the row (still held, unexpired, in the session).
    session = db.session()
    session.expire_on_commit = False
    try:
        db.session.execute(
            update(Organisation)
            .where(Organisation.id == organisation.id)
            .values(town="Huddersfield", version_id=version + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    finally:
        session.expire_on_commit = True
    assert organisation.version_id == version

    with pytest.raises(services.EditConflict) as raised:
        services.update_organisation(
            applicant, organisation.id, Details.from_mapping(edit_data(organisation, town="Marsden")), version
        )

    assert raised.value.current.town == "Huddersfield"
    assert audit_rows(organisation, "update_organisation") == []


# Inviting people


def invite(browser, organisation: Organisation, email: str):
    return post_form(browser, f"/organisations/{organisation.id}/invite", {"email": email})


def invitation_link(email: str) -> str:
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)).one()
    match = re.search(r"http://localhost(/invitations/[A-Za-z0-9_\-]+)", message.body)
    assert match, message.body
    return match.group(1)


def test_an_invited_person_accepts_and_can_then_see_the_organisation(browser, browser_for):
    organisation = created(browser)

    response = invite(browser, organisation, "Tom.Briggs@Example.org")
    assert response.status_code == 302
    link = invitation_link("tom.briggs@example.org")
    tom = UserFactory(name="Tom Briggs", email="tom.briggs@example.org")
    toms_browser = browser_for(tom)
    page = page_of(toms_browser.get(link))
    assert "Nadia Hussain has invited you to join Holme Valley Youth Trust" in page
    assert "Accept invitation" in page

    accepted = post_form(toms_browser, link, {})

    assert accepted.status_code == 302
    assert accepted.headers["Location"] == f"/organisations/{organisation.id}"
    assert members_of(organisation)[tom.id] is False
    assert toms_browser.get(f"/organisations/{organisation.id}").status_code == 200
    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.accepted_by_id == tom.id and invitation.accepted_at is not None


def test_an_invitation_is_refused_to_an_account_with_another_email_address(browser, browser_for):
    organisation = created(browser)
    invite(browser, organisation, "office@holmevalley.example.org")
    link = invitation_link("office@holmevalley.example.org")
    someone = browser_for(UserFactory(email="volunteer@example.org"))

    shown, accepted = someone.get(link), post_form(someone, link, {}, form_page="/organisations/new")

    assert shown.status_code == accepted.status_code == 403
    page = page_of(shown)
    assert (
        "This invitation was sent to o***@holmevalley.example.org, and you are signed in as volunteer@example.org"
        in page
    )
    assert "office@holmevalley" not in page
    assert len(members_of(organisation)) == 1
    assert db.session.scalars(select(Invitation)).one().accepted_at is None


def test_the_invited_address_accepts_whatever_capitals_its_account_uses(browser, browser_for):
    organisation = created(browser)
    invite(browser, organisation, "office@holmevalley.example.org")
    office = UserFactory(email="Office@HolmeValley.example.org")

    post_form(browser_for(office), invitation_link("office@holmevalley.example.org"), {})

    assert office.id in members_of(organisation)


def test_the_invitation_token_is_stored_only_as_a_hash(browser):
    organisation = created(browser)
    invite(browser, organisation, "tom@example.org")
    token = invitation_link("tom@example.org").rsplit("/", 1)[1]

    invitation = db.session.scalars(select(Invitation)).one()

    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps([str(getattr(invitation, c.key)) for c in Invitation.__table__.columns])
    assert timedelta(days=13, hours=23) < invitation.expires_at - utcnow() <= timedelta(days=14)


def test_inviting_someone_who_is_already_a_member_is_refused_on_the_email_field(browser, applicant):
    organisation = created(browser)

    page = page_of(invite(browser, organisation, applicant.email.upper()))

    message = f"{applicant.email} is already a member of Holme Valley Youth Trust"
    assert summary_links(page) == {"email": message}
    assert field_error(page, "email") == message
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_inviting_without_an_email_address_says_so(browser):
    organisation = created(browser)

    page = page_of(invite(browser, organisation, ""))

    assert summary_links(page) == {"email": "Enter the email address of the person you want to invite"}


def test_a_used_invitation_cannot_be_used_again_by_someone_else(browser, browser_for):
    organisation = created(browser)
    invite(browser, organisation, "tom@example.org")
    link = invitation_link("tom@example.org")
    post_form(browser_for(UserFactory(email="tom@example.org")), link, {})
    latecomer = browser_for(UserFactory())

    response = latecomer.get(link)

    assert response.status_code == 400
    assert "This invitation has already been used" in page_of(response)
    assert len(members_of(organisation)) == 2


def test_accepting_twice_is_harmless(browser, browser_for):
    organisation = created(browser)
    invite(browser, organisation, "tom@example.org")
    link = invitation_link("tom@example.org")
    tom = UserFactory(email="tom@example.org")
    toms_browser = browser_for(tom)
    token = csrf_token(toms_browser, link)

    first = toms_browser.post(link, data={"csrf_token": token})
    second = toms_browser.post(link, data={"csrf_token": token})

    assert first.status_code == second.status_code == 302
    assert len(audit_rows(organisation, "join_organisation")) == 1
    assert "You are already a member" in page_of(toms_browser.get(link))


def test_an_expired_invitation_says_it_has_expired(browser, browser_for):
    organisation = created(browser)
    invite(browser, organisation, "tom@example.org")
    link = invitation_link("tom@example.org")
    invitation = db.session.scalars(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    toms_browser = browser_for(UserFactory())

    shown = toms_browser.get(link)
    token = csrf_token(toms_browser, "/organisations/new")
    accepted = toms_browser.post(link, data={"csrf_token": token})

    assert shown.status_code == accepted.status_code == 400
    assert "This invitation expired on" in page_of(shown)
    assert len(members_of(organisation)) == 1


def test_an_unknown_invitation_link_is_not_found(browser):
    response = browser.get("/invitations/not-a-real-token")

    assert response.status_code == 404
    assert "This invitation link is not valid" in page_of(response)


def test_opening_an_invitation_when_signed_out_asks_you_to_sign_in_first(new_browser):
    response = new_browser().get("/invitations/some-token")

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/invitations/some-token"


# The audit log


def test_creating_changing_inviting_and_joining_are_audited_without_bank_details(browser, browser_for, applicant):
    organisation = created(browser)
    _, version = edit_page(browser, organisation)
    post_form(
        browser,
        f"/organisations/{organisation.id}/edit",
        edit_data(organisation, town="Marsden", bank_account_number="12340000", version_id=version),
    )
    invite(browser, organisation, "tom@example.org")
    tom = UserFactory(email="tom@example.org")
    post_form(browser_for(tom), invitation_link("tom@example.org"), {})

    rows = audit_rows(organisation)

    assert [(row.action, row.actor_id) for row in rows] == [
        ("create_organisation", applicant.id),
        ("update_organisation", applicant.id),
        ("bank_details_changed", applicant.id),  # masked: the last digits only
        ("invite_member", applicant.id),
        ("join_organisation", tom.id),
    ]
    assert {row.subject_reference for row in rows} == {"Holme Valley Youth Trust"}
    assert rows[1].data == {"changed": ["town", "bank_account_number"]}
    assert rows[2].data["after"] == {"sort code": "**-**-30", "account number": "****0000"}
    written = json.dumps([row.data for row in rows] + [row.reason for row in rows])
    for secret in (SORT_CODE, ACCOUNT_NUMBER, "12340000", "30-94-30", ACCOUNT_NAME):
        assert secret not in written


# Who may open these pages


@pytest.mark.parametrize("path", ["/organisations/", "/organisations/new"])
def test_signed_out_people_are_sent_to_sign_in_and_everyone_signed_in_may_open(new_browser, browser_for, path):
    anonymous = new_browser().get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == f"/sign-in?next={path}"

    for user in (UserFactory(), staff_user("officer"), staff_user("admin")):
        assert browser_for(user).get(path).status_code == 200


# -- back to the round they started from ------------------------------------------------------
def test_creating_an_organisation_from_a_rounds_eligibility_page_goes_back_there(browser):
    from tests.apply.helpers import open_round

    round_ = open_round()
    eligibility = f"/rounds/{round_.code}/eligibility"
    needs_one = page_of(browser.get(eligibility))
    link = f'href="/organisations/new?next={eligibility}"'
    assert "Add your organisation first" in needs_one and link in needs_one

    url = f"/organisations/new?next={eligibility}"
    response = post_form(browser, url, valid_details())

    assert response.status_code == 302
    assert response.headers["Location"] == eligibility
    page = page_of(browser.get(eligibility))
    assert "Holme Valley Youth Trust has been created" in page
    assert "Check eligibility" in page


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/rounds/X/eligibility", "//evil.example/rounds/X/eligibility", "/admin/", "/sign-out"],
)
def test_creating_an_organisation_never_goes_to_another_site_or_page(browser, target):
    response = post_form(browser, f"/organisations/new?next={target}", valid_details())

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/organisations/")


# -- income, safeguarding lead and bank details, each on its own --------------------------------
def test_an_organisation_can_be_created_before_its_income_safeguarding_lead_and_bank_details_are_known(browser):
    organisation = created(
        browser,
        annual_income="",
        safeguarding_lead_name="",
        safeguarding_lead_email="",
        bank_account_name="",
        bank_sort_code="",
        bank_account_number="",
    )

    assert organisation.annual_income_pence is None and organisation.bank_account_number is None
    page = page_of(browser.get(f"/organisations/{organisation.id}"))
    assert "Add the bank details" in page
    assert "A grant cannot be paid until the organisation's bank details are added" in page


def test_bank_details_can_be_saved_without_the_income_or_the_safeguarding_lead(browser):
    organisation = created(browser, annual_income="", safeguarding_lead_name="", safeguarding_lead_email="",
                           bank_account_name="", bank_sort_code="", bank_account_number="")  # fmt: skip
    url = f"/organisations/{organisation.id}/edit/bank"
    form = page_of(browser.get(url))
    assert "Change your organisation&#39;s bank details" in form
    assert 'name="annual_income"' not in form and 'name="safeguarding_lead_name"' not in form

    response = post_form(
        browser,
        url,
        {
            "version_id": organisation.version_id,
            "bank_account_name": ACCOUNT_NAME,
            "bank_sort_code": "30-94-30",
            "bank_account_number": ACCOUNT_NUMBER,
        },
    )

    assert response.status_code == 302
    db.session.refresh(organisation)
    assert organisation.bank_sort_code == SORT_CODE and organisation.bank_account_number == ACCOUNT_NUMBER
    assert organisation.annual_income_pence is None and organisation.safeguarding_lead_name is None
    assert organisation.name == "Holme Valley Youth Trust"  # the rest as it was


def test_each_part_needs_all_of_its_own_fields_and_keeps_what_was_typed(browser):
    organisation = created(browser, safeguarding_lead_name="", safeguarding_lead_email="")
    url = f"/organisations/{organisation.id}/edit/safeguarding"

    response = post_form(browser, url, {"version_id": organisation.version_id, "safeguarding_lead_name": "Grace Oduya"})
    page = page_of(response)

    assert response.status_code == 200
    assert summary_links(page) == {"safeguarding_lead_email": "Enter the email address of your safeguarding lead"}
    assert input_value(page, "safeguarding_lead_name") == "Grace Oduya"
    db.session.refresh(organisation)
    assert organisation.safeguarding_lead_name is None


def test_on_the_whole_form_a_part_begun_must_be_finished(browser):
    page = page_of(create(browser, annual_income="", safeguarding_lead_name="", safeguarding_lead_email="",
                          bank_account_name="HVYT", bank_sort_code="", bank_account_number=""))  # fmt: skip

    assert summary_links(page) == {
        "bank_sort_code": "Enter the sort code",
        "bank_account_number": "Enter the account number",
    }


def test_an_unknown_part_of_the_profile_is_not_found(browser):
    organisation = created(browser)
    assert browser.get(f"/organisations/{organisation.id}/edit/name").status_code == 404


# A school's URN: asked for at registration, published as its org-id


def test_a_school_must_give_its_urn_and_it_is_kept_as_its_gb_edu_org_id(browser):
    missing = page_of(create(browser, org_type="school"))
    wrong = page_of(create(browser, org_type="school", urn="10751"))
    organisation = created(browser, org_type="school", urn=" 107516 ")

    assert "Enter the school&#39;s URN: schools must give one" in missing
    assert "6 digits, as Get Information about Schools shows it" in wrong and 'value="10751"' in wrong
    assert organisation.other_identifier == "GB-EDU-107516"
    assert 'value="107516"' in page_of(browser.get(f"/organisations/{organisation.id}/edit"))


def test_editing_another_kind_of_organisation_keeps_its_register_identifier(browser):
    organisation = created(browser)
    organisation.other_identifier = "GB-LAE-KIR"
    db.session.commit()
    _, version = edit_page(browser, organisation)

    post_form(browser, f"/organisations/{organisation.id}/edit", edit_data(organisation, town="Marsden",
                                                                           version_id=version))  # fmt: skip

    db.session.refresh(organisation)
    assert (organisation.town, organisation.other_identifier) == ("Marsden", "GB-LAE-KIR")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("gb-lae-lds", "GB-LAE-LDS"),
        (" GB-NHS-RR8 ", "GB-NHS-RR8"),
        ("GB-GOR-PB825", "GB-GOR-PB825"),
        ("GB-UKPRN-10007791", "GB-UKPRN-10007791"),
    ],
)
def test_a_public_body_gives_its_register_identifier_and_it_is_kept_as_its_org_id(browser, typed, kept):
    organisation = created(browser, org_type="public_body", public_body_id=typed)

    assert organisation.other_identifier == kept
    assert f'value="{kept}"' in page_of(browser.get(f"/organisations/{organisation.id}/edit"))
    assert "Public body identifier" in page_of(browser.get(f"/organisations/{organisation.id}"))


def test_a_public_body_without_a_register_identifier_is_told_what_to_type_and_keeps_it(browser):
    missing = page_of(create(browser, org_type="public_body"))
    wrong = page_of(create(browser, org_type="public_body", public_body_id="Leeds City Council"))
    other_register = page_of(create(browser, org_type="public_body", public_body_id="GB-CHC-1123456"))

    assert "Enter the public body&#39;s identifier: public bodies must give one" in missing
    for page in (wrong, other_register):
        assert "like GB-LAE-LDS for a council in England or GB-NHS-RR8 for an NHS trust" in page
    assert 'value="Leeds City Council"' in wrong
    assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_an_identifier_typed_for_another_type_of_organisation_is_not_kept(browser):
    community = created(browser, org_type="community_group", urn="107516", public_body_id="GB-LAE-LDS")

    assert community.other_identifier is None
