// Small DOM builders the dashboard's tables share.

/** A table cell holding text (never HTML). */
export function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  return td;
}
