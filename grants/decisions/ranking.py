"""Ranking a round's bids within its budget, with the funding line and the spread of money.

`rank_round` reads a fixed number of statements whatever the number of bids (five): the
criteria, the bids (organisation and recommendation joined), their districts and areas
of focus, each submitted assessment's weighted total (summed by the database over the
current scores, picked with a max(id) subquery), and the vocabularies.

Order: the panel's moderated score, or else the mean of the assessors' weighted totals,
highest first; ties (and bids with no score, which come last) by reference.

The funding line: walking down the ranking, each bid's recommended amount (the panel's,
or else what was asked for) is added to a running total; a bid is above the line while
that total is within the round's budget. Once the budget runs out every bid below is
below the line, so the line is drawn once. Bids the panel has marked not recommended, or
that have been rejected, take no money: the running total skips them and they are never
above the line. A round with no budget has no line (every bid is above it).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy import not_, select

from grants import access, workflow_states
from grants.decisions import scores
from grants.decisions.services import ranked_states
from grants.extensions import db
from grants.models import Application, ApplicationTerm, Organisation, Recommendation, Round, Term
from grants.pagination import Page
from grants.workflow_states import workflow_labels

SUMMARY_VOCABULARIES = ("district", "area_of_focus")


@dataclass(frozen=True)
class RankedRow:
    rank: int
    application_id: int
    reference: str
    organisation: str
    project_title: str
    districts: list[str]
    areas_of_focus: list[str]
    state: str
    state_label: str
    version_id: int
    requested_pence: int
    recommended_pence: int
    amount_reason: str | None
    feedback: str | None
    conditions: str | None
    recommendation_version: int | None
    assessor_totals: list[Decimal]
    mean_total: Decimal | None
    moderated_score: Decimal | None
    moderation_reason: str | None
    cumulative_pence: int
    above_line: bool
    below_minimum: list[str] = field(default_factory=list)
    withheld: bool = False  # the viewer has a conflict of interest: who and what are not shown

    @property
    def score(self) -> Decimal | None:
        """What the ranking is sorted by: the moderated score, or else the mean of the totals."""
        return self.moderated_score if self.moderated_score is not None else self.mean_total

    @property
    def takes_money(self) -> bool:
        return self.state not in workflow_states.states("application", "takes_no_money")

    @property
    def reduced(self) -> bool:
        return self.recommended_pence < self.requested_pence


@dataclass(frozen=True)
class TagTotal:
    """Money recommended above the line for one district or area of focus."""

    code: str
    label: str
    bids: int
    recommended_pence: int


@dataclass(frozen=True)
class Ranking:
    round: Round
    rows: list[RankedRow]
    budget_pence: int | None
    above_line_pence: int
    requested_pence: int
    by_district: list[TagTotal]
    by_area_of_focus: list[TagTotal]
    maximum_total: Decimal
    criteria: list[scores.CriterionInfo]

    @property
    def above_line(self) -> list[RankedRow]:
        return [row for row in self.rows if row.above_line]

    @property
    def line_after(self) -> int | None:
        """The rank of the last bid above the line (None: no bid is above it)."""
        ranks = [row.rank for row in self.rows if row.above_line]
        return max(ranks) if ranks else None

    @property
    def left_pence(self) -> int | None:
        return None if self.budget_pence is None else self.budget_pence - self.above_line_pence


def _bids(round_: Round, states: tuple[str, ...]) -> list[dict]:
    query = (
        select(
            Application.id,
            Application.public_reference,
            Application.project_title,
            Application.amount_requested_pence,
            Application.state,
            Application.version_id,
            Organisation.name.label("organisation"),
            Recommendation.moderated_score,
            Recommendation.moderation_reason,
            Recommendation.recommended_amount_pence,
            Recommendation.amount_reason,
            Recommendation.feedback,
            Recommendation.conditions,
            Recommendation.version_id.label("recommendation_version"),
        )
        .join(Organisation, Organisation.id == Application.organisation_id)
        .outerjoin(Recommendation, Recommendation.application_id == Application.id)
        .where(Application.round_id == round_.id, Application.state.in_(states))
    )
    return [dict(row._mapping) for row in db.session.execute(query)]


def _tags(round_: Round, states: tuple[str, ...]) -> dict[int, dict[str, list[tuple[str, str]]]]:
    """Each bid's districts and areas of focus as (code, label), in vocabulary order."""
    query = (
        select(ApplicationTerm.application_id, Term.vocabulary, Term.code, Term.label)
        .join(Term, Term.id == ApplicationTerm.term_id)
        .join(Application, Application.id == ApplicationTerm.application_id)
        .where(
            Application.round_id == round_.id,
            Application.state.in_(states),
            Term.vocabulary.in_(SUMMARY_VOCABULARIES),
        )
        .order_by(Term.position, Term.label)
    )
    tags: dict[int, dict[str, list[tuple[str, str]]]] = {}
    for application_id, vocabulary, code, label in db.session.execute(query):
        tags.setdefault(application_id, {}).setdefault(vocabulary, []).append((code, label))
    return tags


def _vocabularies() -> dict[str, list[tuple[str, str]]]:
    rows = db.session.execute(
        select(Term.vocabulary, Term.code, Term.label)
        .where(Term.vocabulary.in_(SUMMARY_VOCABULARIES))
        .order_by(Term.vocabulary, Term.position, Term.label)
    ).all()
    found: dict[str, list[tuple[str, str]]] = {v: [] for v in SUMMARY_VOCABULARIES}
    for vocabulary, code, label in rows:
        found[vocabulary].append((code, label))
    return found


def _sort_key(bid: dict) -> tuple[bool, Decimal, str, int]:
    score = bid["score"]
    return (score is None, -(score if score is not None else Decimal(0)), bid["public_reference"] or "", bid["id"])


WITHHELD = "Withheld: you have a conflict of interest with this bid"


def _withhold(row: RankedRow) -> RankedRow:
    """The row as someone with a conflict of interest sees it: its place and money (the funding
    line is the panel's, so it stays true), not who made the bid, what it is for or what was said."""
    return replace(
        row,
        reference="Withheld",
        organisation=WITHHELD,
        project_title="",
        districts=[],
        areas_of_focus=[],
        amount_reason=None,
        feedback=None,
        conditions=None,
        assessor_totals=[],
        moderation_reason=None,
        below_minimum=[],
        withheld=True,
    )


def _conflicted(round_: Round, viewer_id: int) -> set[int]:
    free = access.free_of_conflict(viewer_id, Application.organisation_id, Application.id)
    return set(db.session.scalars(select(Application.id).where(Application.round_id == round_.id, not_(free))))


def rank_round(round_: Round, states: Collection[str] | None = None, viewer_id: int | None = None) -> Ranking:
    """The round's bids in rank order with the funding line and the money by district and area.

    With a viewer, the bids they have a conflict of interest on are withheld (`_withhold`)."""
    states = tuple(sorted(states if states is not None else ranked_states()))
    criteria = scores.criteria_for(round_.id)
    bids = _bids(round_, states)
    tags = _tags(round_, states)
    totals = scores.submitted_totals(round_.id, states, criteria)
    vocabularies = _vocabularies()
    labels = workflow_labels(round_.application_workflow)

    for bid in bids:
        bid["summed"] = totals.get(bid["id"]) or scores.BidTotals()
        bid["totals"] = bid["summed"].totals
        bid["mean"] = scores.mean(bid["totals"])
        moderated = bid["moderated_score"]
        bid["moderated"] = None if moderated is None else scores.quantize(Decimal(moderated))
        bid["score"] = bid["moderated"] if bid["moderated"] is not None else bid["mean"]
    bids.sort(key=_sort_key)

    no_money = workflow_states.states("application", "takes_no_money")
    budget = round_.budget_pence
    cumulative = 0
    line_reached = False
    rows: list[RankedRow] = []
    money: dict[tuple[str, str], list[int]] = {}
    for rank, bid in enumerate(bids, start=1):
        recommended = bid["recommended_amount_pence"]
        recommended = bid["amount_requested_pence"] if recommended is None else recommended
        above = False
        if bid["state"] not in no_money:
            cumulative += recommended
            if not line_reached and (budget is None or cumulative <= budget):
                above = True
            else:
                line_reached = True
        bid_tags = tags.get(bid["id"], {})
        if above:
            for vocabulary in SUMMARY_VOCABULARIES:
                for code, _label in bid_tags.get(vocabulary, []):
                    tally = money.setdefault((vocabulary, code), [0, 0])
                    tally[0] += 1
                    tally[1] += recommended
        rows.append(
            RankedRow(
                rank=rank,
                application_id=bid["id"],
                reference=bid["public_reference"] or f"Draft {bid['id']}",
                organisation=bid["organisation"],
                project_title=bid["project_title"],
                districts=[label for _code, label in bid_tags.get("district", [])],
                areas_of_focus=[label for _code, label in bid_tags.get("area_of_focus", [])],
                state=bid["state"],
                state_label=labels.get(bid["state"], bid["state"]),
                version_id=bid["version_id"],
                requested_pence=bid["amount_requested_pence"],
                recommended_pence=recommended,
                amount_reason=bid["amount_reason"],
                feedback=bid["feedback"],
                conditions=bid["conditions"],
                recommendation_version=bid["recommendation_version"],
                assessor_totals=bid["totals"],
                mean_total=bid["mean"],
                moderated_score=bid["moderated"],
                moderation_reason=bid["moderation_reason"],
                cumulative_pence=cumulative,
                above_line=above,
                below_minimum=scores.minimum_problems(bid["summed"].minimum_scores, criteria),
            )
        )

    if viewer_id is not None:
        conflicted = _conflicted(round_, viewer_id)
        rows = [_withhold(row) if row.application_id in conflicted else row for row in rows]

    def summary(vocabulary: str) -> list[TagTotal]:
        return [
            TagTotal(code, label, *money.get((vocabulary, code), (0, 0)))
            for code, label in vocabularies.get(vocabulary, [])
        ]

    return Ranking(
        round=round_,
        rows=rows,
        budget_pence=budget,
        above_line_pence=sum(row.recommended_pence for row in rows if row.above_line),
        requested_pence=sum(row.requested_pence for row in rows),
        by_district=summary("district"),
        by_area_of_focus=summary("area_of_focus"),
        maximum_total=scores.maximum_total(criteria),
        criteria=criteria,
    )


# -- one page of the ranking ------------------------------------------------------------------------------
RANKING_PAGE_SIZE = 50


@dataclass(frozen=True)
class RankingPage:
    """One page of a ranking, with what the panel needs on every page: the budget, the running total
    carried in from the pages before, and where the funding line falls (on this page, or on page N).

    The whole ranking is worked out first (the line depends on every bid above it), so a page costs the
    same statements as the whole ranking, whatever the page size."""

    ranking: Ranking
    page: Page[RankedRow]

    @property
    def carried_in_pence(self) -> int:
        """The running total at the end of the previous page (0 on the first)."""
        before = self.ranking.rows[: self.page.first_index - 1]
        return before[-1].cumulative_pence if before else 0

    @property
    def has_line(self) -> bool:
        """Whether a funding line is drawn at all (a round with no budget has none)."""
        return self.ranking.budget_pence is not None

    @property
    def line_page(self) -> int | None:
        """The page the funding line is drawn on (None: no line)."""
        if not self.has_line:
            return None
        line_after = self.ranking.line_after or 0
        return max(1, -(-line_after // self.page.per_page))

    @property
    def line_after_on_page(self) -> int | None:
        """The rank after which this page draws the line (0: before its first bid), or None."""
        if self.line_page != self.page.page:
            return None
        return self.ranking.line_after or 0


def ranking_page(ranking: Ranking, page: int, per_page: int = RANKING_PAGE_SIZE) -> RankingPage:
    """A page of the ranking (a page past the end is the last page)."""
    per_page = max(1, per_page)
    total = len(ranking.rows)
    page = min(max(1, page), max(1, -(-total // per_page)))
    rows = ranking.rows[(page - 1) * per_page : page * per_page]
    return RankingPage(ranking=ranking, page=Page(items=rows, page=page, per_page=per_page, total=total))


def page_of_bid(ranking: Ranking, application_id: int, per_page: int = RANKING_PAGE_SIZE) -> int:
    """The page a bid is on (1 if it is not ranked)."""
    for index, row in enumerate(ranking.rows):
        if row.application_id == application_id:
            return index // max(1, per_page) + 1
    return 1
