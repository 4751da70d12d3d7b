"""The reference each kind of case is known by, on pages, in emails, in the audit and the API (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from grants.models import Application, Assessment, Award, Contract, MonitoringReturn, Payment, Round, Variation

pytestmark = pytest.mark.unit


def _award() -> Award:
    return Award(public_reference="MSCF-R3-0042")


def test_a_round_is_known_by_its_code():
    assert Round(code="MSCF-R3").reference == "MSCF-R3"


def test_a_submitted_application_is_known_by_its_public_reference():
    assert Application(id=7, public_reference="MSCF-R3-0042").reference == "MSCF-R3-0042"


def test_a_draft_application_is_known_as_a_numbered_draft():
    assert Application(id=7, public_reference=None).reference == "Draft 7"


def test_an_assessment_is_known_by_its_application_and_its_number():
    application = Application(id=7, public_reference="MSCF-R3-0042")
    assert Assessment(id=12, application=application).reference == "MSCF-R3-0042-A12"


def test_an_award_and_a_contract_are_known_by_their_public_references():
    assert _award().reference == "MSCF-R3-0042"
    assert Contract(public_reference="VRU-2026-001").reference == "VRU-2026-001"


def test_an_instalment_is_known_by_its_award_and_its_number():
    assert Payment(award=_award(), instalment=2).reference == "MSCF-R3-0042-P2"


def test_a_variation_is_known_by_its_award_and_its_number():
    assert Variation(award=_award(), number=3).reference == "MSCF-R3-0042-V3"


def test_a_monitoring_return_is_known_by_its_award_and_its_period_without_spaces():
    monitoring_return = MonitoringReturn(award=_award(), period_label="Q1 2026-27", due_date=date(2026, 7, 14))
    assert monitoring_return.reference == "MSCF-R3-0042-Q12026-27"
