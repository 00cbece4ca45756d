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
// report_chart_scripts() emits this file as a deferred script (it runs once the page is parsed,
// so every table is in the DOM) whose data-chart-library names static/vendor/chartjs/
// chart.umd.min.js. This file asks for that library only after the page's first paint: the text
// of a report shows without waiting for 200 KB of charting code. report_chart() emits
//
//   <div class="report-chart-box [is-horizontal]"><canvas class="report-chart" aria-hidden="true"
//     data-chart-type="bar|line|horizontalBar|doughnut" data-chart-table="TABLE_ID"
//     data-chart-columns="2,3" data-chart-format="idr|int|percent"></canvas></div>
//
// Labels: the text of the first cell (th or td) of each tbody row, or its data-label where the
// text is long for a chart ("Agu 2026" for "Agustus 2026": short month names leave room under the
// bars for more of them). Series: each listed column
// (1-based, counting the first cell), named by the text of its cell in the last thead row.
// Values: each cell's data-value attribute, a plain number (a cell without one is a gap).
// Formats: idr = whole rupiah, int = a count, percent = a percentage (37.5 means 37.5 %).
// Funnel bars (.report-bar with data-share, a percentage) get their width here too, and
// button.report-print buttons print the page.
// app.css gives each box its height before the chart is drawn, so nothing below moves when the
// chart appears, and hides the boxes when scripting is off, so the page then shows the tables
// only, with no empty frame. Here a box whose chart cannot be drawn (no table, no rows, Chart.js
// did not load) is hidden (is-unavailable), and a horizontal chart's box is told its number of
// bars (--chart-rows).
(function () {
  "use strict";
  var thisScript = document.currentScript;
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

  // Dark enough for at least 3:1 against the white page (WCAG non-text contrast), and told apart
  // by hue; doughnut slices also get a white border between them.
  var PALETTE = ["#7a3b12", "#2f5d8a", "#1d6b35", "#8a2d5c", "#6b5a00", "#4b4b4b", "#b04a14", "#156b6b"];
  var english = (document.documentElement.lang || "id").toLowerCase().indexOf("en") === 0;
  var narrow = function () { return window.innerWidth < 640; };

  // Numbers are written here rather than with Intl.NumberFormat: a page's first Intl object
  // loads the ICU locale data, a task of 50 ms and more on a phone, before any chart is drawn.
  // Grouping follows the interface language, as the server's rupiah filter does; the short units
  // are those of Intl's compact notation ("Rp 20 jt", "Rp 20M").
  var GROUP = english ? "," : ".", DECIMAL = english ? "." : ",";
  var UNITS = english ? [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]]
                      : [[1e12, " T"], [1e9, " M"], [1e6, " jt"], [1e3, " rb"]];

  function written(value, decimals) {
    var rounded = Math.abs(value).toFixed(decimals).replace(/\.0+$/, "").split(".");
    var whole = rounded[0].replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);
    return (value < 0 ? "-" : "") + whole + (rounded.length > 1 ? DECIMAL + rounded[1] : "");
  }

  function short(value) {
    for (var i = 0; i < UNITS.length; i++) {
      if (Math.abs(value) >= UNITS[i][0]) { return written(value / UNITS[i][0], 1) + UNITS[i][1]; }
    }
    return written(value, 1);
  }

  function formatter(kind, brief) {
    var number = brief ? short : function (v) { return written(v, 0); };
    if (kind === "idr") { return function (v) { return "Rp " + number(v); }; }
    if (kind === "percent") { return function (v) { return written(v, 1) + "%"; }; }
    return number;
  }

  function cellText(cell) {
    return cell ? cell.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function rowLabel(cell) {
    return (cell && cell.getAttribute("data-label")) || cellText(cell);
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
        labels.push(rowLabel(row.cells[0]));
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

  // A long label beside a horizontal bar ("Sudah mendapat penjualan pertama yang dibayar") is cut
  // into lines of about MAX characters at its spaces rather than cut short: each bar has to say
  // which step or place it is.
  function wrap(text, max) {
    var lines = [];
    text.split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= max) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    return lines.length > 1 ? lines : text;
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
      // Every bar of a horizontal chart keeps its label: its box grows with the rows (below).
      autoSkip: !horizontal,
      maxRotation: 0,
      minRotation: 0,
      callback: function (value) {
        var label = String(this.getLabelForValue(value));
        if (horizontal) { return wrap(label, narrow() ? 18 : 28); }
        // On a phone "Mei 2026" under "Mei" "2026" leaves room for twice as many labels.
        var cut = label.lastIndexOf(" ");
        return narrow() && cut > 0 ? [label.slice(0, cut), label.slice(cut + 1)] : shorten(label, 14);
      }
    };
    if (!horizontal) { categoryTicks.maxTicksLimit = narrow() ? 6 : 12; }
    // Value labels stay level; where they would overlap some are left out (a phone's width under
    // horizontal bars holds about four "Rp 50 jt").
    var valueTicks = {
      maxTicksLimit: horizontal && narrow() && kind === "idr" ? 4 : 5,
      maxRotation: 0,
      callback: function (value) { return tick(value); }
    };
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      // Drawn once, not grown frame by frame: on a slow phone each frame of a 60-bar chart is a
      // long task that delays the next tap.
      animation: false,
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

  function unavailable(box) {
    if (box && box.classList.contains("report-chart-box")) { box.classList.add("is-unavailable"); }
  }

  // Each canvas with a table to draw from; the box of any other is hidden now.
  var pending = [];
  Array.prototype.forEach.call(document.querySelectorAll("canvas.report-chart"), function (canvas) {
    var box = canvas.parentElement;
    var table = document.getElementById(canvas.getAttribute("data-chart-table") || "");
    var columns = (canvas.getAttribute("data-chart-columns") || "2").split(",").map(function (c) {
      return parseInt(c, 10);
    }).filter(function (c) { return c >= 1; });
    var data = table && columns.length ? readTable(table, columns) : null;
    if (!data || !data.labels.length) { unavailable(box); return; }
    canvas.setAttribute("aria-hidden", "true");
    if (box && box.classList.contains("is-horizontal")) {
      box.style.setProperty("--chart-rows", String(data.labels.length));
    }
    pending.push({ canvas: canvas, data: data, box: box });
  });
  if (!pending.length) { return; }

  function giveUp() {
    pending.forEach(function (item) { unavailable(item.box); });
  }

  // A canvas keeps its screen size on paper unless told otherwise: draw each chart at the size
  // of its printed box (app.css: 70 mm high, as wide as the 180 mm text of A4 with 15 mm margins
  // less the page's side padding, in CSS pixels of 1/96 inch), then back to the screen's size.
  var PRINT_WIDTH = 640, PRINT_HEIGHT = 264;
  var charts = [];
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (chart) { chart.resize(PRINT_WIDTH, PRINT_HEIGHT); });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });

  // One chart per task, so that a phone stays responsive to a tap while a page's charts are drawn.
  function drawAll(Chart) {
    var style = window.getComputedStyle(document.body);
    Chart.defaults.color = style.color;
    Chart.defaults.font.family = style.fontFamily;
    Chart.defaults.font.size = 13;
    pending.forEach(function (item, i) {
      window.setTimeout(function () {
        charts.push(new Chart(item.canvas, config(item.canvas, item.data)));
      }, i);
    });
  }

  if (typeof window.Chart !== "undefined") {
    drawAll(window.Chart);
    return;
  }
  var library = thisScript && thisScript.getAttribute("data-chart-library");
  if (!library) { giveUp(); return; }
  // requestAnimationFrame runs just before the next paint; the timeout, just after it.
  window.requestAnimationFrame(function () {
    window.setTimeout(function () {
      var script = document.createElement("script");
      script.src = library;
      script.addEventListener("load", function () {
        if (typeof window.Chart === "undefined") { giveUp(); } else { drawAll(window.Chart); }
      });
      script.addEventListener("error", giveUp);
      document.head.appendChild(script);
    }, 0);
  });
})();
