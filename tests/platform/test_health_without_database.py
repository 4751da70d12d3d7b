"""The health check tells a load balancer when the database is gone (no database needed here)."""

from __future__ import annotations

import pytest

from grants import create_app

pytestmark = pytest.mark.unit


def test_health_check_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
    )

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
