"""What a return reminder says, in plain words: the return, the grant, the due date, and a link.

"Your 6-month progress report for MSCF-R3-0042 is due on 14 March 2024"; once it is late, "… was
due on …"; to officers and the programme lead, "MSCF-R3-0042's 6-month progress report is 14
working days overdue". Never a transition's or a state's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from grants.notifications import page_address


@dataclass(frozen=True)
class ReturnFacts:
    """What an email needs to know about a return (read in one query by the reminder pass)."""

    return_id: int
    title: str  # "6-month progress report"
    grant: str  # the award's reference, "MSCF-R3-0042"
    grant_title: str
    organisation: str
    due_date: date


def return_link(return_id: int) -> str:
    """The return's page for the grantee."""
    return page_address("returns.show", {"return_id": return_id}, f"/returns/{return_id}")


def staff_link(return_id: int) -> str:
    """The return's page for staff (the case page)."""
    return page_address("cases.show", {"kind": "return", "case_id": return_id}, f"/cases/return/{return_id}")


def _day(day: date) -> str:
    return f"{day:%-d %B %Y}"


def _working_days(n: int) -> str:
    return f"{n} working day{'s' if n != 1 else ''}"


def organisation_subject(facts: ReturnFacts, days_from_due: int) -> str:
    if days_from_due < 0:
        return f"Your {facts.title} for {facts.grant} is due on {_day(facts.due_date)}"
    if days_from_due == 0:
        return f"Your {facts.title} for {facts.grant} is due today, {_day(facts.due_date)}"
    return f"Your {facts.title} for {facts.grant} was due on {_day(facts.due_date)}"


def organisation_body(facts: ReturnFacts, days_from_due: int) -> str:
    if days_from_due < 0:
        when = f"is due on {_day(facts.due_date)}, in {_working_days(-days_from_due)}."
    elif days_from_due == 0:
        when = f"is due today, {_day(facts.due_date)}."
    else:
        when = f"was due on {_day(facts.due_date)} and is now {_working_days(days_from_due)} late."
    return "\n".join(
        [
            f"Your {facts.title} for the grant {facts.grant} ({facts.grant_title}) {when}",
            "",
            "Fill it in and send it here:",
            return_link(facts.return_id),
            "",
            "If you cannot send it on time, reply to your grant officer to say why.",
        ]
    )


def staff_subject(facts: ReturnFacts, days_from_due: int) -> str:
    return f"{facts.grant}'s {facts.title} is {_working_days(days_from_due)} overdue"


def staff_body(facts: ReturnFacts, days_from_due: int) -> str:
    return "\n".join(
        [
            f"{facts.organisation} has not sent the {facts.title} for {facts.grant} ({facts.grant_title}).",
            f"It was due on {_day(facts.due_date)} and is now {_working_days(days_from_due)} overdue.",
            "",
            "See the return:",
            staff_link(facts.return_id),
        ]
    )


def reminder_email(audience: str, facts: ReturnFacts, days_from_due: int) -> tuple[str, str]:
    """(subject, body) of one reminder for its audience."""
    if audience == "organisation":
        return organisation_subject(facts, days_from_due), organisation_body(facts, days_from_due)
    return staff_subject(facts, days_from_due), staff_body(facts, days_from_due)


_SENTINEL = 918_273_645  # a return id no page has: its place in a built link is where each id goes


class ReminderWriter:
    """Writes the same words as reminder_email for many reminders at once (the reminder pass): each
    link's address is built once, around the return's id, and each due date is put in words once."""

    def __init__(self) -> None:
        self._return_link = return_link(_SENTINEL).split(str(_SENTINEL))
        self._staff_link = staff_link(_SENTINEL).split(str(_SENTINEL))
        self._days: dict[date, str] = {}

    def _day(self, day: date) -> str:
        words = self._days.get(day)
        if words is None:
            words = self._days[day] = _day(day)
        return words

    def email(self, audience: str, facts: ReturnFacts, days_from_due: int) -> tuple[str, str]:
        due = self._day(facts.due_date)
        if audience == "organisation":
            start, end = self._return_link
            if days_from_due < 0:
                subject = f"Your {facts.title} for {facts.grant} is due on {due}"
                when = f"is due on {due}, in {_working_days(-days_from_due)}."
            elif days_from_due == 0:
                subject = f"Your {facts.title} for {facts.grant} is due today, {due}"
                when = f"is due today, {due}."
            else:
                subject = f"Your {facts.title} for {facts.grant} was due on {due}"
                when = f"was due on {due} and is now {_working_days(days_from_due)} late."
            body = (
                f"Your {facts.title} for the grant {facts.grant} ({facts.grant_title}) {when}\n\n"
                f"Fill it in and send it here:\n{start}{facts.return_id}{end}\n\n"
                "If you cannot send it on time, reply to your grant officer to say why."
            )
            return subject, body
        start, end = self._staff_link
        late = _working_days(days_from_due)
        return (
            f"{facts.grant}'s {facts.title} is {late} overdue",
            f"{facts.organisation} has not sent the {facts.title} for {facts.grant} ({facts.grant_title}).\n"
            f"It was due on {due} and is now {late} overdue.\n\n"
            f"See the return:\n{start}{facts.return_id}{end}",
        )
