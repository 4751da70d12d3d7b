"""The retention schedule: two years after a round closed, the applications it did not fund lose their
answers and files; seven years after a grant ended, its application loses its answers and files and its
returns their written answers, comments and files, keeping their figures; what the reports count stays,
so the committee and MoJ reports do not change; funded bids, bids of rounds closed less than two years
ago, grants ended less than seven years ago and grants still open are untouched; a dry run lists what
would go under which rule and changes nothing; each removal is audited; a second pass does nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import (
    Application,
    ApplicationSection,
    AuditEvent,
    Award,
    Document,
    MonitoringReturn,
    Payment,
    ReturnMetric,
    ReturnSection,
)
from grants.retention import REMOVED
from tests.factories import (
    ApplicationFactory,
    ApplicationSectionFactory,
    AwardFactory,
    DocumentFactory,
    PaymentFactory,
    QuestionSetFactory,
    ReturnFactory,
    ReturnMetricFactory,
    ReturnSectionFactory,
    RoundFactory,
)

TODAY = "2026-12-04"  # seven years before: 4 December 2019
RETURN_FORM = {
    "name": "retention-progress",
    "version": 1,
    "title": "Progress return",
    "sections": [
        {
            "key": "delivery",
            "title": "Delivery",
            "questions": [
                {"key": "delivery_summary", "type": "textarea", "label": "What did you deliver?"},
                {"key": "people_reached", "type": "count", "label": "People reached", "metric": "people_reached"},
                {"key": "spend_to_date", "type": "money", "label": "Spend to date", "metric": "spend_to_date"},
            ],
        }
    ],
}
FIGURES = {"raw": {"people_reached": ["120"], "spend_to_date": ["3000.00"]},
           "values": {"people_reached": 120, "spend_to_date": 300_000}}  # fmt: skip


@pytest.fixture
def rounds(app, tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    folder.mkdir()
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    old = RoundFactory(code="MSCF-R1", state="decided", closes_at=datetime(2024, 12, 1, 12, tzinfo=UTC))
    recent = RoundFactory(programme=old.programme, code="MSCF-R2", state="decided",
                          closes_at=datetime(2024, 12, 5, 12, tzinfo=UTC))  # fmt: skip
    bids = {
        "unsuccessful": ApplicationFactory(round=old, state="unsuccessful", public_reference="MSCF-R1-0001"),
        "withdrawn": ApplicationFactory(round=old, state="withdrawn", public_reference="MSCF-R1-0002"),
        "draft": ApplicationFactory(round=old, state="draft"),
        "funded": ApplicationFactory(round=old, state="approved", public_reference="MSCF-R1-0003"),
        "recent": ApplicationFactory(round=recent, state="unsuccessful", public_reference="MSCF-R2-0001"),
    }
    for name, bid in bids.items():
        ApplicationSectionFactory(application=bid, section_key="contact",
                                  answers={"values": {"contact_name": f"Person of {name}"}})  # fmt: skip
        document = DocumentFactory(application=bid, original_name=f"{name}.pdf")
        (folder / document.stored_name).write_bytes(b"%PDF " + name.encode())
    db.session.commit()
    return {"folder": folder, **bids}


def _grant(folder, form, state: str, ended: datetime, name: str, *, bid_round=None) -> Award:
    """An award in `state` since `ended`, paid, with a return that has figures, words, a comment and a file;
    made on an application (answers, a flag the committee report counts, a file), or an allocation."""
    bid = None
    if bid_round is not None:
        bid = ApplicationFactory(round=bid_round, state="approved", public_reference=f"{bid_round.code}-{name}")
        ApplicationSectionFactory(application=bid, section_key="contact",
                                  answers={"values": {"contact_name": f"Person of {name}"}})  # fmt: skip
        ApplicationSectionFactory(application=bid, section_key="focus",
                                  answers={"raw": {"mental_health": ["yes"], "why": [f"Story of {name}"]},
                                           "values": {"mental_health": "yes", "why": f"Story of {name}"}})  # fmt: skip
        document = DocumentFactory(application=bid, original_name=f"{name}.pdf")
        (folder / document.stored_name).write_bytes(b"%PDF " + name.encode())
    award = AwardFactory(public_reference=f"AWD-{name}", application=bid, state=state, state_changed_at=ended,
                         signatory_name=f"Signer of {name}", signatory_position="Chair")  # fmt: skip
    PaymentFactory(award=award, amount_pence=800_000, state="paid", finance_reference=f"FIN-{name}")
    ret = ReturnFactory(award=award, question_set=form, state="accepted", spend_to_date_pence=300_000,
                        review_comment=f"Spoke to {name}'s coordinator", signer_position="Chair")  # fmt: skip
    said = f"{name} came every week"
    ReturnSectionFactory(monitoring_return=ret, status="completed",
                         answers={"raw": {**FIGURES["raw"], "delivery_summary": [said]},
                                  "values": {**FIGURES["values"], "delivery_summary": said}})  # fmt: skip
    ReturnMetricFactory(monitoring_return_id=ret.id, metric="people_reached", value=120)
    document = DocumentFactory(application=None, monitoring_return_id=ret.id, original_name=f"{name}-evidence.pdf")
    (folder / document.stored_name).write_bytes(b"%PDF evidence of " + name.encode())
    return award


@pytest.fixture
def grants(rounds):
    """Beside the bids: grants ended seven years and a day ago, a day short of seven years, still open."""
    form = QuestionSetFactory(name="retention-progress", definition=RETURN_FORM)
    long_ago = RoundFactory(code="MSCF-R0", state="decided", closes_at=datetime(2012, 6, 1, 12, tzinfo=UTC))
    folder = rounds["folder"]
    made = {
        "expired": _grant(folder, form, "closed", datetime(2019, 12, 3, 12, tzinfo=UTC), "expired", bid_round=long_ago),
        "within": _grant(folder, form, "closed", datetime(2019, 12, 5, 12, tzinfo=UTC), "within", bid_round=long_ago),
        "open": _grant(folder, form, "active", datetime(2013, 1, 1, 12, tzinfo=UTC), "open", bid_round=long_ago),
        "allocation": _grant(folder, form, "cancelled", datetime(2016, 3, 31, 12, tzinfo=UTC), "allocation"),
    }
    db.session.commit()
    return {**rounds, **made}


def _cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["grantflow", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _run(app, *args: str, today: str = TODAY) -> dict:
    return json.loads(_cli(app, "retention", *args, "--today", today, "--format", "json").splitlines()[-1])


def _answers(bid, section: str = "contact") -> dict:
    """One section's answers (a grant's bid has two: without the key, the database picks either)."""
    return db.session.scalar(
        select(ApplicationSection.answers).where(
            ApplicationSection.application_id == bid.id, ApplicationSection.section_key == section
        )
    )


def _files(bid) -> list[str]:
    return list(db.session.scalars(select(Document.stored_name).where(Document.application_id == bid.id)))


def test_the_dry_run_lists_what_would_go_and_changes_nothing(app, rounds):
    report = _run(app, "report")
    assert report["applications"] == 3 and report["files"] == 3
    assert set(report["references"]) == {"MSCF-R1-0001", "MSCF-R1-0002", f"Draft {rounds['draft'].id}"}
    assert _answers(rounds["unsuccessful"]) == {"values": {"contact_name": "Person of unsuccessful"}}
    assert len(list(rounds["folder"].iterdir())) == 5


def test_a_pass_removes_answers_and_files_of_bids_not_funded_two_years_on(app, rounds):
    before = app.test_cli_runner().invoke(args=["grantflow", "report", "committee", "--round", "MSCF-R1",
                                                "--format", "json"]).output  # fmt: skip
    assert json.loads(before.splitlines()[-1])["round"] == "MSCF-R1"
    done = _run(app, "apply")
    assert done["applications"] == 3

    for name in ("unsuccessful", "withdrawn", "draft"):
        bid = db.session.get(Application, rounds[name].id)
        db.session.refresh(bid)
        assert bid.anonymised_at is not None
        assert _answers(bid) == {}
        assert _files(bid) == []
        assert bid.amount_requested_pence == 500_000 and bid.state == rounds[name].state  # the record stays
    for name in ("funded", "recent"):
        assert _answers(rounds[name]) == {"values": {"contact_name": f"Person of {name}"}}
        assert len(_files(rounds[name])) == 1
    assert sorted(path.read_bytes() for path in rounds["folder"].iterdir()) == [b"%PDF funded", b"%PDF recent"]

    after = app.test_cli_runner().invoke(args=["grantflow", "report", "committee", "--round", "MSCF-R1",
                                               "--format", "json"]).output  # fmt: skip
    assert after == before

    audited = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "anonymise")).all()
    assert {row.subject_id for row in audited} == {rounds[n].id for n in ("unsuccessful", "withdrawn", "draft")}
    assert all("two years after its round closed" in row.reason for row in audited)

    assert _run(app, "apply")["applications"] == 0  # nothing left to do
    assert _run(app, "report")["applications"] == 0


def _sections(model, column, holder) -> dict[str, dict]:
    return dict(db.session.execute(select(model.section_key, model.answers).where(column == holder.id)).all())


def _return_of(award) -> MonitoringReturn:
    ret = db.session.scalar(select(MonitoringReturn).where(MonitoringReturn.award_id == award.id))
    db.session.refresh(ret)
    return ret


def _return_files(award) -> list[str]:
    return list(
        db.session.scalars(
            select(Document.original_name)
            .join(MonitoringReturn, MonitoringReturn.id == Document.monitoring_return_id)
            .where(MonitoringReturn.award_id == award.id)
        )
    )


def _untouched(grant, name: str) -> None:
    if grant.application_id is not None:
        assert _answers(grant.application)["values"]["contact_name"] == f"Person of {name}"
        assert len(_files(grant.application)) == 1
    ret = _return_of(grant)
    delivery = _sections(ReturnSection, ReturnSection.monitoring_return_id, ret)["delivery"]
    assert delivery["values"]["delivery_summary"] == f"{name} came every week"
    assert ret.review_comment == f"Spoke to {name}'s coordinator"
    assert _return_files(grant) == [f"{name}-evidence.pdf"]
    assert db.session.get(Award, grant.id).signatory_name == f"Signer of {name}"


def test_the_dry_run_lists_both_rules_and_changes_nothing(app, grants):
    report = _run(app, "report")

    assert report["applications"] == 3 and report["awards"] == 2
    assert {(item["reference"], item["rule"], item["files"]) for item in report["due"]} == {
        ("MSCF-R1-0001", "not funded, 2 years", 1),
        ("MSCF-R1-0002", "not funded, 2 years", 1),
        (f"Draft {grants['draft'].id}", "not funded, 2 years", 1),
        ("AWD-expired", "awarded, 7 years", 2),  # the application's file and the return's
        ("AWD-allocation", "awarded, 7 years", 1),
    }
    assert {item["closed"] for item in report["due"] if item["rule"] == "awarded, 7 years"} == {
        "2019-12-03", "2016-03-31"
    }  # fmt: skip
    text = _cli(app, "retention", "report", "--today", TODAY)
    assert "3 applications not funded, two years after their round closed, and 2 awarded grants" in text
    assert "AWD-expired (awarded, 7 years: MSCF-R0, closed 03 December 2019): 2 files" in text
    assert "MSCF-R1-0001 (not funded, 2 years: MSCF-R1, closed 01 December 2024): 1 files" in text

    for name in ("expired", "within", "open", "allocation"):
        _untouched(grants[name], name)
    assert len(list(grants["folder"].iterdir())) == 5 + 7


def test_seven_years_after_a_grant_ended_its_personal_data_goes_and_the_record_and_figures_stay(app, grants):
    done = _run(app, "apply")
    assert done["awards"] == 2 and done["applications"] == 3

    closed = db.session.get(Award, grants["expired"].id)
    db.session.refresh(closed)
    bid = db.session.get(Application, closed.application_id)
    db.session.refresh(bid)
    assert bid.anonymised_at is not None
    assert _sections(ApplicationSection, ApplicationSection.application_id, bid) == {
        "contact": {},
        "focus": {"raw": {"mental_health": ["yes"]}, "values": {"mental_health": "yes"}},  # the committee counts it
    }
    assert _files(bid) == []
    for grant in ("expired", "allocation"):
        ret = _return_of(grants[grant])
        assert _sections(ReturnSection, ReturnSection.monitoring_return_id, ret) == {"delivery": FIGURES}
        assert ret.review_comment is None and ret.signer_position is None
        assert ret.spend_to_date_pence == 300_000 and ret.state == "accepted"
        figures = select(ReturnMetric.metric, ReturnMetric.value).where(ReturnMetric.monitoring_return_id == ret.id)
        assert db.session.execute(figures).all() == [("people_reached", 120)]
        assert _return_files(grants[grant]) == []
    # the record stays: state, amount, reference, payments
    assert (closed.state, closed.amount_pence, closed.public_reference) == ("closed", 800_000, "AWD-expired")
    assert (closed.signatory_name, closed.signatory_position) == (REMOVED, REMOVED)  # who signed: personal
    paid = db.session.scalar(select(Payment).where(Payment.award_id == closed.id))
    assert (paid.state, paid.amount_pence, paid.finance_reference) == ("paid", 800_000, "FIN-expired")
    assert bid.state == "approved" and bid.amount_requested_pence == 500_000

    # a day short of seven years, and still open however old its round: untouched
    for name in ("within", "open"):
        _untouched(grants[name], name)
    kept = [b"%PDF funded", b"%PDF recent", b"%PDF within", b"%PDF open", b"%PDF evidence of within",
            b"%PDF evidence of open"]  # fmt: skip
    assert sorted(path.read_bytes() for path in grants["folder"].iterdir()) == sorted(kept)

    audited = db.session.execute(
        select(AuditEvent.subject_type, AuditEvent.subject_reference, AuditEvent.actor_id, AuditEvent.reason).where(
            AuditEvent.action == "anonymise", AuditEvent.reason.contains("seven years")
        )
    ).all()
    assert sorted((kind, reference) for kind, reference, _actor, _reason in audited) == sorted(
        [
            ("application", "MSCF-R0-expired"),
            ("award", "AWD-expired"),
            ("return", _return_of(grants["expired"]).reference),
            ("award", "AWD-allocation"),
            ("return", _return_of(grants["allocation"]).reference),
        ]
    )
    assert all(actor is None and reason == "retention: awarded grant, seven years after it ended"
               for _kind, _reference, actor, reason in audited)  # fmt: skip

    assert _run(app, "apply") == {"applications": 0, "awards": 0, "files": 0, "references": [], "due": []}
    assert _run(app, "report")["awards"] == 0


def test_a_grant_still_open_is_never_touched_however_old_its_round(app, grants):
    done = _run(app, "apply", today="2060-01-01")

    assert "AWD-within" in done["references"] and "AWD-open" not in done["references"]
    _untouched(grants["open"], "open")


REPORTS = [
    *(["report", "committee", "--round", code, "--format", "json"] for code in ("MSCF-R1", "MSCF-R2", "MSCF-R3")),
    *(["report", "moj", "--year", year, "--format", "json"] for year in ("2022", "2023")),
]


def test_the_demos_reports_are_the_same_once_every_grant_that_ended_is_past_seven_years(
    app, demo_loaded, tmp_path, monkeypatch
):
    """Last in the module: it loads the demo. In 2040 every demo grant that ended is past its time."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    before = [_cli(app, *args) for args in REPORTS]
    flagged = json.loads(before[0].splitlines()[-1])["by_flag"]["Mental Health"]["awarded"]
    assert flagged > 0  # Round 1's projects saying they support mental health: answers kept for the count

    done = _run(app, "apply", today="2040-01-01")

    ended = Award.state.in_(("closed", "declined", "cancelled"))
    ended_awards = db.session.scalar(select(func.count()).select_from(Award).where(ended))
    assert done["awards"] == ended_awards > 300  # MSCF Rounds 1 to 3, the VRU's and the MoJ's allocations
    said = [
        answers.get("values", {})
        for answers in db.session.scalars(
            select(ReturnSection.answers)
            .join(MonitoringReturn, MonitoringReturn.id == ReturnSection.monitoring_return_id)
            .join(Award, Award.id == MonitoringReturn.award_id)
            .where(ended)
        )
    ]
    assert said and not any(values.get("narrative") for values in said)  # the MoJ returns' words are gone
    assert any(values.get("victims_supported") for values in said)  # their figures stay, and count as before:
    assert [_cli(app, *args) for args in REPORTS] == before
