/* The grid's named time zone for FullCalendar (loaded after the vendored luxon plugin,
 * before grid.js): the same offsets as @fullcalendar/luxon3, remembered.
 *
 * The grid shows the location's IANA zone. FullCalendar converts between its wall-clock
 * "markers" and real instants through the zone for every event.start, event.end and
 * event.endStr read by the render hooks, and luxon answers each of those through
 * Intl (its IANAZone.offset): ~1 s of a 60-column location week's draw
 * (bench/README.md, "Grid"). A busy week has a few hundred distinct times (the quarter
 * hours), so each answer is kept per zone and exact wall time or UTC minute: offsets
 * change on minute boundaries in every zone since 1900 (Newfoundland's at hh:30 UTC,
 * so an hour key would not do). Gaps and repeated hours at DST changes are resolved by
 * luxon exactly as before: only its answer is remembered. */
(function () {
  "use strict";
  if (!window.FullCalendar || !window.luxon) return;
  const MAX = 20000;  // entries per zone and direction before starting over
  const caches = new Map();  // zone name -> {wall: Map(marker ms -> offset), utc: Map(minute -> offset)}

  function cacheFor(name) {
    let cache = caches.get(name);
    if (!cache) caches.set(name, cache = {wall: new Map(), utc: new Map(), zone: luxon.IANAZone.create(name)});
    return cache;
  }
  const remember = (map, key, value) => { if (map.size >= MAX) map.clear(); map.set(key, value); return value; };

  class RememberedZone extends FullCalendar.Internal.NamedTimeZoneImpl {
    // The offset (minutes) of a wall time given as [y, m0, d, h, min, s, ms].
    offsetForArray(a) {
      const {wall} = cacheFor(this.timeZoneName);
      const key = Date.UTC(a[0], a[1], a[2], a[3] || 0, a[4] || 0, a[5] || 0, a[6] || 0);
      const known = wall.get(key);
      if (known !== undefined) return known;
      return remember(wall, key, luxon.DateTime.fromObject(
        {year: a[0], month: a[1] + 1, day: a[2], hour: a[3], minute: a[4], second: a[5], millisecond: a[6]},
        {zone: this.timeZoneName}).offset);
    }

    // The wall time of an instant (UTC milliseconds), as [y, m0, d, h, min, s, ms].
    timestampToArray(ms) {
      const cache = cacheFor(this.timeZoneName);
      const minute = Math.floor(ms / 60000);
      let offset = cache.utc.get(minute);
      if (offset === undefined) offset = remember(cache.utc, minute, cache.zone.offset(ms));
      const d = new Date(ms + offset * 60000);
      return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(),
              d.getUTCSeconds(), d.getUTCMilliseconds()];
    }
  }

  // A plugin added after luxon3's takes its place for named zones (FullCalendar keeps the
  // last namedTimeZonedImpl); luxon3's formatter stays.
  FullCalendar.globalPlugins.push(FullCalendar.createPlugin({name: "plinth-zone", namedTimeZonedImpl: RememberedZone}));
  window.PlinthZone = {RememberedZone};
})();
