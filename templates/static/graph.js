/* kb graph view: draws graph.json with sigma.js (WebGL) + graphology.
 *
 * Plain ES2017 script, no modules, no eval, no injected <style>; runs under
 * "default-src 'self'; script-src 'self'; style-src 'self'".
 * Needs (loaded before this file): vendor/graphology/graphology.umd.min.js
 * (global `graphology`) and vendor/sigma/sigma.min.js (global `Sigma`).
 *
 * For every element with class "graph-view":
 *   data-graph-url  URL of graph.json (required)
 *   data-base       relative path to the site root, prefixed to node.url on click
 *   data-focus      node id: show that node and its neighbours within
 *                   data-hops hops (edges taken as undirected); empty: whole graph
 *   data-hops       default 2
 *   data-fallback   optional id of a hidden (`hidden` attribute) element to reveal
 *                   when the graph cannot be drawn; without it the content of a
 *                   <noscript> that follows the element is revived instead.
 * When drawn: window.kbGraphReady = {nodes, edges} and window.kbSigma = sigma.
 * On failure: window.kbGraphError = message.
 */
(function () {
  "use strict";

  var HTTP_MESSAGE =
    "The graph needs the site to be served over HTTP (e.g. python -m http.server)";

  var CONFIDENCE = {
    proven: { fill: 1, ring: "dark", label: "proven: solid, dark outline" },
    likely: { fill: 1, ring: "same", label: "likely: solid" },
    experimental: { fill: 0.45, ring: "colour", label: "experimental: pale, coloured ring" },
    speculative: { fill: 0.15, ring: "colour", label: "speculative: hollow, coloured ring" },
  };
  var CONFIDENCE_ORDER = ["proven", "likely", "experimental", "speculative"];

  var EDGE_STYLE = {
    challenges: { light: "#d62728", dark: "#ff5c5c", size: 2.6, z: 2, label: "challenges" },
    depends_on: { light: "#1f6fd1", dark: "#5aa9ff", size: 1.6, z: 1, label: "depends on" },
  };
  var EDGE_OTHER = { light: "#c8c8c8", dark: "#4a4f57", size: 0.8, z: 0 };

  var SOURCE_COLOUR = { light: "#9a9a9a", dark: "#8a8f96" };
  var MAP_COLOUR = { light: "#6f6f6f", dark: "#b0b4ba" };

  /* ---------- colours ---------- */

  function hashString(s) {
    // FNV-1a 32 bit
    var h = 0x811c9dc5;
    for (var i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  function hslToHex(h, s, l) {
    s /= 100;
    l /= 100;
    var k = function (n) { return (n + h / 30) % 12; };
    var a = s * Math.min(l, 1 - l);
    var f = function (n) {
      var v = l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
      var x = Math.round(v * 255).toString(16);
      return x.length === 1 ? "0" + x : x;
    };
    return "#" + f(0) + f(8) + f(4);
  }

  // Distinct mid-lightness colours, readable on white and on near-black
  // (no pure red: red is kept for "challenges" links, no grey: for sources).
  var PALETTE = [
    "#1f77b4", "#e8710a", "#2ca02c", "#9467bd", "#17becf", "#e377c2",
    "#b8860b", "#0b8f6b", "#5c6bc0", "#c2185b", "#a0694f", "#7cb342",
  ];
  var domainColourCache = Object.create(null);

  // Colour of a domain outside any assignment: a hue from the name's hash.
  function hashColour(key) {
    var h = hashString(key);
    var hue = h % 360;
    var sat = 62 + ((h >>> 9) % 16); // 62..77
    var lig = 44 + ((h >>> 17) % 10); // 44..53
    if (hue > 45 && hue < 170) lig -= 8; // yellows/greens: darker on white
    return hslToHex(hue, sat, lig);
  }

  // Deterministic colours for every domain in graph.json: each domain starts
  // at palette slot hash(name) % 12 and probes forward past taken slots, in
  // name order, so colours are the same on every page built from the same
  // graph.json and distinct while there are at most 12 domains; further
  // domains get a hue from their hash.
  function assignDomainColours(nodes) {
    var names = Object.create(null);
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      if (n && (n.kind === "claim" || !n.kind)) names[n.domain || ""] = true;
    }
    var list = Object.keys(names).sort();
    var taken = new Array(PALETTE.length);
    list.forEach(function (d) {
      if (domainColourCache[d]) return;
      var start = hashString(d) % PALETTE.length;
      for (var k = 0; k < PALETTE.length; k++) {
        var slot = (start + k) % PALETTE.length;
        if (!taken[slot]) {
          taken[slot] = true;
          domainColourCache[d] = PALETTE[slot];
          return;
        }
      }
      domainColourCache[d] = hashColour(d);
    });
  }

  function domainColour(domain) {
    var key = domain || "";
    if (!domainColourCache[key]) domainColourCache[key] = hashColour(key);
    return domainColourCache[key];
  }

  function parseHex(c) {
    return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
  }
  function toHex(rgb) {
    return "#" + rgb.map(function (v) {
      var x = Math.max(0, Math.min(255, Math.round(v))).toString(16);
      return x.length === 1 ? "0" + x : x;
    }).join("");
  }
  // t = 1: colour itself; t = 0: the background
  function mix(colour, background, t) {
    var a = parseHex(colour), b = parseHex(background);
    return toHex([0, 1, 2].map(function (i) { return b[i] + (a[i] - b[i]) * t; }));
  }

  function isDark() {
    return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  }
  function theme() {
    var dark = isDark();
    return {
      dark: dark,
      mode: dark ? "dark" : "light",
      background: dark ? "#16181c" : "#ffffff",
      label: dark ? "#e8e8e8" : "#1a1a1a",
      hoverBox: dark ? "#2a2d33" : "#ffffff",
      hoverShadow: dark ? "#000000" : "#555555",
      outline: dark ? "#f0f0f0" : "#111111",
    };
  }

  /* ---------- node and edge styling ---------- */

  function nodeSize(degree, kind, scale) {
    var d = Math.max(0, +degree || 0);
    var s = (2 + 1.6 * Math.sqrt(d)) * scale;
    s = Math.max(2 * scale, Math.min(16 * scale, s));
    if (kind === "source" || kind === "map") s = Math.max(1.5, s * 0.6);
    return s;
  }

  function styleNode(attrs, th) {
    var kind = attrs.kind;
    var base, fillT = 1, ring = "same", ringSize = 0.12;
    if (kind === "source" || kind === "map") {
      base = (kind === "map" ? MAP_COLOUR : SOURCE_COLOUR)[th.mode];
      ring = kind === "map" ? "dark" : "same";
    } else {
      base = domainColour(attrs.domain);
      var conf = CONFIDENCE[attrs.confidence];
      if (conf) {
        fillT = conf.fill;
        ring = conf.ring;
      }
    }
    var colour = fillT >= 1 ? base : mix(base, th.background, fillT);
    var borderColor = base;
    if (ring === "dark") {
      borderColor = th.outline;
      ringSize = 0.22;
    } else if (ring === "colour") {
      ringSize = 0.3;
    }
    attrs.color = colour;
    attrs.borderColor = borderColor;
    attrs.borderSize = ringSize;
    attrs.baseColor = base;
  }

  function styleEdge(attrs, th, scale) {
    var st = EDGE_STYLE[attrs.kbType] || EDGE_OTHER;
    attrs.color = st[th.mode];
    attrs.size = st === EDGE_OTHER ? st.size : Math.max(1, st.size * (scale || 1));
    attrs.zIndex = st.z;
  }

  /* ---------- hover label drawer (theme aware copy of sigma's default) ---------- */

  // Put a label on the side of the node that has room, shortened with an
  // ellipsis when it fits on neither (narrow screens).
  function fitLabel(context, label, x, radius) {
    var width = context.canvas.clientWidth || context.canvas.width;
    var roomRight = width - (x + radius) - 9;
    var roomLeft = x - radius - 9;
    var textWidth = context.measureText(label).width;
    var flip = textWidth > roomRight && roomLeft > roomRight;
    var room = Math.max(40, flip ? roomLeft : roomRight);
    if (textWidth > room) {
      var lo = 0, hi = label.length;
      while (lo < hi) {
        var mid = (lo + hi + 1) >> 1;
        if (context.measureText(label.slice(0, mid) + "\u2026").width <= room) lo = mid;
        else hi = mid - 1;
      }
      label = label.slice(0, lo) + "\u2026";
      textWidth = context.measureText(label).width;
    }
    return { label: label, width: textWidth, flip: flip };
  }

  function makeDrawLabel(getTheme) {
    return function drawLabel(context, data, settings) {
      if (!data.label) return;
      var size = settings.labelSize;
      context.font = settings.labelWeight + " " + size + "px " + settings.labelFont;
      context.fillStyle = getTheme().label;
      var fit = fitLabel(context, data.label, data.x, data.size + 3);
      var x = fit.flip ? data.x - data.size - 3 - fit.width : data.x + data.size + 3;
      context.fillText(fit.label, x, data.y + size / 3);
    };
  }

  function makeDrawHover(getTheme) {
    return function drawHover(context, data, settings) {
      var th = getTheme();
      var size = settings.labelSize;
      context.font = settings.labelWeight + " " + size + "px " + settings.labelFont;
      context.fillStyle = th.hoverBox;
      context.shadowOffsetX = 0;
      context.shadowOffsetY = 0;
      context.shadowBlur = 8;
      context.shadowColor = th.hoverShadow;
      var PADDING = 2;
      var textX = data.x + data.size + 3;
      var label = data.label;
      if (typeof label === "string" && label) {
        var boxHeight = Math.round(size + 2 * PADDING);
        var radius = Math.max(data.size, size / 2) + PADDING;
        var angle = Math.asin(Math.min(1, boxHeight / 2 / radius));
        var xDelta = Math.sqrt(Math.abs(radius * radius - (boxHeight / 2) * (boxHeight / 2)));
        var fit = fitLabel(context, label, data.x, radius);
        var flip = fit.flip;
        label = fit.label;
        var textWidth = fit.width;
        var boxWidth = Math.round(textWidth + 5);
        textX = flip ? data.x - radius - boxWidth + 2 : data.x + radius + 1;
        context.beginPath();
        if (!flip) {
          context.moveTo(data.x + xDelta, data.y + boxHeight / 2);
          context.lineTo(data.x + radius + boxWidth, data.y + boxHeight / 2);
          context.lineTo(data.x + radius + boxWidth, data.y - boxHeight / 2);
          context.lineTo(data.x + xDelta, data.y - boxHeight / 2);
          context.arc(data.x, data.y, radius, -angle, angle, true);
        } else {
          // label on the left when it would leave the canvas on the right
          context.moveTo(data.x - xDelta, data.y - boxHeight / 2);
          context.lineTo(data.x - radius - boxWidth, data.y - boxHeight / 2);
          context.lineTo(data.x - radius - boxWidth, data.y + boxHeight / 2);
          context.lineTo(data.x - xDelta, data.y + boxHeight / 2);
          context.arc(data.x, data.y, radius, Math.PI - angle, Math.PI + angle, true);
        }
        context.closePath();
        context.fill();
      } else {
        context.beginPath();
        context.arc(data.x, data.y, data.size + PADDING, 0, Math.PI * 2);
        context.closePath();
        context.fill();
      }
      context.shadowBlur = 0;
      if (label) {
        context.fillStyle = th.label;
        context.fillText(label, textX, data.y + size / 3);
      }
    };
  }

  /* ---------- data ---------- */

  var fetchCache = Object.create(null);
  function loadGraph(url) {
    if (!fetchCache[url]) {
      fetchCache[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) {
          var err = new Error("HTTP " + r.status);
          err.httpStatus = r.status;
          throw err;
        }
        return r.json().then(withEdgeIds);
      });
    }
    return fetchCache[url];
  }

  // graph.json writes an edge as [source, target, type], its ends as places in `nodes`
  // (an edge already naming its ends by id, as older sites wrote them, is kept as it is).
  function withEdgeIds(data) {
    var nodes = data.nodes || [];
    var edges = data.edges || [];
    data.edges = [];
    for (var i = 0; i < edges.length; i++) {
      var e = edges[i];
      if (!Array.isArray(e)) {
        if (e && e.source != null && e.target != null) data.edges.push(e);
        continue;
      }
      var from = nodes[e[0]];
      var to = nodes[e[1]];
      if (from && to) data.edges.push({ source: from.id, target: to.id, type: e[2] || "" });
    }
    return data;
  }

  // Ids of nodes within `hops` of `focus`, edges taken as undirected.
  function neighbourhood(data, focus, hops) {
    var adj = new Map();
    var push = function (a, b) {
      var l = adj.get(a);
      if (!l) adj.set(a, (l = []));
      l.push(b);
    };
    var edges = data.edges || [];
    for (var i = 0; i < edges.length; i++) {
      var e = edges[i];
      if (e.source === e.target) continue;
      push(e.source, e.target);
      push(e.target, e.source);
    }
    var seen = new Set([focus]);
    var frontier = [focus];
    for (var h = 0; h < hops && frontier.length; h++) {
      var next = [];
      for (var j = 0; j < frontier.length; j++) {
        var l = adj.get(frontier[j]);
        if (!l) continue;
        for (var k = 0; k < l.length; k++) {
          if (!seen.has(l[k])) {
            seen.add(l[k]);
            next.push(l[k]);
          }
        }
      }
      frontier = next;
    }
    return seen;
  }

  // Map positions into the unit square [0,1]x[0,1] (aspect kept, centred).
  // With the custom bbox {x:[0,1], y:[0,1]} sigma's own normalisation is then
  // the identity, so graph coordinates == sigma's framed ("display data")
  // coordinates: graphToViewport(getNodeDisplayData(id)) and
  // graphToViewport(graph.getNodeAttributes(id)) both give the pixel position.
  // With a focus node the square is centred on it, so the default camera
  // centres the focus node and still shows its whole neighbourhood.
  function normalisePositions(graph, focus) {
    if (!graph.order) return;
    var cx, cy, half = 0;
    if (focus && graph.hasNode(focus)) {
      cx = graph.getNodeAttribute(focus, "x");
      cy = graph.getNodeAttribute(focus, "y");
      graph.forEachNode(function (_, a) {
        half = Math.max(half, Math.abs(a.x - cx), Math.abs(a.y - cy));
      });
    } else {
      var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
      graph.forEachNode(function (_, a) {
        if (a.x < minX) minX = a.x;
        if (a.x > maxX) maxX = a.x;
        if (a.y < minY) minY = a.y;
        if (a.y > maxY) maxY = a.y;
      });
      cx = (minX + maxX) / 2;
      cy = (minY + maxY) / 2;
      half = Math.max(maxX - minX, maxY - minY) / 2;
    }
    if (!(half > 0)) half = 1;
    graph.updateEachNodeAttributes(function (_, a) {
      a.x = 0.5 + (a.x - cx) / (2 * half);
      a.y = 0.5 + (a.y - cy) / (2 * half);
      return a;
    }, { attributes: ["x", "y"] });
  }

  function buildGraph(data, opts, th) {
    var nodes = data.nodes || [];
    var keep = null;
    if (opts.focus) keep = neighbourhood(data, opts.focus, opts.hops);
    var G = window.graphology;
    var GraphCtor = G.Graph || G;
    var graph = new GraphCtor({ type: "directed", multi: true, allowSelfLoops: false });

    var n = keep ? keep.size : nodes.length;
    var scale = n > 3000 ? 0.55 : n > 800 ? 0.75 : 1;
    graph.setAttribute("kbScale", scale);
    var total = nodes.length || 1;
    for (var i = 0; i < nodes.length; i++) {
      var nd = nodes[i];
      if (!nd || nd.id == null || graph.hasNode(nd.id)) continue;
      if (keep && !keep.has(nd.id)) continue;
      var x = +nd.x, y = +nd.y;
      if (!isFinite(x) || !isFinite(y) || nd.x == null || nd.y == null) {
        var a = (2 * Math.PI * i) / total;
        x = 100 * Math.cos(a);
        y = 100 * Math.sin(a);
      }
      var attrs = {
        x: x,
        y: y,
        label: nd.title || nd.id,
        kind: nd.kind || "claim",
        domain: nd.domain || "",
        confidence: nd.confidence || "",
        url: nd.url || "",
        size: nodeSize(nd.degree, nd.kind, scale),
      };
      // bigger (better linked) nodes drawn on top; sources and maps below claims
      attrs.zIndex = (nd.kind === "claim" || !nd.kind ? 100 : 0) + attrs.size;
      styleNode(attrs, th);
      graph.addNode(nd.id, attrs);
    }
    normalisePositions(graph, opts.focus);

    var edges = data.edges || [];
    var seenEdge = new Set();
    for (var j = 0; j < edges.length; j++) {
      var e = edges[j];
      if (!e || e.source === e.target) continue;
      if (!graph.hasNode(e.source) || !graph.hasNode(e.target)) continue;
      var key = e.source + "\u0000" + e.target + "\u0000" + (e.type || "");
      if (seenEdge.has(key)) continue;
      seenEdge.add(key);
      var ea = { kbType: e.type || "" };
      styleEdge(ea, th, scale);
      graph.addDirectedEdge(e.source, e.target, ea);
    }
    return graph;
  }

  /* ---------- DOM helpers ---------- */

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function swatch(cls, fill, border) {
    var s = el("span", "graph-legend-swatch " + (cls || ""));
    s.setAttribute("aria-hidden", "true");
    if (fill) s.style.backgroundColor = fill;
    if (border) s.style.borderColor = border;
    return s;
  }

  function legendItem(list, sw, text) {
    var li = el("li", "graph-legend-item");
    li.appendChild(sw);
    li.appendChild(el("span", "graph-legend-text", text));
    list.appendChild(li);
    return li;
  }

  function buildLegend(container, graph, th) {
    var legend = el("div", "graph-legend");
    legend.setAttribute("aria-label", "Graph legend");

    // domains present, by node count
    var counts = Object.create(null);
    var hasSource = false, hasMap = false;
    var confSeen = Object.create(null);
    graph.forEachNode(function (_, a) {
      if (a.kind === "source") hasSource = true;
      else if (a.kind === "map") hasMap = true;
      else {
        counts[a.domain] = (counts[a.domain] || 0) + 1;
        confSeen[a.confidence] = true;
      }
    });
    var domains = Object.keys(counts).sort(function (a, b) {
      return counts[b] - counts[a] || (a < b ? -1 : 1);
    });
    var MAX = 14;

    var sec = el("div", "graph-legend-section");
    sec.appendChild(el("h3", "graph-legend-title", "Domain (colour)"));
    var ul = el("ul", "graph-legend-list");
    domains.slice(0, MAX).forEach(function (d) {
      var c = domainColour(d);
      legendItem(ul, swatch("graph-legend-dot", c, c), d || "(no domain)");
    });
    if (domains.length > MAX) {
      ul.appendChild(el("li", "graph-legend-item graph-legend-more", "+" + (domains.length - MAX) + " more"));
    }
    if (hasSource) {
      legendItem(ul, swatch("graph-legend-dot graph-legend-small", SOURCE_COLOUR[th.mode], SOURCE_COLOUR[th.mode]), "source (small, grey)");
    }
    if (hasMap) {
      legendItem(ul, swatch("graph-legend-dot graph-legend-small", MAP_COLOUR[th.mode], th.outline), "map (small, grey, outlined)");
    }
    sec.appendChild(ul);
    legend.appendChild(sec);

    sec = el("div", "graph-legend-section");
    sec.appendChild(el("h3", "graph-legend-title", "Confidence (fill)"));
    ul = el("ul", "graph-legend-list");
    var sample = "#7a7a7a";
    CONFIDENCE_ORDER.forEach(function (k) {
      var c = CONFIDENCE[k];
      var fill = c.fill >= 1 ? sample : mix(sample, th.background, c.fill);
      var border = c.ring === "dark" ? th.outline : sample;
      var sw = swatch("graph-legend-dot graph-legend-conf-" + k, fill, border);
      legendItem(ul, sw, c.label);
    });
    legendItem(ul, swatch("graph-legend-dot", sample, sample), "unrated: solid");
    sec.appendChild(ul);
    legend.appendChild(sec);

    sec = el("div", "graph-legend-section");
    sec.appendChild(el("h3", "graph-legend-title", "Links"));
    ul = el("ul", "graph-legend-list");
    legendItem(ul, swatch("graph-legend-line graph-legend-line-thick", EDGE_STYLE.challenges[th.mode]), "challenges");
    legendItem(ul, swatch("graph-legend-line", EDGE_STYLE.depends_on[th.mode]), "depends on");
    legendItem(ul, swatch("graph-legend-line", EDGE_OTHER[th.mode]), "relates, topic, source, evidence");
    sec.appendChild(ul);
    legend.appendChild(sec);

    var help = el("p", "graph-legend-help",
      "Hover a node for its title, click to open it. Scroll or pinch to zoom, drag to pan; " +
      "with the graph focused: + / - zoom, arrow keys pan, 0 resets.");
    legend.appendChild(help);

    container.appendChild(legend);
    return legend;
  }

  function showFallback(container, message) {
    window.kbGraphError = message;
    container.classList.add("graph-view-failed");
    var msg = el("p", "graph-message", message);
    msg.setAttribute("role", "status");
    container.appendChild(msg);

    var fbId = container.getAttribute("data-fallback");
    if (fbId) {
      var fb = document.getElementById(fbId);
      if (fb) {
        fb.hidden = false;
        return;
      }
    }
    // Revive the server-rendered list from a following <noscript>.
    var sib = container.nextElementSibling;
    while (sib && sib.tagName !== "NOSCRIPT" && sib.tagName !== "SCRIPT") sib = sib.nextElementSibling;
    if (sib && sib.tagName === "NOSCRIPT" && sib.textContent && typeof DOMParser !== "undefined") {
      var doc = new DOMParser().parseFromString(sib.textContent, "text/html");
      var wrap = el("div", "graph-fallback");
      // DOMParser documents are inert: scripts never run; drop them anyway.
      Array.prototype.forEach.call(doc.querySelectorAll("script"), function (s) { s.remove(); });
      while (doc.body.firstChild) wrap.appendChild(document.adoptNode(doc.body.firstChild));
      sib.parentNode.insertBefore(wrap, sib.nextSibling);
    }
  }

  /* ---------- drawing ---------- */

  function draw(container, data) {
    var focus = container.getAttribute("data-focus") || "";
    var hops = parseInt(container.getAttribute("data-hops") || "2", 10);
    if (!(hops >= 0)) hops = 2;
    var base = container.getAttribute("data-base") || "";
    var th = theme();

    if (focus && !(data.nodes || []).some(function (n) { return n && n.id === focus; })) {
      showFallback(container, "This item has no links in the graph.");
      window.kbGraphReady = { nodes: 0, edges: 0 };
      return;
    }

    assignDomainColours(data.nodes || []);
    var graph = buildGraph(data, { focus: focus, hops: hops }, th);

    var stage = el("div", "graph-canvas");
    container.insertBefore(stage, container.firstChild);
    if (!container.hasAttribute("tabindex")) container.setAttribute("tabindex", "0");
    container.classList.add("graph-view-ready");

    if (focus) {
      graph.mergeNodeAttributes(focus, {
        highlighted: true,
        zIndex: 1e6,
        size: graph.getNodeAttribute(focus, "size") * 1.4 + 3,
      });
    }

    var Sigma = window.Sigma;
    var BorderProgram = Sigma.rendering.createNodeBorderProgram({
      borders: [
        { size: { attribute: "borderSize", defaultValue: 0.12 }, color: { attribute: "borderColor" } },
        { size: { fill: true }, color: { attribute: "color" } },
      ],
    });

    var currentTheme = th;
    var renderer;
    try {
      renderer = new Sigma(graph, stage, {
        defaultNodeType: "bordered",
        nodeProgramClasses: { bordered: BorderProgram },
        defaultEdgeType: "arrow",
        zIndex: true,
        labelRenderedSizeThreshold: graph.order > 300 ? 14 : 9,
        labelDensity: 0.6,
        labelGridCellSize: 120,
        labelColor: { color: th.label },
        labelFont: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
        labelSize: 13,
        defaultDrawNodeHover: makeDrawHover(function () { return currentTheme; }),
        defaultDrawNodeLabel: makeDrawLabel(function () { return currentTheme; }),
        minEdgeThickness: 0.8,
        hideEdgesOnMove: graph.size > 20000,
        stagePadding: 24,
        enableCameraRotation: false,
        minCameraRatio: 0.02,
        maxCameraRatio: 4,
      });
    } catch (err) {
      stage.remove();
      container.classList.remove("graph-view-ready");
      showFallback(container, "Your browser could not draw the graph (WebGL unavailable).");
      return;
    }

    // Positions were normalised into the unit square (see normalisePositions).
    // Without a focus node the natural extent already spans it, so sigma's
    // normalisation is the identity and the extra pass is skipped on big graphs.
    if (focus || graph.order <= 3000) {
      renderer.setCustomBBox({ x: [0, 1], y: [0, 1] });
      renderer.refresh();
    }

    var camera = renderer.getCamera();

    renderer.on("enterNode", function () { stage.classList.add("graph-canvas-pointer"); });
    renderer.on("leaveNode", function () { stage.classList.remove("graph-canvas-pointer"); });
    renderer.on("clickNode", function (ev) {
      var url = graph.getNodeAttribute(ev.node, "url");
      if (url) window.location.href = base + url;
    });

    container.addEventListener("keydown", function (ev) {
      if (ev.target !== container) return;
      var st = camera.getState();
      var step = 0.1 * st.ratio;
      var handled = true;
      switch (ev.key) {
        case "+": case "=": camera.animatedZoom({ duration: 200 }); break;
        case "-": case "_": camera.animatedUnzoom({ duration: 200 }); break;
        case "0": camera.animatedReset({ duration: 200 }); break;
        case "ArrowLeft": camera.setState({ x: st.x - step }); break;
        case "ArrowRight": camera.setState({ x: st.x + step }); break;
        case "ArrowUp": camera.setState({ y: st.y + step }); break;
        case "ArrowDown": camera.setState({ y: st.y - step }); break;
        case "Enter":
          if (focus && graph.getNodeAttribute(focus, "url")) {
            window.location.href = base + graph.getNodeAttribute(focus, "url");
          } else handled = false;
          break;
        default: handled = false;
      }
      if (handled) ev.preventDefault();
    });

    var legend = buildLegend(container, graph, th);

    // Follow light/dark changes (rare; recolouring is one pass over the graph).
    if (window.matchMedia) {
      var mq = window.matchMedia("(prefers-color-scheme: dark)");
      var onChange = function () {
        currentTheme = theme();
        graph.updateEachNodeAttributes(function (_, a) { styleNode(a, currentTheme); return a; });
        graph.updateEachEdgeAttributes(function (_, a) { styleEdge(a, currentTheme, graph.getAttribute("kbScale")); return a; });
        renderer.setSetting("labelColor", { color: currentTheme.label });
        var fresh = buildLegend(container, graph, currentTheme);
        legend.replaceWith(fresh);
        legend = fresh;
      };
      if (mq.addEventListener) mq.addEventListener("change", onChange);
      else if (mq.addListener) mq.addListener(onChange);
    }

    window.kbSigma = renderer;
    window.kbGraph = graph;
    window.kbGraphReady = { nodes: graph.order, edges: graph.size };
    container.dispatchEvent(new CustomEvent("kb:graph-ready", { bubbles: true, detail: window.kbGraphReady }));
  }

  function init(container) {
    if (container.getAttribute("data-kb-graph-init")) return;
    container.setAttribute("data-kb-graph-init", "1");
    var url = container.getAttribute("data-graph-url");
    if (!url) return;
    if (!window.Sigma || !window.graphology) {
      showFallback(container, "The graph scripts failed to load.");
      return;
    }
    if (window.location.protocol === "file:") {
      showFallback(container, HTTP_MESSAGE);
      return;
    }
    container.classList.add("graph-view-loading");
    container.setAttribute("aria-busy", "true");
    loadGraph(url).then(
      function (data) {
        container.classList.remove("graph-view-loading");
        container.removeAttribute("aria-busy");
        draw(container, data);
      },
      function (err) {
        container.classList.remove("graph-view-loading");
        container.removeAttribute("aria-busy");
        var detail = err && err.httpStatus
          ? "Could not load the graph data (HTTP " + err.httpStatus + "). "
          : "";
        showFallback(container, detail + HTTP_MESSAGE);
      }
    ).catch(function (err) {
      // an error while drawing
      if (window.console) console.warn("kb graph:", err);
      if (!container.querySelector(".graph-message")) {
        showFallback(container, "The graph could not be drawn.");
      }
    });
  }

  function start() {
    var views = document.querySelectorAll(".graph-view");
    for (var i = 0; i < views.length; i++) init(views[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
