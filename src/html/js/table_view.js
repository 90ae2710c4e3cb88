// The table view: each embedded head's class and statistics, sorted by any column.

const tableView = {
  section: document.getElementById("view-table"),
  head: document.querySelector("#view-table thead"),
  body: document.querySelector("#view-table tbody"),
  sort: { column: 0, descending: false },

  columns() {
    const columns = [
      { name: "layer", value: (h) => h.layer + META.layer_offset },
      { name: "head", value: (h) => h.head + META.head_offset },
      { name: "label", value: (h) => (h.class ? h.class.label : null), text: true },
      { name: "label score", value: (h) => (h.class ? h.class.confidence : null) },
    ];
    META.stat_names.forEach((name, i) => {
      if (META.heads.some((h) => h.stats && h.stats[i] !== null)) {
        columns.push({ name, value: (h) => (h.stats ? h.stats[i] : null) });
      }
    });
    return columns;
  },

  async prepare() {},

  draw() {
    const columns = this.columns();
    const headerRow = document.createElement("tr");
    columns.forEach((column, i) => {
      const th = document.createElement("th");
      th.textContent = column.name;
      if (column.text) th.className = "label";
      if (this.sort.column === i) {
        th.setAttribute("aria-sort", this.sort.descending ? "descending" : "ascending");
      }
      th.addEventListener("click", () => {
        this.sort = {
          column: i,
          descending:
            this.sort.column === i
              ? !this.sort.descending
              : column.name !== "layer" && column.name !== "head" && !column.text,
        };
        this.draw();
      });
      headerRow.appendChild(th);
    });
    this.head.replaceChildren(headerRow);
    const rows = this.sortedHeads(columns);
    this.body.replaceChildren(...rows.map((h) => this.row(h, columns)));
  },

  // Ascending or descending by the sort column; missing values last; ties in layer, head order.
  sortedHeads(columns) {
    const { column, descending } = this.sort;
    const value = columns[column].value;
    return META.heads.slice().sort((a, b) => {
      const x = value(a);
      const y = value(b);
      if (x === null || y === null) {
        return (x === null) - (y === null) || a.layer - b.layer || a.head - b.head;
      }
      const order = typeof x === "string" ? x.localeCompare(y) : x - y;
      return (descending ? -order : order) || a.layer - b.layer || a.head - b.head;
    });
  },

  row(h, columns) {
    const tr = document.createElement("tr");
    if (h.layer === state.layer && h.head === state.head) tr.className = "current";
    for (const column of columns) {
      const td = document.createElement("td");
      const v = column.value(h);
      td.textContent =
        v === null ? "–" : typeof v === "number" && !Number.isInteger(v) ? v.toFixed(3) : String(v);
      if (column.text) td.className = "label";
      tr.appendChild(td);
    }
    tr.addEventListener("click", () => select(h.layer, h.head, "head"));
    return tr;
  },

  attach() {},
};
