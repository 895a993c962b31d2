// Charts of the fairness and drift page (Chart.js, vendored). Each <canvas data-chart="…"> carries
// its data as JSON; the table beside it holds the same numbers for screen readers and print.
(function () {
  "use strict";
  function draw() {
    if (typeof Chart === "undefined") { return; }
    // the page's own web font: the canvas has no Korean system font to fall back on
    Chart.defaults.font.family = '"Pretendard GOV", sans-serif';
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = JSON.parse(canvas.getAttribute("data-chart"));
      new Chart(canvas, {
        type: "bar",
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          responsive: false, animation: false,
          plugins: { legend: { display: spec.datasets.length > 1 } },
          scales: { y: { beginAtZero: true, suggestedMax: spec.max || undefined } }
        }
      });
    });
  }
  function whenFontsReady() { document.fonts.load('12px "Pretendard GOV"', "한").then(draw, draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", whenFontsReady); } else { whenFontsReady(); }
})();
