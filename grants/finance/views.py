"""Pages of the finance area (thin: each view calls a service)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("finance", __name__, url_prefix="/finance")
