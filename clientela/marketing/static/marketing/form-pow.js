// Clientela web forms: the proof of work of a form that asks for one (see
// clientela/marketing/form_pow.py). ClientelaPow.proof(url) gets a challenge from the
// form's /challenge address and finds the first nonce whose
// SHA-256("<challenge>:<nonce>") starts with the challenge's number of zero bits; it
// resolves to the two values to post with the form. crypto.subtle hashes
// asynchronously, so BATCH candidates are hashed at once rather than one after the other.
// On the hosted page (a form with data-pow-url), sending the form first solves a fresh
// challenge, adds it as hidden inputs, then sends. The embed script loads this file too.
(function () {
  "use strict";
  const BATCH = 256;
  const encoder = new TextEncoder();

  function zeroBits(bytes) {
    let count = 0;
    for (const byte of bytes) {
      if (byte) return count + Math.clz32(byte) - 24;
      count += 8;
    }
    return count;
  }

  async function solve(challenge, bits) {
    for (let start = 0; ; start += BATCH) {
      const tries = [];
      for (let n = start; n < start + BATCH; n++) {
        tries.push(crypto.subtle.digest("SHA-256", encoder.encode(`${challenge}:${n}`)));
      }
      const digests = await Promise.all(tries);
      for (let i = 0; i < digests.length; i++) {
        if (zeroBits(new Uint8Array(digests[i])) >= bits) return String(start + i);
      }
    }
  }

  async function proof(url) {
    const response = await fetch(url, { mode: "cors", credentials: "omit", cache: "no-store" });
    if (!response.ok) throw new Error(`challenge: HTTP ${response.status}`);
    const c = await response.json();
    const nonce = await solve(c.challenge, c.bits);
    return { [c.challenge_name]: c.challenge, [c.nonce_name]: nonce };
  }

  window.ClientelaPow = { solve, proof };

  document.querySelectorAll("form[data-pow-url]").forEach((form) => {
    const button = form.querySelector("[type=submit]");
    const status = document.createElement("p");
    status.className = "small text-body-secondary mt-2 mb-0";
    status.setAttribute("role", "status");
    status.id = "form-pow-status";
    button.after(status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      button.disabled = true;
      status.textContent = form.dataset.powChecking;
      try {
        const fields = await proof(form.dataset.powUrl);
        Object.entries(fields).forEach(([name, value]) => {
          let input = form.querySelector(`input[type=hidden][name="${name}"]`);
          if (!input) {
            input = document.createElement("input");
            input.type = "hidden";
            input.name = name;
            form.append(input);
          }
          input.value = value;
        });
        form.submit();
      } catch (e) {
        status.textContent = form.dataset.powFailed;
        button.disabled = false;
      }
    });
  });
})();
