"""Building blocks for the apply tests: an open round with the Round 3 form, and files to upload
(the good answers are in tests/datasets/applications.py, shared with the browser journeys)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from grants.apply.question_set_admin import load_shipped
from grants.setup.seed import seed_vocabularies
from tests.datasets.applications import PDF
from tests.factories import ProgrammeFactory, RoundFactory


def open_round(**overrides):
    seed_vocabularies()
    question_set = load_shipped("mscf-round-3.v1")
    programme = ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund")
    values = {
        "programme": programme,
        "code": "MSCF-R9",
        "number": 9,
        "title": "Safer Communities Fund Round 9",
        "question_set_id": question_set.id,
        "min_grant_pence": 50_000,
        "max_grant_pence": 800_000,
        "opens_at": datetime.now(UTC) - timedelta(days=10),
        "closes_at": datetime.now(UTC) + timedelta(days=10),
        "delivery_starts_on": date(2027, 4, 1),
        "delivery_ends_on": date(2028, 3, 31),
        "allowed_org_types": ["community_group", "registered_charity", "cio", "cic"],
    }
    values.update(overrides)
    return RoundFactory(**values)


def upload(name: str, content: bytes = PDF) -> tuple[io.BytesIO, str]:
    return (io.BytesIO(content), name)
