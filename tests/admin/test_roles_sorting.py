"""An admin sorts the staff roles by person, role or programme, both ways."""

from __future__ import annotations

import re

import pytest

from tests.factories import ProgrammeFactory, staff_user

PEOPLE = ("Bea Sorted", "Cal Sorted", "Abe Sorted")


@pytest.fixture
def roles(admin):
    alpha, beta = ProgrammeFactory(name="Alpha Sorting Fund"), ProgrammeFactory(name="Beta Sorting Fund")
    staff_user("officer", beta, name="Bea Sorted")
    staff_user("finance", alpha, name="Cal Sorted")
    staff_user("decision_maker", beta, name="Abe Sorted")
    return admin


def _people(browser, query: str) -> list[str]:
    response = browser.get(f"/admin/roles?{query}")
    assert response.status_code == 200
    names = re.findall(r'<td class="govuk-table__cell">([^<]+)<br>', response.get_data(as_text=True))
    return [name for name in names if name in PEOPLE]


@pytest.mark.parametrize(
    ("column", "ascending"),
    [
        ("person", ["Abe Sorted", "Bea Sorted", "Cal Sorted"]),
        ("role", ["Abe Sorted", "Cal Sorted", "Bea Sorted"]),  # decision maker, finance, officer
        ("programme", ["Cal Sorted", "Bea Sorted", "Abe Sorted"]),  # Alpha, then Beta in the order given
    ],
)
def test_an_admin_sorts_the_roles_by_each_column_both_ways(roles, column, ascending):
    assert _people(roles, f"sort={column}&dir=asc") == ascending
    assert _people(roles, f"sort={column}&dir=desc") == ascending[::-1]


def test_the_roles_open_in_the_order_they_were_given_and_an_unknown_sort_keeps_it(roles):
    assert _people(roles, "") == ["Bea Sorted", "Cal Sorted", "Abe Sorted"]
    assert _people(roles, "sort=%00" + "x" * 5000 + "&dir=9" * 3) == ["Bea Sorted", "Cal Sorted", "Abe Sorted"]
