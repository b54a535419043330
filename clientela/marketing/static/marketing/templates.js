// The e-mail template form: a merge field clicked in the list goes into the HTML (or
// subject) box last focused, at its cursor; by default the visible tab's HTML box.
(function () {
  "use strict";
  var last = null;
  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el.matches && el.matches("#version-en textarea, #version-en input, #version-es textarea, #version-es input, .tab-pane textarea, .tab-pane input[type=text]")) {
      last = el;
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-merge-field]");
    if (!button) return;
    var box = last && last.offsetParent !== null ? last : document.querySelector(".tab-pane.active [data-merge-target]");
    if (!box) return;
    var text = "{{ " + button.getAttribute("data-merge-field") + " }}";
    var start = box.selectionStart || 0, end = box.selectionEnd || 0;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.focus();
    box.selectionStart = box.selectionEnd = start + text.length;
  });
})();
