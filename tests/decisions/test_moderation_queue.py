"""An officer's Your work counts the bids needing moderation on their programmes (assessors' weighted
totals further apart than the round's spread, no moderated score yet), linking to a list of exactly those,
the same bids the round's moderation board flags."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from grants.decisions import moderation
from grants.extensions import db
from tests.factories import (
    ApplicationFactory,
    AssessmentFactory,
    CriterionFactory,
    ProgrammeFactory,
    RecommendationFactory,
    RoundFactory,
    ScoreFactory,
    staff_user,
)
from tests.statements import counting_selects


@pytest.fixture
def round_():
    return RoundFactory(programme=ProgrammeFactory(code="MSCF"), state="closed", moderation_spread=Decimal("5"))


def _criteria(round_):
    return tuple(CriterionFactory(round=round_, weight=Decimal(weight)) for weight in ("1.00", "2.00"))


def _bid(round_, criteria, *sheets, state: str = "submitted"):
    """A bid in assessment with one assessment per sheet: (score on the first, score on the second)."""
    application = ApplicationFactory(round=round_, state="in_assessment")
    for first, second in sheets:
        assessment = AssessmentFactory(application=application, state=state)
        ScoreFactory(assessment=assessment, criterion=criteria[0], score=first)
        ScoreFactory(assessment=assessment, criterion=criteria[1], score=second)
    return application


def _listed(html: str) -> set[str]:
    return set(re.findall(r'href="/panel/applications/\d+/moderate">([^<]+)</a>', html))


def test_the_bids_needing_moderation_count_matches_the_list_and_the_moderation_board(client, sign_in, round_):
    criteria = _criteria(round_)
    apart = _bid(round_, criteria, (1, 1), (4, 4))  # totals 3 and 12
    close = _bid(round_, criteria, (2, 2), (3, 2))  # 6 and 7
    moderated = _bid(round_, criteria, (0, 0), (5, 5))  # 0 and 15, but the panel has moderated it
    RecommendationFactory(application=moderated, moderated_score=Decimal("8"), moderation_reason="Agreed.")
    one_in = _bid(round_, criteria, (0, 0))
    AssessmentFactory(application=one_in, state="scoring")  # not submitted: not counted
    other = RoundFactory(programme=ProgrammeFactory(code="VRU"), state="closed")
    elsewhere = _bid(other, _criteria(other), (0, 0), (5, 5))
    officer = staff_user("officer", round_.programme)
    db.session.commit()
    sign_in(officer)

    work = client.get("/work/").get_data(as_text=True)
    start = work.index('id="queue-bids_to_moderate"')
    row = work[start : work.index("</tr>", start)].replace("<strong>", "").replace("</strong>", "")
    listed = _listed(client.get("/panel/moderation").get_data(as_text=True))
    board = moderation.board(round_, officer.id)

    assert ">1<" in row and 'href="/panel/moderation"' in row
    assert listed == {apart.reference}
    assert {bid.reference for bid in board.flagged if bid.moderated_score is None} == listed
    assert not {close.reference, one_in.reference, elsewhere.reference} & listed


def test_a_rescore_counts_only_the_assessors_current_score(client, sign_in, round_):
    criteria = _criteria(round_)
    application = ApplicationFactory(round=round_, state="in_assessment")
    steady = AssessmentFactory(application=application, state="submitted")
    ScoreFactory(assessment=steady, criterion=criteria[0], score=3)
    ScoreFactory(assessment=steady, criterion=criteria[1], score=3)
    changed = AssessmentFactory(application=application, state="submitted")
    ScoreFactory(assessment=changed, criterion=criteria[0], score=0)
    ScoreFactory(assessment=changed, criterion=criteria[1], score=0)  # 0: 9 apart at first
    ScoreFactory(assessment=changed, criterion=criteria[0], score=3)
    ScoreFactory(assessment=changed, criterion=criteria[1], score=3)  # then rescored to agree
    sign_in(staff_user("officer", round_.programme))

    assert _listed(client.get("/panel/moderation").get_data(as_text=True)) == set()


def test_the_list_reads_the_same_number_of_statements_however_many_bids(client, sign_in, round_):
    criteria = _criteria(round_)
    sign_in(staff_user("officer", round_.programme))

    def statements() -> int:
        with counting_selects() as seen:
            assert client.get("/panel/moderation").status_code == 200
        return len(seen)

    _bid(round_, criteria, (0, 0), (5, 5))
    few = statements()
    for _ in range(8):
        _bid(round_, criteria, (0, 0), (5, 5))
    many = statements()

    assert few == many
