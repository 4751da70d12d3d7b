"""The decision makers' variations queue sorts by variation, organisation or the day asked, both ways."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.factories import OrganisationFactory, VariationFactory
from tests.payments.helpers import award, people


@pytest.fixture
def three(client, sign_in):
    team = people()
    made = {}
    for name, organisation, asked in (
        ("a", "Cedar", datetime(2023, 5, 2, tzinfo=UTC)),
        ("b", "Acorn", datetime(2023, 5, 3, tzinfo=UTC)),
        ("c", "Bramble", datetime(2023, 5, 1, tzinfo=UTC)),
    ):
        grant = award(team.programme, organisation=OrganisationFactory(name=organisation))
        made[name] = VariationFactory(award=grant, new_amount_pence=900_000, created_at=asked)
    sign_in(team.decision_maker)
    return {name: variation.reference for name, variation in made.items()}


def _references(client, query: str) -> list[str]:
    response = client.get(f"/payments/variations?{query}")
    assert response.status_code == 200
    return re.findall(r'href="/payments/variations/\d+">([^<]+)</a>', response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("column", "ascending"),
    [
        ("reference", "abc"),
        ("organisation", "bca"),
        ("asked", "cab"),
    ],
)
def test_a_decision_maker_sorts_the_variations_by_each_column_both_ways(client, three, column, ascending):
    expected = [three[name] for name in ascending]

    assert _references(client, f"sort={column}&dir=asc") == expected
    assert _references(client, f"sort={column}&dir=desc") == expected[::-1]


def test_the_queue_opens_on_the_longest_waiting_first(client, three):
    assert _references(client, "") == [three["c"], three["a"], three["b"]]
    assert _references(client, "sort=nonsense&dir=%00") == [three["c"], three["a"], three["b"]]
