// The dashboards' charts (Chart.js, vendored) and sortable tables. The figures come from
// the JSON script element the page renders; every chart has a table with the same figures.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  drawCharts();
  makeTablesSortable();
});

var COLOURS = ["#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997", "#6c757d"];

function drawCharts() {
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.Chart) {
    return;
  }
  var persian = document.documentElement.lang === "fa";
  var rtl = document.documentElement.dir === "rtl";
  window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  window.Chart.defaults.locale = persian ? "fa-IR" : "en-US";
  window.Chart.defaults.animation = false;
  JSON.parse(source.textContent).forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) {
      return;
    }
    var stacked = Boolean(spec.stacked);
    var datasets = spec.datasets.map(function (dataset, index) {
      var colour = COLOURS[(spec.datasets.length > 1 ? index : 0) % COLOURS.length];
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: colour,
        borderColor: colour,
        tension: 0.2,
      };
    });
    var valueAxis = { beginAtZero: true, stacked: stacked };
    if (spec.percent) {
      valueAxis.max = 100;
    }
    var categoryAxis = { stacked: stacked, reverse: rtl && !spec.horizontal };
    var chart = new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: spec.datasets.length > 1, rtl: rtl },
          tooltip: { rtl: rtl },
        },
        scales: spec.horizontal
          ? { x: Object.assign({ reverse: rtl }, valueAxis), y: categoryAxis }
          : { x: categoryAxis, y: valueAxis, },
      },
    });
    canvas.dataset.drawn = "true";
    canvas.chart = chart;
  });
}

// A table with data-sortable: each header's button sorts the rows by that column (cells
// carry data-value, a number or a text), again to reverse.
function makeTablesSortable() {
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (header, column) {
      var button = header.querySelector("button");
      if (!button) {
        return;
      }
      button.addEventListener("click", function () {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) {
          other.removeAttribute("aria-sort");
        });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sortRows(table, column, ascending);
      });
    });
  });
}

function cellValue(row, column) {
  var cell = row.children[column];
  var value = cell ? cell.getAttribute("data-value") || cell.textContent.trim() : "";
  var number = parseFloat(value);
  return isNaN(number) ? value : number;
}

function sortRows(table, column, ascending) {
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  rows.sort(function (a, b) {
    var x = cellValue(a, column);
    var y = cellValue(b, column);
    var order;
    if (typeof x === "number" && typeof y === "number") {
      order = x - y;
    } else {
      order = String(x).localeCompare(String(y), document.documentElement.lang);
    }
    return ascending ? order : -order;
  });
  rows.forEach(function (row) {
    body.appendChild(row);
  });
}
