/* Small progressive enhancements of Beian's server-rendered pages; every page works without them. */
(function () {
  "use strict";

  // Formset rows: clone a <template>, numbering its __prefix__ (and __website__ for nested rows).
  function addRow(button) {
    var template = document.getElementById(button.dataset.add);
    var list = document.getElementById(button.dataset.list);
    var total = document.getElementById(button.dataset.total);
    if (!template || !list || !total) return;
    var index = parseInt(total.value, 10) || 0;
    var max = parseInt(button.dataset.max || "0", 10);
    if (max && list.children.length >= max) {
      button.disabled = true;
      return;
    }
    var html = template.innerHTML.split("__prefix__").join(String(index));
    if (button.dataset.website) {
      html = html.split("websites-__website__").join(button.dataset.website);
      html = html.split("id_websites-__website__").join("id_" + button.dataset.website);
    }
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var node = holder.firstElementChild;
    list.appendChild(node);
    total.value = String(index + 1);
    var label = node.querySelector("[data-index-label]");
    if (label) label.textContent = String(list.children.length);
    wirePrincipalToggles(node);
    var first = node.querySelector("input:not([type=hidden]):not([type=checkbox]), select, textarea");
    if (first) first.focus();
    if (max && list.children.length >= max) button.disabled = true;
  }

  // "Same person as the subject's principal" hides the website principal's fields.
  function wirePrincipalToggles(root) {
    root.querySelectorAll("fieldset.website").forEach(function (website) {
      var box = website.querySelector("input[name$='same_as_subject_principal']");
      var fields = website.querySelector("[data-principal-fields]");
      if (!box || !fields) return;
      var sync = function () { fields.hidden = box.checked; };
      box.addEventListener("change", sync);
      sync();
    });
  }

  // Live countdowns: data-due is an ISO time; data-format holds "{h}" and "{m}".
  function tick() {
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) return;
      var left = due - Date.now();
      if (left <= 0) {
        el.textContent = el.dataset.overdue || "";
        el.classList.add("overdue");
        return;
      }
      var hours = Math.floor(left / 3600000);
      var minutes = Math.floor((left % 3600000) / 60000);
      el.textContent = (el.dataset.format || "{h}:{m}").replace("{h}", hours).replace("{m}", minutes);
      el.classList.toggle("urgent", hours < 4);
    });
  }

  // Reasons forms: one search box narrows the catalogued reasons and the field list by their labels.
  function filterReasons(input) {
    var form = input.closest("[data-reason-search]");
    var terms = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var matches = function (text) {
      text = text.toLowerCase();
      return terms.every(function (term) { return text.indexOf(term) !== -1; });
    };
    form.querySelectorAll("[data-reason-option]").forEach(function (option) {
      var group = option.closest("fieldset");
      var legend = group && group.querySelector("legend");
      option.hidden = !matches(option.textContent + " " + (legend ? legend.textContent : ""));
    });
    form.querySelectorAll(".reason-group").forEach(function (group) {
      group.hidden = !group.querySelector("[data-reason-option]:not([hidden])");
    });
    form.querySelectorAll("select[data-field-select] optgroup").forEach(function (group) {
      var shown = 0;
      group.querySelectorAll("option").forEach(function (option) {
        option.hidden = !matches(option.textContent);
        if (!option.hidden) shown += 1;
      });
      group.hidden = shown === 0;
    });
  }

  // A link to something inside a folded part (#materials, a slot's anchor) opens the folds around it.
  function openFoldsAround(hash) {
    if (!hash || hash.length < 2) return;
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-reason-filter]").forEach(function (input) {
      input.addEventListener("input", function () { filterReasons(input); });
    });
    document.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-add]");
      if (button) {
        event.preventDefault();
        addRow(button);
      }
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    wirePrincipalToggles(document);
    var focus = document.getElementById("focus-field");
    if (focus) {
      var target = document.getElementById(JSON.parse(focus.textContent));
      if (target) {
        target.scrollIntoView({ block: "center" });
        target.focus({ preventScroll: true });
      }
    }
    openFoldsAround(location.hash);
    window.addEventListener("hashchange", function () { openFoldsAround(location.hash); });
    if (document.querySelector("[data-due]")) {
      tick();
      window.setInterval(tick, 30000);
    }
  });
})();
