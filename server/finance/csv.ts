/**
 * CSV as RFC 4180 describes it (https://www.rfc-editor.org/rfc/rfc4180#section-2): CRLF between
 * records, and a field quoted, with its quotes doubled, when it holds a comma, a quote, CR or LF.
 *
 * Spreadsheets run a cell that starts with = + - @ (or a tab or CR, which some strip first) as a
 * formula, so a memo such as `=HYPERLINK(…)` typed by one user could run on an accountant's machine
 * (OWASP "CSV Injection"). Such cells get a leading `'`, which spreadsheets show as text.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
