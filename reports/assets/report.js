// Chart tooltips: the charts are drawn as SVG when the report is written; this only shows the
// figures of the point under the pointer, read from the JSON embedded in the page. Text is set
// with textContent only, never parsed as HTML.
(function () {
  'use strict';
  var source = document.getElementById('run-data');
  if (!source) return;
  var data = JSON.parse(source.textContent || 'null');
  if (!data || !data.charts) return;
  var stepTitles = data.stepTitles || [];

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }
  function clock(ms) {
    var s = Math.floor(Math.max(0, ms) / 1000);
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    return h ? h + ':' + pad(m) + ':' + pad(s % 60) : m + ':' + pad(s % 60);
  }
  function figure(value, unit) {
    if (value === null || value === undefined) return '—';
    var text = unit.indexOf('MB') === 0 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
    return unit ? text + ' ' + unit : text;
  }
  function nearest(xs, x) {
    var low = 0;
    var high = xs.length - 1;
    while (high - low > 1) {
      var mid = (low + high) >> 1;
      if (xs[mid] < x) low = mid;
      else high = mid;
    }
    return Math.abs(xs[low] - x) <= Math.abs(xs[high] - x) ? low : high;
  }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function where(chart, key) {
    return chart.xAxis === 'time' ? clock(key) : 'page ' + key.toLocaleString('en-US');
  }

  function attach(svg) {
    var chart = data.charts[svg.getAttribute('data-chart')];
    var box = svg.parentNode;
    var tip = box.querySelector('.tip');
    var guide = svg.querySelector('.guide');
    if (!chart || !tip || !guide) return;
    var groups = chart.groups.filter(function (group) {
      return group.x.length > 0;
    });
    if (!groups.length) return;
    var first = Math.min.apply(null, groups.map(function (g) { return g.x[0]; }));
    var last = Math.max.apply(null, groups.map(function (g) { return g.x[g.x.length - 1]; }));

    function hide() {
      tip.hidden = true;
      guide.classList.remove('on');
    }
    function show(event) {
      var matrix = svg.getScreenCTM();
      if (!matrix) return;
      var x = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse()).x;
      if (x < first - 8 || x > last + 8) return hide();
      tip.textContent = '';
      var guideX = x;
      groups.forEach(function (group, g) {
        var i = nearest(group.x, x);
        if (g === 0) guideX = group.x[i];
        var head = (group.label ? group.label + ' · ' : '') + where(chart, group.keys[i]);
        tip.appendChild(element('div', groups.length > 1 ? 'tip-group' : 'tip-head', head));
        group.rows.forEach(function (row) {
          var value = row.values[i];
          if (value === null || value === undefined) return;
          var line = element('div', 'tip-row');
          line.appendChild(element('span', 'swatch ' + row.cls));
          line.appendChild(element('span', '', row.label));
          line.appendChild(element('span', 'tip-value', figure(value, row.unit)));
          tip.appendChild(line);
        });
        if (group.steps && group.steps[i] >= 0) tip.appendChild(element('div', 'tip-step', 'step: ' + stepTitles[group.steps[i]]));
      });
      guide.setAttribute('x1', guideX);
      guide.setAttribute('x2', guideX);
      guide.classList.add('on');
      tip.hidden = false;
      var bounds = box.getBoundingClientRect();
      var left = event.clientX - bounds.left + 14;
      if (left + tip.offsetWidth > bounds.width) left = event.clientX - bounds.left - tip.offsetWidth - 14;
      tip.style.left = Math.max(0, left) + 'px';
      tip.style.top = Math.max(0, event.clientY - bounds.top - tip.offsetHeight / 2) + 'px';
    }
    svg.addEventListener('mousemove', show);
    svg.addEventListener('mouseleave', hide);
  }

  Array.prototype.forEach.call(document.querySelectorAll('svg[data-chart]'), attach);
})();
