"""The committee report's figures: what a round received and awarded, by area, district, priority
and theme, with the people the projects reach, and the same across the programme's rounds.

Two bases (docs/domain.md, "Figures move after a decision"):

- ``decision``: approved at the decision. The applications the decision maker approved (state
  ``approved``, or an ``approved`` transition in the audit log) at their approved amount: the
  panel's recommended amount, else the amount requested (as `grants.decisions.decisions` does).
- ``current``: the round's awards that are still live (not declined or cancelled) at their
  current amount, after variations. Money coming back (underspend returned, clawbacks) is a
  separate figure, never netted off the awards.

A project counts under every term it states (an application's ``terms``), so the rows of a
breakdown add up to more than the total; money under a term is the sum of those projects'
awards. Projects that state no term of a vocabulary are counted apart ("none stated").

Every figure comes from a fixed handful of GROUP BY queries over a subquery of the awarded
projects, whatever the number of rounds, applications or awards. Money is integer pence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Subquery, func, select

from grants.extensions import db
from grants.models import (
    Application,
    ApplicationSection,
    ApplicationTerm,
    Award,
    Recovery,
    Round,
    Term,
)
from grants.reports.approvals import BASES, projects, received

# The vocabularies a committee report breaks the money down by, in the order the papers show them.
VOCABULARIES = {
    "area_of_focus": "Area of focus",
    "district": "District",
    "priority": "Police and Crime Plan priority",
    "theme": "Cross-cutting theme",
}
# Yes/no questions of the application form that the papers report like a vocabulary term
# ("93 projects stating they were supporting Mental Health"): (section, question) -> label.
FLAG_QUESTIONS = {("focus", "mental_health"): "Mental Health"}
FLAGS = "flag"
FLAGS_TITLE = "Other support flagged"
PERCENT = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal:
    """part as a percentage of whole, to two places (45.35); 0.00 of nothing."""
    if whole <= 0:
        return Decimal("0.00")
    return (Decimal(part * 100) / Decimal(whole)).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TermFigure:
    """Projects under one term (or flag): how many, their awards, the people they reach."""

    code: str
    label: str
    projects: int
    amount_pence: int
    people: int
    percent: Decimal  # of the projects awarded in scope


@dataclass(frozen=True)
class Breakdown:
    vocabulary: str
    title: str
    rows: list[TermFigure]
    projects: int  # projects awarded in scope
    with_any: int  # projects stating at least one term of the vocabulary

    @property
    def none_stated(self) -> int:
        return self.projects - self.with_any

    @property
    def percent_with_any(self) -> Decimal:
        return percent(self.with_any, self.projects)

    @property
    def percent_none_stated(self) -> Decimal:
        return percent(self.none_stated, self.projects)


@dataclass(frozen=True)
class Scope:
    """The figures of one round, or of several rounds together."""

    applications: int
    requested_pence: int
    awarded: int
    awarded_pence: int
    people: int
    people_not_stated: int  # awarded projects that gave no number of people
    breakdowns: dict[str, Breakdown]


@dataclass(frozen=True)
class RoundLine:
    """One round's headline figures, for the cumulative table."""

    code: str
    title: str
    number: int
    applications: int
    requested_pence: int
    awarded: int
    awarded_pence: int
    people: int


@dataclass(frozen=True)
class Recoveries:
    underspend_returned_pence: int = 0
    clawback_pence: int = 0
    count: int = 0

    @property
    def total_pence(self) -> int:
        return self.underspend_returned_pence + self.clawback_pence


@dataclass(frozen=True)
class Figures:
    round_id: int
    basis: str
    round: Scope
    cumulative: Scope
    rounds: list[RoundLine]
    recoveries: Recoveries  # money back on this round's awards
    cumulative_recoveries: Recoveries


# -- the queries ---------------------------------------------------------------------------------------
@dataclass
class _Tally:
    projects: int = 0
    amount: int = 0
    people: int = 0

    def add(self, projects: int, amount: int, people: int) -> None:
        self.projects += projects
        self.amount += amount
        self.people += people

    def figure(self, code: str, label: str, awarded: int) -> TermFigure:
        """The tally as a row of a breakdown, its projects as a percentage of the `awarded` ones."""
        return TermFigure(code, label, self.projects, self.amount, self.people, percent(self.projects, awarded))


def _int(value: Any) -> int:
    return int(value or 0)


def _rounds_in_scope(round_: Round) -> list[Any]:
    """The programme's rounds up to and including this one, in round-number order."""
    return list(
        db.session.execute(
            select(Round.id, Round.code, Round.title, Round.number)
            .where(Round.programme_id == round_.programme_id, Round.number <= round_.number)
            .order_by(Round.number)
        )
    )


def _received(round_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = db.session.execute(
        select(Application.round_id, func.count(), func.coalesce(func.sum(Application.amount_requested_pence), 0))
        .where(Application.round_id.in_(round_ids), received())
        .group_by(Application.round_id)
    )
    return {round_id: (_int(count), _int(amount)) for round_id, count, amount in rows}


def _awarded(p: Subquery) -> dict[int, tuple[int, int, int, int]]:
    rows = db.session.execute(
        select(
            p.c.round_id,
            func.count(),
            func.coalesce(func.sum(p.c.amount), 0),
            func.coalesce(func.sum(p.c.people), 0),
            func.count(p.c.people),
        ).group_by(p.c.round_id)
    )
    return {
        round_id: (_int(count), _int(amount), _int(people), _int(count) - _int(stated))
        for round_id, count, amount, people, stated in rows
    }


def _by_term(p: Subquery) -> list[Any]:
    """(round_id, term_id, projects, amount, people) for every term a project states."""
    return list(
        db.session.execute(
            select(
                p.c.round_id,
                ApplicationTerm.term_id,
                func.count(),
                func.coalesce(func.sum(p.c.amount), 0),
                func.coalesce(func.sum(p.c.people), 0),
            )
            .join(ApplicationTerm, ApplicationTerm.application_id == p.c.application_id)
            .join(Term, Term.id == ApplicationTerm.term_id)
            .where(Term.vocabulary.in_(VOCABULARIES))
            .group_by(p.c.round_id, ApplicationTerm.term_id)
        )
    )


def _with_any(p: Subquery) -> dict[tuple[int, str], int]:
    """How many projects of each round state at least one term of each vocabulary."""
    rows = db.session.execute(
        select(p.c.round_id, Term.vocabulary, func.count(func.distinct(p.c.application_id)))
        .join(ApplicationTerm, ApplicationTerm.application_id == p.c.application_id)
        .join(Term, Term.id == ApplicationTerm.term_id)
        .where(Term.vocabulary.in_(VOCABULARIES))
        .group_by(p.c.round_id, Term.vocabulary)
    )
    return {(round_id, vocabulary): _int(count) for round_id, vocabulary, count in rows}


def _terms() -> list[Any]:
    return list(
        db.session.execute(
            select(Term.id, Term.vocabulary, Term.code, Term.label)
            .where(Term.vocabulary.in_(VOCABULARIES))
            .order_by(Term.vocabulary, Term.position, Term.label)
        )
    )


def _flags(p: Subquery) -> tuple[dict[tuple[int, str], _Tally], dict[int, int]]:
    """Projects answering yes to a flag question (FLAG_QUESTIONS), by round and flag; and how many
    projects of each round answer yes to at least one.

    The answers are JSON, read here rather than in SQL so SQLite and PostgreSQL agree: one
    query, one row per awarded project and flag section.
    """
    sections = {section for section, _question in FLAG_QUESTIONS}
    rows = db.session.execute(
        select(
            p.c.round_id,
            p.c.application_id,
            p.c.amount,
            p.c.people,
            ApplicationSection.section_key,
            ApplicationSection.answers,
        )
        .join(ApplicationSection, ApplicationSection.application_id == p.c.application_id)
        .where(ApplicationSection.section_key.in_(sections))
    )
    found: dict[tuple[int, str], _Tally] = {}
    flagged: dict[int, set[int]] = {}
    for round_id, application_id, amount, people, section_key, answers in rows:
        values = answers.get("values") if isinstance(answers, dict) else None  # the checked answers
        for section, question in FLAG_QUESTIONS:
            if section == section_key and isinstance(values, dict) and values.get(question) == "yes":
                found.setdefault((round_id, question), _Tally()).add(1, _int(amount), _int(people))
                flagged.setdefault(round_id, set()).add(application_id)
    return found, {round_id: len(ids) for round_id, ids in flagged.items()}


def _recoveries(round_ids: list[int]) -> dict[int, Recoveries]:
    rows = db.session.execute(
        select(Application.round_id, Recovery.kind, func.count(), func.coalesce(func.sum(Recovery.amount_pence), 0))
        .join(Award, Award.id == Recovery.award_id)
        .join(Application, Application.id == Award.application_id)
        .where(Application.round_id.in_(round_ids))
        .group_by(Application.round_id, Recovery.kind)
    )
    found: dict[int, dict[str, int]] = {}
    for round_id, kind, count, amount in rows:
        tally = found.setdefault(round_id, {"underspend_returned": 0, "clawback": 0, "count": 0})
        tally[kind] = tally.get(kind, 0) + _int(amount)
        tally["count"] += _int(count)
    return {round_id: Recoveries(t["underspend_returned"], t["clawback"], t["count"]) for round_id, t in found.items()}


def _sum_recoveries(items: Iterable[Recoveries]) -> Recoveries:
    items = list(items)
    return Recoveries(
        sum(r.underspend_returned_pence for r in items),
        sum(r.clawback_pence for r in items),
        sum(r.count for r in items),
    )


# -- putting them together ------------------------------------------------------------------------
def _scope(
    round_ids: Sequence[int],
    received_by_round: dict[int, tuple[int, int]],
    awarded_by_round: dict[int, tuple[int, int, int, int]],
    term_rows: list[Any],
    with_any: dict[tuple[int, str], int],
    terms: list[Any],
    flags: tuple[dict[tuple[int, str], _Tally], dict[int, int]],
) -> Scope:
    wanted = set(round_ids)
    applications = sum(received_by_round.get(r, (0, 0))[0] for r in wanted)
    requested = sum(received_by_round.get(r, (0, 0))[1] for r in wanted)
    awarded = sum(awarded_by_round.get(r, (0, 0, 0, 0))[0] for r in wanted)
    awarded_pence = sum(awarded_by_round.get(r, (0, 0, 0, 0))[1] for r in wanted)
    people = sum(awarded_by_round.get(r, (0, 0, 0, 0))[2] for r in wanted)
    not_stated = sum(awarded_by_round.get(r, (0, 0, 0, 0))[3] for r in wanted)

    by_term: dict[int, _Tally] = {}
    for round_id, term_id, count, amount, reach in term_rows:
        if round_id in wanted:
            by_term.setdefault(term_id, _Tally()).add(_int(count), _int(amount), _int(reach))
    breakdowns: dict[str, Breakdown] = {}
    for vocabulary, title in VOCABULARIES.items():
        rows = []
        for term_id, term_vocabulary, code, label in terms:
            if term_vocabulary != vocabulary:
                continue
            rows.append(by_term.get(term_id, _Tally()).figure(code, label, awarded))
        breakdowns[vocabulary] = Breakdown(
            vocabulary=vocabulary,
            title=title,
            rows=rows,
            projects=awarded,
            with_any=sum(with_any.get((r, vocabulary), 0) for r in wanted),
        )
    flag_tallies, flagged = flags
    flag_rows = []
    for (_section, question), label in FLAG_QUESTIONS.items():
        tally = _Tally()
        for r in wanted:
            found = flag_tallies.get((r, question))
            if found is not None:
                tally.add(found.projects, found.amount, found.people)
        flag_rows.append(tally.figure(question, label, awarded))
    breakdowns[FLAGS] = Breakdown(
        vocabulary=FLAGS,
        title=FLAGS_TITLE,
        rows=flag_rows,
        projects=awarded,
        with_any=sum(flagged.get(r, 0) for r in wanted),
    )
    return Scope(applications, requested, awarded, awarded_pence, people, not_stated, breakdowns)


def figures(round_: Round, basis: str) -> Figures:
    """The committee report's figures for a round and its programme's rounds up to it, on a basis."""
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}: use one of {', '.join(BASES)}")
    rounds = _rounds_in_scope(round_)
    round_ids = [row.id for row in rounds]
    p = projects(round_ids, basis)
    received_by_round = _received(round_ids)
    awarded_by_round = _awarded(p)
    term_rows = _by_term(p)
    with_any = _with_any(p)
    terms = _terms()
    flags = _flags(p)
    recoveries = _recoveries(round_ids)

    def scope(ids: Sequence[int]) -> Scope:
        return _scope(ids, received_by_round, awarded_by_round, term_rows, with_any, terms, flags)

    lines = []
    for row in rounds:
        applications, requested = received_by_round.get(row.id, (0, 0))
        awarded, amount, people, _not_stated = awarded_by_round.get(row.id, (0, 0, 0, 0))
        lines.append(RoundLine(row.code, row.title, row.number, applications, requested, awarded, amount, people))
    return Figures(
        round_id=round_.id,
        basis=basis,
        round=scope([round_.id]),
        cumulative=scope(round_ids),
        rounds=lines,
        recoveries=recoveries.get(round_.id, Recoveries()),
        cumulative_recoveries=_sum_recoveries(recoveries.values()),
    )
