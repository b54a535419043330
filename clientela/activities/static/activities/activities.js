// Copy buttons: data-copy="<selector of an input>" copies its value to the clipboard.
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
