// Course website: the sidebar's expand/collapse toggles (sphinx-book-theme) have no text of
// their own; name each after the section it opens, for screen readers (axe: summary-name).
document.addEventListener("DOMContentLoaded", () => {
  for (const summary of document.querySelectorAll(".bd-sidenav details > summary")) {
    const link = summary.parentElement.parentElement.querySelector(":scope > a");
    summary.setAttribute("aria-label", `Show or hide the pages of ${link ? link.textContent.trim() : "this part"}`);
  }
});
