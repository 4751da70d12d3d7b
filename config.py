"""Configuration classes, picked by GRANTFLOW_ENV (development | test | production).

Secrets come from the environment. DATABASE_URL always overrides the database.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# In the instance folder: development's own random key, made once.
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name
MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 12  # characters: a long run of one or two characters is not a secret
TRUE = {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe to start with."""


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY: str | None = None  # never a constant: create_app sets it from secret_key()
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{ROOT / 'instance' / 'grantflow.db'}"
    # No pool pre-ping (a round trip on every request): grants/database.py notices a PostgreSQL connection
    # that went away (a restart) without one, and pings one idle longer than this (docs/decisions.md).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    DATABASE_PING_AFTER_IDLE_SECONDS = float(os.environ.get("DATABASE_PING_AFTER_IDLE_SECONDS", "30"))
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # a slow volunteer's form must not expire under them
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    RATELIMIT_HEADERS_ENABLED = True
    # A moving window: "5 failed sign-ins a minute" means in any 60 seconds. A fixed window begins at the first
    # failure and starts afresh a minute later, so 5 guesses just before its end and 5 just after all got through.
    RATELIMIT_STRATEGY = "moving-window"
    # Several deployments (or test runs) may share one Redis: each counts under its own prefix.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "grantflow")
    # Redis down: requests go on (sign-in still works), each worker counting in its own memory until
    # Redis answers again, and the failure is logged; a rate limit must not take the service down with it.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Failed sign-ins back off per account and per address; a sign-in that works is not counted, so a
    # team behind one office address is never locked out by signing in. Register and password reset
    # count every request per address (SIGN_IN_RATE_LIMIT).
    SIGN_IN_ACCOUNT_LIMIT = "5 per minute;20 per hour"
    SIGN_IN_ADDRESS_LIMIT = "30 per minute;200 per hour"
    SIGN_IN_RATE_LIMIT = "5 per minute"
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "grantflow <no-reply@grantflow.example>")
    SERVICE_NAME = "grantflow"
    SERVICE_URL = os.environ.get("SERVICE_URL", "http://127.0.0.1:5000")
    PASSWORD_RESET_MAX_AGE = 3600
    # Staff are signed out after this long without a request; pages warn IDLE_WARNING_SECONDS before.
    STAFF_IDLE_SECONDS = int(os.environ.get("STAFF_IDLE_SECONDS", str(30 * 60)))
    IDLE_WARNING_SECONDS = 5 * 60
    PAGE_SIZE = 25
    # Application forms from this process's caches: parsed question sets, vocabularies and rendered fields
    # (docs/decisions.md 2026-12-04). Off only for the tests that compare the pages made both ways.
    FORM_CACHES = True
    # Contracts ending within this many months show on the commissioning page and are reminded once.
    COMMISSIONING_END_WARNING_MONTHS = int(os.environ.get("COMMISSIONING_END_WARNING_MONTHS", "6"))
    WORKFLOW_DEFINITIONS_DIR = str(ROOT / "grants" / "definitions")
    DEMO_ALLOWED = True
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(ROOT / "instance" / "uploads"))
    MAX_CONTENT_LENGTH = 40 * 1024 * 1024  # a page may carry three 10MB files and its answers
    TIMEZONE = "Europe/London"
    # Offers: days a grantee has to reply, and days after the offer before the outbox sends a reminder.
    OFFER_RESPONSE_DAYS = int(os.environ.get("OFFER_RESPONSE_DAYS", "28"))
    OFFER_REMINDER_DAYS = int(os.environ.get("OFFER_REMINDER_DAYS", "14"))
    # 360Giving: the publisher's registered identifier prefix and the funder's org-id.
    THREESIXTYGIVING_PREFIX = os.environ.get("THREESIXTYGIVING_PREFIX", "360G-wypcc")
    FUNDER_ORG_ID = os.environ.get("FUNDER_ORG_ID", "GB-LAE-WYCA")
    FUNDER_NAME = os.environ.get("FUNDER_NAME", "West Yorkshire Combined Authority (Mayor of West Yorkshire)")
    # Watching the service (README "Watching the service"; docs/decisions.md 2026-12-04).
    # Request logs: one line per request on stderr, "json" or "console" (readable, for `make run`).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    # /metrics answers a request bearing this token; with none set, only a request from this machine
    # where METRICS_LOCAL_WITHOUT_TOKEN is on (development and test), and nobody in production.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    METRICS_LOCAL_WITHOUT_TOKEN = False
    # /readyz fails when the scheduler's last heartbeat is older than this, where a scheduler is expected.
    SCHEDULER_EXPECTED = os.environ.get("SCHEDULER_EXPECTED", "0").strip().lower() in TRUE
    SCHEDULER_HEARTBEAT_MAX_AGE = int(os.environ.get("SCHEDULER_HEARTBEAT_MAX_AGE", "300"))

    @classmethod
    def database_url(cls) -> str:
        url = os.environ.get("DATABASE_URL") or cls.SQLALCHEMY_DATABASE_URI
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url

    @classmethod
    def check(cls) -> None:
        """Refuse a configuration that must not run."""
        data_encryption_keys()  # every kind of app: a key that cannot seal is refused before any is used

    @classmethod
    def secret_key(cls, instance_path: str) -> str:
        """The key that signs sessions and links: SECRET_KEY from the environment, else (development
        only) a random key made once and kept in the instance folder, readable by its owner alone."""
        if os.environ.get("SECRET_KEY"):
            return os.environ["SECRET_KEY"]
        path = Path(instance_path) / SECRET_KEY_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text(encoding="utf-8").strip()
        key = secrets.token_urlsafe(48)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(key)
        return key


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "console")
    METRICS_LOCAL_WITHOUT_TOKEN = True


_TEST_SECRET = secrets.token_urlsafe(48)


class TestConfig(BaseConfig):
    ENV_NAME = "test"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SERVICE_URL = "http://localhost"
    PASSWORD_HASH_FAST = True
    METRICS_LOCAL_WITHOUT_TOKEN = True
    SCHEDULER_EXPECTED = False
    UPLOAD_FOLDER = os.path.join(tempfile.gettempdir(), "grantflow-test-uploads")

    @classmethod
    def secret_key(cls, instance_path: str) -> str:
        return _TEST_SECRET  # random, one per test process


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    DEMO_ALLOWED = False
    PREFERRED_URL_SCHEME = "https"
    SCHEDULER_EXPECTED = os.environ.get("SCHEDULER_EXPECTED", "1").strip().lower() in TRUE

    @classmethod
    def check(cls) -> None:
        super().check()
        secret = os.environ.get("SECRET_KEY", "")
        if not secret:
            raise ConfigError("production needs SECRET_KEY set in the environment")
        if len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < MIN_SECRET_DISTINCT:
            raise ConfigError(
                f"production's SECRET_KEY must be at least {MIN_SECRET_LENGTH} random characters "
                '(python -c "import secrets; print(secrets.token_urlsafe(48))" makes one)'
            )
        if os.environ.get("FLASK_DEBUG", "").strip().lower() in TRUE:
            raise ConfigError("production refuses FLASK_DEBUG: the debugger runs any code a visitor sends")
        if not os.environ.get("DATABASE_URL"):
            raise ConfigError("production needs DATABASE_URL set in the environment")
        limits_on = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
        if limits_on and os.environ.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
            raise ConfigError(
                "production needs RATELIMIT_STORAGE_URI set to storage every worker shares "
                "(redis://host:6379/0): in memory, each worker counts alone and the limits multiply"
            )

    @classmethod
    def secret_key(cls, instance_path: str) -> str:
        return os.environ["SECRET_KEY"]  # the key check() approved


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def data_encryption_keys() -> str:
    """DATA_ENCRYPTION_KEYS from the environment ("" when unset): comma-separated Fernet keys, the first
    seals and every one opens (grants.models.sealed). Each must be a Fernet key, or the app refuses to start."""
    from cryptography.fernet import Fernet

    raw = os.environ.get("DATA_ENCRYPTION_KEYS", "").strip()
    for number, key in enumerate((part.strip() for part in raw.split(",") if part.strip()), start=1):
        try:
            Fernet(key.encode())
        except ValueError as exc:
            raise ConfigError(
                f"DATA_ENCRYPTION_KEYS: key {number} is not a Fernet key (32 url-safe base64-encoded bytes; "
                'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" makes one)'
            ) from exc
    return raw


def config_for(name: str | None = None) -> type[BaseConfig]:
    name = name or os.environ.get("GRANTFLOW_ENV") or "development"
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise ConfigError(f"GRANTFLOW_ENV must be one of {', '.join(CONFIGS)}; got {name!r}") from exc


def check_unnamed(database_url: str) -> None:
    """With GRANTFLOW_ENV unset the app runs as development, which is only for the embedded SQLite:
    a server database with no environment named is most likely production missing its setting."""
    if not os.environ.get("GRANTFLOW_ENV") and not database_url.startswith("sqlite"):
        raise ConfigError(
            "GRANTFLOW_ENV is not set and the database is not the embedded SQLite: set GRANTFLOW_ENV=production "
            "(or GRANTFLOW_ENV=development to develop against this database)"
        )
