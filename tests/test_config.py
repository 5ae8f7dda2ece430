"""Configuration comes from the environment and bad values fail at start-up, by name."""
from __future__ import annotations

import stat

import pytest

from config import ConfigError, load_config


@pytest.fixture()
def env(tmp_path):
    """A minimal environment whose instance dir is private to the test."""
    return {"PLINTH_INSTANCE_DIR": str(tmp_path / "instance")}


BAD_VALUES = [
    ("DATABASE_URL", "mysql://x"),
    ("DATABASE_URL", "garbage"),
    ("REDIS_URL", "http://x"),
    ("REDIS_URL", "redis://"),
    ("PLINTH_CURRENCY", "XYZ"),
    ("PLINTH_LOCALE", "zz_ZZ"),
    ("PLINTH_LOCALE", "not a locale"),
    ("SECRET_KEY", "too-short"),
    ("PLINTH_SLOT_STEP_MINUTES", "abc"),
    ("PLINTH_SLOT_STEP_MINUTES", "0"),
    ("PLINTH_SLOT_STEP_MINUTES", "-15"),
    ("PLINTH_SLOT_STEP_MINUTES", "7.5"),
]


@pytest.mark.parametrize(("name", "value"), BAD_VALUES, ids=[f"{n}={v}" for n, v in BAD_VALUES])
def test_a_bad_value_is_refused_with_the_variables_name(env, name, value):
    env[name] = value
    with pytest.raises(ConfigError, match=name):
        load_config(env)


def test_the_defaults_need_no_environment_at_all(env, tmp_path):
    config = load_config(env)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'plinth.db'}"
    assert config["REDIS_URL"] == "redis://localhost:6379/0"
    assert config["SENDGRID_API_KEY"] is None
    assert config["SENDGRID_API_HOST"] == "https://api.sendgrid.com"
    assert config["PLINTH_CURRENCY"] == "CAD"
    assert config["PLINTH_LOCALE"] == "en_CA"
    assert config["PLINTH_CLINIC_NAME"] == "Plinth Demo Clinic"
    assert config["FAB_PASSWORD_HASH_METHOD"] == "scrypt"
    assert config["PLINTH_SLOT_STEP_MINUTES"] == 15
    assert config["INSTANCE_DIR"] == str(tmp_path / "instance")


def test_good_values_are_taken_as_given(env):
    env.update(
        SECRET_KEY="s" * 32,
        REDIS_URL="redis://redis.internal:6380/2",
        SENDGRID_API_KEY="SG.key",
        SENDGRID_API_HOST="http://127.0.0.1:8025",
        PLINTH_CURRENCY="eur",
        PLINTH_LOCALE="pt_PT",
        PLINTH_CLINIC_NAME="Clínica da Sé",
        PLINTH_PASSWORD_HASH="pbkdf2:sha256:1000",
        PLINTH_SLOT_STEP_MINUTES="10",
    )
    config = load_config(env)
    assert config["SECRET_KEY"] == "s" * 32
    assert config["REDIS_URL"] == "redis://redis.internal:6380/2"
    assert config["SENDGRID_API_KEY"] == "SG.key"
    assert config["SENDGRID_API_HOST"] == "http://127.0.0.1:8025"
    assert config["PLINTH_CURRENCY"] == "EUR"
    assert config["PLINTH_LOCALE"] == "pt_PT"
    assert config["PLINTH_CLINIC_NAME"] == "Clínica da Sé"
    assert config["FAB_PASSWORD_HASH_METHOD"] == "pbkdf2:sha256:1000"
    assert config["PLINTH_SLOT_STEP_MINUTES"] == 10


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://plinth:s3cret@db.internal:5433/plinth",
         "postgresql+psycopg://plinth:s3cret@db.internal:5433/plinth"),
        ("postgresql+psycopg2://plinth@db/plinth", "postgresql+psycopg://plinth@db/plinth"),
        ("postgresql+psycopg://plinth@db/plinth?sslmode=require",
         "postgresql+psycopg://plinth@db/plinth?sslmode=require"),
        ("postgres://plinth@db/plinth", "postgresql+psycopg://plinth@db/plinth"),
        ("sqlite:////var/lib/plinth/plinth.db", "sqlite:////var/lib/plinth/plinth.db"),
    ],
)
def test_postgresql_urls_are_pointed_at_psycopg_3(env, given, expected):
    env["DATABASE_URL"] = given
    assert load_config(env)["SQLALCHEMY_DATABASE_URI"] == expected


def test_without_a_secret_key_one_is_generated_once_and_reused(env, tmp_path):
    first = load_config(env)["SECRET_KEY"]
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_config(env)["SECRET_KEY"] == first


def test_a_given_secret_key_is_not_written_to_disk(env, tmp_path):
    env["SECRET_KEY"] = "k" * 20
    assert load_config(env)["SECRET_KEY"] == "k" * 20
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_a_malformed_database_url_is_not_echoed_back(env):
    env["DATABASE_URL"] = "postgresql//plinth:s3cret@db/plinth"
    with pytest.raises(ConfigError) as error:
        load_config(env)
    assert "DATABASE_URL" in str(error.value) and "s3cret" not in str(error.value)
