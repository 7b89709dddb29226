/* reviewflow screening app: keyboard screening, progress, conflicts and full-text forms.
   Plain script, no build step, nothing loaded from elsewhere. Record text is only ever
   set with textContent: nothing a database sent becomes HTML. */
(function () {
  "use strict";

  var view = document.body.getAttribute("data-view");

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-Reviewflow": "1"},
      credentials: "same-origin",
      body: JSON.stringify(payload || {})
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.status >= 400) { throw new Error(data.error || response.statusText); }
        return data;
      });
    });
  }

  function banner(text, kind) {
    var node = $("banner");
    if (!node) { return; }
    if (!text) { node.hidden = true; clear(node); return; }
    node.className = "banner" + (kind ? " " + kind : "");
    node.textContent = text;
    node.hidden = false;
  }

  function fmt(value, digits) {
    if (value === null || value === undefined) { return "–"; }
    return Number(value).toFixed(digits === undefined ? 3 : digits);
  }

  function thousands(n) { return Number(n).toLocaleString("en-GB"); }

  /* ---------------------------------------------------------------- screening view */

  var state = null;
  var shown = null;      // study id on the card
  var busy = false;      // a decision is on its way: further keys wait

  function marked(target, pieces) {
    clear(target);
    (pieces || []).forEach(function (piece) {
      if (piece[1]) {
        target.appendChild(el("mark", piece[1], piece[0]));
      } else {
        target.appendChild(document.createTextNode(piece[0]));
      }
    });
  }

  function renderCard(card) {
    var box = $("card");
    var empty = $("empty");
    if (!card) {
      box.hidden = true;
      empty.hidden = false;
      shown = null;
      var p = state.progress && state.progress.status;
      $("empty-title").textContent = state.file_error ? "Cannot screen yet" : "Nothing left to screen";
      $("empty-text").textContent = state.file_error ||
        (p && p.stop_met ? "The stop criterion is met and every study is decided or past the stop." :
         "Every study is decided. Run snakemake to update the review.");
      return;
    }
    box.hidden = false;
    empty.hidden = true;
    shown = card.study_id;
    box.setAttribute("data-study", card.study_id);
    box.setAttribute("data-why", card.why);
    $("why").textContent = card.reason;
    marked($("title"), card.title);
    $("authors").textContent = card.authors.length > 6 ?
      card.authors.slice(0, 6).join("; ") + "; et al. (" + card.authors.length + ")" :
      card.authors.join("; ");
    $("year").textContent = card.year ? " (" + card.year + ")" : "";
    $("journal").textContent = card.journal ? " " + card.journal : "";
    var links = $("links");
    clear(links);
    card.links.forEach(function (link) {
      var a = el("a", "", link.label);
      a.href = link.href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      links.appendChild(a);
    });
    var abstract = $("abstract");
    if (card.abstract.length) { marked(abstract, card.abstract); }
    else { clear(abstract); abstract.appendChild(el("em", "none", "No abstract.")); }
    $("keywords").textContent = card.keywords ? "Keywords: " + card.keywords : "";
    var sources = "Found in: " + (card.sources.join("; ") || "–");
    if (card.records.length > 1) { sources += " · " + card.records.length + " records merged"; }
    if (card.score !== null) { sources += " · score " + fmt(card.score, 3); }
    sources += " · " + card.study_id;
    $("sources").textContent = sources;
    var others = $("others");
    clear(others);
    others.hidden = !card.others.length;
    card.others.forEach(function (o) {
      others.appendChild(el("span", "vote " + o.decision, o.reviewer + ": " + o.decision +
        (o.note ? " (" + o.note + ")" : "")));
    });
    if (card.own) {
      $("saved").textContent = "You decided this study before: " + card.own + ".";
    }
  }

  function renderProgress(progress) {
    var box = $("progress");
    clear(box);
    box.appendChild(el("h2", "", "Progress"));
    var s = progress.status;
    var dl = el("dl");
    function row(label, value, cls) {
      var dt = el("dt", "", label);
      var dd = el("dd", cls || "", value);
      dl.appendChild(dt);
      dl.appendChild(dd);
    }
    if (s) {
      row("Screened", thousands(s.screened) + " of " + thousands(s.total), "screened");
      row("Relevant so far", thousands(s.relevant) + " (" + progress.included + " include, " +
        progress.maybe + " maybe)", "relevant");
      row("Excluded", thousands(progress.excluded));
      row("Phase", s.phase);
      row("Recall estimate", fmt(s.estimated_recall), "estimate");
      row("Lower bound", fmt(s.recall_lower_bound), "bound");
      if (s.p_value !== null) { row("p (recall < target)", fmt(s.p_value, 4)); }
      row("Stop (" + s.rule + ")", s.stop_met ? "met: screening may stop" : "not met",
        s.stop_met ? "stop met" : "stop");
      row("Remaining", thousands(s.remaining) + " unscreened; at least " +
        thousands(s.records_left) + " more before the rule could stop", "remaining");
    } else {
      row("Screened", thousands(progress.decided) + " of " + thousands(progress.total), "screened");
      row("Stop", "computing…");
    }
    if (progress.conflicts) { row("Open conflicts", progress.conflicts); }
    box.appendChild(dl);
    var model = "Ranking: " + (progress.source === "pipeline" ? "the pipeline's last run" :
      progress.source === "none" ? "none yet" : "refitted on the decisions so far (" +
      fmt(progress.fit_seconds, 2) + " s)");
    if (progress.basis) { model += "; scores: " + progress.basis; }
    if (progress.refreshing) { model += " · refreshing…"; }
    if (s && !s.current) { model += " · numbers as of the last refit, before your latest decision"; }
    var note = el("p", "model" + (progress.refreshing ? " refreshing" : ""), model);
    note.id = "model";
    box.appendChild(note);
    if (progress.ranking_error) { box.appendChild(el("p", "warn", progress.ranking_error)); }
  }

  function renderKappa(kappa) {
    var box = $("kappa");
    if (!box) { return; }
    clear(box);
    box.hidden = !kappa.length;
    if (!kappa.length) { return; }
    box.appendChild(el("h2", "", "Agreement"));
    kappa.forEach(function (k) {
      box.appendChild(el("p", "", k.pair + ": Cohen's kappa " +
        (k.kappa === null ? "undefined" : fmt(k.kappa)) + " on " + k.studies + " studies"));
    });
  }

  function renderState(next, options) {
    state = next;
    var keep = options && options.keepCard && shown && next.current_open;
    var problems = [];
    if (next.pending.length) {
      problems.push("Not written yet: " + next.pending.map(function (p) {
        return p.decision + " on " + p.study_id; }).join(", ") +
        ". It is kept and written as soon as " + next.file + " reads cleanly again.");
    }
    next.errors.forEach(function (e) { problems.unshift(e); });
    banner(problems.join("\n"), next.pending.length ? "blocking" : "");
    document.body.classList.toggle("blocked", next.pending.length > 0);
    if (!keep) { renderCard(next.card); }
    renderProgress(next.progress);
    renderKappa(next.kappa || []);
  }

  var queued = null;     // a key pressed while the last decision was on its way

  function decide(decision) {
    if (busy && shown) { queued = {decision: decision, study: shown}; return; }
    if (busy || !shown || (state && state.pending.length)) { return; }
    busy = true;
    var note = $("note");
    var sent = performance.now();
    var payload = {study_id: shown, decision: decision, note: note.value};
    document.body.classList.add("saving");
    // Show the study the server named as next at once; its answer (normally the same
    // study) replaces it a moment later and always has the last word.
    if (state.upcoming) { note.value = ""; renderCard(state.upcoming); }
    post("/api/decide", payload)
      .then(function (data) {
        note.value = "";
        renderState(data.state);
        var took = Math.round(performance.now() - sent);
        $("saved").textContent = data.error ? "" : "Saved: " + decision + " (" + took + " ms).";
        document.body.setAttribute("data-last-ms", String(took));
      })
      .catch(function (err) { banner(err.message, "blocking"); })
      .then(function () {
        busy = false;
        document.body.classList.remove("saving");
        var next = queued;
        queued = null;
        if (next && next.study === shown) { decide(next.decision); }
        else if (next) { $("saved").textContent = "The next study changed: decide it again."; }
      });
  }

  function undo() {
    if (busy) { return; }
    busy = true;
    post("/api/undo", {})
      .then(function (data) {
        renderState(data.state);
        $("saved").textContent = data.undone ? "Undone: your last decision is taken back." :
          "Nothing to undo.";
      })
      .catch(function (err) { banner(err.message, "blocking"); })
      .then(function () { busy = false; });
  }

  function poll() {
    if (busy) { return; }
    var url = "/api/state" + (shown ? "?current=" + encodeURIComponent(shown) : "");
    fetch(url, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (next) {
        if (busy) { return; }
        renderState(next, {keepCard: true});
      })
      .catch(function () { /* the next poll tries again */ });
  }

  function initScreen() {
    renderState(JSON.parse($("initial-state").textContent));
    document.querySelectorAll("[data-decision]").forEach(function (button) {
      button.addEventListener("click", function () { decide(button.getAttribute("data-decision")); });
    });
    $("undo").addEventListener("click", undo);
    var note = $("note");
    note.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "Escape") {
        event.preventDefault();
        note.blur();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.target && (event.target.tagName === "INPUT" || event.target.tagName === "TEXTAREA" ||
          event.target.tagName === "SELECT")) { return; }
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var key = event.key.toLowerCase();
      var map = {i: "include", e: "exclude", m: "maybe"};
      if (map[key]) { event.preventDefault(); decide(map[key]); }
      else if (key === "u") { event.preventDefault(); undo(); }
      else if (key === "n") { event.preventDefault(); note.focus(); }
    });
    window.setInterval(poll, 2000);
  }

  /* ---------------------------------------------------------------- conflicts view */

  function initConflicts() {
    document.querySelectorAll("[data-adjudicate]").forEach(function (button) {
      button.addEventListener("click", function () {
        var item = button.closest("[data-study]");
        var note = item.querySelector(".adjudication-note");
        post("/api/adjudicate", {
          study_id: item.getAttribute("data-study"),
          decision: button.getAttribute("data-adjudicate"),
          note: note ? note.value : ""
        }).then(function () { window.location.reload(); })
          .catch(function (err) { window.alert(err.message); });
      });
    });
  }

  /* ---------------------------------------------------------------- full-text view */

  function initFulltext() {
    document.querySelectorAll("#fulltext tbody tr").forEach(function (row) {
      var decision = row.querySelector(".ft-decision");
      var reason = row.querySelector(".ft-reason");
      decision.addEventListener("change", function () { reason.hidden = decision.value !== "exclude"; });
      row.querySelector(".ft-save").addEventListener("click", function () {
        var status = row.querySelector(".ft-status");
        post("/api/fulltext", {
          study_id: row.getAttribute("data-study"),
          decision: decision.value,
          reason: reason.value,
          note: row.querySelector(".ft-note").value
        }).then(function () {
          status.textContent = "saved: " + decision.value + (reason.value && decision.value === "exclude" ? " (" + reason.value + ")" : "");
          banner("");
        }).catch(function (err) { banner(err.message, "blocking"); });
      });
      row.querySelector(".ft-undo").addEventListener("click", function () {
        var id = row.getAttribute("data-study");
        var status = row.querySelector(".ft-status");
        post("/api/fulltext", {study_id: id, decision: "undo"}).then(function (data) {
          // show what stands now: the decision before the one taken back, or none
          var now = (data.studies || []).filter(function (s) { return s.study_id === id; })[0] || {};
          decision.value = now.decision || "";
          reason.value = now.reason || "";
          reason.hidden = decision.value !== "exclude";
          row.querySelector(".ft-note").value = now.note || "";
          status.textContent = "undone: " + (now.decision ? now.decision + " by " + now.decided_by + " stands" : "not decided");
          banner("");
        }).catch(function (err) { banner(err.message, "blocking"); });
      });
    });
  }

  /* ---------------------------------------------------------------- who is screening */

  function initReviewer() {
    $("reviewer-form").addEventListener("submit", function (event) {
      event.preventDefault();
      post("/api/reviewer", {name: $("reviewer-input").value})
        .then(function () { window.location.href = "/"; })
        .catch(function (err) { banner(err.message, "blocking"); });
    });
  }

  if (view === "screen") { initScreen(); }
  else if (view === "conflicts") { initConflicts(); }
  else if (view === "fulltext") { initFulltext(); }
  else if (view === "reviewer") { initReviewer(); }
}());
