/* kb search: reads the static index kb writes under search/ (see kb/search.py), loading only the
   term and document files a query needs. Every word must match (the start of a word is enough);
   hits in a title rank above hits in the text, rarer words above common ones. */
(function () {
  "use strict";
  var MAX_RESULTS = 50;
  var MAX_EXPANSIONS = 300;
  var TITLE_WEIGHT = 3;
  var PREFIX_WEIGHT = 0.6;
  var state = { root: "", base: "", meta: null, facets: null, shards: {}, chunks: {}, stop: {}, exists: {}, run: 0 };

  function fetchJson(name) {
    return fetch(state.root + name).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + name);
      return response.json();
    });
  }

  function once(cache, key, name) {
    if (!cache[key]) cache[key] = fetchJson(name).catch(function () { return null; });
    return cache[key];
  }

  function queryWords(text) {
    var found = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
    var seen = {};
    return found.filter(function (w) {
      if (Array.from(w).length < 2 || state.stop[w] || seen[w]) return false;
      seen[w] = true;
      return true;
    });
  }

  function shardKey(word) {
    var bytes = new TextEncoder().encode(Array.from(word).slice(0, 2).join(""));
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function decode(postings) {
    var docs = [], id = 0;
    for (var i = 0; i < postings.length; i++) {
      id += postings[i] >> 1;
      docs.push([id, postings[i] & 1]);
    }
    return docs;
  }

  function scoreWord(word, shard) {
    var scores = new Map(), expansions = 0, total = state.meta.docs;
    if (!shard) return scores;
    for (var term in shard) {
      if (term.lastIndexOf(word, 0) !== 0) continue;
      if (++expansions > MAX_EXPANSIONS) break;
      var hits = decode(shard[term]);
      var weight = Math.log(1 + total / hits.length) * (term === word ? 1 : PREFIX_WEIGHT);
      hits.forEach(function (hit) {
        var score = weight * (hit[1] ? TITLE_WEIGHT : 1);
        if (score > (scores.get(hit[0]) || 0)) scores.set(hit[0], score);
      });
    }
    return scores;
  }

  function combine(perWord) {
    var result = perWord[0];
    perWord.slice(1).forEach(function (scores) {
      var next = new Map();
      result.forEach(function (score, id) { if (scores.has(id)) next.set(id, score + scores.get(id)); });
      result = next;
    });
    return result;
  }

  function filterKey() {
    return document.getElementById("search-kind").value + "|" + document.getElementById("search-domain").value;
  }

  function passesFilters(id) {
    var kind = document.getElementById("search-kind").value;
    var domain = document.getElementById("search-domain").value;
    return (!kind || state.meta.kinds[state.facets[0][id]] === kind) &&
      (!domain || state.meta.domains[state.facets[1][id]] === domain);
  }

  function ranked(scores) {
    var ids = [];
    scores.forEach(function (score, id) { if (passesFilters(id)) ids.push(id); });
    ids.sort(function (a, b) { return scores.get(b) - scores.get(a) || a - b; });
    return ids;
  }

  function loadDocs(ids) {
    var chunk = state.meta.chunk;
    var needed = Array.from(new Set(ids.map(function (id) { return Math.floor(id / chunk); })));
    return Promise.all(needed.map(function (n) { return once(state.chunks, n, "docs-" + n + ".json"); })).then(function () {
      return Promise.all(ids.map(function (id) {
        return state.chunks[Math.floor(id / chunk)].then(function (docs) { return docs ? docs[id % chunk] : null; });
      }));
    });
  }

  function highlighted(text, words) {
    var fragment = document.createDocumentFragment();
    var lower = text.toLowerCase(), at = 0;
    while (at < text.length) {
      var next = -1, length = 0;
      words.forEach(function (w) {
        var i = lower.indexOf(w, at);
        if (i >= 0 && (next < 0 || i < next)) { next = i; length = w.length; }
      });
      if (next < 0) break;
      fragment.appendChild(document.createTextNode(text.slice(at, next)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(next, next + length);
      fragment.appendChild(mark);
      at = next + length;
    }
    fragment.appendChild(document.createTextNode(text.slice(at)));
    return fragment;
  }

  function resultItem(doc, words) {
    var li = document.createElement("li");
    li.className = "search-result";
    var link = document.createElement("a");
    link.className = "search-result-link kind-" + doc[2];
    link.href = state.base + doc[0];
    link.appendChild(highlighted(doc[1], words));
    li.appendChild(link);
    if (doc[4]) {
      var badge = document.createElement("span");
      badge.className = "badge badge-" + doc[4];
      badge.textContent = doc[4];
      li.append(" ", badge);
    }
    var where = document.createElement("span");
    where.className = "muted";
    where.textContent = " " + doc[2] + (doc[3] && doc[3] !== "(none)" ? " · " + doc[3] : "");
    li.appendChild(where);
    if (doc[5]) {
      var excerpt = document.createElement("p");
      excerpt.className = "search-excerpt";
      excerpt.appendChild(highlighted(doc[5], words));
      li.appendChild(excerpt);
    }
    return li;
  }

  function show(words, ids, docs, run) {
    if (run !== state.run) return;
    var list = document.getElementById("search-results");
    list.replaceChildren.apply(list, docs.filter(Boolean).map(function (doc) { return resultItem(doc, words); }));
    list.setAttribute("data-shown", words.join(" ") + "|" + filterKey());
    var shown = ids.length > MAX_RESULTS ? " (best " + MAX_RESULTS + " shown)" : "";
    status(ids.length ? ids.length + " result" + (ids.length === 1 ? "" : "s") + shown : "No page has all of these words.");
  }

  function status(text) {
    document.getElementById("search-status").textContent = text;
  }

  function search() {
    var text = document.getElementById("search-input").value;
    var run = ++state.run;
    var words = queryWords(text);
    remember(text);
    if (!words.length) {
      document.getElementById("search-results").replaceChildren();
      status(text.trim() ? "Type a word of two letters or more." : "");
      return;
    }
    var shards = words.map(function (w) {
      var key = shardKey(w);
      return state.exists[key] ? once(state.shards, key, "terms-" + key + ".json") : Promise.resolve(null);
    });
    Promise.all(shards).then(function (loaded) {
      if (run !== state.run) return;
      var ids = ranked(combine(words.map(function (w, i) { return scoreWord(w, loaded[i]); })));
      return loadDocs(ids.slice(0, MAX_RESULTS)).then(function (docs) { show(words, ids, docs, run); });
    }).catch(function (error) { status("Search failed: " + error.message); });
  }

  function remember(text) {
    var url = new URL(window.location.href);
    if (text) url.searchParams.set("q", text); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url.href);
  }

  function fillSelect(id, values) {
    var select = document.getElementById(id);
    values.forEach(function (value) {
      var option = document.createElement("option");
      option.value = option.textContent = value;
      select.appendChild(option);
    });
    select.addEventListener("change", search);
  }

  function start(meta, facets) {
    state.meta = meta;
    state.facets = facets;
    meta.stopwords.forEach(function (w) { state.stop[w] = true; });
    meta.shards.forEach(function (key) { state.exists[key] = true; });
    fillSelect("search-kind", meta.kinds);
    fillSelect("search-domain", meta.domains);
    document.getElementById("search-unavailable").hidden = true;
    var input = document.getElementById("search-input");
    var timer = 0;
    input.disabled = false;
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 80); });
    input.value = new URLSearchParams(window.location.search).get("q") || "";
    input.focus();
    if (input.value) search();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("search");
    if (!element || window.location.protocol === "file:") return;
    state.root = element.getAttribute("data-index");
    state.base = element.getAttribute("data-base");
    Promise.all([fetchJson("meta.json"), fetchJson("facets.json")]).then(function (loaded) {
      start(loaded[0], loaded[1]);
    }).catch(function () {
      status("The search index is missing (was the site built with --no-search?).");
    });
  });
})();
