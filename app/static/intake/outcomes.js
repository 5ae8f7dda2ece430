// Outcome measures over a case: one small line chart per <canvas class="outcome-chart">
// (data from ScoreSeries.chart(): dates, visit numbers, scores, which way is better).
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("canvas.outcome-chart").forEach(function (canvas) {
    var data = JSON.parse(canvas.getAttribute("data-chart"));
    var compact = canvas.closest(".day-outcomes") !== null;  // the provider's day: a small chart
    var visit = canvas.getAttribute("data-visit");
    // "21 Sep 2026" / "21/09/2026" in the page's language (common/i18n.js), not the ISO date.
    var shown = function (iso) {
      if (typeof PlinthI18n === "undefined") { return iso; }
      var parts = iso.split("-").map(Number);
      return PlinthI18n.dateTime(new Date(Date.UTC(parts[0], parts[1] - 1, parts[2])),
                                 {dateStyle: "medium", timeZone: "UTC"});
    };
    var labels = data.dates.map(shown).map(function (date, i) {
      if (compact) return data.visits[i] ? visit + " " + data.visits[i] : date;
      return data.visits[i] ? date + " (" + visit + " " + data.visits[i] + ")" : date;
    });
    new Chart(canvas, {
      type: "line",
      data: {labels: labels, datasets: [{label: data.label, data: data.scores, borderColor: "#1f5f8b",
                                         backgroundColor: "#1f5f8b", tension: 0, pointRadius: 4}]},
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {legend: {display: false}},
        scales: {x: {ticks: {maxRotation: 0, autoSkip: true}},
                 y: {title: {display: !compact, text: canvas.getAttribute("data-axis")}}}
      }
    });
  });
})();
