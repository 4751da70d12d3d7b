"""Pages of the reports area (thin: each view calls a service)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
