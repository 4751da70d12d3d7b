"""Each kind's list shows, in a row, the case's title (a bid's project title, a return's period), its
organisation where the kind has one, and its amount or budget where it has one, linked to the case."""

from __future__ import annotations

import re

from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AwardFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ReturnFactory,
    RoundFactory,
    staff_user,
)
from tests.fixtures import sign_in_as


def _rows(client, kind: str) -> list[list[str]]:
    html = client.get(f"/cases/{kind}").get_data(as_text=True)
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    found = []
    for row in re.findall(r"<tr.*?</tr>", body, flags=re.S):
        cells = re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row, flags=re.S)
        found.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return found


def test_each_kind_lists_its_title_organisation_and_amount(client):
    programme = ProgrammeFactory(code="MSCF", name="Safer Communities")
    round_ = RoundFactory(programme=programme, code="MSCF-R3", title="Round three", budget_pence=None)
    RoundFactory(programme=programme, code="MSCF-R4", title="Round four", budget_pence=250_000_00)
    trust = OrganisationFactory(name="Calder Valley Youth Trust")
    bid = ApplicationFactory(
        round=round_, organisation=trust, project_title="Street work", amount_requested_pence=12_345_00
    )
    award = AwardFactory(programme=programme, organisation=trust, title="Youth work", amount_pence=10_000_00)
    ReturnFactory(award=award, period_label="Q1 2026-27")
    sign_in_as(client, staff_user("admin", None, email="ada@example.org").email, PASSWORD)

    application = _rows(client, "application")[0]
    assert application[1:3] == [bid.reference, "Street work – Calder Valley Youth Trust"]
    assert application[-1] == "£12,345.00"
    assert f'href="/cases/application/{bid.id}"' in client.get("/cases/application").get_data(as_text=True)
    assert _rows(client, "award")[0][2:3] == ["Youth work – Calder Valley Youth Trust"]
    assert [row[2] for row in _rows(client, "return")] == ["Q1 2026-27"]
    rounds = {row[2]: row[-1] for row in _rows(client, "round")}
    assert rounds == {"Round three": "", "Round four": "£250,000.00"}
