// The deal board. Drag a card to another column (SortableJS) to move the deal: the
// script posts the new stage (with the card's version, so a stale card is refused) and
// swaps in what the server answers, the column headers (count, total) and the card,
// each by its id. On an error the card goes back where it was and the message shows
// above the board. Each card also has a "Move to…" select handled by htmx alone, for
// keyboards and phones, where dragging is awkward.
(function () {
  "use strict";

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function showMessage(board, text, kind) {
    const box = board.querySelector("#board-message");
    if (!box) return;
    const alert = document.createElement("div");
    alert.className = `alert alert-${kind} py-2 mb-2`;
    alert.textContent = text;
    box.replaceChildren(alert);
  }

  // Replace each element of the answer that has an id with its fresh copy.
  function swapIn(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    for (const fresh of Array.from(template.content.children)) {
      if (!fresh.id) continue;
      fresh.removeAttribute("hx-swap-oob");
      const current = document.getElementById(fresh.id);
      if (!current) continue;
      current.replaceWith(fresh);
      if (window.htmx) window.htmx.process(fresh);
    }
  }

  function putBack(event) {
    const card = event.item;
    event.from.insertBefore(card, event.from.children[event.oldIndex] || null);
  }

  function refreshEmpty(board) {
    for (const column of board.querySelectorAll(".board-column")) {
      const list = column.querySelector(".board-cards");
      const note = column.querySelector(".board-empty");
      if (list && note) note.hidden = list.children.length > 0;
    }
  }

  async function move(board, event) {
    const card = event.item;
    const target = event.to;
    let reason = null;
    if (target.dataset.lost === "1") {
      reason = window.prompt(board.dataset.lostPrompt || "", "");
      if (reason === null) { putBack(event); return; }
    }
    const body = new FormData();
    body.append("stage_id", target.dataset.stageId);
    body.append("version", card.dataset.version || "");
    body.append("board_query", board.dataset.query || "");
    body.append("fragment", "headers");
    if (reason !== null) body.append("lost_reason", reason);
    card.classList.add("board-card-busy");
    card.setAttribute("aria-busy", "true");
    let response = null;
    try {
      response = await fetch(card.dataset.moveUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      });
    } catch (error) {
      response = null;
    }
    if (response && response.ok) {
      swapIn(await response.text());
    } else {
      let text = board.dataset.moveError || "";
      const type = response ? response.headers.get("Content-Type") || "" : "";
      if (response && type.startsWith("text/plain")) text = (await response.text()) || text;
      putBack(event);
      card.classList.remove("board-card-busy");
      card.removeAttribute("aria-busy");
      showMessage(board, text, "danger");
    }
    refreshEmpty(board);
  }

  function init(root) {
    if (!window.Sortable || !root || !root.querySelectorAll) return;
    const boards = root.matches && root.matches("[data-board]")
      ? [root] : Array.from(root.querySelectorAll("[data-board]"));
    for (const board of boards) {
      if (board.dataset.ready) continue;
      board.dataset.ready = "1";
      if (board.hasAttribute("data-can-move")) {
        for (const list of board.querySelectorAll(".board-cards")) {
          window.Sortable.create(list, {
            group: "deals",
            animation: 150,
            draggable: ".board-card",
            // Let the card's link and "Move to…" select work as usual.
            filter: "a, select, option, button, input, label",
            preventOnFilter: false,
            onEnd: (event) => { if (event.from !== event.to) move(board, event); },
          });
        }
      }
      refreshEmpty(board);
      const focus = board.querySelector("[data-focus]");
      if (focus) {
        const card = document.getElementById(focus.dataset.focus);
        const select = card && card.querySelector("select");
        if (select) select.focus();
      }
    }
  }

  // Filter forms submit as soon as a filter changes.
  document.addEventListener("change", (event) => {
    const form = event.target.closest && event.target.closest("form[data-autosubmit]");
    if (form) form.requestSubmit();
  });

  if (window.htmx) window.htmx.onLoad(init);
  document.addEventListener("DOMContentLoaded", () => init(document));
})();
