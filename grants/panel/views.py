"""The panel and the decision maker: moderation, ranking within budget, recommendations, decisions."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("panel", __name__, url_prefix="/panel")
