"""The seed: programmes and vocabulary terms from reference.toml, inserted where missing.

Production runs it too (`flask --app wsgi grantflow setup`). It is idempotent: each row is looked up by
its code (a programme) or its vocabulary and code (a term) and made only if it is missing; a row that
exists is never changed, so an admin's later edit of a name or label survives a re-run. It creates no
organisation, person, round or application: those are real users' work, or the demo's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Programme, Term
from grants.reference import reference_data


@dataclass
class Seeded:
    """What one run of the seed created: programme codes and (vocabulary, code) of terms."""

    programmes: list[str] = field(default_factory=list)
    terms: list[tuple[str, str]] = field(default_factory=list)

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


def seed() -> Seeded:
    """Insert the missing reference data (flushed, not committed); returns what was created."""
    seeded = seed_vocabularies()
    return seed_programmes(seeded)
