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


def test_a_page_outside_the_role_is_a_page_that_says_so(client, people, db):
    """/reports/ for the front desk was werkzeug's bare 403."""
    from tests.views.helpers import login as sign_in

    sign_in(client, "frontdesk")
    response = client.get("/reports/")
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "does not give access to this page" in text and "Back to the home page" in text
    assert "navbar" in text  # the app's own layout, with its menu
