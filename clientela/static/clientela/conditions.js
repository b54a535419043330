// The condition editor of segments and workflow rules: nested "all"/"any" groups of
// field → operator → value rows, driven by the fields the server registered for the
// kind of record (data-fields of each [data-condition-builder], built by
// core.conditions.editor). It writes the tree as JSON into the text area named by
// data-input (which stays the input without JavaScript) and, when data-count-url is
// given, posts it, debounced, for a live count shown in #data-count-target. Set up on
// load and on each htmx swap that brings an editor in (the rule editor swaps it when
// the trigger's kind of record changes).
(function () {
  "use strict";
  function setUp(root) {
  if (root.dataset.ready) return;
  const textarea = document.getElementById(root.dataset.input);
  if (!textarea) return;
  const fields = JSON.parse(root.dataset.fields);
  const L = JSON.parse(root.dataset.labels);
  const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
  const form = root.closest("form");
  const countBox = root.dataset.countTarget ? document.getElementById(root.dataset.countTarget) : null;
  let uid = 0;
  let tree;
  try {
    tree = JSON.parse(textarea.value || '{"all": []}');
  } catch (e) {
    return; // leave the raw text to fix by hand
  }
  if (!fields.length) return;
  root.dataset.ready = "1";
  const prefix = "cb-" + (root.id || "x") + "-";
  textarea.closest(".mb-3").hidden = true;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    });
    children.forEach((c) => node.append(c));
    return node;
  }

  function labelled(text, control) {
    const id = prefix + ++uid;
    control.id = id;
    return el("div", { class: "col-12 col-sm" }, el("label", { class: "visually-hidden", for: id }, text), control);
  }

  function select(options, value) {
    const s = el("select", { class: "form-select form-select-sm" });
    options.forEach(([v, text, group]) => {
      const o = el("option", { value: v }, text);
      if (String(v) === String(value)) o.selected = true;
      s.append(o);
    });
    return s;
  }

  function fieldSelect(value) {
    const s = el("select", { class: "form-select form-select-sm" });
    const groups = {};
    fields.forEach((f) => {
      if (!groups[f.group]) {
        groups[f.group] = el("optgroup", { label: f.group });
        s.append(groups[f.group]);
      }
      const o = el("option", { value: f.key }, f.label);
      if (f.key === value) o.selected = true;
      groups[f.group].append(o);
    });
    return s;
  }

  function valueInput(leaf, f, changed) {
    const op = leaf.op;
    if (op === "exists" || f.type === "bool") {
      const v = leaf.value === undefined ? true : leaf.value;
      const s = select([["true", L.yes], ["false", L.no]], String(v));
      s.addEventListener("change", () => { leaf.value = s.value === "true"; changed(); });
      leaf.value = v === true || v === "true";
      return s;
    }
    if (f.type === "amount_days") {
      const v = leaf.value && typeof leaf.value === "object" ? leaf.value : { amount: "", days: 365 };
      leaf.value = v;
      const a = el("input", { class: "form-control form-control-sm", inputmode: "decimal", placeholder: L.amount, value: v.amount });
      const d = el("input", { class: "form-control form-control-sm", type: "number", min: "1", placeholder: L.days, value: v.days });
      a.addEventListener("input", () => { v.amount = a.value; changed(); });
      d.addEventListener("input", () => { v.days = parseInt(d.value, 10) || 0; changed(); });
      return el("div", { class: "input-group input-group-sm" }, a, d);
    }
    if (f.choices && op !== "in" && f.type === "choice") {
      const s = select([["", "—"]].concat(f.choices), leaf.value);
      s.addEventListener("change", () => { leaf.value = s.value; changed(); });
      return s;
    }
    const shown = Array.isArray(leaf.value) ? leaf.value.join(", ") : leaf.value == null ? "" : leaf.value;
    const attrs = { class: "form-control form-control-sm", value: shown };
    if (f.type === "date" && op !== "in") attrs.placeholder = "YYYY-MM-DD / -30d";
    if (op === "in") attrs.title = L.comma;
    const input = el("input", attrs);
    input.addEventListener("input", () => {
      const raw = input.value;
      leaf.value = op === "in" ? raw.split(",").map((x) => x.trim()).filter(Boolean) : raw;
      changed();
    });
    return input;
  }

  function leafRow(leaf, parts, index) {
    const row = el("div", { class: "row g-2 align-items-center mb-2 rule-leaf" });
    function draw() {
      row.replaceChildren();
      const f = byKey[leaf.field] || fields[0];
      leaf.field = f.key;
      if (!f.ops.includes(leaf.op)) { leaf.op = f.ops[0]; delete leaf.value; }
      const fs = fieldSelect(f.key);
      fs.addEventListener("change", () => { leaf.field = fs.value; delete leaf.value; draw(); update(); });
      const os = select(f.ops.map((o) => [o, L[o] || o]), leaf.op);
      os.addEventListener("change", () => { leaf.op = os.value; delete leaf.value; draw(); update(); });
      row.append(labelled(L.field, fs), labelled(L.op, os), labelled(L.value, valueInput(leaf, f, update)));
      const rm = el("button", { type: "button", class: "btn btn-sm btn-outline-danger", "aria-label": L.remove, title: L.remove,
        onclick: () => { parts.splice(parts.indexOf(leaf), 1); render(); } }, el("i", { class: "bi bi-x-lg", "aria-hidden": "true" }));
      row.append(el("div", { class: "col-auto" }, rm));
      if (f.help) row.append(el("div", { class: "col-12 form-text mt-0" }, f.help));
    }
    draw();
    return row;
  }

  function groupBox(group, depth, parent) {
    const kind = "any" in group ? "any" : "all";
    const parts = group[kind];
    const box = el("div", { class: "border rounded p-2 mb-2" + (depth ? " ms-2 ms-sm-4" : "") });
    const toggle = select([["all", L.all], ["any", L.any]], kind);
    toggle.classList.add("w-auto");
    toggle.addEventListener("change", () => { delete group[kind]; group[toggle.value] = parts; render(); });
    const head = el("div", { class: "d-flex flex-wrap gap-2 align-items-center mb-2" }, toggle);
    if (parent) {
      head.append(el("button", { type: "button", class: "btn btn-sm btn-outline-danger ms-auto", onclick: () => { parent.splice(parent.indexOf(group), 1); render(); } }, L.remove));
    }
    box.append(head);
    parts.forEach((part, i) => {
      if (part && typeof part === "object" && ("all" in part || "any" in part)) box.append(groupBox(part, depth + 1, parts));
      else box.append(leafRow(part, parts, i));
    });
    const add = el("button", { type: "button", class: "btn btn-sm btn-outline-primary", onclick: () => { parts.push({ field: fields[0].key, op: fields[0].ops[0] }); render(true); } },
      el("i", { class: "bi bi-plus-lg", "aria-hidden": "true" }), " " + L.add);
    const actions = el("div", { class: "d-flex flex-wrap gap-2" }, add);
    if (depth < 4) actions.append(el("button", { type: "button", class: "btn btn-sm btn-outline-secondary", onclick: () => { parts.push({ all: [] }); render(); } }, L.group));
    box.append(actions);
    return box;
  }

  let timer = null;
  function update() {
    textarea.value = JSON.stringify(tree);
    clearTimeout(timer);
    if (root.dataset.countUrl && countBox) timer = setTimeout(count, 400);
  }

  function count() {
    const body = new FormData();
    body.append(textarea.name, textarea.value);
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    fetch(root.dataset.countUrl, { method: "POST", body: body, headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then((r) => r.text())
      .then((html) => { countBox.innerHTML = html; });
  }

  function render(focusLast) {
    root.replaceChildren(groupBox(tree, 0, null));
    if (focusLast) {
      const selects = root.querySelectorAll(".rule-leaf select");
      if (selects.length) selects[selects.length - 3 >= 0 ? selects.length - 3 : 0].focus();
    }
    update();
  }

  form.addEventListener("submit", () => { textarea.value = JSON.stringify(tree); });
  render();
  }

  function setUpAll(scope) {
    const found = scope.querySelectorAll ? scope.querySelectorAll("[data-condition-builder]") : [];
    if (scope.matches && scope.matches("[data-condition-builder]")) setUp(scope);
    found.forEach(setUp);
  }
  if (window.htmx) window.htmx.onLoad(setUpAll);
  else setUpAll(document);
})();
