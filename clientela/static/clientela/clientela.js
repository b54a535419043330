// Clientela's small amount of JavaScript: everything else is htmx attributes.
document.addEventListener("keydown", (event) => {
  // "/" focuses the header search, as in most web apps.
  if (event.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) {
    const box = document.getElementById("header-search");
    if (box) { event.preventDefault(); box.focus(); }
  }
});

// Formsets: "Add another" clones the row kept in the formset's <template>, numbering it
// after the rows there are (Django's TOTAL_FORMS counter).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  const prefix = button.dataset.formsetAdd;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const template = document.querySelector(`template[data-formset-template="${prefix}"]`);
  const rows = document.querySelector(`[data-formset-rows="${prefix}"]`);
  if (!total || !template || !rows) return;
  const index = parseInt(total.value, 10) || 0;
  const max = document.getElementById(`id_${prefix}-MAX_NUM_FORMS`);
  if (max && index >= parseInt(max.value, 10)) return;
  const holder = document.createElement("div");
  holder.innerHTML = template.innerHTML.replaceAll("__prefix__", String(index));
  const row = holder.firstElementChild;
  rows.appendChild(row);
  total.value = String(index + 1);
  if (window.htmx) window.htmx.process(row);
  const first = row.querySelector("input:not([type=hidden]):not([type=checkbox]), select");
  if (first) first.focus();
});

// A filter box inside a form (e.g. the organization picker) must not submit the form on Enter.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target.matches && event.target.matches("[data-no-submit]")) {
    event.preventDefault();
  }
});

// Header search: Escape or a click elsewhere closes the results; Down arrow enters them.
document.addEventListener("keydown", (event) => {
  const results = document.getElementById("search-results");
  if (!results || !results.firstElementChild) return;
  if (event.key === "Escape") {
    results.innerHTML = "";
  } else if (event.key === "ArrowDown" && event.target.id === "header-search") {
    const first = results.querySelector("a");
    if (first) { event.preventDefault(); first.focus(); }
  }
});
document.addEventListener("click", (event) => {
  const results = document.getElementById("search-results");
  if (results && !event.target.closest(".header-search")) results.innerHTML = "";
});

// Filter forms send only the filters that are set, so the address bar (and a saved
// view) reads "?country=ES" rather than a row of empty parameters.
document.addEventListener("htmx:configRequest", (event) => {
  if (!event.detail.elt.closest || !event.detail.elt.closest("[data-drop-empty]")) return;
  const params = event.detail.parameters;
  const keys = params instanceof FormData ? Array.from(params.keys()) : Object.keys(params);
  for (const key of keys) {
    const value = params instanceof FormData ? params.get(key) : params[key];
    if (value === "" || value === null) {
      if (params instanceof FormData) params.delete(key); else delete params[key];
    }
  }
});

// An in-place form's target (data-swap-errors, e.g. a timeline entry being edited) takes
// the answer to refused input (422) or to a change made meanwhile (409): it is the form
// again with the message. (htmx leaves 4xx answers out by default.)
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if ((status === 409 || status === 422) && event.detail.elt.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Escape in an in-place form (data-escape-cancels) is its Cancel button. htmx wires a
// swapped-in form's buttons only once the swap settles (20 ms later): a key pressed
// sooner would click a Cancel that does nothing yet, so the form is wired first.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !event.target.closest) return;
  const form = event.target.closest("[data-escape-cancels]");
  const cancel = form && form.querySelector("[data-cancel]");
  if (!cancel) return;
  event.preventDefault();
  if (window.htmx) window.htmx.process(form);
  cancel.click();
});

// The Content Security Policy (docs/deploy.md) refuses inline script, on* attributes and
// hx-on, so the small behaviours pages need are here, wired by data- attributes.

// data-confirm="question" on a form (or on its submit button) asks before submitting;
// "Cancel" stops it, htmx's request included (this listener runs first: capture phase).
document.addEventListener("submit", (event) => {
  const holder = event.submitter && event.submitter.dataset.confirm ? event.submitter : event.target;
  const message = holder.dataset && holder.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
    event.stopPropagation();
  }
}, true);

// data-submit-on-change on a field submits its form as soon as the field changes (the
// merge page's choice of the record to keep); a <noscript> button does it without JS.
document.addEventListener("change", (event) => {
  if (event.target.matches && event.target.matches("[data-submit-on-change]") && event.target.form) {
    event.target.form.requestSubmit();
  }
});

// Copy buttons: data-copy="<selector of an input>" copies its value to the clipboard;
// data-copied-label, if set, then replaces the button's text.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.querySelector(button.dataset.copy);
  if (!input) return;
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand("copy");  // older browsers, or a page not served over HTTPS
  }
  if (button.dataset.copiedLabel) button.textContent = button.dataset.copiedLabel;
});

// data-marks-read="<selector>" on an htmx button ("Mark all read"): once its request
// succeeded, the unread entries (bold) inside its closest <selector> show as read.
document.addEventListener("htmx:afterRequest", (event) => {
  const button = event.detail.elt;
  if (!event.detail.successful || !button.dataset || !button.dataset.marksRead) return;
  const scope = button.closest(button.dataset.marksRead);
  if (!scope) return;
  scope.querySelectorAll(".fw-semibold").forEach((entry) => entry.classList.remove("fw-semibold"));
});
