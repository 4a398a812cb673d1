// The step-through page: walks the view's steps (bpdiag explain's order, embedded as JSON),
// marks on the inline SVG the node each step computes and the quantities it reads, and shows
// the step as text in #step. Keys: → / ← next and back, Home / End the ends, + / − / 0 zoom.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('bpdiag-steps').textContent);
  var steps = data.steps;
  var holder = document.getElementById('diagram');
  var svg = holder.querySelector('svg');
  var graph = svg.querySelector('g.graph');
  var stepBox = document.getElementById('step');
  var counter = document.getElementById('counter');
  var backButton = document.getElementById('back');
  var nextButton = document.getElementById('next');
  var list = document.getElementById('step-list');
  var SVGNS = 'http://www.w3.org/2000/svg';

  // the diagram's nodes by bpdiag id, and each edge's ends (DOT names n0, n1, ... in <title>)
  var nodes = {}, byDotName = {};
  Array.prototype.forEach.call(svg.querySelectorAll('g.node'), function (g) {
    nodes[g.id] = g;
    var title = g.querySelector('title');
    if (title) byDotName[title.textContent] = g.id;
  });
  var edges = [];
  Array.prototype.forEach.call(svg.querySelectorAll('g.edge'), function (g) {
    var title = g.querySelector('title');
    var ends = title ? title.textContent.split('->') : [];
    if (ends.length === 2) edges.push({g: g, from: byDotName[ends[0]], to: byDotName[ends[1]]});
  });

  var marks = document.createElementNS(SVGNS, 'g');  // halos, drawn behind the nodes
  marks.setAttribute('class', 'bpdiag-marks');
  // after the background and the layers' groups (which are filled), before nodes and edges
  graph.insertBefore(marks, graph.querySelector(':scope > g.node, :scope > g.edge'));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', holder.getAttribute('aria-label'));
  holder.classList.add('stepping');

  var MARK_CLASSES = ['current', 'reads', 'computes', 'shortcut'];
  var index = -1;

  function make(tag, className, text) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function halo(id, kind, pad) {
    var g = nodes[id];
    if (!g) return;
    var box = g.getBBox();
    var rect = document.createElementNS(SVGNS, 'rect');
    rect.setAttribute('x', box.x - pad);
    rect.setAttribute('y', box.y - pad);
    rect.setAttribute('width', box.width + 2 * pad);
    rect.setAttribute('height', box.height + 2 * pad);
    rect.setAttribute('rx', pad);
    rect.setAttribute('class', 'bpdiag-mark ' + kind);
    marks.appendChild(rect);
  }

  function mark(id, className) {
    if (nodes[id]) nodes[id].classList.add(className);
  }

  function clear() {
    MARK_CLASSES.forEach(function (name) {
      Array.prototype.forEach.call(svg.querySelectorAll('g.node.' + name), function (g) {
        g.classList.remove(name);
      });
    });
    edges.forEach(function (edge) { edge.g.classList.remove('active'); });
    while (marks.firstChild) marks.removeChild(marks.firstChild);
  }

  function readsLine(label, reads) {
    var line = make('p', 'reads');
    line.appendChild(document.createTextNode(label));
    reads.forEach(function (read, position) {
      if (position) line.appendChild(document.createTextNode(', '));
      var chip = make('span', read.cached ? 'chip cached' : 'chip', read.symbol);
      line.appendChild(chip);
      if (read.cached) line.appendChild(document.createTextNode(' (cached)'));
    });
    return line;
  }

  function valueBlock(name, lines) {
    return make('pre', '', name + ' =\n' + lines.join('\n'));
  }

  function describe(step) {
    var parts = [];
    parts.push(make('p', 'where', 'Step ' + step.number + ' of ' + steps.length + ' · ' +
                    (step.phase === 'forward' ? 'forward pass' : 'back-propagation')));
    parts.push(make('p', 'formula', step.formula));
    parts.push(make('p', 'shape', 'shape ' + step.shape));
    if (step.reads.length) parts.push(readsLine('reads ', step.reads));
    if (step.cachedFor.length) {
      parts.push(make('p', 'note', 'cached by the forward pass for ' + step.cachedFor.join(', ')));
    }
    if (step.shortcut) {
      parts.push(make('p', 'shape', 'shortcut: ' + step.shortcut.formula + ' (' +
                      step.shortcut.reason + '): the same value, bpdiag check compares both'));
      parts.push(readsLine('the shortcut reads ', step.shortcut.reads));
    }
    if (step.values) {
      var values = make('div', 'values');
      values.appendChild(valueBlock(step.symbol, step.values));
      step.reads.forEach(function (read) {
        if (read.values) values.appendChild(valueBlock(read.symbol, read.values));
      });
      parts.push(values);
    }
    if (step.verdict) parts.push(make('p', step.verdict.good ? 'good' : 'bad', step.verdict.text));
    if (step.note) parts.push(make('p', 'note', step.note));
    if (step.number === steps.length) parts.push(make('p', 'stop', data.stop));
    return parts;
  }

  function show(target) {
    target = Math.max(0, Math.min(steps.length - 1, target));
    if (target === index) return;  // past either end nothing moves
    index = target;
    var step = steps[index];
    clear();
    var involved = {};
    involved[step.node] = true;
    if (step.op) involved[step.op] = true;
    step.reads.forEach(function (read) { involved[read.node] = true; });
    if (step.shortcut) {
      if (step.shortcut.op) involved[step.shortcut.op] = true;
      step.shortcut.reads.forEach(function (read) { involved[read.node] = true; });
    }
    var targets = {};
    targets[step.node] = true;
    if (step.op) targets[step.op] = true;
    if (step.shortcut && step.shortcut.op) targets[step.shortcut.op] = true;
    edges.forEach(function (edge) {
      if (involved[edge.from] && targets[edge.to]) edge.g.classList.add('active');
    });
    var reads = step.reads.concat(step.shortcut ? step.shortcut.reads : []);
    reads.forEach(function (read) {
      mark(read.node, 'reads');
      halo(read.node, read.cached ? 'cached' : 'reads', 7);
    });
    if (step.op) { mark(step.op, 'computes'); halo(step.op, 'computes', 5); }
    if (step.shortcut && step.shortcut.op) {
      mark(step.shortcut.op, 'shortcut'); halo(step.shortcut.op, 'computes', 5);
    }
    mark(step.node, 'current');
    halo(step.node, 'current', 9);

    var parts = describe(step);
    while (stepBox.firstChild) stepBox.removeChild(stepBox.firstChild);
    parts.forEach(function (part) { stepBox.appendChild(part); });
    counter.textContent = 'step ' + step.number + ' of ' + steps.length;
    backButton.setAttribute('aria-disabled', String(index === 0));
    nextButton.setAttribute('aria-disabled', String(index === steps.length - 1));
    Array.prototype.forEach.call(list.querySelectorAll('button'), function (button, position) {
      if (position === index) button.setAttribute('aria-current', 'step');
      else button.removeAttribute('aria-current');
    });
    keepInView(step.node);
    try { history.replaceState(null, '', '#step-' + step.number); } catch (error) { /* file:// */ }
  }

  // zoom and pan: the SVG's viewBox is the visible part of the drawing
  var whole = svg.viewBox.baseVal;
  var full = {x: whole.x, y: whole.y, width: whole.width, height: whole.height};
  var view = {x: full.x, y: full.y, width: full.width, height: full.height};
  function applyView(next) {
    view = next;
    svg.setAttribute('viewBox', [view.x, view.y, view.width, view.height].join(' '));
  }
  function zoomAt(factor, cx, cy) {  // (cx, cy) stays where it is; 25 times in, a little out
    var width = Math.max(0.04, Math.min(1.5, view.width * factor / full.width)) * full.width;
    factor = width / view.width;
    applyView({x: cx - (cx - view.x) * factor, y: cy - (cy - view.y) * factor,
               width: view.width * factor, height: view.height * factor});
  }
  function zoom(factor) { zoomAt(factor, view.x + view.width / 2, view.y + view.height / 2); }
  function fit() { applyView({x: full.x, y: full.y, width: full.width, height: full.height}); }
  function toSvg(clientX, clientY) {
    var point = svg.createSVGPoint();
    point.x = clientX; point.y = clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }
  function keepInView(id) {
    var g = nodes[id];
    if (!g) return;
    var box = g.getBBox();
    var matrix = graph.transform.baseVal.consolidate();
    var dx = matrix ? matrix.matrix.e : 0, dy = matrix ? matrix.matrix.f : 0;
    var x = box.x + dx, y = box.y + dy;
    var inside = x >= view.x && y >= view.y && x + box.width <= view.x + view.width &&
                 y + box.height <= view.y + view.height;
    if (inside) return;
    // centre it, but keep the drawing's edges at the area's edges rather than show blank
    var scale = Math.min(holder.clientWidth / view.width, holder.clientHeight / view.height);
    var seenWidth = holder.clientWidth / scale, seenHeight = holder.clientHeight / scale;
    function clamp(centre, start, length, seen) {
      if (seen >= length) return start + length / 2;
      return Math.max(start + seen / 2, Math.min(start + length - seen / 2, centre));
    }
    var cx = clamp(x + box.width / 2, full.x, full.width, seenWidth);
    var cy = clamp(y + box.height / 2, full.y, full.height, seenHeight);
    applyView({x: cx - view.width / 2, y: cy - view.height / 2,
               width: view.width, height: view.height});
  }

  var drag = null, dragged = false;
  holder.addEventListener('pointerdown', function (event) {
    if (event.button !== 0) return;
    drag = {x: event.clientX, y: event.clientY, view: view};
    dragged = false;
  });
  holder.addEventListener('pointermove', function (event) {
    if (!drag) return;
    var moved = Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y);
    if (!dragged && moved < 5) return;
    if (!dragged) { dragged = true; holder.classList.add('panning'); }
    var ctm = svg.getScreenCTM();
    applyView({x: drag.view.x - (event.clientX - drag.x) / ctm.a,
               y: drag.view.y - (event.clientY - drag.y) / ctm.d,
               width: drag.view.width, height: drag.view.height});
  });
  function endDrag() { drag = null; holder.classList.remove('panning'); }
  holder.addEventListener('pointerup', endDrag);
  holder.addEventListener('pointerleave', endDrag);
  holder.addEventListener('wheel', function (event) {
    event.preventDefault();
    var point = toSvg(event.clientX, event.clientY);
    zoomAt(Math.exp(Math.max(-1, Math.min(1, event.deltaY / 300))), point.x, point.y);
  }, {passive: false});

  // clicking a node shows its step (a given quantity: the first step that reads it)
  Object.keys(data.jump).forEach(function (id) {
    var g = nodes[id];
    if (!g) return;
    g.classList.add('jump');
    g.addEventListener('click', function () {
      if (!dragged) show(data.jump[id]);
    });
  });

  steps.forEach(function (step, position) {
    var item = make('li');
    var button = make('button', '', step.formula);
    button.type = 'button';
    button.addEventListener('click', function () {  // jump, close the list, back to its summary
      show(position);
      closeList();
    });
    item.appendChild(button);
    list.appendChild(item);
  });

  var allSteps = document.getElementById('all-steps');
  function closeList() {
    if (!allSteps.open) return false;
    allSteps.open = false;
    allSteps.querySelector('summary').focus();
    return true;
  }
  // the list opens below its button, moved left as far as it must to end inside the window
  // (at 1920 px the button sits right of centre and the longest formulas ran past the edge)
  allSteps.addEventListener('toggle', function () {
    if (!allSteps.open) return;
    list.style.left = '';
    var box = list.getBoundingClientRect(), margin = 8;
    var shift = Math.min(box.right - (document.documentElement.clientWidth - margin),
                         box.left - margin);
    if (shift > 0) list.style.left = -shift + 'px';
  });

  backButton.addEventListener('click', function () { show(index - 1); });
  nextButton.addEventListener('click', function () { show(index + 1); });
  document.getElementById('zoom-in').addEventListener('click', function () { zoom(1 / 1.4); });
  document.getElementById('zoom-out').addEventListener('click', function () { zoom(1.4); });
  document.getElementById('zoom-fit').addEventListener('click', fit);

  document.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;  // Alt+← is the browser's back
    var handled = true;
    switch (event.key) {
      case 'ArrowRight': show(index + 1); break;
      case 'ArrowLeft': show(index - 1); break;
      case 'Home': show(0); break;
      case 'End': show(steps.length - 1); break;
      case '+': case '=': zoom(1 / 1.4); break;
      case '-': zoom(1.4); break;
      case '0': fit(); break;
      case 'Escape': handled = closeList(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  // On a narrow screen the whole diagram is too small to read: start zoomed in to a readable
  // scale (READABLE screen pixels per point of the drawing), following the current step.
  var READABLE = 0.7;
  var fitted = Math.min(holder.clientWidth / full.width, holder.clientHeight / full.height);
  if (fitted > 0 && fitted < READABLE) zoom(fitted / READABLE);
  function stepInAddress() {
    var wanted = /^#step-(\d+)$/.exec(location.hash);
    return wanted ? Number(wanted[1]) - 1 : null;
  }
  var start = stepInAddress();
  show(start === null ? 0 : start);
  // a link or an edited address (#step-7) moves to its step (replaceState fires no event)
  window.addEventListener('hashchange', function () {
    var wanted = stepInAddress();
    if (wanted !== null) show(wanted);
  });
}());
