// Confirmation before irreversible form submissions (data-confirm) and print buttons (data-print); no inline
// handlers, so that the Content-Security-Policy can forbid inline scripts.
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) e.preventDefault();
}, true);
document.addEventListener("click", function (e) {
  var t = e.target.closest && e.target.closest("[data-print]");
  if (t) { e.preventDefault(); window.print(); }
});
