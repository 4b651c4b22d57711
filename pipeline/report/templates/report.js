// Sorts a table by the column whose header button is clicked: numbers (cells
// with data-sort) largest first on the first click, text in French order.
for (const button of document.querySelectorAll("table.sortable th button")) {
  button.addEventListener("click", () => {
    const th = button.parentElement, body = th.closest("table").tBodies[0], column = th.cellIndex;
    const numeric = th.dataset.type === "number";
    const current = th.getAttribute("aria-sort");
    const ascending = current ? current === "descending" : !numeric;
    for (const cell of th.parentElement.cells) cell.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const key = (row) => numeric ? parseFloat(row.cells[column].dataset.sort) : row.cells[column].textContent.trim();
    const rows = [...body.rows].sort((a, b) => {
      const order = numeric ? key(a) - key(b) : key(a).localeCompare(key(b), "fr");
      return ascending ? order : -order;
    });
    body.append(...rows);
  });
}
