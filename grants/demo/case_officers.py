"""The demo officer is the named officer on some bids (Round 4's first, then Round 3's) and Round 3's awards, so "Cases
you look after" and the lists' officer filter show something on a fresh `make run`; the rest wait for one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from grants.extensions import db
from grants.models import Application, Award, CaseOfficer, Round

BIDS = 12
AWARDS = 8


def name_officer(rounds: dict[int, Round], officer: Any) -> None:
    """Name the officer on the first bids of Rounds 4 and 3 and the first awards of Round 3 (once: a no-op after)."""
    if db.session.scalar(select(CaseOfficer.id).limit(1)) is not None:
        return
    bids = db.session.scalars(
        select(Application).where(Application.round_id.in_([rounds[4].id, rounds[3].id]),
                                  Application.submitted_at.is_not(None))
        .order_by(Application.round_id != rounds[4].id, Application.id).limit(BIDS)
    )  # fmt: skip
    awards = db.session.scalars(
        select(Award).join(Application, Application.id == Award.application_id)
        .where(Application.round_id == rounds[3].id).order_by(Award.id).limit(AWARDS)
    )  # fmt: skip
    for kind, cases in (("application", list(bids)), ("award", list(awards))):
        for case in cases:
            db.session.add(
                CaseOfficer(
                    case_kind=kind,
                    case_id=case.id,
                    officer_id=officer.id,
                    programme_id=case.owning_programme_id(),
                    assigned_by_id=officer.id,
                )
            )
