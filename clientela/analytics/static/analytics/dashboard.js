// The dashboards page: gridstack arranges the widgets (12 columns, one on a phone) and
// every drop or resize by the owner is saved with a POST; Chart.js draws the charts
// from the JSON each widget embeds, and a click on a bar, point or slice opens the
// list behind it.
(function () {
  "use strict";
  var grid_el = document.getElementById("dashboard-grid");
  var source = document.getElementById("dashboard-config");
  if (!grid_el || !source || typeof GridStack === "undefined") {
    return;
  }
  var config = JSON.parse(source.textContent);
  var status = document.getElementById("layout-status");
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  var PALETTE = ["#0d6efd", "#198754", "#ffc107", "#dc3545", "#6f42c1", "#20c997",
                 "#fd7e14", "#0dcaf0", "#6c757d", "#d63384", "#343a40"];

  var grid = GridStack.init({
    column: 12,
    cellHeight: 70,
    margin: 6,
    float: false,
    animate: false,
    staticGrid: !config.editable,
    handle: ".widget-handle, .card-header h2",
    columnOpts: { breakpointForWindow: true, breakpoints: [{ w: 768, c: 1 }] }
  }, grid_el);

  function order() {
    return grid.engine.nodes.slice().sort(function (a, b) {
      return a.y - b.y || a.x - b.x;
    }).map(function (n) { return n.id; });
  }

  var shownOrder = order().join(",");
  var touched = false;

  function say(text, bad) {
    if (status) {
      status.textContent = text;
      status.className = "small " + (bad ? "text-danger" : "text-success");
    }
  }

  function save() {
    var body;
    if (grid.getColumn() === 1) {
      // A phone's single column: only the order changed; the server places the
      // widgets again in that order on the full grid.
      var now = order();
      if (now.join(",") === shownOrder) {
        return;
      }
      shownOrder = now.join(",");
      body = { order: now };
    } else {
      body = {
        items: grid.engine.nodes.map(function (n) {
          return { id: n.id, x: n.x, y: n.y, w: n.w, h: n.h };
        })
      };
      shownOrder = order().join(",");
    }
    grid_el.setAttribute("data-saving", "true");
    fetch(config.moveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (response.ok) {
          say(config.saved, false);
        } else {
          say(config.failed + " " + (answer.errors || []).join(" "), true);
        }
      });
    }).catch(function () {
      say(config.failed, true);
    }).finally(function () {
      grid_el.removeAttribute("data-saving");
      grid_el.setAttribute("data-saved", String(Date.now()));
    });
  }

  // In a phone's single column a widget keeps its size: only the order is saved there.
  function fitColumns() {
    if (config.editable) {
      grid.enableResize(grid.getColumn() !== 1);
    }
  }
  fitColumns();
  window.addEventListener("resize", fitColumns);

  if (config.editable) {
    // Only what the owner moved is saved: gridstack also reports the changes it makes
    // itself when the window narrows to one column.
    grid.on("dragstart resizestart", function () { touched = true; });
    grid.on("dragstop resizestop", function () {
      window.setTimeout(function () {
        if (touched) {
          touched = false;
          save();
        }
      }, 0);
    });
  }

  function draw(canvas) {
    var data = JSON.parse(document.getElementById(canvas.getAttribute("data-chart")).textContent);
    var pie = data.kind === "pie";
    new Chart(canvas, {
      type: pie ? "doughnut" : data.kind,
      data: {
        labels: data.labels,
        datasets: [{
          label: data.label,
          data: data.values,
          backgroundColor: pie ? PALETTE : "rgba(13, 110, 253, 0.7)",
          borderColor: pie ? "#fff" : "#0d6efd",
          fill: false,
          tension: 0.2
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: pie, position: "right" },
          tooltip: {
            callbacks: {
              label: function (ctx) { return data.display[ctx.dataIndex] || String(ctx.raw); }
            }
          }
        },
        scales: pie ? {} : { y: { beginAtZero: true } },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (elements.length && data.links[elements[0].index]) {
            window.location.href = data.links[elements[0].index];
          }
        }
      }
    });
  }

  if (typeof Chart !== "undefined") {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }
  grid_el.setAttribute("data-ready", "true");
})();
