"""Readers for the finance export tests only: totals by a grouping column, straight from the tables; the CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Award, Organisation
from tests.datasets.finance import FinanceData


def database_totals_by(data: FinanceData, column: Any) -> dict[str | None, tuple[int, int]]:
    """Live awards' count and amount awarded by a grouping column, straight from the tables."""
    ids = [a.id for a in data.in_period if a.state not in ("declined", "cancelled")]
    rows = db.session.execute(
        select(column, func.count(Award.id), func.sum(Award.amount_pence))
        .join(Organisation, Organisation.id == Award.organisation_id)
        .where(Award.id.in_(ids))
        .group_by(column)
    ).all()
    return {key: (int(count), int(amount)) for key, count, amount in rows}


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
