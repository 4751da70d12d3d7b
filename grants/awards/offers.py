"""The officer's offer: its conditions, grant agreement terms and the date to reply by; sending it,
one award at a time or every prepared offer of a round at once.

Sending is the award workflow's "offer" transition: its conditions (an amount, agreement terms,
a date to reply by) decide whether it may go, and its effects record the time and email the
organisation through the outbox. The details are saved before the offer is tried, so a refused
offer loses nothing the officer typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from grants.awards.creation import round_awards_filter
from grants.awards.services import AwardError, today
from grants.extensions import db
from grants.formatting import london_date
from grants.models import Award, Round
from grants.transactions import commit_or_conflict
from grants.workflow import apply_transition
from workflows import Conflict, TransitionRefused

MAX_CONDITIONS = 10_000
MAX_TERMS = 50_000


@dataclass(frozen=True)
class OfferDetails:
    conditions: str
    agreement_terms: str
    respond_by: date | None


@dataclass(frozen=True)
class SendOutcome:
    award_id: int
    reference: str
    organisation: str
    sent: bool
    message: str


class OfferClosed(Exception):
    """The offer has been sent (or the award has moved on): its details can no longer change."""


def default_respond_by(now: datetime | None = None) -> date:
    return today(now) + timedelta(days=int(current_app.config["OFFER_RESPONSE_DAYS"]))


def field_for(reason: str) -> str | None:
    """Which field of the offer form a refusal of the "offer" transition is about, if any."""
    lowered = reason.lower()
    if "agreement terms" in lowered:
        return "agreement_terms"
    if "reply by" in lowered:
        return "respond_by"
    return None


def _problems(details: OfferDetails, now: datetime | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if len(details.conditions) > MAX_CONDITIONS:
        problems["conditions"] = f"The conditions must be {MAX_CONDITIONS:,} characters or fewer"
    if len(details.agreement_terms) > MAX_TERMS:
        problems["agreement_terms"] = f"The grant agreement terms must be {MAX_TERMS:,} characters or fewer"
    if details.respond_by is not None and details.respond_by <= today(now):
        problems["respond_by"] = "The date to reply by must be in the future"
    return problems


def save_offer(
    award: Award, user: Any, details: OfferDetails, expected_version: int | None, now: datetime | None = None
) -> None:
    """Save the offer's details while the award is being prepared. Raises OfferClosed, Conflict, AwardError."""
    if award.state != "preparing":
        raise OfferClosed(award.public_reference)
    if expected_version is not None and award.version_id != expected_version:
        raise Conflict(award)
    problems = _problems(details, now)
    if problems:
        raise AwardError(problems)
    award.offer_conditions = details.conditions.strip()
    award.agreement_terms = details.agreement_terms.strip()
    award.respond_by = details.respond_by
    commit_or_conflict(lambda: Conflict(award))


def send_offer(
    award: Award, user: Any, details: OfferDetails, expected_version: int | None, now: datetime | None = None
) -> None:
    """Save the details, then send the offer. Raises what save_offer raises, and TransitionRefused
    (the details stay saved) when the offer is not ready."""
    save_offer(award, user, details, expected_version, now)
    apply_transition(award, "offer", user, expected_version=award.version_id, now=now)


def prepared_award_ids(round_: Round) -> list[int]:
    return list(
        db.session.scalars(
            select(Award.id)
            .where(round_awards_filter(round_), Award.state == "preparing")
            .order_by(Award.public_reference)
        )
    )


def send_all_offers(round_: Round, user: Any, now: datetime | None = None) -> list[SendOutcome]:
    """Send every prepared offer of the round; each one that cannot go is listed with its reason.

    An offer with no date to reply by gets the standard one (today + OFFER_RESPONSE_DAYS); one
    whose date has passed is left for the officer to change.
    """
    outcomes = []
    default = default_respond_by(now)
    for award_id in prepared_award_ids(round_):
        award = db.session.get(Award, award_id)
        if award is None or award.state != "preparing":
            continue  # someone else sent it meanwhile
        reference, organisation = award.public_reference, award.organisation.name

        def outcome(sent: bool, message: str) -> SendOutcome:
            return SendOutcome(award_id, reference, organisation, sent, message)  # noqa: B023

        if award.respond_by is not None and award.respond_by <= today(now):
            outcomes.append(
                outcome(False, f"The date to reply by ({london_date(award.respond_by)}) has passed: change it first.")
            )
            continue
        if award.respond_by is None:
            award.respond_by = default
        try:
            apply_transition(award, "offer", user, now=now)
        except Conflict:
            outcomes.append(outcome(False, "Someone else changed this award at the same time. Try again."))
        except TransitionRefused as exc:
            outcomes.append(outcome(False, " ".join(exc.reasons)))
        else:
            outcomes.append(outcome(True, f"Offer sent; reply due by {london_date(award.respond_by)}."))
    return outcomes
