"""Grant holders asking to change their grants: two Round 3 awards whose final reports are late ask for
more time (one also for more money), waiting on the officers' "Variations to prepare".

Neither changes an award until it is prepared and approved, so every figure the reports count stays as
it was. Loading again adds nothing: an award with a variation already is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select

from grants.demo.clock import local
from grants.extensions import db
from grants.models import Award, Organisation, Variation
from grants.payments.asks import email_officers_of_ask
from grants.workflow import start_case

Member = Callable[[Organisation], Any]

# (award, new end date, new amount in pence or None, why, asked on: London date and time)
ASKS = [
    (
        "MSCF-R3-0014",
        date(2024, 7, 31),
        None,
        "Our youth worker left in February and the last eight evening sessions could not run. A new worker "
        "starts in May: we ask to finish the sessions by the end of July and send the final report then.",
        (2024, 4, 24, 14, 10),
    ),
    (
        "MSCF-R3-0131",
        date(2024, 6, 30),
        690_000,
        "Twice as many young people came to the Friday football as we planned for. We ask for £750 more for "
        "a second coach and pitch hire, and until the end of June to run the extra sessions.",
        (2024, 4, 29, 11, 35),
    ),
]


def grant_holders_ask(member: Member) -> None:
    """The demo's open asks, each started as a grant holder starts one: in "asked", with the officers emailed."""
    for reference, ends_on, amount, why, (year, month, day, hour, minute) in ASKS:
        award = db.session.scalar(select(Award).where(Award.public_reference == reference))
        if award is None or db.session.scalar(select(Variation.id).where(Variation.award_id == award.id).limit(1)):
            continue
        grantee = member(award.organisation)
        at = local(year, month, day, hour, minute)
        variation = Variation(
            award_id=award.id,
            number=1,
            old_amount_pence=award.amount_pence,
            new_amount_pence=amount,
            old_ends_on=award.ends_on,
            new_ends_on=ends_on,
            reason=why,
            requested_by_id=grantee.id,
            created_at=at,
        )
        start_case(variation, "variation", grantee, state="asked", reason=why, now=at)
        db.session.flush()
        db.session.refresh(variation)
        email_officers_of_ask(variation, grantee, at)
