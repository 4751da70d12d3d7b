"""The seed: programmes, their standard agreement terms and vocabulary terms from reference.toml, and the
monitoring returns' forms (grants/monitoring/question_sets/*.toml), where missing.

Production runs it too (`flask --app wsgi grantflow setup`). It is idempotent: each row is looked up by
its code (a programme) or its vocabulary and code (a term) and made only if it is missing; a row that
exists is never changed, so an admin's later edit of a name or label survives a re-run. A programme's
agreement terms and its monitoring plan (grants/monitoring/plans/<code>.toml) get version 1 only if
the programme has no version at all, so an admin's edit (a newer version) stands too. It creates no
organisation, person, round or application: those are real users' work, or the demo's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from grants.agreement_terms import standard_text
from grants.apply.questions import QuestionSetDefinition, QuestionSetError, load_text
from grants.extensions import db
from grants.models import AgreementTerms, Programme, QuestionSet, Term
from grants.monitoring.metrics import METRICS, MONEY
from grants.monitoring.plans import seed_plans
from grants.reference import reference_data

RETURN_FORMS = Path(__file__).resolve().parent.parent / "monitoring" / "question_sets"


@dataclass
class Seeded:
    """What one run of the seed created: programme codes, (vocabulary, code) of terms, and the codes of
    the programmes given their first agreement terms."""

    programmes: list[str] = field(default_factory=list)
    terms: list[tuple[str, str]] = field(default_factory=list)
    agreement_terms: list[str] = field(default_factory=list)
    monitoring_plans: list[str] = field(default_factory=list)
    question_sets: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Rows created and rows now present, by kind, as integers."""
        return {
            "programmes_created": len(self.programmes),
            "terms_created": len(self.terms),
            "programmes": db.session.scalar(select(func.count()).select_from(Programme)) or 0,
            "terms": db.session.scalar(select(func.count()).select_from(Term)) or 0,
        }


def seed_vocabularies(seeded: Seeded | None = None) -> Seeded:
    """Every vocabulary's terms (districts, areas of focus, priorities, themes, budget streams)."""
    seeded = seeded or Seeded()
    for vocabulary, terms in reference_data()["vocabularies"].items():
        existing = set(db.session.scalars(select(Term.code).where(Term.vocabulary == vocabulary)))
        for position, term in enumerate(terms):
            if term["code"] in existing:
                continue
            db.session.add(
                Term(
                    vocabulary=vocabulary,
                    code=term["code"],
                    label=term["label"],
                    position=position,
                    external_code=term.get("external_code"),
                )
            )
            seeded.terms.append((vocabulary, term["code"]))
    db.session.flush()
    return seeded


def seed_programmes(seeded: Seeded | None = None) -> Seeded:
    """The programmes (MSCF, VRU, MoJ) with their kind, budget stream, budget and dates."""
    seeded = seeded or Seeded()
    existing = set(db.session.scalars(select(Programme.code)))
    for spec in reference_data()["programmes"]:
        if spec["code"] in existing:
            continue
        db.session.add(Programme(**spec))
        seeded.programmes.append(spec["code"])
    db.session.flush()
    return seeded


def seed_agreement_terms(seeded: Seeded | None = None) -> Seeded:
    """Version 1 of the standard agreement terms, for each programme of the file that has no version yet."""
    seeded = seeded or Seeded()
    codes = [spec["code"] for spec in reference_data()["programmes"]]
    with_terms = select(AgreementTerms.programme_id)
    missing = db.session.execute(
        select(Programme.id, Programme.code).where(Programme.code.in_(codes), Programme.id.not_in(with_terms))
    ).all()
    for programme_id, code in sorted(missing, key=lambda row: codes.index(row.code)):
        db.session.add(AgreementTerms(programme_id=programme_id, version=1, text=standard_text()))
        seeded.agreement_terms.append(code)
    db.session.flush()
    return seeded


def check_metrics(definition: QuestionSetDefinition, source: str) -> None:
    """Each metric a return's form names is in the catalogue, asked by a question of its kind."""
    for section in definition.sections:
        for question in section.questions:
            if question.metric is None:
                continue
            metric = METRICS.get(question.metric)
            if metric is None:
                raise QuestionSetError(
                    f"{source}: question '{question.key}' names an unknown metric '{question.metric}'"
                )
            if (metric.kind == MONEY) != (question.type == "money"):
                raise QuestionSetError(
                    f"{source}: question '{question.key}' must be a {'money' if metric.kind == MONEY else 'count'} "
                    f"question to record '{metric.key}'"
                )


def seed_return_forms(seeded: Seeded | None = None, folder: Path = RETURN_FORMS) -> Seeded:
    """The monitoring returns' forms (mscf-progress, mscf-final, vru-quarterly, moj-quarterly), each version
    once. A monitoring plan names its returns' form by name; a name and version never change their questions."""
    seeded = seeded or Seeded()
    for path in sorted(folder.glob("*.toml")):
        definition, data = load_text(path.read_text(encoding="utf-8"), path.name)
        check_metrics(definition, path.name)
        exists = db.session.scalar(
            select(QuestionSet.id).where(QuestionSet.name == definition.name, QuestionSet.version == definition.version)
        )
        if exists is not None:
            continue
        db.session.add(
            QuestionSet(name=definition.name, version=definition.version, title=definition.title, definition=data)
        )
        seeded.question_sets.append(f"{definition.name} v{definition.version}")
    db.session.flush()
    return seeded


def seed() -> Seeded:
    """Insert the missing reference data (flushed, not committed); returns what was created."""
    seeded = seed_vocabularies()
    seed_programmes(seeded)
    seed_agreement_terms(seeded)
    seed_return_forms(seeded)
    # Version 1 of each programme's monitoring plan, where it has none (an admin's version stands).
    seeded.monitoring_plans = seed_plans()
    return seeded
