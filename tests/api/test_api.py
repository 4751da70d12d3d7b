"""The JSON API: bearer tokens, what each token may see, pagination, filters and bad parameters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from grants.auth.passwords import hash_token
from grants.extensions import db
from grants.models import ApiToken, RoleGrant
from tests.api.helpers import bearer, build_dataset, more_awards, token_for
from tests.factories import staff_user
from tests.statements import counting_selects


@pytest.fixture
def data():
    return build_dataset()


@pytest.fixture
def officer_a(data):
    """An officer on programme A only, with a token for programme A."""
    return bearer(token_for(data.officer_a, "officer", data.programme_a))


def references(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["reference"] for item in response.get_json()["items"]]


# -- who gets in -----------------------------------------------------------------------------------


def test_a_request_without_a_token_is_refused_with_a_bearer_challenge(client, data):
    response = client.get("/api/v1/awards")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="grantflow API"'
    assert response.get_json() == {
        "error": "unauthorized",
        "message": "Send an API token in the Authorization header: 'Bearer <token>'.",
    }


def test_an_authorization_header_that_is_not_a_bearer_token_is_refused(client, data):
    response = client.get("/api/v1/awards", headers={"Authorization": "Basic b2ZmaWNlcjpzZWNyZXQ="})

    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_request"
    assert 'error="invalid_request"' in response.headers["WWW-Authenticate"]


def test_a_token_nobody_issued_is_refused(client, data):
    response = client.get("/api/v1/awards", headers=bearer("gf_this-token-was-never-issued"))

    assert response.status_code == 401
    assert response.get_json() == {"error": "invalid_token", "message": "The token is not recognised."}
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_revoked_token_is_refused(client, data):
    secret = token_for(data.officer_a, "officer", data.programme_a)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    token.revoked_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()

    response = client.get("/api/v1/awards", headers=bearer(secret))

    assert response.status_code == 401
    assert response.get_json()["message"] == "The token has been revoked."


def test_an_expired_token_is_refused(client, data):
    secret = token_for(data.officer_a, "officer", data.programme_a)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()

    response = client.get("/api/v1/awards", headers=bearer(secret))

    assert response.status_code == 401
    assert response.get_json()["message"].startswith("The token has expired.")


def test_a_token_of_a_deactivated_account_is_refused(client, data):
    secret = token_for(data.officer_a, "officer", data.programme_a)
    data.officer_a.active = False
    db.session.commit()

    response = client.get("/api/v1/awards", headers=bearer(secret))

    assert response.status_code == 401
    assert response.get_json()["message"] == "The account this token belongs to is deactivated."


def test_a_token_stops_working_when_its_user_loses_the_role(client, data):
    secret = token_for(data.officer_a, "officer", data.programme_a)
    db.session.execute(delete(RoleGrant).where(RoleGrant.user_id == data.officer_a.id))
    db.session.commit()

    response = client.get("/api/v1/awards", headers=bearer(secret))

    assert response.status_code == 403
    assert response.get_json() == {
        "error": "forbidden",
        "message": "The token's user no longer holds the officer role on the token's programme.",
    }


def test_a_programme_token_stops_when_that_programme_role_goes_even_if_the_role_is_held_elsewhere(client, data):
    secret = token_for(data.officer_a, "officer", data.programme_a)
    db.session.add(RoleGrant(user_id=data.officer_a.id, role="officer", programme_id=data.programme_b.id))
    db.session.execute(
        delete(RoleGrant).where(RoleGrant.user_id == data.officer_a.id, RoleGrant.programme_id == data.programme_a.id)
    )
    db.session.commit()

    response = client.get("/api/v1/awards", headers=bearer(secret))

    assert response.status_code == 403


def test_a_finance_token_cannot_read_applications(client, data):
    finance = staff_user("finance", data.programme_a)
    secret = token_for(finance, "finance")

    refused = client.get("/api/v1/applications", headers=bearer(secret))
    allowed = client.get("/api/v1/payments", headers=bearer(secret))

    assert refused.status_code == 403
    assert refused.get_json()["message"] == (
        "A token with the finance role cannot use this endpoint; it needs one of: admin, decision_maker, officer."
    )
    assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]
    assert allowed.status_code == 200


def test_a_decision_makers_token_cannot_read_payments(client, data):
    secret = token_for(staff_user("decision_maker", data.programme_a), "decision_maker")

    assert client.get("/api/v1/payments", headers=bearer(secret)).status_code == 403
    assert client.get("/api/v1/applications", headers=bearer(secret)).status_code == 200


def test_a_signed_in_session_does_not_open_the_api(client, sign_in, data):
    sign_in(staff_user("admin"))

    response = client.get("/api/v1/awards")

    assert response.status_code == 401


def test_api_answers_set_no_cookie(client, officer_a):
    response = client.get("/api/v1/awards", headers=officer_a)

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_last_used_is_recorded_at_most_once_a_minute(client, data):
    secret = token_for(data.officer_a, "officer", data.programme_a)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))

    client.get("/api/v1/rounds", headers=bearer(secret))
    db.session.refresh(token)
    first = token.last_used_at
    client.get("/api/v1/rounds", headers=bearer(secret))
    db.session.refresh(token)
    unchanged = token.last_used_at
    token.last_used_at = first - timedelta(minutes=2)
    db.session.commit()
    client.get("/api/v1/rounds", headers=bearer(secret))
    db.session.refresh(token)

    assert first is not None
    assert unchanged == first
    assert token.last_used_at > first - timedelta(minutes=1)


def test_an_unknown_api_address_answers_json_404(client):
    response = client.get("/api/v1/grants")

    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


# -- what a token sees -----------------------------------------------------------------------------


def test_an_officer_token_for_programme_a_lists_none_of_programme_bs_data(client, data, officer_a):
    assert references(client.get("/api/v1/awards", headers=officer_a)) == ["APIA-A-0001", "APIA-A-0002"]
    assert references(client.get("/api/v1/applications", headers=officer_a)) == [
        "APIA-R1-0001",
        "APIA-R1-0002",
        "APIA-R1-0003",
    ]
    assert {p["award"] for p in client.get("/api/v1/payments", headers=officer_a).get_json()["items"]} == {
        "APIA-A-0001",
        "APIA-A-0002",
    }
    assert [r["code"] for r in client.get("/api/v1/rounds", headers=officer_a).get_json()["items"]] == ["APIA-R1"]


@pytest.mark.parametrize(
    "path", ["/api/v1/awards/APIB-A-0001", "/api/v1/applications/APIB-R1-0001", "/api/v1/rounds/APIB-R1"]
)
def test_an_officer_token_for_programme_a_gets_404_for_programme_bs_items(client, data, officer_a, path):
    response = client.get(path, headers=officer_a)

    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_a_token_for_every_programme_sees_only_the_programmes_where_its_user_holds_the_role(client, data):
    secret = token_for(data.officer_a, "officer", None)  # officer on A only

    assert references(client.get("/api/v1/awards", headers=bearer(secret))) == ["APIA-A-0001", "APIA-A-0002"]
    assert client.get("/api/v1/awards/APIB-A-0001", headers=bearer(secret)).status_code == 404


def test_an_admin_token_on_every_programme_sees_every_programme(client, data):
    secret = token_for(staff_user("admin"), "admin")

    assert references(client.get("/api/v1/awards", headers=bearer(secret))) == [
        "APIA-A-0001",
        "APIA-A-0002",
        "APIB-A-0001",
    ]


def test_an_admin_token_narrowed_to_programme_b_sees_only_b(client, data):
    secret = token_for(staff_user("admin"), "admin", data.programme_b)

    assert references(client.get("/api/v1/awards", headers=bearer(secret))) == ["APIB-A-0001"]


def test_drafts_are_never_given(client, data, officer_a):
    listed = references(client.get("/api/v1/applications?per_page=100", headers=officer_a))

    assert f"Draft {data.draft_a.id}" not in listed
    assert len(listed) == 3
    assert client.get("/api/v1/applications?state=draft", headers=officer_a).status_code == 400


# -- what the answers say --------------------------------------------------------------------------


def test_an_award_gives_money_as_pounds_and_pence_and_dates_in_iso(client, data, officer_a):
    award = client.get("/api/v1/awards/APIA-A-0001", headers=officer_a).get_json()

    assert award["amount"] == "1234.56"
    assert award["amount_pence"] == 123_456
    assert award["amount_at_decision"] == "1500.00"
    assert award["paid"] == "1000.00"
    assert award["paid_pence"] == 100_000
    assert award["starts_on"] == "2023-04-01"
    assert award["round"] == "APIA-R1"
    assert award["application"] == "APIA-R1-0001"
    assert award["programme"] == "APIA"
    assert award["organisation"]["charity_number"] == "1234567"


def test_an_award_made_without_an_application_gives_null_round_and_application(client, data, officer_a):
    award = client.get("/api/v1/awards/APIA-A-0002", headers=officer_a).get_json()

    assert award["round"] is None
    assert award["application"] is None
    assert award["paid"] == "0.00"


def test_bank_details_never_appear_in_any_answer(client, data):
    secret = token_for(staff_user("finance"), "finance")
    admin = token_for(staff_user("admin"), "admin")
    bodies = [
        client.get(path, headers=bearer(token)).get_data(as_text=True)
        for token, path in [
            (secret, "/api/v1/awards"),
            (secret, "/api/v1/awards/APIA-A-0001"),
            (secret, "/api/v1/payments"),
            (admin, "/api/v1/applications"),
            (admin, "/api/v1/applications/APIA-R1-0001"),
        ]
    ]

    for body in bodies:
        assert "Bramley Riverside Group" in body or "APIA-A-0001" in body
        assert "87654321" not in body and "401234" not in body and "bank" not in body.lower()


def test_an_application_gives_its_tags_and_its_round(client, data, officer_a):
    application = client.get("/api/v1/applications/APIA-R1-0001", headers=officer_a).get_json()

    assert application["round"] == "APIA-R1"
    assert application["programme"] == "APIA"
    assert application["amount_requested"] == "5000.50"
    assert application["submitted_at"] == "2022-11-04T11:30:00+00:00"
    assert [t["code"] for t in application["districts"]] == ["leeds", "bradford"]
    assert application["areas_of_focus"] == [{"code": "mental_health", "label": "Mental health"}]
    assert application["priorities"] == []
    assert [t["label"] for t in application["themes"]] == ["Young people"]


def test_a_paid_payment_gives_its_date_and_finance_reference(client, data, officer_a):
    items = client.get("/api/v1/payments?state=paid", headers=officer_a).get_json()["items"]

    assert items == [
        {
            "reference": "APIA-A-0001-P1",
            "award": "APIA-A-0001",
            "programme": "APIA",
            "organisation": "Bramley Riverside Group",
            "instalment": 1,
            "state": "paid",
            "amount": "1000.00",
            "amount_pence": 100_000,
            "due_on": "2023-04-15",
            "paid_on": "2023-04-20",
            "finance_reference": "FIN-0001",
        }
    ]


def test_a_round_gives_its_budget_and_dates(client, data, officer_a):
    round_ = client.get("/api/v1/rounds/APIA-R1", headers=officer_a).get_json()

    assert round_["budget"] == "500000.00"
    assert round_["max_grant"] == "8000.00"
    assert round_["min_grant"] is None
    assert round_["state"] == "decided"


# -- pages and filters -----------------------------------------------------------------------------


def test_applications_come_a_page_at_a_time_with_links_to_the_next_and_previous(client, data, officer_a):
    first = client.get("/api/v1/applications?per_page=2", headers=officer_a).get_json()
    second = client.get(first["next"], headers=officer_a).get_json()

    assert [a["reference"] for a in first["items"]] == ["APIA-R1-0001", "APIA-R1-0002"]
    assert (first["page"], first["per_page"], first["total"], first["prev"]) == (1, 2, 3, None)
    assert first["next"] == "/api/v1/applications?per_page=2&page=2"
    assert [a["reference"] for a in second["items"]] == ["APIA-R1-0003"]
    assert second["next"] is None
    assert second["prev"] == "/api/v1/applications?per_page=2&page=1"


def test_a_page_past_the_end_is_empty(client, data, officer_a):
    body = client.get("/api/v1/awards?page=9", headers=officer_a).get_json()

    assert body["items"] == []
    assert body["total"] == 2
    assert body["next"] is None
    assert body["prev"] == "/api/v1/awards?page=1&per_page=25"


def test_filters_keep_their_values_in_the_page_links(client, data, officer_a):
    body = client.get("/api/v1/awards?state=active&per_page=1&page=1", headers=officer_a).get_json()

    assert [a["reference"] for a in body["items"]] == ["APIA-A-0001"]
    assert body["next"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("round=APIA-R1", ["APIA-R1-0001", "APIA-R1-0002", "APIA-R1-0003"]),
        ("state=submitted", ["APIA-R1-0002"]),
        ("round=APIA-R1&state=unsuccessful", ["APIA-R1-0003"]),
    ],
)
def test_applications_filter_by_round_and_state(client, data, officer_a, query, expected):
    assert references(client.get(f"/api/v1/applications?{query}", headers=officer_a)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("programme=APIA", ["APIA-A-0001", "APIA-A-0002"]),
        ("programme=APIB", ["APIB-A-0001"]),
        ("state=offered", ["APIA-A-0002"]),
        ("round=APIA-R1", ["APIA-A-0001"]),
        ("round=APIB-R1", []),
    ],
)
def test_awards_filter_by_programme_state_and_round(client, data, query, expected):
    admin = bearer(token_for(staff_user("admin"), "admin"))

    assert references(client.get(f"/api/v1/awards?{query}", headers=admin)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("award=APIA-A-0001", ["APIA-A-0001-P1", "APIA-A-0001-P2"]),
        ("state=scheduled", ["APIA-A-0001-P2", "APIA-A-0002-P1"]),
        ("due_from=2023-10-01", ["APIA-A-0001-P2", "APIA-A-0002-P1"]),
        ("due_to=2023-10-15", ["APIA-A-0001-P1", "APIA-A-0001-P2"]),
        ("due_from=2023-10-15&due_to=2023-10-15", ["APIA-A-0001-P2"]),
    ],
)
def test_payments_filter_by_award_state_and_due_dates(client, data, officer_a, query, expected):
    assert references(client.get(f"/api/v1/payments?{query}", headers=officer_a)) == expected


@pytest.mark.parametrize(
    ("path", "field", "message"),
    [
        ("/api/v1/awards?per_page=0", "per_page", "per_page must be a whole number from 1 to 100"),
        ("/api/v1/awards?per_page=101", "per_page", "per_page must be a whole number from 1 to 100"),
        ("/api/v1/awards?page=two", "page", "page must be a whole number"),
        ("/api/v1/awards?state=paid", "state", "state must be one of: preparing, offered"),
        ("/api/v1/applications?state=draft", "state", "state must be one of: submitted,"),
        ("/api/v1/payments?due_from=31/03/2023", "due_from", "due_from must be a date like 2023-04-01"),
        ("/api/v1/payments?due_from=2023-04-02&due_to=2023-04-01", "due_from", "due_from must not be after due_to"),
        ("/api/v1/awards?status=active", "status", "status is not a parameter of this endpoint"),
        ("/api/v1/awards?state=active&state=closed", "state", "state must be given once"),
        ("/api/v1/applications?round=APIB-R1", "round", "There is no round 'APIB-R1' that this token can see."),
        ("/api/v1/applications?round=NOPE-R9", "round", "There is no round 'NOPE-R9' that this token can see."),
        ("/api/v1/awards?programme=APIB", "programme", "There is no programme 'APIB' that this token can see."),
        ("/api/v1/payments?award=APIB-A-0001", "award", "There is no award 'APIB-A-0001' that this token can see."),
        ("/api/v1/rounds?programme=bad%20code", "programme", "programme is not a code"),
    ],
)
def test_a_bad_query_parameter_is_refused_with_what_is_wrong(client, data, officer_a, path, field, message):
    response = client.get(path, headers=officer_a)

    body = response.get_json()
    assert response.status_code == 400
    assert body["error"] == "bad_request"
    assert message in body["message"]
    assert list(body["fields"]) == [field]


@pytest.mark.parametrize(
    ("path", "many_rows"),
    [
        ("/api/v1/awards", True),
        ("/api/v1/awards?programme=APIA&round=APIA-R9&state=accepted", True),
        ("/api/v1/applications?round=APIA-R9&state=approved", True),
        ("/api/v1/payments?due_from=2023-01-01", True),
        ("/api/v1/payments?award=APIA-A-0001", False),
        ("/api/v1/rounds?programme=APIA", False),
    ],
)
def test_each_list_costs_the_same_number_of_statements_whatever_the_page_size(client, data, path, many_rows):
    more_awards(data.programme_a, 30)
    headers = bearer(token_for(staff_user("admin"), "admin"))
    client.get("/api/v1/rounds", headers=headers)  # last_used_at recorded: later requests only read
    joiner = "&" if "?" in path else "?"

    with counting_selects() as small:
        one = client.get(f"{path}{joiner}per_page=1", headers=headers)
    with counting_selects() as large:
        many = client.get(f"{path}{joiner}per_page=100", headers=headers)

    assert one.status_code == many.status_code == 200
    assert len(one.get_json()["items"]) <= 1
    assert len(many.get_json()["items"]) > 20 or not many_rows
    assert len(small) == len(large)
    assert len(large) <= 7  # token, its grants, up to two filter lookups, count, page, one select-in
