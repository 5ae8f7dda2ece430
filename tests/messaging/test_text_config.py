"""Twilio's settings: both credentials or neither, a well-formed SID and API base."""
from __future__ import annotations

import pytest

from config import ConfigError, load_config

SID = "AC" + "a1" * 16


@pytest.fixture()
def env(tmp_path):
    return {"PLINTH_INSTANCE_DIR": str(tmp_path / "instance")}


@pytest.mark.parametrize("values, name", [
    ({"TWILIO_ACCOUNT_SID": "SK123"}, "TWILIO_ACCOUNT_SID"),
    ({"TWILIO_ACCOUNT_SID": SID}, "TWILIO_AUTH_TOKEN"),
    ({"TWILIO_AUTH_TOKEN": "secret"}, "TWILIO_ACCOUNT_SID"),
    ({"TWILIO_API_BASE": "ftp://twilio"}, "TWILIO_API_BASE"),
    ({"TWILIO_API_BASE": "api.twilio.com"}, "TWILIO_API_BASE"),
])
def test_bad_twilio_settings_are_refused_by_name(env, values, name):
    with pytest.raises(ConfigError, match=name):
        load_config({**env, **values})


def test_without_twilio_texts_go_to_files_and_with_it_to_the_given_base(env):
    config = load_config(env)
    assert (config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config["TWILIO_API_BASE"]) == (
        None, None, "https://api.twilio.com")
    config = load_config({**env, "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": "t0ken",
                          "TWILIO_API_BASE": "http://127.0.0.1:8026/"})
    assert (config["TWILIO_ACCOUNT_SID"], config["TWILIO_API_BASE"]) == (SID, "http://127.0.0.1:8026")
