"""Awards (money offered to an organisation), their payment instalments, variations and recoveries.

An award comes from an approved application (MSCF) or is an allocation to a commissioned
provider (VRU, MoJ: `contract_id`). Money is integer pence. The amount at decision is kept
beside the current amount so reports can show either.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, false, func, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from grants.formatting import london_day
from grants.models.applications import Application
from grants.models.base import Base, UTCDateTime, Workflowed, utcnow
from grants.models.people import Organisation
from grants.models.programmes import Programme
from grants.workflow_states import states

if TYPE_CHECKING:
    from grants.models.commissioning import Contract
    from grants.models.monitoring import MonitoringReturn


class Award(Workflowed, Base):
    __tablename__ = "awards"
    __audit_type__ = "award"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_reference: Mapped[str] = mapped_column(String(32), unique=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    budget_stream: Mapped[str | None] = mapped_column(String(64), index=True)  # a "budget_stream" Term code
    cost_centre: Mapped[str | None] = mapped_column(String(32))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    # The decision: when, and for how much (the amount may later be varied).
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    amount_at_decision_pence: Mapped[int | None] = mapped_column(BigInteger)
    # The offer and the grant agreement the grantee signs.
    offer_conditions: Mapped[str] = mapped_column(Text, default="", server_default="")
    agreement_terms: Mapped[str] = mapped_column(Text, default="", server_default="")
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    respond_by: Mapped[date | None] = mapped_column(Date)
    signatory_name: Mapped[str | None] = mapped_column(String(200))
    signatory_position: Mapped[str | None] = mapped_column(String(200))
    signed_on: Mapped[date | None] = mapped_column(Date)
    declaration_agreed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Closure.
    final_spend_pence: Mapped[int | None] = mapped_column(BigInteger)
    # The officer's red/amber/green rating of how the grant is going, with their reason (audited).
    rag_rating: Mapped[str | None] = mapped_column(String(8))
    rag_reason: Mapped[str | None] = mapped_column(Text)
    rag_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rag_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    programme: Mapped[Programme] = relationship()
    organisation: Mapped[Organisation] = relationship()
    application: Mapped[Application | None] = relationship()
    # The contract or strand this is the yearly allocation of (VRU, MoJ).
    contract: Mapped[Contract | None] = relationship("Contract")
    payments: Mapped[list[Payment]] = relationship(back_populates="award", order_by="Payment.instalment")
    variations: Mapped[list[Variation]] = relationship(back_populates="award", order_by="Variation.number")
    recoveries: Mapped[list[Recovery]] = relationship(back_populates="award", order_by="Recovery.id")

    @property
    def reference(self) -> str:
        return self.public_reference

    def owning_programme_id(self) -> int:
        return self.programme_id

    def owning_organisation_id(self) -> int:
        return self.organisation_id

    @property
    def made_on(self) -> date:
        """The day the award was made (its decision), in West Yorkshire: no payment falls before it."""
        return london_day(self.decided_at or self.created_at or utcnow())

    def unpaid_pence(self, excluding: Payment | None = None) -> int:
        """The award less what is paid or approved for payment (optionally leaving one payment out)."""
        return self.amount_pence - self.committed_pence(excluding)

    def committed_pence(self, excluding: Payment | None = None) -> int:
        """What is paid or approved for payment on the award (optionally leaving one payment out)."""
        session = object_session(self)
        assert session is not None
        query = select(func.coalesce(func.sum(Payment.amount_pence), 0)).where(
            Payment.award_id == self.id, Payment.state.in_(("approved", "paid"))
        )
        if excluding is not None and excluding.id is not None:
            query = query.where(Payment.id != excluding.id)
        return int(session.execute(query).scalar_one())

    # -- what the workflow conditions ask ------------------------------------------------------
    def offer_problem(self) -> str | None:
        if not self.agreement_terms.strip():
            return "Add the grant agreement terms before sending the offer."
        if self.respond_by is None:
            return "Set the date the grantee must reply by."
        return None

    def acceptance_problem(self) -> str | None:
        if not (self.signatory_name or "").strip() or not (self.signatory_position or "").strip():
            return "The offer must be signed by a named person giving their position."
        if self.signed_on is None:
            return "The date of signing is missing."
        if not self.declaration_agreed:
            return "The declaration must be agreed to accept the offer."
        return None

    def schedule_problem(self) -> str | None:
        live = [p for p in self.payments if p.state != "cancelled"]
        if not live:
            return "Set up the payment schedule first."
        total = sum(p.amount_pence for p in live)
        if total != self.amount_pence:
            return f"The instalments add up to £{total / 100:,.2f} but the award is £{self.amount_pence / 100:,.2f}."
        return None

    def closure_problem(self) -> str | None:
        if self.final_spend_pence is None:
            return "Record the final spend before closing the award."
        return None

    def paid_pence(self) -> int:
        return sum(p.amount_pence for p in self.payments if p.state == "paid")


class PaymentRun(Base):
    """A batch of approved instalments finance paid together: one date, one finance reference, one bank file."""

    __tablename__ = "payment_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    paid_on: Mapped[date] = mapped_column(Date)
    finance_reference: Mapped[str] = mapped_column(String(64))
    instalments: Mapped[int] = mapped_column(Integer)
    total_pence: Mapped[int] = mapped_column(BigInteger)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Payment(Workflowed, Base):
    __tablename__ = "payments"
    __audit_type__ = "payment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    instalment: Mapped[int] = mapped_column(Integer, default=1)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_on: Mapped[date | None] = mapped_column(Date)  # the date finance paid, as their system says
    finance_reference: Mapped[str | None] = mapped_column(String(64))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who approved it for payment
    payment_run_id: Mapped[int | None] = mapped_column(ForeignKey("payment_runs.id"), index=True)
    # Payment not in advance of need: approved only once this return is accepted.
    monitoring_return_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_returns.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    award: Mapped[Award] = relationship(back_populates="payments", lazy="joined", innerjoin=True)
    monitoring_return: Mapped[MonitoringReturn | None] = relationship("MonitoringReturn")

    @property
    def reference(self) -> str:
        return f"{self.award.public_reference}-P{self.instalment}"

    def return_problem(self) -> str | None:
        if self.monitoring_return is not None and self.monitoring_return.state != "accepted":
            return (
                f"This instalment waits for the monitoring return {self.monitoring_return.period_label} "
                "to be accepted (payment not in advance of need)."
            )
        return None

    def paid_details_problem(self) -> str | None:
        if self.paid_on is None or not (self.finance_reference or "").strip():
            return "Enter the date paid and the finance system reference."
        made_on = self.award.made_on
        if self.paid_on < made_on:
            return f"The date paid cannot be before the award was made ({made_on:%-d %B %Y})."
        return None

    def owning_programme_id(self) -> int:
        return self.award.programme_id

    def owning_organisation_id(self) -> int:
        return self.award.organisation_id


class Variation(Workflowed, Base):
    """A change to an award's amount or end date, asked for with a reason and approved (workflow "variation")."""

    __tablename__ = "award_variations"
    __audit_type__ = "variation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    old_amount_pence: Mapped[int] = mapped_column(BigInteger)
    new_amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    old_ends_on: Mapped[date | None] = mapped_column(Date)
    new_ends_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The one decision that varied many allocations at once, when this is part of one (grants.models.incoming).
    uplift_id: Mapped[int | None] = mapped_column(ForeignKey("uplifts.id"), index=True)

    award: Mapped[Award] = relationship(back_populates="variations", lazy="joined", innerjoin=True)

    @property
    def reference(self) -> str:
        return f"{self.award.public_reference}-V{self.number}"

    def variation_problem(self) -> str | None:
        award = self.award
        if award.state in states("award", "ended"):
            return "The award has ended and can no longer be varied."
        if self.new_amount_pence is not None:
            if self.new_amount_pence <= 0:
                return "The new amount must be more than £0."
            paid = award.committed_pence()
            if self.new_amount_pence < paid:
                return f"The new amount is less than is already paid or approved (£{paid / 100:,.2f})."
        return None

    def apply_to_award(self) -> list[dict[str, object]]:
        """Make the change on the award; say what changed, for the award's audit history."""
        award = self.award
        changes: list[dict[str, object]] = []
        if self.new_amount_pence is not None and self.new_amount_pence != award.amount_pence:
            changes.append(
                {
                    "subject": award,
                    "action": "amount_varied",
                    "before": f"£{award.amount_pence / 100:,.2f}",
                    "after": f"£{self.new_amount_pence / 100:,.2f}",
                }
            )
            award.amount_pence = self.new_amount_pence
        if self.new_ends_on is not None and self.new_ends_on != award.ends_on:
            before = "none" if award.ends_on is None else f"{award.ends_on:%-d %B %Y}"
            changes.append(
                {
                    "subject": award,
                    "action": "end_date_varied",
                    "before": before,
                    "after": f"{self.new_ends_on:%-d %B %Y}",
                }
            )
            award.ends_on = self.new_ends_on
        return changes

    def owning_programme_id(self) -> int:
        return self.award.programme_id

    def owning_organisation_id(self) -> int:
        return self.award.organisation_id


RECOVERY_KINDS = {"underspend_returned": "Underspend returned", "clawback": "Clawed back"}


class Recovery(Base):
    """Money coming back on an award: underspend the grantee returned, or a clawback."""

    __tablename__ = "award_recoveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    award: Mapped[Award] = relationship(back_populates="recoveries")

    @property
    def kind_label(self) -> str:
        return RECOVERY_KINDS.get(self.kind, self.kind)
