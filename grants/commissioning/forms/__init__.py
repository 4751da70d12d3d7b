"""The commissioning area's forms: every POST carries the CSRF token and the version the page showed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class ContractForm(FlaskForm):
    """A POST about one contract: the CSRF token and the contract's version as the page showed it."""

    version_id = HiddenField()
