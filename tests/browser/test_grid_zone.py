"""The grid's remembered zone (app/calendar/static/zone.js) gives FullCalendar the same
offsets as luxon, asked again or not: around DST gaps and repeated hours, in a zone
whose changes fall at half past the UTC hour (St. John's) and one that moves by half an
hour (Lord Howe)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

# Every wall time and instant of each zone's two 2026 changes, ±3 h, every 5 minutes,
# each asked twice (the second answer comes from the cache); [] when all agree.
COMPARE = """() => {
  const zones = {"America/Toronto": ["2026-03-08", "2026-11-01"], "America/St_Johns": ["2026-03-08", "2026-11-01"],
                 "Europe/Lisbon": ["2026-03-29", "2026-10-25"], "Australia/Lord_Howe": ["2026-04-05", "2026-10-04"]};
  const wrong = [];
  for (const [name, days] of Object.entries(zones)) {
    const zone = new PlinthZone.RememberedZone(name);
    for (const day of days) {
      const midnight = Date.parse(day + "T00:00:00Z");
      for (let pass = 0; pass < 2; pass++) {
        for (let m = -180; m <= 6 * 60; m += 5) {
          const wall = new Date(midnight + m * 60000);
          const a = [wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), wall.getUTCHours(), wall.getUTCMinutes(), 0, 0];
          const expected = luxon.DateTime.fromObject({year: a[0], month: a[1] + 1, day: a[2], hour: a[3], minute: a[4],
                                                      second: 0, millisecond: 0}, {zone: name}).offset;
          if (zone.offsetForArray(a) !== expected) wrong.push([name, "wall", wall.toISOString(), zone.offsetForArray(a), expected]);
          for (const utcShift of [0, 12 * 60]) {  // the instants of the zone's day, whatever its offset
            const ms = midnight + (m + utcShift) * 60000 + 30000;
            const t = luxon.DateTime.fromMillis(ms, {zone: name});
            const want = [t.year, t.month - 1, t.day, t.hour, t.minute, t.second, t.millisecond];
            const got = zone.timestampToArray(ms);
            if (got.join() !== want.join()) wrong.push([name, "instant", ms, got, want]);
          }
        }
      }
    }
  }
  return wrong;
}"""


@pytest.fixture()
def users(db, people):
    db.session.commit()
    # On SQLite an open transaction holds the write lock the browser's login needs.
    db.session.close()


def test_the_grid_zone_answers_as_luxon_does_across_dst_changes(page, live_server, users):
    log_in(page, live_server, "frontdesk", PASSWORD)
    page.goto(f"{live_server}/calendar/")
    page.wait_for_function("window.PlinthGrid && document.querySelector('.fc-view')")
    # FullCalendar converts through it (the last plugin's zone wins over luxon3's).
    assert page.evaluate("PlinthGrid.calendar.getCurrentData().dateEnv.namedTimeZoneImpl instanceof "
                         "PlinthZone.RememberedZone")
    assert page.evaluate(COMPARE) == []
