"""What the award emails say beyond the standard "your case has moved" message: the offer, the
acceptance, and the reminder of an offer not yet answered."""

from __future__ import annotations

from grants.awards.services import live_payments, offer_link
from grants.formatting import london_date, money
from grants.models import Award


def offer_text(award: Award) -> str:
    lines = [
        f"We are pleased to offer {award.organisation.name} a grant of {money(award.amount_pence)} "
        f'for "{award.title}".',
        "",
        f"Read the offer and the grant agreement, then accept or decline it by {london_date(award.respond_by)}:",
        offer_link(award),
    ]
    if award.offer_conditions.strip():
        lines += ["", "Conditions of the grant:", award.offer_conditions.strip()]
    payments = live_payments(award)
    if payments:
        lines += ["", "Payment schedule:"]
        lines += [
            f"- Instalment {p.instalment}: {money(p.amount_pence)}, due {london_date(p.due_on)}" for p in payments
        ]
    return "\n".join(lines)


def accepted_text(award: Award) -> str:
    return (
        f"{award.organisation.name} accepted the grant of {money(award.amount_pence)}. "
        f"Signed by {award.signatory_name} ({award.signatory_position}) on {london_date(award.signed_on)}."
    )


def reminder_subject(award: Award) -> str:
    return f"{award.public_reference}: reminder, your grant offer is waiting for your reply"


def reminder_text(award: Award) -> str:
    return "\n".join(
        [
            f"We offered {award.organisation.name} a grant of {money(award.amount_pence)} "
            f'for "{award.title}" on {london_date(award.offered_at)}, and have not had your reply yet.',
            "",
            f"Please accept or decline the offer by {london_date(award.respond_by)}:",
            offer_link(award),
            "",
            "If you have replied in the last few hours, you can ignore this email.",
        ]
    )
