"""Payment runs: finance pays a batch of approved instalments together, with one date and one finance
reference, and gets the file it uploads to the bank (payee, sort code, account, amount, reference).

Who: a finance user, on the programmes they hold the finance role on. Which: instalments approved for
payment whose organisation's bank details are ready (given, and verified since any change); where the
programme separates duties, not those the same user approved. Each instalment is marked paid through
the payment workflow (its guards and audit row), all in one transaction: if any was changed meanwhile
(another finance user paid it, it was held), nothing is paid and the run is refused, saying which.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from exports.bank_file import bank_csv, bank_xlsx
from grants import access, audit
from grants.errors import NotFound
from grants.extensions import db
from grants.formatting import london_date, money
from grants.models import Award, Organisation, Payment, PaymentRun
from grants.payments.services import FINANCE_ROLES, Invalid, parse_date, typed_text
from grants.transactions import conflicts_as
from grants.workflow import apply_transition
from workflows import Conflict, TransitionRefused

REFERENCE_MAX = 64
REFERENCE_ATTEMPTS = 3


@dataclass
class Candidates:
    ready: list[Payment] = field(default_factory=list)
    yours: list[Payment] = field(default_factory=list)  # approved by this user: another must pay them
    blocked: list[tuple[Payment, str]] = field(default_factory=list)  # bank details not ready, with why


def _approved(user: Any) -> Any:
    query = (
        select(Payment)
        .join(Award, Award.id == Payment.award_id)
        .where(Payment.state == "approved")
        .options(joinedload(Payment.award).joinedload(Award.organisation), joinedload(Payment.award).joinedload(
            Award.programme))
        .order_by(Payment.due_on, Award.public_reference, Payment.instalment)
    )  # fmt: skip
    query = query.where(access.free_of_conflict(user.id, Award.organisation_id))  # never your own organisation's
    programmes = access.programmes_with(user, FINANCE_ROLES)
    return query if programmes is None else query.where(Award.programme_id.in_(programmes))


def candidates(user: Any) -> Candidates:
    """The approved instalments this user may pay in a run, and those they may not (with why)."""
    found = Candidates()
    for payment in db.session.scalars(_approved(user)).unique():
        problem = payment.award.organisation.bank_details_problem()
        if problem:
            found.blocked.append((payment, problem))
        elif payment.award.programme.separate_payment_duties and payment.approved_by_id == user.id:
            found.yours.append(payment)
        else:
            found.ready.append(payment)
    return found


def _next_reference(today: date) -> str:
    count = db.session.scalar(select(func.count(PaymentRun.id)).where(PaymentRun.reference.like(f"PR-{today.year}-%")))
    return f"PR-{today.year}-{int(count or 0) + 1:04d}"


def make_run(
    user: Any, chosen: Iterable[str], paid_on: tuple[str, str, str], reference: str, *, today: date
) -> PaymentRun:
    """Mark the chosen instalments paid as one run; Invalid (by field) writes nothing."""
    errors: dict[str, str] = {}
    day, problem = parse_date(paid_on)
    if problem == "blank":
        errors["paid_on"] = "Enter the date the run was paid"
    elif problem:
        errors["paid_on"] = f"The date paid {problem}"
    elif day is not None and day > today:
        errors["paid_on"] = "The date paid cannot be in the future"
    reference = typed_text(
        errors,
        "finance_reference",
        reference,
        "Enter the finance system reference for the run",
        REFERENCE_MAX,
        f"The finance system reference must be {REFERENCE_MAX} characters or fewer",
    )
    ids = {int(value) for value in chosen if str(value).isdigit() and len(str(value)) < 12}
    offered = {p.id: p for p in candidates(user).ready}
    picked = [offered[i] for i in sorted(ids) if i in offered]
    if not ids:
        errors["payments"] = "Choose at least one instalment to pay"
    elif len(picked) < len(ids):
        errors["payments"] = "Some instalments chosen can no longer be paid in this run: choose again"
    if errors or day is None:
        raise Invalid(errors)
    early = [p for p in picked if day < p.award.made_on]
    if early:
        raise Invalid({"paid_on": f"The date paid cannot be before {early[0].award.public_reference} was made "
                                  f"({london_date(early[0].award.made_on)})"})  # fmt: skip
    for attempt in range(REFERENCE_ATTEMPTS):
        try:
            return _pay(user, picked, day, reference, today)
        except IntegrityError:  # another run took this run's reference at the same moment: take the next
            db.session.rollback()
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _pay(user: Any, picked: list[Payment], day: date, reference: str, today: date) -> PaymentRun:
    """One attempt at writing the run; IntegrityError if its reference was taken meanwhile."""
    run = PaymentRun(
        reference=_next_reference(today),
        paid_on=day,
        finance_reference=reference,
        instalments=len(picked),
        total_pence=sum(p.amount_pence for p in picked),
        made_by_id=user.id,
    )
    try:
        with conflicts_as(lambda: Conflict(run)):
            db.session.add(run)
            db.session.flush()
            for payment in picked:
                payment.payment_run_id = run.id
                apply_transition(
                    payment, "mark_paid", user, fields={"paid_on": day, "finance_reference": reference}, commit=False
                )
            audit.record(
                actor=user,
                subject_type="payment_run",
                subject_id=run.id,
                subject_reference=run.reference,
                action="payment_run_paid",
                to_state=money(run.total_pence),
                data={"instalments": [f"{p.award.public_reference}-P{p.instalment}" for p in picked],
                      "finance_reference": reference, "paid_on": day.isoformat()},
            )  # fmt: skip
            db.session.commit()
    except (Conflict, TransitionRefused) as exc:
        db.session.rollback()
        why = f" ({' '.join(exc.reasons)})" if isinstance(exc, TransitionRefused) else ""
        raise Invalid(
            {
                "payments": "Nothing was paid: another finance user paid or changed one of the instalments "
                f"meanwhile{why}. Start the run again."
            }
        ) from None
    return run


def runs_for(user: Any) -> list[PaymentRun]:
    """The runs that paid instalments on the user's programmes, newest first."""
    query = select(PaymentRun).order_by(PaymentRun.id.desc()).limit(200)
    programmes = access.programmes_with(user, FINANCE_ROLES)
    if programmes is not None:
        mine = select(Payment.payment_run_id).join(Award, Award.id == Payment.award_id)
        query = query.where(PaymentRun.id.in_(mine.where(Award.programme_id.in_(programmes))))
    return list(db.session.scalars(query))


@dataclass
class RunPage:
    run: PaymentRun
    payments: list[Payment]


def run_page(user: Any, run_id: int) -> RunPage:
    """A run with its instalments; NotFound for a run with an instalment on a programme the user is not finance on."""
    run = db.session.get(PaymentRun, run_id)
    if run is None:
        raise NotFound(str(run_id))
    payments = list(
        db.session.scalars(
            select(Payment)
            .where(Payment.payment_run_id == run.id)
            .options(joinedload(Payment.award).joinedload(Award.organisation))
            .order_by(Payment.id)
        ).unique()
    )
    programmes = access.programmes_with(user, FINANCE_ROLES)
    if programmes is not None and any(p.award.programme_id not in programmes for p in payments):
        raise NotFound(str(run_id))
    return RunPage(run, payments)


BankLine = tuple[str, str, str, int, str]  # payee (name on the account), sort code, account number, pence, reference


def bank_lines(page: RunPage) -> list[BankLine]:
    """What the bank file says: one line per instalment, the payee's details in full (finance only)."""
    lines = []
    for payment in page.payments:
        organisation: Organisation = payment.award.organisation
        code = organisation.bank_sort_code or ""
        lines.append(
            (
                organisation.bank_account_name or organisation.name,
                f"{code[0:2]}-{code[2:4]}-{code[4:6]}" if len(code) == 6 else code,
                organisation.bank_account_number or "",
                payment.amount_pence,
                f"{payment.award.public_reference}-P{payment.instalment}"[:18],
            )
        )
    return lines


def _footer(page: RunPage) -> str:
    return (
        f"Bank file {page.run.reference}, paid {london_date(page.run.paid_on)}, finance reference "
        f"{page.run.finance_reference}"
    )


def bank_csv_text(page: RunPage) -> str:
    return bank_csv(bank_lines(page))


def bank_xlsx_file(page: RunPage) -> IO[bytes]:
    """The bank file as XLSX in an anonymous temporary file, rewound for sending."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        bank_xlsx(bank_lines(page), _footer(page), handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle
