// The satisfaction page's chart: CSAT % per agent, queue or month as bars, the number
// of ratings as a line on a second axis, from the JSON the page embeds with json_script.
(function () {
  "use strict";
  var source = document.getElementById("csat-data");
  var canvas = document.getElementById("csat-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        {
          label: data.csat_label,
          data: data.csat,
          backgroundColor: "rgba(25, 135, 84, 0.75)",
          yAxisID: "y"
        },
        {
          label: data.count_label,
          data: data.counts,
          type: "line",
          borderColor: "rgba(13, 110, 253, 0.9)",
          backgroundColor: "rgba(13, 110, 253, 0.9)",
          yAxisID: "count"
        }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        y: { beginAtZero: true, max: 100, ticks: { callback: function (v) { return v + " %"; } } },
        count: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } }
      }
    }
  });
})();
