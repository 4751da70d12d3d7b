"""The demo's monitoring returns, one function per programme (each the one place its returns are made):

- `mscf_round3_returns`: each Round 3 award's 6-month progress return and 12-month final return (the
  final one is the return its last instalment waits for; grants/demo/awards.py walks it);
  `mscf_round3_metrics` then writes the figures of every return sent (people reached, spend to date).
- `vru_quarterly_returns`: each VRU intervention's Q1 to Q4 returns of 2023-24 (Q3 is the one its last
  instalment waits for), with young people engaged, referrals and sessions delivered.
- `moj_returns_2022`: a Q1 to Q4 return of 2022-23 for each of the 72 MoJ strands, signed off at the
  provider (or recorded by an officer for the public bodies) and accepted, whose figures add up
  exactly to what the Police and Crime Panel was told (MOJ_2022_23 below).

All seeded: the same figures every time. Each function leaves alone what a previous load made.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import insert, select

from grants.demo.clock import local, on
from grants.extensions import db
from grants.models import (
    Application,
    AuditEvent,
    Award,
    Membership,
    MonitoringReturn,
    Organisation,
    ReturnMetric,
    User,
)
from grants.models.monitoring import FINAL, PROGRESS, QUARTERLY
from grants.monitoring.metrics import MOJ_METRICS
from grants.workflow import apply_transition, start_case

SEED = 20240430
K = TypeVar("K")

# The MoJ victims' services figures for 1 April 2022 to 31 March 2023, as the Mayor reported them to the
# Police and Crime Panel ("West Yorkshire Police and Crime Delivery Plan - Update", Item 7, 14 July 2023;
# docs/domain.md). The demo's 2022-23 returns add up to exactly these; `grantflow report moj --year 2022`
# prints them.
MOJ_2022_23: dict[str, int] = {
    "victims_supported": 90_793,
    "idva_domestic_abuse": 22_989,
    "isva_sexual_abuse": 5_168,
    "reported_before": 69_041,
    "reported_during_or_after": 410,
    "mental_health_referrals": 1_487,
    "restorative_justice": 7_667,
}


# -- sharing a total out exactly ------------------------------------------------------------------------------
def share(total: int, weights: Mapping[K, int], caps: Mapping[K, int] | None = None) -> dict[K, int]:
    """`total` split over the keys in proportion to their whole-number weights, exactly, none above its cap.

    Largest remainders: each key gets the floor of its share, and the units left over go to the largest
    fractional parts (ties to the larger weight, then the earlier key). A key that would pass its cap
    stops there and what it could not take is shared again among the rest.
    """
    result = dict.fromkeys(weights, 0)
    order = {key: index for index, key in enumerate(weights)}

    def room(key: K) -> int:
        return total if caps is None else caps[key] - result[key]

    remaining = total
    while remaining > 0:
        active = [key for key in weights if weights[key] > 0 and room(key) > 0]
        if not active:
            raise ValueError(f"cannot share {total}: {remaining} left over and no room")
        weight_sum = sum(weights[key] for key in active)
        give = {key: remaining * weights[key] // weight_sum for key in active}
        left = remaining - sum(give.values())
        by_remainder = sorted(active, key=lambda k: (-(remaining * weights[k] % weight_sum), -weights[k], order[k]))
        for key in by_remainder[:left]:
            give[key] += 1
        for key in active:
            taken = min(give[key], room(key))
            result[key] += taken
            remaining -= taken
    return result


def walk(subject: Any, steps: Sequence[tuple[str, Any, str | None, datetime]], *, flush: bool = True) -> None:
    """Each (transition, user, reason, when) through the workflow engine (as grants.demo.awards.walk)."""
    for name, user, reason, when in steps:
        apply_transition(subject, name, user, reason, now=when, commit=False)
        if flush:
            db.session.flush()


def _figures(rows: Iterable[tuple[int, str, int]]) -> None:
    """ReturnMetric rows (return id, metric, value) in one statement."""
    values = [{"monitoring_return_id": rid, "metric": metric, "value": value} for rid, metric, value in rows]
    if values:
        db.session.execute(insert(ReturnMetric), values)


def _second_member(organisation: Organisation, first: User, position: str) -> User:
    """A second named person at the organisation who signs its returns off (made once)."""
    slug = "".join(ch for ch in organisation.name.lower() if ch.isalnum())[:24]
    email = f"signoff.{slug}@example.org"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(name=f"{organisation.name} {position.lower()}", email=email, password_hash=first.password_hash)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, is_owner=False))
        db.session.flush()
    return user


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


# -- MSCF Round 3 -----------------------------------------------------------------------------------------------
PROGRESS_DUE, FINAL_DUE = date(2023, 10, 31), date(2024, 4, 30)
CHANGES_POSITION, SIGN_OFF_POSITION = 17, 29  # two of the awards whose final return never came (awards.py)
CHANGES_COMMENT = (
    "Thank you. The spend to date does not match the receipts attached: the hall hire invoices add up to "
    "less than the figure given. Please check the spend figure and attach the missing receipts for the coach."
)


def mscf_round3_returns(award: Award, officer: Any, grantee: Any, position: int) -> tuple[MonitoringReturn, ...]:
    """An award's 6-month progress return (walked here: most accepted on time, some late) and its 12-month
    final return (opened by the caller, which ties the last instalment to it). Returns (progress, final)."""
    rng = random.Random(f"{SEED}-{award.public_reference}")
    made = local(2023, 3, 20, 10)
    progress = MonitoringReturn(
        award_id=award.id,
        period_label="6 months to September 2023",
        period_starts_on=award.starts_on,
        period_ends_on=date(2023, 9, 30),
        due_date=PROGRESS_DUE,
        opens_on=PROGRESS_DUE - timedelta(days=28),
        kind=PROGRESS,
        sequence=1,
        sign_off_required=False,
    )
    final = MonitoringReturn(
        award_id=award.id,
        period_label="End of project 2023-24",
        period_starts_on=award.starts_on,
        period_ends_on=award.ends_on,
        due_date=FINAL_DUE,
        opens_on=FINAL_DUE - timedelta(days=28),
        kind=FINAL,
        sequence=2,
        sign_off_required=position == SIGN_OFF_POSITION,
    )
    for ret in (progress, final):
        db.session.add(ret)
        start_case(ret, "monitoring_return", officer, now=made)
    steps: list[tuple[str, Any, str | None, datetime]] = [
        ("open", None, None, on(progress.opens_on or PROGRESS_DUE, 0, 5))
    ]
    if position % 7 == 3:  # sent late
        sent = PROGRESS_DUE + timedelta(days=rng.randint(3, 20))
        steps.append(("become_overdue", None, None, on(PROGRESS_DUE + timedelta(days=1), 0, 5)))
    else:
        sent = PROGRESS_DUE - timedelta(days=rng.randint(1, 25))
    steps += [
        ("submit", grantee, None, on(sent, 20)),
        ("accept", officer, None, on(sent + timedelta(days=rng.randint(4, 14)), 10)),
    ]
    walk(progress, steps)
    return progress, final


def mscf_final_not_accepted(
    final: MonitoringReturn, position: int, grantee: Any, officer: Any, organisation: Organisation
) -> bool:
    """Two of the late final returns, instead of never coming: one sent and sent back with the officer's
    comments, one filled in and waiting for a second person at the group to sign it off. True if so."""
    if position == CHANGES_POSITION:
        walk(
            final,
            [
                ("open", None, None, on(FINAL_DUE - timedelta(days=28), 0, 5)),
                ("become_overdue", None, None, on(FINAL_DUE + timedelta(days=1), 0, 5)),
                ("submit", grantee, None, local(2024, 5, 20, 21)),
                ("request_changes", officer, CHANGES_COMMENT, local(2024, 5, 28, 11)),
            ],
        )
        return True
    if position == SIGN_OFF_POSITION:
        _second_member(organisation, grantee, "Treasurer")
        walk(
            final,
            [
                ("open", None, None, on(FINAL_DUE - timedelta(days=28), 0, 5)),
                ("send_for_sign_off", grantee, None, local(2024, 4, 29, 19)),
            ],
        )
        return True
    return False


def mscf_round3_metrics(round_id: int) -> None:
    """People reached and spend to date for each Round 3 return sent, consistent with its award: the
    progress return about half the people and 40-65% of the money (never more than the first instalment),
    the final return all of it less any underspend. Returns that already have figures are left alone."""
    sent = ("submitted", "accepted", "changes_requested", "awaiting_sign_off")
    rows = db.session.execute(
        select(MonitoringReturn, Award, Application.people_reached)
        .join(Award, Award.id == MonitoringReturn.award_id)
        .join(Application, Application.id == Award.application_id)
        .where(Application.round_id == round_id, MonitoringReturn.state.in_(sent))
        .where(~select(ReturnMetric.id).where(ReturnMetric.monitoring_return_id == MonitoringReturn.id).exists())
        .order_by(MonitoringReturn.id)
    ).all()
    figures: list[tuple[int, str, int]] = []
    for ret, award, people in rows:
        rng = random.Random(f"{SEED}-{ret.reference}")
        people = people or 40
        paid_first = min((p.amount_pence for p in award.payments if p.instalment == 1), default=award.amount_pence)
        if ret.kind == PROGRESS:
            reached = people * rng.randint(40, 60) // 100
            spend = min(award.amount_pence * rng.randint(40, 65) // 100 // 100 * 100, paid_first)
        else:
            reached = people * rng.randint(92, 108) // 100
            spend = award.final_spend_pence if award.final_spend_pence is not None else award.amount_pence
            if ret.state == "changes_requested":
                spend = award.amount_pence + rng.randint(2, 9) * 5_000  # the figure the officer queried
        ret.spend_to_date_pence = spend
        figures += [(ret.id, "people_reached", reached), (ret.id, "spend_to_date", spend)]
    db.session.flush()
    _figures(figures)


# -- VRU interventions --------------------------------------------------------------------------------------------
def vru_quarterly_returns(
    maker: Any, award: Award, provider: Organisation, year: int, awaiting: bool
) -> MonitoringReturn:
    """An intervention's Q1 to Q4 returns of the financial year; returns Q3, the one its last instalment
    waits for (made and walked by the Maker as before: accepted, or overdue where `awaiting`).

    Q1 and Q2 accepted (a few late); Q4 accepted, or overdue with Q3 where the provider stopped sending.
    Each return sent reports young people engaged, referrals and sessions delivered, in line with the award.
    """
    rng = random.Random(f"{SEED}-{award.public_reference}")
    grantee = maker.member(provider)
    per_quarter = max(award.amount_pence // 400_000, 12)  # about one young person per £4,000
    made: list[MonitoringReturn] = []
    figures: list[tuple[MonitoringReturn, dict[str, int]]] = []
    for number, (start_month, end_month) in enumerate(((4, 6), (7, 9), (10, 12), (1, 3)), start=1):
        if number == 3:
            q3 = maker.overdue_return(award, year) if awaiting else maker.accepted_return(award, year, grantee)
            made.append(q3)
            if not awaiting:
                figures.append((q3, _vru_figures(rng, per_quarter)))
            continue
        y = year if start_month >= 4 else year + 1
        ends = _month_end(y, end_month)
        due = _month_end(ends.year + (ends.month // 12), ends.month % 12 + 1)
        ret = MonitoringReturn(
            award=award,
            period_label=f"Q{number} {year}-{(year + 1) % 100:02d}",
            period_starts_on=date(y, start_month, 1),
            period_ends_on=ends,
            due_date=due,
            opens_on=due - timedelta(days=28),
            kind=QUARTERLY,
            sequence=number,
        )
        start_case(
            ret, "monitoring_return", maker.officer, now=(award.accepted_at or local(year, 4, 1)) + timedelta(hours=17)
        )
        steps: list[tuple[str, Any, str | None, datetime]] = [("open", None, None, on(due - timedelta(days=28), 0, 5))]
        if number == 4 and awaiting:
            steps.append(("become_overdue", None, None, on(due + timedelta(days=1), 0, 5)))
        else:
            if number < 4 and rng.random() < 0.25:  # sent late
                steps.append(("become_overdue", None, None, on(due + timedelta(days=1), 0, 5)))
                sent = due + timedelta(days=rng.randint(2, 12))
            else:
                sent = due - timedelta(days=rng.randint(1, 20))
            steps += [
                ("submit", grantee, None, on(sent, 15)),
                ("accept", maker.officer, None, on(sent + timedelta(days=rng.randint(3, 9)), 10)),
            ]
            figures.append((ret, _vru_figures(rng, per_quarter)))
        walk(ret, steps, flush=False)
        made.append(ret)
    db.session.flush()
    _figures((ret.id, metric, value) for ret, values in figures for metric, value in values.items())
    return made[2]


def _vru_figures(rng: random.Random, per_quarter: int) -> dict[str, int]:
    engaged = per_quarter * rng.randint(80, 120) // 100
    return {
        "young_people_engaged": engaged,
        "referrals": engaged * rng.randint(110, 160) // 100,
        "sessions_delivered": engaged * rng.randint(3, 6),
    }


# -- MoJ victims' services 2022-23 ------------------------------------------------------------------------------
# How many victims a strand of each kind sees for its money, relative to the others (a helpline or hub sees
# many briefly; a refuge few for long).
VOLUME = {"hub": 30, "helpline": 25, "court": 18, "outreach": 10, "refuge": 3, "counselling": 6, "sanctuary": 5}
IDVA_KINDS = ("idva", "hospital_idva", "marac")
ISVA_KINDS = ("isva", "cyp_isva", "sarc")
RJ_KINDS = ("rj",)
MENTAL_HEALTH_KINDS = ("mh", "counselling")
QUARTER_WEIGHTS = (24, 25, 26, 25)
MOJ_YEAR = 2022


def moj_strand_figures(strands: Sequence[tuple[str, str, int]]) -> dict[tuple[str, int], dict[str, int]]:
    """Each (strand, quarter)'s MoJ figures from (reference, kind, 2022-23 allocation in pence): pure, seeded.

    The totals of MOJ_2022_23 exactly; each figure whole and not negative; the specialist figures (IDVA,
    ISVA, restorative justice) only from strands of that kind and never more than the victims they
    supported; reported before plus reported during or after never more than the victims supported.
    """
    rng = random.Random(SEED)
    kinds = {reference: kind for reference, kind, _pence in strands}
    cells = [(reference, q) for reference, _kind, _pence in strands for q in range(1, 5)]
    size = {
        (reference, q): (pence // 100_000) * VOLUME.get(kind, 8) * (QUARTER_WEIGHTS[q - 1] + rng.randint(-2, 2))
        for reference, kind, pence in strands
        for q in range(1, 5)
    }
    totals = MOJ_2022_23
    # The victims supported by the specialist strands first, so each has room for its specialist figure.
    groups = {
        "idva_domestic_abuse": IDVA_KINDS,
        "isva_sexual_abuse": ISVA_KINDS,
        "restorative_justice": RJ_KINDS,
    }
    victims: dict[tuple[str, int], int] = {}
    specialist_victims = 0
    for metric, group in groups.items():
        members = {cell: size[cell] for cell in cells if kinds[cell[0]] in group}
        group_total = totals[metric] * 100 // 88 + 1  # the specialist figure is about 88% of those supported
        victims.update(share(group_total, members))
        specialist_victims += group_total
    others = {cell: size[cell] for cell in cells if cell not in victims}
    victims.update(share(totals["victims_supported"] - specialist_victims, others))
    figures: dict[tuple[str, int], dict[str, int]] = {cell: {"victims_supported": victims[cell]} for cell in cells}
    for metric, group in groups.items():
        members = {cell: victims[cell] for cell in cells if kinds[cell[0]] in group}
        got = share(totals[metric], members, members)
        for cell in cells:
            figures[cell][metric] = got.get(cell, 0)
    before = share(totals["reported_before"], {c: victims[c] * rng.randint(70, 82) for c in cells}, victims)
    room = {cell: victims[cell] - before[cell] for cell in cells}
    during = share(totals["reported_during_or_after"], {c: victims[c] for c in cells}, room)
    mental = share(
        totals["mental_health_referrals"],
        {c: victims[c] * (8 if kinds[c[0]] in MENTAL_HEALTH_KINDS else 1) for c in cells},
        victims,
    )
    for cell in cells:
        figures[cell].update(
            reported_before=before[cell], reported_during_or_after=during[cell], mental_health_referrals=mental[cell]
        )
    return figures


def moj_returns_2022(strands: Sequence[tuple[str, str, int]], maker: Any) -> None:
    """A quarterly return for 2022-23 from every MoJ strand, accepted, with its figures (made in bulk: the rows
    and their audit trail written directly rather than walked, 288 returns in a few statements).

    A VCSE provider's returns are filled in by its member, signed off by its chief executive and accepted by
    the officer; a public body sends its figures by email and the officer records them on its behalf.
    """
    references = [f"{reference}-22" for reference, _kind, _pence in strands]
    awards = {
        award.public_reference: award
        for award in db.session.scalars(select(Award).where(Award.public_reference.in_(references)))
    }
    done = set(
        db.session.scalars(
            select(MonitoringReturn.award_id).where(
                MonitoringReturn.award_id.in_([a.id for a in awards.values()]),
                MonitoringReturn.kind == QUARTERLY,
                MonitoringReturn.period_starts_on == date(MOJ_YEAR, 4, 1),
            )
        )
    )
    figures = moj_strand_figures(strands)
    rng = random.Random(SEED + 1)
    officer = maker.officer
    made: list[tuple[MonitoringReturn, list[tuple[str, Any, str | None, datetime, str | None, str]]]] = []
    labels = ("Q1", "Q2", "Q3", "Q4")
    for reference, _kind, _pence in strands:
        award = awards.get(f"{reference}-22")
        if award is None or award.id in done:
            continue
        provider = db.session.get(Organisation, award.organisation_id)
        assert provider is not None
        filler = maker.member(provider)
        public = provider.org_type == "public_body"
        signer = None if public else _second_member(provider, filler, "Chief Executive")
        for number in range(1, 5):
            start_month = (3 + 3 * (number - 1)) % 12 + 1
            year = MOJ_YEAR if start_month >= 4 else MOJ_YEAR + 1
            ends = _month_end(year, start_month + 2)
            due = _month_end(ends.year + ends.month // 12, ends.month % 12 + 1)
            opens = due - timedelta(days=28)
            created = (award.accepted_at or local(MOJ_YEAR, 4, 1)) + timedelta(hours=18)
            opened = on(opens, 0, 5)
            sent = on(due - timedelta(days=rng.randint(2, 16)), 15)
            accepted = sent + timedelta(days=rng.randint(3, 9), hours=rng.randint(-4, 2))
            ret = MonitoringReturn(
                award_id=award.id,
                period_label=f"{labels[number - 1]} {MOJ_YEAR}-{(MOJ_YEAR + 1) % 100:02d}",
                period_starts_on=date(year, start_month, 1),
                period_ends_on=ends,
                due_date=due,
                opens_on=opens,
                kind=QUARTERLY,
                sequence=number,
                sign_off_required=True,
                workflow="monitoring_return",
                workflow_version=2,
                state="accepted",
                state_changed_at=accepted,
                created_at=created,
                submitted_at=sent + timedelta(days=1) if signer else sent,
                reviewed_by_id=officer.id,
                reviewed_at=accepted,
            )
            events: list[tuple[str, Any, str | None, datetime, str | None, str]] = [
                ("create", officer, None, created, None, "scheduled"),
                ("open", None, None, opened, "scheduled", "open"),
            ]
            if signer is None:
                note = (
                    f"Figures received by email from the provider's performance team on {sent:%-d %B %Y}; "
                    "recorded as sent."
                )
                ret.recorded_by_id, ret.evidence_note = officer.id, note
                events.append(("record_on_behalf", officer, note, sent, "open", "submitted"))
            else:
                ret.sent_for_sign_off_by_id = filler.id
                ret.signed_off_by_id, ret.signed_off_at, ret.signer_position = (
                    signer.id,
                    sent + timedelta(days=1),
                    "Chief Executive",
                )
                events += [
                    ("send_for_sign_off", filler, None, sent, "open", "awaiting_sign_off"),
                    ("sign_off", signer, None, sent + timedelta(days=1), "awaiting_sign_off", "submitted"),
                ]
            events.append(("accept", officer, None, accepted, "submitted", "accepted"))
            db.session.add(ret)
            made.append((ret, events))
    if not made:
        return
    db.session.flush()
    audit_rows = []
    metric_rows: list[tuple[int, str, int]] = []
    award_references = {award.id: award.public_reference for award in awards.values()}
    for ret, events in made:
        award_ref = award_references[ret.award_id]
        subject_reference = f"{award_ref}-{ret.period_label.replace(' ', '')}"
        for action, actor, reason, at, from_state, to_state in events:
            audit_rows.append(
                {
                    "occurred_at": at,
                    "actor_id": getattr(actor, "id", None),
                    "subject_type": "return",
                    "subject_id": ret.id,
                    "subject_reference": subject_reference,
                    "action": action,
                    "from_state": from_state,
                    "to_state": to_state,
                    "reason": reason,
                    "workflow": "monitoring_return",
                    "workflow_version": 2,
                }
            )
        strand = award_ref.rsplit("-", 1)[0]
        for metric, value in figures[(strand, ret.sequence)].items():
            metric_rows.append((ret.id, metric, value))
    db.session.execute(insert(AuditEvent), audit_rows)
    _figures(metric_rows)
    assert all(metric in MOJ_METRICS for _id, metric, _v in metric_rows)
