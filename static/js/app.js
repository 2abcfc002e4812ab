// Small behaviours of the pages, bound by data attributes: the Content-Security-Policy allows
// no inline script, so pages say what they want and this file does it.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-submit-on-change]")) event.target.form.requestSubmit();
});
document.addEventListener("focusin", (event) => {
  if (event.target.matches("[data-select-on-focus]")) event.target.select();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
