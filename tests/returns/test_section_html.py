"""A return's section pages come from the same form caches as an application's (grants.apply.rendering):
every section of the progress return, empty, refused with errors and typed values, and saved, rendered
with the caches off, on and cold, then on and warm, must be the same HTML, byte for byte."""

from __future__ import annotations

import pytest

from tests.apply.helpers import page_every_way, upload
from tests.factories import OrganisationFactory, member_of
from tests.returns.helpers import GOOD, open_return, save

SECTIONS = list(GOOD["mscf-progress"])

# Answers wrong in the ways each section's fields can be, with characters to escape and several lines.
BAD = {
    "delivery": {"delivery_summary": '  <script>alert("x")</script>\nline two  ', "on_track": "perhaps"},
    "reach": {"people_reached": "-3", "volunteers": "lots & lots"},
    "spend": {"spend_to_date": "£9,999,999.999", "spend_notes": 'O\'Brien & "Sons"\r\nsecond line'},
    "outcomes": {"outcomes_progress": "    "},
    "case_study": {"case_study": "", "case_study_consent": "maybe"},
    "risks": {"risks": ""},
    "equality": {
        "eia_actions-0-action": "Leaflets & <posters>",
        "eia_actions-0-progress": "",
        "eia_actions-0-status": "purple",
    },
    "evidence": {"evidence_note": "Registers & <photos>"},  # with a file that is not a document
}


@pytest.fixture
def ret(client, sign_in):
    kitchen = OrganisationFactory(name="Bramley Community Kitchen")
    sign_in(member_of(kitchen, email="aisha@example.org", name="Aisha Rahman"))
    return open_return(organisation=kitchen)


def _url(ret, section: str) -> str:
    return f"/returns/{ret.id}/sections/{section}"


@pytest.mark.parametrize("section", SECTIONS)
def test_an_empty_return_section_is_the_same_page_from_the_caches(app, client, ret, section):
    html = page_every_way(app, lambda: client.get(_url(ret, section)))

    assert "Bramley cooks together" in html or "Months 1-6" in html


@pytest.mark.parametrize("section", SECTIONS)
def test_a_refused_return_section_shows_the_same_errors_and_typed_values_from_the_caches(app, client, ret, section):
    def refused():
        files = {"evidence": upload("run.pdf", b"MZ\x90\x00")} if section == "evidence" else None
        return save(client, ret, section, BAD[section], files=files)

    html = page_every_way(app, refused)

    assert "There is a problem" in html


def test_typed_values_are_escaped_the_same_from_the_caches(app, client, ret):
    delivery = page_every_way(app, lambda: save(client, ret, "delivery", BAD["delivery"]))
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in delivery
    spend = page_every_way(app, lambda: save(client, ret, "spend", BAD["spend"]))
    assert "O&#39;Brien &amp; &#34;Sons&#34;" in spend
    equality = page_every_way(app, lambda: save(client, ret, "equality", BAD["equality"]))
    assert "Leaflets &amp; &lt;posters&gt;" in equality


def test_a_saved_return_is_the_same_page_from_the_caches(app, client, ret):
    for section, fields in GOOD["mscf-progress"].items():
        files = {"evidence": upload("attendance.pdf")} if section == "evidence" else None
        response = save(client, ret, section, fields, action="later", files=files)
        assert response.status_code == 302, (section, response.get_data(as_text=True)[:3000])
        client.get(_url(ret, section))  # the flash message "Your answers have been saved" is shown once

    pages = {section: page_every_way(app, lambda s=section: client.get(_url(ret, s))) for section in SECTIONS}

    assert "Twelve cooking sessions in Bramley and Armley." in pages["delivery"]
    assert 'value="140"' in pages["reach"]
    assert "Translate leaflets into Urdu and Polish" in pages["equality"]
    assert "attendance.pdf" in pages["evidence"]
