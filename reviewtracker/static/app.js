/* ---- every page: the "Menu" button that opens the navigation on narrow screens ------------
   The stylesheet folds the navigation into the button only on pages marked .js (early.js);
   this opens and closes it. Escape closes it again. */
(function () {
  "use strict";
  var toggle = document.querySelector("[data-menu-toggle]");
  var bar = toggle ? toggle.closest(".topbar") : null;
  if (!bar) { return; }
  function open(yes) {
    bar.classList.toggle("open", yes);
    toggle.setAttribute("aria-expanded", yes ? "true" : "false");
  }
  toggle.addEventListener("click", function () { open(!bar.classList.contains("open")); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && bar.classList.contains("open")) { open(false); toggle.focus(); }
  });
})();

/* ---- every page: a link to a folded section (<details id=...>) opens it -------------------- */
(function () {
  "use strict";
  function openTarget() {
    var id = window.location.hash.slice(1);
    var target = id ? document.getElementById(decodeURIComponent(id)) : null;
    var details = target ? target.closest("details") : null;
    if (details && !details.open) { details.open = true; target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();

/* ---- comment list (comments/_list.html): select-all, ticked count, keys ------------------
   Progressive only: the list, its filters, paging and bulk triage all work without this. */
(function () {
  "use strict";
  var table = document.querySelector("[data-comment-list]");
  if (!table) { return; }
  var boxes = Array.prototype.slice.call(table.querySelectorAll("tbody input[name=ids]"));
  var all = table.querySelector("[data-select-all]");
  var ticked = document.querySelector("[data-ticked-count]");
  var scopeSelected = document.querySelector("#bulk-form input[name=scope][value=selected]");
  // The bulk panel becomes a bar that stays in view as soon as one row is ticked.
  var bulk = document.querySelector("[data-bulk]");
  var selected = document.querySelector("[data-selected-count]");
  var clear = document.querySelector("[data-clear-ticks]");

  function refresh() {
    var n = boxes.filter(function (box) { return box.checked; }).length;
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
    if (ticked) { ticked.textContent = n ? "(" + n + " ticked)" : ""; }
    if (selected) { selected.textContent = n ? n + " selected" : ""; }
    if (bulk) { bulk.classList.toggle("active", n > 0); }
    if (clear) { clear.hidden = n === 0; }
    boxes.forEach(function (box) { box.closest("tr").classList.toggle("ticked", box.checked); });
  }

  if (clear) {
    clear.addEventListener("click", function (event) {
      event.preventDefault();  // inside the summary: don't fold the panel
      boxes.forEach(function (box) { box.checked = false; });
      refresh();
    });
  }

  function toggleBulk() {
    if (!bulk) { return; }
    bulk.open = !bulk.open;
    if (bulk.open) {
      var first = bulk.querySelector("select, input[type=text], textarea");
      if (first) { first.focus(); }
    }
  }

  // The list's density: "Compact rows" fits one line per comment; the browser keeps the choice.
  var density = document.querySelector("[data-density-toggle]");
  if (density) {
    density.hidden = false;
    density.addEventListener("click", function () {
      var compact = !table.classList.contains("compact");
      table.classList.toggle("compact", compact);
      table.classList.toggle("comfortable", !compact);
      density.setAttribute("aria-pressed", compact ? "true" : "false");
      document.cookie = "list_density=" + (compact ? "compact" : "comfortable") +
        "; path=/; max-age=31536000; SameSite=Lax";
    });
  }

  if (all && boxes.length) {
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      if (scopeSelected) { scopeSelected.checked = true; }
      refresh();
    });
  }
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      if (box.checked && scopeSelected) { scopeSelected.checked = true; }
      refresh();
    });
  });
  refresh();

  // Keys: / search, j/k move between rows, x tick the row, b the bulk panel, o open the row.
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
  var current = -1;
  var hint = document.querySelector("[data-keys-hint]");
  if (hint) { hint.hidden = false; }

  function focusRow(index) {
    if (!rows.length) { return; }
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0 && rows[current]) { rows[current].classList.remove("current"); }
    current = index;
    var row = rows[current];
    row.classList.add("current");
    var target = row.querySelector("a.open") || row.querySelector("input, a");
    if (target) { target.focus({ preventScroll: true }); }
    row.scrollIntoView({ block: "nearest" });
  }

  function typing(element) {
    if (!element) { return false; }
    var tag = element.tagName;
    return element.isContentEditable || tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && element.type !== "checkbox" && element.type !== "radio");
  }

  rows.forEach(function (row, index) {
    row.addEventListener("focusin", function () {
      if (current >= 0 && rows[current]) { rows[current].classList.remove("current"); }
      current = index;
      row.classList.add("current");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var row = current >= 0 ? rows[current] : null;
    if (event.key === "/") {
      var search = document.getElementById("comment-search");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
    } else if (event.key === "j") {
      event.preventDefault(); focusRow(current + 1);
    } else if (event.key === "k") {
      event.preventDefault(); focusRow(current < 0 ? 0 : current - 1);
    } else if (event.key === "x" && row) {
      var box = row.querySelector("input[name=ids]");
      if (box) {
        event.preventDefault();
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    } else if (event.key === "b" && bulk) {
      event.preventDefault(); toggleBulk();
    } else if (event.key === "o" && row) {
      var link = row.querySelector("a.open");
      if (link) { event.preventDefault(); window.location.href = link.href; }
    }
  });
})();
(function () {
  "use strict";
  // The filter form leaves its empty fields out of the URL (the server ignores them anyway).
  var filters = document.querySelector("form.filters");
  if (!filters) { return; }
  filters.addEventListener("submit", function () {
    Array.prototype.forEach.call(filters.elements, function (field) {
      if (field.name && field.value === "") { field.disabled = true; }
    });
  });
  window.addEventListener("pageshow", function () {  // back to this page: fields usable again
    Array.prototype.forEach.call(filters.elements, function (field) { field.disabled = false; });
  });
})();
/* ---- end of the comment list block ---- */

/* ---- comment page (comments/detail.html): keyboard triage --------------------------------
   Progressive only: every link and button works without this. j / k follow the next /
   previous links, a letter sets the disposition whose option carries it as data-key (the
   server renders the keys from the vocabulary; none is written here), Ctrl+Enter presses
   "Save and next", Ctrl+Shift+Enter "Save and next open". Single letters are ignored while
   typing in a field. */
(function () {
  "use strict";
  var help = document.querySelector("[data-keyboard-help]");
  if (!help) { return; }  // not the comment page
  help.hidden = false;
  var form = document.querySelector("[data-triage-form]");
  var select = form ? form.querySelector("select[data-disposition]") : null;

  function typing(element) {
    if (!element) { return false; }
    var tag = element.tagName;
    return element.isContentEditable || tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && element.type !== "checkbox" && element.type !== "radio" &&
       element.type !== "submit" && element.type !== "button");
  }

  function follow(name) {
    var link = document.querySelector("a[data-shortcut=" + name + "]");
    if (link) { window.location.href = link.href; }
  }

  function choose(key) {
    var options = select ? select.querySelectorAll("option[data-key]") : [];
    for (var i = 0; i < options.length; i++) {
      if (options[i].getAttribute("data-key") === key) {
        select.value = options[i].value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        select.classList.remove("keyed");
        void select.offsetWidth;  // restart the highlight animation
        select.classList.add("keyed");
        return true;
      }
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented) { return; }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var which = event.shiftKey ? "[data-shortcut=save-next-open]" : "[data-shortcut=save-next]";
      var saveNext = form ? form.querySelector(which) : null;
      if (saveNext) {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(saveNext); } else { saveNext.click(); }
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (event.key === "j") {
      event.preventDefault(); follow("next");
    } else if (event.key === "k") {
      event.preventDefault(); follow("prev");
    } else if (/^[a-z]$/.test(event.key) && choose(event.key)) {
      event.preventDefault();
    }
  });
})();
/* ---- end of the comment page block ---- */

/* ---- the tranche page: a panel drawn from every comment (progress over time) -------------
   The page links to the panel's own page; this puts that page's [data-progress-panel] in
   the link's place once the page has loaded. Left as a link if the request fails. */
(function () {
  "use strict";
  var slots = document.querySelectorAll("[data-load-panel]");
  Array.prototype.forEach.call(slots, function (slot) {
    slot.setAttribute("aria-busy", "true");
    fetch(slot.getAttribute("data-load-panel"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        var panel = new DOMParser().parseFromString(html, "text/html")
          .querySelector("[data-progress-panel]");
        if (panel) { slot.replaceChildren.apply(slot, Array.prototype.slice.call(panel.childNodes)); }
      })
      .catch(function () { /* the link stays */ })
      .then(function () { slot.removeAttribute("aria-busy"); });
  });
})();
