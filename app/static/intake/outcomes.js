// Outcome measures over a case: one small line chart per <canvas class="outcome-chart">
// (data from ScoreSeries.chart(): dates, visit numbers, scores, which way is better).
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("canvas.outcome-chart").forEach(function (canvas) {
    var data = JSON.parse(canvas.getAttribute("data-chart"));
    var compact = canvas.closest(".day-outcomes") !== null;  // the provider's day: a small chart
    var visit = canvas.getAttribute("data-visit");
    var labels = data.dates.map(function (date, i) {
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
