"""Finance's Your work counts the approved instalments a payment run cannot pay for want of bank details
(the run page says why for each) and the organisations whose changed bank details wait for a check; each
count is what its link lists."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.factories import (
    AwardFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    staff_user,
)

NOW = datetime.now(UTC)


def _count(page: str, key: str) -> str:
    start = page.index(f'id="queue-{key}"')
    row = page[start : page.index("</tr>", start)]
    cell = row[row.rindex('govuk-table__cell--numeric">') :]
    return cell.split(">", 1)[1].replace("<strong>", "").replace("</strong>", "").split("<", 1)[0].strip()


def _paid_to(programme, organisation, state: str = "approved"):
    return PaymentFactory(award=AwardFactory(programme=programme, organisation=organisation), state=state)


def test_approved_instalments_waiting_for_bank_details_are_counted_as_the_run_page_lists_them(client, sign_in):
    mscf, vru = ProgrammeFactory(code="MSCF"), ProgrammeFactory(code="VRU")
    no_details = OrganisationFactory(name="Bramley Kitchen", bank_account_number=None)
    changed = OrganisationFactory(name="Shed Talk", bank_details_changed_at=NOW - timedelta(days=2))
    checked = OrganisationFactory(
        name="Walk Home", bank_details_changed_at=NOW - timedelta(days=9), bank_details_verified_at=NOW
    )
    blocked = [_paid_to(mscf, no_details), _paid_to(mscf, changed)]
    _paid_to(mscf, checked)  # ready to pay
    _paid_to(mscf, changed, state="scheduled")  # not approved yet: not in a run
    _paid_to(vru, changed)  # another programme's
    sign_in(staff_user("finance", mscf))

    work = client.get("/work/").get_data(as_text=True)
    run = client.get("/payments/runs/new").get_data(as_text=True)

    assert _count(work, "instalments_blocked") == "2"
    assert 'href="/payments/runs/new"' in work
    waiting = run[run.index("Waiting for bank details") :]
    assert set(re.findall(r"<li>(AWD-\d+-P\d+):", waiting)) == {p.reference for p in blocked}
    assert "Bramley Kitchen has not given its bank details" in waiting
    assert "Shed Talk&#39;s bank details changed on" in waiting


def test_organisations_whose_bank_details_changed_are_counted_as_the_check_page_lists_them(client, sign_in):
    mscf, vru = ProgrammeFactory(code="MSCF"), ProgrammeFactory(code="VRU")
    changed = [
        OrganisationFactory(name="Shed Talk", bank_details_changed_at=NOW - timedelta(days=2)),
        OrganisationFactory(
            name="Safe Suppers",
            bank_details_changed_at=NOW - timedelta(days=1),
            bank_details_verified_at=NOW - timedelta(days=5),  # checked before this change
        ),
    ]
    for organisation in changed:
        _paid_to(mscf, organisation, state="scheduled")
    checked = OrganisationFactory(
        name="Walk Home", bank_details_changed_at=NOW - timedelta(days=9), bank_details_verified_at=NOW
    )
    _paid_to(mscf, checked, state="scheduled")
    _paid_to(vru, OrganisationFactory(name="Elsewhere", bank_details_changed_at=NOW), state="scheduled")
    sign_in(staff_user("finance", mscf))

    work = client.get("/work/").get_data(as_text=True)
    listed = client.get("/payments/bank-details").get_data(as_text=True)

    assert _count(work, "bank_details_changed") == "2"
    assert 'href="/payments/bank-details"' in work
    assert set(re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', listed)) == {"Shed Talk", "Safe Suppers"}


def test_an_officer_has_no_finance_queues(client, sign_in):
    sign_in(staff_user("officer", ProgrammeFactory(code="MSCF")))

    work = client.get("/work/").get_data(as_text=True)

    assert 'id="queue-instalments_blocked"' not in work and 'id="queue-bank_details_changed"' not in work
