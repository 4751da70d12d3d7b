"""The award page lists the award's variations, each a link to its own page for those who may open it
(officers, decision makers, admins of the programme); finance sees the list without links."""

from __future__ import annotations

from tests.factories import AwardFactory, ProgrammeFactory, VariationFactory, staff_user


def test_officers_open_a_past_variation_from_the_award_page_and_finance_sees_it_unlinked(client, sign_in):
    programme = ProgrammeFactory()
    award = AwardFactory(programme=programme)
    variation = VariationFactory(award=award, state="approved", new_amount_pence=900_000, reason="More sessions")
    link = f'href="/payments/variations/{variation.id}"'

    sign_in(staff_user("officer", programme))
    page = client.get(f"/awards/{award.id}").get_data(as_text=True)
    assert link in page and "More sessions" in page
    assert client.get(f"/payments/variations/{variation.id}").status_code == 200

    sign_in(staff_user("finance", programme))
    page = client.get(f"/awards/{award.id}").get_data(as_text=True)
    assert "More sessions" in page and link not in page
