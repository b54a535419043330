// The web form's fields editor: a row per field (label, key, type, what it fills in,
// required, choices) and a row per consent checkbox (purpose, channel, exact text),
// each movable up and down and removable with the keyboard (plain buttons). It writes
// both lists as JSON into the form's text areas, which stay the inputs without
// JavaScript (and keep showing the server's errors).
(function () {
  "use strict";
  const root = document.getElementById("form-builder");
  const consentRoot = document.getElementById("consent-builder");
  const fieldsArea = document.querySelector("textarea[data-form-fields]");
  const consentsArea = document.querySelector("textarea[data-form-consents]");
  if (!root || !consentRoot || !fieldsArea || !consentsArea) return;
  const editor = JSON.parse(root.dataset.editor);
  const L = editor.labels;
  let fields, consents;
  try {
    fields = JSON.parse(fieldsArea.value || "[]");
    consents = JSON.parse(consentsArea.value || "[]");
  } catch (e) {
    return; // leave the raw text to fix by hand
  }
  if (!Array.isArray(fields) || !Array.isArray(consents)) return;
  for (const area of [fieldsArea, consentsArea]) {
    area.hidden = true;
    const label = document.querySelector(`label[for="${area.id}"]`);
    if (label) label.hidden = true;
  }
  let uid = 0;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== false && v !== null && v !== undefined) node.setAttribute(k, v === true ? "" : v);
    });
    children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(c)));
    return node;
  }

  function labelled(text, control, css) {
    const id = `fb-${++uid}`;
    control.id = id;
    return el("div", { class: css || "col-6 col-md" }, el("label", { class: "form-label small mb-1", for: id }, text), control);
  }

  function select(options, value, onchange) {
    const node = el("select", { class: "form-select form-select-sm", onchange });
    options.forEach(([v, text]) => node.append(el("option", { value: v, selected: v === value }, text)));
    if (value && !options.some(([v]) => v === value)) node.append(el("option", { value, selected: true }, value));
    return node;
  }

  function save() {
    fieldsArea.value = JSON.stringify(fields, null, 1);
    consentsArea.value = JSON.stringify(consents, null, 1);
  }

  function slugify(text) {
    const key = text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
    return (/^[a-z]/.test(key) ? key : `f_${key}`).slice(0, 40);
  }

  function moveButtons(list, i, focusKey) {
    const move = (to) => () => {
      const [item] = list.splice(i, 1);
      list.splice(to, 0, item);
      render();
      const target = document.querySelector(`[data-focus="${focusKey}-${to}"]`);
      if (target) target.focus();
    };
    return el("div", { class: "btn-group btn-group-sm", role: "group" },
      el("button", { type: "button", class: "btn btn-outline-secondary", "aria-label": L.up, title: L.up, disabled: i === 0, "data-focus": `${focusKey}-${i}`, onclick: move(i - 1) }, el("i", { class: "bi bi-arrow-up", "aria-hidden": "true" })),
      el("button", { type: "button", class: "btn btn-outline-secondary", "aria-label": L.down, title: L.down, disabled: i === list.length - 1, onclick: move(i + 1) }, el("i", { class: "bi bi-arrow-down", "aria-hidden": "true" })),
      el("button", { type: "button", class: "btn btn-outline-danger", "aria-label": L.remove, title: L.remove, onclick: () => { list.splice(i, 1); render(); } }, el("i", { class: "bi bi-x-lg", "aria-hidden": "true" })));
  }

  function fieldRow(field, i) {
    const set = (name, value) => { field[name] = value; save(); };
    const label = el("input", { class: "form-control form-control-sm", value: field.label || "", maxlength: 200,
      oninput: (e) => { const auto = !field.key || field.key === slugify(field.label || ""); set("label", e.target.value); if (auto) { field.key = slugify(e.target.value); key.value = field.key; save(); } } });
    const key = el("input", { class: "form-control form-control-sm font-monospace", value: field.key || "", maxlength: 40, oninput: (e) => set("key", e.target.value) });
    const type = select(editor.types, field.type || "text", (e) => { set("type", e.target.value); render(); });
    const targets = select(editor.targets, field.maps_to || "", (e) => set("maps_to", e.target.value));
    const required = el("input", { class: "form-check-input", type: "checkbox", checked: !!field.required, onchange: (e) => set("required", e.target.checked) });
    const requiredId = `fb-${++uid}`;
    required.id = requiredId;
    const row = el("div", { class: "row g-2 align-items-end" },
      labelled(L.label, label, "col-12 col-md-3"),
      labelled(L.key, key, "col-6 col-md-2"),
      labelled(L.type, type, "col-6 col-md-2"),
      labelled(L.maps_to, targets, "col-6 col-md-2"),
      el("div", { class: "col-6 col-md-1" }, el("div", { class: "form-check mb-1" }, required, el("label", { class: "form-check-label small", for: requiredId }, L.required))),
      el("div", { class: "col-12 col-md-2 text-md-end" }, moveButtons(fields, i, "field")));
    const box = el("li", { class: "list-group-item", "aria-label": L.field.replace("%(n)s", i + 1) }, row);
    if (field.type === "select") {
      const choices = el("textarea", { class: "form-control form-control-sm", rows: 2,
        oninput: (e) => set("choices", e.target.value.split("\n").map((c) => c.trim()).filter(Boolean)) });
      choices.value = (field.choices || []).join("\n");
      box.append(el("div", { class: "row mt-1" }, labelled(L.choices, choices, "col-12")));
    } else {
      delete field.choices;
    }
    return box;
  }

  function consentRow(consent, i) {
    const set = (name, value) => { consent[name] = value; save(); };
    const purposes = editor.purposes.length ? editor.purposes : [["", "—"]];
    if (!consent.purpose) consent.purpose = purposes[0][0];
    if (!consent.channel) consent.channel = "email";
    const text = el("textarea", { class: "form-control form-control-sm", rows: 2, maxlength: 2000, oninput: (e) => set("text", e.target.value) });
    text.value = consent.text || "";
    return el("li", { class: "list-group-item", "aria-label": L.checkbox.replace("%(n)s", i + 1) },
      el("div", { class: "row g-2 align-items-end" },
        labelled(L.purpose, select(purposes, consent.purpose, (e) => set("purpose", e.target.value)), "col-6 col-md-3"),
        labelled(L.channel, select(editor.channels, consent.channel, (e) => set("channel", e.target.value)), "col-6 col-md-2"),
        labelled(L.text, text, "col-12 col-md-5"),
        el("div", { class: "col-12 col-md-2 text-md-end" }, moveButtons(consents, i, "consent"))));
  }

  function render() {
    root.replaceChildren(
      el("ul", { class: "list-group mb-2", id: "form-builder-fields" }, fields.map(fieldRow)),
      el("button", { type: "button", class: "btn btn-sm btn-outline-primary", id: "form-builder-add",
        onclick: () => { fields.push({ key: "", label: "", type: "text", required: false, maps_to: "" }); render(); root.querySelector("li:last-child input").focus(); } },
        el("i", { class: "bi bi-plus-lg", "aria-hidden": "true" }), " ", L.add_field));
    consentRoot.replaceChildren(
      el("ul", { class: "list-group mb-2" }, consents.map(consentRow)),
      el("button", { type: "button", class: "btn btn-sm btn-outline-primary", id: "consent-builder-add",
        onclick: () => { consents.push({ purpose: "", channel: "email", text: "" }); render(); consentRoot.querySelector("li:last-child textarea").focus(); } },
        el("i", { class: "bi bi-plus-lg", "aria-hidden": "true" }), " ", L.add_consent));
    save();
  }

  render();
})();
