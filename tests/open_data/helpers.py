"""Programmes with awards of every kind (tests.datasets.open_data), and the 360Giving schema validator, for
the open data tests."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

from grants.extensions import db
from tests.datasets.open_data import (  # noqa: F401 - the open data tests take them from here
    DECIDED,
    FUNDER_ID,
    FUNDER_NAME,
    ONS,
    PREFIX,
    PUBLISHER,
    Built,
    audit,
    mscf,
    vru,
)


def export_json(code: str = "MSCF") -> tuple[str, int]:
    from grants.open_data.publish import write_json

    out = io.StringIO()
    count = write_json(db.session, code, out, **PUBLISHER)
    return out.getvalue(), count


def grants_by_id(text: str) -> dict[str, dict[str, Any]]:
    return {grant["id"]: grant for grant in json.loads(text, parse_float=Decimal)["grants"]}
