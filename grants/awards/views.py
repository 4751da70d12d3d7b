"""Pages of the awards area (thin: each view calls a service)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("awards", __name__, url_prefix="/awards")
