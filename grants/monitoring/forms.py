"""The monitoring area's forms: every POST carries the CSRF token and the version the page showed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class ActionForm(FlaskForm):
    """Any POST of the area: the CSRF token, and the version of the row the page showed."""

    version_id = HiddenField()


def summary_of(errors: dict[str, str], *, prefix: str = "") -> list[dict[str, str]]:
    """GOV.UK error summary items, each linking to the field it is about."""
    return [{"text": message, "href": f"#{prefix}{key}"} for key, message in errors.items()]
