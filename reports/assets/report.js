// splitbrain report: draws the time charts from the inline JSON (#report-data) on
// canvases. No libraries, no network. All time charts share one x range: drag across
// any of them to zoom, double-click (or "reset zoom") to see the whole run again.
(function () {
  'use strict';
  var t0 = performance.now();
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var END = Math.max(data.end || 0, 1);
  var view = { lo: 0, hi: END };
  var charts = [];
  var TYPE_NAMES = ['ok', 'fail', 'info'];
  var TYPE_COLORS = ['#2e7d32', '#c62828', '#ef8f00'];
  var PALETTE = ['#1565c0', '#6a1b9a', '#00838f', '#ad1457', '#558b2f', '#4e342e',
    '#283593', '#d84315', '#00695c', '#9e9d24', '#5d4037', '#37474f'];
  var FAULT_COLORS = { partition: 'rgba(229,57,53,0.13)', kill: 'rgba(94,53,177,0.14)',
    pause: 'rgba(30,136,229,0.13)', clock: 'rgba(0,137,123,0.13)' };
  var M = { left: 64, right: 12, top: 20, bottom: 24 };

  function faultColor(kind) { return FAULT_COLORS[kind] || 'rgba(255,160,0,0.16)'; }

  function niceStep(span, target) {
    var raw = span / Math.max(1, target);
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) { if (steps[i] * mag >= raw) { return steps[i] * mag; } }
    return 10 * mag;
  }

  function fmtTime(ms, step) {
    if (step < 1000) { return (+ms.toFixed(step < 1 ? 2 : 0)).toString() + ' ms'; }
    var digits = step % 1000 === 0 ? 0 : (step % 100 === 0 ? 1 : 2);
    return (ms / 1000).toFixed(digits) + ' s';
  }

  function fmtNum(v) {
    if (v === 0) { return '0'; }
    var a = Math.abs(v);
    if (a >= 1e6) { return (v / 1e6).toFixed(1) + 'M'; }
    if (a >= 1e4) { return (v / 1e3).toFixed(0) + 'k'; }
    if (a >= 100) { return v.toFixed(0); }
    if (a >= 1) { return (+v.toFixed(1)).toString(); }
    return (+v.toPrecision(2)).toString();
  }

  function setup(canvas, height) {
    var width = Math.max(320, canvas.parentElement.clientWidth || 900);
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    var ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { ctx: ctx, w: width, h: height };
  }

  // A chart over the shared time axis. spec.height, spec.draw(ctx, area, xOf), spec.hover.
  function TimeChart(canvas, spec) {
    this.canvas = canvas;
    this.spec = spec;
    this.drag = null;
    var self = this;
    canvas.addEventListener('mousedown', function (e) {
      self.drag = { x0: e.offsetX, x1: e.offsetX };
    });
    canvas.addEventListener('mousemove', function (e) {
      if (self.drag) { self.drag.x1 = e.offsetX; self.render(); return; }
      if (self.spec.hover) { self.spec.hover(e.offsetX, e.offsetY, self.area, self.xOf); }
    });
    canvas.addEventListener('mouseleave', function () { if (self.drag) { self.drag = null; self.render(); } });
    canvas.addEventListener('mouseup', function () {
      var d = self.drag;
      self.drag = null;
      if (d && Math.abs(d.x1 - d.x0) > 4) {
        var a = self.tOf(Math.min(d.x0, d.x1)), b = self.tOf(Math.max(d.x0, d.x1));
        zoom(Math.max(0, a), Math.min(END, b));
      } else { self.render(); }
    });
    canvas.addEventListener('dblclick', function () { zoom(0, END); });
  }

  TimeChart.prototype.render = function () {
    var s = setup(this.canvas, this.spec.height);
    var ctx = s.ctx;
    var area = { x: M.left, y: M.top, w: s.w - M.left - M.right, h: s.h - M.top - M.bottom };
    var span = view.hi - view.lo;
    var xOf = function (t) { return area.x + (t - view.lo) / span * area.w; };
    this.area = area;
    this.xOf = xOf;
    this.tOf = function (x) { return view.lo + (x - area.x) / area.w * span; };
    ctx.clearRect(0, 0, s.w, s.h);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, s.w, s.h);
    shadeFaults(ctx, area, xOf);
    ctx.save();
    ctx.beginPath();
    ctx.rect(area.x, area.y, area.w, area.h);
    ctx.clip();
    var drawn = this.spec.draw(ctx, area, xOf);
    ctx.restore();
    timeAxis(ctx, area, xOf);
    ctx.strokeStyle = '#999';
    ctx.strokeRect(area.x + 0.5, area.y + 0.5, area.w, area.h);
    if (this.drag) {
      ctx.fillStyle = 'rgba(21,101,192,0.18)';
      var x0 = Math.min(this.drag.x0, this.drag.x1);
      ctx.fillRect(x0, area.y, Math.abs(this.drag.x1 - this.drag.x0), area.h);
    }
    this.canvas.setAttribute('data-drawn', String(drawn || 0));
  };

  function shadeFaults(ctx, area, xOf) {
    var lastLabelEnd = -1;
    (data.faults || []).forEach(function (f) {
      if (f.end < view.lo || f.start > view.hi) { return; }
      var x1 = Math.max(area.x, xOf(f.start)), x2 = Math.min(area.x + area.w, xOf(f.end));
      ctx.fillStyle = faultColor(f.kind);
      ctx.fillRect(x1, area.y, Math.max(1, x2 - x1), area.h);
      ctx.fillStyle = '#7a3a00';
      ctx.font = '10px sans-serif';
      var label = f.kind + (f.open ? ' (never healed)' : '');
      if (x1 > lastLabelEnd) {
        ctx.fillText(label, x1 + 2, area.y - 6);
        lastLabelEnd = x1 + ctx.measureText(label).width + 6;
      }
    });
  }

  function timeAxis(ctx, area, xOf) {
    var span = view.hi - view.lo;
    var step = niceStep(span, Math.max(2, Math.floor(area.w / 110)));
    ctx.fillStyle = '#333';
    ctx.strokeStyle = '#ddd';
    ctx.font = '11px sans-serif';
    ctx.textAlign = 'center';
    for (var t = Math.ceil(view.lo / step) * step; t <= view.hi; t += step) {
      var x = xOf(t);
      ctx.beginPath();
      ctx.moveTo(x + 0.5, area.y + area.h);
      ctx.lineTo(x + 0.5, area.y + area.h + 4);
      ctx.stroke();
      ctx.fillText(fmtTime(t, step), x, area.y + area.h + 16);
    }
    ctx.textAlign = 'left';
  }

  function yAxis(ctx, area, lo, hi, yOf, log, unit) {
    ctx.fillStyle = '#333';
    ctx.strokeStyle = '#eee';
    ctx.font = '11px sans-serif';
    ctx.textAlign = 'right';
    var ticks = [];
    if (log) {
      for (var e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) { ticks.push(Math.pow(10, e)); }
    } else {
      var step = niceStep(hi - lo || 1, Math.max(2, Math.floor(area.h / 40)));
      for (var v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) { ticks.push(v); }
    }
    ticks.forEach(function (v) {
      var y = yOf(v);
      if (y < area.y - 1 || y > area.y + area.h + 1) { return; }
      ctx.beginPath();
      ctx.moveTo(area.x, y + 0.5);
      ctx.lineTo(area.x + area.w, y + 0.5);
      ctx.stroke();
      ctx.fillText(fmtNum(v) + (unit || ''), area.x - 4, y + 4);
    });
    ctx.textAlign = 'left';
  }

  function legend(ctx, area, items) {
    ctx.font = '11px sans-serif';
    var x = area.x + area.w - 8;
    for (var i = items.length - 1; i >= 0; i--) {
      var w = ctx.measureText(items[i][0]).width + 22;
      x -= w;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(x - 2, area.y + 2, w, 16);
      ctx.fillStyle = items[i][1];
      ctx.fillRect(x, area.y + 6, 12, 8);
      ctx.fillStyle = '#222';
      ctx.fillText(items[i][0], x + 15, area.y + 14);
    }
  }

  function zoom(lo, hi) {
    if (hi - lo < 0.01) { return; }
    view.lo = lo;
    view.hi = hi;
    showRange();
    try {  // a link to this zoom: report.html#t=LO-HI (seconds)
      var whole = lo <= 0 && hi >= END;
      var hash = whole ? '' : '#t=' + (lo / 1000).toFixed(3) + '-' + (hi / 1000).toFixed(3);
      history.replaceState(null, '', location.pathname + location.search + hash);
    } catch (e) { /* some file:// contexts refuse; the zoom still works */ }
    charts.forEach(function (c) { c.render(); });
  }

  function showRange() {
    var el = byId('zoom-range');
    if (!el) { return; }
    el.textContent = view.lo <= 0 && view.hi >= END ? 'whole run' :
      (view.lo / 1000).toFixed(2) + ' s – ' + (view.hi / 1000).toFixed(2) + ' s';
  }

  function zoomFromHash() {
    var m = /^#t=([0-9.]+)-([0-9.]+)$/.exec(location.hash || '');
    if (!m) { return; }
    var lo = parseFloat(m[1]) * 1000, hi = parseFloat(m[2]) * 1000;
    if (isFinite(lo) && isFinite(hi) && hi > lo) {
      view.lo = Math.max(0, lo);
      view.hi = Math.min(END, hi);
    }
  }

  function byId(id) { return document.getElementById(id); }

  // ---- the operations, decoded once: start / end in ms, lane, outcome, kind, process
  function decodeOps() {
    var O = data.ops;
    if (!O) { return null; }
    var n = O.dur.length, unit = O.unit_ms, acc = 0;
    var start = new Float64Array(n), end = new Float64Array(n), lat = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      acc += O.start[i];
      start[i] = acc * unit;
      lat[i] = O.dur[i] < 0 ? -1 : O.dur[i] * unit;  // -1: never completed
      end[i] = O.dur[i] < 0 ? END : start[i] + lat[i];
    }
    return { n: n, start: start, end: end, lat: lat, lane: O.lane, type: O.type, f: O.f,
      proc: O.proc, label: O.label, fs: O.fs, lanes: O.lanes };
  }

  // ---- timeline: one lane per worker (its processes), one bar per operation
  function timelineChart(ops) {
    var canvas = byId('chart-timeline');
    if (!canvas || !ops) { return; }
    var lanes = ops.lanes.length || 1;
    var laneH = Math.max(3, Math.min(26, Math.floor(560 / lanes)));
    var byLane = [];
    for (var i = 0; i < lanes; i++) { byLane.push([]); }
    for (var k = 0; k < ops.n; k++) { byLane[ops.lane[k]].push(k); }
    var hover = byId('timeline-hover');
    charts.push(new TimeChart(canvas, {
      height: lanes * laneH + M.top + M.bottom,
      draw: function (ctx, area, xOf) {
        var n = 0, lastType = -1;
        for (var j = 0; j < ops.n; j++) {
          if (ops.end[j] < view.lo || ops.start[j] > view.hi) { continue; }
          var x1 = xOf(ops.start[j]), x2 = xOf(ops.end[j]);
          if (ops.type[j] !== lastType) { lastType = ops.type[j]; ctx.fillStyle = TYPE_COLORS[lastType]; }
          ctx.fillRect(x1, area.y + ops.lane[j] * laneH + 1, Math.max(1, x2 - x1), Math.max(1, laneH - 2));
          n++;
        }
        legend(ctx, area, [['ok', TYPE_COLORS[0]], ['fail', TYPE_COLORS[1]], ['info', TYPE_COLORS[2]]]);
        ctx.restore(); ctx.save();  // lane labels sit in the margin, outside the clip
        if (laneH >= 10) {
          ctx.fillStyle = '#555';
          ctx.textAlign = 'right';
          for (var l = 0; l < ops.lanes.length; l++) {
            ctx.fillText(ops.lanes[l], area.x - 4, area.y + l * laneH + laneH / 2 + 4);
          }
          ctx.textAlign = 'left';
        }
        return n;
      },
      hover: function (x, y, area, xOf) {
        var l = Math.floor((y - area.y) / laneH);
        if (l < 0 || l >= lanes || !hover) { return; }
        var best = -1, bestDist = 4;
        byLane[l].forEach(function (j) {
          var x1 = xOf(ops.start[j]), x2 = Math.max(x1 + 1, xOf(ops.end[j]));
          var d = x < x1 ? x1 - x : (x > x2 ? x - x2 : 0);
          if (d < bestDist) { best = j; bestDist = d; }
        });
        if (best < 0) { return; }
        var took = ops.lat[best] < 0 ? 'never completed' :
          ops.start[best].toFixed(1) + ' → ' + ops.end[best].toFixed(1) + ' ms (' + ops.lat[best].toFixed(2) + ' ms)';
        hover.textContent = 'process ' + ops.proc[best] + ' · ' + ops.fs[ops.f[best]] + ' ' +
          ops.label[best] + ' · ' + TYPE_NAMES[ops.type[best]] + ' · ' + took;
      }
    }));
  }

  // ---- latency scatter of the completed operations, log scale
  function latencyChart(ops) {
    var canvas = byId('chart-latency');
    if (!canvas || !ops) { return; }
    var lo = Infinity, hi = 0;
    for (var i = 0; i < ops.n; i++) {
      var v = ops.lat[i];
      if (v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    if (!isFinite(lo)) { lo = 0.1; hi = 1; }
    lo = Math.pow(10, Math.floor(Math.log10(lo)));
    hi = Math.pow(10, Math.ceil(Math.log10(hi * 1.01)));
    var span = Math.log10(hi) - Math.log10(lo);
    charts.push(new TimeChart(canvas, {
      height: 300,
      draw: function (ctx, area, xOf) {
        var yOf = function (v) {
          return area.y + area.h - (Math.log10(Math.max(lo, v)) - Math.log10(lo)) / span * area.h;
        };
        var n = 0;
        for (var j = 0; j < ops.n; j++) {
          if (ops.lat[j] < 0 || ops.start[j] < view.lo || ops.start[j] > view.hi) { continue; }
          ctx.fillStyle = ops.type[j] === 0 ? PALETTE[ops.f[j] % PALETTE.length] : TYPE_COLORS[ops.type[j]];
          ctx.fillRect(xOf(ops.start[j]) - 1, yOf(ops.lat[j]) - 1, 2.5, 2.5);
          n++;
        }
        ctx.restore(); ctx.save();
        yAxis(ctx, area, lo, hi, yOf, true, ' ms');
        var items = ops.fs.map(function (f, k) { return [f + ' ok', PALETTE[k % PALETTE.length]]; });
        legend(ctx, area, items.concat([['fail', TYPE_COLORS[1]], ['info', TYPE_COLORS[2]]]));
        return n;
      }
    }));
  }

  function lineChart(canvasId, height, seriesFn, unit, legendItems) {
    var canvas = byId(canvasId);
    if (!canvas) { return; }
    charts.push(new TimeChart(canvas, {
      height: height,
      draw: function (ctx, area, xOf) {
        var series = seriesFn();
        var hi = 0;
        series.forEach(function (s) { s.y.forEach(function (v) { if (v !== null && v > hi) { hi = v; } }); });
        hi = hi <= 0 ? 1 : hi * 1.08;
        var yOf = function (v) { return area.y + area.h - v / hi * area.h; };
        var n = 0;
        series.forEach(function (s) {
          ctx.strokeStyle = s.color;
          ctx.lineWidth = s.width || 1.5;
          ctx.setLineDash(s.dash || []);
          ctx.beginPath();
          var pen = false;
          for (var j = 0; j < s.t.length; j++) {
            if (s.y[j] === null) { pen = false; continue; }
            var x = xOf(s.t[j]), y = yOf(s.y[j]);
            if (pen) { ctx.lineTo(x, y); } else { ctx.moveTo(x, y); pen = true; }
            n++;
          }
          ctx.stroke();
        });
        ctx.setLineDash([]);
        ctx.lineWidth = 1;
        ctx.restore(); ctx.save();
        yAxis(ctx, area, 0, hi, yOf, false, unit);
        legend(ctx, area, legendItems || series.map(function (s) { return [s.name, s.color]; }));
        return n;
      }
    }));
  }

  function throughputChart() {
    var T = data.throughput;
    if (!T) { return; }
    lineChart('chart-throughput', 240, function () {
      return ['ok', 'fail', 'info'].map(function (type, i) {
        var ys = T.series[type] || [];
        return { name: type + '/s', color: TYPE_COLORS[i],
          t: ys.map(function (_, b) { return (b + 0.5) * T.bucket_ms; }), y: ys };
      });
    }, '');
  }

  function quantileChart() {
    var Q = data.quantiles;
    if (!Q) { return; }
    var qColors = { p50: '#1565c0', p95: '#2e7d32', p99: '#ef8f00', max: '#c62828' };
    var dashes = [[], [7, 3], [2, 3], [9, 3, 2, 3]];
    var dashNames = ['solid', 'dashed', 'dotted', 'dash-dot'];
    var fs = Object.keys(Q.by_f);
    lineChart('chart-quantiles', 260, function () {
      var out = [];
      fs.forEach(function (f, fi) {
        Q.labels.forEach(function (q) {
          var pts = Q.by_f[f][q] || [];
          out.push({ name: null, color: qColors[q] || '#555', dash: dashes[fi % dashes.length],
            t: pts.map(function (p) { return p[0]; }), y: pts.map(function (p) { return p[1]; }) });
        });
      });
      return out;
    }, ' ms', Q.labels.map(function (q) { return [q, qColors[q] || '#555']; }).concat(
      fs.map(function (f, fi) { return [f + ': ' + dashNames[fi % dashNames.length], '#777']; })));
  }

  function resourceCharts() {
    var nodes = (data.resources || {}).nodes || {};
    var names = Object.keys(nodes);
    if (!names.length) { return; }
    ['cpu', 'rss'].forEach(function (metric) {
      lineChart('chart-' + metric, 220, function () {
        return names.map(function (name, i) {
          return { name: name, color: PALETTE[i % PALETTE.length], t: nodes[name].t, y: nodes[name][metric] };
        });
      }, metric === 'cpu' ? '%' : '');
    });
  }

  function linearizabilityHover() {
    var panel = byId('lin-hover');
    if (!panel) { return; }
    // bring the operation that cannot be placed into view
    var failed = document.querySelector('.lin-op.failed rect');
    var view = document.querySelector('.lin-view');
    if (failed && view) {
      var x = parseFloat(failed.getAttribute('x')) || 0;
      view.scrollLeft = Math.max(0, x - view.clientWidth * 0.7);
    }
    Array.prototype.forEach.call(document.querySelectorAll('.lin-op'), function (g) {
      g.addEventListener('mouseenter', function () {
        panel.textContent = g.getAttribute('data-detail');
        g.classList.add('hover');
      });
      g.addEventListener('mouseleave', function () { g.classList.remove('hover'); });
    });
  }

  // one broken chart must not take the rest of the page with it: record and go on
  function guarded(what, fn) {
    try { fn(); } catch (e) {
      var record = window.__recordError || function () {};
      record('Uncaught ' + what + ': ' + (e && e.stack ? e.stack : e));
    }
  }
  guarded('zoom from the address', zoomFromHash);
  guarded('zoom range', showRange);
  var ops = null;
  guarded('decoding the operations', function () { ops = decodeOps(); });
  [timelineChart, latencyChart, quantileChart, throughputChart, resourceCharts,
    linearizabilityHover].forEach(function (setupChart) {
    guarded(setupChart.name, function () { setupChart(ops); });
  });
  charts.forEach(function (c) { guarded('drawing ' + c.canvas.id, function () { c.render(); }); });
  Array.prototype.forEach.call(document.querySelectorAll('.reset-zoom'), function (b) {
    b.addEventListener('click', function () { zoom(0, END); });
  });
  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { charts.forEach(function (c) { c.render(); }); }, 150);
  });
  document.body.setAttribute('data-charts', String(charts.length));
  document.body.setAttribute('data-render-ms', (performance.now() - t0).toFixed(1));
  document.body.setAttribute('data-ready', '1');
}());
