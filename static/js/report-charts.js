// Report charts: each chart is drawn from the numbers of an HTML table on the same page, so the
// table stays the one source (screen readers, printing, no JavaScript) and the chart only shows
// its shape.
//
// How a page includes it: the template imports the macros and calls them
//
//   {% from "macros.html" import report_chart, report_chart_scripts %}
//   {% block head %}{{ report_chart_scripts() }}{% endblock %}
//   {{ report_chart("sales-by-month", columns="2", type="bar", format="idr") }}
//   <table id="sales-by-month"> ... <td data-value="125000">Rp 125.000</td> ...
//
// report_chart_scripts() emits two deferred scripts, static/vendor/chartjs/chart.umd.min.js
// first and this file second: deferred scripts run in document order once the page is parsed,
// so window.Chart exists here and every table is in the DOM. report_chart() emits
//
//   <div class="report-chart-box"><canvas class="report-chart" aria-hidden="true"
//     data-chart-type="bar|line|horizontalBar|doughnut" data-chart-table="TABLE_ID"
//     data-chart-columns="2,3" data-chart-format="idr|int|percent"></canvas></div>
//
// Labels: the text of the first cell (th or td) of each tbody row. Series: each listed column
// (1-based, counting the first cell), named by the text of its cell in the last thead row.
// Values: each cell's data-value attribute, a plain number (a cell without one is a gap).
// Formats: idr = whole rupiah, int = a count, percent = a percentage (37.5 means 37.5 %).
// Funnel bars (.report-bar with data-share, a percentage) get their width here too, and
// button.report-print buttons print the page.
// The box stays hidden until a chart is drawn in it, so without JavaScript (or without Chart.js)
// the page shows the tables only, with no empty frame.
(function () {
  "use strict";
  // Funnel bars: <span class="report-bar" data-share="42.5"> inside a .report-bar-track. Setting
  // a width through the DOM is allowed by the Content-Security-Policy; a style attribute is not.
  Array.prototype.forEach.call(document.querySelectorAll(".report-bar[data-share]"), function (bar) {
    var share = Number(bar.getAttribute("data-share"));
    bar.style.width = (isFinite(share) ? Math.min(Math.max(share, 0), 100) : 0) + "%";
  });

  // Print buttons (<button type="button" class="report-print" hidden>) need script to work, so
  // they stay hidden without it; the browser's own Print command prints the same page.
  Array.prototype.forEach.call(document.querySelectorAll("button.report-print"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  if (typeof window.Chart === "undefined") { return; }
  var Chart = window.Chart;

  // Dark enough for at least 3:1 against the white page (WCAG non-text contrast), and told apart
  // by hue; doughnut slices also get a white border between them.
  var PALETTE = ["#7a3b12", "#2f5d8a", "#1d6b35", "#8a2d5c", "#6b5a00", "#4b4b4b", "#b04a14", "#156b6b"];
  var lang = (document.documentElement.lang || "id").toLowerCase();
  // Grouping follows the interface language, as the server's rupiah filter does.
  var locale = lang.indexOf("en") === 0 ? "en" : "id-ID";
  var full = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  var percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  var compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var narrow = function () { return window.innerWidth < 640; };

  function formatter(kind, short) {
    if (kind === "idr") {
      return function (v) { return "Rp " + (short ? compact : full).format(v); };
    }
    if (kind === "percent") {
      return function (v) { return percent.format(v / 100); };
    }
    return function (v) { return (short ? compact : full).format(v); };
  }

  function cellText(cell) {
    return cell ? cell.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function readTable(table, columns) {
    var headRows = table.tHead ? table.tHead.rows : [];
    var head = headRows.length ? headRows[headRows.length - 1].cells : [];
    var labels = [];
    var series = columns.map(function (column) {
      return { name: cellText(head[column - 1]), values: [] };
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        labels.push(cellText(row.cells[0]));
        columns.forEach(function (column, i) {
          var cell = row.cells[column - 1];
          var raw = cell ? cell.getAttribute("data-value") : null;
          var value = raw === null || raw === "" ? NaN : Number(raw);
          series[i].values.push(isFinite(value) ? value : null);
        });
      });
    });
    return { labels: labels, series: series };
  }

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function config(canvas, data) {
    var kind = canvas.getAttribute("data-chart-format") || "int";
    var requested = canvas.getAttribute("data-chart-type") || "bar";
    var horizontal = requested === "horizontalBar";
    var doughnut = requested === "doughnut";
    var type = horizontal ? "bar" : requested;
    var tick = formatter(kind, true);
    var exact = formatter(kind, false);
    var datasets = data.series.map(function (s, i) {
      var colour = PALETTE[i % PALETTE.length];
      var set = { label: s.name, data: s.values };
      if (doughnut) {
        set.backgroundColor = data.labels.map(function (_, j) { return PALETTE[j % PALETTE.length]; });
        set.borderColor = "#ffffff";
        set.borderWidth = 2;
      } else if (type === "line") {
        set.borderColor = colour;
        set.backgroundColor = colour;
        set.borderWidth = 2;
        set.pointRadius = 3;
        set.tension = 0;
        set.spanGaps = false;
      } else {
        set.backgroundColor = colour;
        set.borderRadius = 2;
        set.maxBarThickness = 36;
      }
      return set;
    });
    var categoryTicks = {
      autoSkip: true,
      maxRotation: 0,
      minRotation: 0,
      maxTicksLimit: narrow() ? 6 : 12,
      callback: function (value) {
        var label = String(this.getLabelForValue(value));
        if (horizontal) { return shorten(label, 16); }
        // On a phone "Mei 2026" under "Mei" "2026" leaves room for twice as many labels.
        var cut = label.lastIndexOf(" ");
        return narrow() && cut > 0 ? [label.slice(0, cut), label.slice(cut + 1)] : shorten(label, 14);
      }
    };
    var valueTicks = { maxTicksLimit: 5, callback: function (value) { return tick(value); } };
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion ? false : { duration: 400 },
      plugins: {
        legend: { display: doughnut || datasets.length > 1, position: "bottom", labels: { boxWidth: 14 } },
        tooltip: {
          callbacks: {
            label: function (item) {
              var name = doughnut ? item.label : item.dataset.label;
              return (name ? name + ": " : "") + (item.raw === null ? "–" : exact(item.raw));
            }
          }
        }
      }
    };
    if (!doughnut) {
      options.indexAxis = horizontal ? "y" : "x";
      var category = { ticks: categoryTicks, grid: { display: false } };
      var values = { beginAtZero: true, ticks: valueTicks, grid: { color: "#e3d5c1" } };
      options.scales = horizontal ? { x: values, y: category } : { x: category, y: values };
    }
    return { type: type, data: { labels: data.labels, datasets: datasets }, options: options };
  }

  var style = window.getComputedStyle(document.body);
  Chart.defaults.color = style.color;
  Chart.defaults.font.family = style.fontFamily;
  Chart.defaults.font.size = 13;

  var charts = [];
  Array.prototype.forEach.call(document.querySelectorAll("canvas.report-chart"), function (canvas) {
    var table = document.getElementById(canvas.getAttribute("data-chart-table") || "");
    var columns = (canvas.getAttribute("data-chart-columns") || "2").split(",").map(function (c) {
      return parseInt(c, 10);
    }).filter(function (c) { return c >= 1; });
    if (!table || !columns.length) { return; }
    var data = readTable(table, columns);
    if (!data.labels.length) { return; }
    canvas.setAttribute("aria-hidden", "true");
    var box = canvas.parentElement;
    if (box && box.classList.contains("report-chart-box")) { box.classList.add("is-drawn"); }
    charts.push(new Chart(canvas, config(canvas, data)));
  });

  // A canvas keeps its screen size on paper unless told otherwise: draw each chart at the size
  // of its printed box (app.css: 70 mm high, as wide as the 180 mm text of A4 with 15 mm margins
  // less the page's side padding, in CSS pixels of 1/96 inch), then back to the screen's size.
  var PRINT_WIDTH = 640, PRINT_HEIGHT = 264;
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (chart) { chart.resize(PRINT_WIDTH, PRINT_HEIGHT); });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
