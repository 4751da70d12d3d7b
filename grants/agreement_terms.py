"""A programme's standard grant agreement terms: the newest version, which new awards start with.

The terms are data (grants.models.AgreementTerms, one row per version): `grantflow setup` puts in
version 1 from grants/setup/reference.toml, an admin's edit on Admin > Programmes adds the next.
An award copies the text when it is prepared (Award.agreement_terms), so a later edit never changes
an award that exists. A programme with no terms yet (made before setup ran, or by a test) gets the
standard text of the reference file, as every award did when the terms were a Python constant.
"""

from __future__ import annotations

from sqlalchemy import select

from grants.extensions import db
from grants.models import AgreementTerms
from grants.reference import reference_data


def standard_text() -> str:
    """The standard terms as the reference file gives them (every programme's version 1)."""
    text: str = reference_data()["standard_agreement_terms"]
    return text


def current_version(programme_id: int) -> AgreementTerms | None:
    """The programme's newest terms, or None if it has none yet."""
    return db.session.scalar(
        select(AgreementTerms)
        .where(AgreementTerms.programme_id == programme_id)
        .order_by(AgreementTerms.version.desc())
        .limit(1)
    )


def terms_for_new_award(programme_id: int) -> str:
    """The text an award prepared now starts with: the programme's newest terms, else the standard text."""
    current = current_version(programme_id)
    return current.text if current is not None else standard_text()
