/* jakguide patient record: draws the plots from /api/patients/{id}/timeline with Chart.js.
   The page says which plots to draw (data-config on #plots); score plots shade the instrument's
   category bands, lab plots draw the label's thresholds as dashed lines, and a dotted line marks
   the start of the running therapy. No other script runs on the pages. */
(function () {
  "use strict";
  var section = document.getElementById("plots");
  if (!section) { return; }
  var status = document.getElementById("plots-status");
  if (typeof Chart === "undefined") {
    status.textContent = "The plotting library did not load; the timeline below lists every value.";
    return;
  }
  var cfg = JSON.parse(section.getAttribute("data-config"));
  var DAY = 86400000;
  var BAND_COLORS = [
    "rgba(22, 130, 60, 0.14)", "rgba(200, 160, 0, 0.16)", "rgba(230, 120, 0, 0.17)",
    "rgba(200, 30, 30, 0.14)", "rgba(120, 0, 60, 0.16)"
  ];
  var LINE = "#1f3a5f";
  var ALERT = "#b91c1c";
  var ALERT_ACTIONS = ["do-not-start", "interrupt", "discontinue", "recheck"];
  var SYMBOLS = { lt: "<", lte: "\u2264", gt: ">", gte: "\u2265" };

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec"];
  function iso(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function monthLabel(ms) {
    var d = new Date(ms);
    return MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }
  // Ticks on the first of the month (every 1, 2, 3, 6 or 12 months to keep about 6 ticks).
  function monthTicks(min, max) {
    var months = (max - min) / (30.4 * DAY);
    var step = [1, 2, 3, 6, 12].filter(function (s) { return months / s <= 7; })[0] || 24;
    var d = new Date(min);
    var t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    var out = [];
    while (t <= max) {
      var m = new Date(t);
      if (m.getUTCMonth() % step === 0) { out.push({ value: t }); }
      t = Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1);
    }
    return out;
  }
  function num(v) { return Math.round(v * 100) / 100; }

  var overlay = {
    id: "jgOverlay",
    beforeDatasetsDraw: function (chart, _args, opts) {
      var a = chart.chartArea, x = chart.scales.x, y = chart.scales.y, ctx = chart.ctx;
      if (!a || !opts) { return; }
      ctx.save();
      ctx.font = "11px 'DejaVu Sans', sans-serif";
      (opts.bands || []).forEach(function (b, i) {
        var hi = b.high === null ? y.max : Math.min(b.high, y.max);
        var lo = Math.max(b.low, y.min);
        if (hi <= lo) { return; }
        var top = Math.max(y.getPixelForValue(hi), a.top);
        var bottom = Math.min(y.getPixelForValue(lo), a.bottom);
        ctx.fillStyle = b.color || BAND_COLORS[i % BAND_COLORS.length];
        ctx.fillRect(a.left, top, a.right - a.left, bottom - top);
        ctx.fillStyle = "#374151";
        ctx.textAlign = "right";
        ctx.textBaseline = "top";
        if (bottom - top > 12) { ctx.fillText(b.short, a.right - 4, top + 2); }
      });
      var lastLabel = null;
      (opts.lines || []).slice().sort(function (p, q) { return q.y - p.y; }).forEach(function (l) {
        if (l.y < y.min || l.y > y.max) { return; }
        var py = y.getPixelForValue(l.y);
        // Two close lines: put the lower one's label under its line so they do not overlap.
        var below = lastLabel !== null && py - lastLabel < 14;
        lastLabel = below ? py + 14 : py;
        ctx.strokeStyle = l.color || ALERT;
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 1.5;
        ctx.beginPath(); ctx.moveTo(a.left, py); ctx.lineTo(a.right, py); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = l.color || ALERT;
        ctx.textAlign = "left";
        ctx.textBaseline = below ? "top" : "bottom";
        ctx.fillText(l.label, a.left + 4, below ? py + 2 : py - 2);
      });
      if (opts.start !== null && opts.start !== undefined) {
        var px = x.getPixelForValue(opts.start);
        if (px >= a.left && px <= a.right) {
          ctx.strokeStyle = "#4b5563";
          ctx.setLineDash([2, 3]);
          ctx.beginPath(); ctx.moveTo(px, a.top); ctx.lineTo(px, a.bottom); ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillStyle = "#4b5563";
          ctx.textAlign = "left";
          ctx.textBaseline = "top";
          ctx.fillText("therapy start", px + 3, a.top + 2);
        }
      }
      ctx.restore();
    }
  };

  function xRange(timeline) {
    var dates = [];
    timeline.scores.forEach(function (s) { dates.push(Date.parse(s.date)); });
    timeline.labs.forEach(function (l) { dates.push(Date.parse(l.date)); });
    if (cfg.therapy_start) { dates.push(Date.parse(cfg.therapy_start)); }
    var end = Date.parse(cfg.as_of);
    dates.push(end);
    return { min: Math.min.apply(null, dates) - 10 * DAY, max: Math.max.apply(null, dates) + 10 * DAY };
  }

  function draw(canvas, label, points, range, yMax, overlayOpts, colors) {
    return new Chart(canvas, {
      type: "line",
      data: {
        datasets: [{
          label: label,
          data: points,
          borderColor: LINE,
          backgroundColor: LINE,
          pointBackgroundColor: colors || LINE,
          pointBorderColor: colors || LINE,
          pointRadius: 4,
          pointHoverRadius: 6,
          borderWidth: 2,
          tension: 0
        }]
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: {
            type: "linear", min: range.min, max: range.max,
            afterBuildTicks: function (scale) { scale.ticks = monthTicks(scale.min, scale.max); },
            ticks: { autoSkip: false, maxRotation: 0, callback: function (v) { return monthLabel(v); } }
          },
          y: yMax.fixed ? { min: 0, max: yMax.value, ticks: { maxTicksLimit: 7 } }
                        : { min: 0, suggestedMax: yMax.value, ticks: { maxTicksLimit: 7 } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: {
            title: function (items) { return iso(items[0].parsed.x); },
            label: function (item) { return label + ": " + num(item.parsed.y); }
          } },
          jgOverlay: overlayOpts
        }
      },
      plugins: [overlay]
    });
  }

  function scoreChart(c, timeline, range) {
    var canvas = document.getElementById("chart-" + c.key);
    if (!canvas) { return 0; }
    var points = timeline.scores.filter(function (s) { return s.instrument === c.instrument; })
      .map(function (s) {
        var v = c.input ? (s.inputs ? s.inputs[c.input] : null) : s.value;
        return { x: Date.parse(s.date), y: v };
      })
      .filter(function (p) { return p.y !== null && p.y !== undefined; });
    var top = 0;
    points.forEach(function (p) { top = Math.max(top, p.y); });
    c.bands.forEach(function (b) { if (b.high !== null) { top = Math.max(top, b.high); } });
    var yMax = c.max !== null ? { fixed: true, value: c.max } : { fixed: false, value: top * 1.2 };
    var bands = c.bands.map(function (b) {
      return { low: b.low, high: b.high, short: b.label.split(":")[0] };
    });
    draw(canvas, c.title, points, range, yMax, { bands: bands, lines: [], start: startMs() });
    noteEmpty(canvas, points.length);
    return points.length;
  }

  function labChart(a, timeline, range) {
    var canvas = document.getElementById("chart-lab-" + a.analyte);
    if (!canvas) { return 0; }
    var labs = timeline.labs.filter(function (l) { return l.analyte === a.analyte; });
    var points = labs.map(function (l) { return { x: Date.parse(l.date), y: l.value }; });
    var colors = labs.map(function (l) {
      return ALERT_ACTIONS.indexOf(l.action) >= 0 ? ALERT : LINE;
    });
    var byValue = {};
    var bands = [];
    timeline.thresholds.forEach(function (t) {
      if (t.analyte !== a.analyte || t.canonical_value === null) { return; }
      var when = t.context === "initiation" ? "before start: " : "";
      if (t.comparator === "between") {
        var factor = t.value ? t.canonical_value / t.value : 1;
        var upper = t.upper === null ? t.canonical_value : t.upper * factor;
        bands.push({ low: t.canonical_value, high: upper, short: when + t.action,
                     color: "rgba(230, 120, 0, 0.17)" });
        return;
      }
      var sym = SYMBOLS[t.comparator] || t.comparator;
      var text = sym + " " + num(t.canonical_value) + " " + (t.canonical_unit || "") + ": " + when + t.action;
      var key = String(t.canonical_value);
      if (byValue[key]) {
        if (byValue[key].label.indexOf(text) < 0) { byValue[key].label += "; " + when + t.action; }
      } else {
        byValue[key] = { y: t.canonical_value, label: text };
      }
    });
    var lines = Object.keys(byValue).map(function (k) { return byValue[k]; });
    var top = 0;
    points.forEach(function (p) { top = Math.max(top, p.y); });
    lines.forEach(function (l) { top = Math.max(top, l.y); });
    bands.forEach(function (b) { top = Math.max(top, b.high); });
    var yMax = { fixed: false, value: top > 0 ? top * 1.2 : 1 };
    draw(canvas, a.title, points, range, yMax, { bands: bands, lines: lines, start: startMs() }, colors);
    if (!lines.length && !bands.length) {
      var note = canvas.closest("figure").querySelector(".chart-note");
      if (note) { note.textContent = "The label sets no threshold for this test."; }
    }
    noteEmpty(canvas, points.length);
    return points.length;
  }

  function startMs() { return cfg.therapy_start ? Date.parse(cfg.therapy_start) : null; }

  function noteEmpty(canvas, count) {
    if (count > 0) { return; }
    var p = document.createElement("p");
    p.className = "chart-note";
    p.textContent = "No values recorded yet.";
    canvas.parentNode.parentNode.appendChild(p);
  }

  fetch(cfg.timeline, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) {
      if (!r.ok) { throw new Error("the timeline answered " + r.status); }
      return r.json();
    })
    .then(function (timeline) {
      var range = xRange(timeline);
      var scores = 0, labs = 0;
      cfg.scores.forEach(function (c) { scores += scoreChart(c, timeline, range); });
      cfg.labs.forEach(function (a) { labs += labChart(a, timeline, range); });
      status.textContent = "Plotted " + scores + " scores and " + labs +
        " lab results from the timeline (as of " + timeline.as_of + ", knowledge " +
        timeline.knowledge_version + ").";
      section.setAttribute("data-ready", "true");
    })
    .catch(function (err) {
      status.textContent = "The plots could not be drawn (" + err.message +
        "); the timeline below lists every value.";
      section.setAttribute("data-ready", "error");
    });
}());
