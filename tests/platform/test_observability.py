"""Operators can watch the service: one log line per request, Prometheus metrics behind a token, and a
readiness check that names what is missing (issue 17, item 4)."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event

from grants import create_app
from grants.extensions import db
from grants.models import SchedulerHeartbeat
from grants.models.outbox import FAILED, PENDING, SENDING, SENT
from grants.scheduling import build_scheduler, heartbeat
from tests.factories import OutboxMessageFactory, SchedulerHeartbeatFactory, UserFactory

EMAIL = "ada.lovelace@example.org"
TOKEN = "a-metrics-token-for-prometheus-only"  # noqa: S105 - a test's token


class _RequestLog:
    """The request lines written to stderr so far (each read takes what was written since)."""

    def __init__(self, capsys) -> None:
        self.capsys = capsys
        self.seen: list[str] = []

    def lines(self) -> list[str]:
        written = self.capsys.readouterr().err.splitlines()
        self.seen += [line for line in written if _is_request_line(line)]
        return self.seen

    def clear(self) -> None:
        self.lines()
        self.seen = []


def _is_request_line(line: str) -> bool:
    if line.startswith("{"):
        return '"event": "request"' in line
    return " request " in line and " route=" in line  # the development console's line


@pytest.fixture
def request_log(capsys) -> _RequestLog:
    return _RequestLog(capsys)


def _entries(log: _RequestLog) -> list[dict]:
    return [json.loads(line) for line in log.lines()]


def _sample(client, name: str, **labels: str) -> float:
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


@pytest.fixture
def metrics_token(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)


# -- request logs ------------------------------------------------------------------------------------
def test_a_request_writes_one_json_line_with_its_route_status_and_user(client, sign_in, request_log):
    user = UserFactory(email=EMAIL)
    sign_in(user)
    request_log.clear()

    response = client.get(f"/applications?email={EMAIL}&q=secret-words")

    entries = _entries(request_log)
    assert len(entries) == 1
    entry = entries[0]
    assert entry["event"] == "request"
    assert entry["route"] == "/applications"
    assert entry["method"] == "GET"
    assert entry["status"] == response.status_code == 200
    assert entry["user_id"] == user.id
    assert entry["duration_ms"] >= 0
    assert entry["request_id"] == response.headers["X-Request-ID"]


def test_the_log_line_carries_no_email_address_query_string_or_form(client, sign_in, request_log):
    user = UserFactory(email=EMAIL)
    request_log.clear()

    sign_in(user)  # posts the email address and password
    client.get(f"/applications?email={EMAIL}&q=secret-words")

    written = "\n".join(request_log.lines())
    assert EMAIL not in written
    assert "ada.lovelace" not in written
    assert "secret-words" not in written
    assert "password" not in written.lower()


def test_an_address_with_an_id_is_logged_as_its_route_not_its_path(client, request_log):
    client.get("/cases/application/123456")

    assert _entries(request_log)[-1]["route"] == "/cases/<kind>/<int:case_id>"
    assert "123456" not in request_log.lines()[-1]


def test_the_statement_count_in_the_log_is_the_statements_the_request_ran(client, sign_in, request_log):
    sign_in(UserFactory(email=EMAIL))
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        client.get("/applications")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)

    assert len(seen) > 0
    assert _entries(request_log)[-1]["statements"] == len(seen)


def test_a_sane_incoming_request_id_is_kept_and_echoed(client, request_log):
    response = client.get("/privacy", headers={"X-Request-ID": "lb-7f3a.42:9"})

    assert response.headers["X-Request-ID"] == "lb-7f3a.42:9"
    assert _entries(request_log)[-1]["request_id"] == "lb-7f3a.42:9"


@pytest.mark.parametrize("given", ["has spaces in it", "x" * 129, "id\u00e9", "<script>", "a@b.example"])
def test_an_odd_incoming_request_id_is_replaced_by_a_new_one(client, request_log, given):
    response = client.get("/privacy", headers={"X-Request-ID": given})

    made = response.headers["X-Request-ID"]
    assert made != given
    assert len(made) == 32
    assert _entries(request_log)[-1]["request_id"] == made


def test_a_page_not_found_is_logged_without_its_path(client, request_log):
    client.get("/no-such-page/ada.lovelace@example.org")

    entry = _entries(request_log)[-1]
    assert entry["route"] is None
    assert entry["status"] == 404
    assert "ada.lovelace" not in request_log.lines()[-1]


def test_development_logs_a_readable_line_instead_of_json(database_url, request_log):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url, LOG_FORMAT="console")

    app.test_client().get("/privacy")

    line = request_log.lines()[-1]
    assert not line.startswith("{")
    assert "request" in line
    assert "route=/privacy" in line
    assert "status=200" in line


# -- metrics -----------------------------------------------------------------------------------------
def test_metrics_without_the_token_are_not_found(client, metrics_token):
    assert client.get("/metrics").status_code == 404


def test_metrics_with_another_token_are_not_found(client, metrics_token):
    response = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})

    assert response.status_code == 404
    assert b"grantflow_" not in response.data


def test_metrics_with_the_token_are_the_prometheus_text(client, metrics_token):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    assert "# TYPE grantflow_http_requests_total counter" in response.get_data(as_text=True)


def test_with_no_token_set_metrics_answer_only_this_machine_where_allowed(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "")

    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1; test config allows it
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    monkeypatch.setitem(app.config, "METRICS_LOCAL_WITHOUT_TOKEN", False)  # as production is
    assert client.get("/metrics").status_code == 404


def test_a_request_to_a_page_counts_under_its_route_and_status(client, metrics_token):
    before = _sample(client, "grantflow_http_requests_total", route="/privacy", method="GET", status="200")

    client.get("/privacy")
    client.get("/privacy")

    after = _sample(client, "grantflow_http_requests_total", route="/privacy", method="GET", status="200")
    assert after - before == 2
    latency = _sample(client, "grantflow_http_request_duration_seconds_count", route="/privacy", status="200")
    assert latency >= 2


def test_the_outbox_gauges_count_unsent_and_failed_emails_and_the_oldest_wait(client, metrics_token):
    now = datetime.now(UTC)
    OutboxMessageFactory(status=PENDING, created_at=now - timedelta(minutes=10))
    OutboxMessageFactory(status=SENDING, created_at=now - timedelta(minutes=1))
    OutboxMessageFactory(status=FAILED, created_at=now - timedelta(days=3))
    OutboxMessageFactory(status=SENT, created_at=now - timedelta(days=9))

    assert _sample(client, "grantflow_outbox_unsent_emails") == 2
    assert _sample(client, "grantflow_outbox_failed_emails") == 1
    assert 600 <= _sample(client, "grantflow_outbox_oldest_unsent_age_seconds") < 900


def test_an_empty_outbox_has_waited_no_time(client, metrics_token):
    OutboxMessageFactory(status=SENT)

    assert _sample(client, "grantflow_outbox_unsent_emails") == 0
    assert _sample(client, "grantflow_outbox_oldest_unsent_age_seconds") == 0


def test_the_scheduler_gauges_show_its_last_heartbeat(client, metrics_token):
    beat = datetime.now(UTC) - timedelta(seconds=90)
    SchedulerHeartbeatFactory(name="scheduler", beat_at=beat)

    assert _sample(client, "grantflow_scheduler_last_run_timestamp_seconds") == pytest.approx(beat.timestamp(), abs=1)
    assert 90 <= _sample(client, "grantflow_scheduler_last_run_age_seconds") < 150


# -- readiness ---------------------------------------------------------------------------------------
def test_ready_when_the_database_answers_and_nothing_else_is_expected(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "not configured", "scheduler": "not expected"},
        "failing": [],
    }


def test_ready_when_the_expected_scheduler_beat_recently(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_EXPECTED", True)
    SchedulerHeartbeatFactory(name="scheduler", beat_at=datetime.now(UTC) - timedelta(minutes=2))

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json()["checks"]["scheduler"] == "ok"


def test_not_ready_when_the_expected_schedulers_heartbeat_is_stale(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_EXPECTED", True)
    SchedulerHeartbeatFactory(name="scheduler", beat_at=datetime.now(UTC) - timedelta(minutes=6))

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error"
    assert body["failing"] == ["scheduler"]
    assert body["checks"]["scheduler"].startswith("stale: last heartbeat 3")


def test_not_ready_when_the_expected_scheduler_never_beat(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_EXPECTED", True)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["checks"]["scheduler"] == "no heartbeat yet"


@pytest.mark.unit
def test_not_ready_when_the_database_is_unreachable():
    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
        SCHEDULER_EXPECTED=True,
    )

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["database", "scheduler"]
    assert body["checks"]["database"] == "unreachable"
    assert body["checks"]["scheduler"] == "unknown: the database is unreachable"


def test_not_ready_when_the_configured_redis_does_not_answer(database_url):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["failing"] == ["redis"]
    assert response.get_json()["checks"]["redis"] == "unreachable"


def _redis_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_listening(), reason="no Redis on 127.0.0.1:6379")
def test_ready_when_the_configured_redis_answers(database_url):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")

    response = app.test_client().get("/readyz")

    assert response.status_code == 200
    assert response.get_json()["checks"]["redis"] == "ok"


def test_the_health_check_keeps_its_contract_beside_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


# -- the scheduler's heartbeat -----------------------------------------------------------------------
def test_the_scheduler_job_records_its_heartbeat(app, committed_db):
    before = datetime.now(UTC)

    heartbeat(app)
    heartbeat(app)

    beats = db.session.query(SchedulerHeartbeat).all()
    assert [beat.name for beat in beats] == ["scheduler"]
    assert beats[0].beat_at >= before - timedelta(seconds=1)
    assert beats[0].host == socket.gethostname()


def test_the_scheduler_beats_at_once_and_then_every_minute(app):
    job = build_scheduler(app).get_job("heartbeat")

    assert job is not None
    assert job.trigger.interval == timedelta(minutes=1)
    assert job.next_run_time is not None
    assert job.next_run_time <= datetime.now(UTC) + timedelta(seconds=1)
