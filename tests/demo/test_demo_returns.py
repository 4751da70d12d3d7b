"""The demo's monitoring returns (issue 12, point 11): Round 3's progress and final returns in every state a
user meets, VRU quarterly returns, MoJ 2022-23 quarterly returns from every strand; and the exact split of
the MoJ figures."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from grants.apply import formbuilder
from grants.apply.services import definition_of
from grants.demo import DEMO_PASSWORD
from grants.demo.commissioning_plan import plan
from grants.demo.returns import MOJ_2022_23, moj_strand_figures, share
from grants.extensions import db
from grants.models import AuditEvent, Award, MonitoringReturn, Programme, ReturnMetric, ReturnSection, User
from grants.models.applications import COMPLETED
from grants.returns.filling import ReturnFilling


@pytest.fixture
def loaded(demo_loaded):
    return None


def _returns(code: str) -> list[MonitoringReturn]:
    return list(
        db.session.scalars(
            select(MonitoringReturn)
            .join(Award)
            .join(Programme)
            .where(Programme.code == code)
            .order_by(MonitoringReturn.id)
        )
    )


# -- pure: the MoJ figures shared out ----------------------------------------------------------------------------
def test_share_is_exact_proportional_and_respects_caps():
    assert share(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert share(10, {"a": 3, "b": 1}, {"a": 2, "b": 100}) == {"a": 2, "b": 8}
    with pytest.raises(ValueError):
        share(10, {"a": 1}, {"a": 9})


def test_moj_figures_add_up_exactly_and_each_return_is_possible():
    strands = [(s.reference, s.kind, s.allocations[2022].decided_pence) for s in plan().strands]

    figures = moj_strand_figures(strands)

    assert len(figures) == 72 * 4
    for metric, total in MOJ_2022_23.items():
        assert sum(cell[metric] for cell in figures.values()) == total
    for cell in figures.values():
        assert all(value >= 0 for value in cell.values())
        assert cell["reported_before"] + cell["reported_during_or_after"] <= cell["victims_supported"]
        for specialist in ("idva_domestic_abuse", "isva_sexual_abuse", "restorative_justice"):
            assert cell[specialist] <= cell["victims_supported"]
    assert figures == moj_strand_figures(strands)  # the same every time


# -- the loaded demo ---------------------------------------------------------------------------------------------
def test_round3_awards_have_a_progress_and_a_final_return_in_every_state(loaded):
    returns = [r for r in _returns("MSCF") if r.award.public_reference != "MSCF-R3-0001"]
    states = Counter((r.kind, r.state) for r in returns)

    assert states[("progress", "accepted")] >= 60
    assert states[("final", "accepted")] >= 50
    assert states[("final", "overdue")] >= 2
    assert states[("final", "changes_requested")] == 1
    assert states[("final", "awaiting_sign_off")] == 1
    for r in returns:
        assert (r.kind, r.sequence) in {("progress", 1), ("final", 2)}
        assert (r.due_date - r.opens_on).days == 28
    changed = next(r for r in returns if r.state == "changes_requested")
    assert changed.review_comment and "receipts" in changed.review_comment
    waiting = next(r for r in returns if r.state == "awaiting_sign_off")
    assert waiting.sign_off_required and waiting.sent_for_sign_off_by_id is not None
    late = [r for r in returns if r.state == "accepted" and r.submitted_at.date() > r.due_date]
    assert late  # some were sent late and still accepted


def test_round3_returns_report_people_and_spend_within_the_award(loaded):
    for r in _returns("MSCF"):
        if r.state != "accepted" or r.award.public_reference == "MSCF-R3-0001":
            continue
        figures = dict(
            db.session.execute(
                select(ReturnMetric.metric, ReturnMetric.value).where(ReturnMetric.monitoring_return_id == r.id)
            ).all()
        )
        assert figures["people_reached"] > 0
        assert figures["spend_to_date"] == r.spend_to_date_pence <= r.award.amount_pence
        if r.kind == "final" and r.award.state == "closed":
            assert r.spend_to_date_pence == r.award.final_spend_pence


def test_the_last_instalment_still_waits_for_the_final_return(loaded):
    for r in _returns("MSCF"):
        if r.kind == "final" and r.state in ("changes_requested", "awaiting_sign_off", "overdue"):
            tied = [p for p in r.award.payments if p.monitoring_return_id == r.id]
            assert tied and all(p.state in ("scheduled",) for p in tied)


def test_vru_interventions_send_quarterly_returns(loaded):
    returns = _returns("VRU")
    by_award = Counter(r.award_id for r in returns)

    assert set(by_award.values()) == {4} and len(by_award) == 30  # 2022/23's twenty and 2023/24's ten
    assert Counter(r.state for r in returns) == {"accepted": 116, "overdue": 4}
    accepted = [r.id for r in returns if r.state == "accepted"]
    metrics = Counter(
        db.session.scalars(select(ReturnMetric.metric).where(ReturnMetric.monitoring_return_id.in_(accepted)))
    )
    # Every figure the VRU form asks (its required questions include young people completing and spend).
    assert metrics == dict.fromkeys(
        ("young_people_engaged", "young_people_completed", "referrals", "sessions_delivered", "spend_to_date"), 116
    )
    for r in returns:
        if r.state == "accepted":  # the VRU plan asks for sign-off: a second member signed each one
            assert r.sign_off_required and r.signed_off_by_id not in (None, r.sent_for_sign_off_by_id)
            assert r.signer_position == "Chief Executive"


def test_every_moj_strand_returned_each_quarter_of_2022_23_signed_off_or_recorded(loaded):
    returns = [r for r in _returns("MOJ") if r.award.public_reference.endswith("-22")]

    assert len(returns) == 288
    assert {r.state for r in returns} == {"accepted"}
    assert Counter(r.sequence for r in returns) == {1: 72, 2: 72, 3: 72, 4: 72}
    for r in returns:
        assert r.sign_off_required
        signed = r.signed_off_by_id is not None and r.signed_off_by_id != r.sent_for_sign_off_by_id
        assert signed or (r.recorded_by_id is not None and r.evidence_note)
    history = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.subject_type == "return", AuditEvent.subject_id == returns[0].id)
        .order_by(AuditEvent.occurred_at)
    ).all()
    assert history in (
        ["create", "open", "send_for_sign_off", "sign_off", "accept"],
        ["create", "open", "record_on_behalf", "accept"],
    )
    assert [r.period_label for r in returns[:4]] == ["Q1 2022-23", "Q2 2022-23", "Q3 2022-23", "Q4 2022-23"]
    for r in returns:  # walked from open to accepted in order, on the plan's dates
        assert r.opens_on < r.submitted_at.date() <= r.due_date and r.submitted_at < r.reviewed_at


def test_later_moj_years_returned_too_except_the_two_strands_whose_last_instalment_waits(loaded):
    returns = [r for r in _returns("MOJ") if not r.award.public_reference.endswith("-22")]

    assert Counter((r.award.public_reference[-2:], r.state) for r in returns) == {
        ("23", "accepted"): 288,
        ("24", "accepted"): 284,
        ("24", "overdue"): 4,
    }
    overdue = [r for r in returns if r.state == "overdue"]
    assert sorted(r.sequence for r in overdue) == [3, 3, 4, 4]
    for r in overdue:
        tied = [p for p in r.award.payments if p.monitoring_return_id == r.id]
        assert r.sequence == 4 or (tied and tied[0].state == "scheduled")


def test_every_demo_return_is_the_one_its_programme_plan_made(loaded):
    returns = list(db.session.scalars(select(MonitoringReturn)))
    forms = {
        "MSCF": {"progress": "mscf-progress", "final": "mscf-final"},
        "VRU": {"quarterly": "vru-quarterly"},
        "MOJ": {"quarterly": "moj-quarterly"},
    }

    # MoJ: 72 strands x 3 years x 4 quarters; VRU: (20 + 10) x 4; MSCF: 72 awards accepted (one of 73 declined) x 2.
    assert len(returns) == 864 + 120 + 2 * 72
    for r in returns:
        assert r.plan_id is not None and r.plan.programme_id == r.award.programme_id
        assert r.question_set.name == forms[r.award.programme.code][r.kind]
    # Nothing is left waiting to open: every period is past in the demo's story.
    assert Counter(r.state for r in returns) == {
        "accepted": 1107,
        "overdue": 18,
        "changes_requested": 1,
        "awaiting_sign_off": 1,
        "open": 1,
    }


def _form_keys(r: MonitoringReturn) -> list[str]:
    return [section["key"] for section in r.question_set.definition["sections"]]


def test_every_return_sent_has_each_section_answered_with_its_figures(loaded):
    sent = ("submitted", "accepted", "changes_requested", "awaiting_sign_off")
    returns = list(db.session.scalars(select(MonitoringReturn).where(MonitoringReturn.state.in_(sent))))
    sections = {}
    for row in db.session.scalars(select(ReturnSection).order_by(ReturnSection.id)):
        sections.setdefault(row.monitoring_return_id, {})[row.section_key] = row
    metrics = {}
    for rid, metric, value in db.session.execute(
        select(ReturnMetric.monitoring_return_id, ReturnMetric.metric, ReturnMetric.value)
    ):
        metrics.setdefault(rid, {})[metric] = value

    assert set(sections) == {r.id for r in returns}  # no unsent return has answers
    for r in returns:
        answered = sections[r.id]
        assert list(answered) == _form_keys(r) and {s.status for s in answered.values()} == {COMPLETED}
        asked = {}
        for section in r.question_set.definition["sections"]:
            for question in section["questions"]:
                if question.get("metric"):
                    value = answered[section["key"]].answers["values"][question["key"]]
                    if value is not None:
                        asked[question["metric"]] = value
        assert asked == metrics[r.id], r.reference
        assert r.spend_to_date_pence == metrics[r.id]["spend_to_date"] <= r.award.amount_pence
        narrative = [v for row in answered.values() for v in row.answers["values"].values() if isinstance(v, str)]
        assert all("{" not in text for text in narrative) and any(len(text) > 40 for text in narrative)


@pytest.mark.parametrize("code", ["MSCF", "VRU", "MOJ"])
def test_the_demo_answers_are_what_the_form_engine_keeps_from_what_was_typed(app, loaded, code, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    returns = [r for r in _returns(code) if r.state == "accepted"][:3] + [
        r for r in _returns(code) if r.state == "accepted"
    ][-2:]
    for r in returns:
        definition = definition_of(r.question_set)
        fill = ReturnFilling(r)
        for row in r.sections:
            section = definition.section(row.section_key)
            with app.test_request_context():
                form = formbuilder.build_form(
                    section, fill.context({}), formbuilder.formdata_from_raw(row.answers["raw"])
                )
                assert form.validate(), (r.reference, row.section_key, form.errors)
                assert formbuilder.values_from_form(form, section) == row.answers["values"]


def test_a_grantee_sees_the_answers_of_a_return_they_sent(loaded, client, sign_in):
    r = next(r for r in _returns("VRU") if r.state == "accepted")
    filler = db.session.get(User, r.sent_for_sign_off_by_id)

    sign_in(filler, DEMO_PASSWORD)
    page = client.get(f"/returns/{r.id}").get_data(as_text=True)

    engaged = db.session.scalar(
        select(ReturnMetric.value).where(
            ReturnMetric.monitoring_return_id == r.id, ReturnMetric.metric == "young_people_engaged"
        )
    )
    narrative = next(s for s in r.sections if s.section_key == "narrative").answers["values"]["narrative"]
    assert "accepted" in page.lower()
    assert f"{engaged:,}" in page or str(engaged) in page
    assert narrative.split(".")[0] in page


def test_the_demo_grantee_has_an_open_return_to_fill_and_a_chair_to_sign_it_off(loaded, client, sign_in):
    award = db.session.scalar(select(Award).where(Award.public_reference == "MSCF-R3-0001"))
    final = db.session.scalar(
        select(MonitoringReturn).where(MonitoringReturn.award_id == award.id, MonitoringReturn.kind == "final")
    )
    filler = db.session.scalar(select(User).where(User.email == "caldervalleyboxingclubci@example.org"))
    chair = db.session.scalar(select(User).where(User.email == "signoff.caldervalleyboxingclubci@example.org"))

    assert final.state == "open" and final.sign_off_required and final.due_date > date.today()
    assert not final.sections
    tied = [p for p in award.payments if p.monitoring_return_id == final.id]
    assert tied and tied[0].state == "scheduled"
    moved = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.subject_type == "return",
            AuditEvent.subject_id == final.id,
            AuditEvent.action == "due_date_moved",
        )
    )
    assert moved is not None and "coach" in moved.reason
    assert {m.organisation_id for m in chair.memberships} == {award.organisation_id}
    sign_in(filler, DEMO_PASSWORD)
    page = client.get(f"/returns/{final.id}").get_data(as_text=True)
    assert "What the project delivered" in page  # its task list, to fill in now


def test_each_programme_has_a_lead(loaded):
    assert db.session.scalar(select(func.count()).select_from(Programme).where(Programme.lead_user_id.is_(None))) == 0
