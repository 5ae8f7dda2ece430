/* Draws a report's chart (Chart.js, vendored) from the JSON the page carries, and
 * re-shows the report as soon as a filter changes. */
(function () {
  "use strict";
  const form = document.getElementById("report-filters");
  if (form) {
    form.addEventListener("change", (event) => {
      if (event.target.matches("select")) form.submit();
    });
  }
  const canvas = document.getElementById("report-chart");
  const source = document.getElementById("report-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const spec = JSON.parse(source.textContent || "{}");
  if (!spec.labels || !spec.labels.length) { canvas.parentElement.hidden = true; return; }
  const colours = ["#337ab7", "#f0ad4e", "#5cb85c", "#d9534f", "#5bc0de", "#777"];
  const percent = (v) => (v === null || v === undefined ? "–" : (v * 100).toFixed(1) + "%");
  new Chart(canvas, {
    type: spec.type || "bar",
    data: {
      labels: spec.labels,
      datasets: spec.datasets.map((d, i) => ({...d, backgroundColor: colours[i % colours.length]})),
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: {
        x: {stacked: !!spec.stacked},
        y: {stacked: !!spec.stacked, beginAtZero: true,
            ticks: spec.percent ? {callback: (v) => percent(v)} : {}},
      },
      plugins: {tooltip: {callbacks: spec.percent ? {label: (c) => `${c.dataset.label}: ${percent(c.raw)}`} : {}}},
    },
  });
})();
