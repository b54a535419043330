// Clientela web form, for any website: put
//   <div data-clientela-form="https://crm.example.com/forms/<address>/"></div>
//   <script src="https://crm.example.com/static/marketing/form-embed.js" defer></script>
// on a page of a site in the form's allowed origins. The script asks the form's
// fields (GET <address>schema, with a fresh spam token), draws a plain form in the
// page's own style, and posts it with fetch (CORS: only allowed origins get an answer)
// as JSON, with the page's UTM parameters and referrer. Errors show beside each field;
// success shows the thank-you message or goes to the form's redirect address. A form
// with a proof of work loads form-pow.js from beside this script and solves a fresh
// challenge before each post (the page must be https: crypto.subtle needs it).
(function () {
  "use strict";
  const UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];
  const HERE = document.currentScript ? document.currentScript.src : location.href;
  let powLoaded = null;

  function loadPow() {
    if (window.ClientelaPow) return Promise.resolve();
    if (!powLoaded) {
      powLoaded = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = new URL("form-pow.js", HERE).href;
        script.onload = resolve;
        script.onerror = reject;
        document.head.append(script);
      });
    }
    return powLoaded;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v !== false && v !== null && v !== undefined) node.setAttribute(k, v === true ? "" : v);
    });
    children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(c)));
    return node;
  }

  function input(field, id) {
    const common = { name: field.key, id, required: field.required, "aria-required": field.required ? "true" : null };
    if (field.type === "textarea") return el("textarea", { ...common, rows: 4 });
    if (field.type === "select") {
      return el("select", common, el("option", { value: "" }, "—"), (field.choices || []).map((c) => el("option", { value: c }, c)));
    }
    if (field.type === "checkbox") return el("input", { ...common, type: "checkbox" });
    const type = { email: "email", phone: "tel" }[field.type] || "text";
    return el("input", { ...common, type });
  }

  function draw(box, base, schema) {
    const form = el("form", { class: "clientela-form", novalidate: true, lang: schema.language });
    const errors = {};
    const status = el("p", { class: "clientela-form-status", role: "status", "aria-live": "polite" });
    if (schema.title) form.append(el("h2", {}, schema.title));
    if (schema.intro) form.append(el("p", {}, schema.intro));
    const hp = el("input", { type: "text", name: schema.honeypot, tabindex: "-1", autocomplete: "off" });
    form.append(el("div", { style: "position:absolute;left:-10000px", "aria-hidden": "true" }, hp));
    schema.fields.forEach((field, i) => {
      const id = `clientela-${field.key}-${i}`;
      const control = input(field, id);
      const label = el("label", { for: id }, field.label + (field.required ? " *" : ""));
      errors[field.key] = el("div", { class: "clientela-form-error", id: `${id}-error`, role: "alert" });
      control.setAttribute("aria-describedby", `${id}-error`);
      form.append(field.type === "checkbox" ? el("p", {}, control, " ", label, errors[field.key]) : el("p", {}, label, el("br"), control, errors[field.key]));
    });
    schema.consents.forEach((consent) => {
      const id = `clientela-${consent.name}`;
      form.append(el("p", {}, el("input", { type: "checkbox", name: consent.name, id }), " ", el("label", { for: id }, consent.text)));
    });
    const button = el("button", { type: "submit" }, schema.submit);
    form.append(el("p", {}, button), status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      Object.values(errors).forEach((e) => { e.textContent = ""; });
      const body = { [schema.token_name]: schema.token, [schema.honeypot]: hp.value, referrer: document.referrer || location.href };
      const query = new URLSearchParams(location.search);
      UTM.forEach((key) => { if (query.get(key)) body[key] = query.get(key); });
      schema.fields.forEach((field) => {
        const control = form.elements[field.key];
        body[field.key] = field.type === "checkbox" ? control.checked : control.value;
      });
      schema.consents.forEach((consent) => { body[consent.name] = form.elements[consent.name].checked; });
      button.disabled = true;
      status.textContent = schema.sending;
      try {
        if (schema.proof_of_work) {
          status.textContent = schema.checking;
          await loadPow();
          Object.assign(body, await window.ClientelaPow.proof(new URL(schema.challenge_url, base)));
          status.textContent = schema.sending;
        }
        const response = await fetch(new URL(schema.submit_url, base), {
          method: "POST", mode: "cors", credentials: "omit",
          headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        });
        const answer = await response.json();
        if (answer.ok) {
          if (answer.redirect) { location.href = answer.redirect; return; }
          box.replaceChildren(el("p", { class: "clientela-form-thanks", role: "status" }, answer.message));
          return;
        }
        status.textContent = answer.error || "";
        Object.entries(answer.errors || {}).forEach(([key, messages]) => {
          if (errors[key]) errors[key].textContent = messages.join(" ");
          else status.textContent += " " + messages.join(" ");
        });
      } catch (e) {
        status.textContent = schema.failed;
      }
      button.disabled = false;
    });
    box.replaceChildren(form);
  }

  document.querySelectorAll("[data-clientela-form]").forEach(async (box) => {
    const base = new URL(box.dataset.clientelaForm, location.href);
    try {
      const response = await fetch(new URL("schema", base), { mode: "cors", credentials: "omit" });
      if (response.ok) draw(box, base, await response.json());
    } catch (e) {
      // The form's server is unreachable, or this site is not one of its allowed origins.
    }
  });
})();
