"""Officers prepare a round's assessment: screening, criteria, assigning assessors, conflicts."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessing", __name__, url_prefix="/assessing")
