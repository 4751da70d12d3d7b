"""Configuration: production refuses unsafe settings; DATABASE_URL picks the database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import config
from config import ConfigError, config_for
from grants import create_app
from workflows import DefinitionError

PRODUCTION_SECRET = "a-long-random-production-secret-for-these-tests"  # noqa: S105


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    """Everything production needs, from the environment; tests take one piece away."""
    monkeypatch.setenv("GRANTFLOW_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", PRODUCTION_SECRET)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.db'}")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
    return monkeypatch


@pytest.mark.parametrize("storage", [None, "memory://"])
def test_production_refuses_rate_limits_each_worker_counts_alone(production_env, storage):
    if storage is None:
        production_env.delenv("RATELIMIT_STORAGE_URI")
    else:
        production_env.setenv("RATELIMIT_STORAGE_URI", storage)

    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI set to storage every worker shares"):
        create_app("production")


def test_production_refuses_to_start_without_a_secret_key(production_env):
    production_env.delenv("SECRET_KEY")

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production")


@pytest.mark.parametrize(
    "secret",
    ["x", "   ", "change-me", "a" * 64, "abababababababababababababababababab", "0123456789" * 2],
    ids=["one character", "spaces", "a word", "one character repeated", "two characters repeated", "short"],
)
def test_production_refuses_a_short_or_guessable_secret_key(production_env, secret):
    production_env.setenv("SECRET_KEY", secret)

    with pytest.raises(ConfigError, match="at least 32 random characters"):
        create_app("production")


@pytest.mark.parametrize("value", ["1", "true", "True", " yes "])
def test_production_refuses_debug_mode(production_env, value):
    production_env.setenv("FLASK_DEBUG", value)

    with pytest.raises(ConfigError, match="FLASK_DEBUG"):
        create_app()


def test_with_no_environment_named_a_server_database_is_refused(monkeypatch):
    monkeypatch.delenv("GRANTFLOW_ENV", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://grants@db.internal:5432/grantflow")

    with pytest.raises(ConfigError, match="GRANTFLOW_ENV is not set and the database is not the embedded SQLite"):
        create_app()


def test_with_no_environment_named_the_embedded_sqlite_runs_as_development(monkeypatch, tmp_path):
    monkeypatch.delenv("GRANTFLOW_ENV", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'dev.db'}")

    assert create_app().config["ENV_NAME"] == "development"


def test_development_without_a_secret_key_makes_a_random_one_once_and_keeps_it_private(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    other = tmp_path / "elsewhere"

    first = config.DevelopmentConfig.secret_key(str(tmp_path))
    again = config.DevelopmentConfig.secret_key(str(tmp_path))
    elsewhere = config.DevelopmentConfig.secret_key(str(other))

    assert first == again and len(first) >= 60 and elsewhere != first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first not in Path(config.__file__).read_text(encoding="utf-8")


def test_no_secret_key_is_written_in_the_code():
    source = Path(config.__file__).read_text(encoding="utf-8")

    assert "SECRET_KEY = " not in source.replace("SECRET_KEY: str | None = None", "")


def test_production_refuses_to_start_without_a_database_url(production_env):
    production_env.delenv("DATABASE_URL")

    with pytest.raises(ConfigError, match="DATABASE_URL"):
        create_app("production")


def test_grantflow_env_production_applies_the_production_checks(production_env):
    production_env.delenv("SECRET_KEY")

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_an_unknown_grantflow_env_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("GRANTFLOW_ENV", "staging")

    with pytest.raises(ConfigError, match="GRANTFLOW_ENV"):
        create_app()


def test_production_sends_the_session_cookie_only_over_https(production_env):
    app = create_app("production")

    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_production_tells_browsers_to_use_https_only(production_env):
    app = create_app("production")

    response = app.test_client().get("/accessibility")

    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_signs_sessions_with_the_secret_key_it_checked(production_env):
    app = create_app("production")

    assert app.config["SECRET_KEY"] == PRODUCTION_SECRET


def test_database_url_overrides_the_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/elsewhere.db")

    assert config_for("development").database_url() == "sqlite:////tmp/elsewhere.db"


def test_without_database_url_development_uses_the_sqlite_file_in_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    assert config_for("development").database_url() == f"sqlite:///{config.ROOT / 'instance' / 'grantflow.db'}"


@pytest.mark.parametrize(
    "url",
    ["postgres://grants:pw@db.internal:5432/grantflow", "postgresql://grants:pw@db.internal:5432/grantflow"],
)
def test_a_heroku_style_postgres_url_is_driven_by_psycopg_3(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)

    assert config_for("development").database_url() == "postgresql+psycopg://grants:pw@db.internal:5432/grantflow"


def test_a_broken_workflow_definition_stops_the_app_starting_and_names_the_file(app, tmp_path):
    for source in Path(app.config["WORKFLOW_DEFINITIONS_DIR"]).glob("*.toml"):
        shutil.copy(source, tmp_path / source.name)
    broken = tmp_path / "award.v1.toml"
    broken.write_text(broken.read_text(encoding="utf-8").replace('roles = ["', 'roles = ["wizard", "', 1))

    with pytest.raises(DefinitionError, match=r"award\.v1\.toml: transition '\w+' names unknown role 'wizard'"):
        create_app("test", WORKFLOW_DEFINITIONS_DIR=str(tmp_path))


def test_a_definition_naming_an_unregistered_guard_or_tag_stops_the_app_and_names_both(app, tmp_path):
    for source in Path(app.config["WORKFLOW_DEFINITIONS_DIR"]).glob("*.toml"):
        shutil.copy(source, tmp_path / source.name)
    broken = tmp_path / "payment.v2.toml"
    text = broken.read_text(encoding="utf-8")
    text = text.replace('"within_unpaid_balance"', '"moon_is_full"', 1)
    text = text.replace('tags = ["live"]', 'tags = ["sparkly"]', 1)
    broken.write_text(text, encoding="utf-8")

    with pytest.raises(DefinitionError) as refused:
        create_app("test", WORKFLOW_DEFINITIONS_DIR=str(tmp_path))

    message = str(refused.value)
    assert "payment.v2.toml: transition 'approve' names unknown condition 'moon_is_full'" in message
    assert "payment.v2.toml: state 'scheduled' names unknown tag 'sparkly'" in message


def test_data_encryption_keys_come_from_the_environment_and_seal_what_is_kept(monkeypatch):
    from cryptography.fernet import Fernet

    from grants.models.sealed import seal

    key = Fernet.generate_key().decode()
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", f" {key} ")
    app = create_app("test")
    assert app.config["DATA_ENCRYPTION_KEYS"] == key
    with app.app_context():
        sealed = seal("JBSWY3DPEHPK3PXP")
    assert Fernet(key.encode()).decrypt(sealed.encode()).decode() == "JBSWY3DPEHPK3PXP"  # sealed with that key


@pytest.mark.parametrize("keys", ["not-a-key", "{good},short"], ids=["not a key", "the second too short"])
def test_a_data_encryption_key_that_cannot_seal_stops_the_app_starting(monkeypatch, keys):
    from cryptography.fernet import Fernet

    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", keys.format(good=Fernet.generate_key().decode()))
    number = "2" if "," in keys else "1"
    with pytest.raises(ConfigError, match=f"DATA_ENCRYPTION_KEYS: key {number} is not a Fernet key"):
        create_app("test")
