// The forecast page's bar chart: one group of bars per owner (open, weighted,
// committed, won), from the JSON the page embeds with json_script.
(function () {
  "use strict";
  var source = document.getElementById("forecast-data");
  var canvas = document.getElementById("forecast-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var colors = {
    open: "rgba(13, 110, 253, 0.35)",
    weighted: "rgba(13, 110, 253, 0.8)",
    committed: "rgba(255, 193, 7, 0.8)",
    won: "rgba(25, 135, 84, 0.8)"
  };
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    style: "currency",
    currency: data.currency
  });
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (series) {
        return {
          label: series.label,
          data: series.values.map(Number),
          backgroundColor: colors[series.key]
        };
      })
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return format.format(v); } } } },
      plugins: {
        tooltip: {
          callbacks: {
            label: function (ctx) { return ctx.dataset.label + ": " + format.format(ctx.parsed.y); }
          }
        }
      }
    }
  });
})();
