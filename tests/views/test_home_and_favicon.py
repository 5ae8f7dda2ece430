"""The home page names only menus the user has; /favicon.ico is an empty answer, not a 404."""
from __future__ import annotations

import pytest

from tests.views.helpers import login


@pytest.mark.parametrize("username, names_setup", [("manager", True), ("frontdesk", False)])
def test_the_home_page_names_setup_only_to_who_has_it(app, db, people, username, names_setup):
    db.session.commit()
    browser = app.test_client()
    login(browser, username)
    page = browser.get("/", follow_redirects=True).get_data(as_text=True)
    assert ("<strong>Setup</strong>" in page) is names_setup


def test_favicon_is_no_content(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 204 and response.data == b""
