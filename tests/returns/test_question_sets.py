"""The returns' forms as data: each shipped form loads, names only catalogue metrics with questions of
their kind, keeps the section keys other parts rely on; setup loads them once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grants.apply.questions import QuestionSetError, load_text, parse
from grants.extensions import db
from grants.models import QuestionSet
from grants.monitoring.metrics import MOJ_METRICS
from grants.setup.seed import RETURN_FORMS, check_metrics, seed_return_forms

SECTION_KEYS = {
    "mscf-progress": ["delivery", "reach", "spend", "outcomes", "case_study", "risks", "equality", "evidence"],
    "mscf-final": ["delivery", "reach", "spend", "outcomes", "learning", "case_study", "evidence"],
    "vru-quarterly": ["young_people", "activity", "spend", "narrative", "risks", "equality"],
    "moj-quarterly": ["victims", "reporting", "support", "spend", "narrative", "risks", "equality"],
}


def _forms():
    return {d.name: d for d in (load_text(p.read_text(), p.name)[0] for p in sorted(RETURN_FORMS.glob("*.toml")))}


@pytest.mark.unit
def test_every_return_form_keeps_its_section_keys_and_names_catalogue_metrics():
    forms = _forms()

    assert {name: [s.key for s in d.sections] for name, d in forms.items()} == SECTION_KEYS
    for name, definition in forms.items():
        check_metrics(definition, name)  # raises on an unknown metric or a question of the wrong kind
        metrics = {q.metric for s in definition.sections for q in s.questions if q.metric}
        assert "spend_to_date" in metrics, name
    moj = {q.metric for s in forms["moj-quarterly"].sections for q in s.questions if q.metric}
    assert set(MOJ_METRICS) <= moj
    total = forms["mscf-final"].section("spend").question("total_spend")
    assert (total.metric, total.maximum) == ("spend_to_date", "award.amount")


def _form(question: dict) -> dict:
    return {"name": "x", "version": 1, "title": "X", "sections": [{"key": "s", "questions": [question]}]}


@pytest.mark.unit
def test_a_metric_on_a_text_question_or_an_unknown_metric_is_refused():
    with pytest.raises(QuestionSetError, match="only a count or money question"):
        parse(_form({"key": "a", "type": "text", "label": "A", "metric": "people_reached"}))
    definition = parse(_form({"key": "a", "type": "count", "label": "A", "metric": "people_helped"}))
    with pytest.raises(QuestionSetError, match="unknown metric 'people_helped'"):
        check_metrics(definition, "x")
    definition = parse(_form({"key": "a", "type": "count", "label": "A", "metric": "spend_to_date"}))
    with pytest.raises(QuestionSetError, match="must be a money question"):
        check_metrics(definition, "x")


@pytest.mark.unit
def test_a_metric_asked_twice_in_one_form_is_refused():
    data = _form({"key": "a", "type": "count", "label": "A", "metric": "referrals"})
    data["sections"].append(
        {"key": "t", "questions": [{"key": "b", "type": "count", "label": "B", "metric": "referrals"}]}
    )

    with pytest.raises(QuestionSetError, match="metric 'referrals' is asked twice"):
        parse(data)


def test_setup_loads_the_return_forms_once():
    first = seed_return_forms()
    second = seed_return_forms()

    assert sorted(first.question_sets) == [
        "moj-quarterly v1",
        "mscf-final v1",
        "mscf-progress v1",
        "vru-quarterly v1",
    ]
    assert second.question_sets == []
    count = db.session.scalar(select(func.count()).select_from(QuestionSet).where(QuestionSet.name == "moj-quarterly"))
    assert count == 1
