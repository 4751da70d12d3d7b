"""The demo's monitoring returns, one function per programme. The returns themselves are the ones each
programme's monitoring plan made when the award was accepted (grants.monitoring.schedule.create_returns,
run by the award's accept step); these functions find them (`plan_returns`: by award and sequence) and walk
them through the monitoring_return workflow, filling every section of their form on the way
(grants/demo/return_answers.py) with figures that are also their ReturnMetric rows:

- `mscf_round3_returns`: each Round 3 award's "6 months" progress report (most accepted on time, some
  late); `mscf_final_report` fills its "Final" report, walked by grants/demo/awards.py (its last instalment
  waits for it): most accepted, some overdue, `mscf_final_not_accepted` one sent back for changes and one
  awaiting sign-off; `give_more_time` leaves MSCF-R3-0001's final report open, due four weeks from today,
  for a demo grantee to fill in (caldervalleyboxingclubci@example.org; its chair,
  signoff.caldervalleyboxingclubci@example.org, signs it off).
- `vru_quarterly_returns`: each VRU intervention's Q1 to Q4 2023-24 returns, signed off at the provider
  (the VRU plan asks for it); Q3 is the one its last instalment waits for (accepted, or overdue with Q4
  where the provider stopped sending).
- `moj_returns`: each MoJ strand's four quarterly returns of a year, walked in bulk (rows and audit trail
  written directly), signed off at the provider or recorded by an officer for the public bodies and
  accepted; 2022-23's add up exactly to what the Police and Crime Panel was told (MOJ_2022_23 below),
  2023-24's and 2024-25's are near them, and two strands never sent their last two of 2024-25.

All seeded: the same figures every time. Returns already walked are left alone.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import insert, select

from grants import audit
from grants.demo import return_answers
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
from grants.monitoring.metrics import MOJ_METRICS
from grants.workflow import apply_transition

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


# -- the plan's returns ---------------------------------------------------------------------------------------------
def plan_returns(award: Award) -> dict[int, MonitoringReturn]:
    """The returns the programme's plan made for the award when it was accepted, by sequence (1, 2, ...)."""
    found = {
        ret.sequence: ret
        for ret in db.session.scalars(select(MonitoringReturn).where(MonitoringReturn.award_id == award.id))
        if ret.plan_id is not None
    }
    if not found:
        raise LookupError(f"{award.public_reference} has no returns from its programme's monitoring plan")
    return found


def report(ret: MonitoringReturn, figures: Mapping[str, int], user: Any, when: datetime) -> None:
    """The return filled in by `user` at `when`: every section of its form completed, its metric figures
    (ReturnMetric rows, and spend to date on the return), as the form engine leaves a completed return."""
    return_answers.fill([(ret, figures, user, when)])
    _figures((ret.id, metric, value) for metric, value in figures.items())
    if "spend_to_date" in figures:
        ret.spend_to_date_pence = figures["spend_to_date"]
    db.session.flush()


# -- MSCF Round 3 -----------------------------------------------------------------------------------------------
CHANGES_POSITION, SIGN_OFF_POSITION = 17, 29  # two of the awards whose final return never came (awards.py)
CHANGES_COMMENT = (
    "Thank you. The spend to date does not match the receipts attached: the hall hire invoices add up to "
    "less than the figure given. Please check the spend figure and attach the missing receipts for the coach."
)


def _people(award: Award) -> int:
    application = db.session.get(Application, award.application_id) if award.application_id else None
    return (application.people_reached if application is not None else None) or 40


def mscf_round3_returns(award: Award, officer: Any, grantee: Any, position: int) -> tuple[MonitoringReturn, ...]:
    """The award's returns as its plan made them: the 6-month progress report (walked here: most accepted on
    time, some late) and the final 12-month report (walked by the caller, which ties the last instalment to
    it). The progress report reports about half the people and 40-65% of the money (never more than the
    first instalment, 70% of the award). Returns (progress, final)."""
    rng = random.Random(f"{SEED}-{award.public_reference}")
    made = plan_returns(award)
    progress, final = made[1], made[2]
    due = progress.due_date
    steps: list[tuple[str, Any, str | None, datetime]] = [("open", None, None, on(progress.opens_on or due, 0, 5))]
    if position % 7 == 3:  # sent late
        sent = due + timedelta(days=rng.randint(3, 20))
        steps.append(("become_overdue", None, None, on(due + timedelta(days=1), 0, 5)))
    else:
        sent = due - timedelta(days=rng.randint(1, 25))
    walk(progress, steps)
    figures_rng = random.Random(f"{SEED}-{progress.reference}")
    first = (award.amount_pence * 7 // 10) // 100 * 100
    reached = _people(award) * figures_rng.randint(40, 60) // 100
    spend = min(award.amount_pence * figures_rng.randint(40, 65) // 100 // 100 * 100, first)
    report(progress, {"people_reached": reached, "spend_to_date": spend}, grantee, on(sent, 19))
    walk(
        progress,
        [
            ("submit", grantee, None, on(sent, 20)),
            ("accept", officer, None, on(sent + timedelta(days=rng.randint(4, 14)), 10)),
        ],
    )
    return progress, final


def mscf_final_report(final: MonitoringReturn, grantee: Any, when: datetime, spend: int) -> None:
    """The final report filled in: all the people reached (92-108% of those the bid planned for), the total
    spend."""
    rng = random.Random(f"{SEED}-{final.reference}")
    reached = _people(final.award) * rng.randint(92, 108) // 100
    report(final, {"people_reached": reached, "spend_to_date": spend}, grantee, when)


def mscf_final_not_accepted(
    final: MonitoringReturn, position: int, grantee: Any, officer: Any, organisation: Organisation
) -> bool:
    """Two of the late final returns, instead of never coming: one sent and sent back with the officer's
    comments (the spend it gives, all of the grant, does not match the receipts), one filled in and waiting
    for a second person at the group to sign it off. True if so."""
    opened = on(final.opens_on or final.due_date, 0, 5)
    if position == CHANGES_POSITION:
        walk(
            final,
            [
                ("open", None, None, opened),
                ("become_overdue", None, None, on(final.due_date + timedelta(days=1), 0, 5)),
            ],
        )
        mscf_final_report(final, grantee, local(2024, 5, 20, 20), final.award.amount_pence)
        walk(
            final,
            [
                ("submit", grantee, None, local(2024, 5, 20, 21)),
                ("request_changes", officer, CHANGES_COMMENT, local(2024, 5, 28, 11)),
            ],
        )
        return True
    if position == SIGN_OFF_POSITION:
        _second_member(organisation, grantee, "Treasurer")
        final.sign_off_required = True  # the group asked for its treasurer to confirm the figures
        walk(final, [("open", None, None, opened)])
        mscf_final_report(final, grantee, local(2024, 4, 29, 18), final.award.amount_pence)
        walk(final, [("send_for_sign_off", grantee, None, local(2024, 4, 29, 19))])
        return True
    return False


MORE_TIME_REASON = (
    "The club's head coach was off sick for three months and the chair asked for more time to gather the "
    "attendance records. Agreed by phone; the last instalment waits for the report."
)


def give_more_time(ret: MonitoringReturn, officer: Any, grantee: Any, organisation: Organisation) -> User:
    """An open return whose due date the officer moved (audited, with the reason) to four weeks from today,
    to be signed off by the organisation's chair: the return a demo grantee can fill in, send for sign-off
    and see through review now. Returns the chair (a second member, who signs it off)."""
    today = datetime.now(UTC).date()
    moved_at = datetime.now(UTC) - timedelta(days=3)
    new_due = today + timedelta(days=28)
    while new_due.weekday() >= 5:
        new_due += timedelta(days=1)
    audit.record_on(
        ret,
        actor=officer,
        action="due_date_moved",
        from_state=f"{ret.due_date:%-d %B %Y}",
        to_state=f"{new_due:%-d %B %Y}",
        reason=MORE_TIME_REASON,
        data={"from": ret.due_date.isoformat(), "to": new_due.isoformat(), "reason": MORE_TIME_REASON},
        at=moved_at,
    )
    ret.due_date = new_due
    ret.sign_off_required = True  # the club's chair confirms the figures before they reach the officer
    return _second_member(organisation, grantee, "Chair")


# -- VRU interventions --------------------------------------------------------------------------------------------
def vru_quarterly_returns(
    maker: Any, award: Award, provider: Organisation, year: int, awaiting: bool
) -> MonitoringReturn:
    """The intervention's Q1 to Q4 returns as its plan made them, walked; returns Q3, the one its last
    instalment waits for (accepted, or overdue where `awaiting`).

    Q1 and Q2 accepted (a few late); Q4 accepted, or overdue with Q3 where the provider stopped sending.
    Each return is filled in by the provider's member and signed off by its chief executive (the VRU plan
    asks for sign-off), reporting young people engaged and completing, referrals, sessions delivered and
    spend to date, in line with the award.
    """
    rng = random.Random(f"{SEED}-{award.public_reference}")
    grantee = maker.member(provider)
    signer = _second_member(provider, grantee, "Chief Executive")
    per_quarter = max(award.amount_pence // 400_000, 12)  # about one young person per £4,000
    made = plan_returns(award)
    for number in range(1, 5):
        ret = made[number]
        due = ret.due_date
        opened = on(ret.opens_on or due, 0, 5)
        if awaiting and number >= 3:  # the provider stopped sending
            walk(ret, [("open", None, None, opened), ("become_overdue", None, None, on(due + timedelta(days=1), 0, 5))])
            continue
        steps: list[tuple[str, Any, str | None, datetime]] = [("open", None, None, opened)]
        if number == 3:  # as before: the draws from the Maker's generator the rest of the load expects
            sent = due - timedelta(days=maker.rng.randint(0, 14))
            reviewed = on(sent + timedelta(days=maker.rng.randint(3, 10)), 10)
        elif number < 4 and rng.random() < 0.25:  # sent late
            steps.append(("become_overdue", None, None, on(due + timedelta(days=1), 0, 5)))
            sent = due + timedelta(days=rng.randint(2, 12))
            reviewed = on(sent + timedelta(days=rng.randint(3, 9)), 10)
        else:
            sent = due - timedelta(days=rng.randint(1, 20))
            reviewed = on(sent + timedelta(days=rng.randint(3, 9)), 10)
        walk(ret, steps)
        figures = _vru_figures(rng, per_quarter)
        figures["spend_to_date"] = award.amount_pence * number // 4 * rng.randint(90, 100) // 100
        report(ret, figures, grantee, on(sent, 14))
        walk(
            ret,
            [
                ("send_for_sign_off", grantee, None, on(sent, 15)),
                ("sign_off", signer, None, on(sent, 17)),
                ("accept", maker.officer, None, reviewed),
            ],
        )
        ret.signer_position = "Chief Executive"
    return made[3]


def _vru_figures(rng: random.Random, per_quarter: int) -> dict[str, int]:
    engaged = per_quarter * rng.randint(80, 120) // 100
    return {
        "young_people_engaged": engaged,
        "young_people_completed": engaged * rng.randint(55, 85) // 100,
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


def moj_later_figures(
    figures: Mapping[tuple[str, int], dict[str, int]], year: int
) -> dict[tuple[str, int], dict[str, int]]:
    """A later year's figures for each (strand, quarter): 2022-23's, each cell scaled by one seeded factor
    (so a specialist figure stays within the victims supported, and reported within them too)."""
    rng = random.Random(f"{SEED}-{year}")
    later = {}
    for cell in sorted(figures):
        factor = 100 + rng.randint(-8, 14)
        later[cell] = {metric: value * factor // 100 for metric, value in figures[cell].items()}
    return later


Event = tuple[str, Any, "str | None", datetime, "str | None", str]


def moj_returns(
    strands: Sequence[tuple[str, str, int]],
    maker: Any,
    year: int,
    figures: Mapping[tuple[str, int], Mapping[str, int]],
    unsent: Sequence[str] = (),
) -> int:
    """Each MoJ strand's four quarterly returns of the financial year starting in `year`, as the plan made them
    when the allocation was accepted, walked in bulk (the rows updated and their audit trail written
    directly, a few statements for 288 returns): opened, filled in (every section of the MoJ form, with
    `figures`), signed off by the provider's chief executive, or recorded by the officer for a public body
    that sends its figures by email, and accepted. The strands in `unsent` stopped sending after Q2: their
    Q3 and Q4 returns are overdue. Returns already walked are left alone; returns how many were walked.
    """
    suffix = f"-{year % 100:02d}"
    awards = {
        award.public_reference: award
        for award in db.session.scalars(
            select(Award).where(Award.public_reference.in_([f"{ref}{suffix}" for ref, _k, _p in strands]))
        )
    }
    waiting: dict[int, list[MonitoringReturn]] = {}
    for ret in db.session.scalars(
        select(MonitoringReturn)
        .where(
            MonitoringReturn.award_id.in_([a.id for a in awards.values()]),
            MonitoringReturn.plan_id.is_not(None),
            MonitoringReturn.state == "scheduled",
        )
        .order_by(MonitoringReturn.sequence)
    ):
        waiting.setdefault(ret.award_id, []).append(ret)
    rng = random.Random(SEED + year - MOJ_YEAR + 1)
    officer = maker.officer
    made: list[tuple[MonitoringReturn, list[Event]]] = []
    filled: list[tuple[MonitoringReturn, Mapping[str, int], Any, datetime]] = []
    metric_rows: list[tuple[int, str, int]] = []
    for reference, _kind, _pence in strands:
        award = awards.get(f"{reference}{suffix}")
        if award is None or award.id not in waiting:
            continue
        provider = db.session.get(Organisation, award.organisation_id)
        assert provider is not None
        filler = maker.member(provider)
        public = provider.org_type == "public_body"
        signer = None if public else _second_member(provider, filler, "Chief Executive")
        for ret in waiting[award.id]:
            due = ret.due_date
            opened = on(ret.opens_on or due, 0, 5)
            sent = on(due - timedelta(days=rng.randint(2, 16)), 15)
            accepted = sent + timedelta(days=rng.randint(3, 9), hours=rng.randint(-4, 2))
            events: list[Event] = [("open", None, None, opened, "scheduled", "open")]
            if reference in unsent and ret.sequence >= 3:
                late = on(due + timedelta(days=1), 0, 5)
                events.append(("become_overdue", None, None, late, "open", "overdue"))
                ret.state, ret.state_changed_at = "overdue", late
                made.append((ret, events))
                continue
            cell = dict(figures[(reference, ret.sequence)])
            cell["spend_to_date"] = award.amount_pence * ret.sequence // 4 * rng.randint(94, 100) // 100
            ret.spend_to_date_pence = cell["spend_to_date"]
            filled.append((ret, cell, filler, sent - timedelta(hours=1)))
            metric_rows += [(ret.id, metric, value) for metric, value in cell.items()]
            if signer is None:
                note = (
                    f"Figures received by email from the provider's performance team on {sent:%-d %B %Y}; "
                    "recorded as sent."
                )
                ret.recorded_by_id, ret.evidence_note, ret.submitted_at = officer.id, note, sent
                events.append(("record_on_behalf", officer, note, sent, "open", "submitted"))
            else:
                signed = sent + timedelta(days=1)
                ret.sent_for_sign_off_by_id = filler.id
                ret.signed_off_by_id, ret.signed_off_at, ret.signer_position = signer.id, signed, "Chief Executive"
                ret.submitted_at = signed
                events += [
                    ("send_for_sign_off", filler, None, sent, "open", "awaiting_sign_off"),
                    ("sign_off", signer, None, signed, "awaiting_sign_off", "submitted"),
                ]
            events.append(("accept", officer, None, accepted, "submitted", "accepted"))
            ret.state, ret.state_changed_at = "accepted", accepted
            ret.reviewed_by_id, ret.reviewed_at = officer.id, accepted
            made.append((ret, events))
    if not made:
        return 0
    db.session.flush()
    audit_rows = [
        {
            "occurred_at": at,
            "actor_id": getattr(actor, "id", None),
            "subject_type": "return",
            "subject_id": ret.id,
            "subject_reference": ret.reference,
            "action": action,
            "from_state": from_state,
            "to_state": to_state,
            "reason": reason,
            "workflow": "monitoring_return",
            "workflow_version": ret.workflow_version,
        }
        for ret, events in made
        for action, actor, reason, at, from_state, to_state in events
    ]
    db.session.execute(insert(AuditEvent), audit_rows)
    _figures(metric_rows)
    return_answers.fill(filled)
    assert all(metric in MOJ_METRICS or metric == "spend_to_date" for _id, metric, _v in metric_rows)
    return len(made)


def moj_returns_2022_to_2024(strands: Sequence[tuple[str, str, int]], maker: Any, unsent: Sequence[str]) -> None:
    """Every MoJ strand's returns of 2022-23 (adding up exactly to MOJ_2022_23), 2023-24 and 2024-25 (later
    years' figures near 2022-23's); the strands in `unsent` never sent their last two of 2024-25."""
    figures = moj_strand_figures(strands)
    moj_returns(strands, maker, MOJ_YEAR, figures)
    moj_returns(strands, maker, MOJ_YEAR + 1, moj_later_figures(figures, MOJ_YEAR + 1))
    moj_returns(strands, maker, MOJ_YEAR + 2, moj_later_figures(figures, MOJ_YEAR + 2), unsent)
