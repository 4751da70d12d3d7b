"""Prometheus metrics (prometheus_client): requests per route, method and status with their latency,
and gauges worked out when Prometheus scrapes (the outbox, the scheduler's heartbeat).

Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR to an empty folder each worker can
write: the request metrics then live in files there and a scrape of any worker adds them all up
(prometheus_client's multiprocess mode). Without it each process counts alone (`make run`, tests).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask, current_app
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from grants.extensions import db
from grants.jobs.services import figures as job_figures
from grants.models.base import utcnow
from grants.observability import services

log = logging.getLogger(__name__)
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "<unmatched>"  # a 404's route: never the raw path, which may carry ids or personal data


@dataclass(frozen=True)
class RequestMetrics:
    registry: CollectorRegistry | None  # None in multiprocess mode: the values live in files
    requests: Counter
    latency: Histogram

    def observe(self, route: str | None, method: str, status: int, seconds: float) -> None:
        labels = (route or UNMATCHED, method, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR))


def init_app(app: Flask) -> None:
    disable_created_metrics()  # no *_created series beside each counter: noise on a scrape
    registry = None if multiprocess() else CollectorRegistry(auto_describe=True)
    labels = ("route", "method", "status")
    app.extensions["request_metrics"] = RequestMetrics(
        registry,
        Counter(
            "grantflow_http_requests",
            "Requests answered, by route (URL rule), method and status",
            labels,
            registry=registry,
        ),
        Histogram(
            "grantflow_http_request_duration_seconds",
            "Time to answer a request, by route, method and status",
            labels,
            registry=registry,
        ),
    )


def request_metrics(app: Flask) -> RequestMetrics:
    return app.extensions["request_metrics"]  # type: ignore[no-any-return]


class ServiceGauges(Collector):
    """Read from the database at scrape time, so every web process reports the same figures."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("grantflow_database_up", "1 when the database answered this scrape")
        try:
            outbox = services.outbox_figures()
            beat = services.last_heartbeat()
            waiting_jobs = job_figures()
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("metrics: the database did not answer")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("grantflow_outbox_unsent_emails", "Emails waiting to be sent", value=outbox.unsent)
        yield GaugeMetricFamily(
            "grantflow_outbox_oldest_unsent_age_seconds",
            "How long the oldest unsent email has waited (0 when none waits)",
            value=outbox.oldest_unsent_seconds,
        )
        yield GaugeMetricFamily(
            "grantflow_outbox_failed_emails", "Emails given up on after retries", value=outbox.failed
        )
        depth = GaugeMetricFamily(
            "grantflow_background_jobs", "Background jobs waiting for a worker or being made", labels=["state"]
        )
        for state, count in sorted(waiting_jobs.items()):
            depth.add_metric([state], count)
        yield depth
        if beat is not None:  # no heartbeat yet: both absent, so absent() alerts
            yield GaugeMetricFamily(
                "grantflow_scheduler_last_run_timestamp_seconds",
                "When the scheduler last recorded its heartbeat (Unix time)",
                value=beat.timestamp(),
            )
            yield GaugeMetricFamily(
                "grantflow_scheduler_last_run_age_seconds",
                "Seconds since the scheduler last recorded its heartbeat",
                value=max((utcnow() - beat).total_seconds(), 0.0),
            )


def exposition() -> bytes:
    """The metrics text: this process's (or, in multiprocess mode, every worker's) request metrics, then
    the gauges read now."""
    if multiprocess():
        requests = CollectorRegistry()
        MultiProcessCollector(requests)
    else:
        requests = request_metrics(current_app).registry  # type: ignore[assignment]
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(ServiceGauges())
    return generate_latest(requests) + generate_latest(gauges)
