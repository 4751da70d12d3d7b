"""`grantflow setup`: the reference data every environment needs, inserted where missing, never overwritten."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from grants import create_app
from grants.auth.services import find_user
from grants.extensions import db
from grants.models import Application, Award, Membership, Organisation, Programme, RoleGrant, Round, Term, User
from grants.reference import reference_data
from grants.setup.seed import seed

VOCABULARIES = {
    "district": 5,
    "area_of_focus": 8,
    "priority": 4,
    "theme": 3,
    "budget_stream": 5,
    "service_type": 8,
    "setting": 7,
}
TERMS = sum(VOCABULARIES.values())
REAL_WORK = (Organisation, User, Membership, RoleGrant, Round, Application, Award)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables
    }


def _setup(runner, *args: str):
    result = runner.invoke(args=["grantflow", "setup", *args])
    assert result.exit_code == 0, result.output
    return result


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_setup_creates_the_three_programmes_with_their_budgets_and_dates(runner):
    _setup(runner)

    programmes = {p.code: p for p in db.session.scalars(select(Programme))}
    assert {"MSCF", "VRU", "MOJ"} <= set(programmes)
    assert (programmes["MSCF"].name, programmes["MSCF"].kind) == ("Mayor's Safer Communities Fund", "grant_rounds")
    assert (programmes["VRU"].kind, programmes["VRU"].budget_pence) == ("commissioning", 230_000_000)
    assert (programmes["MOJ"].kind, programmes["MOJ"].budget_pence) == ("sub_grant", 1_400_000_000)
    assert str(programmes["MOJ"].starts_on) == "2022-04-01" and str(programmes["MOJ"].ends_on) == "2025-03-31"
    assert programmes["MOJ"].budget_stream == "victims_of_crime"


def test_setup_creates_every_vocabulary_in_order_with_the_districts_ons_codes(runner):
    _setup(runner)

    for vocabulary, count in VOCABULARIES.items():
        terms = list(db.session.scalars(select(Term).where(Term.vocabulary == vocabulary).order_by(Term.position)))
        assert len(terms) == count, vocabulary
        assert [t.code for t in terms] == [t["code"] for t in reference_data()["vocabularies"][vocabulary]]
    leeds = db.session.scalar(select(Term).where(Term.vocabulary == "district", Term.code == "leeds"))
    assert (leeds.label, leeds.external_code) == ("Leeds", "E08000035")


def test_setup_twice_gives_the_same_rows(runner):
    _setup(runner)
    after_first = _row_counts()

    second = _last_json(_setup(runner, "--format", "json").output)

    assert _row_counts() == after_first
    assert (second["programmes_created"], second["terms_created"]) == (0, 0)
    pairs = list(db.session.execute(select(Term.vocabulary, Term.code)))
    assert len(pairs) == len(set(pairs))
    codes = list(db.session.scalars(select(Programme.code)))
    assert len(codes) == len(set(codes))


def test_setup_creates_no_organisation_person_round_or_application(runner):
    before = {model.__name__: _count(model) for model in REAL_WORK}

    _setup(runner)

    assert {model.__name__: _count(model) for model in REAL_WORK} == before


def test_an_admins_edits_survive_running_setup_again(runner):
    _setup(runner)
    mscf = db.session.scalar(select(Programme).where(Programme.code == "MSCF"))
    mscf.name = "Mayor's Safer Communities Fund (renamed by an admin)"
    leeds = db.session.scalar(select(Term).where(Term.vocabulary == "district", Term.code == "leeds"))
    leeds.label = "Leeds (edited)"
    db.session.commit()

    _setup(runner)
    db.session.expire_all()

    assert db.session.scalar(select(Programme.name).where(Programme.code == "MSCF")) == (
        "Mayor's Safer Communities Fund (renamed by an admin)"
    )
    assert db.session.scalar(select(Term.label).where(Term.vocabulary == "district", Term.code == "leeds")) == (
        "Leeds (edited)"
    )


def test_a_deleted_term_comes_back_and_nothing_else_is_added(runner):
    _setup(runner)
    theme = db.session.scalar(select(Term).where(Term.vocabulary == "theme", Term.code == "early_intervention"))
    db.session.delete(theme)
    db.session.commit()

    payload = _last_json(_setup(runner, "--format", "json").output)

    assert (payload["programmes_created"], payload["terms_created"]) == (0, 1)
    assert _count(Term) == TERMS


def test_the_json_last_line_counts_what_was_created_and_what_there_is_as_integers(runner):
    result = _setup(runner, "--format", "json")

    payload = _last_json(result.output)
    assert set(payload) == {"programmes_created", "terms_created", "programmes", "terms"}
    assert all(isinstance(value, int) and not isinstance(value, bool) for value in payload.values())
    assert (payload["programmes_created"], payload["terms_created"]) == (3, TERMS)
    assert (payload["programmes"], payload["terms"]) == (_count(Programme), _count(Term))
    assert f"3 programmes and {TERMS} vocabulary terms added" in result.output


def test_seed_returns_what_it_created_and_nothing_the_second_time():
    first = seed()
    second = seed()

    assert sorted(first.programmes) == ["MOJ", "MSCF", "VRU"]
    assert len(first.terms) == TERMS and ("district", "leeds") in first.terms
    assert (second.programmes, second.terms) == ([], [])


def test_production_runs_setup_but_still_refuses_the_demo(monkeypatch, tmp_path):
    from flask_migrate import upgrade

    monkeypatch.setenv("GRANTFLOW_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-for-this-test")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.db'}")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
    production = create_app()

    with production.app_context():
        upgrade()
        cli = production.test_cli_runner()
        setup = cli.invoke(args=["grantflow", "setup", "--format", "json"])
        demo = cli.invoke(args=["grantflow", "demo"])

        assert setup.exit_code == 0, setup.output
        assert _last_json(setup.output)["programmes"] == 3
        assert demo.exit_code != 0
        assert "refused in production" in demo.output
        assert find_user("admin@example.org") is None
        assert _count(Organisation) == _count(Round) == 0
        db.session.remove()
