"""Pages of the opendata area (thin: each view calls a service)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("opendata", __name__, url_prefix="/open-data")
