/* The book's search box: loads search.json (one entry per section: page, section, href, text) on first use and
   lists the sections that contain every word typed, best first. Plain DOM, no libraries. */
(function () {
  "use strict";
  var MAX_RESULTS = 12;
  var SNIPPET_CHARS = 140;
  var html = document.documentElement;
  var root = html.getAttribute("data-root") || "";
  var indexUrl = html.getAttribute("data-search-index") || root + "search.json";
  var entries = null;
  var loading = null;

  function load() {
    if (!loading) {
      loading = fetch(indexUrl)
        .then(function (response) {
          if (!response.ok) throw new Error("search index: HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          entries = data.map(function (entry) {
            entry.haystack = (entry.page + " " + entry.section + " " + entry.text).toLowerCase();
            entry.heading = (entry.page + " " + entry.section).toLowerCase();
            return entry;
          });
          return entries;
        });
    }
    return loading;
  }

  function terms(query) {
    return query.toLowerCase().split(/\s+/).filter(function (term) { return term.length > 0; });
  }

  function score(entry, words) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      if (entry.haystack.indexOf(words[i]) < 0) return 0;
      total += entry.heading.indexOf(words[i]) >= 0 ? 10 : 1;
    }
    return total;
  }

  /* A piece of the section's text around the first word found, with the words marked. */
  function snippet(text, words) {
    var lower = text.toLowerCase();
    var at = lower.indexOf(words[0]);
    var start = Math.max(0, at - SNIPPET_CHARS / 3);
    var piece = (start > 0 ? "…" : "") + text.slice(start, start + SNIPPET_CHARS) + (start + SNIPPET_CHARS < text.length ? "…" : "");
    var span = document.createElement("span");
    span.className = "result-snippet";
    var pattern = new RegExp("(" + words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|") + ")", "gi");
    piece.split(pattern).forEach(function (part, index) {
      if (index % 2 === 1) {
        var mark = document.createElement("mark");
        mark.textContent = part;
        span.appendChild(mark);
      } else {
        span.appendChild(document.createTextNode(part));
      }
    });
    return span;
  }

  function show(list, query) {
    var words = terms(query);
    list.textContent = "";
    if (words.length === 0) {
      list.hidden = true;
      return;
    }
    var found = entries
      .map(function (entry) { return { entry: entry, score: score(entry, words) }; })
      .filter(function (hit) { return hit.score > 0; })
      .sort(function (a, b) { return b.score - a.score; })
      .slice(0, MAX_RESULTS);
    if (found.length === 0) {
      var none = document.createElement("li");
      none.className = "no-results";
      none.textContent = "No section mentions “" + query.trim() + "”.";
      list.appendChild(none);
    }
    found.forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + hit.entry.href;
      var title = document.createElement("span");
      title.className = "result-title";
      title.textContent = hit.entry.section === hit.entry.page ? hit.entry.page : hit.entry.page + " › " + hit.entry.section;
      link.appendChild(title);
      link.appendChild(snippet(hit.entry.text, words));
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = false;
  }

  function setup() {
    var input = document.getElementById("search-input");
    var list = document.getElementById("search-results");
    if (!input || !list) return;
    input.addEventListener("focus", function () { load().catch(function () {}); });
    input.addEventListener("input", function () {
      load().then(function () { show(list, input.value); }, function (error) {
        list.textContent = "";
        var item = document.createElement("li");
        item.className = "no-results";
        item.textContent = "Search is unavailable (" + error.message + ").";
        list.appendChild(item);
        list.hidden = false;
      });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        input.value = "";
        show(list, "");
      } else if (event.key === "Enter") {
        var first = list.querySelector("a");
        if (first) window.location.href = first.href;
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
