"""The Reports menu as each role meets it: pages with filters, chart data and tables,
CSV downloads, and scope (a provider sees only their own rows; the front desk none)."""
from __future__ import annotations

import csv
import io

import pytest

from tests import factories
from tests.reports.conftest import PERIOD

KEYS = ("utilisation", "attendance", "revenue", "patients", "followup")


def log_in(client, username):
    response = client.post("/login/", data={"username": username, "password": factories.PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("key", KEYS)
def test_a_manager_opens_each_report_and_downloads_its_csv(client, clinic, key):
    log_in(client, "manager")
    page = client.get(f"/reports/{key}", query_string=PERIOD)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="report-chart-data"' in text and "How these figures are counted" in text
    download = client.get(f"/reports/{key}", query_string=PERIOD | {"format": "csv"})
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert f"{key}_2026-03-02_2026-03-15.csv" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data().decode("utf-8-sig"))))
    assert len(rows) >= 2


def test_attendance_csv_matches_the_hand_count(client, clinic):
    log_in(client, "manager")
    body = client.get("/reports/attendance", query_string=PERIOD | {"by": "weekday", "format": "csv"}).get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Weekday", "Visits counted", "No-shows"]
    assert ["Monday", "6", "2"] == rows[1][:3] and ["Sunday", "1", "0"] == rows[2][:3]


def test_a_provider_sees_only_their_own_rows(client, clinic):
    log_in(client, "provider")
    body = client.get("/reports/attendance", query_string=PERIOD | {"format": "csv",
                                                                    "provider_id": clinic.ids["outsider"]})
    rows = list(csv.reader(io.StringIO(body.get_data().decode("utf-8-sig"))))
    groups = [r[0] for r in rows[1:] if r and r[0] != "Cancellations by lead time" and r[0] != "Canceled ahead by"]
    assert clinic.people.provider.display_name in groups
    assert clinic.people.outsider.display_name not in groups
    revenue = client.get("/reports/revenue", query_string=PERIOD | {"format": "csv"}).get_data().decode("utf-8-sig")
    assert "Insurer X" not in revenue.split("Outstanding by payer and age")[1]  # owed money: managers only
    page = client.get("/reports/utilisation", query_string=PERIOD).get_data(as_text=True)
    assert "Your own figures only" in page and "Outsider" not in page


def test_the_front_desk_has_no_reports(client, clinic):
    log_in(client, "frontdesk")
    assert client.get("/reports/attendance", query_string=PERIOD).status_code in (302, 403)
    home = client.get("/").get_data(as_text=True)
    assert "Arrivals still expected" not in home and "/reports/" not in home


def test_bad_filters_are_a_422(client, clinic):
    log_in(client, "manager")
    response = client.get("/reports/attendance", query_string={"date_from": "2026-13-01"})
    assert response.status_code == 422 and "date_from" in response.get_data(as_text=True)


def test_the_managers_home_page_carries_the_dashboard(client, clinic):
    log_in(client, "manager")
    home = client.get("/").get_data(as_text=True)
    assert "Arrivals still expected" in home and "Last 30 days" in home and "No-show rate" in home


def test_csv_downloads_start_with_a_byte_order_mark_for_excel(client, clinic):
    log_in(client, "manager")
    body = client.get("/reports/attendance", query_string=PERIOD | {"format": "csv"}).get_data()
    assert body.startswith("\ufeff".encode()) and not body.startswith("\ufeff\ufeff".encode())
