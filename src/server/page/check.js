/**
 * Step 2, the check: what was found in the file, the sheet choice of a workbook, and the table of
 * rows (only those with errors, or all), paged, with the download of the rows to fix.
 */
import { api } from './api.js';
import { byId, count, el, facts, kindWords, notice } from './dom.js';

const PAGE_SIZE = 25;
const table = { id: undefined, offset: 0, total: 0 };

/** The delimiter and encoding in words. */
function readAs(report) {
  if (report.container === 'xlsx') return `Excel workbook${report.sheet ? `, sheet "${report.sheet}"` : ''}`;
  return `CSV, ${report.delimiter ?? 'comma'}-separated, ${report.encoding}`;
}

/** The check's findings, at a glance. */
export function showCheck(report, onSheet) {
  facts(byId('check-facts'), [
    ['File', report.name],
    ['Change', kindWords(report.kind)],
    ['Read as', readAs(report)],
    ['Rows', count(report.rows)],
    ['Valid', count(report.valid)],
    ['Invalid', count(report.invalid)],
  ]);
  byId('check-warnings').replaceChildren(...report.warnings.map((w) => el('li', {}, w)));
  showSheets(report, onSheet);
  byId('check-rows').hidden = false;
  byId('plan').hidden = report.valid === 0;
  byId('to-fix').href = `/api/uploads/${report.id}/to-fix.xlsx`;
  byId('to-fix').hidden = report.invalid === 0;
  byId('to-run').disabled = report.valid === 0;
  table.id = report.id;
  table.offset = 0;
  return loadRows();
}

/** A workbook refused for the sheet read: why, and its other sheets to choose from. */
export function showRefusedSheet(refused, onSheet) {
  facts(byId('check-facts'), [['File', refused.name]]);
  byId('check-warnings').replaceChildren(
    el('li', {}, refused.error),
    el('li', {}, 'Choose the sheet with the changes.'),
  );
  showSheets({ sheets: refused.sheets, sheet: undefined }, onSheet);
  byId('sheet').prepend(el('option', { value: '', selected: true, disabled: true }, 'Choose a sheet…'));
  byId('check-rows').hidden = true;
  byId('plan').hidden = true;
  byId('to-run').disabled = true;
}

/** A workbook with several sheets offers the choice; choosing one checks the file again. */
function showSheets(report, onSheet) {
  const choice = byId('sheet-choice');
  choice.hidden = report.sheets.length < 2;
  const select = byId('sheet');
  select.replaceChildren(
    ...report.sheets.map((name) => el('option', { value: name, selected: name === report.sheet }, name)),
  );
  select.onchange = () => onSheet(select.value);
}

/** The header of the table for `columns` (the kind's three). */
function tableHead(columns) {
  const cells = ['Row', 'Status', ...columns, 'Column', 'Reason'];
  return el('tr', {}, ...cells.map((c) => el('th', { scope: 'col' }, c)));
}

const LONGEST_SHOWN = 40;

/** A cell's value as the table shows it: a very long one cut, saying how long it is. */
function shown(value) {
  return value.length > LONGEST_SHOWN
    ? `${value.slice(0, LONGEST_SHOWN - 1)}… (${value.length} characters)`
    : value;
}

/** One row of the table: every cell as text. */
function tableRow(row) {
  return el(
    'tr',
    {},
    el('td', { class: 'nowrap' }, String(row.line)),
    el('td', { class: 'nowrap' }, row.status),
    ...row.values.map((value) => el('td', {}, shown(value))),
    el('td', { class: 'words' }, row.columns),
    el('td', {}, row.reason),
  );
}

/** Load and show the current page of the table. */
export async function loadRows() {
  const only = byId('only-errors').checked ? 'errors' : 'all';
  try {
    const page = await api(
      `/api/uploads/${table.id}/rows?only=${only}&offset=${table.offset}&limit=${PAGE_SIZE}`,
    );
    table.total = page.total;
    byId('rows').tHead.replaceChildren(tableHead(page.columns));
    const body = byId('rows').tBodies[0];
    body.replaceChildren(...page.rows.map(tableRow));
    if (page.rows.length === 0) {
      body.append(
        el('tr', {}, el('td', { colspan: 7 }, only === 'errors' ? 'No row has an error.' : 'No rows.')),
      );
    }
    const last = Math.min(table.offset + PAGE_SIZE, page.total);
    byId('page-info').textContent =
      page.total === 0 ? '' : `Rows ${count(table.offset + 1)}–${count(last)} of ${count(page.total)}`;
    byId('prev').disabled = table.offset === 0;
    byId('next').disabled = last >= page.total;
  } catch (error) {
    notice(error.message);
  }
}

/** Wire the table's controls once. */
export function wireTable() {
  byId('only-errors').addEventListener('change', () => {
    table.offset = 0;
    void loadRows();
  });
  byId('prev').addEventListener('click', () => {
    table.offset = Math.max(0, table.offset - PAGE_SIZE);
    void loadRows();
  });
  byId('next').addEventListener('click', () => {
    table.offset += PAGE_SIZE;
    void loadRows();
  });
}
