"""Numbers in a query string or a posted form that are not plain ASCII digits ('²', twenty digits, '-1')
are treated as no number at all: the page answers as it would without one, never with a 500."""

from __future__ import annotations

import pytest

from tests.fixtures import post_form
from tests.payments.helpers import award, people

HOSTILE = ["²", "99999999999999999999", "-1", " ", "12\x00"]


@pytest.mark.parametrize("year", HOSTILE, ids=repr)
def test_a_budget_year_that_is_not_a_year_shows_the_current_year(client, sign_in, year):
    sign_in(people().officer)

    response = client.get("/payments/budgets", query_string={"year": year})

    assert response.status_code == 200
    assert "Budgets" in response.get_data(as_text=True)


@pytest.mark.parametrize("index", HOSTILE, ids=repr)
def test_a_schedule_row_or_remove_button_with_a_strange_number_is_ignored(client, sign_in, index):
    team = people()
    grant = award(team.programme)
    sign_in(team.officer)
    url = f"/payments/awards/{grant.id}/schedule"

    response = post_form(
        client,
        url,
        {f"instalments-{index}-amount": "10.00", "instalments-0-amount": "", "action": f"remove-{index}"},
    )

    assert response.status_code in (200, 400)
