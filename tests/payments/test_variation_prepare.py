"""Officers and grant holders' asks: "Variations to prepare" on Your work (its count is what its list
shows), preparing an ask for a decision with the grant holder's figures to check and change, declining it
with a reason the organisation is emailed, and a stale preparation told so instead of overwriting."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.formatting import LONDON, london_date
from grants.models import Award, Membership, OutboxMessage, Variation
from grants.payments import asks, variations
from grants.payments.services import CONFLICT_MESSAGE
from grants.workflow import apply_transition, engine
from tests.factories import PaymentFactory, ProgrammeFactory, VariationFactory, staff_user
from tests.fixtures import post_form
from tests.payments.helpers import applicant_of, audit_count, audit_rows, award, people, text_of
from tests.statements import counting_selects
from workflows import TransitionRefused

TODAY = datetime.now(LONDON).date()
ENDS = TODAY + timedelta(days=90)
LATER = ENDS + timedelta(days=61)
WHY = "Twice as many young people came as planned; a second coach is needed."


def _grant(programme, **kwargs) -> Award:
    values = {"starts_on": date(2023, 4, 1), "ends_on": ENDS, "state": "active"}
    values.update(kwargs)
    return award(programme, **values)


def _asked(grant: Award, amount: str = "9000", ends: date | None = LATER) -> Variation:
    parts = (str(ends.day), str(ends.month), str(ends.year)) if ends else ("", "", "")
    return asks.ask_for_variation(applicant_of(grant), grant, amount, parts, WHY)


def _fresh(variation: Variation) -> Variation:
    db.session.expire_all()
    return db.session.get(Variation, variation.id)


def _prepare(client, variation: Variation, amount: str, ends: tuple[str, str, str], reason: str, version=None):
    data = {
        "version_id": str(variation.version_id if version is None else version),
        "amount": amount,
        "ends_on-day": ends[0],
        "ends_on-month": ends[1],
        "ends_on-year": ends[2],
        "reason": reason,
    }
    return post_form(client, f"/payments/variations/{variation.id}/prepare", data, form_page="/sign-out")


def _decline(client, variation: Variation, reason: str):
    data = {"version_id": str(variation.version_id), "reason": reason}
    return post_form(client, f"/payments/variations/{variation.id}/decline", data, form_page="/sign-out")


def _parts(day: date) -> tuple[str, str, str]:
    return (str(day.day), str(day.month), str(day.year))


# -- the queue ----------------------------------------------------------------------------------------
def _work_row(html: str) -> str:
    start = html.index('id="queue-variations_to_prepare"')
    return html[start : html.index("</tr>", start)]


def _listed(client, url: str) -> list[str]:
    return re.findall(r'href="/payments/variations/\d+">([^<]+)</a>', client.get(url).get_data(as_text=True))


def test_your_work_counts_the_asks_on_the_officers_programmes_and_its_link_lists_exactly_those(client, sign_in):
    team = people()
    mine = [_asked(_grant(team.programme)), _asked(_grant(team.programme))]
    _asked(_grant(ProgrammeFactory()))  # another programme's
    VariationFactory(award=_grant(team.programme), workflow_version=2)  # awaiting approval: not to prepare
    own_organisation = _grant(team.programme)
    _asked(own_organisation)  # the officer belongs to this organisation: a conflict of interest
    db.session.add(Membership(user_id=team.officer.id, organisation_id=own_organisation.organisation_id))
    db.session.commit()
    sign_in(team.officer)

    row = _work_row(client.get("/work/").get_data(as_text=True))
    count = re.search(r'govuk-table__cell--numeric">(?:<strong>)?(\d+)', row).group(1)
    link = re.search(r'href="([^"]+)"', row).group(1).replace("&amp;", "&")

    assert link == "/payments/variations?state=asked"
    listed = _listed(client, link)
    assert int(count) == len(listed) == 2
    assert sorted(listed) == sorted(v.reference for v in mine)
    page = text_of(client.get(link))
    assert "Variations to prepare" in page and "Amount £7,985.00 to £9,000.00" in page


def test_the_asks_list_takes_the_same_statements_whatever_its_size(client, sign_in):
    team = people()
    _asked(_grant(team.programme))
    sign_in(team.officer)

    def statements() -> int:
        with counting_selects() as seen:
            assert client.get("/payments/variations?state=asked").status_code == 200
        return len(seen)

    few = statements()
    for _ in range(6):
        _asked(_grant(team.programme))
    assert statements() == few


def test_a_decision_maker_has_no_asks_to_prepare_and_the_approvals_list_is_unchanged(client, sign_in):
    team = people()
    asked = _asked(_grant(team.programme))
    waiting = VariationFactory(award=_grant(team.programme), workflow_version=2)
    sign_in(team.decision_maker)

    assert 'id="queue-variations_to_prepare"' not in client.get("/work/").get_data(as_text=True)
    assert _listed(client, "/payments/variations") == [waiting.reference]
    assert _listed(client, "/payments/variations?state=asked") == []  # not theirs: they decide, not prepare
    assert _listed(client, "/payments/variations?state=nonsense\x00") == [waiting.reference]
    assert asked.reference not in text_of(client.get("/payments/variations"))


# -- preparing ---------------------------------------------------------------------------------------
def test_an_officer_prepares_an_ask_from_the_grant_holders_figures_changing_the_amount(client, sign_in):
    team = people()
    grant = _grant(team.programme)
    asked = _asked(grant)
    sign_in(team.officer)

    html = client.get(f"/payments/variations/{asked.id}").get_data(as_text=True)
    assert 'name="amount"' in html and 'value="9000.00"' in html  # the grant holder's figures, to check
    assert f'value="{LATER.day}"' in html and f'value="{LATER.year}"' in html
    assert WHY in html and "(the grant holder)" in text_of(client.get(f"/payments/variations/{asked.id}"))
    assert 'href="/payments/variations?state=asked"' in html  # back to Variations to prepare

    response = _prepare(client, asked, "8,500", _parts(LATER), WHY + " Agreed at £8,500 by phone.")

    assert response.status_code == 302
    prepared = _fresh(asked)
    assert (prepared.state, prepared.new_amount_pence, prepared.new_ends_on) == ("requested", 850_000, LATER)
    assert prepared.reason.endswith("Agreed at £8,500 by phone.")
    [row] = audit_rows("variation", asked.id, "prepare")
    assert (row.actor_id, row.from_state, row.to_state) == (team.officer.id, "asked", "requested")
    [changed] = audit_rows("variation", asked.id, "asked_figures_changed")
    assert (changed.from_state, changed.to_state) == (
        f"£9,000.00; ends {london_date(LATER)}",
        f"£8,500.00; ends {london_date(LATER)}",
    )
    assert changed.data["amount_pence"] == [900_000, 850_000]
    assert audit_rows("variation", asked.id, "create")[0].reason == WHY  # the grant holder's words stay

    sign_in(team.decision_maker)
    assert asked.reference in _listed(client, "/payments/variations")
    decided = post_form(
        client,
        f"/payments/variations/{asked.id}/approve",
        {"version_id": str(_fresh(asked).version_id), "reason": ""},
        form_page="/sign-out",
    )
    assert decided.status_code == 302
    db.session.expire_all()
    assert (db.session.get(Award, grant.id).amount_pence, db.session.get(Award, grant.id).ends_on) == (850_000, LATER)


def test_preparing_as_asked_writes_no_change_of_figures(client, sign_in):
    team = people()
    asked = _asked(_grant(team.programme))
    sign_in(team.officer)

    assert _prepare(client, asked, "9000", _parts(LATER), WHY).status_code == 302

    assert _fresh(asked).state == "requested"
    assert audit_count("variation", asked.id, "asked_figures_changed") == 0


@pytest.mark.parametrize(
    ("amount", "ends", "message", "anchor"),
    [
        ("3000", ("", "", ""), "The new amount cannot be less than is already paid or approved (£4,000.00)", "amount"),
        ("7985", ("", "", ""), "The new amount is the same as the award now (£7,985.00)", "amount"),
        ("", ("1", "3", "2023"), "The new end date must be after the start date (1 April 2023)", "ends_on-day"),
        ("", ("", "", ""), "Enter a new amount or a new end date, or both", "amount"),
        ("99999999999999999999", ("", "", ""), "The new amount must be £1,000,000,000.00 or less", "amount"),
    ],
)
def test_a_wrong_preparation_says_what_is_wrong_keeps_what_was_typed_and_writes_nothing(
    client, sign_in, amount, ends, message, anchor
):
    team = people()
    grant = _grant(team.programme)
    asked = _asked(grant)
    PaymentFactory(award=grant, amount_pence=400_000, state="paid", paid_on=date(2023, 5, 1), finance_reference="F1")
    sign_in(team.officer)

    response = _prepare(client, asked, amount, ends, "Checked with the group")

    assert response.status_code == 400
    assert message in text_of(response)
    html = response.get_data(as_text=True)
    assert f'href="#{anchor}"' in html and "Checked with the group" in html
    if amount:
        assert f'value="{amount}"' in html
    assert _fresh(asked).state == "asked" and _fresh(asked).new_amount_pence == 900_000
    assert audit_count("variation", asked.id, "prepare") == 0


def test_a_stale_preparation_gets_the_conflict_message_and_does_not_overwrite(client, sign_in):
    team = people()
    asked = _asked(_grant(team.programme))
    shown = asked.version_id  # the page the first officer has open
    colleague = staff_user("officer", team.programme)
    variations.prepare(colleague, asked, "8000", _parts(LATER), "Agreed at £8,000", shown)
    sign_in(team.officer)

    response = _prepare(client, asked, "9500", _parts(LATER), "My figure", version=shown)

    assert response.status_code == 409
    page = text_of(response)
    assert CONFLICT_MESSAGE in page and "Awaiting approval" in page
    kept = _fresh(asked)
    assert (kept.new_amount_pence, kept.reason) == (800_000, "Agreed at £8,000")
    assert audit_count("variation", asked.id, "prepare") == 1


def test_an_officer_declines_an_ask_with_a_reason_the_organisation_is_emailed(client, sign_in):
    team = people()
    grant = _grant(team.programme)
    holder = applicant_of(grant)
    asked = asks.ask_for_variation(holder, grant, "9000", ("", "", ""), WHY)
    sign_in(team.officer)

    missing = _decline(client, asked, "  ")
    assert missing.status_code == 400
    assert "Enter the reason for declining the ask: the organisation is emailed it" in text_of(missing)
    assert _fresh(asked).state == "asked"

    done = _decline(client, asked, "The round's budget is fully committed.")

    assert done.status_code == 302
    assert _fresh(asked).state == "declined"
    [row] = audit_rows("variation", asked.id, "decline")
    assert (row.actor_id, row.reason) == (team.officer.id, "The round's budget is fully committed.")
    [email] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == holder.email)).all()
    assert "declined" in email.subject and "The round's budget is fully committed." in email.body
    assert db.session.get(Award, grant.id).amount_pence == 798_500


def test_only_officers_prepare_or_decline(client, sign_in):
    team = people()
    asked = _asked(_grant(team.programme))
    sign_in(team.decision_maker)

    assert _prepare(client, asked, "9000", _parts(LATER), WHY).status_code == 403
    assert _decline(client, asked, "No").status_code == 403
    sign_in(staff_user("officer", ProgrammeFactory()))
    assert _prepare(client, asked, "9000", _parts(LATER), WHY).status_code == 404
    assert _fresh(asked).state == "asked"


def test_preparing_from_anywhere_checks_the_figures_against_the_award_as_it_is_now(app):
    team = people()
    grant = _grant(team.programme)
    asked = _asked(grant, "5000", None)
    PaymentFactory(award=grant, amount_pence=600_000, state="approved")  # approved since the grant holder asked

    with pytest.raises(TransitionRefused) as refused:
        apply_transition(asked, "prepare", team.officer)  # as the generic case page does: no new figures

    assert "The new amount cannot be less than is already paid or approved (£6,000.00)" in refused.value.reasons
    assert _fresh(asked).state == "asked"


def test_the_workflow_page_shows_both_ways_a_variation_starts(client, sign_in):
    sign_in(staff_user("admin"))

    page = text_of(client.get("/admin/workflows/variation/2"))

    assert "Asked for by the grant holder (start)" in page and "Awaiting approval (start)" in page
    assert "Prepare for a decision → Awaiting approval" in page and "Decline the ask → Declined" in page
    assert "[*] --&gt; asked" in client.get("/admin/workflows/variation/2").get_data(as_text=True)
    assert engine().registry.get("variation", 1).starts == ("requested",)  # running v1 cases are as they were
