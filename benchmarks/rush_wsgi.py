"""BENCHMARK-ONLY WSGI entry point: the production app with sign-in rate limiting switched off.

Never deploy this. It exists because benchmarks/deadline_rush.py sends every simulated
applicant from 127.0.0.1, and production limits sign-in to 5 a minute per IP address
(SIGN_IN_RATE_LIMIT), so all but the first few would get 429. config.py does not read
RATELIMIT_ENABLED from the environment; with that one-line change
(``RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"`` in BaseConfig)
the benchmark could serve plain ``wsgi:app`` with ``RATELIMIT_ENABLED=0`` instead.

Everything else is as ``wsgi.py`` builds it: GRANTFLOW_ENV, SECRET_KEY and DATABASE_URL
come from the environment. Flask-Limiter reads RATELIMIT_ENABLED once, in init_app, so
it is passed to create_app (which applies overrides before the extensions start) rather
than set on app.config afterwards.

    gunicorn -w 2 -b 127.0.0.1:8123 benchmarks.rush_wsgi:app
"""

from grants import create_app

app = create_app(RATELIMIT_ENABLED=False)
