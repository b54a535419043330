// Bar charts (the service reports, a campaign's results): each canvas names the
// JSON its report embeds with json_script: labels, one dataset per series, stacked or
// side by side, and the unit ("%", "h") of the values.
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  var PALETTE = ["#0d6efd", "#198754", "#ffc107", "#fd7e14", "#dc3545", "#6f42c1"];
  var number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    maximumFractionDigits: 2
  });

  function shown(value, unit) {
    return value === null ? "—" : number.format(value) + (unit ? " " + unit : "");
  }

  function draw(canvas) {
    var data = JSON.parse(document.getElementById(canvas.getAttribute("data-chart")).textContent);
    var axis = { beginAtZero: true, stacked: data.stacked };
    if (data.unit === "%") {
      axis.max = 100;
    }
    axis.ticks = { callback: function (value) { return shown(value, data.unit); } };
    if (!data.unit) {
      axis.ticks.precision = 0;  // counts of tickets: whole numbers on the axis
    }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.values,
            backgroundColor: PALETTE[index % PALETTE.length]
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: data.stacked }, y: axis },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) { return ctx.dataset.label + ": " + shown(ctx.raw, data.unit); }
            }
          }
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
